// Intensity normalisation before segmentation: z-score, percentile clipping to [0, 1]
// and contrast inversion (cryo-ET density is dark on a bright background).
#pragma once

#include "plugins/filters/logic/FilterCommon.h"

namespace cellforge::filters {

// (v - mean) / standard deviation, over the volume or over each slice. A constant
// volume (or slice) becomes 0.
Volume zScoreNormalize(const Volume& input, FilterMode mode, const RunControl& control);

// Maps the `lowPercent` percentile to 0 and the `highPercent` percentile to 1, clipping
// outside. Percentiles as numpy.percentile's default (linear interpolation between
// ranks). 0 <= low < high <= 100.
Volume percentileNormalize(const Volume& input, double lowPercent, double highPercent, FilterMode mode,
                           const RunControl& control);

enum class InversionMethod {
    Range,   // min + max - v: the same intensity range, dark and bright swapped
    Negate,  // -v
};
InversionMethod inversionMethodFromName(const std::string& name);  // "range", "negate"

Volume invertContrast(const Volume& input, InversionMethod method, const RunControl& control);

// The p-th percentile (0..100) of n values, numpy's linear method. Reorders `values`.
double percentileOf(float* values, std::int64_t n, double p);

}  // namespace cellforge::filters
