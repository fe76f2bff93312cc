// Small helpers shared by the filters plugin's tests: volumes with known content, and
// a JobContext that cancels itself when the filter first reports progress.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

#include "core/data/Volume.h"
#include "core/jobs/JobContext.h"

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

// A context that asks for cancellation the first time progress is reported, i.e. after
// the filter has started its work.
struct CancelOnFirstProgress {
    JobContext context;
    int reports = 0;
    CancelOnFirstProgress() {
        context.setThreadBudget(2);
        context.setProgressSink([this](double, const std::string&) {
            ++reports;
            context.requestCancel();
        });
    }
};

}  // namespace cellforge::filters::testing
