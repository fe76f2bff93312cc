#include "plugins/filters/logic/GradientMagnitude.h"

#include <cmath>
#include <vector>

#include "core/base/Errors.h"
#include "core/base/Parallel.h"

namespace cellforge::filters {

GradientOperator gradientOperatorFromName(const std::string& name) {
    if (name == "central") return GradientOperator::Central;
    if (name == "sobel") return GradientOperator::Sobel;
    throw InputError("operator must be \"central\" or \"sobel\", got \"" + name + "\"");
}

Volume gradientMagnitude(const Volume& input, GradientOperator op, bool perAngstrom, FilterMode mode,
                         const RunControl& control) {
    requireNotEmpty(input, "input image");
    const Volume source = asFloat32(input);
    Volume out = uninitializedFloat32Like(input);
    const std::int64_t nx = input.nx(), ny = input.ny(), nz = input.nz();
    const bool threeD = mode == FilterMode::Volume3D;
    const double sx = perAngstrom ? 1.0 / input.voxelSize()[0] : 1.0;
    const double sy = perAngstrom ? 1.0 / input.voxelSize()[1] : 1.0;
    const double sz = perAngstrom ? 1.0 / input.voxelSize()[2] : 1.0;
    // Smoothing weights across the derivative: [1 2 1]/4 for Sobel, [0 1 0] for central.
    const bool sobel = op == GradientOperator::Sobel;
    const float w[3] = {sobel ? 0.25f : 0.f, sobel ? 0.5f : 1.f, sobel ? 0.25f : 0.f};
    const float* in = source.data<float>();
    float* o = out.data<float>();
    std::vector<std::vector<float>> scratch(std::size_t(control.threadCount()));

    parallelFor(
        ny * nz, control,
        [&](std::int64_t item, int worker) {
            const std::int64_t y = item % ny, z = item / ny;
            // rows[dz][dy]: the reflected neighbour rows, padded by one voxel at both ends.
            std::vector<float>& buffer = scratch[std::size_t(worker)];
            const std::int64_t stride = nx + 2;
            buffer.resize(std::size_t(9 * stride));
            const float* rows[3][3];
            for (int dz = -1; dz <= 1; ++dz)
                for (int dy = -1; dy <= 1; ++dy) {
                    float* dst = buffer.data() + ((dz + 1) * 3 + (dy + 1)) * stride;
                    const std::int64_t zz = threeD ? reflectIndex(z + dz, nz) : z;
                    const float* src = in + (zz * ny + reflectIndex(y + dy, ny)) * nx;
                    dst[0] = src[reflectIndex(-1, nx)];
                    for (std::int64_t x = 0; x < nx; ++x) dst[x + 1] = src[x];
                    dst[nx + 1] = src[reflectIndex(nx, nx)];
                    rows[dz + 1][dy + 1] = dst + 1;
                }
            float* dst = o + item * nx;
            for (std::int64_t x = 0; x < nx; ++x) {
                double gx = 0, gy = 0, gz = 0;
                for (int c = 0; c < 3; ++c) {
                    const double wz = threeD ? w[c] : (c == 1 ? 1.0 : 0.0);
                    if (wz == 0) continue;
                    for (int b = 0; b < 3; ++b) {
                        const float* row = rows[c][b];
                        gx += wz * w[b] * (row[x + 1] - row[x - 1]);
                    }
                    for (int a = 0; a < 3; ++a) gy += wz * w[a] * (rows[c][2][x + a - 1] - rows[c][0][x + a - 1]);
                }
                if (threeD)
                    for (int b = 0; b < 3; ++b)
                        for (int a = 0; a < 3; ++a) gz += w[b] * w[a] * (rows[2][b][x + a - 1] - rows[0][b][x + a - 1]);
                gx *= 0.5 * sx;
                gy *= 0.5 * sy;
                gz *= 0.5 * sz;
                dst[x] = float(std::sqrt(gx * gx + gy * gy + gz * gz));
            }
        },
        kReportEachItem);
    return out;
}

}  // namespace cellforge::filters
