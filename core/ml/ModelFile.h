// The CellForge model file: a trained network of any kind ("unet", "beta-vae", "gan",
// ...) as its kind, its architecture as key/values (number, text or list of numbers),
// metadata (class names, voxel size, the training record, ...) and named tensors, in one
// file with a checksum. Plain C++ (no LibTorch), so the container can be read and
// checked anywhere; each model's code converts its own architecture to and from the
// key/values. The layout is documented in resources/models/README.md and read by the
// Python peer (tests/bench/unet/unet_peer.py).
//
//   "CFUNET\r\n" (8 bytes) | u32 format version | u64 metadata length | metadata text
//   (key=value lines, UTF-8) | u32 array count | arrays | u32 CRC-32 of all before it
//   array: u16 name length | name | u8 dtype (0 float32, 1 int64) | u8 rank |
//          i64 dims[rank] | values (little-endian)
//
// Version 2 metadata text: "format=cellforge-model", "kind=<kind>", then one line per
// architecture entry "architecture.<key>=<type>:<value>" (type number, text or list;
// a list is comma-separated numbers) and per metadata entry "metadata.<key>=<value>".
// Version 1 files (format=cellforge-unet, written before models had a kind) hold a
// U-Net: they are read as kind "unet" with the same architecture keys and metadata.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace cellforge::ml {

inline constexpr int kModelFormatVersion = 2;
inline constexpr const char* kModelFormatName = "cellforge-model";
inline constexpr const char* kUNetFormatNameV1 = "cellforge-unet";

// One architecture value: a number, a text or a list of numbers.
using ArchitectureValue = std::variant<double, std::string, std::vector<double>>;

// A model's architecture as key/values, with typed access that names the key on error.
class Architecture {
public:
    void set(const std::string& key, ArchitectureValue value);
    bool has(const std::string& key) const { return values_.count(key) > 0; }
    // InputError naming the key when it is absent or of another type.
    double number(const std::string& key) const;
    int integer(const std::string& key) const;  // a number that is a whole int
    const std::string& text(const std::string& key) const;
    const std::vector<double>& list(const std::string& key) const;
    const std::map<std::string, ArchitectureValue>& values() const { return values_; }
    bool operator==(const Architecture& other) const { return values_ == other.values_; }

private:
    std::map<std::string, ArchitectureValue> values_;
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
    int formatVersion = kModelFormatVersion;  // as read (1 or 2); files are written as version 2
    std::string kind;                         // "unet", "beta-vae", "gan", ...
    Architecture architecture;
    // Everything else: class names, input normalisation, voxel size, the training record
    // (keys "note.<name>" hold provenance: trainer, seed, epochs, ...). No '=' in keys,
    // no line breaks anywhere.
    std::map<std::string, std::string> metadata;
    std::vector<NamedArray> arrays;  // named tensors
};

// True when the bytes start with the model file's magic.
bool looksLikeModelFile(const unsigned char* data, std::size_t size);
// Writes format version 2. InputError for a kind, key or value the text cannot hold.
std::vector<unsigned char> encodeModelFile(const ModelFileContents& contents);
// Throws InputError naming `sourceName` and what is wrong: not a model file, a newer
// format version, truncated, checksum mismatch, bad metadata.
ModelFileContents decodeModelFile(const unsigned char* data, std::size_t size, const std::string& sourceName);

// Whole-file helpers (InputError naming the path on failure). The write is atomic
// (core/base/AtomicFile.h): a temporary file beside the target, then a rename.
std::vector<unsigned char> readFileBytes(const std::string& path);
void writeFileAtomically(const std::string& path, const std::vector<unsigned char>& bytes);

std::uint32_t crc32(const unsigned char* data, std::size_t size);

}  // namespace cellforge::ml
