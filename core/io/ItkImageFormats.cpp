#include "core/io/ItkImageFormats.h"

#include <fcntl.h>
#include <itkImageIOBase.h>
#include <itkMetaImageIO.h>
#include <itkMetaImageIOFactory.h>
#include <itkNiftiImageIO.h>
#include <itkNiftiImageIOFactory.h>
#include <itkNrrdImageIO.h>
#include <itkNrrdImageIOFactory.h>
#include <itkTIFFImageIO.h>
#include <itkTIFFImageIOFactory.h>
#include <sys/stat.h>
#include <unistd.h>
#include <tiffio.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <string_view>
#include <memory>
#include <mutex>
#include <vector>

#include "core/base/Errors.h"
#include "core/base/AtomicFile.h"
#include "core/base/LargeBuffer.h"
#include "core/io/MrcFormat.h"

namespace cellforge::io {

namespace fs = std::filesystem;

namespace {

itk::ImageIOBase::Pointer createImageIO(const std::string& format) {
    if (format == "tiff") return itk::TIFFImageIO::New().GetPointer();
    if (format == "nrrd") return itk::NrrdImageIO::New().GetPointer();
    if (format == "metaimage") return itk::MetaImageIO::New().GetPointer();
    if (format == "nifti") return itk::NiftiImageIO::New().GetPointer();
    return nullptr;
}

std::string itkMessage(const itk::ExceptionObject& e) {
    std::string d = e.GetDescription();
    while (!d.empty() && (d.back() == '\n' || d.back() == ' ')) d.pop_back();
    return d;
}

// Reverses the order of rows within each z slice, in place.
void flipRows(std::byte* data, std::int64_t nx, std::int64_t ny, std::int64_t nz, std::size_t elementSize) {
    const std::size_t rowBytes = std::size_t(nx) * elementSize;
    std::vector<std::byte> tmp(rowBytes);
    for (std::int64_t z = 0; z < nz; ++z) {
        std::byte* slice = data + std::size_t(z) * std::size_t(ny) * rowBytes;
        for (std::int64_t y = 0; y < ny / 2; ++y) {
            std::byte* a = slice + std::size_t(y) * rowBytes;
            std::byte* b = slice + std::size_t(ny - 1 - y) * rowBytes;
            std::memcpy(tmp.data(), a, rowBytes);
            std::memcpy(a, b, rowBytes);
            std::memcpy(b, tmp.data(), rowBytes);
        }
    }
}

template <typename Source>
void convertToFloat(const std::byte* src, float* dst, std::size_t n) {
    const Source* s = reinterpret_cast<const Source*>(src);
    for (std::size_t i = 0; i < n; ++i) dst[i] = float(s[i]);
}

bool directType(itk::IOComponentEnum c, ScalarType& type) {
    switch (c) {
        case itk::IOComponentEnum::UCHAR:
            type = ScalarType::UInt8;
            return true;
        case itk::IOComponentEnum::CHAR:
            type = ScalarType::Int8;
            return true;
        case itk::IOComponentEnum::USHORT:
            type = ScalarType::UInt16;
            return true;
        case itk::IOComponentEnum::SHORT:
            type = ScalarType::Int16;
            return true;
        case itk::IOComponentEnum::FLOAT:
            type = ScalarType::Float32;
            return true;
        default:
            return false;
    }
}

itk::IOComponentEnum componentFor(ScalarType t) {
    switch (t) {
        case ScalarType::UInt8:
            return itk::IOComponentEnum::UCHAR;
        case ScalarType::Int8:
            return itk::IOComponentEnum::CHAR;
        case ScalarType::UInt16:
            return itk::IOComponentEnum::USHORT;
        case ScalarType::Int16:
            return itk::IOComponentEnum::SHORT;
        case ScalarType::Float32:
            return itk::IOComponentEnum::FLOAT;
    }
    return itk::IOComponentEnum::FLOAT;
}

void fsyncPath(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

void writeWithItk(const std::string& format, const std::string& filePath, const std::string& targetPath,
                  const Volume& volume, const Vec3& voxel) {
    itk::ImageIOBase::Pointer io = createImageIO(format);
    const unsigned dimensions = volume.nz() == 1 ? 2 : 3;
    io->SetNumberOfDimensions(dimensions);
    itk::ImageIORegion region(dimensions);
    for (unsigned i = 0; i < dimensions; ++i) {
        io->SetDimensions(i, itk::SizeValueType(volume.dims()[i]));
        io->SetSpacing(i, voxel[i]);
        io->SetOrigin(i, volume.origin()[i]);
        std::vector<double> axis(dimensions, 0.0);
        axis[i] = 1.0;
        io->SetDirection(i, axis);
        region.SetIndex(i, 0);
        region.SetSize(i, itk::SizeValueType(volume.dims()[i]));
    }
    io->SetIORegion(region);
    io->SetPixelType(itk::IOPixelEnum::SCALAR);
    io->SetNumberOfComponents(1);
    io->SetComponentType(componentFor(volume.scalarType()));
    io->SetFileName(filePath);
    if (format == "tiff") {
        auto* tiff = dynamic_cast<itk::TIFFImageIO*>(io.GetPointer());
        // ITK's TIFF writer has LZW disabled (it falls back to PackBits with a warning):
        // Deflate, which every TIFF reader of the field reads, for integer data.
        if (volume.scalarType() == ScalarType::Float32)
            tiff->SetCompressionToNoCompression();
        else
            tiff->SetCompressionToDeflate();
    } else if (format == "nifti") {
        io->SetUseCompression(fileExtension(targetPath) == ".nii.gz");
    }
    // Rows flipped so that the file's first row is the top of the image.
    std::vector<std::byte> flipped(volume.byteSize());
    std::memcpy(flipped.data(), volume.bytes(), flipped.size());
    flipRows(flipped.data(), volume.nx(), volume.ny(), volume.nz(), scalarSize(volume.scalarType()));
    try {
        io->Write(flipped.data());
    } catch (const itk::ExceptionObject& e) {
        throw InputError("cannot write " + format + " file '" + targetPath + "': " + itkMessage(e));
    }
}

// A symbolic link to a file, alone in a fresh temporary folder; both removed when done.
class PrivateLink {
public:
    explicit PrivateLink(const std::string& target) {
        std::string pattern = (fs::temp_directory_path() / "cellforge-link-XXXXXX").string();
        std::vector<char> buffer(pattern.begin(), pattern.end());
        buffer.push_back('\0');
        if (!::mkdtemp(buffer.data())) throw InputError("cannot read '" + target + "': no temporary folder for a link");
        folder_ = buffer.data();
        path_ = (fs::path(folder_) / ("volume" + fileExtension(target))).string();
        std::error_code error;
        fs::create_symlink(fs::absolute(target), path_, error);
        if (error) {
            fs::remove(folder_, error);
            throw InputError("cannot read '" + target + "': linking it failed (" + error.message() + ")");
        }
    }
    ~PrivateLink() {
        std::error_code ignored;
        fs::remove_all(folder_, ignored);
    }
    const std::string& path() const { return path_; }

private:
    std::string folder_, path_;
};

}  // namespace

void registerItkImageIOFactories() {
    static std::once_flag once;
    std::call_once(once, [] {
        itk::TIFFImageIOFactory::RegisterOneFactory();
        itk::NrrdImageIOFactory::RegisterOneFactory();
        itk::MetaImageIOFactory::RegisterOneFactory();
        itk::NiftiImageIOFactory::RegisterOneFactory();
    });
}

namespace {

// ITK's NRRD (teem) and MetaImage readers copy header fields into fixed-size buffers:
// a field of a few hundred characters overflows them (found by tests/fuzz). Real
// headers have short lines, so a header with a line or a value far longer than any
// real one is refused before ITK sees it.
void checkTextHeader(const std::string& path, const std::string& format) {
    if (format != "nrrd" && format != "metaimage") return;
    std::ifstream in(path, std::ios::binary);
    std::string head(64 * 1024, '\0');
    in.read(head.data(), std::streamsize(head.size()));
    head.resize(std::size_t(in.gcount()));
    constexpr std::size_t kMaxLine = 1024, kMaxValue = 128;
    std::size_t pos = 0;
    for (int line = 1; pos < head.size(); ++line) {
        std::size_t end = head.find('\n', pos);
        const bool last = end == std::string::npos;
        if (last) end = head.size();
        const std::string_view text(head.data() + pos, end - pos);
        // The header ends at a blank line (NRRD) or at the ElementDataFile field (MetaImage).
        if (format == "nrrd" && (text.empty() || text == "\r")) return;
        if (text.size() > kMaxLine && !(last && head.size() == 64 * 1024))
            throw InputError(format + " file '" + path + "': header line " + std::to_string(line) + " is " +
                             std::to_string(text.size()) + " characters long (at most " + std::to_string(kMaxLine) +
                             ")");
        std::size_t run = 0;
        for (const char c : text) {
            run = (std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '(' || c == ')' || c == ':' ||
                   c == '=')
                      ? 0
                      : run + 1;
            if (run > kMaxValue)
                throw InputError(format + " file '" + path + "': header line " + std::to_string(line) +
                                 " holds a value over " + std::to_string(kMaxValue) + " characters long");
        }
        // The number of dimensions sets how many values the reader then takes from the
        // stream: a huge one makes MetaIO read forever.
        for (const char* key : {"NDims", "dimension:"})
            if (text.rfind(key, 0) == 0) {
                std::string_view value = text.substr(std::strlen(key));
                while (!value.empty() && (value.front() == ' ' || value.front() == '=' || value.front() == '\t'))
                    value.remove_prefix(1);
                while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.remove_suffix(1);
                if (value.empty() || value.size() > 2 ||
                    !std::all_of(value.begin(), value.end(),
                                 [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
                    std::stoi(std::string(value)) < 1 || std::stoi(std::string(value)) > 16)
                    throw InputError(format + " file '" + path + "': header line " + std::to_string(line) + ": " + key +
                                     " '" + std::string(value) + "' is not a number of dimensions from 1 to 16");
            }
        if (format == "metaimage" && text.rfind("ElementDataFile", 0) == 0) return;
        pos = end + 1;
    }
}

// ITK's NIfTI reader takes the orientation from the header's quaternion or matrix with
// an SVD that never ends on NaN, infinite or huge entries (found by tests/fuzz): a
// NIfTI-1 header whose spacing, quaternion, offset or matrix holds a value that is not
// finite or beyond ±1e12 (a light-year in Å is 1e26; real files stay far below) is
// refused first.
void checkNiftiHeader(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");  // reads plain files as they are
    if (!f) return;                         // ITK reports it
    unsigned char h[348];
    const int got = gzread(f, h, sizeof h);
    gzclose(f);
    if (got != int(sizeof h)) return;
    // NIfTI-1 by its magic ("n+1" or "ni1" at 344) or its header size (348, either byte
    // order): the readers accept a file on either. The byte order follows from dim[0].
    std::int32_t size;
    std::memcpy(&size, h, 4);
    const bool magic = (h[344] == 'n' && (h[345] == '+' || h[345] == 'i') && h[346] == '1');
    if (!magic && size != 348 && __builtin_bswap32(std::uint32_t(size)) != 348u) return;  // not NIfTI-1
    std::uint16_t dim0;
    std::memcpy(&dim0, h + 40, 2);
    const bool swapped = !(dim0 >= 1 && dim0 <= 7);
    auto floatAt = [&](std::size_t offset) {
        std::uint32_t bits;
        std::memcpy(&bits, h + offset, 4);
        if (swapped) bits = __builtin_bswap32(bits);
        float v;
        std::memcpy(&v, &bits, 4);
        return v;
    };
    struct Field {
        const char* name;
        std::size_t offset, count;
    };
    for (const Field& field : {Field{"pixdim", 76, 8}, Field{"vox_offset", 108, 1}, Field{"quatern_b/c/d", 256, 3},
                               Field{"qoffset", 268, 3}, Field{"srow_x/y/z", 280, 12}})
        for (std::size_t k = 0; k < field.count; ++k)
            if (const float v = floatAt(field.offset + 4 * k); !(std::fabs(v) <= 1e12f))
                throw InputError("nifti file '" + path + "': header field " + field.name + " holds " +
                                 std::to_string(v) + ", expected a finite number within ±1e12");
}

// ITK's TIFF reader reads every page with the first page's layout and copies a page
// whose scan lines libtiff cannot size into a zero-byte buffer (heap corruption, found
// by tests/fuzz). Every page is checked with libtiff first: one channel of 8, 16, 32 or
// 64 bits, the first page's width, height and sample format, and a readable layout.
// The chain of image directories, walked by hand: ITK's own copy of libtiff counts the
// pages of a file whose chain loops back forever (found by tests/fuzz).
void checkTiffDirectoryChain(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char header[8];
    if (!in.read(reinterpret_cast<char*>(header), 8)) return;  // libtiff reports it
    const bool little = header[0] == 'I' && header[1] == 'I';
    if (!little && !(header[0] == 'M' && header[1] == 'M')) return;
    auto get = [&](const unsigned char* b, int n) {
        std::uint64_t v = 0;
        for (int i = 0; i < n; ++i) v |= std::uint64_t(b[little ? i : n - 1 - i]) << (8 * i);
        return v;
    };
    if (get(header + 2, 2) != 42) return;  // BigTIFF or not TIFF: libtiff decides
    in.seekg(0, std::ios::end);
    const auto size = std::uint64_t(in.tellg());
    std::set<std::uint64_t> seen;
    for (std::uint64_t offset = get(header + 4, 4); offset != 0;) {
        if (!seen.insert(offset).second)
            throw InputError("tiff file '" + path + "': its chain of pages loops back to offset " +
                             std::to_string(offset));
        unsigned char count[2];
        in.seekg(std::streamoff(offset));
        // A link past the end ends the chain for libtiff too (it reads the pages before).
        if (offset + 2 > size || !in.read(reinterpret_cast<char*>(count), 2)) return;
        const std::uint64_t next = offset + 2 + 12 * get(count, 2);
        unsigned char link[4];
        in.seekg(std::streamoff(next));
        if (next + 4 > size || !in.read(reinterpret_cast<char*>(link), 4)) return;
        offset = get(link, 4);
    }
}

void checkTiffPages(const std::string& path) {
    checkTiffDirectoryChain(path);
    TIFFSetWarningHandler(nullptr);
    TIFFSetErrorHandler(nullptr);
    std::unique_ptr<TIFF, void (*)(TIFF*)> tiff(TIFFOpen(path.c_str(), "r"), TIFFClose);
    if (!tiff) throw InputError("tiff file '" + path + "': not a readable TIFF file");
    std::uint32_t width0 = 0, height0 = 0;
    std::uint16_t bits0 = 0, format0 = 0;
    std::uint32_t subfile0 = 0;
    int page = 0;
    do {
        ++page;
        std::uint32_t width = 0, height = 0;
        std::uint16_t bits = 1, samples = 1, format = SAMPLEFORMAT_UINT;
        TIFFGetField(tiff.get(), TIFFTAG_IMAGEWIDTH, &width);
        TIFFGetField(tiff.get(), TIFFTAG_IMAGELENGTH, &height);
        TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_BITSPERSAMPLE, &bits);
        TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_SAMPLESPERPIXEL, &samples);
        TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_SAMPLEFORMAT, &format);
        std::uint32_t subfile = 0;  // ITK counts pages and thumbnails by this, and mixes them up
        TIFFGetField(tiff.get(), TIFFTAG_SUBFILETYPE, &subfile);
        const std::string where = "tiff file '" + path + "', page " + std::to_string(page) + ": ";
        if (width == 0 || height == 0)
            throw InputError(where + std::to_string(width) + "x" + std::to_string(height) +
                             " pixels, expected a positive size");
        if (samples != 1)
            throw InputError(where + std::to_string(samples) +
                             " samples per pixel, expected a single-channel (grey) image");
        if (bits != 8 && bits != 16 && bits != 32 && bits != 64)
            throw InputError(where + std::to_string(bits) + " bits per sample, expected 8, 16, 32 or 64");
        if (TIFFScanlineSize64(tiff.get()) <= 0 || (TIFFIsTiled(tiff.get()) && TIFFTileSize64(tiff.get()) <= 0))
            throw InputError(where + "libtiff cannot size its rows or tiles (a damaged directory)");
        if (page == 1) {
            width0 = width, height0 = height, bits0 = bits, format0 = format, subfile0 = subfile;
        } else if (subfile != subfile0) {
            throw InputError(where + "subfile type " + std::to_string(subfile) + ", unlike page 1 (" +
                             std::to_string(subfile0) + "): pages mixed with thumbnails or masks are not read");
        } else if (width != width0 || height != height0 || bits != bits0 || format != format0) {
            throw InputError(where + std::to_string(width) + "x" + std::to_string(height) + ", " +
                             std::to_string(bits) + " bits, unlike page 1 (" + std::to_string(width0) + "x" +
                             std::to_string(height0) + ", " + std::to_string(bits0) +
                             " bits): a volume's pages must all be alike");
        }
        if (page > 1000000) throw InputError("tiff file '" + path + "': over a million pages (a directory loop?)");
    } while (TIFFReadDirectory(tiff.get()) == 1);
    // A page that libtiff cannot read ends the walk above, but ITK counts the pages in
    // the chain and reads each.
    if (const int chain = TIFFNumberOfDirectories(tiff.get()); chain != page)
        throw InputError("tiff file '" + path + "', page " + std::to_string(page + 1) + " of " + std::to_string(chain) +
                         ": libtiff cannot read its directory (a damaged page)");
}

// The most bytes of voxels the file can hold: its size, or (for compressed data) the
// largest expansion of its compression (deflate: 1032:1; TIFF's LZW a few thousand).
// Detached data (.nhdr, .mhd) is not bounded here.
std::optional<std::uint64_t> voxelByteBound(const std::string& path, const std::string& format, std::uint64_t size) {
    const std::string ext = fileExtension(path);
    if (ext == ".nhdr" || ext == ".mhd") return std::nullopt;
    if (ext == ".nii") return size;
    if (format == "tiff") return size * 8192 + (std::uint64_t(1) << 20);
    return size * 1032 + (std::uint64_t(1) << 20);
}

}  // namespace

std::string itkFormatName(const std::string& path) {
    const std::string ext = fileExtension(path);
    if (ext == ".tif" || ext == ".tiff") return "tiff";
    if (ext == ".nrrd" || ext == ".nhdr") return "nrrd";
    if (ext == ".mha" || ext == ".mhd") return "metaimage";
    if (ext == ".nii" || ext == ".nii.gz") return "nifti";
    return "";
}

bool isItkVolumePath(const std::string& path) { return !itkFormatName(path).empty(); }

namespace {
Volume readItkVolumeUnguarded(const std::string& path, const VolumeReadOptions& options) {
    registerItkImageIOFactories();
    const std::string format = itkFormatName(path);
    if (format.empty())
        throw InputError("'" + path + "' is not a TIFF, NRRD, MetaImage or NIfTI file (by its extension)");
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int err = errno;
        throw InputError("cannot open " + format + " file '" + path + "': " + std::strerror(err));
    }
    const auto fileSize = std::uint64_t(st.st_size);
    // NIfTI's library looks for "x.nii" first when asked for the data of "x.nii.gz",
    // so with both present it would mix one's header with the other's voxels. Read
    // through a private link then.
    std::unique_ptr<PrivateLink> link;
    std::string readPath = path;
    if (fileExtension(path) == ".nii.gz" && ::stat(path.substr(0, path.size() - 3).c_str(), &st) == 0) {
        link = std::make_unique<PrivateLink>(path);
        readPath = link->path();
    }
    checkTextHeader(path, format);
    if (format == "nifti") checkNiftiHeader(path);
    if (format == "tiff") checkTiffPages(path);
    itk::ImageIOBase::Pointer io = createImageIO(format);
    io->SetFileName(readPath);
    if (!io->CanReadFile(readPath.c_str()))
        throw InputError(format + " file '" + path + "': not a readable " + format + " file (ITK's reader refuses it)");
    try {
        io->ReadImageInformation();
    } catch (const itk::ExceptionObject& e) {
        throw InputError(format + " file '" + path + "': " + itkMessage(e));
    }
    const unsigned n = io->GetNumberOfDimensions();
    if (io->GetNumberOfComponents() != 1)
        throw InputError(format + " file '" + path + "': " + std::to_string(io->GetNumberOfComponents()) +
                         " components per pixel, expected a single-channel (scalar) image");
    if (n < 2)
        throw InputError(format + " file '" + path + "': " + std::to_string(n) + " dimension(s), expected 2 or 3");
    Index3 dims{1, 1, 1};
    Vec3 spacing{1, 1, 1}, origin{0, 0, 0};
    for (unsigned i = 0; i < n; ++i) {
        const auto d = std::int64_t(io->GetDimensions(i));
        if (i < 3) {
            dims[i] = d;
            spacing[i] = io->GetSpacing(i);
            origin[i] = io->GetOrigin(i);
        } else if (d != 1) {
            throw InputError(format + " file '" + path + "': " + std::to_string(n) + " dimensions with size " +
                             std::to_string(d) + " along dimension " + std::to_string(i + 1) +
                             ", expected a 2D or 3D image");
        }
    }
    for (int a = 0; a < 3; ++a)
        if (dims[a] <= 0)
            throw InputError(format + " file '" + path + "': dimension " + std::to_string(a + 1) + " is " +
                             std::to_string(dims[a]) + ", expected a positive size");
    std::uint64_t voxelBytes = io->GetComponentSize();
    for (int a = 0; a < 3; ++a)
        if (__builtin_mul_overflow(voxelBytes, std::uint64_t(dims[a]), &voxelBytes))
            voxelBytes = std::numeric_limits<std::uint64_t>::max();
    if (const auto bound = voxelByteBound(path, format, fileSize); bound && voxelBytes > *bound)
        throw InputError(format + " file '" + path + "': its header claims " + std::to_string(dims[0]) + "x" +
                         std::to_string(dims[1]) + "x" + std::to_string(dims[2]) + " voxels of " +
                         std::to_string(io->GetComponentSize()) + " bytes, more than a file of " +
                         std::to_string(fileSize) + " bytes can hold");
    itk::ImageIORegion region(n);
    for (unsigned i = 0; i < n; ++i) {
        region.SetIndex(i, 0);
        region.SetSize(i, io->GetDimensions(i));
    }
    io->SetIORegion(region);

    const itk::IOComponentEnum component = io->GetComponentType();
    ScalarType type = ScalarType::Float32;
    const bool direct = directType(component, type);
    const std::size_t voxels = std::size_t(dims[0] * dims[1] * dims[2]);
    Volume volume(dims, type, allocateLargeBuffer(voxels * scalarSize(type)));
    try {
        if (direct) {
            io->Read(volume.bytes());
        } else {
            const std::size_t componentSize = io->GetComponentSize();
            std::vector<std::byte> buffer(voxels * componentSize);
            io->Read(buffer.data());
            float* dst = volume.data<float>();
            switch (component) {
                case itk::IOComponentEnum::UINT:
                    convertToFloat<std::uint32_t>(buffer.data(), dst, voxels);
                    break;
                case itk::IOComponentEnum::INT:
                    convertToFloat<std::int32_t>(buffer.data(), dst, voxels);
                    break;
                case itk::IOComponentEnum::ULONG:
                    if (componentSize == 8)
                        convertToFloat<std::uint64_t>(buffer.data(), dst, voxels);
                    else
                        convertToFloat<std::uint32_t>(buffer.data(), dst, voxels);
                    break;
                case itk::IOComponentEnum::LONG:
                    if (componentSize == 8)
                        convertToFloat<std::int64_t>(buffer.data(), dst, voxels);
                    else
                        convertToFloat<std::int32_t>(buffer.data(), dst, voxels);
                    break;
                case itk::IOComponentEnum::ULONGLONG:
                    convertToFloat<std::uint64_t>(buffer.data(), dst, voxels);
                    break;
                case itk::IOComponentEnum::LONGLONG:
                    convertToFloat<std::int64_t>(buffer.data(), dst, voxels);
                    break;
                case itk::IOComponentEnum::DOUBLE:
                    convertToFloat<double>(buffer.data(), dst, voxels);
                    break;
                default:
                    throw InputError(format + " file '" + path + "': pixel type " +
                                     itk::ImageIOBase::GetComponentTypeAsString(component) +
                                     " is not supported, expected an integer or floating-point scalar");
            }
        }
    } catch (const itk::ExceptionObject& e) {
        throw InputError(format + " file '" + path + "': " + itkMessage(e));
    }
    flipRows(volume.bytes(), dims[0], dims[1], dims[2], scalarSize(type));

    Vec3 voxel = spacing;
    for (double& v : voxel)
        if (!(v > 0) || !std::isfinite(v)) v = 1.0;
    if (options.voxelSizeOverride) voxel = *options.voxelSizeOverride;
    volume.setVoxelSize(voxel);
    for (double& o : origin)
        if (!std::isfinite(o)) o = 0.0;
    volume.setOrigin(origin);
    SourceHeader header;
    header.format = format;
    volume.setSourceHeader(std::move(header));
    return volume;
}
}  // namespace

Volume readItkVolume(const std::string& path, const VolumeReadOptions& options) {
    // ITK throws from more places than the ones checked above (a component type it does
    // not know, a failed read deep in a reader): every one becomes a refusal naming the file.
    try {
        return readItkVolumeUnguarded(path, options);
    } catch (const itk::ExceptionObject& e) {
        throw InputError(itkFormatName(path) + " file '" + path + "': " + itkMessage(e));
    } catch (const std::bad_alloc&) {
        throw InputError(itkFormatName(path) + " file '" + path + "': not enough memory to read it");
    }
}

void writeItkVolume(const std::string& path, const Volume& volume, const VolumeWriteOptions& options) {
    registerItkImageIOFactories();
    const std::string format = itkFormatName(path);
    if (format.empty()) throw InputError("cannot write '" + path + "': not a TIFF, NRRD, MetaImage or NIfTI name");
    if (volume.empty()) throw InputError("cannot write " + format + " file '" + path + "': the volume is empty");
    if (options.mrcMode)
        throw InputError("cannot write " + format + " file '" + path + "': an MRC mode (" +
                         std::to_string(*options.mrcMode) + ") was given, expected none for a non-MRC format");
    Vec3 voxel = volume.voxelSize();
    if (options.voxelSizeOverride) voxel = *options.voxelSizeOverride;
    for (double v : voxel)
        if (!(v > 0) || !std::isfinite(v))
            throw InputError("cannot write " + format + " file '" + path + "': voxel size must be positive and finite");

    const std::string ext = fileExtension(path);
    if (ext != ".mhd" && ext != ".nhdr") {
        writeAtomicallyByName(path, [&](const std::string& temp) { writeWithItk(format, temp, path, volume, voxel); });
        return;
    }
    // A header and a separate data file: write both into a temporary folder beside the
    // target, then move the data file(s) first and the header last.
    const fs::path target(path);
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::string pattern = (folder / ("." + target.filename().string() + ".cftmp-XXXXXX")).string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (!::mkdtemp(buffer.data())) {
        const int err = errno;
        throw InputError("cannot write '" + path + "': folder '" + folder.string() + "' is not writable (" +
                         std::strerror(err) + ")");
    }
    const fs::path tempFolder(buffer.data());
    try {
        const fs::path tempHeader = tempFolder / target.filename();
        writeWithItk(format, tempHeader.string(), path, volume, voxel);
        std::vector<fs::path> dataFiles;
        for (const auto& entry : fs::directory_iterator(tempFolder))
            if (entry.path().filename() != target.filename()) dataFiles.push_back(entry.path());
        for (const auto& f : dataFiles) {
            fsyncPath(f.string());
            fs::rename(f, folder / f.filename());
        }
        fsyncPath(tempHeader.string());
        fs::rename(tempHeader, target);
        fs::remove(tempFolder);
    } catch (const fs::filesystem_error& e) {
        std::error_code ignored;
        fs::remove_all(tempFolder, ignored);
        throw InputError("cannot write '" + path + "': " + e.what());
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(tempFolder, ignored);
        throw;
    }
}

}  // namespace cellforge::io
