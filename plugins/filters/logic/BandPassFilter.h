// Band-pass filtering in Fourier space with cut-offs given as resolutions in Å, the way
// cryo-EM programs state them: a low-pass at 20 Å removes detail finer than 20 Å, a
// high-pass at 500 Å removes gradients and blobs larger than 500 Å.
#pragma once

#include "plugins/filters/logic/FilterCommon.h"

namespace cellforge::filters {

struct BandPassParameters {
    double lowPassA = 0.0;   // Å; 0: no low-pass
    double highPassA = 0.0;  // Å; 0: no high-pass (must be larger than lowPassA when both are set)
    // Width of the raised-cosine edges in Fourier shells (1 shell = 1 / the largest
    // extent in Å of the filtered axes); 0: a hard edge.
    double edgeShells = 2.0;
    bool keepMean = true;  // keep the zero frequency (the mean) through a high-pass
};

// The filter's gain at spatial frequency `frequency` (1/Å), given the shell width in 1/Å.
double bandPassGain(const BandPassParameters& parameters, double frequency, double shellWidth);

// Real-to-complex FFT (FFTW through ITK) of the volume, mirror-padded to a size whose
// prime factors are at most 7 when needed, multiplication by the radial gain, inverse
// FFT, crop. Slices2D uses the in-plane frequency only, which filters each slice alone.
// Output float32, same geometry. Throws InputError for cut-offs that leave no band.
Volume bandPassFilter(const Volume& input, const BandPassParameters& parameters, FilterMode mode,
                      const RunControl& control);

// The smallest size >= n whose prime factors are all 2, 3, 5 or 7.
std::int64_t fftFriendlySize(std::int64_t n);

}  // namespace cellforge::filters
