// Edge strength: the magnitude of the intensity gradient, by central differences or by
// the Sobel operator (central differences smoothed by [1 2 1]/4 across the derivative).
#pragma once

#include "plugins/filters/logic/FilterCommon.h"

namespace cellforge::filters {

enum class GradientOperator { Central, Sobel };
GradientOperator gradientOperatorFromName(const std::string& name);  // "central", "sobel"

// sqrt(gx² + gy² + gz²) (gz left out in Slices2D). Both operators are scaled so that a
// ramp rising by 1 per voxel gives 1; with perAngstrom each derivative is divided by
// the voxel size along its axis (intensity per Å, as ITK's UseImageSpacing). Borders
// by reflection. Output float32, same geometry.
Volume gradientMagnitude(const Volume& input, GradientOperator op, bool perAngstrom, FilterMode mode,
                         const RunControl& control);

}  // namespace cellforge::filters
