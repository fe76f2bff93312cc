// Median filter over a (2r+1)³ box (or a (2r+1)² square per slice), borders by
// reflection as scipy.ndimage.median_filter's default mode 'reflect'. Exact: the result
// is the middle value of the window, computed by branch-free comparator networks run
// on many voxels at once, multithreaded.
#pragma once

#include "plugins/filters/logic/FilterCommon.h"

namespace cellforge::filters {

// radius in voxels (0 copies the input). Output float32, same geometry.
// Throws InputError for a negative radius.
Volume medianFilter(const Volume& input, int radius, FilterMode mode, const RunControl& control);

// The largest window (voxel count) handled by comparator networks; larger windows use a
// per-voxel selection (std::nth_element), slower but with the same result.
constexpr int kMedianNetworkMaxWindow = 1331;

}  // namespace cellforge::filters
