// Denoising that keeps edges (membranes) sharp, through ITK: the bilateral filter and
// the two non-linear anisotropic diffusions used on tomograms (Perona-Malik gradient
// diffusion and curvature (modified curvature) diffusion).
#pragma once

#include "plugins/filters/logic/FilterCommon.h"

namespace cellforge::filters {

struct BilateralParameters {
    double domainSigma = 2.0;  // voxels (spatial Gaussian)
    double rangeSigma = 0.0;   // intensity units; 0: the input's standard deviation
};

// itk::BilateralImageFilter. Output float32, same geometry.
Volume bilateralFilter(const Volume& input, const BilateralParameters& parameters, FilterMode mode,
                       const RunControl& control);

struct DiffusionParameters {
    double timeStep = 0.0625;  // in voxel units; stable up to 1 / 2^(N+1): 0.0625 (3D), 0.125 (2D)
    int iterations = 10;
    double conductance = 1.0;  // ITK's conductance parameter K: lower keeps more edges
};

// The largest stable time step for diffusion in `mode` (0.0625 in 3D, 0.125 per slice).
double maximumStableTimeStep(FilterMode mode);

// itk::GradientAnisotropicDiffusionImageFilter (Perona-Malik). Derivatives in voxel
// units (image spacing ignored), so the time step means the same at any voxel size.
// Cancellation is seen between iterations.
Volume gradientAnisotropicDiffusion(const Volume& input, const DiffusionParameters& parameters, FilterMode mode,
                                    const RunControl& control);

// itk::CurvatureAnisotropicDiffusionImageFilter (Whitaker's modified curvature diffusion).
Volume curvatureAnisotropicDiffusion(const Volume& input, const DiffusionParameters& parameters, FilterMode mode,
                                     const RunControl& control);

}  // namespace cellforge::filters
