#include "plugins/filters/logic/FilterCommon.h"

#include <cmath>
#include <sstream>

#include "core/base/Errors.h"
#include "core/base/LargeBuffer.h"

namespace cellforge::filters {

namespace {
std::string formatValue(double value) {
    std::ostringstream s;
    s.precision(10);
    s << value;
    return s.str();
}
}  // namespace

const std::vector<std::string>& filterModeNames() {
    static const std::vector<std::string> names{"3d", "2d-slices"};
    return names;
}

std::string filterModeName(FilterMode mode) { return mode == FilterMode::Volume3D ? "3d" : "2d-slices"; }

FilterMode filterModeFromName(const std::string& name) {
    if (name == "3d") return FilterMode::Volume3D;
    if (name == "2d-slices") return FilterMode::Slices2D;
    throw InputError("mode must be \"3d\" or \"2d-slices\", got \"" + name + "\"");
}

Volume uninitializedFloat32(const Index3& dims) {
    for (std::int64_t d : dims)
        if (d <= 0) return Volume(dims, ScalarType::Float32);  // Volume reports the bad dims
    const std::size_t bytes = std::size_t(dims[0] * dims[1] * dims[2]) * sizeof(float);
    std::shared_ptr<std::byte> storage = allocateLargeBuffer(bytes);
    return Volume(dims, ScalarType::Float32, std::move(storage));
}

Volume uninitializedFloat32Like(const Volume& like) {
    Volume v = uninitializedFloat32(like.dims());
    v.setVoxelSize(like.voxelSize());
    v.setOrigin(like.origin());
    return v;
}

// allocateLargeBuffer already zero-fills: a memset would only fault in every page.
Volume float32Like(const Volume& like) { return uninitializedFloat32Like(like); }

Volume asFloat32(const Volume& volume) {
    if (volume.scalarType() == ScalarType::Float32) return volume;  // shares the storage
    Volume out = uninitializedFloat32Like(volume);
    float* dst = out.data<float>();
    const std::int64_t n = volume.voxelCount();
    dispatchScalar(volume.scalarType(), [&](auto t) {
        using T = decltype(t);
        const T* src = volume.data<T>();
        for (std::int64_t i = 0; i < n; ++i) dst[i] = float(src[i]);
    });
    return out;
}

void requireFinite(const std::string& name, double value) {
    if (!std::isfinite(value)) throw InputError(name + " must be a finite number, got " + formatValue(value));
}

void requirePositive(const std::string& name, double value) {
    requireFinite(name, value);
    if (!(value > 0)) throw InputError(name + " must be greater than 0, got " + formatValue(value));
}

void requireNonNegative(const std::string& name, double value) {
    requireFinite(name, value);
    if (value < 0) throw InputError(name + " must not be negative, got " + formatValue(value));
}

void requireInRange(const std::string& name, double value, double lo, double hi) {
    requireFinite(name, value);
    if (value < lo || value > hi)
        throw InputError(name + " must be in [" + formatValue(lo) + ", " + formatValue(hi) + "], got " +
                         formatValue(value));
}

void requireNotEmpty(const Volume& volume, const std::string& what) {
    if (volume.empty()) throw InputError(what + " is empty (no voxels)");
}

}  // namespace cellforge::filters
