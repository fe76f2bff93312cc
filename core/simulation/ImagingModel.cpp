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

}  // namespace cellforge::simulation
