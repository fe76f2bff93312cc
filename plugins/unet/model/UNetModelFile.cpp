#include "plugins/unet/model/UNetModelFile.h"

#include "core/base/Errors.h"

#include <sstream>

namespace cellforge::unet {

namespace {

std::string formatDouble(double v) {
    std::ostringstream s;
    s.precision(17);
    s << v;
    return s.str();
}

std::string join(const std::vector<std::string>& items) {
    std::string s;
    for (std::size_t i = 0; i < items.size(); ++i) s += (i ? "," : "") + items[i];
    return s;
}

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> parts;
    std::string cur;
    std::istringstream in(text);
    while (std::getline(in, cur, sep)) parts.push_back(cur);
    return parts;
}

}  // namespace

void UNetArchitecture::validate() const {
    if (depth < 1 || depth > 7)
        throw InputError("U-Net depth is " + std::to_string(depth) + "; expected 1 to 7 levels");
    if (baseChannels < 1 || baseChannels > 256)
        throw InputError("U-Net base channels is " + std::to_string(baseChannels) + "; expected 1 to 256");
    if (contextSlices < 1 || contextSlices % 2 == 0 || contextSlices > 15)
        throw InputError("U-Net context slices is " + std::to_string(contextSlices) +
                         "; expected an odd number 1 to 15");
    if (classes < 2 || classes > 64)
        throw InputError("U-Net classes is " + std::to_string(classes) + "; expected 2 to 64");
    if (normalization != "batch" && normalization != "instance" && normalization != "group" && normalization != "none")
        throw InputError("U-Net normalization is '" + normalization + "'; expected batch, instance, group or none");
    if (!(dropout >= 0.0 && dropout < 1.0))
        throw InputError("U-Net dropout is " + formatDouble(dropout) + "; expected 0 <= dropout < 1");
}

std::string UNetArchitecture::describe() const {
    std::ostringstream s;
    s << "2D U-Net, depth " << depth << ", " << baseChannels << " base channels, " << contextSlices
      << " input slice(s), " << classes << " classes, " << normalization << " norm, dropout " << dropout;
    return s.str();
}

ml::ModelFileContents toModelFile(const ModelMetadata& m, std::vector<NamedArray> arrays) {
    m.architecture.validate();
    ml::ModelFileContents c;
    c.kind = kUNetKind;
    const UNetArchitecture& a = m.architecture;
    c.architecture.set("depth", double(a.depth));
    c.architecture.set("base_channels", double(a.baseChannels));
    c.architecture.set("context_slices", double(a.contextSlices));
    c.architecture.set("classes", double(a.classes));
    c.architecture.set("normalization", a.normalization);
    c.architecture.set("dropout", a.dropout);
    c.metadata["class_names"] = join(m.classNames);
    c.metadata["input_normalization"] = m.inputNormalization;
    c.metadata["voxel_size"] = formatDouble(m.voxelSize);
    for (const auto& [key, value] : m.notes) {
        if (key.find_first_of("=\n") != std::string::npos || value.find('\n') != std::string::npos)
            throw InputError("model note '" + key + "' contains '=' or a line break");
        c.metadata["note." + key] = value;
    }
    c.arrays = std::move(arrays);
    return c;
}

ModelMetadata unetMetadataOf(const ml::ModelFileContents& c, const std::string& source) {
    const std::string where = "model file '" + source + "'";
    if (c.kind != kUNetKind)
        throw InputError(where + " holds a '" + c.kind + "' model; expected a U-Net ('" + kUNetKind + "')");
    auto require = [&](const std::string& key) -> const std::string& {
        auto it = c.metadata.find(key);
        if (it == c.metadata.end()) throw InputError(where + ": metadata has no '" + key + "'");
        return it->second;
    };
    ModelMetadata m;
    try {
        m.architecture.depth = c.architecture.integer("depth");
        m.architecture.baseChannels = c.architecture.integer("base_channels");
        m.architecture.contextSlices = c.architecture.integer("context_slices");
        m.architecture.classes = c.architecture.integer("classes");
        m.architecture.normalization = c.architecture.text("normalization");
        m.architecture.dropout = c.architecture.number("dropout");
        m.architecture.validate();
    } catch (const InputError& e) {
        throw InputError(where + ": " + e.what());
    }
    m.classNames = split(require("class_names"), ',');
    if (int(m.classNames.size()) != m.architecture.classes)
        throw InputError(where + ": " + std::to_string(m.classNames.size()) + " class names for " +
                         std::to_string(m.architecture.classes) + " classes");
    m.inputNormalization = require("input_normalization");
    if (m.inputNormalization != "slice-zscore")
        throw InputError(where + ": input normalization '" + m.inputNormalization +
                         "' is unknown; expected 'slice-zscore'");
    const std::string& voxel = require("voxel_size");
    try {
        m.voxelSize = std::stod(voxel);
    } catch (const std::exception&) {
        throw InputError(where + ": metadata 'voxel_size' is '" + voxel + "'; expected a number");
    }
    for (const auto& [key, value] : c.metadata)
        if (key.rfind("note.", 0) == 0) m.notes[key.substr(5)] = value;
    return m;
}

std::vector<unsigned char> encodeUNetModelFile(const ModelMetadata& metadata, const std::vector<NamedArray>& arrays) {
    return ml::encodeModelFile(toModelFile(metadata, arrays));
}

UNetModelFileContents decodeUNetModelFile(const unsigned char* data, std::size_t size, const std::string& source) {
    ml::ModelFileContents c = ml::decodeModelFile(data, size, source);
    UNetModelFileContents u;
    u.formatVersion = c.formatVersion;
    u.metadata = unetMetadataOf(c, source);
    u.arrays = std::move(c.arrays);
    return u;
}

}  // namespace cellforge::unet
