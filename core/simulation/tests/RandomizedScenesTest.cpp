// The randomized training recipe: reproducible, every shape and distractor kind placed,
// membranes labelled where their density is and distractors never, the image's SNR the
// drawn one, and the recipe chosen through the training-image options.
#include "core/base/Errors.h"
#include "core/simulation/TrainingImages.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

using namespace cellforge;
using namespace cellforge::simulation;

namespace {

ImageSimulatorSettings randomized(int size = 64) {
    ImageSimulatorSettings s;
    s.recipe = TrainingRecipe::Randomized;
    s.size = size;
    s.slabDepth = 24;
    return s;
}

void noDistractors(RandomizedSceneSettings& r) {
    r.membraneProteinsMax = 0;
    r.particlesMin = r.particlesMax = 0;
    r.filamentsMax = 0;
    r.microtubuleProbability = 0;
    r.goldProbability = 0;
    r.carbonEdgeProbability = 0;
}

// Clean imaging: no CTF (dense is dark), no wedge, little noise, no gradient.
void cleanImaging(ImageSimulatorSettings& s) {
    s.missingWedge = false;
    s.randomized.rawCtfProbability = s.randomized.phaseFlippedProbability = 0;
    s.randomized.snrMin = s.randomized.snrMax = 100;
    s.randomized.gradientMax = 0;
}

int count(const std::vector<std::uint8_t>& labels, std::uint8_t value) {
    return int(std::count(labels.begin(), labels.end(), value));
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
    const double n = double(a.size());
    const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ab += (a[i] - ma) * (b[i] - mb);
        aa += (a[i] - ma) * (a[i] - ma);
        bb += (b[i] - mb) * (b[i] - mb);
    }
    return ab / std::sqrt(aa * bb);
}

}  // namespace

TEST(RandomizedScenes, SameSeedsSameImageOtherSeedsOtherImage) {
    auto s = randomized();
    s.contextSlices = 3;
    const std::size_t n = 64 * 64;
    std::vector<float> a(3 * n), b(3 * n), c(3 * n);
    std::vector<std::uint8_t> la(n), lb(n), lc(n);
    simulateMembraneImage(s, 42, a.data(), la.data());
    simulateMembraneImage(s, 42, b.data(), lb.data());
    simulateMembraneImage(s, 43, c.data(), lc.data());
    EXPECT_EQ(a, b);
    EXPECT_EQ(la, lb);
    EXPECT_NE(a, c);
    // Normalised like the classic recipe.
    double sum = 0, sumSq = 0;
    for (float v : a) sum += v, sumSq += double(v) * v;
    EXPECT_NEAR(sum / double(a.size()), 0.0, 1e-4);
    EXPECT_NEAR(sumSq / double(a.size()), 1.0, 1e-3);
    // Another variation of the same scene: the same geometry (labels), other imaging.
    simulateMembraneImage(s, 42, 7, c.data(), lc.data());
    simulateMembraneImage(s, 42, 8, b.data(), lb.data());
    EXPECT_EQ(lb, lc);
    EXPECT_NE(b, c);
}

TEST(RandomizedScenes, EveryShapeAndDistractorKindIsPlaced) {
    const auto s = randomized(96);
    std::vector<int> seen(kSceneObjectKindCount, 0);
    double voxelMin = 1e9, voxelMax = 0;
    for (std::uint64_t seed = 1; seed <= 80; ++seed) {
        const auto d = describeRandomizedScene(s, seed, seed + 1000);
        for (int k = 0; k < kSceneObjectKindCount; ++k) seen[std::size_t(k)] += d.count(SceneObjectKind(k));
        voxelMin = std::min(voxelMin, d.voxelSize);
        voxelMax = std::max(voxelMax, d.voxelSize);
        EXPECT_GE(d.imaging.snr, s.randomized.snrMin);
        EXPECT_LE(d.imaging.snr, s.randomized.snrMax);
        EXPECT_GE(d.imaging.ctf.defocus, 1e4);
        EXPECT_LE(d.imaging.ctf.defocus, 6e4);
    }
    for (int k = 0; k < kSceneObjectKindCount; ++k)
        EXPECT_GT(seen[std::size_t(k)], 0) << sceneObjectKindName(SceneObjectKind(k)) << " never placed";
    EXPECT_LT(voxelMin, 8.0);
    EXPECT_GT(voxelMax, 13.0);
}

// Each membrane kind alone: it is labelled, and the labelled voxels are where its (dark)
// density is.
TEST(RandomizedScenes, EachMembraneKindIsLabelledOnItsDensity) {
    for (int kind = 0; kind < kMembraneKindCount; ++kind) {
        auto s = randomized();
        s.randomized.membraneKindWeights.fill(0);
        s.randomized.membraneKindWeights[std::size_t(kind)] = 1;
        s.randomized.membranesMin = s.randomized.membranesMax = 1;
        noDistractors(s.randomized);
        cleanImaging(s);
        int labelled = 0;
        for (std::uint64_t seed = 1; seed <= 6; ++seed) {
            const auto parts = renderRandomizedScene(s, seed, 1);
            ASSERT_EQ(parts.description.count(SceneObjectKind(kind)), 1);
            if (count(parts.labels, kMembrane) < 20) continue;
            ++labelled;
            double onMembrane = 0, elsewhere = 0;
            int m = 0, e = 0;
            for (std::size_t i = 0; i < parts.labels.size(); ++i) {
                const double v = parts.slices.signal[i];
                if (parts.labels[i] == kMembrane)
                    onMembrane += v, ++m;
                else
                    elsewhere += v, ++e;
            }
            EXPECT_LT(onMembrane / m, elsewhere / e) << sceneObjectKindName(SceneObjectKind(kind)) << " seed " << seed;
            EXPECT_EQ(count(parts.labels, kProtein), 0);
        }
        EXPECT_GE(labelled, 3) << sceneObjectKindName(SceneObjectKind(kind)) << " rarely labelled";
    }
}

TEST(RandomizedScenes, DistractorsAreNeverLabelledMembrane) {
    auto s = randomized();
    s.randomized.membranesMin = s.randomized.membranesMax = 0;
    s.randomized.particlesMin = s.randomized.particlesMax = 12;
    s.randomized.filamentsMax = 3;
    s.randomized.microtubuleProbability = s.randomized.goldProbability = s.randomized.carbonEdgeProbability = 1;
    std::vector<int> seen(kSceneObjectKindCount, 0);
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        const auto parts = renderRandomizedScene(s, seed, seed);
        for (int k = 0; k < kSceneObjectKindCount; ++k)
            seen[std::size_t(k)] += parts.description.count(SceneObjectKind(k));
        EXPECT_EQ(count(parts.labels, kMembrane), 0);
        EXPECT_EQ(count(parts.labels, kProtein), 0);  // proteins are background unless asked
        EXPECT_GT(parts.slices.signalVariance, 0.0);
    }
    for (auto kind : {SceneObjectKind::Particle, SceneObjectKind::Filament, SceneObjectKind::Microtubule,
                      SceneObjectKind::GoldFiducial, SceneObjectKind::CarbonEdge})
        EXPECT_GT(seen[std::size_t(kind)], 0) << sceneObjectKindName(kind);
    // Asked to, particles are labelled protein (and still never membrane).
    s.randomized.labelProteins = true;
    const auto parts = renderRandomizedScene(s, 1, 1);
    EXPECT_GT(count(parts.labels, kProtein), 0);
    EXPECT_EQ(count(parts.labels, kMembrane), 0);
}

// The distractors come from their own stream: adding them changes the image, not the
// membranes or their labels.
TEST(RandomizedScenes, DistractorsLeaveTheMembranesAsTheyWere) {
    auto with = randomized();
    auto without = with;
    noDistractors(without.randomized);
    for (std::uint64_t seed = 3; seed <= 5; ++seed) {
        const auto a = renderRandomizedScene(with, seed, 2), b = renderRandomizedScene(without, seed, 2);
        EXPECT_EQ(a.labels, b.labels);
        EXPECT_NE(a.slices.signal, b.slices.signal);
        EXPECT_GT(a.description.objects.size(), b.description.objects.size());
    }
}

// Rendering only the blocks near each surface gives what evaluating every voxel gives:
// the shapes' distances are safe bounds away from their surfaces.
TEST(RandomizedScenes, RenderingNearSurfacesOnlyEqualsEvaluatingEveryVoxel) {
    auto fast = randomized();
    auto exhaustive = fast;
    exhaustive.randomized.skipFarBlocks = false;
    for (int kind = 0; kind <= kMembraneKindCount; ++kind) {
        if (kind < kMembraneKindCount) {  // each kind alone, then everything together
            fast.randomized.membraneKindWeights.fill(0);
            fast.randomized.membraneKindWeights[std::size_t(kind)] = 1;
        } else {
            fast.randomized.membraneKindWeights = RandomizedSceneSettings{}.membraneKindWeights;
        }
        exhaustive.randomized.membraneKindWeights = fast.randomized.membraneKindWeights;
        for (std::uint64_t seed = 1; seed <= 3; ++seed) {
            const auto a = renderRandomizedScene(fast, seed, 4), b = renderRandomizedScene(exhaustive, seed, 4);
            EXPECT_EQ(a.labels, b.labels) << "kind " << kind << " seed " << seed;
            EXPECT_EQ(a.slices.signal, b.slices.signal) << "kind " << kind << " seed " << seed;
        }
    }
}

// End to end: the normalised image correlates with its noise-free signal as an SNR of
// var(signal) / var(noise) implies: corr^2 = snr / (1 + snr).
TEST(RandomizedScenes, ImageHasTheDrawnSignalToNoiseRatio) {
    auto s = randomized();
    s.randomized.goldProbability = 0;
    s.randomized.gradientMax = 0;
    for (double snr : {0.1, 1.0}) {
        s.randomized.snrMin = s.randomized.snrMax = snr;
        double mean = 0;
        const int scenes = 4;
        for (std::uint64_t seed = 1; seed <= scenes; ++seed) {
            std::vector<float> image(64 * 64);
            std::vector<std::uint8_t> labels(64 * 64);
            simulateMembraneImage(s, seed, 9, image.data(), labels.data());
            const auto parts = renderRandomizedScene(s, seed, 9);
            EXPECT_NEAR(parts.slices.signalVariance / parts.slices.noiseVariance, snr, 1e-9);
            const double r = correlation(std::vector<double>(image.begin(), image.end()), parts.slices.signal);
            mean += r * r / scenes;
        }
        EXPECT_NEAR(mean, snr / (1 + snr), 0.02) << "snr " << snr;
    }
}

TEST(RandomizedScenes, RecipeIsChosenByTheTrainingImageOptions) {
    TrainingImageOptions o;
    o.imageSize = 64;
    EXPECT_EQ(toSimulatorSettings(o).recipe, TrainingRecipe::Classic);
    o.recipe = TrainingRecipe::Randomized;
    auto s = toSimulatorSettings(o);
    EXPECT_EQ(s.recipe, TrainingRecipe::Randomized);
    s.slabDepth = 24;
    std::vector<float> a(64 * 64), b(64 * 64);
    std::vector<std::uint8_t> la(64 * 64), lb(64 * 64);
    simulateMembraneImage(s, 5, a.data(), la.data());
    const auto parts = renderRandomizedScene(s, 5, mixSeed(5, 0xA0C3E7ull));  // the one-seed form's variation
    EXPECT_EQ(la, parts.labels);
    s.recipe = TrainingRecipe::Classic;
    s.slabDepth = 32;
    simulateMembraneImage(s, 5, b.data(), lb.data());
    EXPECT_NE(a, b);
}

TEST(RandomizedScenes, BadRandomizedSettingsAreRefusedWithTheirName) {
    auto expectRefused = [](const ImageSimulatorSettings& s, const std::string& field) {
        try {
            validateSettings(s);
            FAIL() << field << " accepted";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
        }
    };
    auto s = randomized();
    s.randomized.snrMin = 2;
    s.randomized.snrMax = 1;
    expectRefused(s, "snr");
    s = randomized();
    s.randomized.rawCtfProbability = 0.8;
    s.randomized.phaseFlippedProbability = 0.5;
    expectRefused(s, "ctf");
    s = randomized();
    s.randomized.membraneKindWeights.fill(0);
    expectRefused(s, "membrane_kind_weights");
    s = randomized();
    s.slabDepth = 4;
    expectRefused(s, "slab_depth");
    s = randomized();
    s.slabDepth = 24;  // not a power of two: fine for this recipe
    EXPECT_NO_THROW(validateSettings(s));
}
