#include "core/ml/ModelFile.h"

#include "core/base/AtomicFile.h"
#include "core/base/Errors.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cellforge::ml {

namespace {

constexpr unsigned char kMagic[8] = {'C', 'F', 'U', 'N', 'E', 'T', '\r', '\n'};

void putU(std::vector<unsigned char>& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<unsigned char>((v >> (8 * i)) & 0xFF));
}

class Reader {
public:
    Reader(const unsigned char* d, std::size_t n, std::string source) : d_(d), n_(n), source_(std::move(source)) {}
    std::uint64_t u(int bytes, const char* what) {
        need(std::size_t(bytes), what);
        std::uint64_t v = 0;
        for (int i = 0; i < bytes; ++i) v |= std::uint64_t(d_[pos_ + i]) << (8 * i);
        pos_ += std::size_t(bytes);
        return v;
    }
    const unsigned char* take(std::size_t bytes, const char* what) {
        need(bytes, what);
        const unsigned char* p = d_ + pos_;
        pos_ += bytes;
        return p;
    }
    std::size_t position() const { return pos_; }

private:
    void need(std::size_t bytes, const char* what) {
        if (bytes > n_ - pos_)
            throw InputError("model file '" + source_ + "' is truncated: " + what + " needs " + std::to_string(bytes) +
                             " bytes at offset " + std::to_string(pos_) + ", the file has " + std::to_string(n_));
    }
    const unsigned char* d_;
    std::size_t n_;
    std::size_t pos_ = 0;
    std::string source_;
};

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

std::string formatDouble(double v) {
    std::ostringstream s;
    s.precision(17);
    s << v;
    return s.str();
}

}  // namespace

std::uint32_t crc32(const unsigned char* data, std::size_t size) {
    static const std::array<std::uint32_t, 256> table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t crc = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

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

std::int64_t NamedArray::elementCount() const {
    std::int64_t n = 1;
    for (std::int64_t d : shape) n *= d;
    return n;
}

bool looksLikeModelFile(const unsigned char* data, std::size_t size) {
    return size >= sizeof(kMagic) && std::memcmp(data, kMagic, sizeof(kMagic)) == 0;
}

std::vector<unsigned char> encodeModelFile(const ModelMetadata& metadata, const std::vector<NamedArray>& arrays) {
    metadata.architecture.validate();
    std::ostringstream text;
    const UNetArchitecture& a = metadata.architecture;
    text << "format=" << kModelFormatName << "\n"
         << "architecture=unet2d\n"
         << "depth=" << a.depth << "\n"
         << "base_channels=" << a.baseChannels << "\n"
         << "context_slices=" << a.contextSlices << "\n"
         << "classes=" << a.classes << "\n"
         << "normalization=" << a.normalization << "\n"
         << "dropout=" << formatDouble(a.dropout) << "\n"
         << "class_names=" << join(metadata.classNames) << "\n"
         << "input_normalization=" << metadata.inputNormalization << "\n"
         << "voxel_size=" << formatDouble(metadata.voxelSize) << "\n";
    for (const auto& [key, value] : metadata.notes) {
        if (key.find_first_of("=\n") != std::string::npos || value.find('\n') != std::string::npos)
            throw InputError("model note '" + key + "' contains '=' or a line break");
        text << "note." << key << "=" << value << "\n";
    }
    const std::string meta = text.str();
    std::vector<unsigned char> out(kMagic, kMagic + sizeof(kMagic));
    putU(out, kModelFormatVersion, 4);
    putU(out, meta.size(), 8);
    out.insert(out.end(), meta.begin(), meta.end());
    putU(out, arrays.size(), 4);
    for (const NamedArray& arr : arrays) {
        putU(out, arr.name.size(), 2);
        out.insert(out.end(), arr.name.begin(), arr.name.end());
        out.push_back(arr.integer ? 1 : 0);
        out.push_back(static_cast<unsigned char>(arr.shape.size()));
        for (std::int64_t d : arr.shape) putU(out, std::uint64_t(d), 8);
        const std::int64_t count = arr.elementCount();
        if (arr.integer) {
            if (std::int64_t(arr.integers.size()) != count)
                throw std::logic_error("NamedArray " + arr.name + ": size mismatch");
            for (std::int64_t v : arr.integers) putU(out, std::uint64_t(v), 8);
        } else {
            if (std::int64_t(arr.values.size()) != count)
                throw std::logic_error("NamedArray " + arr.name + ": size mismatch");
            for (float v : arr.values) {
                std::uint32_t bits;
                std::memcpy(&bits, &v, 4);
                putU(out, bits, 4);
            }
        }
    }
    putU(out, crc32(out.data(), out.size()), 4);
    return out;
}

ModelFileContents decodeModelFile(const unsigned char* data, std::size_t size, const std::string& source) {
    const std::string where = "model file '" + source + "'";
    if (!looksLikeModelFile(data, size))
        throw InputError(where + " is not a CellForge U-Net model: it does not start with the 'CFUNET' signature" +
                         (size == 0 ? " (the file is empty)" : ""));
    if (size < sizeof(kMagic) + 4 + 8 + 4 + 4)
        throw InputError(where + " is truncated: " + std::to_string(size) + " bytes");
    ModelFileContents contents;
    Reader r(data, size - 4, source);
    r.take(sizeof(kMagic), "signature");
    contents.formatVersion = int(r.u(4, "format version"));
    if (contents.formatVersion < 1 || contents.formatVersion > kModelFormatVersion)
        throw InputError(where + " has format version " + std::to_string(contents.formatVersion) +
                         "; this program reads version 1 to " + std::to_string(kModelFormatVersion));
    // The checksum first: a corrupt file gets the clearest message we can give.
    std::uint32_t stored = 0;
    for (int i = 0; i < 4; ++i) stored |= std::uint32_t(data[size - 4 + std::size_t(i)]) << (8 * i);
    if (crc32(data, size - 4) != stored)
        throw InputError(where + " is corrupt: its CRC-32 checksum does not match its contents (damaged or truncated)");
    const std::uint64_t metaLength = r.u(8, "metadata length");
    if (metaLength > size) throw InputError(where + " is corrupt: metadata length " + std::to_string(metaLength));
    const unsigned char* metaBytes = r.take(std::size_t(metaLength), "metadata");
    const std::string meta(reinterpret_cast<const char*>(metaBytes), std::size_t(metaLength));
    std::map<std::string, std::string> kv;
    for (const std::string& line : split(meta, '\n')) {
        if (line.empty()) continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos) throw InputError(where + ": metadata line '" + line + "' has no '='");
        kv[line.substr(0, eq)] = line.substr(eq + 1);
    }
    auto require = [&](const std::string& key) -> const std::string& {
        auto it = kv.find(key);
        if (it == kv.end()) throw InputError(where + ": metadata has no '" + key + "'");
        return it->second;
    };
    auto toInt = [&](const std::string& key) {
        const std::string& v = require(key);
        try {
            std::size_t used = 0;
            const int x = std::stoi(v, &used);
            if (used != v.size()) throw std::invalid_argument(v);
            return x;
        } catch (const std::exception&) {
            throw InputError(where + ": metadata '" + key + "' is '" + v + "'; expected an integer");
        }
    };
    auto toDouble = [&](const std::string& key) {
        const std::string& v = require(key);
        try {
            return std::stod(v);
        } catch (const std::exception&) {
            throw InputError(where + ": metadata '" + key + "' is '" + v + "'; expected a number");
        }
    };
    if (require("format") != kModelFormatName)
        throw InputError(where + ": format is '" + kv["format"] + "'; expected '" + kModelFormatName + "'");
    if (require("architecture") != "unet2d")
        throw InputError(where + ": architecture is '" + kv["architecture"] + "'; expected 'unet2d'");
    ModelMetadata& m = contents.metadata;
    m.architecture.depth = toInt("depth");
    m.architecture.baseChannels = toInt("base_channels");
    m.architecture.contextSlices = toInt("context_slices");
    m.architecture.classes = toInt("classes");
    m.architecture.normalization = require("normalization");
    m.architecture.dropout = toDouble("dropout");
    try {
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
    m.voxelSize = toDouble("voxel_size");
    for (const auto& [key, value] : kv)
        if (key.rfind("note.", 0) == 0) m.notes[key.substr(5)] = value;

    const std::uint64_t count = r.u(4, "array count");
    if (count > 100000) throw InputError(where + " is corrupt: " + std::to_string(count) + " arrays");
    for (std::uint64_t i = 0; i < count; ++i) {
        NamedArray arr;
        const std::size_t nameLength = std::size_t(r.u(2, "array name length"));
        const unsigned char* name = r.take(nameLength, "array name");
        arr.name.assign(reinterpret_cast<const char*>(name), nameLength);
        const unsigned dtype = unsigned(r.u(1, "array type"));
        if (dtype > 1)
            throw InputError(where + ": array '" + arr.name + "' has unknown type code " + std::to_string(dtype));
        arr.integer = dtype == 1;
        const unsigned rank = unsigned(r.u(1, "array rank"));
        std::int64_t elements = 1;
        for (unsigned d = 0; d < rank; ++d) {
            const auto dim = std::int64_t(r.u(8, "array dimension"));
            if (dim < 0 || dim > (std::int64_t(1) << 31))
                throw InputError(where + ": array '" + arr.name + "' has dimension " + std::to_string(dim));
            arr.shape.push_back(dim);
            elements *= dim;
            if (elements > (std::int64_t(1) << 31)) throw InputError(where + ": array '" + arr.name + "' is too large");
        }
        const unsigned char* p = r.take(std::size_t(elements) * (arr.integer ? 8 : 4), "array values");
        if (arr.integer) {
            arr.integers.resize(std::size_t(elements));
            for (std::int64_t k = 0; k < elements; ++k) {
                std::uint64_t v = 0;
                for (int b = 0; b < 8; ++b) v |= std::uint64_t(p[8 * k + b]) << (8 * b);
                arr.integers[std::size_t(k)] = std::int64_t(v);
            }
        } else {
            arr.values.resize(std::size_t(elements));
            for (std::int64_t k = 0; k < elements; ++k) {
                std::uint32_t bits = 0;
                for (int b = 0; b < 4; ++b) bits |= std::uint32_t(p[4 * k + b]) << (8 * b);
                std::memcpy(&arr.values[std::size_t(k)], &bits, 4);
                if (!std::isfinite(arr.values[std::size_t(k)]))
                    throw InputError(where + ": array '" + arr.name + "' holds a non-finite value");
            }
        }
        contents.arrays.push_back(std::move(arr));
    }
    if (r.position() != size - 4)
        throw InputError(where + " is corrupt: " + std::to_string(size - 4 - r.position()) +
                         " unexpected bytes after the arrays");
    return contents;
}

std::vector<unsigned char> readFileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError("cannot open model file '" + path + "'");
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw InputError("cannot read model file '" + path + "'");
    return bytes;
}

void writeFileAtomically(const std::string& path, const std::vector<unsigned char>& bytes) {
    writeAtomically(path, [&](std::ofstream& out) {
        out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    });
}

}  // namespace cellforge::ml
