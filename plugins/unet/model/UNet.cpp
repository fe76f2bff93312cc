#include "plugins/unet/model/UNet.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <map>
#include <numeric>
#include <sstream>

namespace cellforge::unet {

namespace F = torch::nn::functional;

namespace {

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::ostringstream s;
    s << "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s << (i ? "," : "") << shape[i];
    s << "]";
    return s.str();
}

int groupCount(int channels) { return std::gcd(8, channels); }

}  // namespace

ConvBlockImpl::ConvBlockImpl(int in, int out, const std::string& normalization) : kind_(normalization) {
    conv1_ = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(true)));
    if (kind_ == "batch") bn1_ = register_module("norm1", torch::nn::BatchNorm2d(out));
    if (kind_ == "instance")
        in1_ = register_module("norm1", torch::nn::InstanceNorm2d(torch::nn::InstanceNorm2dOptions(out).affine(true)));
    if (kind_ == "group") gn1_ = register_module("norm1", torch::nn::GroupNorm(groupCount(out), out));
    conv2_ = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(out, out, 3).padding(1).bias(true)));
    if (kind_ == "batch") bn2_ = register_module("norm2", torch::nn::BatchNorm2d(out));
    if (kind_ == "instance")
        in2_ = register_module("norm2", torch::nn::InstanceNorm2d(torch::nn::InstanceNorm2dOptions(out).affine(true)));
    if (kind_ == "group") gn2_ = register_module("norm2", torch::nn::GroupNorm(groupCount(out), out));
}

torch::Tensor ConvBlockImpl::normalize(int which, torch::Tensor x) {
    if (kind_ == "batch" && !folded_) return which == 1 ? bn1_(x) : bn2_(x);
    if (kind_ == "instance") return which == 1 ? in1_(x) : in2_(x);
    if (kind_ == "group") return which == 1 ? gn1_(x) : gn2_(x);
    return x;
}

torch::Tensor ConvBlockImpl::forward(torch::Tensor x) {
    x = torch::relu(normalize(1, conv1_(x)));
    return torch::relu(normalize(2, conv2_(x)));
}

void ConvBlockImpl::foldBatchNorm() {
    if (kind_ != "batch" || folded_) return;
    torch::NoGradGuard noGrad;
    auto fold = [](torch::nn::Conv2d& conv, torch::nn::BatchNorm2d& bn) {
        const auto scale = bn->weight / torch::sqrt(bn->running_var + bn->options.eps());
        conv->weight.mul_(scale.view({-1, 1, 1, 1}));
        conv->bias.copy_((conv->bias - bn->running_mean) * scale + bn->bias);
    };
    fold(conv1_, bn1_);
    fold(conv2_, bn2_);
    folded_ = true;
}

UNetImpl::UNetImpl(const UNetArchitecture& architecture) : arch_(architecture) {
    arch_.validate();
    const int d = arch_.depth;
    auto channels = [&](int level) { return arch_.baseChannels << level; };
    for (int level = 0; level < d; ++level) {
        const int in = level == 0 ? arch_.contextSlices : channels(level - 1);
        encoders_.push_back(
            register_module("enc" + std::to_string(level), ConvBlock(in, channels(level), arch_.normalization)));
    }
    for (int level = 0; level + 1 < d; ++level) {
        ups_.push_back(
            register_module("up" + std::to_string(level),
                            torch::nn::ConvTranspose2d(
                                torch::nn::ConvTranspose2dOptions(channels(level + 1), channels(level), 2).stride(2))));
        decoders_.push_back(register_module("dec" + std::to_string(level),
                                            ConvBlock(2 * channels(level), channels(level), arch_.normalization)));
    }
    head_ = register_module("head", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels(0), arch_.classes, 1)));
    if (arch_.dropout > 0) dropout_ = register_module("dropout", torch::nn::Dropout2d(arch_.dropout));
}

torch::Tensor UNetImpl::forward(torch::Tensor x) {
    const int d = arch_.depth;
    std::vector<torch::Tensor> skips;
    for (int level = 0; level < d; ++level) {
        x = encoders_[std::size_t(level)](x);
        if (level + 1 < d) {
            skips.push_back(x);
            x = F::max_pool2d(x, F::MaxPool2dFuncOptions(2));
        }
    }
    if (dropout_) x = dropout_(x);
    for (int level = d - 2; level >= 0; --level) {
        x = ups_[std::size_t(level)](x);
        x = torch::cat({skips[std::size_t(level)], x}, 1);
        x = decoders_[std::size_t(level)](x);
    }
    return head_(x);
}

void UNetImpl::foldBatchNorm() {
    for (auto& block : encoders_) block->foldBatchNorm();
    for (auto& block : decoders_) block->foldBatchNorm();
}

std::vector<NamedArray> exportState(UNet& module) {
    std::vector<NamedArray> arrays;
    auto add = [&](const std::string& name, const torch::Tensor& t) {
        NamedArray a;
        a.name = name;
        a.shape = t.sizes().vec();
        const torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
        if (c.scalar_type() == torch::kLong) {
            a.integer = true;
            a.integers.assign(c.data_ptr<std::int64_t>(), c.data_ptr<std::int64_t>() + c.numel());
        } else {
            const torch::Tensor f = c.to(torch::kFloat).contiguous();
            a.values.assign(f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
        }
        arrays.push_back(std::move(a));
    };
    for (const auto& p : module->named_parameters(true)) add(p.key(), p.value());
    for (const auto& b : module->named_buffers(true)) add(b.key(), b.value());
    return arrays;
}

void importState(UNet& module, const std::vector<NamedArray>& arrays, const std::string& sourceName) {
    const std::string where = "model file '" + sourceName + "'";
    std::map<std::string, const NamedArray*> byName;
    for (const NamedArray& a : arrays) byName[a.name] = &a;
    torch::NoGradGuard noGrad;
    std::size_t used = 0;
    auto load = [&](const std::string& name, torch::Tensor& target) {
        auto it = byName.find(name);
        if (it == byName.end())
            throw InputError(where + " has no weights '" + name + "' that its architecture (" +
                             module->architecture().describe() + ") needs");
        const NamedArray& a = *it->second;
        if (a.shape != target.sizes().vec())
            throw InputError(where + ": weights '" + name + "' have shape " + shapeText(a.shape) +
                             "; the architecture needs " + shapeText(target.sizes().vec()));
        torch::Tensor source;
        if (a.integer)
            source = torch::from_blob(const_cast<std::int64_t*>(a.integers.data()), target.sizes(), torch::kLong);
        else
            source = torch::from_blob(const_cast<float*>(a.values.data()), target.sizes(), torch::kFloat);
        target.copy_(source.to(target.dtype()));
        ++used;
    };
    for (auto& p : module->named_parameters(true)) load(p.key(), p.value());
    for (auto& b : module->named_buffers(true)) load(b.key(), b.value());
    if (used != arrays.size()) {
        std::string extra;
        for (const NamedArray& a : arrays) {
            bool known = false;
            for (const auto& p : module->named_parameters(true)) known = known || p.key() == a.name;
            for (const auto& b : module->named_buffers(true)) known = known || b.key() == a.name;
            if (!known) extra += (extra.empty() ? "" : ", ") + a.name;
        }
        throw InputError(where + " holds weights its architecture does not have: " + extra);
    }
}

UNet makeInferenceModule(const SegmentationNetwork& network, const torch::Device& device, bool foldBatchNorm) {
    auto& impl = network.impl();
    UNet copy(impl.metadata.architecture);
    auto state = exportState(impl.module);
    importState(copy, state, "in-memory network");
    copy->eval();
    if (foldBatchNorm) copy->foldBatchNorm();
    copy->to(device);
    return copy;
}

// ---- SegmentationNetwork -------------------------------------------------------

SegmentationNetwork SegmentationNetwork::create(const ModelMetadata& metadata, std::uint64_t seed) {
    metadata.architecture.validate();
    if (int(metadata.classNames.size()) != metadata.architecture.classes)
        throw InputError("a network of " + std::to_string(metadata.architecture.classes) +
                         " classes needs as many class names; " + std::to_string(metadata.classNames.size()) +
                         " given");
    SegmentationNetwork net;
    net.impl_ = std::make_shared<Impl>();
    net.impl_->metadata = metadata;
    net.impl_->module = UNet(metadata.architecture);
    // He initialisation from our own generator: reproducible, no global seed touched.
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    torch::NoGradGuard noGrad;
    for (auto& p : net.impl_->module->named_parameters(true)) {
        const std::string& name = p.key();
        torch::Tensor& t = p.value();
        const bool isNorm = name.find("norm") != std::string::npos;
        if (name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0) {
            t.zero_();
        } else if (isNorm) {
            t.fill_(1.0);
        } else {
            // Conv weights [out, in, k, k]; transposed conv [in, out, 2, 2] with stride 2,
            // where each output sees one tap per input channel.
            const bool transposed = name.rfind("up", 0) == 0;
            const std::int64_t fanIn = transposed ? t.size(0) : t.size(1) * t.size(2) * t.size(3);
            const double std = std::sqrt(2.0 / double(std::max<std::int64_t>(1, fanIn)));
            t.copy_(torch::randn(t.sizes(), generator, torch::kFloat) * std);
        }
    }
    return net;
}

SegmentationNetwork SegmentationNetwork::fromBytes(const std::vector<unsigned char>& bytes,
                                                   const std::string& sourceName) {
    UNetModelFileContents contents = decodeUNetModelFile(bytes.data(), bytes.size(), sourceName);
    SegmentationNetwork net;
    net.impl_ = std::make_shared<Impl>();
    net.impl_->metadata = contents.metadata;
    net.impl_->module = UNet(contents.metadata.architecture);
    importState(net.impl_->module, contents.arrays, sourceName);
    return net;
}

SegmentationNetwork SegmentationNetwork::fromFile(const std::string& path) {
    return fromBytes(ml::readFileBytes(path), path);
}

std::vector<unsigned char> SegmentationNetwork::toBytes() const {
    return encodeUNetModelFile(impl().metadata, exportState(impl().module));
}

void SegmentationNetwork::saveFile(const std::string& path) const { ml::writeFileAtomically(path, toBytes()); }

SegmentationNetwork SegmentationNetwork::clone() const { return fromBytes(toBytes(), "in-memory network"); }

SegmentationNetwork::Impl& SegmentationNetwork::impl() const {
    if (!impl_) throw std::logic_error("SegmentationNetwork: empty network used");
    return *impl_;
}

const ModelMetadata& SegmentationNetwork::metadata() const { return impl().metadata; }
ModelMetadata& SegmentationNetwork::metadata() { return impl().metadata; }

std::int64_t SegmentationNetwork::parameterCount() const {
    std::int64_t n = 0;
    for (const auto& p : impl().module->parameters(true)) n += p.numel();
    return n;
}

std::vector<float> SegmentationNetwork::forward(const float* input, int n, int h, int w,
                                                const std::string& device) const {
    const UNetArchitecture& arch = impl().metadata.architecture;
    if (n < 1 || h % arch.sizeDivisor() != 0 || w % arch.sizeDivisor() != 0 || h < 1 || w < 1)
        throw InputError("network input " + std::to_string(w) + " x " + std::to_string(h) +
                         " must be a positive multiple of " + std::to_string(arch.sizeDivisor()) +
                         " in each direction");
    const torch::Device dev = resolveDevice(device);
    UNet module = makeInferenceModule(*this, dev, false);
    torch::InferenceMode guard;
    const torch::Tensor x =
        torch::from_blob(const_cast<float*>(input), {n, arch.contextSlices, h, w}, torch::kFloat).to(dev);
    const torch::Tensor y = module->forward(x).to(torch::kCPU).contiguous();
    return std::vector<float>(y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
}

}  // namespace cellforge::unet
