#include "core/io/MrcFormat.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/base/Errors.h"
#include "core/base/AtomicFile.h"
#include "core/base/LargeBuffer.h"

namespace cellforge::io {

namespace {

constexpr std::size_t kReadChunk = std::size_t(64) << 20;   // one pread
constexpr std::size_t kDecodeChunk = std::size_t(8) << 20;  // bytes of file data decoded at a time
constexpr std::uint64_t kMaxBytes = std::uint64_t(1) << 62;
// Deflate cannot expand more than about 1032:1; a header asking for more data than
// that from a .gz file is refused before anything is allocated.
constexpr std::uint64_t kMaxDeflateRatio = 1032;

bool hostBigEndian() {
    const std::uint16_t probe = 1;
    std::uint8_t first;
    std::memcpy(&first, &probe, 1);
    return first == 0;
}

std::string fmt(double v) {
    std::ostringstream s;
    s.precision(7);
    s << v;
    return s.str();
}

std::string hex2(std::uint8_t b) {
    static const char* digits = "0123456789abcdef";
    return std::string{digits[b >> 4], digits[b & 15]};
}

[[noreturn]] void fail(const std::string& path, const std::string& message) {
    throw InputError("MRC file '" + path + "': " + message);
}

void swap16(void* data, std::size_t count) {
    auto* p = static_cast<std::uint16_t*>(data);
    for (std::size_t i = 0; i < count; ++i) p[i] = std::uint16_t((p[i] << 8) | (p[i] >> 8));
}

void swap32(void* data, std::size_t count) {
    auto* p = static_cast<std::uint32_t*>(data);
    for (std::size_t i = 0; i < count; ++i) p[i] = __builtin_bswap32(p[i]);
}

template <typename T>
T load(const std::uint8_t* raw, int offset) {
    T v;
    std::memcpy(&v, raw + offset, sizeof v);
    return v;
}
template <typename T>
void store(std::uint8_t* raw, int offset, T v) {
    std::memcpy(raw + offset, &v, sizeof v);
}

std::int32_t loadInt(const std::uint8_t* raw, int offset, bool swap) {
    std::uint32_t v = load<std::uint32_t>(raw, offset);
    if (swap) v = __builtin_bswap32(v);
    return std::int32_t(v);
}

// Converts a header between byte orders, field by field: 4-byte words everywhere except
// the character fields (EXTTYP, MAP, the machine stamp, labels) and IMOD's short
// fields in EXTRA (nint/nreal at 128, idtype..vd2 at 160).
void swapHeader(std::uint8_t* raw) {
    auto words = [&](int from, int to) { swap32(raw + from, std::size_t(to - from) / 4); };
    auto shorts = [&](int from, int to) { swap16(raw + from, std::size_t(to - from) / 2); };
    words(0, 104);
    words(108, 128);
    shorts(128, 132);
    words(132, 160);
    shorts(160, 172);
    words(172, 208);
    words(216, 224);
}

bool knownMode(std::int32_t mode) {
    switch (mode) {
        case 0:
        case 1:
        case 2:
        case 3:
        case 4:
        case 6:
        case 12:
        case 16:
        case 101:
            return true;
        default:
            return false;
    }
}

bool plausibleHeader(const std::uint8_t* raw, bool swap) {
    for (int offset : {0, 4, 8}) {
        const std::int32_t n = loadInt(raw, offset, swap);
        if (n < 1 || n > (1 << 24)) return false;
    }
    return knownMode(loadInt(raw, 12, swap));
}

std::string trimField(const char* text, std::size_t n) {
    std::string s(text, n);
    const auto end = s.find_last_not_of(std::string(" \0", 2));
    return end == std::string::npos ? std::string() : s.substr(0, end + 1);
}

std::string modeName(int mode) {
    switch (mode) {
        case 0:
            return "8-bit integer";
        case 1:
            return "int16";
        case 2:
            return "float32";
        case 3:
            return "complex int16";
        case 4:
            return "complex float32";
        case 6:
            return "uint16";
        case 12:
            return "float16";
        case 16:
            return "RGB";
        case 101:
            return "4-bit";
        default:
            return "unknown";
    }
}

// Bytes of one row of `nx` voxels on disk.
std::uint64_t rowBytesFor(std::int64_t nx, int storageMode) {
    switch (storageMode) {
        case 0:
            return std::uint64_t(nx);
        case 1:
        case 6:
        case 12:
            return std::uint64_t(nx) * 2;
        case 2:
            return std::uint64_t(nx) * 4;
        case 101:
            return std::uint64_t(nx + 1) / 2;
        default:
            return 0;
    }
}

// Decodes `rows` rows of `nx` voxels from file bytes (`src`) into memory values (`dst`,
// of the reader's scalar type). src and dst may be the same buffer for same-size modes.
void decodeRows(const std::byte* src, std::byte* dst, std::uint64_t rows, std::int64_t nx, int storageMode, bool swap) {
    const std::uint64_t n = rows * std::uint64_t(nx);
    switch (storageMode) {
        case 0:
            if (src != dst) std::memcpy(dst, src, n);
            break;
        case 1:
        case 6:
            if (src != dst) std::memcpy(dst, src, n * 2);
            if (swap) swap16(dst, n);
            break;
        case 2:
            if (src != dst) std::memcpy(dst, src, n * 4);
            if (swap) swap32(dst, n);
            break;
        case 12: {
            const auto* h = reinterpret_cast<const std::uint16_t*>(src);
            auto* f = reinterpret_cast<float*>(dst);
            for (std::uint64_t i = 0; i < n; ++i) {
                std::uint16_t bits = h[i];
                if (swap) bits = std::uint16_t((bits << 8) | (bits >> 8));
                f[i] = halfToFloat(bits);
            }
            break;
        }
        case 101: {
            const std::uint64_t rowBytes = std::uint64_t(nx + 1) / 2;
            const auto* in = reinterpret_cast<const std::uint8_t*>(src);
            auto* out = reinterpret_cast<std::uint8_t*>(dst);
            for (std::uint64_t r = 0; r < rows; ++r) {
                const std::uint8_t* row = in + r * rowBytes;
                std::uint8_t* o = out + r * std::uint64_t(nx);
                for (std::int64_t x = 0; x < nx; ++x)
                    o[x] = (x & 1) ? std::uint8_t(row[x >> 1] >> 4) : std::uint8_t(row[x >> 1] & 15);
            }
            break;
        }
        default:
            break;
    }
}

}  // namespace

// ---------------------------------------------------------------------------------
// Half floats

float halfToFloat(std::uint16_t h) {
    // Scale the exponent by 2^112 in float arithmetic: this handles subnormals too.
    std::uint32_t bits = std::uint32_t(h & 0x7fffu) << 13;
    float f;
    std::memcpy(&f, &bits, 4);
    f *= 0x1p112f;
    std::memcpy(&bits, &f, 4);
    if ((h & 0x7c00u) == 0x7c00u) bits |= 0x7f800000u;  // infinity or NaN
    bits |= std::uint32_t(h & 0x8000u) << 16;
    std::memcpy(&f, &bits, 4);
    return f;
}

std::uint16_t floatToHalf(float value) {
    std::uint32_t f;
    std::memcpy(&f, &value, 4);
    const std::uint32_t sign = (f >> 16) & 0x8000u;
    f &= 0x7fffffffu;
    std::uint16_t o;
    if (f >= 0x47800000u) {  // >= 65536 (after rounding beyond half range), inf or NaN
        o = (f > 0x7f800000u) ? std::uint16_t(0x7e00u) : std::uint16_t(0x7c00u);
    } else if (f < 0x38800000u) {  // below the smallest normal half: subnormal or zero
        float magic, v;
        const std::uint32_t magicBits = std::uint32_t((127 - 15) + (23 - 10) + 1) << 23;
        std::memcpy(&magic, &magicBits, 4);
        std::memcpy(&v, &f, 4);
        v += magic;
        std::uint32_t vb;
        std::memcpy(&vb, &v, 4);
        o = std::uint16_t(vb - magicBits);
    } else {
        const std::uint32_t mantissaOdd = (f >> 13) & 1u;
        f += (std::uint32_t(15 - 127) << 23) + 0xfffu;
        f += mantissaOdd;
        o = std::uint16_t(f >> 13);
    }
    return std::uint16_t(o | sign);
}

// ---------------------------------------------------------------------------------
// Storage

// ---------------------------------------------------------------------------------
// Header

MrcHeader parseMrcHeader(const std::uint8_t* bytes, const std::string& path) {
    MrcHeader h;
    h.raw.assign(bytes, bytes + kMrcHeaderSize);
    std::memcpy(h.machineStamp.data(), bytes + 212, 4);

    // Byte order: the stamp when it is known and agrees with the header, else whichever
    // order makes NX/NY/NZ/MODE plausible (IMOD and old CCP4 files have stamp 0).
    const bool host = hostBigEndian();
    const std::uint8_t stamp = h.machineStamp[0];
    bool fileBig = host;
    bool stampKnown = false;
    if (stamp == 0x44 || stamp == 0x41) {
        fileBig = false;
        stampKnown = true;
    } else if (stamp == 0x11 || stamp == 0x17) {
        fileBig = true;
        stampKnown = true;
    }
    const bool plausibleAsIs = plausibleHeader(bytes, fileBig != host);
    const bool plausibleSwapped = plausibleHeader(bytes, fileBig == host);
    if (!plausibleAsIs && plausibleSwapped)
        fileBig = !fileBig;
    else if (!stampKnown && !plausibleAsIs)
        fileBig = host;  // nothing fits: report in host order
    h.fileBigEndian = fileBig;
    if (fileBig != host) swapHeader(h.raw.data());

    const std::uint8_t* raw = h.raw.data();
    h.nx = load<std::int32_t>(raw, 0);
    h.ny = load<std::int32_t>(raw, 4);
    h.nz = load<std::int32_t>(raw, 8);
    h.mode = load<std::int32_t>(raw, 12);
    h.nxstart = load<std::int32_t>(raw, 16);
    h.nystart = load<std::int32_t>(raw, 20);
    h.nzstart = load<std::int32_t>(raw, 24);
    h.mx = load<std::int32_t>(raw, 28);
    h.my = load<std::int32_t>(raw, 32);
    h.mz = load<std::int32_t>(raw, 36);
    for (int i = 0; i < 3; ++i) {
        h.cella[i] = load<float>(raw, 40 + 4 * i);
        h.cellb[i] = load<float>(raw, 52 + 4 * i);
        h.origin[i] = load<float>(raw, 196 + 4 * i);
    }
    h.mapc = load<std::int32_t>(raw, 64);
    h.mapr = load<std::int32_t>(raw, 68);
    h.maps = load<std::int32_t>(raw, 72);
    h.dmin = load<float>(raw, 76);
    h.dmax = load<float>(raw, 80);
    h.dmean = load<float>(raw, 84);
    h.ispg = load<std::int32_t>(raw, 88);
    h.nsymbt = load<std::int32_t>(raw, 92);
    h.exttyp = trimField(reinterpret_cast<const char*>(raw + 104), 4);
    h.nversion = load<std::int32_t>(raw, 108);
    h.imodStamp = load<std::int32_t>(raw, 152);
    h.imodFlags = load<std::int32_t>(raw, 156);
    h.hasMapString = std::memcmp(raw + 208, "MAP", 3) == 0;
    h.rms = load<float>(raw, 216);
    h.nlabl = load<std::int32_t>(raw, 220);
    const int labelCount = std::clamp(h.nlabl, 0, 10);
    for (int i = 0; i < labelCount; ++i)
        h.labels.push_back(trimField(reinterpret_cast<const char*>(raw + 224 + 80 * i), 80));

    const std::string order = std::string(fileBig ? "big" : "little") + "-endian";
    const std::string stampText = hex2(h.machineStamp[0]) + " " + hex2(h.machineStamp[1]);
    auto checkDim = [&](const char* name, std::int32_t v, const char* meaning) {
        if (v <= 0)
            fail(path, std::string("header field ") + name + " is " + std::to_string(v) + ", expected a positive " +
                           meaning + " (read as " + order + ", machine stamp " + stampText + ")");
    };
    checkDim("NX", h.nx, "number of columns");
    checkDim("NY", h.ny, "number of rows");
    checkDim("NZ", h.nz, "number of sections");
    if (h.mode == 3 || h.mode == 4 || h.mode == 16)
        fail(path, "header field MODE is " + std::to_string(h.mode) + " (" + modeName(h.mode) +
                       "), which CellForge cannot read; expected 0, 1, 2, 6, 12 or 101");
    if (!knownMode(h.mode))
        fail(path, "header field MODE is " + std::to_string(h.mode) +
                       ", expected one of 0, 1, 2, 6, 12 or 101 (read as " + order + ", machine stamp " + stampText +
                       ")");
    if (h.mapc == 0 && h.mapr == 0 && h.maps == 0) {
        // Some old writers leave the axis fields blank: the standard order.
        h.mapc = 1;
        h.mapr = 2;
        h.maps = 3;
    }
    const int axes[3] = {h.mapc, h.mapr, h.maps};
    bool seen[4] = {false, false, false};
    for (int a : axes) {
        if (a < 1 || a > 3 || seen[a])
            fail(path, "header fields MAPC/MAPR/MAPS are " + std::to_string(h.mapc) + "/" + std::to_string(h.mapr) +
                           "/" + std::to_string(h.maps) + ", expected a permutation of 1, 2, 3");
        seen[a] = true;
    }
    if (h.nsymbt < 0)
        fail(path, "header field NSYMBT is " + std::to_string(h.nsymbt) +
                       ", expected a non-negative extended header length in bytes");
    return h;
}

// ---------------------------------------------------------------------------------
// Byte sources: a plain file read with pread, or a gzip stream.

class MrcReader::Source {
public:
    virtual ~Source() = default;
    // Reads exactly `n` bytes at `offset`; throws InputError if the data end first.
    virtual void readAt(std::uint64_t offset, void* dst, std::size_t n) = 0;
    // The size of the file on disk (compressed size for gzip).
    virtual std::uint64_t fileSize() const = 0;
    virtual bool compressed() const = 0;
    // Set once the header is known, for messages about truncated data.
    std::string expectation;
};

namespace {

class PreadSource : public MrcReader::Source {
public:
    PreadSource(int fd, std::string path, std::uint64_t size) : fd_(fd), path_(std::move(path)), size_(size) {}
    ~PreadSource() override { ::close(fd_); }

    void readAt(std::uint64_t offset, void* dst, std::size_t n) override {
        auto* out = static_cast<char*>(dst);
        std::size_t done = 0;
        while (done < n) {
            const std::size_t want = std::min(kReadChunk, n - done);
            const ssize_t got = ::pread(fd_, out + done, want, off_t(offset + done));
            if (got < 0) {
                if (errno == EINTR) continue;
                fail(path_,
                     std::string("read failed at byte ") + std::to_string(offset + done) + ": " + std::strerror(errno));
            }
            if (got == 0)
                fail(path_, "file is truncated: data end at byte " + std::to_string(offset + done) + ", expected " +
                                std::to_string(offset + n) + " bytes" + expectation);
            done += std::size_t(got);
        }
    }
    std::uint64_t fileSize() const override { return size_; }
    bool compressed() const override { return false; }

private:
    int fd_;
    std::string path_;
    std::uint64_t size_;
};

class GzipSource : public MrcReader::Source {
public:
    GzipSource(int fd, std::string path, std::uint64_t size) : path_(std::move(path)), size_(size) {
        file_ = ::gzdopen(fd, "rb");
        if (!file_) {
            ::close(fd);
            fail(path_, "cannot open the gzip stream");
        }
        ::gzbuffer(file_, 1 << 20);
    }
    ~GzipSource() override { ::gzclose(file_); }

    void readAt(std::uint64_t offset, void* dst, std::size_t n) override {
        if (offset < position_) {
            if (::gzrewind(file_) != 0) fail(path_, "cannot rewind the gzip stream");
            position_ = 0;
        }
        std::vector<char> scratch;
        while (position_ < offset) {
            if (scratch.empty()) scratch.resize(std::size_t(1) << 20);
            const std::size_t want = std::size_t(std::min<std::uint64_t>(scratch.size(), offset - position_));
            position_ += read(scratch.data(), want, offset + n);
        }
        auto* out = static_cast<char*>(dst);
        std::size_t done = 0;
        while (done < n) {
            const std::size_t want = std::min(kReadChunk, n - done);
            const std::size_t got = read(out + done, want, offset + n);
            done += got;
            position_ += got;
        }
    }
    std::uint64_t fileSize() const override { return size_; }
    bool compressed() const override { return true; }

private:
    // Reads up to `want` bytes, at least one; throws when the stream ends or is corrupt.
    std::size_t read(char* dst, std::size_t want, std::uint64_t needed) {
        const int got = ::gzread(file_, dst, unsigned(want));
        if (got < 0) {
            int code = 0;
            const char* message = ::gzerror(file_, &code);
            fail(path_, std::string("corrupt gzip data after ") + std::to_string(position_) +
                            " decompressed bytes: " + (message ? message : "unknown zlib error"));
        }
        if (got == 0)
            fail(path_, "file is truncated: the gzip data end after " + std::to_string(position_) +
                            " decompressed bytes, expected " + std::to_string(needed) + expectation);
        return std::size_t(got);
    }

    gzFile file_ = nullptr;
    std::string path_;
    std::uint64_t size_;
    std::uint64_t position_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------
// Reader

MrcReader::~MrcReader() = default;

MrcReader::MrcReader(const std::string& path, const VolumeReadOptions& options) : path_(path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        throw InputError("cannot open MRC file '" + path + "': " + std::strerror(err));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(path, "not a regular file");
    }
    const std::uint64_t fileSize = std::uint64_t(st.st_size);
    std::uint8_t magic[2] = {0, 0};
    const bool hasMagic = ::pread(fd, magic, 2, 0) == 2;
    const bool gzipMagic = hasMagic && magic[0] == 0x1f && magic[1] == 0x8b;
    const std::string extension = fileExtension(path);
    const bool gzName = extension.size() >= 3 && extension.compare(extension.size() - 3, 3, ".gz") == 0;
    if (gzName && !gzipMagic) {
        ::close(fd);
        fail(path, std::string("not a gzip file: it starts with bytes ") +
                       (hasMagic ? hex2(magic[0]) + " " + hex2(magic[1]) : std::string("(none, the file is empty)")) +
                       ", expected 1f 8b for a .gz file");
    }
    if (gzipMagic)
        source_ = std::make_unique<GzipSource>(fd, path, fileSize);
    else
        source_ = std::make_unique<PreadSource>(fd, path, fileSize);

    std::uint8_t rawHeader[kMrcHeaderSize];
    if (!gzipMagic && fileSize < std::uint64_t(kMrcHeaderSize))
        fail(path, "file is " + std::to_string(fileSize) + " bytes, shorter than the 1024-byte MRC header");
    source_->expectation = " (the 1024-byte MRC header)";
    source_->readAt(0, rawHeader, kMrcHeaderSize);
    header_ = parseMrcHeader(rawHeader, path);
    const MrcHeader& h = header_;

    // Storage mode: IMOD marks 4-bit data stored in mode 0 with flag 16.
    int storageMode = h.mode;
    if (h.mode == 0 && h.imodStamp == kImodStamp && (h.imodFlags & 16)) storageMode = 101;

    // Sizes, checked for overflow before anything is multiplied into a size_t.
    using u128 = unsigned __int128;
    const u128 rowBytes = rowBytesFor(h.nx, storageMode);
    const u128 dataBytes = rowBytes * unsigned(h.ny) * unsigned(h.nz);
    const u128 voxels = u128(unsigned(h.nx)) * unsigned(h.ny) * unsigned(h.nz);
    const std::size_t memorySize = (storageMode == 2 || storageMode == 12)  ? 4
                                   : (storageMode == 1 || storageMode == 6) ? 2
                                                                            : 1;
    const std::string dimsText = std::to_string(h.nx) + " x " + std::to_string(h.ny) + " x " + std::to_string(h.nz);
    if (dataBytes > kMaxBytes || voxels * memorySize > kMaxBytes)
        fail(path, "header dimensions NX x NY x NZ = " + dimsText + " overflow: " + modeName(h.mode) +
                       " data of that size do not fit in a 64-bit byte count (expected a product below 2^62 bytes)");
    const std::uint64_t data = std::uint64_t(dataBytes);
    const std::uint64_t ext = std::uint64_t(h.nsymbt);
    dataOffset_ = kMrcHeaderSize + ext;
    const std::string modeText = "mode " + std::to_string(h.mode) + " (" + modeName(h.mode) + ")";

    if (!source_->compressed()) {
        const std::uint64_t afterHeader = fileSize - kMrcHeaderSize;
        if (ext > afterHeader)
            fail(path, "extended header runs past the end of the file: NSYMBT is " + std::to_string(ext) +
                           " bytes, but only " + std::to_string(afterHeader) +
                           " bytes follow the 1024-byte header (expected NSYMBT <= " + std::to_string(afterHeader) +
                           ")");
        if (data > afterHeader - ext)
            fail(path, "file is truncated: the header (NX x NY x NZ = " + dimsText + ", " + modeText + ", NSYMBT " +
                           std::to_string(ext) + ") needs " + std::to_string(data) +
                           " bytes of data, but the file has " + std::to_string(afterHeader - ext) +
                           " (expected a file of " + std::to_string(dataOffset_ + data) + " bytes, found " +
                           std::to_string(fileSize) + ")");
    } else {
        const std::uint64_t bound = fileSize * kMaxDeflateRatio + (std::uint64_t(1) << 20);
        if (dataOffset_ + data > bound)
            fail(path, "the header (NX x NY x NZ = " + dimsText + ", " + modeText + ", NSYMBT " + std::to_string(ext) +
                           ") asks for " + std::to_string(dataOffset_ + data) + " bytes, more than a gzip file of " +
                           std::to_string(fileSize) + " bytes can hold (at most " + std::to_string(bound) +
                           "): the file is truncated or the header is corrupt");
    }
    source_->expectation = " for the header's NX x NY x NZ = " + dimsText + ", " + modeText + ", NSYMBT " +
                           std::to_string(ext) + " (" + std::to_string(dataOffset_ + data) + " bytes in all)";
    // The extended header grows as it is read, so a gzip header that lies about its
    // length costs no more memory than the data actually there.
    for (std::uint64_t done = 0; done < ext;) {
        const std::size_t n = std::size_t(std::min<std::uint64_t>(ext - done, std::uint64_t(1) << 20));
        extendedHeader_.resize(std::size_t(done) + n);
        source_->readAt(kMrcHeaderSize + done, extendedHeader_.data() + done, n);
        done += n;
    }

    // In-memory type. Mode 0 signedness: see the rule in MrcFormat.h.
    switch (storageMode) {
        case 0: {
            bool isSigned;
            if (h.imodStamp == kImodStamp)
                isSigned = (h.imodFlags & 1) != 0;
            else if (h.dmin <= h.dmax && h.dmin < 0)
                isSigned = true;
            else if (h.dmin <= h.dmax && h.dmax > 127)
                isSigned = false;
            else
                isSigned = h.hasMapString && h.nversion >= 20140;
            type_ = isSigned ? ScalarType::Int8 : ScalarType::UInt8;
            break;
        }
        case 1:
            type_ = ScalarType::Int16;
            break;
        case 6:
            type_ = ScalarType::UInt16;
            break;
        case 101:
            type_ = ScalarType::UInt8;
            break;
        default:
            type_ = ScalarType::Float32;
            break;
    }

    // Axes: file axis (columns, rows, sections) -> x/y/z.
    axisOfFileAxis_ = {h.mapc - 1, h.mapr - 1, h.maps - 1};
    const std::int32_t fileDims[3] = {h.nx, h.ny, h.nz};
    for (int fa = 0; fa < 3; ++fa) dims_[std::size_t(axisOfFileAxis_[std::size_t(fa)])] = fileDims[fa];

    // Voxel size along x, y, z (CELLA and MX/MY/MZ are along x, y, z already).
    const std::int32_t sampling[3] = {h.mx, h.my, h.mz};
    bool usable[3];
    double size[3];
    for (int a = 0; a < 3; ++a) {
        const double cell = h.cella[std::size_t(a)];
        usable[a] = sampling[a] > 0 && std::isfinite(cell) && cell > 0;
        size[a] = usable[a] ? cell / sampling[a] : 1.0;
        if (usable[a] && !(std::isfinite(size[a]) && size[a] > 0)) usable[a] = false;
    }
    // An image stack's MZ says nothing about z spacing when it differs from the slice count.
    if (h.ispg == 0 && h.mz != dims_[2]) usable[2] = false;
    for (int a = 0; a < 3; ++a) {
        if (usable[a]) continue;
        size[a] = 1.0;
        for (int b : {0, 1, 2})
            if (b != a && usable[b]) {
                size[a] = size[b];
                break;
            }
    }
    voxelSize_ = {size[0], size[1], size[2]};
    if (options.voxelSizeOverride) {
        for (double v : *options.voxelSizeOverride)
            if (!(v > 0) || !std::isfinite(v))
                throw InputError("voxel size override for '" + path + "' must be positive and finite, got " +
                                 fmt((*options.voxelSizeOverride)[0]) + ", " + fmt((*options.voxelSizeOverride)[1]) +
                                 ", " + fmt((*options.voxelSizeOverride)[2]) + " Å");
        voxelSize_ = *options.voxelSizeOverride;
    }

    // Origin: ORIGIN when set, else the start indices times the voxel size.
    bool originSet = false;
    for (float o : h.origin)
        if (std::isfinite(o) && o != 0) originSet = true;
    if (originSet) {
        for (int a = 0; a < 3; ++a)
            origin_[std::size_t(a)] = std::isfinite(h.origin[std::size_t(a)]) ? h.origin[std::size_t(a)] : 0.0;
    } else {
        const std::int32_t starts[3] = {h.nxstart, h.nystart, h.nzstart};
        for (int fa = 0; fa < 3; ++fa) {
            const auto axis = std::size_t(axisOfFileAxis_[std::size_t(fa)]);
            origin_[axis] = starts[fa] * voxelSize_[axis];
        }
    }
}

std::uint64_t MrcReader::bytesPerSlice() const {
    return std::uint64_t(dims_[0]) * std::uint64_t(dims_[1]) * scalarSize(type_);
}

SourceHeader MrcReader::sourceHeader() const {
    SourceHeader s;
    s.format = "mrc";
    s.mrcHeader = header_.raw;
    s.extendedHeader = extendedHeader_;
    s.mrcMode = header_.mode;
    return s;
}

Volume MrcReader::read() { return readSlab(0, dims_[2]); }

Volume MrcReader::readSlab(std::int64_t z0, std::int64_t count) {
    if (z0 < 0 || count <= 0 || z0 + count > dims_[2])
        throw InputError("MRC file '" + path_ + "': slices " + std::to_string(z0) + ".." +
                         std::to_string(z0 + count - 1) + " requested, expected a range within 0.." +
                         std::to_string(dims_[2] - 1));
    const Index3 slabDims{dims_[0], dims_[1], count};
    const std::size_t bytes = std::size_t(slabDims[0] * slabDims[1] * slabDims[2]) * scalarSize(type_);
    Volume volume(slabDims, type_, allocateLargeBuffer(bytes));
    readFileBox(z0, count, volume.bytes());
    volume.setVoxelSize(voxelSize_);
    volume.setOrigin({origin_[0], origin_[1], origin_[2] + double(z0) * voxelSize_[2]});
    volume.setSourceHeader(sourceHeader());
    return volume;
}

void MrcReader::readSlabInto(std::int64_t z0, Volume& destination) {
    if (destination.empty() || destination.nx() != dims_[0] || destination.ny() != dims_[1] ||
        destination.scalarType() != type_)
        throw InputError("MRC file '" + path_ + "': cannot read into a " + std::to_string(destination.nx()) + " x " +
                         std::to_string(destination.ny()) + " " + scalarTypeName(destination.scalarType()) +
                         " volume, expected " + std::to_string(dims_[0]) + " x " + std::to_string(dims_[1]) + " " +
                         scalarTypeName(type_));
    if (z0 < 0 || z0 + destination.nz() > dims_[2])
        throw InputError("MRC file '" + path_ + "': slices " + std::to_string(z0) + ".." +
                         std::to_string(z0 + destination.nz() - 1) + " requested, expected a range within 0.." +
                         std::to_string(dims_[2] - 1));
    readFileBox(z0, destination.nz(), destination.bytes());
}

void MrcReader::readFileBox(std::int64_t z0, std::int64_t count, std::byte* out) {
    const MrcHeader& h = header_;
    const int storageMode = (h.mode == 0 && h.imodStamp == kImodStamp && (h.imodFlags & 16)) ? 101 : h.mode;
    const bool swap = h.fileBigEndian != hostBigEndian();
    const std::uint64_t rowBytes = rowBytesFor(h.nx, storageMode);
    const std::uint64_t sectionBytes = rowBytes * std::uint64_t(h.ny);
    const std::size_t outSize = scalarSize(type_);
    const bool sameSize = storageMode == 0 || storageMode == 1 || storageMode == 2 || storageMode == 6;

    if (!permuted()) {
        // Sections z0..z0+count are one contiguous range of the file.
        const std::uint64_t begin = dataOffset_ + std::uint64_t(z0) * sectionBytes;
        const std::uint64_t total = std::uint64_t(count) * sectionBytes;
        if (sameSize) {
            // Straight into the volume's buffer, swapped in place chunk by chunk while hot.
            for (std::uint64_t done = 0; done < total; done += kReadChunk) {
                const std::size_t n = std::size_t(std::min<std::uint64_t>(kReadChunk, total - done));
                source_->readAt(begin + done, out + done, n);
                if (swap && storageMode == 2)
                    swap32(out + done, n / 4);
                else if (swap && storageMode != 0)
                    swap16(out + done, n / 2);
            }
            return;
        }
        // Expanding modes (float16, 4-bit): decode whole rows through a small buffer.
        const std::uint64_t rowsPerChunk = std::max<std::uint64_t>(1, kDecodeChunk / rowBytes);
        const std::uint64_t rows = std::uint64_t(count) * std::uint64_t(h.ny);
        std::vector<std::byte> buffer(std::size_t(std::min(rows, rowsPerChunk) * rowBytes));
        for (std::uint64_t r = 0; r < rows; r += rowsPerChunk) {
            const std::uint64_t n = std::min(rowsPerChunk, rows - r);
            source_->readAt(begin + r * rowBytes, buffer.data(), std::size_t(n * rowBytes));
            decodeRows(buffer.data(), out + r * std::uint64_t(h.nx) * outSize, n, h.nx, storageMode, swap);
        }
        return;
    }

    // Permuted axes: read file sections in batches, decode, scatter into (x, y, z) order.
    const std::int64_t fileDims[3] = {h.nx, h.ny, h.nz};
    std::int64_t lo[3] = {0, 0, 0}, hi[3] = {fileDims[0], fileDims[1], fileDims[2]};
    for (int fa = 0; fa < 3; ++fa)
        if (axisOfFileAxis_[std::size_t(fa)] == 2) {
            lo[fa] = z0;
            hi[fa] = z0 + count;
        }
    const std::int64_t outStrideOfAxis[3] = {1, dims_[0], dims_[0] * dims_[1]};
    std::int64_t stride[3];
    for (int fa = 0; fa < 3; ++fa) stride[fa] = outStrideOfAxis[axisOfFileAxis_[std::size_t(fa)]];

    const std::int64_t rowsPerSection = hi[1] - lo[1];
    const std::uint64_t decodedSection = std::uint64_t(rowsPerSection) * std::uint64_t(h.nx) * outSize;
    const std::uint64_t fileSection = std::uint64_t(rowsPerSection) * rowBytes;
    const std::int64_t sectionsPerBatch =
        std::int64_t(std::max<std::uint64_t>(1, (std::uint64_t(16) << 20) / std::max(decodedSection, fileSection)));
    std::vector<std::byte> buffer(std::size_t(std::min<std::int64_t>(sectionsPerBatch, hi[2] - lo[2])) *
                                  std::size_t(std::max(decodedSection, fileSection)));
    std::vector<std::byte> raw(sameSize ? 0 : buffer.size());
    const bool fullRows = rowsPerSection == h.ny;

    for (std::int64_t s0 = lo[2]; s0 < hi[2]; s0 += sectionsPerBatch) {
        const std::int64_t ns = std::min<std::int64_t>(sectionsPerBatch, hi[2] - s0);
        std::byte* fileBytes = sameSize ? buffer.data() : raw.data();
        if (fullRows) {
            source_->readAt(dataOffset_ + std::uint64_t(s0) * sectionBytes, fileBytes,
                            std::size_t(std::uint64_t(ns) * sectionBytes));
        } else {
            for (std::int64_t s = 0; s < ns; ++s)
                source_->readAt(dataOffset_ + std::uint64_t(s0 + s) * sectionBytes + std::uint64_t(lo[1]) * rowBytes,
                                fileBytes + std::uint64_t(s) * fileSection, std::size_t(fileSection));
        }
        decodeRows(fileBytes, buffer.data(), std::uint64_t(ns * rowsPerSection), h.nx, storageMode, swap);
        dispatchScalar(type_, [&](auto tag) {
            using T = decltype(tag);
            const T* src = reinterpret_cast<const T*>(buffer.data());
            T* dst = reinterpret_cast<T*>(out);
            for (std::int64_t s = 0; s < ns; ++s)
                for (std::int64_t r = 0; r < rowsPerSection; ++r) {
                    const T* row = src + (s * rowsPerSection + r) * h.nx;
                    T* base = dst + (s0 + s - lo[2]) * stride[2] + r * stride[1];
                    const std::int64_t sc = stride[0];
                    for (std::int64_t c = lo[0]; c < hi[0]; ++c) base[(c - lo[0]) * sc] = row[c];
                }
        });
    }
}

// ---------------------------------------------------------------------------------
// Writer

namespace {

// How voxel values are stored in the file.
enum class Stored { Int8, UInt8, Int16, UInt16, Float32, Float16 };

struct Plan {
    int mode = 2;
    Stored stored = Stored::Float32;  // UInt8 in mode 0: IMOD's unsigned bytes
};

std::size_t storedSize(Stored s) {
    switch (s) {
        case Stored::Int8:
        case Stored::UInt8:
            return 1;
        case Stored::Int16:
        case Stored::UInt16:
        case Stored::Float16:
            return 2;
        case Stored::Float32:
            return 4;
    }
    return 4;
}

bool storedMatchesMemory(Stored s, ScalarType t) {
    return (s == Stored::Int8 && t == ScalarType::Int8) || (s == Stored::UInt8 && t == ScalarType::UInt8) ||
           (s == Stored::Int16 && t == ScalarType::Int16) || (s == Stored::UInt16 && t == ScalarType::UInt16) ||
           (s == Stored::Float32 && t == ScalarType::Float32);
}

double maxValue(const Volume& v) { return computeStatistics(v).max; }

Plan planFor(const Volume& volume, const VolumeWriteOptions& options, const std::string& path) {
    Plan p;
    const ScalarType t = volume.scalarType();
    if (!options.mrcMode) {
        switch (t) {
            case ScalarType::Int8:
                p = {0, Stored::Int8};
                break;
            case ScalarType::UInt8:
                // Bytes <= 127 mean the same signed or unsigned; above, widen to uint16 so
                // that the file stays valid MRC2014 for readers that follow the standard.
                if (maxValue(volume) <= 127)
                    p = {0, Stored::UInt8};
                else
                    p = {6, Stored::UInt16};
                break;
            case ScalarType::Int16:
                p = {1, Stored::Int16};
                break;
            case ScalarType::UInt16:
                p = {6, Stored::UInt16};
                break;
            case ScalarType::Float32:
                p = {2, Stored::Float32};
                break;
        }
        return p;
    }
    switch (*options.mrcMode) {
        case 0:
            if (t == ScalarType::UInt8) {
                p = {0, Stored::UInt8};  // above 127 only IMOD-style readers see the right values
            } else {
                p = {0, Stored::Int8};
            }
            break;
        case 1:
            p = {1, Stored::Int16};
            break;
        case 2:
            p = {2, Stored::Float32};
            break;
        case 6:
            p = {6, Stored::UInt16};
            break;
        case 12:
            p = {12, Stored::Float16};
            break;
        default:
            throw InputError("cannot write MRC file '" + path + "': mode " + std::to_string(*options.mrcMode) +
                             " is not writable, expected 0, 1, 2, 6 or 12");
    }
    return p;
}

struct Accumulator {
    double min = std::numeric_limits<double>::infinity(), max = -std::numeric_limits<double>::infinity();
    double sum = 0, sumSq = 0;
    std::uint64_t count = 0;
};

// Converts voxels [begin, begin + n) of `volume` into `out` as stored values, checking
// that each fits, and accumulates their statistics (as the file will hold them).
void convertChunk(const Volume& volume, std::int64_t begin, std::int64_t n, Stored stored, std::byte* out,
                  Accumulator& acc, const std::string& path, int mode) {
    dispatchScalar(volume.scalarType(), [&](auto tag) {
        using T = decltype(tag);
        const T* src = volume.data<T>() + begin;
        double lo = 0, hi = 0;
        switch (stored) {
            case Stored::Int8:
                lo = -128, hi = 127;
                break;
            case Stored::UInt8:
                lo = 0, hi = 255;
                break;
            case Stored::Int16:
                lo = -32768, hi = 32767;
                break;
            case Stored::UInt16:
                lo = 0, hi = 65535;
                break;
            case Stored::Float16:
                lo = -65504, hi = 65504;
                break;
            case Stored::Float32:
                lo = -HUGE_VAL, hi = HUGE_VAL;
                break;
        }
        double mn = acc.min, mx = acc.max, sum = 0, sumSq = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            const double v = double(src[i]);
            double stored_v = v;
            if (stored != Stored::Float32 && stored != Stored::Float16) {
                stored_v = std::nearbyint(v);
                if (!(stored_v >= lo && stored_v <= hi))
                    throw InputError("cannot write MRC file '" + path + "' in mode " + std::to_string(mode) +
                                     ": voxel " + std::to_string(begin + i) + " has value " + fmt(v) +
                                     ", expected values in " + fmt(lo) + ".." + fmt(hi));
            }
            switch (stored) {
                case Stored::Int8:
                    reinterpret_cast<std::int8_t*>(out)[i] = std::int8_t(stored_v);
                    break;
                case Stored::UInt8:
                    reinterpret_cast<std::uint8_t*>(out)[i] = std::uint8_t(stored_v);
                    break;
                case Stored::Int16:
                    reinterpret_cast<std::int16_t*>(out)[i] = std::int16_t(stored_v);
                    break;
                case Stored::UInt16:
                    reinterpret_cast<std::uint16_t*>(out)[i] = std::uint16_t(stored_v);
                    break;
                case Stored::Float32:
                    reinterpret_cast<float*>(out)[i] = float(v);
                    break;
                case Stored::Float16: {
                    if (std::isfinite(v) && (v < lo || v > hi))
                        throw InputError("cannot write MRC file '" + path + "' in mode 12 (float16): voxel " +
                                         std::to_string(begin + i) + " has value " + fmt(v) +
                                         ", expected values in -65504..65504");
                    const std::uint16_t h = floatToHalf(float(v));
                    reinterpret_cast<std::uint16_t*>(out)[i] = h;
                    stored_v = halfToFloat(h);
                    break;
                }
            }
            mn = stored_v < mn ? stored_v : mn;
            mx = stored_v > mx ? stored_v : mx;
            sum += stored_v;
            sumSq += stored_v * stored_v;
        }
        acc.min = mn;
        acc.max = mx;
        acc.sum += sum;
        acc.sumSq += sumSq;
        acc.count += std::uint64_t(n);
    });
}

class Sink {
public:
    virtual ~Sink() = default;
    virtual void write(const void* data, std::size_t n) = 0;
};

class StreamSink : public Sink {
public:
    StreamSink(std::ofstream& out, std::string path) : out_(out), path_(std::move(path)) {}
    void write(const void* data, std::size_t n) override {
        out_.write(static_cast<const char*>(data), std::streamsize(n));
        if (!out_) throw InputError("cannot write MRC file '" + path_ + "': write failed (is the disk full?)");
    }

private:
    std::ofstream& out_;
    std::string path_;
};

class GzipSink : public Sink {
public:
    GzipSink(const std::string& tempPath, std::string path) : path_(std::move(path)) {
        file_ = ::gzopen(tempPath.c_str(), "wb6");
        if (!file_) throw InputError("cannot write MRC file '" + path_ + "': cannot open a gzip stream");
        ::gzbuffer(file_, 1 << 20);
    }
    ~GzipSink() override {
        if (file_) ::gzclose(file_);
    }
    void write(const void* data, std::size_t n) override {
        const char* p = static_cast<const char*>(data);
        while (n > 0) {
            const unsigned chunk = unsigned(std::min<std::size_t>(n, std::size_t(1) << 30));
            if (::gzwrite(file_, p, chunk) != int(chunk))
                throw InputError("cannot write MRC file '" + path_ + "': gzip write failed (is the disk full?)");
            p += chunk;
            n -= chunk;
        }
    }
    void close() {
        const int rc = ::gzclose(file_);
        file_ = nullptr;
        if (rc != Z_OK) throw InputError("cannot write MRC file '" + path_ + "': closing the gzip stream failed");
    }

private:
    gzFile file_ = nullptr;
    std::string path_;
};

void putLabel(std::uint8_t* raw, int index, const std::string& text) {
    char field[80];
    std::memset(field, ' ', 80);
    std::memcpy(field, text.data(), std::min<std::size_t>(80, text.size()));
    std::memcpy(raw + 224 + 80 * index, field, 80);
}

bool perSectionExtendedHeader(const std::string& exttyp) {
    return exttyp == "SERI" || exttyp == "AGAR" || exttyp == "FEI1" || exttyp == "FEI2";
}

bool knownExtType(const std::string& exttyp) {
    return exttyp == "CCP4" || exttyp == "MRCO" || exttyp == "SERI" || exttyp == "AGAR" || exttyp == "FEI1" ||
           exttyp == "FEI2" || exttyp == "HDF5";
}

}  // namespace

void writeMrc(const std::string& path, const Volume& volume, const VolumeWriteOptions& options) {
    if (volume.empty()) throw InputError("cannot write MRC file '" + path + "': the volume is empty");
    const Plan plan = planFor(volume, options, path);
    Vec3 voxel = volume.voxelSize();
    if (options.voxelSizeOverride) {
        for (double v : *options.voxelSizeOverride)
            if (!(v > 0) || !std::isfinite(v))
                throw InputError("cannot write MRC file '" + path +
                                 "': voxel size override must be positive and finite, got " +
                                 fmt((*options.voxelSizeOverride)[0]) + ", " + fmt((*options.voxelSizeOverride)[1]) +
                                 ", " + fmt((*options.voxelSizeOverride)[2]) + " Å");
        voxel = *options.voxelSizeOverride;
    }
    const Index3& dims = volume.dims();
    for (std::int64_t d : dims)
        if (d > std::numeric_limits<std::int32_t>::max())
            throw InputError("cannot write MRC file '" + path + "': dimension " + std::to_string(d) +
                             " exceeds the format's limit of 2147483647");
    const std::int64_t n = volume.voxelCount();
    const bool direct = storedMatchesMemory(plan.stored, volume.scalarType());
    const std::size_t storedBytes = storedSize(plan.stored);
    const std::int64_t chunkVoxels = std::int64_t(kDecodeChunk / storedBytes);

    // Pass 1: statistics of the stored values (and range checks for conversions).
    Accumulator acc;
    if (direct) {
        const VolumeStatistics s = computeStatistics(volume);
        acc.min = s.min;
        acc.max = s.max;
        acc.count = std::uint64_t(n);
        acc.sum = s.mean * double(n);
        acc.sumSq = (s.rms * s.rms + s.mean * s.mean) * double(n);
    } else {
        std::vector<std::byte> scratch(std::size_t(std::min(chunkVoxels, n)) * storedBytes);
        for (std::int64_t b = 0; b < n; b += chunkVoxels)
            convertChunk(volume, b, std::min(chunkVoxels, n - b), plan.stored, scratch.data(), acc, path, plan.mode);
    }
    const double mean = acc.sum / double(acc.count);
    const double variance = acc.sumSq / double(acc.count) - mean * mean;

    // The extended header and what the source header contributes.
    const SourceHeader& source = volume.sourceHeader();
    const bool haveSource = source.format == "mrc" && source.mrcHeader.size() == std::size_t(kMrcHeaderSize);
    const std::uint8_t* src = haveSource ? source.mrcHeader.data() : nullptr;
    std::string exttyp;
    std::vector<std::uint8_t> extended;
    if (haveSource && !source.extendedHeader.empty()) {
        exttyp = trimField(reinterpret_cast<const char*>(src + 104), 4);
        const std::int32_t sourceSections = load<std::int32_t>(src, 8);
        if (!(perSectionExtendedHeader(exttyp) && sourceSections != dims[2])) extended = source.extendedHeader;
        if (!knownExtType(exttyp)) {
            const std::int32_t ispg = load<std::int32_t>(src, 88);
            const bool serialEM = load<std::int16_t>(src, 128) != 0 || load<std::int16_t>(src, 130) != 0;
            exttyp = (ispg >= 1 && ispg <= 230) ? "CCP4" : serialEM ? "SERI" : "MRCO";
        }
    }

    std::vector<std::uint8_t> header(kMrcHeaderSize, 0);
    std::uint8_t* raw = header.data();
    if (haveSource) std::memcpy(raw + 96, src + 96, 100);  // EXTRA: IMOD and SerialEM fields
    for (int a = 0; a < 3; ++a) {
        store<std::int32_t>(raw, 4 * a, std::int32_t(dims[std::size_t(a)]));                         // NX NY NZ
        store<std::int32_t>(raw, 16 + 4 * a, 0);                                                     // NXSTART..
        store<std::int32_t>(raw, 28 + 4 * a, std::int32_t(dims[std::size_t(a)]));                    // MX MY MZ
        store<float>(raw, 40 + 4 * a, float(double(dims[std::size_t(a)]) * voxel[std::size_t(a)]));  // CELLA
        store<float>(raw, 52 + 4 * a, 90.0f);                                                        // CELLB
        store<std::int32_t>(raw, 64 + 4 * a, a + 1);                                                 // MAPC MAPR MAPS
        store<float>(raw, 196 + 4 * a, float(volume.origin()[std::size_t(a)]));                      // ORIGIN
    }
    store<std::int32_t>(raw, 12, plan.mode);
    store<float>(raw, 76, float(acc.min));
    store<float>(raw, 80, float(acc.max));
    store<float>(raw, 84, float(mean));
    std::int32_t ispg = dims[2] == 1 ? 0 : 1;
    if (haveSource) {
        const std::int32_t sourceIspg = load<std::int32_t>(src, 88);
        // Keep the source's space group unless it was a volume stack that no longer divides.
        if (sourceIspg >= 0 && !(sourceIspg >= 401 && sourceIspg <= 630)) ispg = sourceIspg;
    }
    store<std::int32_t>(raw, 88, ispg);
    store<std::int32_t>(raw, 92, std::int32_t(extended.size()));
    std::memset(raw + 104, 0, 4);
    if (!extended.empty())
        std::memcpy(raw + 104, exttyp.data(), std::min<std::size_t>(4, exttyp.size()));
    else
        std::memset(raw + 128, 0, 4);  // nint/nreal describe an extended header no longer there
    store<std::int32_t>(raw, 108, 20140);
    // IMOD stamp and flags: bit 0 says whether mode 0 bytes are signed; 16 (4-bit) is
    // cleared because CellForge never writes packed data.
    std::int32_t flags = (haveSource && load<std::int32_t>(src, 152) == kImodStamp) ? load<std::int32_t>(src, 156) : 0;
    flags &= ~16;
    if (plan.mode == 0) {
        store<std::int32_t>(raw, 152, kImodStamp);
        flags = plan.stored == Stored::Int8 ? (flags | 1) : (flags & ~1);
        store<std::int32_t>(raw, 156, flags);
    } else if (load<std::int32_t>(raw, 152) == kImodStamp) {
        store<std::int32_t>(raw, 156, flags & ~1);
    }
    std::memcpy(raw + 208, "MAP ", 4);
    const std::uint8_t stamp[4] = {std::uint8_t(hostBigEndian() ? 0x11 : 0x44),
                                   std::uint8_t(hostBigEndian() ? 0x11 : 0x44), 0, 0};
    std::memcpy(raw + 212, stamp, 4);
    store<float>(raw, 216, float(std::sqrt(variance > 0 ? variance : 0.0)));

    // Labels: the source's non-blank ones in order, then one for this program (unless
    // the last already says the same); the oldest after the first go when full.
    std::vector<std::string> labels;
    if (haveSource) {
        const int count = std::clamp(load<std::int32_t>(src, 220), 0, 10);
        for (int i = 0; i < count; ++i) {
            std::string l = trimField(reinterpret_cast<const char*>(src + 224 + 80 * i), 80);
            if (!l.empty()) labels.push_back(l);
        }
    }
    const std::string ours =
        std::string("CellForge ") + CELLFORGE_VERSION + ": written as MRC2014 mode " + std::to_string(plan.mode);
    if (labels.empty() || labels.back() != ours) labels.push_back(ours);
    while (labels.size() > 10) labels.erase(labels.begin() + 1);
    std::memset(raw + 224, 0, 800);
    for (std::size_t i = 0; i < labels.size(); ++i) putLabel(raw, int(i), labels[i]);
    store<std::int32_t>(raw, 220, std::int32_t(labels.size()));

    // Pass 2: the bytes.
    auto writeAll = [&](Sink& sink) {
        sink.write(raw, kMrcHeaderSize);
        if (!extended.empty()) sink.write(extended.data(), extended.size());
        if (direct) {
            const std::byte* p = volume.bytes();
            const std::size_t total = volume.byteSize();
            for (std::size_t done = 0; done < total; done += kReadChunk)
                sink.write(p + done, std::min(kReadChunk, total - done));
            return;
        }
        std::vector<std::byte> scratch(std::size_t(std::min(chunkVoxels, n)) * storedBytes);
        Accumulator ignored;
        for (std::int64_t b = 0; b < n; b += chunkVoxels) {
            const std::int64_t k = std::min(chunkVoxels, n - b);
            convertChunk(volume, b, k, plan.stored, scratch.data(), ignored, path, plan.mode);
            sink.write(scratch.data(), std::size_t(k) * storedBytes);
        }
    };
    const std::string ext = fileExtension(path);
    if (ext.size() >= 3 && ext.compare(ext.size() - 3, 3, ".gz") == 0) {
        writeAtomicallyByName(path, [&](const std::string& tempPath) {
            GzipSink sink(tempPath, path);
            writeAll(sink);
            sink.close();
        });
    } else {
        writeAtomically(path, [&](std::ofstream& out) {
            StreamSink sink(out, path);
            writeAll(sink);
        });
    }
}

bool isMrcPath(const std::string& path) {
    std::string ext = fileExtension(path);
    if (ext.size() > 3 && ext.compare(ext.size() - 3, 3, ".gz") == 0) ext.resize(ext.size() - 3);
    for (const char* e : {".mrc", ".map", ".rec", ".st", ".ali", ".mrcs", ".ccp4", ".preali"})
        if (ext == e) return true;
    return false;
}

}  // namespace cellforge::io
