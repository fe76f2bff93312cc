#include <vector>

#include "core/base/Errors.h"
#include "core/base/Parallel.h"
#include "plugins/filters/logic/Resampling.h"

namespace cellforge::filters {

Volume binVolume(const Volume& input, int factor, FilterMode mode, const RunControl& control) {
    requireNotEmpty(input, "input image");
    if (factor < 1) throw InputError("factor must be at least 1, got " + std::to_string(factor));
    static const char* axisNames[3] = {"x", "y", "z"};
    Index3 f{factor, factor, mode == FilterMode::Volume3D ? factor : 1};
    Index3 outDims;
    for (int a = 0; a < 3; ++a) {
        const std::int64_t n = input.dims()[std::size_t(a)];
        if (n == 1) f[std::size_t(a)] = 1;
        if (n < f[std::size_t(a)])
            throw InputError("factor " + std::to_string(factor) + " is larger than the " + axisNames[a] +
                             " size of the image (" + std::to_string(n) + " voxels)");
        outDims[std::size_t(a)] = n / f[std::size_t(a)];
    }
    const Volume source = asFloat32(input);
    Volume out = uninitializedFloat32(outDims);
    out.setVoxelSize({input.voxelSize()[0] * double(f[0]), input.voxelSize()[1] * double(f[1]),
                      input.voxelSize()[2] * double(f[2])});
    out.setOrigin(input.origin());

    const std::int64_t nx = input.nx(), ny = input.ny();
    const std::int64_t mx = outDims[0], my = outDims[1];
    const double norm = 1.0 / double(f[0] * f[1] * f[2]);
    const float* in = source.data<float>();
    float* o = out.data<float>();
    std::vector<std::vector<double>> rows(std::size_t(control.threadCount()));
    parallelFor(
        outDims[2], control,
        [&](std::int64_t z, int worker) {
            std::vector<double>& sums = rows[std::size_t(worker)];
            for (std::int64_t y = 0; y < my; ++y) {
                sums.assign(std::size_t(mx), 0.0);
                for (std::int64_t dz = 0; dz < f[2]; ++dz)
                    for (std::int64_t dy = 0; dy < f[1]; ++dy) {
                        const float* row = in + ((z * f[2] + dz) * ny + (y * f[1] + dy)) * nx;
                        for (std::int64_t x = 0; x < mx; ++x) {
                            double s = 0;
                            for (std::int64_t dx = 0; dx < f[0]; ++dx) s += row[x * f[0] + dx];
                            sums[std::size_t(x)] += s;
                        }
                    }
                float* dst = o + (z * my + y) * mx;
                for (std::int64_t x = 0; x < mx; ++x) dst[x] = float(sums[std::size_t(x)] * norm);
            }
        },
        kReportEachItem);
    return out;
}

}  // namespace cellforge::filters
