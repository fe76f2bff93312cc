// Exact Euclidean distance transform with anisotropic voxel sizes: the separable
// lower-envelope algorithm of Felzenszwalb and Huttenlocher (2012), one pass per axis,
// each pass split over lines across threads. Used by the surface distances and the
// membrane thickness.
#pragma once

#include <cstdint>
#include <vector>

#include "core/imaging/LabelGrid.h"

namespace cellforge::imaging {

// For every voxel of a box of `dims` voxels (x fastest), the squared distance in Å² from
// its centre to the centre of the nearest voxel where feature[i] != 0; +infinity when
// there is no feature voxel at all. `out` is resized to the voxel count.
void squaredDistanceTransform(const std::uint8_t* feature, const Dims3& dims, const Spacing3& voxelSize,
                              std::vector<double>& out, const RunControl& control = {});

}  // namespace cellforge::imaging
