// A read-only view of a 3D label array (x fastest, then y, then z) with its voxel size
// in Å: what the shared voxel algorithms and the metrics read. Plain C++ over
// core/base only, so any part of the project (the U-Net trainer included, which may
// build against LibTorch alone) can run them on its own buffers.
// core/imaging/Views.h makes a LabelGrid from a cellforge::LabelVolume.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/base/RunControl.h"

namespace cellforge::imaging {

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

// Axis names as the stages write them ("x", "y", "z") and back; throws InputError.
int axisFromName(const std::string& name);
const char* axisName(int axis);

}  // namespace cellforge::imaging
