#include "core/imaging/DistanceTransform.h"

#include <cmath>
#include <limits>

#include "core/base/Parallel.h"

namespace cellforge::imaging {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Scratch space for one line of the lower-envelope pass.
struct EnvelopeScratch {
    std::vector<std::int64_t> v;  // sample index of each parabola in the envelope
    std::vector<double> z;        // where each parabola starts to be the lowest
    std::vector<double> lifted;   // f[q] + (w q)², so meeting points need one division
    std::vector<double> g;        // copy of the input line
    explicit EnvelopeScratch(std::size_t n) : v(n), z(n + 1), lifted(n), g(n) {}
};

// One line: f holds squared distances (or +inf) sampled every `w` Å; on return f holds
// min over q of (w (p - q))² + f[q] (Felzenszwalb and Huttenlocher's lower envelope).
void lowerEnvelope1D(double* f, std::int64_t n, double w, EnvelopeScratch& s) {
    const double w2 = w * w;
    std::int64_t k = -1;
    for (std::int64_t q = 0; q < n; ++q) {
        s.g[std::size_t(q)] = f[q];
        if (f[q] == kInf) continue;
        const double lq = f[q] + w2 * double(q) * double(q);
        s.lifted[std::size_t(q)] = lq;
        if (k < 0) {
            k = 0;
            s.v[0] = q;
            s.z[0] = -kInf;
            continue;
        }
        // Pop parabolas that the new one hides: their meeting point with q lies at or
        // before where they start. z[0] = -inf stops the loop.
        double meet;
        while (true) {
            const std::int64_t p = s.v[std::size_t(k)];
            meet = (lq - s.lifted[std::size_t(p)]) / (2.0 * w2 * double(q - p));
            if (meet > s.z[std::size_t(k)]) break;
            --k;
        }
        ++k;
        s.v[std::size_t(k)] = q;
        s.z[std::size_t(k)] = meet;
    }
    if (k < 0) return;  // no finite value on this line: stays +inf
    s.z[std::size_t(k) + 1] = kInf;
    std::int64_t j = 0;
    for (std::int64_t q = 0; q < n; ++q) {
        while (s.z[std::size_t(j) + 1] < double(q)) ++j;
        const std::int64_t p = s.v[std::size_t(j)];
        const double dq = w * double(q - p);
        f[q] = dq * dq + s.g[std::size_t(p)];
    }
}

// The pass along an axis of `n` samples `stride` apart, for lines starting at
// lineStart(l). Lines are taken in groups of up to kGroup that are adjacent in memory
// (consecutive x; groupsPerRow groups span a row, the last one lastWidth wide), gathered row by row into contiguous
// buffers so that every cache line read is used whole, transformed, and scattered back the same way.
template <typename LineStart>
void envelopePass(double* d, std::int64_t n, std::int64_t stride, std::int64_t groups, std::int64_t groupsPerRow,
                  std::int64_t groupWidth, std::int64_t lastWidth, LineStart lineStart, double w,
                  const RunControl& control) {
    parallelForBlocks(groups, control,
                      [&](std::int64_t g0, std::int64_t g1, int) {
                          const auto len = static_cast<std::size_t>(n);
                          EnvelopeScratch scratch(len);
                          std::vector<double> buf(len * std::size_t(groupWidth));
                          for (std::int64_t g = g0; g < g1; ++g) {
                              double* base = d + lineStart(g);
                              const std::int64_t width = g % groupsPerRow == groupsPerRow - 1 ? lastWidth : groupWidth;
                              for (std::int64_t i = 0; i < n; ++i) {
                                  const double* src = base + i * stride;
                                  for (std::int64_t c = 0; c < width; ++c) buf[std::size_t(c * n + i)] = src[c];
                              }
                              for (std::int64_t c = 0; c < width; ++c)
                                  lowerEnvelope1D(buf.data() + c * n, n, w, scratch);
                              for (std::int64_t i = 0; i < n; ++i) {
                                  double* dst = base + i * stride;
                                  for (std::int64_t c = 0; c < width; ++c) dst[c] = buf[std::size_t(c * n + i)];
                              }
                          }
                      },
                      {4, false});
}

}  // namespace

void squaredDistanceTransform(const std::uint8_t* feature, const Dims3& dims, const Spacing3& voxelSize,
                              std::vector<double>& out, const RunControl& control) {
    const std::int64_t nx = dims[0], ny = dims[1], nz = dims[2];
    out.resize(std::size_t(nx * ny * nz));
    double* d = out.data();

    // Pass 1, along x: distance to the nearest feature on the same row, by two sweeps.
    parallelForBlocks(ny * nz, control,
                      [&](std::int64_t r0, std::int64_t r1, int) {
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
                      },
                      {64, false});
    control.report(0.34);

    // Passes 2 and 3, along y then z, on groups of up to 16 neighbouring columns.
    constexpr std::int64_t kGroup = 16;
    const std::int64_t xGroups = (nx + kGroup - 1) / kGroup;
    const std::int64_t lastWidth = nx - (xGroups - 1) * kGroup;
    if (ny > 1)
        envelopePass(
            d, ny, nx, xGroups * nz, xGroups, kGroup, lastWidth,
            [&](std::int64_t g) {
                // Groups are numbered x group fastest, then z; the last group of
                // each plane may be narrower.
                return (g % xGroups) * kGroup + (g / xGroups) * nx * ny;
            },
            voxelSize[1], control);
    control.report(0.67);
    if (nz > 1)
        envelopePass(
            d, nz, nx * ny, xGroups * ny, xGroups, kGroup, lastWidth,
            [&](std::int64_t g) { return (g % xGroups) * kGroup + (g / xGroups) * nx; }, voxelSize[2], control);
    control.report(1.0);
}

}  // namespace cellforge::imaging
