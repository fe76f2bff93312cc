// The simulator: reproducible, labelled, matched to a tomogram's statistics.
#include "core/base/Errors.h"
#include "core/ml/Fft.h"
#include "core/ml/MembraneSimulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace cellforge;
using namespace cellforge::ml;

namespace {
ImageSimulatorSettings small() {
    ImageSimulatorSettings s;
    s.size = 64;
    s.radiusMin = 8;
    s.radiusMax = 40;
    return s;
}
std::array<int, 3> classCounts(const std::vector<std::uint8_t>& labels) {
    std::array<int, 3> c{0, 0, 0};
    for (auto l : labels) c.at(l)++;
    return c;
}
}  // namespace

TEST(Fft, ForwardThenInverseIsIdentityAndMatchesDft) {
    std::vector<Complex> data(8);
    for (int i = 0; i < 8; ++i) data[i] = Complex(std::sin(i * 1.3), i % 3);
    const auto original = data;
    fftNd(data, 8, 1, 1, false);
    // Bin 1 against a direct DFT.
    Complex direct(0, 0);
    for (int i = 0; i < 8; ++i) direct += original[i] * std::polar(1.0, -2 * M_PI * i / 8);
    EXPECT_NEAR(std::abs(data[1] - direct), 0.0, 1e-12);
    fftNd(data, 8, 1, 1, true);
    for (int i = 0; i < 8; ++i) EXPECT_NEAR(std::abs(data[i] - original[i]), 0.0, 1e-12);
    EXPECT_THROW(fft1d(data.data(), 6, 1, false), std::invalid_argument);
}

TEST(MembraneSimulator, SameSeedSameImageOtherSeedOtherImage) {
    const auto s = small();
    std::vector<float> a(64 * 64), b(64 * 64), c(64 * 64);
    std::vector<std::uint8_t> la(64 * 64), lb(64 * 64), lc(64 * 64);
    simulateMembraneImage(s, 42, a.data(), la.data());
    simulateMembraneImage(s, 42, b.data(), lb.data());
    simulateMembraneImage(s, 43, c.data(), lc.data());
    EXPECT_EQ(a, b);
    EXPECT_EQ(la, lb);
    EXPECT_NE(a, c);
}

TEST(MembraneSimulator, LabelsHoldMembranesAndMembranesAreDarkOnAverage) {
    auto s = small();
    s.membranesMin = 3;
    s.membranesMax = 5;
    s.gapProbability = 0;
    s.snrMin = s.snrMax = 3.0;  // little noise: the contrast must show
    int membraneImages = 0;
    double membraneMean = 0, backgroundMean = 0;
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        std::vector<float> img(64 * 64);
        std::vector<std::uint8_t> lab(64 * 64);
        simulateMembraneImage(s, seed, img.data(), lab.data());
        const auto counts = classCounts(lab);
        if (counts[kMembrane] > 20) ++membraneImages;
        double m = 0, b = 0;
        int nm = 0, nb = 0;
        for (std::size_t i = 0; i < img.size(); ++i) {
            if (lab[i] == kMembrane) m += img[i], ++nm;
            if (lab[i] == kBackground) b += img[i], ++nb;
        }
        if (nm) membraneMean += m / nm;
        if (nb) backgroundMean += b / nb;
    }
    EXPECT_GE(membraneImages, 6);
    EXPECT_LT(membraneMean, backgroundMean - 2.0);  // dark density by default
}

TEST(MembraneSimulator, ContextSlicesGiveNeighbouringSections) {
    auto s = small();
    s.contextSlices = 3;
    std::vector<float> img(3 * 64 * 64);
    std::vector<std::uint8_t> lab(64 * 64);
    simulateMembraneImage(s, 5, img.data(), lab.data());
    // Neighbouring sections are similar (correlated), not copies.
    double dot = 0, n0 = 0, n1 = 0;
    bool identical = true;
    for (int i = 0; i < 64 * 64; ++i) {
        dot += img[i] * img[64 * 64 + i];
        n0 += img[i] * img[i];
        n1 += img[64 * 64 + i] * img[64 * 64 + i];
        identical = identical && img[i] == img[64 * 64 + i];
    }
    EXPECT_FALSE(identical);
    EXPECT_GT(dot / std::sqrt(n0 * n1), 0.05);
}

TEST(MembraneSimulator, MatchesTomogramMeanStdAndSpectrum) {
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
TEST(MembraneSimulator, MissingWedgeIsSeenWithItsTiltAxis) {
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

// In a slab, the labels are those of the centre slice and the context slices are its
// neighbours: the same scene with one slice or three gives the same labels.
TEST(MembraneSimulator, SlabContextSlicesShareTheCentreLabels) {
    auto s = small();
    std::vector<float> one(64 * 64), three(3 * 64 * 64);
    std::vector<std::uint8_t> l1(64 * 64), l3(64 * 64);
    simulateMembraneImage(s, 21, one.data(), l1.data());
    s.contextSlices = 3;
    simulateMembraneImage(s, 21, three.data(), l3.data());
    EXPECT_EQ(l1, l3);
    EXPECT_GT(classCounts(l1)[kMembrane], 0);
}

TEST(MembraneSimulator, PhantomHasAllClassesAndIsReproducible) {
    PhantomSettings ps;
    ps.nx = 64;
    ps.ny = 64;
    ps.nz = 16;
    ps.vesicles = 3;
    ps.radiusMin = 8;
    ps.radiusMax = 16;
    const Phantom a = simulatePhantom(ps, 11), b = simulatePhantom(ps, 11);
    EXPECT_EQ(a.image, b.image);
    EXPECT_EQ(a.labels, b.labels);
    ASSERT_EQ(a.image.size(), std::size_t(64 * 64 * 16));
    const auto counts = classCounts(a.labels);
    EXPECT_GT(counts[kMembrane], 500);
    EXPECT_GT(counts[kProtein], 50);
    const double mean = std::accumulate(a.image.begin(), a.image.end(), 0.0) / double(a.image.size());
    EXPECT_NEAR(mean, 0.0, 1e-4);
}

TEST(MembraneSimulator, PhantomContentBeyondOneFaceDoesNotWrapIntoTheOther) {
    // A vesicle that runs out through the top face, far above the bottom slices: the
    // circular filters must not bring its smear into those slices. (A wrap-around seam
    // a few voxels from the tomogram did: the bottom slices' signal levelled off at a
    // third of the top's instead of decaying with distance, and networks labelled it.)
    PhantomSettings ps;
    ps.nx = ps.ny = 64;
    ps.nz = 48;
    ps.vesicles = 1;
    ps.proteinsPerVesicle = ps.freeProteins = 0;
    ps.snr = 1000;  // signal only
    const std::int64_t plane = ps.nx * ps.ny;
    auto membraneIn = [&](const Phantom& p, std::int64_t z) {
        return std::count(p.labels.begin() + z * plane, p.labels.begin() + (z + 1) * plane, kMembrane) > 0;
    };
    auto sliceSd = [&](const Phantom& p, std::int64_t z0, std::int64_t z1) {
        double sum = 0, sumSq = 0;
        for (auto i = z0 * plane; i < z1 * plane; ++i) sum += p.image[i], sumSq += double(p.image[i]) * p.image[i];
        const double n = double((z1 - z0) * plane);
        return std::sqrt(sumSq / n - (sum / n) * (sum / n));
    };
    for (std::uint64_t seed : {101, 133}) {  // seeds whose vesicle is in the top half only
        const Phantom p = simulatePhantom(ps, seed);
        std::int64_t first = 0;
        while (first < ps.nz && !membraneIn(p, first)) ++first;
        ASSERT_GE(first, 24) << "seed " << seed;
        ASSERT_TRUE(membraneIn(p, ps.nz - 1)) << "seed " << seed;
        // About 0.15 here (the wedge's slow decay); 0.4 with the seam 8 voxels away.
        EXPECT_LT(sliceSd(p, 0, 4), 0.25 * sliceSd(p, ps.nz - 4, ps.nz)) << "seed " << seed;
    }
}

TEST(MembraneSimulator, BadSettingsAreRefusedWithTheirName) {
    auto s = small();
    s.contextSlices = 2;
    try {
        validateSettings(s);
        FAIL() << "even context accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("context_slices"), std::string::npos);
    }
    s = small();
    s.size = 4;
    EXPECT_THROW(validateSettings(s), InputError);
    s = small();
    s.slabDepth = 12;  // not a power of two
    try {
        validateSettings(s);
        FAIL() << "slab depth 12 accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("slab_depth"), std::string::npos);
    }
    s = small();
    s.tiltRangeMin = 80;
    s.tiltRangeMax = 60;
    EXPECT_THROW(validateSettings(s), InputError);
    PhantomSettings ps;
    ps.nx = 0;
    EXPECT_THROW(simulatePhantom(ps, 1), InputError);
    ps.nx = ps.ny = 2000;  // a 2048 x 2048 x 64 work grid: refused before allocating
    ps.nz = 48;
    try {
        simulatePhantom(ps, 1);
        FAIL() << "a huge phantom was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("work grid"), std::string::npos) << e.what();
    }
}
