#include "plugins/filters/logic/MedianFilter.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/base/Errors.h"
#include "core/base/Parallel.h"
#include "plugins/filters/logic/SortingNetwork.h"

namespace cellforge::filters {

namespace {

// Voxels processed together by the merging network; wire buffers are [wire][kChunk].
constexpr std::int64_t kChunk = 64;

#define CELLFORGE_FILTERS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

// Runs `ops` on wires laid out as base + wire * stride, each `length` floats long.
// Every comparator writes both results, even where only one is used later: written
// as "store only where it changes", GCC emits masked stores behind branches, slower.
CELLFORGE_FILTERS_CLONES
void runNetwork(const CompareExchange* ops, std::size_t count, float* base, std::int64_t stride, std::int64_t length) {
    for (std::size_t k = 0; k < count; ++k) {
        float* __restrict a = base + std::int64_t(ops[k].lo) * stride;
        float* __restrict b = base + std::int64_t(ops[k].hi) * stride;
        for (std::int64_t i = 0; i < length; ++i) {
            const float x = a[i], y = b[i];
            a[i] = y < x ? y : x;
            b[i] = y < x ? x : y;
        }
    }
}

// The same with the wire length fixed at kChunk, so the loops compile to straight SIMD.
CELLFORGE_FILTERS_CLONES
void runNetworkChunk(const CompareExchange* ops, std::size_t count, float* base) {
    for (std::size_t k = 0; k < count; ++k) {
        float* __restrict a = base + std::int64_t(ops[k].lo) * kChunk;
        float* __restrict b = base + std::int64_t(ops[k].hi) * kChunk;
        for (std::int64_t i = 0; i < kChunk; ++i) {
            const float x = a[i], y = b[i];
            a[i] = y < x ? y : x;
            b[i] = y < x ? x : y;
        }
    }
}

// The window as P "patches" (one value per (dy, dz) offset) at 2r+1 x-offsets. For
// each output row, every patch position along the row is sorted once (a sorting
// network over P wires, run across the whole row), and each output voxel's median is
// then taken from the 2r+1 sorted patches around it (a merging network pruned to the
// middle output, run kChunk voxels at a time).
struct MedianPlan {
    int radius = 0;
    std::vector<std::int64_t> dy, dz;  // patch offsets, P of them
    ComparatorNetwork patchSort;
    std::vector<CompareExchange> merge;      // pruned
    std::vector<std::uint32_t> mergeInputs;  // wires the pruned merge reads
    std::uint32_t medianWire = 0;
};

MedianPlan makePlan(int radius, FilterMode mode) {
    MedianPlan plan;
    plan.radius = radius;
    for (int z = -radius; z <= radius; ++z) {
        if (mode == FilterMode::Slices2D && z != 0) continue;
        for (int y = -radius; y <= radius; ++y) {
            plan.dy.push_back(y);
            plan.dz.push_back(z);
        }
    }
    const std::uint32_t patch = std::uint32_t(plan.dy.size());
    const std::uint32_t width = std::uint32_t(2 * radius + 1);
    plan.patchSort = sortingNetwork(patch);
    const ComparatorNetwork merge = mergingNetwork(width, patch);
    const std::uint32_t wires = patch * width;
    std::vector<bool> used;
    plan.medianWire = merge.order[wires / 2];
    plan.merge = pruneForOutput(merge.ops, wires, plan.medianWire, &used);
    for (std::uint32_t w = 0; w < wires; ++w)
        if (used[w]) plan.mergeInputs.push_back(w);
    return plan;
}

struct MedianScratch {
    std::vector<float> patches;        // [P][paddedLength]: values, then sorted in place
    std::vector<float> wires;          // [P * (2r+1)][kChunk]
    std::vector<const float*> ranked;  // ranked[k]: the row of k-th smallest patch values
};

void medianRow(const float* in, float* out, const Index3& dims, std::int64_t y, std::int64_t z, const MedianPlan& plan,
               MedianScratch& s) {
    const std::int64_t nx = dims[0], ny = dims[1], nz = dims[2];
    const std::int64_t r = plan.radius;
    const std::size_t patch = plan.dy.size();
    const std::int64_t chunks = (nx + kChunk - 1) / kChunk;
    const std::int64_t padded = chunks * kChunk + 2 * r;  // covers x - r .. last chunk + r

    s.patches.resize(patch * std::size_t(padded));
    for (std::size_t q = 0; q < patch; ++q) {
        const float* src = in + (reflectIndex(z + plan.dz[q], nz) * ny + reflectIndex(y + plan.dy[q], ny)) * nx;
        float* dst = s.patches.data() + q * std::size_t(padded);
        for (std::int64_t i = 0; i < r; ++i) dst[i] = src[reflectIndex(i - r, nx)];
        std::memcpy(dst + r, src, std::size_t(nx) * sizeof(float));
        for (std::int64_t i = nx + r; i < padded; ++i) dst[i] = src[reflectIndex(i - r, nx)];
    }
    runNetwork(plan.patchSort.ops.data(), plan.patchSort.ops.size(), s.patches.data(), padded, padded);
    s.ranked.resize(patch);
    for (std::size_t k = 0; k < patch; ++k)
        s.ranked[k] = s.patches.data() + std::size_t(plan.patchSort.order[k]) * std::size_t(padded);

    s.wires.resize(patch * std::size_t(2 * r + 1) * std::size_t(kChunk));
    for (std::int64_t c = 0; c < chunks; ++c) {
        const std::int64_t x0 = c * kChunk;
        // Wire p * P + k: the k-th smallest of the patch at x-offset p - r.
        for (std::uint32_t w : plan.mergeInputs) {
            const std::size_t p = w / patch, k = w % patch;
            std::memcpy(s.wires.data() + std::size_t(w) * kChunk, s.ranked[k] + x0 + std::int64_t(p),
                        kChunk * sizeof(float));
        }
        runNetworkChunk(plan.merge.data(), plan.merge.size(), s.wires.data());
        const std::int64_t n = std::min(kChunk, nx - x0);
        std::memcpy(out + x0, s.wires.data() + std::size_t(plan.medianWire) * kChunk, std::size_t(n) * sizeof(float));
    }
}

// Large windows: gather each window and select its middle value.
void medianRowBySelection(const float* in, float* out, const Index3& dims, std::int64_t y, std::int64_t z, int radius,
                          FilterMode mode, std::vector<float>& window) {
    const std::int64_t nx = dims[0], ny = dims[1], nz = dims[2];
    const std::int64_t rz = mode == FilterMode::Volume3D ? radius : 0;
    for (std::int64_t x = 0; x < nx; ++x) {
        window.clear();
        for (std::int64_t dz = -rz; dz <= rz; ++dz) {
            const std::int64_t zz = reflectIndex(z + dz, nz);
            for (std::int64_t dy = -radius; dy <= radius; ++dy) {
                const float* row = in + (zz * ny + reflectIndex(y + dy, ny)) * nx;
                for (std::int64_t dx = -radius; dx <= radius; ++dx) window.push_back(row[reflectIndex(x + dx, nx)]);
            }
        }
        auto mid = window.begin() + std::ptrdiff_t(window.size() / 2);
        std::nth_element(window.begin(), mid, window.end());
        out[x] = *mid;
    }
}

}  // namespace

Volume medianFilter(const Volume& input, int radius, FilterMode mode, const RunControl& control) {
    requireNotEmpty(input, "input image");
    if (radius < 0) throw InputError("radius must not be negative, got " + std::to_string(radius));
    control.throwIfCancelled();
    const Volume source = asFloat32(input);
    Volume output = uninitializedFloat32Like(input);
    const float* in = source.data<float>();
    float* out = output.data<float>();
    const Index3 dims = input.dims();
    if (radius == 0) {
        std::memcpy(out, in, std::size_t(input.voxelCount()) * sizeof(float));
        control.report(1.0);
        return output;
    }
    const std::int64_t side = 2 * std::int64_t(radius) + 1;
    const std::int64_t window = mode == FilterMode::Volume3D ? side * side * side : side * side;
    const std::int64_t rows = dims[1] * dims[2];
    const std::size_t workers = std::size_t(control.threadCount());

    if (window <= kMedianNetworkMaxWindow) {
        const MedianPlan plan = makePlan(radius, mode);
        std::vector<MedianScratch> scratch(workers);
        parallelFor(
            rows, control,
            [&](std::int64_t row, int worker) {
                const std::int64_t y = row % dims[1], z = row / dims[1];
                medianRow(in, out + row * dims[0], dims, y, z, plan, scratch[std::size_t(worker)]);
            },
            kReportEachItem);
    } else {
        std::vector<std::vector<float>> windows(workers);
        parallelFor(
            rows, control,
            [&](std::int64_t row, int worker) {
                const std::int64_t y = row % dims[1], z = row / dims[1];
                medianRowBySelection(in, out + row * dims[0], dims, y, z, radius, mode, windows[std::size_t(worker)]);
            },
            kReportEachItem);
    }
    return output;
}

}  // namespace cellforge::filters
