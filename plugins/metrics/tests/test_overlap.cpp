// Overlap scores: exact counts on offset spheres, hand-checked values, per-slice rows,
// the empty-class rule and refusal of mismatched volumes.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>

#include "TestVolumes.h"
#include "core/base/Errors.h"
#include "plugins/metrics/logic/Overlap.h"

using namespace cellforge;
using namespace cellforge::metrics;
using namespace cellforge::metrics::test;

TEST(MetricsOverlap, HandCheckedCounts) {
    OwnedLabels a({4, 1, 1}), b({4, 1, 1});
    a.data = {1, 1, 1, 0};
    b.data = {1, 1, 0, 0};
    OverlapOptions o;
    o.perSlice = false;
    const auto r = computeOverlap(a.grid(), b.grid(), o);
    ASSERT_EQ(r.summary.size(), 1u);
    const auto& s = r.summary[0];
    EXPECT_EQ(s.label, 1);
    EXPECT_EQ(s.voxelsLabels, 3);
    EXPECT_EQ(s.voxelsReference, 2);
    EXPECT_EQ(s.intersection, 2);
    EXPECT_DOUBLE_EQ(s.dice, 0.8);
    EXPECT_DOUBLE_EQ(s.jaccard, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(s.precision, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(s.recall, 1.0);
    EXPECT_EQ(s.status, EmptyCase::None);
}

TEST(MetricsOverlap, OffsetSpheresGiveExactDice) {
    // Two balls of radius 12, one shifted by 5 voxels along x: both have the same voxel
    // count N, and the intersection is counted here voxel by voxel.
    const Dims3 dims{48, 40, 36};
    OwnedLabels a(dims), b(dims);
    a.paint(1, ball(20, 20, 18, 12));
    b.paint(1, ball(25, 20, 18, 12));
    std::int64_t na = 0, nb = 0, both = 0;
    for (std::size_t i = 0; i < a.data.size(); ++i) {
        na += a.data[i] == 1;
        nb += b.data[i] == 1;
        both += a.data[i] == 1 && b.data[i] == 1;
    }
    ASSERT_EQ(na, nb);
    OverlapOptions o;
    o.perSlice = false;
    RunControl threads;
    threads.threads = 3;
    const auto r = computeOverlap(a.grid(), b.grid(), o, threads);
    ASSERT_EQ(r.summary.size(), 1u);
    EXPECT_EQ(r.summary[0].intersection, both);
    EXPECT_DOUBLE_EQ(r.summary[0].dice, 2.0 * double(both) / double(na + nb));
    EXPECT_DOUBLE_EQ(r.summary[0].jaccard, double(both) / double(na + nb - both));
    // And the continuous answer: two balls of radius r at distance d overlap in a lens of
    // volume π(4r + d)(2r − d)²/12, so Dice = lens / ball. Voxelization error is < 2%.
    const double pi = 3.14159265358979323846, R = 12, D = 5;
    const double lens = pi * (4 * R + D) * (2 * R - D) * (2 * R - D) / 12.0;
    EXPECT_NEAR(r.summary[0].dice, lens / (4.0 / 3.0 * pi * R * R * R), 0.02);
    EXPECT_DOUBLE_EQ(diceCoefficient(a.grid(), b.grid(), 1), r.summary[0].dice);
}

TEST(MetricsOverlap, PerClassAndPerSliceAlongEveryAxis) {
    const Dims3 dims{6, 5, 4};
    OwnedLabels a(dims), b(dims);
    a.paintBox(1, {0, 0, 0}, {3, 5, 4});  // x < 3
    b.paintBox(1, {0, 0, 0}, {2, 5, 4});  // x < 2
    a.paintBox(2, {4, 0, 0}, {6, 5, 2});
    b.paintBox(2, {4, 0, 0}, {6, 5, 2});
    OverlapOptions o;
    o.axis = 0;
    const auto r = computeOverlap(a.grid(), b.grid(), o);
    ASSERT_EQ(r.summary.size(), 2u);
    EXPECT_DOUBLE_EQ(r.summary[0].dice, 2.0 * 40 / (60 + 40));
    EXPECT_DOUBLE_EQ(r.summary[1].dice, 1.0);
    // Along x: slices 0,1 agree for class 1, slice 2 has labels only; class 2 on x = 4, 5.
    ASSERT_EQ(r.perSlice.size(), 5u);
    EXPECT_EQ(r.perSlice[0].slice, 0);
    EXPECT_DOUBLE_EQ(r.perSlice[0].scores.dice, 1.0);
    EXPECT_EQ(r.perSlice[2].slice, 2);
    EXPECT_EQ(r.perSlice[2].scores.status, EmptyCase::ReferenceEmpty);
    EXPECT_DOUBLE_EQ(r.perSlice[2].scores.dice, 0.0);
    EXPECT_EQ(r.perSlice[3].slice, 4);
    EXPECT_EQ(r.perSlice[3].scores.label, 2);

    // Along z the class-2 block covers slices 0 and 1 only.
    const auto dz = diceBySlice(a.grid(), b.grid(), 2, 2);
    ASSERT_EQ(dz.size(), 4u);
    EXPECT_DOUBLE_EQ(dz[0], 1.0);
    EXPECT_DOUBLE_EQ(dz[2], 1.0);  // both empty → 1 by the default rule
    const auto dzNan = diceBySlice(a.grid(), b.grid(), 2, 2, EmptyRule::NaN);
    EXPECT_TRUE(std::isnan(dzNan[3]));
    // Along y every slice of class 1 is the same: 2·8 / (12 + 8).
    const auto dy = diceBySlice(a.grid(), b.grid(), 1, 1);
    ASSERT_EQ(dy.size(), 5u);
    for (double v : dy) EXPECT_DOUBLE_EQ(v, 0.8);
}

TEST(MetricsOverlap, EmptyVolumesGiveTheDocumentedValues) {
    OwnedLabels a({5, 5, 5}), b({5, 5, 5});
    OverlapOptions o;
    o.classes = ClassSelection::parse("1,3");
    auto r = computeOverlap(a.grid(), b.grid(), o);
    ASSERT_EQ(r.summary.size(), 2u);
    EXPECT_EQ(r.summary[0].status, EmptyCase::Both);
    EXPECT_DOUBLE_EQ(r.summary[0].dice, 1.0);
    EXPECT_DOUBLE_EQ(r.summary[0].precision, 1.0);
    EXPECT_TRUE(r.perSlice.empty());
    o.bothEmpty = EmptyRule::NaN;
    r = computeOverlap(a.grid(), b.grid(), o);
    EXPECT_TRUE(std::isnan(r.summary[1].dice));
    // "all" on two empty volumes: no class at all, not a division by zero.
    o.classes = ClassSelection::parse("all");
    EXPECT_TRUE(computeOverlap(a.grid(), b.grid(), o).summary.empty());
    // One side empty: every score 0, and the side named.
    b.at(2, 2, 2) = 3;
    o.classes = ClassSelection::parse("3");
    r = computeOverlap(a.grid(), b.grid(), o);
    EXPECT_EQ(r.summary[0].status, EmptyCase::LabelsEmpty);
    EXPECT_DOUBLE_EQ(r.summary[0].dice, 0.0);
    EXPECT_DOUBLE_EQ(r.summary[0].precision, 0.0);
    EXPECT_DOUBLE_EQ(r.summary[0].recall, 0.0);
    r = computeOverlap(b.grid(), a.grid(), o);
    EXPECT_EQ(r.summary[0].status, EmptyCase::ReferenceEmpty);
}

TEST(MetricsOverlap, RefusesDifferentSizeOrVoxelSize) {
    OwnedLabels a({5, 5, 5}), b({5, 5, 4}), c({5, 5, 5}, {1, 1, 2});
    try {
        computeOverlap(a.grid(), b.grid(), {});
        FAIL() << "no error";
    } catch (const InputError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("5×5×5"), std::string::npos) << m;
        EXPECT_NE(m.find("5×5×4"), std::string::npos) << m;
        EXPECT_NE(m.find("same size"), std::string::npos) << m;
    }
    try {
        computeOverlap(a.grid(), c.grid(), {});
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("voxel size"), std::string::npos) << e.what();
    }
    LabelGrid none;
    EXPECT_THROW(computeOverlap(none, a.grid(), {}), InputError);
}

TEST(MetricsOverlap, ClassSelectionParsing) {
    EXPECT_TRUE(ClassSelection::parse("all").all);
    const auto s = ClassSelection::parse(" 5, 1-3 ,2");
    EXPECT_FALSE(s.all);
    EXPECT_EQ(s.ids, (std::vector<Label>{1, 2, 3, 5}));
    EXPECT_THROW(ClassSelection::parse("1,x"), InputError);
    EXPECT_THROW(ClassSelection::parse("70000"), InputError);
    EXPECT_THROW(ClassSelection::parse("4-2"), InputError);
    EXPECT_THROW(ClassSelection::parse("1,,2"), InputError);
}

TEST(MetricsOverlap, CancelMidRunStopsTheRun) {
    OwnedLabels a({64, 64, 64}), b({64, 64, 64});
    std::atomic<bool> cancel{false};
    int reports = 0;
    RunControl c;
    c.cancel = &cancel;
    // The flag is raised by the first progress report, i.e. while the run is under way.
    c.progress = [&](double, const std::string&) {
        ++reports;
        cancel = true;
    };
    EXPECT_THROW(computeOverlap(a.grid(), b.grid(), {}, c), CancelledError);
    EXPECT_GE(reports, 1);
}
