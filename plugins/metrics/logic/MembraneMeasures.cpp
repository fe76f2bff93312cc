#include "plugins/metrics/logic/MembraneMeasures.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/base/Errors.h"
#include "core/imaging/ConnectedComponents.h"
#include "core/imaging/DistanceTransform.h"
#include "plugins/metrics/logic/SurfaceDistance.h"

namespace cellforge::metrics {

namespace {

struct Box {
    Dims3 lo{0, 0, 0}, hi{-1, -1, -1};  // inclusive
};

// Thickness figures of one membrane from the medial ridge of its distance map.
void measureThickness(const std::vector<std::uint8_t>& inside, const std::vector<double>& sq, const Dims3& n,
                      const Spacing3& s, MembraneRecord& rec, std::vector<double>& samples) {
    const std::int64_t stride[3] = {1, n[0], n[0] * n[1]};
    std::vector<double> own;
    for (std::int64_t z = 1; z < n[2] - 1; ++z)
        for (std::int64_t y = 1; y < n[1] - 1; ++y)
            for (std::int64_t x = 1; x < n[0] - 1; ++x) {
                const std::int64_t i = x + n[0] * (y + n[1] * z);
                if (!inside[std::size_t(i)] || !std::isfinite(sq[std::size_t(i)])) continue;
                const double d = std::sqrt(sq[std::size_t(i)]);
                int bestAxis = -1;
                double bestSharpness = 0;
                bool bestPlateau = false;
                for (int a = 0; a < 3; ++a) {
                    const double dm = std::sqrt(sq[std::size_t(i - stride[a])]);
                    const double dp = std::sqrt(sq[std::size_t(i + stride[a])]);
                    const double tol = 1e-9 * d;
                    if (!(d >= dm - tol && d >= dp - tol)) continue;
                    const bool plateau = std::abs(d - dm) <= tol || std::abs(d - dp) <= tol;
                    if (std::abs(d - dm) <= tol && std::abs(d - dp) <= tol) continue;  // flat: not a ridge along a
                    const double sharpness = (2 * d - dm - dp) / s[std::size_t(a)];
                    if (sharpness > bestSharpness) {
                        bestSharpness = sharpness;
                        bestAxis = a;
                        bestPlateau = plateau;
                    }
                }
                if (bestAxis < 0) continue;
                // A ridge along one axis can also be a convex face seen side-on; a medial
                // voxel has no neighbour much deeper than itself (slope below 1/2, where
                // the distance rises with slope 1 away from the faces).
                bool deeperNeighbour = false;
                for (int dz = -1; dz <= 1 && !deeperNeighbour; ++dz)
                    for (int dy = -1; dy <= 1 && !deeperNeighbour; ++dy)
                        for (int dx = -1; dx <= 1; ++dx) {
                            if (!dx && !dy && !dz) continue;
                            const double step =
                                std::sqrt(dx * dx * s[0] * s[0] + dy * dy * s[1] * s[1] + dz * dz * s[2] * s[2]);
                            const double dq = std::sqrt(sq[std::size_t(i + dx + n[0] * (dy + n[1] * dz))]);
                            if (dq >= d + 0.5 * step) {
                                deeperNeighbour = true;
                                break;
                            }
                        }
                if (deeperNeighbour) continue;
                own.push_back(bestPlateau ? 2 * d : 2 * d - s[std::size_t(bestAxis)]);
            }
    rec.medialVoxels = std::int64_t(own.size());
    if (own.empty()) {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        rec.thicknessMean = rec.thicknessMedian = rec.thicknessStd = rec.thicknessMin = rec.thicknessMax = nan;
        return;
    }
    double sum = 0, sum2 = 0;
    for (double t : own) sum += t, sum2 += t * t;
    rec.thicknessMean = sum / double(own.size());
    rec.thicknessStd = std::sqrt(std::max(0.0, sum2 / double(own.size()) - rec.thicknessMean * rec.thicknessMean));
    rec.thicknessMin = *std::min_element(own.begin(), own.end());
    rec.thicknessMax = *std::max_element(own.begin(), own.end());
    samples.insert(samples.end(), own.begin(), own.end());
    rec.thicknessMedian = percentileLinear(own, 50.0);
}

}  // namespace

MembraneResult measureMembranes(const LabelGrid& labels, const MembraneOptions& options, const RunControl& control) {
    requireValidGrid(labels, "labels");
    InstanceOptions io;
    io.source = options.source;
    io.label = options.label;
    io.connectivity = options.connectivity;
    const InstanceIds inst = instancesOf(labels, io, control.sub(0.0, 0.3));
    const int complementConnectivity = options.connectivity == 26 ? 6 : 26;
    const Dims3 d = labels.dims;

    // Bounding box of every instance.
    std::vector<Box> boxes(inst.sizes.size());
    for (auto& b : boxes) b.lo = {d[0], d[1], d[2]};
    for (std::int64_t z = 0; z < d[2]; ++z)
        for (std::int64_t y = 0; y < d[1]; ++y)
            for (std::int64_t x = 0; x < d[0]; ++x) {
                const std::uint32_t id = inst.ids[std::size_t(labels.index(x, y, z))];
                if (!id) continue;
                Box& b = boxes[id];
                b.lo = {std::min(b.lo[0], x), std::min(b.lo[1], y), std::min(b.lo[2], z)};
                b.hi = {std::max(b.hi[0], x), std::max(b.hi[1], y), std::max(b.hi[2], z)};
            }

    MembraneResult result;
    std::vector<std::uint8_t> inside, feature, complement;
    std::vector<double> sq;
    const double voxelVolume = labels.voxelSize[0] * labels.voxelSize[1] * labels.voxelSize[2];
    for (std::size_t k = 0; k < inst.present.size(); ++k) {
        control.throwIfCancelled();
        const std::uint32_t id = inst.present[k];
        if (inst.sizes[id] < options.minimumVoxels) continue;
        MembraneRecord rec;
        rec.id = id;
        rec.voxels = inst.sizes[id];
        // The box padded by one voxel on every side: the padding is outside the membrane,
        // so the complement's regions that reach it are open to the outside.
        const Box& b = boxes[id];
        const Dims3 lo{b.lo[0] - 1, b.lo[1] - 1, b.lo[2] - 1};
        const Dims3 n{b.hi[0] - b.lo[0] + 3, b.hi[1] - b.lo[1] + 3, b.hi[2] - b.lo[2] + 3};
        const std::int64_t count = n[0] * n[1] * n[2];
        inside.assign(std::size_t(count), 0);
        feature.assign(std::size_t(count), 0);
        complement.assign(std::size_t(count), 0);
        for (std::int64_t z = 0; z < n[2]; ++z)
            for (std::int64_t y = 0; y < n[1]; ++y)
                for (std::int64_t x = 0; x < n[0]; ++x) {
                    const std::int64_t gx = lo[0] + x, gy = lo[1] + y, gz = lo[2] + z;
                    const std::int64_t i = x + n[0] * (y + n[1] * z);
                    const bool inVolume = gx >= 0 && gy >= 0 && gz >= 0 && gx < d[0] && gy < d[1] && gz < d[2];
                    const bool member = inVolume && inst.ids[std::size_t(labels.index(gx, gy, gz))] == id;
                    inside[std::size_t(i)] = member;
                    complement[std::size_t(i)] = !member;
                    feature[std::size_t(i)] = inVolume && !member;
                }

        RunControl quiet = control;
        quiet.progress = nullptr;
        squaredDistanceTransform(feature.data(), n, labels.voxelSize, sq, quiet);
        measureThickness(inside, sq, n, labels.voxelSize, rec, result.thicknessSamples);

        const Components regions = connectedComponents(complement.data(), n, complementConnectivity, quiet);
        std::vector<std::uint8_t> open(std::size_t(regions.count) + 1, 0);
        for (std::int64_t z = 0; z < n[2]; ++z)
            for (std::int64_t y = 0; y < n[1]; ++y)
                for (std::int64_t x = 0; x < n[0]; ++x) {
                    if (x != 0 && y != 0 && z != 0 && x != n[0] - 1 && y != n[1] - 1 && z != n[2] - 1) continue;
                    open[regions.ids[std::size_t(x + n[0] * (y + n[1] * z))]] = 1;
                }
        for (std::uint32_t r = 1; r <= regions.count; ++r) {
            if (open[r]) continue;
            ++rec.enclosedRegions;
            rec.enclosedVoxels += regions.sizes[r];
        }
        rec.closed = rec.enclosedRegions > 0;
        rec.enclosedVolume = double(rec.enclosedVoxels) * voxelVolume;
        result.membranes.push_back(rec);
        control.report(0.3 + 0.7 * double(k + 1) / double(inst.present.size()));
    }
    control.report(1.0);
    return result;
}

Histogram histogramOf(const std::vector<double>& samples, double binWidth) {
    if (!(binWidth > 0) || !std::isfinite(binWidth))
        throw InputError("histogram bin width " + std::to_string(binWidth) + " must be positive");
    Histogram h;
    h.binWidth = binWidth;
    if (samples.empty()) return h;
    const double lo = std::floor(*std::min_element(samples.begin(), samples.end()) / binWidth) * binWidth;
    const double hi = *std::max_element(samples.begin(), samples.end());
    const std::size_t bins = std::size_t(std::floor((hi - lo) / binWidth)) + 1;
    if (bins > 100000) throw InputError("histogram bin width " + std::to_string(binWidth) + " Å gives too many bins");
    h.counts.assign(bins, 0);
    for (std::size_t i = 0; i < bins; ++i) h.binStart.push_back(lo + double(i) * binWidth);
    for (double v : samples) {
        const std::size_t i = std::min(bins - 1, std::size_t(std::floor((v - lo) / binWidth)));
        ++h.counts[i];
    }
    return h;
}

}  // namespace cellforge::metrics
