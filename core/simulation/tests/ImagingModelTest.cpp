// The imaging model: the wedge removes the right Fourier region, the envelope is the
// blur or the matched spectrum with the band-pass on top; and the simulator moved here
// from core/ml gives the images, phantoms and statistics it gave there, bit for bit.
#include "core/simulation/ImagingModel.h"
#include "core/simulation/Phantoms.h"
#include "core/simulation/TrainingImages.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace cellforge::simulation;

TEST(ImagingModel, MissingWedgeRemovesWhatATiltSeriesNeverMeasures) {
    const double tan60 = std::tan(60 * M_PI / 180);
    EXPECT_FALSE(inMissingWedge(0, 0, tan60));       // the mean is kept
    EXPECT_TRUE(inMissingWedge(0, 0.1, tan60));      // pure fz: never measured
    EXPECT_FALSE(inMissingWedge(0.1, 0, tan60));     // in-plane: measured
    EXPECT_FALSE(inMissingWedge(0.1, 0.17, tan60));  // 59.5 degrees from the plane
    EXPECT_TRUE(inMissingWedge(0.1, 0.18, tan60));   // 60.9 degrees
}

TEST(ImagingModel, EnvelopeIsBlurOrMatchedSpectrumTimesBandPass) {
    InPlaneEnvelope blur;
    blur.blurSigma = 2;
    EXPECT_DOUBLE_EQ(blur.amplitude(0), 1.0);
    EXPECT_NEAR(blur.amplitude(0.1), std::exp(-2 * M_PI * M_PI * 4 * 0.01), 1e-15);
    blur.bandpassLow = 0.05;
    EXPECT_DOUBLE_EQ(blur.amplitude(0), 0.0);  // a high-pass removes the mean
    RadialSpectrum flat;
    flat.power.assign(9, 4.0);
    InPlaneEnvelope matched;
    matched.matched = &flat;
    matched.spectrumNorm = spectrumNormaliser(flat);
    EXPECT_DOUBLE_EQ(matched.spectrumNorm, 2.0);
    EXPECT_DOUBLE_EQ(matched.amplitude(0.3), 1.0);
    EXPECT_DOUBLE_EQ(noiseGain(16, 4), 2.0);
}

namespace {
std::uint64_t fnv(const void* p, std::size_t n, std::uint64_t h = 1469598103934665603ull) {
    auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}
}  // namespace

// Hashes of what core/ml/MembraneSimulator gave before it moved (same settings, seeds).
TEST(ImagingModel, MovedSimulatorGivesItsFormerOutputBitForBit) {
    ImageSimulatorSettings s;
    s.size = 64;
    s.contextSlices = 3;
    std::vector<float> img(3 * 64 * 64);
    std::vector<std::uint8_t> lab(64 * 64);
    std::uint64_t h = 1469598103934665603ull;
    for (int seed = 1; seed <= 3; ++seed) {
        simulateMembraneImage(s, std::uint64_t(seed), img.data(), lab.data());
        h = fnv(img.data(), img.size() * 4, h);
        h = fnv(lab.data(), lab.size(), h);
    }
    s.missingWedge = false;
    s.bandpassLow = 0.02;
    s.bandpassHigh = 0.3;
    simulateMembraneImage(s, 7, img.data(), lab.data());
    h = fnv(img.data(), img.size() * 4, h);
    h = fnv(lab.data(), lab.size(), h);
    EXPECT_EQ(h, 0x019470876d100579ull);

    PhantomSettings ps;
    ps.nx = 64;
    ps.ny = 48;
    ps.nz = 16;
    ps.vesicles = 3;
    ps.radiusMin = 8;
    ps.radiusMax = 16;
    const Phantom p = simulatePhantom(ps, 11);
    EXPECT_EQ(fnv(p.labels.data(), p.labels.size(), fnv(p.image.data(), p.image.size() * 4)), 0xf25d76c2329cb7b6ull);

    const TomogramStatistics t = measureTomogram(
        64, 48, 16, [&](std::int64_t z, float* out) { std::memcpy(out, p.image.data() + z * 64 * 48, 64 * 48 * 4); });
    std::uint64_t k = fnv(t.spectrum.power.data(), t.spectrum.power.size() * 8);
    k = fnv(&t.mean, 8, k);
    k = fnv(&t.stddev, 8, k);
    k = fnv(&t.axisPowerRatio, 8, k);
    EXPECT_EQ(k, 0x1fd8fafab3e4d288ull);
}
