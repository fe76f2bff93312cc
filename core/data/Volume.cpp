#include "core/data/Volume.h"

#include "core/base/Errors.h"

#include <cmath>
#include <cstring>
#include <new>

namespace cellforge {

namespace {
std::shared_ptr<std::byte> allocateZeroed(std::size_t bytes) {
    // calloc: the kernel hands out zero pages lazily, so a large allocation costs
    // nothing until it is written.
    void* p = std::calloc(bytes ? bytes : 1, 1);
    if (!p) throw std::bad_alloc();
    return std::shared_ptr<std::byte>(static_cast<std::byte*>(p), [](std::byte* q) { std::free(q); });
}

void checkDims(const Index3& dims) {
    for (int a = 0; a < 3; ++a)
        if (dims[a] <= 0)
            throw InputError("volume dimensions must be positive, got " + std::to_string(dims[0]) + " x " +
                             std::to_string(dims[1]) + " x " + std::to_string(dims[2]));
}
}  // namespace

Volume::Volume(Index3 dims, ScalarType type) : dims_(dims), type_(type) {
    checkDims(dims);
    storage_ = allocateZeroed(byteSize());
}

Volume::Volume(Index3 dims, ScalarType type, std::shared_ptr<std::byte> storage)
    : dims_(dims), type_(type), storage_(std::move(storage)) {
    checkDims(dims);
}

void Volume::setVoxelSize(const Vec3& v) {
    for (double s : v)
        if (!(s > 0) || !std::isfinite(s))
            throw InputError("voxel size must be positive and finite, got " + std::to_string(v[0]) + ", " +
                             std::to_string(v[1]) + ", " + std::to_string(v[2]) + " Å");
    voxelSize_ = v;
}

double Volume::valueAt(std::int64_t x, std::int64_t y, std::int64_t z) const {
    return dispatchScalar(type_, [&](auto t) -> double {
        using T = decltype(t);
        return double(data<T>()[index(x, y, z)]);
    });
}

Volume Volume::deepCopy() const {
    Volume copy = emptyLike(type_);
    std::memcpy(copy.bytes(), bytes(), byteSize());
    copy.header_ = header_;
    return copy;
}

Volume Volume::emptyLike(ScalarType type) const {
    Volume v(dims_, type);
    v.voxelSize_ = voxelSize_;
    v.origin_ = origin_;
    return v;
}

Volume Volume::toFloat32() const {
    Volume out = emptyLike(ScalarType::Float32);
    float* dst = out.data<float>();
    const std::int64_t n = voxelCount();
    dispatchScalar(type_, [&](auto t) {
        using T = decltype(t);
        const T* src = data<T>();
        for (std::int64_t i = 0; i < n; ++i) dst[i] = float(src[i]);
    });
    return out;
}

VolumeStatistics computeStatistics(const Volume& volume) {
    VolumeStatistics s;
    if (volume.empty()) return s;
    const std::int64_t n = volume.voxelCount();
    dispatchScalar(volume.scalarType(), [&](auto t) {
        using T = decltype(t);
        const T* p = volume.data<T>();
        double mn = double(p[0]), mx = double(p[0]), sum = 0, sumSq = 0;
        // Per-slab partial sums keep precision on large volumes.
        const std::int64_t block = 1 << 16;
        for (std::int64_t b = 0; b < n; b += block) {
            double bs = 0, bss = 0;
            const std::int64_t e = std::min(n, b + block);
            for (std::int64_t i = b; i < e; ++i) {
                const double v = double(p[i]);
                mn = v < mn ? v : mn;
                mx = v > mx ? v : mx;
                bs += v;
                bss += v * v;
            }
            sum += bs;
            sumSq += bss;
        }
        s.min = mn;
        s.max = mx;
        s.mean = sum / double(n);
        const double var = sumSq / double(n) - s.mean * s.mean;
        s.rms = std::sqrt(var > 0 ? var : 0.0);
    });
    return s;
}

}  // namespace cellforge
