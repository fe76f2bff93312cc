// Surface distances between a label volume and a reference, per class, in Å: the
// symmetric Hausdorff distance, its 95th percentile and the mean surface distance.
//
// Definitions (the same as MedPy and the scipy.ndimage recipe, so results compare):
// a class's surface is the set of its voxels with at least one of the 6 face neighbours
// outside the class or outside the volume. For each surface voxel of one volume, the
// distance is the exact Euclidean distance (anisotropic voxel sizes) from its centre to
// the nearest surface voxel centre of the other volume.
//   hausdorff      = max of both directed maxima
//   hausdorff95    = 95th percentile of both directions' distances pooled (linear
//                    interpolation between order statistics, as numpy.percentile)
//   mean_surface_distance = mean of the two directed mean distances (ASSD)
// Empty classes: absent from both → every distance 0, status "both_empty"; absent from
// one → NaN (no surface to measure to), status "labels_empty"/"reference_empty".
#pragma once

#include "plugins/metrics/logic/Overlap.h"

namespace cellforge::metrics {

struct SurfaceDistanceScores {
    Label label = 0;
    double hausdorff = 0, hausdorff95 = 0, meanSurfaceDistance = 0;
    double maxLabelsToReference = 0, maxReferenceToLabels = 0;
    double meanLabelsToReference = 0, meanReferenceToLabels = 0;
    std::int64_t surfaceVoxelsLabels = 0, surfaceVoxelsReference = 0;
    EmptyCase status = EmptyCase::None;
};

// The q-th percentile (0..100) of `values` with numpy's default linear interpolation;
// reorders `values`. NaN when empty.
double percentileLinear(std::vector<double>& values, double q);

// One row per selected class (every non-zero label present in either, by default).
// Throws InputError if the grids differ in size or voxel size.
std::vector<SurfaceDistanceScores> computeSurfaceDistances(const LabelGrid& labels, const LabelGrid& reference,
                                                           const ClassSelection& classes,
                                                           const RunControl& control = {});

}  // namespace cellforge::metrics
