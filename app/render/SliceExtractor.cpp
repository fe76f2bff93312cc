#include "app/render/SliceExtractor.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace cellforge {

namespace {

// Calls f(value, outIndex) for every pixel of the slice, with loops ordered so that the
// innermost one walks the volume's fastest-varying axis where the geometry allows.
template <typename T, typename F>
void forEachSlicePixel(const Volume& volume, SliceAxis axis, std::int64_t index, F&& f) {
    const T* src = volume.data<T>();
    const std::int64_t nx = volume.nx(), ny = volume.ny(), nz = volume.nz();
    switch (axis) {
        case SliceAxis::XY: {
            const T* plane = src + nx * ny * index;
            const std::int64_t n = nx * ny;
            for (std::int64_t i = 0; i < n; ++i) f(plane[i], i);
            break;
        }
        case SliceAxis::XZ:
            for (std::int64_t z = 0; z < nz; ++z) {
                const T* row = src + nx * (index + ny * z);
                const std::int64_t o = nx * z;
                for (std::int64_t x = 0; x < nx; ++x) f(row[x], o + x);
            }
            break;
        case SliceAxis::YZ:
            // u = z, v = y. Walk z outside so each z-plane is visited once.
            for (std::int64_t z = 0; z < nz; ++z) {
                const T* plane = src + nx * ny * z + index;
                for (std::int64_t y = 0; y < ny; ++y) f(plane[nx * y], z + nz * y);
            }
            break;
    }
}

}  // namespace

SliceSize sliceSize(const Index3& dims, SliceAxis axis) {
    const SliceAxes a = sliceAxes(axis);
    return {int(dims[std::size_t(a.u)]), int(dims[std::size_t(a.v)]), dims[std::size_t(a.normal)]};
}

void scalarSliceToPixels(const Volume& volume, SliceAxis axis, std::int64_t index, double low, double high,
                         const ColorTable* table, int components, std::uint8_t* out) {
    const double span = high > low ? high - low : 1e-12;
    const float scale = float(255.0 / span);
    const float offset = float(-low * 255.0 / span);
    dispatchScalar(volume.scalarType(), [&](auto t) {
        using T = decltype(t);
        auto toByte = [&](T v) -> std::uint8_t {
            float s = float(v) * scale + offset;
            s = s < 0.f ? 0.f : (s > 255.f ? 255.f : s);
            return std::uint8_t(s + 0.5f);
        };
        if (components == 1 || !table) {
            forEachSlicePixel<T>(volume, axis, index, [&](T v, std::int64_t i) { out[i] = toByte(v); });
        } else if (components == 3) {
            forEachSlicePixel<T>(volume, axis, index, [&](T v, std::int64_t i) {
                const auto& c = (*table)[toByte(v)];
                std::memcpy(out + 3 * i, c.data(), 3);
            });
        } else {
            forEachSlicePixel<T>(volume, axis, index, [&](T v, std::int64_t i) {
                const auto& c = (*table)[toByte(v)];
                std::uint8_t* p = out + 4 * i;
                p[0] = c[0];
                p[1] = c[1];
                p[2] = c[2];
                p[3] = 255;
            });
        }
    });
}

void probabilitySliceToRgba(const Volume& volume, SliceAxis axis, std::int64_t index, double low, double high,
                            double threshold, const ColorTable& table, std::uint8_t* out) {
    const double span = high > low ? high - low : 1e-12;
    dispatchScalar(volume.scalarType(), [&](auto t) {
        using T = decltype(t);
        forEachSlicePixel<T>(volume, axis, index, [&](T v, std::int64_t i) {
            std::uint8_t* p = out + 4 * i;
            const double d = double(v);
            if (!(d >= threshold)) {
                p[0] = p[1] = p[2] = p[3] = 0;
                return;
            }
            const double s = std::clamp((d - low) / span, 0.0, 1.0);
            const auto& c = table[std::size_t(s * 255.0 + 0.5)];
            p[0] = c[0];
            p[1] = c[1];
            p[2] = c[2];
            p[3] = 255;
        });
    });
}

LabelLut makeLabelLut(const LabelTable& table, LabelId highlighted) {
    LabelLut lut(65536);
    for (std::size_t id = 1; id < lut.size(); ++id) {
        const auto c = LabelTable::defaultColor(LabelId(id));
        lut[id] = {c[0], c[1], c[2], 255};
    }
    for (const LabelEntry& e : table.entries())
        if (e.id != 0) lut[e.id] = {e.color[0], e.color[1], e.color[2], 255};
    lut[0] = {0, 0, 0, 0};
    if (highlighted != 0) {
        // The selected label is drawn brighter so it stands out among its neighbours.
        auto& c = lut[highlighted];
        for (int k = 0; k < 3; ++k) c[std::size_t(k)] = std::uint8_t(std::min(255, c[std::size_t(k)] / 2 + 128));
    }
    return lut;
}

void labelSliceToRgba(const LabelVolume& labels, SliceAxis axis, std::int64_t index, const LabelLut& lut,
                      std::uint8_t* out) {
    const auto* table = lut.data();
    forEachSlicePixel<LabelId>(labels, axis, index,
                               [&](LabelId v, std::int64_t i) { std::memcpy(out + 4 * i, table[v].data(), 4); });
}

void labelSlice(const LabelVolume& labels, SliceAxis axis, std::int64_t index, LabelId* out) {
    forEachSlicePixel<LabelId>(labels, axis, index, [&](LabelId v, std::int64_t i) { out[i] = v; });
}

std::pair<double, double> percentileWindow(const Volume& volume, double lowFraction, double highFraction) {
    if (volume.empty()) return {0.0, 1.0};
    const std::int64_t n = volume.voxelCount();
    const std::int64_t maxSamples = 2'000'000;
    const std::int64_t stride = std::max<std::int64_t>(1, n / maxSamples);
    std::vector<float> sample;
    sample.reserve(std::size_t(n / stride + 1));
    dispatchScalar(volume.scalarType(), [&](auto t) {
        using T = decltype(t);
        const T* p = volume.data<T>();
        // An odd stride avoids sampling the same column of every row.
        const std::int64_t s = stride | 1;
        for (std::int64_t i = 0; i < n; i += s)
            if (std::isfinite(float(p[i]))) sample.push_back(float(p[i]));
    });
    if (sample.empty()) return {0.0, 1.0};
    auto at = [&](double f) {
        const auto k = std::size_t(std::clamp(f, 0.0, 1.0) * double(sample.size() - 1));
        std::nth_element(sample.begin(), sample.begin() + std::ptrdiff_t(k), sample.end());
        return double(sample[k]);
    };
    double lo = at(lowFraction), hi = at(highFraction);
    if (!(hi > lo)) hi = lo + 1.0;
    return {lo, hi};
}

}  // namespace cellforge
