// Training images: reproducible, labelled, 2.5D, slab slices, settings checked.
#include "core/base/Errors.h"
#include "core/simulation/Phantoms.h"
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
std::array<int, 3> classCounts(const std::vector<std::uint8_t>& labels) {
    std::array<int, 3> c{0, 0, 0};
    for (auto l : labels) c.at(l)++;
    return c;
}
}  // namespace

TEST(TrainingImages, SameSeedSameImageOtherSeedOtherImage) {
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

TEST(TrainingImages, LabelsHoldMembranesAndMembranesAreDarkOnAverage) {
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

TEST(TrainingImages, ContextSlicesGiveNeighbouringSections) {
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

// In a slab, the labels are those of the centre slice and the context slices are its
// neighbours: the same scene with one slice or three gives the same labels.
TEST(TrainingImages, SlabContextSlicesShareTheCentreLabels) {
    auto s = small();
    std::vector<float> one(64 * 64), three(3 * 64 * 64);
    std::vector<std::uint8_t> l1(64 * 64), l3(64 * 64);
    simulateMembraneImage(s, 21, one.data(), l1.data());
    s.contextSlices = 3;
    simulateMembraneImage(s, 21, three.data(), l3.data());
    EXPECT_EQ(l1, l3);
    EXPECT_GT(classCounts(l1)[kMembrane], 0);
}

TEST(TrainingImages, BadSettingsAreRefusedWithTheirName) {
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
