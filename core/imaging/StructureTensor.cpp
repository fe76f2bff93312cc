#include "core/imaging/StructureTensor.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/base/Errors.h"
#include "core/base/Parallel.h"

namespace cellforge::imaging {

namespace {

// A dense float field over a box of voxels, x fastest.
struct Field {
    Dims3 size{0, 0, 0};
    std::vector<float> values;

    explicit Field(const Dims3& s) : size(s), values(std::size_t(s[0] * s[1] * s[2]), 0.0f) {}
    std::int64_t index(std::int64_t x, std::int64_t y, std::int64_t z) const { return x + size[0] * (y + size[1] * z); }
};

std::vector<float> gaussianKernel(double sigma) {
    const int radius = sigma > 0 ? int(std::ceil(3.0 * sigma)) : 0;
    std::vector<float> k(std::size_t(2 * radius + 1), 1.0f);
    if (radius == 0) return k;
    double sum = 0;
    for (int i = -radius; i <= radius; ++i) sum += std::exp(-double(i * i) / (2 * sigma * sigma));
    for (int i = -radius; i <= radius; ++i)
        k[std::size_t(i + radius)] = float(std::exp(-double(i * i) / (2 * sigma * sigma)) / sum);
    return k;
}

std::int64_t radiusOf(const std::vector<float>& kernel) { return std::int64_t(kernel.size() / 2); }

// Convolution along one axis, keeping only the samples the kernel covers whole: the
// field shrinks by the kernel's radius on both sides of that axis.
Field convolveAxis(const Field& in, int axis, const std::vector<float>& kernel) {
    const std::int64_t r = radiusOf(kernel);
    if (r == 0) return in;
    Dims3 size = in.size;
    size[std::size_t(axis)] -= 2 * r;
    Field out(size);
    const std::int64_t stride = axis == 0 ? 1 : axis == 1 ? in.size[0] : in.size[0] * in.size[1];
    for (std::int64_t z = 0; z < size[2]; ++z)
        for (std::int64_t y = 0; y < size[1]; ++y)
            for (std::int64_t x = 0; x < size[0]; ++x) {
                const float* src = in.values.data() + in.index(x, y, z);  // the window's first sample
                float sum = 0;
                for (std::size_t j = 0; j < kernel.size(); ++j) sum += kernel[j] * src[std::int64_t(j) * stride];
                out.values[std::size_t(out.index(x, y, z))] = sum;
            }
    return out;
}

Field smooth(Field f, const std::vector<float>& kernel, bool inPlane) {
    f = convolveAxis(f, 0, kernel);
    f = convolveAxis(f, 1, kernel);
    if (!inPlane) f = convolveAxis(f, 2, kernel);
    return f;
}

// The tensors of one box; `tile` is a sub-box of the caller's box, written into `out`.
void tensorsOfTile(const std::uint8_t* mask, const Dims3& dims, const VoxelBox& box, const VoxelBox& tile,
                   const StructureTensorSettings& s, const std::vector<float>& gradientKernel,
                   const std::vector<float>& integrationKernel, std::vector<SymmetricTensor3>& out) {
    const std::int64_t rg = radiusOf(gradientKernel), ri = radiusOf(integrationKernel);
    const std::int64_t reach = rg + 1 + ri;
    const Dims3 margin{reach, reach, s.inPlane ? 0 : reach};
    Dims3 lo, size;
    for (int a = 0; a < 3; ++a) {
        lo[a] = tile.lo[a] - margin[a];
        size[a] = tile.hi[a] - tile.lo[a] + 1 + 2 * margin[a];
    }
    Field field(size);
    for (std::int64_t z = 0; z < size[2]; ++z) {
        const std::int64_t gz = lo[2] + z;
        if (gz < 0 || gz >= dims[2]) continue;
        for (std::int64_t y = 0; y < size[1]; ++y) {
            const std::int64_t gy = lo[1] + y;
            if (gy < 0 || gy >= dims[1]) continue;
            const std::uint8_t* row = mask + dims[0] * (gy + dims[1] * gz);
            for (std::int64_t x = std::max<std::int64_t>(0, -lo[0]); x < size[0] && lo[0] + x < dims[0]; ++x)
                field.values[std::size_t(field.index(x, y, z))] = row[lo[0] + x] ? 1.0f : 0.0f;
        }
    }
    const Field smoothed = smooth(std::move(field), gradientKernel, s.inPlane);

    // Central differences shrink the field by one voxel per side (not along z in plane).
    const std::int64_t dz = s.inPlane ? 0 : 1;
    const Dims3 gsize{smoothed.size[0] - 2, smoothed.size[1] - 2, smoothed.size[2] - 2 * dz};
    std::vector<Field> products(6, Field(gsize));
    const std::int64_t sy = smoothed.size[0], sz = smoothed.size[0] * smoothed.size[1];
    for (std::int64_t z = 0; z < gsize[2]; ++z)
        for (std::int64_t y = 0; y < gsize[1]; ++y)
            for (std::int64_t x = 0; x < gsize[0]; ++x) {
                const float* c = smoothed.values.data() + smoothed.index(x + 1, y + 1, z + dz);
                const float gx = 0.5f * (c[1] - c[-1]), gy = 0.5f * (c[sy] - c[-sy]);
                const float gzv = dz ? 0.5f * (c[sz] - c[-sz]) : 0.0f;
                const std::size_t i = std::size_t(products[0].index(x, y, z));
                products[0].values[i] = gx * gx;
                products[1].values[i] = gx * gy;
                products[2].values[i] = gx * gzv;
                products[3].values[i] = gy * gy;
                products[4].values[i] = gy * gzv;
                products[5].values[i] = gzv * gzv;
            }
    std::vector<Field> integrated;
    for (auto& p : products) integrated.push_back(smooth(std::move(p), integrationKernel, s.inPlane));

    const Dims3 boxSize{box.hi[0] - box.lo[0] + 1, box.hi[1] - box.lo[1] + 1, box.hi[2] - box.lo[2] + 1};
    const Field& f0 = integrated[0];
    for (std::int64_t z = 0; z < f0.size[2]; ++z)
        for (std::int64_t y = 0; y < f0.size[1]; ++y)
            for (std::int64_t x = 0; x < f0.size[0]; ++x) {
                const std::size_t i = std::size_t(f0.index(x, y, z));
                const std::int64_t bx = tile.lo[0] - box.lo[0] + x, by = tile.lo[1] - box.lo[1] + y,
                                   bz = tile.lo[2] - box.lo[2] + z;
                SymmetricTensor3& t = out[std::size_t(bx + boxSize[0] * (by + boxSize[1] * bz))];
                t.xx = integrated[0].values[i];
                t.xy = integrated[1].values[i];
                t.xz = integrated[2].values[i];
                t.yy = integrated[3].values[i];
                t.yz = integrated[4].values[i];
                t.zz = integrated[5].values[i];
            }
}

// Cyclic Jacobi rotations on a symmetric 3×3 matrix: a becomes diagonal, v holds the
// eigenvectors as columns.
void jacobi(double a[3][3], double v[3][3]) {
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) v[i][j] = i == j ? 1.0 : 0.0;
    for (int sweep = 0; sweep < 50; ++sweep) {
        const double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
        const double diag = a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2];
        if (off <= 1e-30 * diag || off == 0.0) return;
        for (int p = 0; p < 2; ++p)
            for (int q = p + 1; q < 3; ++q) {
                if (a[p][q] == 0.0) continue;
                const double theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
                const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
                for (int k = 0; k < 3; ++k) {  // a <- a J
                    const double akp = a[k][p], akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for (int k = 0; k < 3; ++k) {  // a <- J^T a
                    const double apk = a[p][k], aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for (int k = 0; k < 3; ++k) {
                    const double vkp = v[k][p], vkq = v[k][q];
                    v[k][p] = c * vkp - s * vkq;
                    v[k][q] = s * vkp + c * vkq;
                }
            }
    }
}

}  // namespace

Eigensystem3 eigensystem(const SymmetricTensor3& t) {
    double a[3][3] = {{t.xx, t.xy, t.xz}, {t.xy, t.yy, t.yz}, {t.xz, t.yz, t.zz}};
    double v[3][3];
    jacobi(a, v);
    int order[3] = {0, 1, 2};
    std::sort(order, order + 3, [&](int i, int j) { return a[i][i] > a[j][j]; });
    Eigensystem3 e;
    for (int k = 0; k < 3; ++k) {
        e.values[std::size_t(k)] = a[order[k]][order[k]];
        for (int c = 0; c < 3; ++c) e.vectors[std::size_t(k)][std::size_t(c)] = v[c][order[k]];
    }
    return e;
}

std::int64_t structureTensorReach(const StructureTensorSettings& s) {
    return radiusOf(gaussianKernel(s.gradientSigma)) + 1 + radiusOf(gaussianKernel(s.integrationSigma));
}

std::vector<SymmetricTensor3> structureTensors(const std::uint8_t* mask, const Dims3& dims, const VoxelBox& box,
                                               const StructureTensorSettings& s, const RunControl& control) {
    if (!(s.gradientSigma >= 0) || !(s.integrationSigma >= 0) || !std::isfinite(s.gradientSigma) ||
        !std::isfinite(s.integrationSigma))
        throw InputError("structure tensor: the sigmas must be finite and >= 0 (gradient " +
                         std::to_string(s.gradientSigma) + ", integration " + std::to_string(s.integrationSigma) + ")");
    for (int a = 0; a < 3; ++a)
        if (box.lo[a] < 0 || box.hi[a] >= dims[a] || box.lo[a] > box.hi[a])
            throw InputError("structure tensor: the box [" + std::to_string(box.lo[a]) + ", " +
                             std::to_string(box.hi[a]) + "] along axis " + axisName(a) + " is not within 0.." +
                             std::to_string(dims[a] - 1));
    const std::vector<float> gk = gaussianKernel(s.gradientSigma), ik = gaussianKernel(s.integrationSigma);
    std::vector<SymmetricTensor3> out(std::size_t(box.voxelCount()));
    // Tiles of 32³ voxels: the margin a tile reads twice stays small, and so does its scratch.
    constexpr std::int64_t kTile = 32;
    Dims3 tiles;
    for (int a = 0; a < 3; ++a) tiles[a] = (box.hi[a] - box.lo[a] + kTile) / kTile;
    parallelFor(tiles[0] * tiles[1] * tiles[2], control,
                [&](std::int64_t t, int) {
                    const Dims3 at{t % tiles[0], (t / tiles[0]) % tiles[1], t / (tiles[0] * tiles[1])};
                    VoxelBox tile;
                    for (int a = 0; a < 3; ++a) {
                        tile.lo[a] = box.lo[a] + at[a] * kTile;
                        tile.hi[a] = std::min(box.hi[a], tile.lo[a] + kTile - 1);
                    }
                    tensorsOfTile(mask, dims, box, tile, s, gk, ik, out);
                },
                {1, true});
    return out;
}

SurfaceOrientation surfaceFromStructureTensor(const SymmetricTensor3& t) {
    const Eigensystem3 e = eigensystem(t);
    SurfaceOrientation o;
    o.normal = e.vectors[0];
    o.planarity = e.values[0] > 0 ? std::clamp((e.values[0] - e.values[1]) / e.values[0], 0.0, 1.0) : 0.0;
    return o;
}

void MomentAccumulator::add(double x, double y, double z) {
    ++n_;
    s_[0] += x, s_[1] += y, s_[2] += z;
    ss_[0] += x * x, ss_[1] += x * y, ss_[2] += x * z;
    ss_[3] += y * y, ss_[4] += y * z, ss_[5] += z * z;
}

std::array<double, 3> MomentAccumulator::mean() const {
    if (n_ == 0) return {0, 0, 0};
    return {s_[0] / double(n_), s_[1] / double(n_), s_[2] / double(n_)};
}

SymmetricTensor3 MomentAccumulator::covariance() const {
    SymmetricTensor3 c;
    if (n_ < 2) return c;
    const auto m = mean();
    const double n = double(n_);
    c.xx = float(ss_[0] / n - m[0] * m[0]);
    c.xy = float(ss_[1] / n - m[0] * m[1]);
    c.xz = float(ss_[2] / n - m[0] * m[2]);
    c.yy = float(ss_[3] / n - m[1] * m[1]);
    c.yz = float(ss_[4] / n - m[1] * m[2]);
    c.zz = float(ss_[5] / n - m[2] * m[2]);
    return c;
}

SurfaceOrientation surfaceFromMoments(const SymmetricTensor3& c, bool inPlane) {
    SurfaceOrientation o;
    if (inPlane) {
        // The 2×2 xy block: major axis at angle theta, the normal across it.
        const double xx = c.xx, yy = c.yy, xy = c.xy;
        const double root = std::sqrt((xx - yy) * (xx - yy) + 4 * xy * xy);
        const double major = 0.5 * (xx + yy + root), minor = 0.5 * (xx + yy - root);
        const double theta = 0.5 * std::atan2(2 * xy, xx - yy);
        o.normal = {-std::sin(theta), std::cos(theta), 0.0};
        o.planarity = major > 0 ? std::clamp(1.0 - minor / major, 0.0, 1.0) : 0.0;
        return o;
    }
    const Eigensystem3 e = eigensystem(c);
    o.normal = e.vectors[2];
    o.planarity = e.values[1] > 0 ? std::clamp(1.0 - e.values[2] / e.values[1], 0.0, 1.0) : 0.0;
    return o;
}

}  // namespace cellforge::imaging
