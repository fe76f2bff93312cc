// Gaussian smoothing by separable FIR convolution, the same kernel and borders as
// scipy.ndimage.gaussian_filter: kernel radius int(truncate * sigma + 0.5), weights
// exp(-x²/2σ²) normalised to sum 1, mode 'reflect' (half-sample symmetric) at the
// borders, axes filtered z, then y, then x, float32 between passes. Multithreaded.
#pragma once

#include <vector>

#include "plugins/filters/logic/FilterCommon.h"

namespace cellforge::filters {

// The sampled, normalised kernel (2 * radius + 1 weights, centre in the middle).
// sigma == 0 gives the identity kernel {1}. Throws InputError for a negative sigma.
std::vector<double> gaussianKernel1d(double sigma, double truncate = 4.0);

// sigma in voxels. Slices2D smooths x and y only. Output float32, same geometry.
Volume gaussianFilter(const Volume& input, double sigma, FilterMode mode, const RunControl& control,
                      double truncate = 4.0);

// One sigma per axis (x, y, z) in voxels; an axis with sigma 0 is left as it is. Inside a
// longer computation, pass control.sub(...) for the Gaussian's share of the progress.
Volume gaussianFilter(const Volume& input, const Vec3& sigmaXYZ, const RunControl& control, double truncate = 4.0);

}  // namespace cellforge::filters
