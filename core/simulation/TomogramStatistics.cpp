#include "core/simulation/TomogramStatistics.h"

#include "core/base/Errors.h"
#include "core/simulation/Fft.h"

#include <algorithm>
#include <cmath>

namespace cellforge::simulation {

double RadialSpectrum::at(double frequency) const {
    if (power.empty()) return 1.0;
    const double pos = std::clamp(frequency, 0.0, 0.5) / 0.5 * double(power.size() - 1);
    const std::size_t i = std::min<std::size_t>(std::size_t(pos), power.size() - 2);
    const double t = pos - double(i);
    return power[i] * (1 - t) + power[i + 1] * t;
}

TomogramStatistics measureTomogram(std::int64_t nx, std::int64_t ny, std::int64_t nz, const SliceReader& readSlice,
                                   int maxSlices) {
    if (nx < 1 || ny < 1 || nz < 1) throw InputError("measureTomogram: empty tomogram");
    TomogramStatistics stats;
    const int count = int(std::min<std::int64_t>(nz, std::max(1, maxSlices)));
    std::int64_t patch = 1;
    while (patch * 2 <= std::min<std::int64_t>({nx, ny, 256})) patch *= 2;
    const bool spectrum = patch >= 16;
    const std::int64_t bins = patch / 2 + 1;
    std::vector<double> power(std::size_t(bins), 0.0), weight(std::size_t(bins), 0.0);
    double alongFy = 0, alongFx = 0;  // power in the bands along each frequency axis
    std::vector<float> slice(std::size_t(nx * ny));
    std::vector<Complex> buffer(std::size_t(patch * patch));
    std::vector<double> window(static_cast<std::size_t>(patch));
    for (std::int64_t i = 0; i < patch; ++i) window[i] = 0.5 - 0.5 * std::cos(2 * M_PI * (i + 0.5) / double(patch));
    double sum = 0, sumSq = 0;
    std::int64_t n = 0;
    for (int k = 0; k < count; ++k) {
        const std::int64_t z = count == 1 ? nz / 2 : (std::int64_t(k) * (nz - 1)) / (count - 1);
        readSlice(z, slice.data());
        for (float v : slice) {
            sum += v;
            sumSq += double(v) * v;
        }
        n += nx * ny;
        if (!spectrum) continue;
        // Up to 2 x 2 patches per slice, spread over the slice.
        const std::int64_t px = nx >= 2 * patch ? 2 : 1, py = ny >= 2 * patch ? 2 : 1;
        for (std::int64_t j = 0; j < py; ++j)
            for (std::int64_t i = 0; i < px; ++i) {
                const std::int64_t x0 = px == 1 ? (nx - patch) / 2 : i * (nx - patch);
                const std::int64_t y0 = py == 1 ? (ny - patch) / 2 : j * (ny - patch);
                double mean = 0;
                for (std::int64_t y = 0; y < patch; ++y)
                    for (std::int64_t x = 0; x < patch; ++x) mean += slice[(y0 + y) * nx + x0 + x];
                mean /= double(patch * patch);
                for (std::int64_t y = 0; y < patch; ++y)
                    for (std::int64_t x = 0; x < patch; ++x)
                        buffer[y * patch + x] = (slice[(y0 + y) * nx + x0 + x] - mean) * window[x] * window[y];
                fftNd(buffer, patch, patch, 1, false);
                for (std::int64_t y = 0; y < patch; ++y)
                    for (std::int64_t x = 0; x < patch; ++x) {
                        const double fx = fftFrequency(x, patch), fy = fftFrequency(y, patch);
                        const double f = std::hypot(fx, fy);
                        if (f > 0.5) continue;
                        if (f > 0.08 && f < 0.3) {
                            if (std::fabs(fx) < 0.25 * std::fabs(fy)) alongFy += std::norm(buffer[y * patch + x]);
                            if (std::fabs(fy) < 0.25 * std::fabs(fx)) alongFx += std::norm(buffer[y * patch + x]);
                        }
                        const double pos = f / 0.5 * double(bins - 1);
                        const std::size_t b = std::size_t(std::lround(pos));
                        power[b] += std::norm(buffer[y * patch + x]);
                        weight[b] += 1;
                    }
            }
    }
    stats.mean = sum / double(n);
    stats.stddev = std::sqrt(std::max(0.0, sumSq / double(n) - stats.mean * stats.mean));
    stats.slicesMeasured = count;
    if (alongFx > 0 && alongFy > 0) stats.axisPowerRatio = alongFy / alongFx;
    if (spectrum) {
        stats.spectrum.power.resize(std::size_t(bins));
        for (std::int64_t b = 0; b < bins; ++b) stats.spectrum.power[b] = weight[b] > 0 ? power[b] / weight[b] : 0.0;
        // Bin 0 holds only the (removed) mean: take its neighbour's value.
        stats.spectrum.power[0] = stats.spectrum.power[1];
    }
    return stats;
}

}  // namespace cellforge::simulation
