// The input every metric reads: a read-only view of a 3D label array (x fastest, then y,
// then z) with its voxel size in Å, plus the run controls (threads, cancel, progress).
// Plain C++ with no CellForge library dependency, so any part of the project (the U-Net
// trainer included, which may build against LibTorch alone) can call the metrics on its
// own buffers. CoreViews.h makes a LabelGrid from a cellforge::LabelVolume.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace cellforge::metrics {

using Label = std::uint16_t;
using Dims3 = std::array<std::int64_t, 3>;
using Spacing3 = std::array<double, 3>;

struct LabelGrid {
    const Label* labels = nullptr;
    Dims3 dims{0, 0, 0};
    Spacing3 voxelSize{1.0, 1.0, 1.0};  // Å per axis

    std::int64_t voxelCount() const { return dims[0] * dims[1] * dims[2]; }
    std::int64_t index(std::int64_t x, std::int64_t y, std::int64_t z) const { return x + dims[0] * (y + dims[1] * z); }
};

// Throws InputError naming `name` when the grid has no data, a non-positive dimension or
// a voxel size that is not positive and finite.
void requireValidGrid(const LabelGrid& grid, const std::string& name);
// Throws InputError when the two grids differ in dimensions or in voxel size (relative
// tolerance 1e-4), naming both inputs and both values: metrics compare voxel by voxel,
// so resampling is the caller's decision, never done silently.
void requireSameGeometry(const LabelGrid& a, const std::string& nameA, const LabelGrid& b, const std::string& nameB);

// How a long computation is run: threads to use, a cancel flag polled between blocks
// (CancelledError is thrown when it is set) and a progress callback in [0, 1].
struct RunControl {
    int threads = 1;
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(double)> progress;

    bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
    void throwIfCancelled() const;
    void report(double fraction) const {
        if (progress) progress(fraction);
    }
};

// Axis names as the stages write them ("x", "y", "z") and back; throws InputError.
int axisFromName(const std::string& name);
const char* axisName(int axis);

}  // namespace cellforge::metrics
