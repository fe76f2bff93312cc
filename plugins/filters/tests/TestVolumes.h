// Small helpers shared by the filters plugin's tests: volumes with known content, and
// RunControls that record progress or cancel themselves once the filter has started.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/base/RunControl.h"
#include "core/data/Volume.h"

namespace cellforge::filters::testing {

inline Volume randomVolume(Index3 dims, std::uint32_t seed, float lo = -1.f, float hi = 1.f) {
    Volume v(dims, ScalarType::Float32);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    float* p = v.data<float>();
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) p[i] = dist(rng);
    return v;
}

inline Volume constantVolume(Index3 dims, float value) {
    Volume v(dims, ScalarType::Float32);
    float* p = v.data<float>();
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) p[i] = value;
    return v;
}

inline float at(const Volume& v, std::int64_t x, std::int64_t y, std::int64_t z) {
    return v.data<float>()[v.index(x, y, z)];
}

// A control with `threads` threads and no sinks, for tests that only look at results.
inline RunControl threadsControl(int threads) {
    RunControl control;
    control.threads = threads;
    return control;
}

// A control that records every progress report and asks for cancellation from inside
// the first one, i.e. once the filter has started its work: the cancel is seen mid-run,
// by the filter's own checks between blocks, slabs or ITK progress events.
struct CancelOnFirstProgress {
    std::atomic<bool> cancelled{false};
    int reports = 0;
    double highest = 0;  // the largest fraction reported (what a job's progress would show)
    RunControl control;
    explicit CancelOnFirstProgress(int threads = 2) {
        control.threads = threads;
        control.cancel = &cancelled;
        control.progress = [this](double fraction, const std::string&) {
            ++reports;
            highest = std::max(highest, fraction);
            cancelled = true;
        };
    }
    CancelOnFirstProgress(const CancelOnFirstProgress&) = delete;
    CancelOnFirstProgress& operator=(const CancelOnFirstProgress&) = delete;
};

// A control that records the progress reports (fractions in call order).
struct ProgressLog {
    std::vector<double> fractions;
    RunControl control;
    explicit ProgressLog(int threads = 2) {
        control.threads = threads;
        control.progress = [this](double fraction, const std::string&) { fractions.push_back(fraction); };
    }
    ProgressLog(const ProgressLog&) = delete;
    ProgressLog& operator=(const ProgressLog&) = delete;
    // Reports never went backwards, stayed in [lo, hi] and the last one was `hi`.
    bool endsAtAndStaysWithin(double lo, double hi) const {
        if (fractions.empty() || fractions.back() != hi) return false;
        double previous = lo;
        for (double f : fractions) {
            if (f < previous || f > hi) return false;
            previous = f;
        }
        return true;
    }
};

}  // namespace cellforge::filters::testing
