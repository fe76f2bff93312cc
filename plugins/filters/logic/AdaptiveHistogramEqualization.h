// Adaptive histogram equalisation (itk::AdaptiveHistogramEqualizationImageFilter, a
// moving-histogram implementation of Stark's generalisation of CLAHE): alpha blends
// classical equalisation (0) with unsharp masking (1); beta limits the contrast gain
// (0 is the strongest equalisation, 1 leaves the image nearly as it is).
#pragma once

#include "plugins/filters/logic/FilterCommon.h"

namespace cellforge::filters {

struct EqualizationParameters {
    int radius = 8;      // voxels: the window is (2r+1)³, or (2r+1)² per slice
    double alpha = 0.3;  // [0, 1]
    double beta = 0.3;   // [0, 1]
};

// Output float32 in the input's intensity range, same geometry.
Volume adaptiveHistogramEqualization(const Volume& input, const EqualizationParameters& parameters, FilterMode mode,
                                     const RunControl& control);

}  // namespace cellforge::filters
