// Connected components of a binary mask (6-, 18- or 26-connectivity), by one raster
// scan with union-find (linear in the voxels): the instances of a semantic class, the
// regions of a complement when deciding whether a membrane is closed, the pieces of a
// label to mesh, the membrane components to fit. The one implementation in CellForge.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/imaging/LabelGrid.h"

namespace cellforge::imaging {

struct Components {
    std::vector<std::uint32_t> ids;  // per voxel: 0 outside the mask, else 1..count
    std::uint32_t count = 0;
    std::vector<std::int64_t> sizes;  // voxels per id; sizes[0] is unused (0)
    // Inclusive voxel bounds {lo, hi} per id; boxes[0] is unused.
    std::vector<std::array<Dims3, 2>> boxes;
};

// Throws InputError unless connectivity is 6, 18 or 26. Ids are numbered in raster
// order of each component's first voxel (x fastest, then y, then z).
Components connectedComponents(const std::uint8_t* mask, const Dims3& dims, int connectivity,
                               const RunControl& control = {});

}  // namespace cellforge::imaging
