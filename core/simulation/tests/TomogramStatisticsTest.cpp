// Tomogram statistics: mean, spectrum and the missing wedge's tilt axis, as the matched simulation uses them.
#include "core/base/Errors.h"
#include "core/simulation/Phantoms.h"
#include "core/simulation/TomogramStatistics.h"
#include "core/simulation/TrainingImages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

using namespace cellforge;
using namespace cellforge::simulation;

namespace {
ImageSimulatorSettings small() {
    ImageSimulatorSettings s;
    s.size = 64;
    s.radiusMin = 8;
    s.radiusMax = 40;
    return s;
}
}  // namespace

TEST(TomogramStatistics, MatchesTomogramMeanStdAndSpectrum) {
    // A "tomogram" of strongly low-passed noise with mean 50 and sd 7.
    const std::int64_t n = 64, nz = 4;
    std::vector<float> vol(std::size_t(n * n * nz));
    PhantomSettings ps;
    ps.nx = n;
    ps.ny = n;
    ps.nz = nz;
    ps.vesicles = 0;
    ps.freeProteins = 0;
    ps.blurSigma = 2.5;
    ps.missingWedge = false;
    const Phantom noise = simulatePhantom(ps, 3);
    for (std::size_t i = 0; i < vol.size(); ++i) vol[i] = 50.0f + 7.0f * noise.image[i];
    const auto stats = measureTomogram(n, n, nz, [&](std::int64_t z, float* out) {
        std::copy(vol.begin() + z * n * n, vol.begin() + (z + 1) * n * n, out);
    });
    EXPECT_NEAR(stats.mean, 50.0, 0.5);
    EXPECT_NEAR(stats.stddev, 7.0, 0.5);
    ASSERT_FALSE(stats.spectrum.empty());
    EXPECT_GT(stats.spectrum.at(0.02), 50 * stats.spectrum.at(0.4));  // low-passed

    auto s = small();
    s.matchTomogram = true;
    s.match = stats;
    std::vector<float> img(64 * 64);
    std::vector<std::uint8_t> lab(64 * 64);
    simulateMembraneImage(s, 9, img.data(), lab.data());
    const auto simStats =
        measureTomogram(64, 64, 1, [&](std::int64_t, float* out) { std::copy(img.begin(), img.end(), out); });
    EXPECT_NEAR(simStats.mean, 50.0, 1e-3);
    EXPECT_NEAR(simStats.stddev, 7.0, 1e-3);
    // The simulated image is low-passed like the tomogram (white noise would be flat).
    EXPECT_GT(simStats.spectrum.at(0.05), 10 * simStats.spectrum.at(0.4));
}

// The missing wedge leaves its mark on XY slices (the power along the frequency axis
// parallel to the tilt axis is depleted); measureTomogram sees it and names the axis.
TEST(TomogramStatistics, MissingWedgeIsSeenWithItsTiltAxis) {
    auto measureStack = [](const ImageSimulatorSettings& s) {
        const int count = 16, n = s.size;
        std::vector<float> stack(std::size_t(count) * n * n);
        std::vector<std::uint8_t> labels(std::size_t(n) * n);
        for (int i = 0; i < count; ++i)
            simulateMembraneImage(s, std::uint64_t(100 + i), stack.data() + std::size_t(i) * n * n, labels.data());
        return measureTomogram(n, n, count, [&](std::int64_t z, float* out) {
            std::copy(stack.begin() + z * n * n, stack.begin() + (z + 1) * n * n, out);
        });
    };
    auto s = small();
    ASSERT_TRUE(s.missingWedge);  // the default: images are slices of tomograms
    s.tiltAxis = ImageSimulatorSettings::TiltAxis::Y;
    const auto y = measureStack(s);
    EXPECT_EQ(y.tiltAxis(), 'y') << y.axisPowerRatio;
    s.tiltAxis = ImageSimulatorSettings::TiltAxis::X;
    const auto x = measureStack(s);
    EXPECT_EQ(x.tiltAxis(), 'x') << x.axisPowerRatio;
    s.missingWedge = false;
    const auto none = measureStack(s);
    EXPECT_EQ(none.tiltAxis(), 0) << none.axisPowerRatio;

    PhantomSettings ps;  // tilt axis y
    ps.nx = ps.ny = 64;
    ps.nz = 16;
    const Phantom p = simulatePhantom(ps, 5);
    const auto ph = measureTomogram(64, 64, 16, [&](std::int64_t z, float* out) {
        std::copy(p.image.begin() + z * 64 * 64, p.image.begin() + (z + 1) * 64 * 64, out);
    });
    EXPECT_EQ(ph.tiltAxis(), 'y') << ph.axisPowerRatio;
}
