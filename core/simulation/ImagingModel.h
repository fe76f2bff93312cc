// The imaging model: what a microscope and the reconstruction do to a scene's density —
// the in-plane envelope (Gaussian blur, or a tomogram's measured spectrum), band-pass
// filters, the phase-contrast CTF, the missing wedge of a single-axis tilt series, and
// white noise scaled so that it has unit variance after the same filters. Training images
// and phantoms build their Fourier filters from these functions.
#pragma once

#include "core/simulation/TomogramStatistics.h"

#include <algorithm>
#include <cmath>

namespace cellforge::simulation {

// Amplitude of a Gaussian blur of `sigma` voxels at frequency f (cycles/voxel):
// exp(-2 pi^2 sigma^2 f^2).
inline double gaussianBlurAmplitude(double sigma, double f) {
    return std::exp(-2.0 * M_PI * M_PI * sigma * sigma * f * f);
}
// The same given f^2 (e.g. fx^2 + fy^2 + fz^2).
inline double gaussianBlurAmplitudeSquared(double sigma, double fSquared) {
    return std::exp(-2.0 * M_PI * M_PI * sigma * sigma * fSquared);
}

// The in-plane filter applied to signal and noise together: the matched spectrum's
// amplitude (normalised by `spectrumNorm`) or a Gaussian blur, then the band-pass.
struct InPlaneEnvelope {
    const RadialSpectrum* matched = nullptr;  // null: blur
    double spectrumNorm = 1.0;
    double blurSigma = 1.0;                    // voxels
    double bandpassLow = 0, bandpassHigh = 0;  // cycles/voxel; 0 = off
    // Amplitude at radial frequency f (cycles/voxel).
    double amplitude(double f) const;
};

// Normaliser for a measured spectrum: the amplitude at low frequencies becomes ~1.
double spectrumNormaliser(const RadialSpectrum& spectrum);

// Fourier components a single-axis tilt series from -range to +range never measured:
// |fz| > tan(range) |f_perp|, f_perp the frequency across the tilt axis (fz = f_perp = 0,
// the mean, is kept).
inline bool inMissingWedge(double fPerp, double fz, double tanRange) {
    return !(fPerp == 0 && fz == 0) && std::fabs(fz) > tanRange * std::fabs(fPerp);
}

// The phase-contrast transfer function of a microscope (weak-phase approximation):
// CTF(k) = -(sqrt(1 - A^2) sin chi + A cos chi), chi = pi lambda df k^2 - (pi/2) Cs lambda^3 k^4,
// k in 1/Å, df > 0 underfocus. Negative at low frequencies: dense matter is dark.
struct CtfParameters {
    double voltage = 300;              // kV
    double defocus = 30000;            // Å, positive = underfocus
    double sphericalAberration = 2.7;  // mm
    double amplitudeContrast = 0.07;   // A, 0 to 1
};
// Relativistic electron wavelength in Å at `kilovolts` (0.01969 Å at 300 kV).
double electronWavelength(double kilovolts);
// The CTF at spatial frequency k (1/Å).
double ctfValue(const CtfParameters& ctf, double k);

// The factor white noise of unit variance is divided by so that it has unit variance
// after a filter of total power `filterPower` over `components` Fourier components.
inline double noiseGain(double filterPower, double components) {
    return std::sqrt(std::max(1e-12, filterPower / components));
}

}  // namespace cellforge::simulation
