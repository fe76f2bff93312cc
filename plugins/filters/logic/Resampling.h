// Changing the voxel size: binning by an integer factor (block averages) and resampling
// to a target voxel size in Å (for example the 10 Å a membrane network was trained at).
// Both keep the physical extent (up to the voxels an uneven size leaves over) and the
// mean, and update the voxel size; origins are the corner of voxel (0, 0, 0) in Å.
#pragma once

#include "plugins/filters/logic/FilterCommon.h"

namespace cellforge::filters {

// Averages factor³ blocks (factor² per slice in Slices2D: z is kept). An axis of size 1
// is not binned; along other axes the last n mod factor voxels are dropped, so the
// output has floor(n / factor) voxels and the origin stays. Throws InputError when an
// axis is shorter than the factor.
Volume binVolume(const Volume& input, int factor, FilterMode mode, const RunControl& control);

enum class Interpolation { Linear, Nearest, BSpline };
Interpolation interpolationFromName(const std::string& name);  // "linear", "nearest", "bspline"

struct ResampleParameters {
    double voxelSize = 10.0;  // Å, the target (isotropic in the resampled axes)
    Interpolation interpolation = Interpolation::Linear;
    // Before shrinking, smooth each axis with sigma = (factor - 1) / 2 input voxels (as
    // scikit-image's rescale does), so that detail finer than the new voxels does not
    // alias into the result.
    bool antialias = true;
};

// Resamples to the target voxel size: along each resampled axis, round(extent / target)
// voxels (at least 1) of exactly the target size, centred on the input's centre, so the
// extent changes by less than one target voxel. Slices2D keeps z as it is.
Volume resampleToVoxelSize(const Volume& input, const ResampleParameters& parameters, FilterMode mode,
                           const RunControl& control);

}  // namespace cellforge::filters
