// The 2D U-Net as a LibTorch module (internal to the U-Net model library: includes torch).
// Names of parameters and buffers ("enc0.conv1.weight", ...) are part of the model
// file format and are mirrored by tests/bench/unet/unet_peer.py.
#pragma once

#include "plugins/unet/model/UNetModelFile.h"
#include "core/base/RunControl.h"
#include "core/ml/Device.h"
#include "plugins/unet/model/SegmentationNetwork.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace cellforge::unet {

// conv3x3 -> norm -> ReLU -> conv3x3 -> norm -> ReLU. Convolutions keep their bias so
// batch norm can be folded into them for inference.
class ConvBlockImpl : public torch::nn::Module {
public:
    ConvBlockImpl(int in, int out, const std::string& normalization);
    torch::Tensor forward(torch::Tensor x);
    // Folds batch normalisation into the convolutions (evaluation only, irreversible).
    void foldBatchNorm();

private:
    torch::Tensor normalize(int which, torch::Tensor x);
    std::string kind_;
    bool folded_ = false;
    torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
    torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
    torch::nn::InstanceNorm2d in1_{nullptr}, in2_{nullptr};
    torch::nn::GroupNorm gn1_{nullptr}, gn2_{nullptr};
};
TORCH_MODULE(ConvBlock);

class UNetImpl : public torch::nn::Module {
public:
    explicit UNetImpl(const UNetArchitecture& architecture);
    // x: N x contextSlices x H x W (H, W multiples of sizeDivisor) -> N x classes x H x W logits.
    torch::Tensor forward(torch::Tensor x);
    void foldBatchNorm();
    const UNetArchitecture& architecture() const { return arch_; }

private:
    UNetArchitecture arch_;
    std::vector<ConvBlock> encoders_, decoders_;
    std::vector<torch::nn::ConvTranspose2d> ups_;
    torch::nn::Conv2d head_{nullptr};
    torch::nn::Dropout2d dropout_{nullptr};
};
TORCH_MODULE(UNet);

struct SegmentationNetwork::Impl {
    ModelMetadata metadata;
    UNet module{nullptr};
};

using ml::resolveDevice;

// An evaluation copy of the network's module on `device`, batch norm folded if asked.
UNet makeInferenceModule(const SegmentationNetwork& network, const torch::Device& device, bool foldBatchNorm);

// Copies every parameter and buffer of `module` to/from named arrays.
std::vector<NamedArray> exportState(UNet& module);
void importState(UNet& module, const std::vector<NamedArray>& arrays, const std::string& sourceName);

}  // namespace cellforge::unet
