// MRC2014 reading and writing (https://www.ccpem.ac.uk/mrc_format/mrc2014.php), with
// the variants found in real files: IMOD's unsigned mode 0, old files without "MAP ",
// byte-swapped files with a missing machine stamp, permuted axes, gzip.
//
// Reading rules (each one is also stated where it is applied):
// - Byte order: machine stamp byte 0x44 (or 0x41) little-endian, 0x11 (or 0x17)
//   big-endian. When the stamp is 0, unknown, or contradicts the header (NX/NY/NZ/MODE
//   implausible in that order but plausible in the other), the order in which NX, NY,
//   NZ are in 1..2^24 and MODE is a known mode wins.
// - Modes: 0 int8/uint8, 1 int16, 2 float32, 6 uint16, 12 float16 (read as float32),
//   101 4-bit (two voxels a byte, low nibble first, rows padded to whole bytes; read
//   as uint8). Modes 3, 4 (complex) and 16 (RGB) are refused.
// - Mode 0 signedness (MRC2014 says signed, IMOD wrote unsigned for years and its files
//   often carry no hint), decided from the header alone so that a slab read and a
//   full read agree: (1) an IMOD stamp (1146047817 at byte 152) decides by its flag bit 0
//   (set = signed), as IMOD does; (2) otherwise, if DMIN/DMAX are a computed range
//   (DMIN <= DMAX) that only one interpretation can produce (DMIN < 0: signed;
//   DMAX > 127: unsigned); (3) otherwise a file that declares MRC2014 ("MAP " and
//   NVERSION >= 20140) is signed, as the standard says, and an older one unsigned,
//   as the programs of its time wrote it. In case (3) with a correct range the
//   two interpretations give the same values.
// - Axes: MAPC/MAPR/MAPS say which of x, y, z the columns, rows and sections run
//   along; the data are transposed so that dims are (x, y, z). 0,0,0 is read as 1,2,3.
// - Voxel size along x, y, z: CELLA/MX (MY, MZ). An axis whose M is not positive or
//   whose cell length is zero, negative, infinite or NaN, or — in an image stack
//   (ISPG 0) — whose MZ differs from the number of z slices (stack writers put 1 or
//   anything there), takes the x voxel size (or y, or 1 when none is usable).
// - Origin (Å): ORIGIN when any of its components is non-zero, else
//   NXSTART/NYSTART/NZSTART times the voxel size along the axis each runs along.
// - Extended header: NSYMBT bytes after the main header, skipped and kept verbatim.
//
// Writing: native byte order with its stamp (0x44 0x44 on little-endian machines),
// "MAP ", NVERSION 20140, MX/MY/MZ = dims, CELLA = dims * voxel size, ORIGIN = origin,
// NXSTART.. = 0, MAPC/MAPR/MAPS = 1,2,3, DMIN/DMAX/DMEAN/RMS of the values as stored.
// Data type to mode: int8 -> 0 (IMOD stamp with the signed flag); uint8 -> 0 when every
// value is <= 127 (the bytes then mean the same signed or unsigned; IMOD stamp with
// the unsigned flag so CellForge reads uint8 back), else 6 (widened to uint16), so the
// file is valid MRC2014 and mrcfile reads the right values; int16 -> 1; uint16 -> 6;
// float32 -> 2. An explicit mode converts (rounding to integers, refusing values out
// of the mode's range); mode 0 asked for uint8 data above 127 writes IMOD's unsigned
// bytes (read right by IMOD and CellForge; mrcfile, which follows the standard, would
// see negative values). From the source header, when there is one, are kept: the
// labels (one "CellForge" label appended), ISPG, the EXTRA bytes (IMOD and SerialEM
// fields) and the extended header with its EXTTYP (set to a known type when it was
// blank: CCP4 for a crystallographic space group, SERI for a SerialEM/IMOD header,
// MRCO otherwise). A per-section extended header (SERI, AGAR, FEI1, FEI2) is dropped
// when the number of sections changed.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/data/Volume.h"
#include "core/io/VolumeIO.h"

namespace cellforge::io {

// The header fields, in native byte order, as the file has them (before permutation).
struct MrcHeader {
    std::int32_t nx = 0, ny = 0, nz = 0, mode = 0;
    std::int32_t nxstart = 0, nystart = 0, nzstart = 0;
    std::int32_t mx = 0, my = 0, mz = 0;
    std::array<float, 3> cella{0, 0, 0}, cellb{90, 90, 90};
    std::int32_t mapc = 1, mapr = 2, maps = 3;
    float dmin = 0, dmax = 0, dmean = 0, rms = 0;
    std::int32_t ispg = 0, nsymbt = 0;
    std::string exttyp;  // 4 characters, trailing NULs and blanks removed
    std::int32_t nversion = 0;
    std::array<float, 3> origin{0, 0, 0};
    bool hasMapString = false;
    std::array<std::uint8_t, 4> machineStamp{0, 0, 0, 0};
    std::int32_t nlabl = 0;
    std::vector<std::string> labels;  // the first NLABL labels, trailing blanks removed
    std::int32_t imodStamp = 0, imodFlags = 0;
    bool fileBigEndian = false;     // the byte order of the data on disk
    std::vector<std::uint8_t> raw;  // the 1024 bytes, converted to native order
};

constexpr std::int32_t kImodStamp = 1146047817;  // "IMOD" as a little-endian int32
constexpr int kMrcHeaderSize = 1024;

// Parses a 1024-byte header; `path` names the file in error messages. Checks only the
// header's own consistency (dimensions, mode, axes); MrcReader checks it against the file.
MrcHeader parseMrcHeader(const std::uint8_t* bytes, const std::string& path);

// An open MRC file: the header is parsed and checked against the file size when
// constructed; any slab of z slices is then read without reading the rest (pread at
// the right offset). `.gz` files are decompressed as a stream (slabs then cost the
// decompression of everything before them).
class MrcReader {
public:
    explicit MrcReader(const std::string& path, const VolumeReadOptions& options = {});
    ~MrcReader();
    MrcReader(const MrcReader&) = delete;
    MrcReader& operator=(const MrcReader&) = delete;

    const std::string& path() const { return path_; }
    const MrcHeader& header() const { return header_; }
    int mode() const { return header_.mode; }
    ScalarType scalarType() const { return type_; }
    bool bytesSigned() const { return type_ == ScalarType::Int8; }
    Index3 dims() const { return dims_; }  // x, y, z after permutation
    const Vec3& voxelSize() const { return voxelSize_; }
    const Vec3& origin() const { return origin_; }
    bool permuted() const { return axisOfFileAxis_[0] != 0 || axisOfFileAxis_[1] != 1; }
    // What the volume keeps of the file: header, extended header, mode.
    SourceHeader sourceHeader() const;

    // The whole volume, read straight into its buffer (byte-swapped in place when needed).
    Volume read();
    // z slices [z0, z0 + count) as a volume of nz = count, with the same voxel size and an
    // origin moved to slice z0. Throws InputError for a range outside 0..nz.
    Volume readSlab(std::int64_t z0, std::int64_t count);
    Volume readSlice(std::int64_t z) { return readSlab(z, 1); }
    // Reads z slices [z0, z0 + destination.nz()) into an existing volume of the right
    // x/y dims and scalar type (a LabelVolume for mode 6 files, for example).
    void readSlabInto(std::int64_t z0, Volume& destination);
    // Bytes of file data behind one z slice (for choosing slab sizes).
    std::uint64_t bytesPerSlice() const;

    class Source;  // where the bytes come from (pread or a gzip stream); internal

private:
    void readFileBox(std::int64_t z0, std::int64_t count, std::byte* out);

    std::string path_;
    std::unique_ptr<Source> source_;
    MrcHeader header_;
    std::vector<std::uint8_t> extendedHeader_;
    ScalarType type_ = ScalarType::Float32;
    Index3 dims_{0, 0, 0};
    std::array<int, 3> axisOfFileAxis_{0, 1, 2};  // columns, rows, sections -> x/y/z index
    Vec3 voxelSize_{1, 1, 1};
    Vec3 origin_{0, 0, 0};
    std::uint64_t dataOffset_ = 0;
};

// Writes `volume` as MRC (gzip-compressed when the path ends in .gz), atomically.
void writeMrc(const std::string& path, const Volume& volume, const VolumeWriteOptions& options = {});

// True for the MRC extensions: .mrc .map .rec .st .ali .mrcs .ccp4 .preali, and .gz of them.
bool isMrcPath(const std::string& path);

// IEEE half <-> single precision conversion (round to nearest even).
float halfToFloat(std::uint16_t h);
std::uint16_t floatToHalf(float f);

}  // namespace cellforge::io
