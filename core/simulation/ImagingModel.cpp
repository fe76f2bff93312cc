#include "core/simulation/ImagingModel.h"

#include <algorithm>
#include <cmath>

namespace cellforge::simulation {

double InPlaneEnvelope::amplitude(double f) const {
    double amp;
    if (matched)
        amp = std::sqrt(std::max(0.0, matched->at(f))) / spectrumNorm;
    else
        amp = gaussianBlurAmplitude(blurSigma, f);
    if (bandpassLow > 0) amp *= 1.0 - std::exp(-f * f / (2 * bandpassLow * bandpassLow));
    if (bandpassHigh > 0) amp *= std::exp(-f * f / (2 * bandpassHigh * bandpassHigh));
    return amp;
}

// Normaliser for a measured spectrum: the amplitude at low frequencies becomes ~1.
double spectrumNormaliser(const RadialSpectrum& spectrum) {
    double best = 0;
    const std::size_t n = spectrum.power.size();
    for (std::size_t i = 1; i < std::max<std::size_t>(2, n / 4); ++i) best = std::max(best, spectrum.power[i]);
    return best > 0 ? std::sqrt(best) : 1.0;
}

double electronWavelength(double kilovolts) {
    // lambda = h / sqrt(2 m e V (1 + e V / (2 m c^2))), with h / sqrt(2 m e) = 12.2643 Å V^1/2.
    const double volts = kilovolts * 1000.0;
    return 12.2643 / std::sqrt(volts * (1.0 + 0.978466e-6 * volts));
}

double ctfValue(const CtfParameters& ctf, double k) {
    const double lambda = electronWavelength(ctf.voltage);
    const double cs = ctf.sphericalAberration * 1e7;  // mm -> Å
    const double k2 = k * k;
    const double chi = M_PI * lambda * ctf.defocus * k2 - 0.5 * M_PI * cs * lambda * lambda * lambda * k2 * k2;
    const double a = ctf.amplitudeContrast;
    return -(std::sqrt(std::max(0.0, 1.0 - a * a)) * std::sin(chi) + a * std::cos(chi));
}

}  // namespace cellforge::simulation
