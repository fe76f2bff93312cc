// A 3D array of one scalar type (2D images have nz = 1) with its physical geometry
// and the header of the file it came from, so that writing it back loses nothing.
//
// Layout: x fastest, then y, then z: index = x + nx * (y + ny * z).
// Orientation convention (all formats): y = 0 is the first row stored in an MRC file,
// which MRC viewers (IMOD's 3dmod) draw at the bottom. TIFF and other formats are
// flipped in y on read and write so that an image is the same way up everywhere.
#pragma once

#include "core/data/DataObject.h"
#include "core/data/ScalarType.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cellforge {

using Index3 = std::array<std::int64_t, 3>;
using Vec3 = std::array<double, 3>;

// What a reader knew about the file, kept so a writer can reproduce it.
struct SourceHeader {
    std::string format;                        // "mrc", "tiff", "nrrd", ... or empty
    std::vector<std::uint8_t> mrcHeader;       // the 1024-byte MRC header as read (native order)
    std::vector<std::uint8_t> extendedHeader;  // MRC extended header bytes (NSYMBT), verbatim
    int mrcMode = -1;                          // the MRC mode on disk, -1 if not MRC
};

class Volume : public DataObject {
public:
    static constexpr DataKind staticKind = DataKind::Volume;

    Volume() = default;
    // Allocates zero-filled storage. Throws InputError for non-positive dimensions.
    Volume(Index3 dims, ScalarType type);
    // Wraps existing storage (for example a memory map); `storage` keeps it alive.
    Volume(Index3 dims, ScalarType type, std::shared_ptr<std::byte> storage);

    DataKind kind() const override { return DataKind::Volume; }

    const Index3& dims() const { return dims_; }
    std::int64_t nx() const { return dims_[0]; }
    std::int64_t ny() const { return dims_[1]; }
    std::int64_t nz() const { return dims_[2]; }
    std::int64_t voxelCount() const { return dims_[0] * dims_[1] * dims_[2]; }
    std::size_t byteSize() const { return std::size_t(voxelCount()) * scalarSize(type_); }
    ScalarType scalarType() const { return type_; }
    bool empty() const { return !storage_; }

    // Voxel size in Å per axis, and the position of voxel (0,0,0)'s corner in Å.
    const Vec3& voxelSize() const { return voxelSize_; }
    void setVoxelSize(const Vec3& v);  // throws InputError unless all > 0 and finite
    const Vec3& origin() const { return origin_; }
    void setOrigin(const Vec3& o) { origin_ = o; }

    const SourceHeader& sourceHeader() const { return header_; }
    void setSourceHeader(SourceHeader h) { header_ = std::move(h); }

    std::byte* bytes() { return storage_.get(); }
    const std::byte* bytes() const { return storage_.get(); }
    // Typed access; throws std::logic_error if T is not the stored type.
    template <typename T>
    T* data();
    template <typename T>
    const T* data() const;
    std::int64_t index(std::int64_t x, std::int64_t y, std::int64_t z) const {
        return x + dims_[0] * (y + dims_[1] * z);
    }
    // Value at (x,y,z) converted to double, whatever the stored type.
    double valueAt(std::int64_t x, std::int64_t y, std::int64_t z) const;

    // Shares the storage (copying a Volume is cheap); deepCopy duplicates it.
    Volume deepCopy() const;
    // A new float32 volume with the same geometry and converted values.
    Volume toFloat32() const;
    // A new volume of the same geometry and given type, zero-filled.
    Volume emptyLike(ScalarType type) const;
    // True when two volumes share their voxel storage (no copy was made).
    bool sharesStorageWith(const Volume& other) const { return storage_ == other.storage_; }

private:
    Index3 dims_{0, 0, 0};
    ScalarType type_ = ScalarType::Float32;
    std::shared_ptr<std::byte> storage_;
    Vec3 voxelSize_{1.0, 1.0, 1.0};
    Vec3 origin_{0.0, 0.0, 0.0};
    SourceHeader header_;
};

// Statistics over all voxels, computed in one pass (double accumulators).
struct VolumeStatistics {
    double min = 0, max = 0, mean = 0, rms = 0;  // rms: root mean square deviation from mean (as MRC)
};
VolumeStatistics computeStatistics(const Volume& volume);

template <typename T>
T* Volume::data() {
    if (ScalarTypeOf<T>::value != type_) throw std::logic_error("Volume::data: wrong scalar type");
    return reinterpret_cast<T*>(storage_.get());
}
template <typename T>
const T* Volume::data() const {
    if (ScalarTypeOf<T>::value != type_) throw std::logic_error("Volume::data: wrong scalar type");
    return reinterpret_cast<const T*>(storage_.get());
}

}  // namespace cellforge
