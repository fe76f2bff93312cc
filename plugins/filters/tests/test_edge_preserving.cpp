#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/base/Errors.h"
#include "plugins/filters/logic/AdaptiveHistogramEqualization.h"
#include "plugins/filters/logic/EdgePreservingSmoothing.h"
#include "plugins/filters/logic/GaussianFilter.h"
#include "plugins/filters/tests/TestVolumes.h"

using namespace cellforge;
using namespace cellforge::filters;
using namespace cellforge::filters::testing;

namespace {

// A step along x (0 | 10) plus Gaussian noise of standard deviation 1.
Volume noisyStep(Index3 dims, std::uint32_t seed) {
    Volume v(dims, ScalarType::Float32);
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.f, 1.f);
    for (std::int64_t z = 0; z < dims[2]; ++z)
        for (std::int64_t y = 0; y < dims[1]; ++y)
            for (std::int64_t x = 0; x < dims[0]; ++x)
                v.data<float>()[v.index(x, y, z)] = (x < dims[0] / 2 ? 0.f : 10.f) + noise(rng);
    v.setVoxelSize({8.0, 8.0, 8.0});
    return v;
}

// Standard deviation inside the flat left half, away from the step and the borders.
double flatNoise(const Volume& v) {
    double s = 0, ss = 0;
    std::int64_t n = 0;
    for (std::int64_t z = 2; z < v.nz() - 2; ++z)
        for (std::int64_t y = 2; y < v.ny() - 2; ++y)
            for (std::int64_t x = 2; x < v.nx() / 2 - 4; ++x) {
                const double a = at(v, x, y, z);
                s += a;
                ss += a * a;
                ++n;
            }
    const double mean = s / double(n);
    return std::sqrt(ss / double(n) - mean * mean);
}

// Mean difference across the step: just right of it minus just left of it.
double stepHeight(const Volume& v) {
    double left = 0, right = 0;
    std::int64_t n = 0;
    const std::int64_t x0 = v.nx() / 2;
    for (std::int64_t z = 0; z < v.nz(); ++z)
        for (std::int64_t y = 0; y < v.ny(); ++y) {
            left += at(v, x0 - 1, y, z);
            right += at(v, x0, y, z);
            ++n;
        }
    return (right - left) / double(n);
}

}  // namespace

TEST(Bilateral, SmoothsNoiseButKeepsTheStep) {
    const Volume v = noisyStep({32, 24, 12}, 1);
    const RunControl control = threadsControl(2);
    BilateralParameters p;
    p.domainSigma = 1.5;
    p.rangeSigma = 3.0;
    const Volume out = bilateralFilter(v, p, FilterMode::Volume3D, control);
    EXPECT_EQ(out.voxelSize(), v.voxelSize());
    EXPECT_LT(flatNoise(out), 0.5 * flatNoise(v));
    EXPECT_GT(stepHeight(out), 9.0);
    // A Gaussian of the same width blurs the step instead.
    const Volume blurred = gaussianFilter(v, 1.5, FilterMode::Volume3D, control);
    EXPECT_LT(stepHeight(blurred), 5.0);
}

TEST(Bilateral, SlicesModeFiltersEverySliceOnItsOwn) {
    const Volume v = noisyStep({20, 16, 3}, 2);
    const RunControl control;
    BilateralParameters p;
    p.rangeSigma = 2.0;
    const Volume out = bilateralFilter(v, p, FilterMode::Slices2D, control);
    Volume slice1({20, 16, 1}, ScalarType::Float32);
    std::copy(v.data<float>() + 320, v.data<float>() + 640, slice1.data<float>());
    slice1.setVoxelSize(v.voxelSize());
    const Volume alone = bilateralFilter(slice1, p, FilterMode::Slices2D, control);
    for (std::int64_t i = 0; i < 320; ++i) ASSERT_FLOAT_EQ(out.data<float>()[320 + i], alone.data<float>()[i]);
}

TEST(Bilateral, RefusesBadParameters) {
    const Volume v = noisyStep({8, 8, 8}, 3);
    const RunControl control;
    BilateralParameters p;
    p.domainSigma = -1;
    EXPECT_THROW(bilateralFilter(v, p, FilterMode::Volume3D, control), InputError);
    p.domainSigma = 1;
    p.rangeSigma = -2;
    EXPECT_THROW(bilateralFilter(v, p, FilterMode::Volume3D, control), InputError);
}

class Diffusion : public ::testing::TestWithParam<bool> {
protected:
    Volume run(const Volume& v, const DiffusionParameters& p, FilterMode mode, const RunControl& control) {
        return GetParam() ? curvatureAnisotropicDiffusion(v, p, mode, control)
                          : gradientAnisotropicDiffusion(v, p, mode, control);
    }
};

TEST_P(Diffusion, SmoothsNoiseKeepsTheStepAndLeavesTheInputAlone) {
    const Volume v = noisyStep({32, 24, 12}, 4);
    const Volume original = v.deepCopy();
    const RunControl control = threadsControl(2);
    DiffusionParameters p;
    p.iterations = 20;
    p.conductance = 1.0;
    const Volume out = run(v, p, FilterMode::Volume3D, control);
    EXPECT_LT(flatNoise(out), 0.7 * flatNoise(v));
    EXPECT_GT(stepHeight(out), 8.0);
    EXPECT_EQ(out.voxelSize(), v.voxelSize());
    EXPECT_EQ(out.origin(), v.origin());
    EXPECT_FALSE(out.sharesStorageWith(v));
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) ASSERT_EQ(v.data<float>()[i], original.data<float>()[i]);
}

TEST_P(Diffusion, SlicesModeAllowsTheLarger2DTimeStep) {
    const Volume v = noisyStep({24, 20, 6}, 5);
    const RunControl control;
    DiffusionParameters p;
    p.timeStep = 0.1;
    p.iterations = 5;
    const Volume out = run(v, p, FilterMode::Slices2D, control);
    EXPECT_LT(flatNoise(out), flatNoise(v));
    try {
        run(v, p, FilterMode::Volume3D, control);
        FAIL() << "unstable 3D time step accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("time_step"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("0.0625"), std::string::npos) << e.what();
    }
    p.timeStep = 0.05;
    p.iterations = 0;
    EXPECT_THROW(run(v, p, FilterMode::Volume3D, control), InputError);
    p.iterations = 3;
    p.conductance = 0;
    EXPECT_THROW(run(v, p, FilterMode::Volume3D, control), InputError);
}

TEST_P(Diffusion, StopsWhenCancelled) {
    const Volume v = noisyStep({48, 48, 48}, 6);
    CancelOnFirstProgress c;
    DiffusionParameters p;
    p.iterations = 200;
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_THROW(run(v, p, FilterMode::Volume3D, c.control), CancelledError);
    EXPECT_LT(c.highest, 0.5);
    // 200 iterations take many seconds; a prompt stop takes a few iterations at most.
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}

INSTANTIATE_TEST_SUITE_P(GradientAndCurvature, Diffusion, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Curvature" : "Gradient"; });

TEST(AdaptiveHistogramEqualization, RaisesLocalContrastWithinTheRange) {
    // Two regions: a faint pattern (amplitude 1) on 100 and a strong one (amplitude 50).
    Volume v({40, 40, 6}, ScalarType::Float32);
    for (std::int64_t z = 0; z < 6; ++z)
        for (std::int64_t y = 0; y < 40; ++y)
            for (std::int64_t x = 0; x < 40; ++x) {
                const float pattern = float(((x / 2) + (y / 2)) % 2);
                v.data<float>()[v.index(x, y, z)] = x < 20 ? 100.f + pattern : 100.f + 50.f * pattern;
            }
    const RunControl control;
    EqualizationParameters p;
    p.radius = 4;
    p.alpha = 0.0;
    p.beta = 0.0;
    const Volume out = adaptiveHistogramEqualization(v, p, FilterMode::Slices2D, control);
    auto contrast = [](const Volume& img, std::int64_t x0) {
        double lo = 1e30, hi = -1e30;
        for (std::int64_t y = 8; y < 32; ++y)
            for (std::int64_t x = x0; x < x0 + 8; ++x) {
                lo = std::min<double>(lo, at(img, x, y, 3));
                hi = std::max<double>(hi, at(img, x, y, 3));
            }
        return hi - lo;
    };
    EXPECT_NEAR(contrast(v, 6), 1.0, 1e-6);
    EXPECT_GT(contrast(out, 6), 10.0);  // the faint pattern is stretched
    const VolumeStatistics s = computeStatistics(out);
    EXPECT_GE(s.min, 100.0 - 1e-3);
    EXPECT_LE(s.max, 150.0 + 1e-3);
}

TEST(AdaptiveHistogramEqualization, RefusesBadParameters) {
    const Volume v = randomVolume({8, 8, 8}, 1);
    const RunControl control;
    EqualizationParameters p;
    p.alpha = 1.5;
    EXPECT_THROW(adaptiveHistogramEqualization(v, p, FilterMode::Volume3D, control), InputError);
    p.alpha = 0.5;
    p.radius = 0;
    EXPECT_THROW(adaptiveHistogramEqualization(v, p, FilterMode::Volume3D, control), InputError);
}
