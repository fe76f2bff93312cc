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

bool safeText(const std::string& s) { return s.find('\n') == std::string::npos; }
bool safeKey(const std::string& s) { return !s.empty() && s.find_first_of("=\n") == std::string::npos; }

// The architecture keys of a version 1 (U-Net) file, with their types.
const std::vector<std::pair<std::string, bool>>& unetV1Keys() {  // (key, is text)
    static const std::vector<std::pair<std::string, bool>> keys{{"depth", false},          {"base_channels", false},
                                                                {"context_slices", false}, {"classes", false},
                                                                {"normalization", true},   {"dropout", false}};
    return keys;
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

void Architecture::set(const std::string& key, ArchitectureValue value) { values_[key] = std::move(value); }

namespace {
const ArchitectureValue& lookUp(const std::map<std::string, ArchitectureValue>& values, const std::string& key) {
    auto it = values.find(key);
    if (it == values.end()) throw InputError("model architecture has no '" + key + "'");
    return it->second;
}
}  // namespace

double Architecture::number(const std::string& key) const {
    const auto* v = std::get_if<double>(&lookUp(values_, key));
    if (!v) throw InputError("model architecture '" + key + "' is not a number");
    return *v;
}

int Architecture::integer(const std::string& key) const {
    const double v = number(key);
    if (v != std::floor(v) || std::fabs(v) > 2147483647.0)
        throw InputError("model architecture '" + key + "' is " + formatDouble(v) + "; expected an integer");
    return int(v);
}

const std::string& Architecture::text(const std::string& key) const {
    const auto* v = std::get_if<std::string>(&lookUp(values_, key));
    if (!v) throw InputError("model architecture '" + key + "' is not a text");
    return *v;
}

const std::vector<double>& Architecture::list(const std::string& key) const {
    const auto* v = std::get_if<std::vector<double>>(&lookUp(values_, key));
    if (!v) throw InputError("model architecture '" + key + "' is not a list");
    return *v;
}

std::int64_t NamedArray::elementCount() const {
    std::int64_t n = 1;
    for (std::int64_t d : shape) n *= d;
    return n;
}

bool looksLikeModelFile(const unsigned char* data, std::size_t size) {
    return size >= sizeof(kMagic) && std::memcmp(data, kMagic, sizeof(kMagic)) == 0;
}

std::vector<unsigned char> encodeModelFile(const ModelFileContents& contents) {
    if (!safeKey(contents.kind))
        throw InputError("model kind '" + contents.kind + "' is empty or holds '=' or a line break");
    std::ostringstream text;
    text << "format=" << kModelFormatName << "\n"
         << "kind=" << contents.kind << "\n";
    for (const auto& [key, value] : contents.architecture.values()) {
        if (!safeKey(key)) throw InputError("model architecture key '" + key + "' holds '=' or a line break");
        text << "architecture." << key << "=";
        if (const auto* n = std::get_if<double>(&value)) {
            text << "number:" << formatDouble(*n);
        } else if (const auto* s = std::get_if<std::string>(&value)) {
            if (!safeText(*s)) throw InputError("model architecture '" + key + "' holds a line break");
            text << "text:" << *s;
        } else {
            text << "list:";
            const auto& l = std::get<std::vector<double>>(value);
            for (std::size_t i = 0; i < l.size(); ++i) text << (i ? "," : "") << formatDouble(l[i]);
        }
        text << "\n";
    }
    for (const auto& [key, value] : contents.metadata) {
        if (!safeKey(key) || !safeText(value))
            throw InputError("model metadata '" + key + "' contains '=' in its key or a line break");
        text << "metadata." << key << "=" << value << "\n";
    }
    const std::string meta = text.str();
    const auto& arrays = contents.arrays;
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
        throw InputError(where + " is not a CellForge model: it does not start with the 'CFUNET' signature" +
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
    auto toNumber = [&](const std::string& key, const std::string& v) {
        try {
            std::size_t used = 0;
            const double x = std::stod(v, &used);
            if (used != v.size()) throw std::invalid_argument(v);
            return x;
        } catch (const std::exception&) {
            throw InputError(where + ": '" + key + "' is '" + v + "'; expected a number");
        }
    };
    if (contents.formatVersion == 1) {
        // A U-Net written before models had a kind: the same keys, untyped.
        if (require("format") != kUNetFormatNameV1)
            throw InputError(where + ": format is '" + kv["format"] + "'; expected '" + kUNetFormatNameV1 + "'");
        if (require("architecture") != "unet2d")
            throw InputError(where + ": architecture is '" + kv["architecture"] + "'; expected 'unet2d'");
        contents.kind = "unet";
        for (const auto& [key, isText] : unetV1Keys()) {
            const std::string& v = require(key);
            contents.architecture.set(key, isText ? ArchitectureValue(v) : ArchitectureValue(toNumber(key, v)));
        }
        for (const auto& [key, value] : kv)
            if (key == "class_names" || key == "input_normalization" || key == "voxel_size" ||
                key.rfind("note.", 0) == 0)
                contents.metadata[key] = value;
    } else {
        if (require("format") != kModelFormatName)
            throw InputError(where + ": format is '" + kv["format"] + "'; expected '" + kModelFormatName + "'");
        contents.kind = require("kind");
        for (const auto& [key, value] : kv) {
            if (key.rfind("architecture.", 0) == 0) {
                const std::string name = key.substr(13);
                const auto colon = value.find(':');
                const std::string type = value.substr(0, colon),
                                  body = colon == std::string::npos ? "" : value.substr(colon + 1);
                if (type == "number") {
                    contents.architecture.set(name, toNumber(key, body));
                } else if (type == "text") {
                    contents.architecture.set(name, body);
                } else if (type == "list") {
                    std::vector<double> list;
                    if (!body.empty())
                        for (const std::string& item : split(body, ',')) list.push_back(toNumber(key, item));
                    contents.architecture.set(name, std::move(list));
                } else {
                    throw InputError(where + ": '" + key + "' has type '" + type + "'; expected number, text or list");
                }
            } else if (key.rfind("metadata.", 0) == 0) {
                contents.metadata[key.substr(9)] = value;
            }
        }
    }

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
