// The CellForge U-Net model file: weights plus metadata (architecture, classes, input
// normalisation, voxel size trained at, format version) in one file, with a checksum.
// Plain C++ (no LibTorch), so the container can be read and checked anywhere; the
// layout is documented in resources/models/README.md and read by the Python peer.
//
//   "CFUNET\r\n" (8 bytes) | u32 format version | u64 metadata length | metadata text
//   (key=value lines, UTF-8) | u32 array count | arrays | u32 CRC-32 of all before it
//   array: u16 name length | name | u8 dtype (0 float32, 1 int64) | u8 rank |
//          i64 dims[rank] | values (little-endian)
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cellforge::ml {

inline constexpr int kModelFormatVersion = 1;
inline constexpr const char* kModelFormatName = "cellforge-unet";

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

struct NamedArray {
    std::string name;
    std::vector<std::int64_t> shape;
    bool integer = false;                // int64 (e.g. batch-norm counters) or float32
    std::vector<float> values;           // float32 arrays
    std::vector<std::int64_t> integers;  // int64 arrays
    std::int64_t elementCount() const;
};

struct ModelFileContents {
    int formatVersion = kModelFormatVersion;
    ModelMetadata metadata;
    std::vector<NamedArray> arrays;
};

// True when the bytes start with the model file's magic.
bool looksLikeModelFile(const unsigned char* data, std::size_t size);
std::vector<unsigned char> encodeModelFile(const ModelMetadata& metadata, const std::vector<NamedArray>& arrays);
// Throws InputError naming `sourceName` and what is wrong: not a model file, a newer
// format version, truncated, checksum mismatch, bad metadata or architecture.
ModelFileContents decodeModelFile(const unsigned char* data, std::size_t size, const std::string& sourceName);

// Whole-file helpers (InputError naming the path on failure). The write is atomic:
// a temporary file beside the target, then a rename.
std::vector<unsigned char> readFileBytes(const std::string& path);
void writeFileAtomically(const std::string& path, const std::vector<unsigned char>& bytes);

std::uint32_t crc32(const unsigned char* data, std::size_t size);

}  // namespace cellforge::ml
