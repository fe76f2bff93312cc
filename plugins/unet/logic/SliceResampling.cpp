#include "plugins/unet/logic/SliceResampling.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

namespace cellforge::unet {

namespace {

// The taps of one axis: output i takes weights[offset[i] .. offset[i + 1]) of inputs
// first[i], first[i] + 1, ... (clamped to the edge).
struct AxisTaps {
    std::vector<std::int64_t> first, offset;
    std::vector<std::int64_t> index;
    std::vector<float> weight;
};

AxisTaps axisTaps(std::int64_t in, std::int64_t out) {
    AxisTaps t;
    const double step = double(in) / double(out);
    const double halfWidth = std::max(1.0, step);  // tent: linear interpolation, widened when shrinking
    t.offset.push_back(0);
    for (std::int64_t i = 0; i < out; ++i) {
        const double centre = (double(i) + 0.5) * step - 0.5;
        const std::int64_t lo = std::int64_t(std::floor(centre - halfWidth)) + 1;
        const std::int64_t hi = std::int64_t(std::ceil(centre + halfWidth)) - 1;
        double total = 0;
        const std::size_t start = t.weight.size();
        for (std::int64_t j = lo; j <= hi; ++j) {
            const double w = 1.0 - std::fabs(double(j) - centre) / halfWidth;
            if (w <= 0) continue;
            t.index.push_back(std::clamp<std::int64_t>(j, 0, in - 1));
            t.weight.push_back(float(w));
            total += w;
        }
        if (t.weight.size() == start) {  // cannot happen for a tent of half-width >= 1; kept safe
            t.index.push_back(std::clamp<std::int64_t>(std::int64_t(std::lround(centre)), 0, in - 1));
            t.weight.push_back(1.0f);
            total = 1.0;
        }
        for (std::size_t k = start; k < t.weight.size(); ++k) t.weight[k] = float(t.weight[k] / total);
        t.offset.push_back(std::int64_t(t.weight.size()));
    }
    return t;
}

std::string number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

}  // namespace

std::int64_t resampledLength(std::int64_t length, double voxelSize, double targetVoxelSize) {
    return std::max<std::int64_t>(1, std::llround(double(length) * voxelSize / targetVoxelSize));
}

void resampleSlice(const float* in, std::int64_t nx, std::int64_t ny, float* out, std::int64_t outNx,
                   std::int64_t outNy) {
    const AxisTaps tx = axisTaps(nx, outNx), ty = axisTaps(ny, outNy);
    // Along x for every input row, then along y.
    std::vector<float> rows(static_cast<std::size_t>(ny * outNx));
    for (std::int64_t y = 0; y < ny; ++y) {
        const float* src = in + y * nx;
        float* dst = rows.data() + y * outNx;
        for (std::int64_t i = 0; i < outNx; ++i) {
            double v = 0;
            for (std::int64_t k = tx.offset[std::size_t(i)]; k < tx.offset[std::size_t(i + 1)]; ++k)
                v += double(tx.weight[std::size_t(k)]) * src[tx.index[std::size_t(k)]];
            dst[i] = float(v);
        }
    }
    std::fill(out, out + outNx * outNy, 0.0f);
    for (std::int64_t j = 0; j < outNy; ++j) {
        float* dst = out + j * outNx;
        for (std::int64_t k = ty.offset[std::size_t(j)]; k < ty.offset[std::size_t(j + 1)]; ++k) {
            const float w = ty.weight[std::size_t(k)];
            const float* src = rows.data() + ty.index[std::size_t(k)] * outNx;
            for (std::int64_t i = 0; i < outNx; ++i) dst[i] += w * src[i];
        }
    }
}

SliceRescale chooseSliceRescale(double voxelX, double voxelY, double modelVoxel) {
    SliceRescale r;
    if (!(modelVoxel > 0) || !(voxelX > 0) || !(voxelY > 0)) {
        r.note = "not rescaled: the voxel size of the tomogram or the model is unknown";
        return r;
    }
    const double fx = voxelX / modelVoxel, fy = voxelY / modelVoxel;
    const std::string sizes = number(voxelX) + (voxelY != voxelX ? " x " + number(voxelY) : std::string()) +
                              " Å, the model's " + number(modelVoxel) + " Å";
    if (std::max({fx, fy, 1 / fx, 1 / fy}) > 4.0) {
        r.note = "warning: not rescaled: the tomogram's voxel size (" + sizes +
                 ") is more than 4 times off, most likely not set (a file without one reads as 1 Å); give the "
                 "voxel size when reading the tomogram";
        return r;
    }
    if (std::fabs(fx - 1) <= 0.02 && std::fabs(fy - 1) <= 0.02) return r;
    r.factor = {fx, fy};
    r.note = "XY slices resampled to the model's voxel size (tomogram " + sizes + ") and the probabilities back";
    return r;
}

}  // namespace cellforge::unet
