// Connected components of a binary mask (6-, 18- or 26-connectivity), by a raster scan
// with union-find: the instances of a semantic class, and the regions of a complement
// when deciding whether a membrane is closed.
#pragma once

#include <cstdint>
#include <vector>

#include "plugins/metrics/logic/LabelGrid.h"

namespace cellforge::metrics {

struct Components {
    std::vector<std::uint32_t> ids;  // per voxel: 0 outside the mask, else 1..count
    std::uint32_t count = 0;
    std::vector<std::int64_t> sizes;  // voxels per id; sizes[0] is unused (0)
};

// Throws InputError unless connectivity is 6, 18 or 26. Ids are numbered in raster
// order of each component's first voxel (x fastest, then y, then z).
Components connectedComponents(const std::uint8_t* mask, const Dims3& dims, int connectivity,
                               const RunControl& control = {});

}  // namespace cellforge::metrics
