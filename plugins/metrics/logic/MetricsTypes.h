// The shared voxel types the metrics are written in, from core/imaging (label grids,
// components, distance transforms) and core/base (RunControl, parallelFor).
#pragma once

#include "core/base/Parallel.h"
#include "core/base/RunControl.h"
#include "core/imaging/ConnectedComponents.h"
#include "core/imaging/DistanceTransform.h"
#include "core/imaging/LabelGrid.h"

namespace cellforge::metrics {

using imaging::axisFromName;
using imaging::axisName;
using imaging::Components;
using imaging::connectedComponents;
using imaging::Dims3;
using imaging::Label;
using imaging::LabelGrid;
using imaging::requireSameGeometry;
using imaging::requireValidGrid;
using imaging::Spacing3;
using imaging::squaredDistanceTransform;

}  // namespace cellforge::metrics
