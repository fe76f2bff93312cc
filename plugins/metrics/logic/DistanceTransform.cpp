#include "plugins/metrics/logic/DistanceTransform.h"

#include "plugins/metrics/logic/Parallel.h"

#include <cmath>
#include <limits>

namespace cellforge::metrics {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// One line: f holds squared distances (or +inf) sampled every `w` Å; on return f holds
// min over q of (w (p - q))² + f[q]. v, z are scratch (n and n + 1 entries).
void lowerEnvelope1D(double* f, std::int64_t n, double w, std::vector<std::int64_t>& v, std::vector<double>& z,
                     std::vector<double>& g) {
    const double w2 = w * w;
    std::int64_t k = -1;
    for (std::int64_t q = 0; q < n; ++q) {
        if (f[q] == kInf) continue;
        if (k < 0) {
            k = 0;
            v[0] = q;
            z[0] = -kInf;
            z[1] = kInf;
            continue;
        }
        // Where the parabolas from v[k] and q meet, in samples; z[0] = -inf stops the loop.
        auto meet = [&](std::int64_t p) {
            return ((f[q] + w2 * double(q) * double(q)) - (f[p] + w2 * double(p) * double(p))) /
                   (2.0 * w2 * double(q - p));
        };
        double s = meet(v[std::size_t(k)]);
        while (s <= z[std::size_t(k)]) {
            --k;
            s = meet(v[std::size_t(k)]);
        }
        ++k;
        v[std::size_t(k)] = q;
        z[std::size_t(k)] = s;
        z[std::size_t(k) + 1] = kInf;
    }
    if (k < 0) return;  // no finite value on this line: stays +inf
    for (std::int64_t q = 0; q < n; ++q) g[std::size_t(q)] = f[q];
    std::int64_t j = 0;
    for (std::int64_t q = 0; q < n; ++q) {
        while (z[std::size_t(j) + 1] < double(q)) ++j;
        const std::int64_t p = v[std::size_t(j)];
        const double dq = w * double(q - p);
        f[q] = dq * dq + g[std::size_t(p)];
    }
}

}  // namespace

void squaredDistanceTransform(const std::uint8_t* feature, const Dims3& dims, const Spacing3& voxelSize,
                              std::vector<double>& out, const RunControl& control) {
    const std::int64_t nx = dims[0], ny = dims[1], nz = dims[2];
    out.resize(std::size_t(nx * ny * nz));
    double* d = out.data();

    // Pass 1, along x: distance to the nearest feature on the same row, by two sweeps.
    parallelFor(ny * nz, 64, control, [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
            const std::uint8_t* f = feature + r * nx;
            double* row = d + r * nx;
            std::int64_t last = -1;
            for (std::int64_t x = 0; x < nx; ++x) {
                if (f[x]) last = x;
                row[x] = last < 0 ? kInf : double(x - last);
            }
            last = -1;
            for (std::int64_t x = nx - 1; x >= 0; --x) {
                if (f[x]) last = x;
                if (last >= 0 && double(last - x) < row[x]) row[x] = double(last - x);
                const double dx = row[x] * voxelSize[0];
                row[x] = row[x] == kInf ? kInf : dx * dx;
            }
        }
    });
    control.report(0.34);

    // Passes 2 and 3, along y then z: lines gathered into a contiguous buffer. Columns
    // next to each other in x are taken in order so their cache lines are reused.
    auto pass = [&](std::int64_t n, std::int64_t stride, std::int64_t lineCount, auto lineStart, double w) {
        parallelFor(lineCount, 256, control, [&](std::int64_t l0, std::int64_t l1) {
            const auto len = static_cast<std::size_t>(n);
            std::vector<double> buf(len), g(len), z(len + 1);
            std::vector<std::int64_t> v(len);
            for (std::int64_t l = l0; l < l1; ++l) {
                double* base = d + lineStart(l);
                bool any = false;
                for (std::int64_t i = 0; i < n; ++i) {
                    buf[std::size_t(i)] = base[i * stride];
                    any |= buf[std::size_t(i)] != kInf;
                }
                if (!any) continue;
                lowerEnvelope1D(buf.data(), n, w, v, z, g);
                for (std::int64_t i = 0; i < n; ++i) base[i * stride] = buf[std::size_t(i)];
            }
        });
    };
    if (ny > 1)
        pass(ny, nx, nx * nz, [&](std::int64_t l) { return (l % nx) + (l / nx) * nx * ny; }, voxelSize[1]);
    control.report(0.67);
    if (nz > 1) pass(nz, nx * ny, nx * ny, [&](std::int64_t l) { return l; }, voxelSize[2]);
    control.report(1.0);
}

}  // namespace cellforge::metrics
