// The U-Net's architecture and metadata, and their key/value form in the general model
// file (core/ml/ModelFile.h, kind "unet"). Torch-free: plugins and programs read and
// check U-Net model files without LibTorch.
#pragma once

#include "core/ml/ModelFile.h"

#include <map>
#include <string>
#include <vector>

namespace cellforge::unet {

using ml::NamedArray;

inline constexpr const char* kUNetKind = "unet";

struct UNetArchitecture {
    int depth = 4;                        // resolution levels (depth - 1 poolings)
    int baseChannels = 8;                 // channels at full resolution; doubled per level
    int contextSlices = 1;                // input channels: 1 = 2D, k > 1 = 2.5D (k neighbouring slices)
    int classes = 3;                      // output classes
    std::string normalization = "batch";  // batch | instance | group | none
    double dropout = 0.0;                 // Dropout2d probability at the bottleneck

    // Throws InputError naming the first bad field.
    void validate() const;
    // Tiles must be a multiple of this (one per pooling).
    int sizeDivisor() const { return 1 << (depth - 1); }
    std::string describe() const;
};

struct ModelMetadata {
    UNetArchitecture architecture;
    std::vector<std::string> classNames{"background", "protein", "membrane"};
    std::string inputNormalization = "slice-zscore";  // each XY slice to mean 0, sd 1
    double voxelSize = 10.0;                          // Å, the voxel size of the images it was trained on
    std::map<std::string, std::string> notes;         // provenance: trainer, seed, epochs, ...
};

// The general model file of a U-Net (kind "unet"); validates the architecture first.
ml::ModelFileContents toModelFile(const ModelMetadata& metadata, std::vector<NamedArray> arrays);
// The U-Net metadata of a model file; InputError naming `sourceName` for another kind,
// a bad architecture or metadata.
ModelMetadata unetMetadataOf(const ml::ModelFileContents& contents, const std::string& sourceName);

// Encodes / decodes a whole U-Net model file (metadata and arrays).
std::vector<unsigned char> encodeUNetModelFile(const ModelMetadata& metadata, const std::vector<NamedArray>& arrays);
struct UNetModelFileContents {
    int formatVersion = ml::kModelFormatVersion;
    ModelMetadata metadata;
    std::vector<NamedArray> arrays;
};
UNetModelFileContents decodeUNetModelFile(const unsigned char* data, std::size_t size, const std::string& sourceName);

}  // namespace cellforge::unet
