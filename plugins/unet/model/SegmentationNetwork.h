// A trained (or new) membrane segmentation network: a 2D U-Net and its metadata,
// loaded from and saved to the model file (ModelFile.h). This header includes no
// LibTorch: the network lives behind a pointer, so plugins and programs that only
// run or train it compile without torch headers.
#pragma once

#include "plugins/unet/model/UNetModelFile.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cellforge::unet {

class SegmentationNetwork {
public:
    SegmentationNetwork() = default;  // empty; see create/fromBytes/fromFile

    // A new network with random initial weights (reproducible from `seed`).
    static SegmentationNetwork create(const ModelMetadata& metadata, std::uint64_t seed);
    // Throws InputError naming `sourceName` for a wrong or corrupt file.
    static SegmentationNetwork fromBytes(const std::vector<unsigned char>& bytes, const std::string& sourceName);
    static SegmentationNetwork fromFile(const std::string& path);

    std::vector<unsigned char> toBytes() const;
    void saveFile(const std::string& path) const;  // atomic
    // An independent copy (weights duplicated).
    SegmentationNetwork clone() const;

    bool empty() const { return !impl_; }
    const ModelMetadata& metadata() const;
    ModelMetadata& metadata();
    std::int64_t parameterCount() const;

    // Logits for a batch already normalised: input n x contextSlices x h x w floats,
    // output n x classes x h x w; h and w multiples of sizeDivisor(). Evaluation mode.
    std::vector<float> forward(const float* input, int n, int h, int w, const std::string& device = "cpu") const;

    struct Impl;  // holds the torch module (plugins/unet/model/UNet.h)
    Impl& impl() const;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace cellforge::unet
