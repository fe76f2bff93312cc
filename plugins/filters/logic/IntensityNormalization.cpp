#include "plugins/filters/logic/IntensityNormalization.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/base/Errors.h"
#include "core/base/Parallel.h"

namespace cellforge::filters {

namespace {

// Parts of the volume normalised on their own: the whole volume, or each slice.
struct Parts {
    std::int64_t count, size;
};
Parts partsOf(const Volume& v, FilterMode mode) {
    if (mode == FilterMode::Slices2D) return {v.nz(), v.nx() * v.ny()};
    return {1, v.voxelCount()};
}

// Mean and standard deviation of n floats, in double (blocked sums keep precision).
void meanAndDeviation(const float* p, std::int64_t n, double& mean, double& deviation) {
    double sum = 0;
    for (std::int64_t b = 0; b < n; b += 4096) {
        double s = 0;
        for (std::int64_t i = b, e = std::min(n, b + 4096); i < e; ++i) s += p[i];
        sum += s;
    }
    mean = sum / double(n);
    double sq = 0;
    for (std::int64_t b = 0; b < n; b += 4096) {
        double s = 0;
        for (std::int64_t i = b, e = std::min(n, b + 4096); i < e; ++i) {
            const double d = p[i] - mean;
            s += d * d;
        }
        sq += s;
    }
    deviation = std::sqrt(sq / double(n));
}

}  // namespace

double percentileOf(float* values, std::int64_t n, double p) {
    const double rank = p / 100.0 * double(n - 1);
    const std::int64_t lo = std::int64_t(std::floor(rank));
    const double frac = rank - double(lo);
    std::nth_element(values, values + lo, values + n);
    const double a = values[lo];
    if (frac == 0 || lo + 1 >= n) return a;
    const double b = *std::min_element(values + lo + 1, values + n);
    return a + (b - a) * frac;
}

Volume zScoreNormalize(const Volume& input, FilterMode mode, const RunControl& control) {
    requireNotEmpty(input, "input image");
    const Volume source = asFloat32(input);
    Volume out = uninitializedFloat32Like(input);
    const Parts parts = partsOf(input, mode);
    // Each part's statistics in one thread; a whole volume is one part, split by blocks below.
    if (parts.count == 1) {
        double mean = 0, deviation = 0;
        meanAndDeviation(source.data<float>(), parts.size, mean, deviation);
        control.report(0.5);
        const double scale = deviation > 0 ? 1.0 / deviation : 0.0;
        const float* in = source.data<float>();
        float* o = out.data<float>();
        const std::int64_t block = 1 << 20;
        parallelFor((parts.size + block - 1) / block, control.sub(0.5, 1.0),
                    [&](std::int64_t b, int) {
                        for (std::int64_t i = b * block, e = std::min(parts.size, (b + 1) * block); i < e; ++i)
                            o[i] = float((in[i] - mean) * scale);
                    },
                    kReportEachItem);
        return out;
    }
    parallelFor(
        parts.count, control,
        [&](std::int64_t part, int) {
            const float* in = source.data<float>() + part * parts.size;
            float* o = out.data<float>() + part * parts.size;
            double mean = 0, deviation = 0;
            meanAndDeviation(in, parts.size, mean, deviation);
            const double scale = deviation > 0 ? 1.0 / deviation : 0.0;
            for (std::int64_t i = 0; i < parts.size; ++i) o[i] = float((in[i] - mean) * scale);
        },
        kReportEachItem);
    return out;
}

Volume percentileNormalize(const Volume& input, double lowPercent, double highPercent, FilterMode mode,
                           const RunControl& control) {
    requireInRange("low_percentile", lowPercent, 0.0, 100.0);
    requireInRange("high_percentile", highPercent, 0.0, 100.0);
    if (!(lowPercent < highPercent))
        throw InputError("low_percentile (" + std::to_string(lowPercent) + ") must be below high_percentile (" +
                         std::to_string(highPercent) + ")");
    requireNotEmpty(input, "input image");
    const Volume source = asFloat32(input);
    Volume out = uninitializedFloat32Like(input);
    const Parts parts = partsOf(input, mode);
    // One part a work item: a whole volume runs on one thread (the selection is not split).
    std::vector<std::vector<float>> scratch(std::size_t(control.threadCount()));
    parallelFor(
        parts.count, control,
        [&](std::int64_t part, int worker) {
            const float* in = source.data<float>() + part * parts.size;
            float* o = out.data<float>() + part * parts.size;
            std::vector<float>& values = scratch[std::size_t(worker)];
            values.assign(in, in + parts.size);
            // NaNs would break the selection: they are left out of the percentiles.
            const auto end = std::remove_if(values.begin(), values.end(), [](float v) { return std::isnan(v); });
            const std::int64_t n = std::int64_t(end - values.begin());
            double lo = 0, hi = 0;
            if (n > 0) {
                lo = percentileOf(values.data(), n, lowPercent);
                hi = percentileOf(values.data(), n, highPercent);
            }
            const double range = hi - lo;
            for (std::int64_t i = 0; i < parts.size; ++i) {
                const double v = range > 0 ? (in[i] - lo) / range : 0.0;
                o[i] = float(std::clamp(v, 0.0, 1.0));
            }
        },
        kReportEachItem);
    return out;
}

InversionMethod inversionMethodFromName(const std::string& name) {
    if (name == "range") return InversionMethod::Range;
    if (name == "negate") return InversionMethod::Negate;
    throw InputError("method must be \"range\" or \"negate\", got \"" + name + "\"");
}

Volume invertContrast(const Volume& input, InversionMethod method, const RunControl& control) {
    requireNotEmpty(input, "input image");
    const Volume source = asFloat32(input);
    Volume out = uninitializedFloat32Like(input);
    double offset = 0;
    if (method == InversionMethod::Range) {
        const VolumeStatistics s = computeStatistics(input);
        offset = s.min + s.max;
    }
    const float* in = source.data<float>();
    float* o = out.data<float>();
    const std::int64_t n = input.voxelCount();
    const std::int64_t block = 1 << 20;
    parallelFor((n + block - 1) / block, control,
                [&](std::int64_t b, int) {
                    for (std::int64_t i = b * block, e = std::min(n, (b + 1) * block); i < e; ++i)
                        o[i] = float(offset - in[i]);
                },
                kReportEachItem);
    return out;
}

}  // namespace cellforge::filters
