// connect.region_merge's logic: broken membranes are rejoined into one instance each,
// parallel membranes a few voxels apart stay apart, blobs are not bridged, and bad
// inputs are refused by name.
#include "plugins/connect/logic/RegionMerge.h"
#include "plugins/connect/tests/TestMembranes.h"

#include "core/base/Errors.h"
#include "core/imaging/ConnectedComponents.h"

#include <gtest/gtest.h>

#include <atomic>

using namespace cellforge;
using namespace cellforge::connect;
using namespace cellforge::connect::test;

namespace {

struct MergeRun {
    RegionMergeResult result;
    std::vector<std::uint16_t> instances;
    Cover cover;
};

MergeRun merge(const Scene& s, const RegionMergeSettings& settings = {}, const float* probability = nullptr) {
    MergeRun r;
    r.instances.assign(s.labels.size(), 0xFFFF);
    RunControl control;
    control.threads = 2;
    r.result = mergeRegions(s.labels.data(), probability, s.dims, settings, r.instances.data(), control);
    r.cover = coverOf(s, r.instances.data());
    return r;
}

std::uint32_t componentCount(const Scene& s) {
    std::vector<std::uint8_t> mask(s.labels.size());
    for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = s.labels[i] != 0;
    return imaging::connectedComponents(mask.data(), s.dims, 26).count;
}

// Every true membrane lies whole in one instance of its own.
void expectOneInstancePerMembrane(const MergeRun& r, int membranes) {
    EXPECT_EQ(r.cover.instances, membranes);
    std::set<int> used;
    for (int t = 1; t <= membranes; ++t) {
        SCOPED_TRACE("membrane " + std::to_string(t));
        ASSERT_TRUE(r.cover.share.count(t));
        EXPECT_DOUBLE_EQ(r.cover.share.at(t), 1.0);
        used.insert(r.cover.majority.at(t));
    }
    EXPECT_EQ(int(used.size()), membranes) << "two membranes share an instance";
    for (const auto& [id, membranesHeld] : r.cover.membranesOf) EXPECT_EQ(membranesHeld.size(), 1u) << id;
}

Scene brokenRing() {
    Scene s({56, 56, 20});
    s.paint(1, band(28, 28, 18, 3, 4, 15));
    s.cutRing(28, 28, 20, 3);
    s.cutRing(28, 28, 140, 4);
    s.cutRing(28, 28, 260, 3.5);
    return s;
}

Scene concentricRings() {
    // Walls r in [13.5, 16.5] and [19.5, 22.5]: three voxels of background between them.
    Scene s({64, 64, 20});
    s.paint(1, band(32, 32, 15, 3, 4, 15));
    s.paint(2, band(32, 32, 21, 3, 4, 15));
    s.cutRing(32, 32, 10, 3);
    s.cutRing(32, 32, 130, 4);
    s.cutRing(32, 32, 250, 3);
    s.cutRing(32, 32, 70, 4);  // both rings are cut in the same places: ends face each other across
    return s;
}

Scene sheetStack() {
    // Three sheets two voxels thick, four voxels of background between them, each broken
    // into four pieces by cuts three voxels wide (in other places in each sheet).
    Scene s({64, 64, 24});
    for (int k = 0; k < 3; ++k) {
        const double z0 = 5 + 6 * k;
        s.paint(k + 1, [=](double, double, double z) { return z >= z0 && z < z0 + 2; });
        const double cx = 20 + 9 * k, cy = 40 - 7 * k;
        s.cut([=](double x, double y, double z) {
            return z >= z0 && z < z0 + 2 && ((x >= cx && x < cx + 3) || (y >= cy && y < cy + 3));
        });
    }
    return s;
}

}  // namespace

TEST(RegionMerge, RejoinsABrokenRing) {
    const Scene s = brokenRing();
    ASSERT_EQ(componentCount(s), 3u);
    const MergeRun r = merge(s);
    EXPECT_EQ(r.result.fragments, 3u);
    expectOneInstancePerMembrane(r, 1);
    ASSERT_EQ(r.result.merges.size(), 2u);  // the third gap closes the ring: nothing left to join
    for (const FragmentMerge& m : r.result.merges) {
        EXPECT_GE(m.gap, 3.0);
        EXPECT_LE(m.gap, 5.5);
        EXPECT_LT(m.angle, 45.0);  // about (gap + normal_radius) / radius: 29 degrees
        EXPECT_LT(m.tilt, 20.0);
        EXPECT_GT(m.confidence, 0.0);
        EXPECT_EQ(m.instance, 1);
        EXPECT_TRUE(std::isnan(m.probabilityDifference));
    }
    EXPECT_EQ(r.result.instanceSizes.size(), 2u);
    EXPECT_EQ(r.result.instanceFragments[1], 3u);
}

TEST(RegionMerge, ConcentricRingsThreeVoxelsApartStayTwo) {
    const Scene s = concentricRings();
    ASSERT_GE(componentCount(s), 6u);
    const MergeRun r = merge(s);
    expectOneInstancePerMembrane(r, 2);
    // The instances are numbered by size: the outer ring is the larger.
    EXPECT_EQ(r.cover.majority.at(2), 1);
    EXPECT_EQ(r.cover.majority.at(1), 2);
}

TEST(RegionMerge, AFlatSheetStackGivesOneInstancePerSheet) {
    const Scene s = sheetStack();
    ASSERT_EQ(componentCount(s), 12u);
    const MergeRun r = merge(s);
    expectOneInstancePerMembrane(r, 3);
    for (const FragmentMerge& m : r.result.merges) EXPECT_EQ(m.pointA[2] / 6, m.pointB[2] / 6) << "across sheets";
}

TEST(RegionMerge, WithoutTheTiltLimitParallelMembranesWouldBeBridged) {
    // The control for the two tests above: what max_tilt = 90 (no continuity test across
    // the gap) does to the same inputs.
    RegionMergeSettings loose;
    loose.maxTilt = 90;
    EXPECT_EQ(merge(sheetStack(), loose).cover.instances, 1);
    EXPECT_EQ(merge(concentricRings(), loose).cover.instances, 1);
}

TEST(RegionMerge, ASmallRingBendsMoreThanMaxAngleAndIsStillRejoined) {
    // Radius 10: the normals at the two ends of a 4-voxel gap differ by about 50 degrees,
    // which the arcs' own curvature explains.
    Scene s({40, 40, 16});
    s.paint(1, band(20, 20, 10, 3, 3, 12));
    s.cutRing(20, 20, 45, 4);
    s.cutRing(20, 20, 225, 4);
    ASSERT_EQ(componentCount(s), 2u);
    const MergeRun r = merge(s);
    expectOneInstancePerMembrane(r, 1);
    ASSERT_FALSE(r.result.merges.empty());
    EXPECT_GT(r.result.merges[0].angle, RegionMergeSettings{}.maxAngle);
    EXPECT_GT(r.result.merges[0].bend, 10.0);
}

TEST(RegionMerge, AKinkBetweenTwoFlatMembranesIsNotJoined) {
    // Two flat sheets meeting at 60 degrees, their ends three voxels apart along the
    // bisector: the gap runs along both tangent planes, but neither sheet bends.
    Scene s({64, 32, 48});
    const double c30 = std::cos(M_PI / 6), s30 = 0.5, c60 = 0.5, s60 = std::cos(M_PI / 6);
    const double bx = 30 + 3 * c30, bz = 16 + 3 * s30;  // where the second sheet starts
    s.paint(1, [](double x, double, double z) { return x <= 30 && x >= 4 && std::fabs(z - 16) <= 1.0; });
    s.paint(2, [=](double x, double, double z) {
        const double along = (x - bx) * c60 + (z - bz) * s60, across = -(x - bx) * s60 + (z - bz) * c60;
        return along >= 0 && along <= 26 && std::fabs(across) <= 1.0;
    });
    ASSERT_EQ(componentCount(s), 2u);
    const MergeRun r = merge(s);
    EXPECT_EQ(r.cover.instances, 2);
    EXPECT_TRUE(r.result.merges.empty());
    RegionMergeSettings loose;
    loose.maxAngle = 70;  // allowing the kink joins them: it was the angle that kept them apart
    EXPECT_EQ(merge(s, loose).cover.instances, 1);
}

TEST(RegionMerge, RejoinsAVesicleWithoutCapsAndKeepsADoubleMembraneApart) {
    // Two concentric shells (radius 16 and 21, three voxels thick: two voxels between
    // them), caps gone (normals within 35 degrees of z) and each cut across twice.
    Scene s({64, 64, 56});
    s.paint(1, shell(32, 32, 28, 15, 3));
    s.paint(2, shell(32, 32, 28, 20, 3));
    s.cut([](double, double, double z) { return std::fabs(z - 28) > 20 * std::cos(35 * M_PI / 180); });
    s.cutRing(32, 32, 0, 4);
    s.cutRing(32, 32, 180, 3);
    s.cutRing(32, 32, 95, 3);
    ASSERT_GE(componentCount(s), 5u);
    expectOneInstancePerMembrane(merge(s), 2);
}

TEST(RegionMerge, BlobsAreNeitherBridgedNorKeptWhenSmall) {
    Scene s = brokenRing();
    // A ball of radius 2.5 (~65 voxels) 3 voxels outside the ring at a gap, and a speck.
    s.paint(2, [](double x, double y, double z) {
        const double cx = 28 + 24 * std::cos(20 * M_PI / 180), cy = 28 + 24 * std::sin(20 * M_PI / 180);
        return (x - cx) * (x - cx) + (y - cy) * (y - cy) + (z - 9) * (z - 9) <= 2.5 * 2.5;
    });
    s.paint(3, [](double x, double y, double z) { return x == 2 && y == 2 && z >= 2 && z < 4; });
    const MergeRun r = merge(s);
    EXPECT_EQ(r.result.droppedSmall, 1);  // the speck
    EXPECT_EQ(r.cover.instances, 2);      // the ring and the ball, apart
    EXPECT_DOUBLE_EQ(r.cover.share.at(1), 1.0);
    EXPECT_EQ(r.cover.majority.at(1), 1);
    EXPECT_EQ(r.cover.majority.at(2), 2);
    EXPECT_FALSE(r.cover.majority.count(3));
}

TEST(RegionMerge, StructureTensorNormalsGiveTheSameInstances) {
    RegionMergeSettings s;
    s.normals = NormalEstimate::StructureTensor;
    expectOneInstancePerMembrane(merge(brokenRing(), s), 1);
    expectOneInstancePerMembrane(merge(concentricRings(), s), 2);
    expectOneInstancePerMembrane(merge(sheetStack(), s), 3);
}

TEST(RegionMerge, PerSliceModeJoinsArcsWithinEachSlice) {
    const Scene s = brokenRing();
    RegionMergeSettings settings;
    settings.mode = MergeMode::Slices2D;
    const MergeRun r = merge(s, settings);
    EXPECT_EQ(r.result.fragments, 36u);  // 3 arcs in each of 12 slices
    EXPECT_EQ(r.cover.instances, 12);    // one ring per slice
    for (const FragmentMerge& m : r.result.merges) EXPECT_EQ(m.pointA[2], m.pointB[2]);
    for (std::int64_t z = 4; z <= 15; ++z) {
        std::set<int> ids;
        for (std::int64_t y = 0; y < s.dims[1]; ++y)
            for (std::int64_t x = 0; x < s.dims[0]; ++x)
                if (const int id = r.instances[std::size_t(s.index(x, y, z))]) ids.insert(id);
        EXPECT_EQ(ids.size(), 1u) << "slice " << z;
    }
}

TEST(RegionMerge, ProbabilitiesKeepAFaintPieceApart) {
    // Two pieces of one plane, one confident and one faint: geometry alone joins them,
    // Nock-Nielsen's bound on the mean probabilities does not.
    Scene s({48, 48, 12});
    s.paint(1, [](double x, double, double z) { return z >= 5 && z < 7 && x < 22; });
    s.paint(2, [](double x, double, double z) { return z >= 5 && z < 7 && x >= 25; });
    std::vector<float> p(s.labels.size(), 0.0f);
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = s.truth[i] == 1 ? 0.95f : s.truth[i] == 2 ? 0.35f : 0.0f;
    EXPECT_EQ(merge(s).cover.instances, 1);
    const MergeRun r = merge(s, {}, p.data());
    EXPECT_EQ(r.cover.instances, 2);
    EXPECT_EQ(r.result.rejectedByStatistics, 1);
    // Close probabilities are joined, and the table says by how much they differed.
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = s.truth[i] == 1 ? 0.9f : s.truth[i] == 2 ? 0.88f : 0.0f;
    const MergeRun joined = merge(s, {}, p.data());
    EXPECT_EQ(joined.cover.instances, 1);
    ASSERT_EQ(joined.result.merges.size(), 1u);
    EXPECT_NEAR(joined.result.merges[0].probabilityDifference, 0.02, 1e-4);
}

TEST(RegionMerge, AnEmptySegmentationIsRefused) {
    Scene s({16, 16, 4});
    try {
        merge(s);
        ADD_FAILURE() << "an empty segmentation was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("empty segmentation"), std::string::npos) << e.what();
    }
}

TEST(RegionMerge, AMembraneLabelThatDoesNotOccurIsRefused) {
    Scene s({16, 16, 4});
    s.labels[5] = 1;
    s.labels[7] = 3;
    try {
        merge(s);
        ADD_FAILURE() << "a missing membrane label was accepted";
    } catch (const InputError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("membrane_label 2 does not occur"), std::string::npos) << what;
        EXPECT_NE(what.find("1, 3"), std::string::npos) << what;
    }
}

TEST(RegionMerge, BadSettingsAreRefusedWithTheirName) {
    auto expectNamed = [](RegionMergeSettings s, const std::string& name) {
        try {
            validate(s);
            ADD_FAILURE() << name << " accepted";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
        }
    };
    RegionMergeSettings s;
    s.maxGap = 0.5;
    expectNamed(s, "max_gap");
    s = {};
    s.complexity = 0;
    expectNamed(s, "complexity");
    s = {};
    s.maxAngle = 120;
    expectNamed(s, "max_angle");
}

TEST(RegionMerge, ACancelledRunStops) {
    const Scene s = brokenRing();
    std::vector<std::uint16_t> out(s.labels.size(), 0);
    std::atomic<bool> cancel{false};
    RunControl control;
    control.cancel = &cancel;
    int reports = 0;
    control.progress = [&](double fraction, const std::string&) {
        ++reports;
        if (fraction > 0.5) cancel = true;  // among the contacts
    };
    EXPECT_THROW(mergeRegions(s.labels.data(), nullptr, s.dims, {}, out.data(), control), CancelledError);
    EXPECT_GT(reports, 3);
}
