#include "plugins/filters/logic/GaussianFilter.h"

#include "core/base/Errors.h"
#include "core/jobs/JobContext.h"
#include "plugins/filters/logic/Parallel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace cellforge::filters {

namespace {

// The hot loops, compiled for AVX2 and for the baseline; the loader picks one.
#define CELLFORGE_FILTERS_CLONES __attribute__((target_clones("avx2", "default")))

// out[x] = w[0] * rows[r][x] + sum_j w[j] * (rows[r - j][x] + rows[r + j][x]):
// one output row from 2r+1 input rows (a pass across rows: y or z).
CELLFORGE_FILTERS_CLONES
void convolveAcrossRows(float* __restrict out, const float* const* rows, const float* w, int r,
                        std::int64_t n) {
    const float* __restrict centre = rows[r];
    const float w0 = w[0];
    for (std::int64_t x = 0; x < n; ++x) out[x] = w0 * centre[x];
    for (int j = 1; j <= r; ++j) {
        const float* __restrict a = rows[r - j];
        const float* __restrict b = rows[r + j];
        const float wj = w[j];
        for (std::int64_t x = 0; x < n; ++x) out[x] += wj * (a[x] + b[x]);
    }
}

// out[x] = w[0] * p[x + r] + sum_j w[j] * (p[x + r - j] + p[x + r + j]), p padded by r
// on both sides (a pass along a row: x).
CELLFORGE_FILTERS_CLONES
void convolveAlongRow(float* __restrict out, const float* __restrict p, const float* w, int r,
                      std::int64_t n) {
    const float w0 = w[0];
    for (std::int64_t x = 0; x < n; ++x) out[x] = w0 * p[x + r];
    for (int j = 1; j <= r; ++j) {
        const float wj = w[j];
        const float* __restrict a = p + r - j;
        const float* __restrict b = p + r + j;
        for (std::int64_t x = 0; x < n; ++x) out[x] += wj * (a[x] + b[x]);
    }
}

// Half of a symmetric kernel as float: w[0] centre, w[j] the weight at distance j.
std::vector<float> halfKernel(double sigma, double truncate) {
    const std::vector<double> k = gaussianKernel1d(sigma, truncate);
    const int r = int(k.size() / 2);
    std::vector<float> half(std::size_t(r) + 1);
    for (int j = 0; j <= r; ++j) half[std::size_t(j)] = float(k[std::size_t(r + j)]);
    return half;
}

// The z pass: out = input convolved along z. Work items are blocks of rows (y) so that
// the 2r+1 input rows each output row needs stay in cache while z advances.
void passZ(const float* in, float* out, const Index3& dims, const std::vector<float>& w,
           int threads, const ProgressSpan& progress) {
    const std::int64_t nx = dims[0], ny = dims[1], nz = dims[2];
    const int r = int(w.size()) - 1;
    const std::int64_t rowsPerItem = 4;
    const std::int64_t items = (ny + rowsPerItem - 1) / rowsPerItem;
    parallelFor(items, threads, progress, [&](std::int64_t item, int) {
        std::vector<const float*> rows(std::size_t(2 * r + 1));
        const std::int64_t y0 = item * rowsPerItem, y1 = std::min(ny, y0 + rowsPerItem);
        for (std::int64_t z = 0; z < nz; ++z)
            for (std::int64_t y = y0; y < y1; ++y) {
                for (int j = -r; j <= r; ++j)
                    rows[std::size_t(j + r)] = in + (reflectIndex(z + j, nz) * ny + y) * nx;
                convolveAcrossRows(out + (z * ny + y) * nx, rows.data(), w.data(), r, nx);
            }
    });
}

// The y and x passes, one z-slice per work item: src slice → (y) scratch → (x) out slice.
// src may equal out (the slice is read completely before it is written).
void passYX(const float* src, float* out, const Index3& dims, const std::vector<float>& wy,
            const std::vector<float>& wx, int threads, const ProgressSpan& progress) {
    const std::int64_t nx = dims[0], ny = dims[1], nz = dims[2];
    const int ry = int(wy.size()) - 1, rx = int(wx.size()) - 1;
    std::vector<std::vector<float>> slices(std::size_t(std::max(1, threads)));
    std::vector<std::vector<float>> padded(std::size_t(std::max(1, threads)));
    parallelFor(nz, threads, progress, [&](std::int64_t z, int worker) {
        const float* s = src + z * ny * nx;
        float* o = out + z * ny * nx;
        std::vector<float>& slice = slices[std::size_t(worker)];
        std::vector<float>& pad = padded[std::size_t(worker)];
        const float* afterY = s;
        if (ry > 0) {
            slice.resize(std::size_t(nx * ny));
            std::vector<const float*> rows(std::size_t(2 * ry + 1));
            for (std::int64_t y = 0; y < ny; ++y) {
                for (int j = -ry; j <= ry; ++j)
                    rows[std::size_t(j + ry)] = s + reflectIndex(y + j, ny) * nx;
                convolveAcrossRows(slice.data() + y * nx, rows.data(), wy.data(), ry, nx);
            }
            afterY = slice.data();
        }
        if (rx > 0) {
            pad.resize(std::size_t(nx + 2 * rx));
            for (std::int64_t y = 0; y < ny; ++y) {
                const float* row = afterY + y * nx;
                for (std::int64_t i = 0; i < nx + 2 * rx; ++i) pad[std::size_t(i)] = row[reflectIndex(i - rx, nx)];
                convolveAlongRow(o + y * nx, pad.data(), wx.data(), rx, nx);
            }
        } else if (afterY != o) {
            std::memcpy(o, afterY, std::size_t(nx * ny) * sizeof(float));
        }
    });
}

}  // namespace

std::vector<double> gaussianKernel1d(double sigma, double truncate) {
    requireNonNegative("sigma", sigma);
    requirePositive("truncate", truncate);
    const int radius = int(truncate * sigma + 0.5);
    if (radius == 0 || sigma == 0) return {1.0};
    std::vector<double> k(std::size_t(2 * radius + 1));
    double sum = 0;
    for (int i = -radius; i <= radius; ++i) {
        const double v = std::exp(-0.5 / (sigma * sigma) * double(i) * double(i));
        k[std::size_t(i + radius)] = v;
        sum += v;
    }
    for (double& v : k) v /= sum;
    return k;
}

Volume gaussianFilter(const Volume& input, double sigma, FilterMode mode, JobContext& context,
                      double truncate) {
    requireNonNegative("sigma", sigma);
    const double sz = mode == FilterMode::Volume3D ? sigma : 0.0;
    return gaussianFilter(input, Vec3{sigma, sigma, sz}, context, truncate);
}

Volume gaussianFilter(const Volume& input, const Vec3& sigmaXYZ, JobContext& context, double truncate) {
    return gaussianFilter(input, sigmaXYZ, ProgressSpan(context), truncate);
}

Volume gaussianFilter(const Volume& input, const Vec3& sigmaXYZ, const ProgressSpan& progress,
                      double truncate) {
    requireNotEmpty(input, "input image");
    requireNonNegative("sigma (x)", sigmaXYZ[0]);
    requireNonNegative("sigma (y)", sigmaXYZ[1]);
    requireNonNegative("sigma (z)", sigmaXYZ[2]);
    requirePositive("truncate", truncate);
    progress.throwIfCancelled();

    const Volume source = asFloat32(input);
    Volume output = float32Like(input);
    const std::vector<float> wx = halfKernel(sigmaXYZ[0], truncate);
    const std::vector<float> wy = halfKernel(sigmaXYZ[1], truncate);
    const std::vector<float> wz = halfKernel(sigmaXYZ[2], truncate);
    const int threads = progress.threads();
    const bool doZ = wz.size() > 1;

    const float* in = source.data<float>();
    float* out = output.data<float>();
    if (doZ) {
        passZ(in, out, input.dims(), wz, threads, progress.sub(0.0, 0.5));
        passYX(out, out, input.dims(), wy, wx, threads, progress.sub(0.5, 1.0));
    } else {
        passYX(in, out, input.dims(), wy, wx, threads, progress);
    }
    return output;
}

}  // namespace cellforge::filters
