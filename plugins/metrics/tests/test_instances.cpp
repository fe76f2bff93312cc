// Connected components and instance matching: true and false positives, merges, splits.
#include <gtest/gtest.h>

#include <cmath>

#include "TestVolumes.h"
#include "core/base/Errors.h"
#include "core/imaging/ConnectedComponents.h"
#include "plugins/metrics/logic/InstanceMatching.h"

using namespace cellforge;
using namespace cellforge::metrics;
using namespace cellforge::metrics::test;

TEST(MetricsComponents, ConnectivityDecidesDiagonalNeighbours) {
    const Dims3 n{4, 4, 3};
    std::vector<std::uint8_t> m(std::size_t(n[0] * n[1] * n[2]), 0);
    auto at = [&](int x, int y, int z) -> std::uint8_t& { return m[std::size_t(x + 4 * (y + 4 * z))]; };
    at(0, 0, 0) = 1;  // touches (1,1,0) by an edge and (1,1,1) by a corner
    at(1, 1, 0) = 1;
    at(2, 2, 1) = 1;  // corner of (1,1,0)
    at(0, 2, 2) = 1;  // alone (two voxels from everything else)
    at(0, 3, 2) = 1;  // face neighbour of the previous one
    auto c6 = connectedComponents(m.data(), n, 6);
    EXPECT_EQ(c6.count, 4u);
    EXPECT_EQ(c6.ids[0], 1u);
    EXPECT_EQ(c6.sizes[4], 2);
    auto c18 = connectedComponents(m.data(), n, 18);
    EXPECT_EQ(c18.count, 3u);
    auto c26 = connectedComponents(m.data(), n, 26);
    EXPECT_EQ(c26.count, 2u);
    EXPECT_EQ(c26.sizes[1], 3);
    EXPECT_EQ(c26.sizes[2], 2);
    EXPECT_THROW(connectedComponents(m.data(), n, 8), InputError);
}

TEST(MetricsComponents, UShapeJoinsLate) {
    // Two arms that meet only at the bottom: union-find must join labels given early.
    const Dims3 n{7, 6, 1};
    std::vector<std::uint8_t> m(42, 0);
    for (int y = 0; y < 6; ++y) m[std::size_t(1 + 7 * y)] = m[std::size_t(5 + 7 * y)] = 1;
    for (int x = 1; x <= 5; ++x) m[std::size_t(x + 7 * 5)] = 1;
    const auto c = connectedComponents(m.data(), n, 6);
    EXPECT_EQ(c.count, 1u);
    EXPECT_EQ(c.sizes[1], 15);
}

namespace {

// Reference: four cubes. Labels: cube A exact, cubes B and C joined by a bridge (a
// merge), cube D cut in two halves (a split), and an extra blob far away (FP).
struct Scene {
    OwnedLabels labels{{60, 20, 20}}, reference{{60, 20, 20}};
    Scene() {
        reference.paintBox(1, {2, 2, 2}, {8, 8, 8});     // A
        reference.paintBox(1, {12, 2, 2}, {18, 8, 8});   // B
        reference.paintBox(1, {20, 2, 2}, {26, 8, 8});   // C
        reference.paintBox(1, {30, 2, 2}, {40, 8, 8});   // D
        labels.paintBox(1, {2, 2, 2}, {8, 8, 8});        // A
        labels.paintBox(1, {12, 2, 2}, {26, 8, 8});      // B + gap + C
        labels.paintBox(1, {30, 2, 2}, {34, 8, 8});      // D, first part (4 of 10)
        labels.paintBox(1, {36, 2, 2}, {40, 8, 8});      // D, second part
        labels.paintBox(1, {50, 12, 12}, {54, 16, 16});  // nothing there
    }
};

}  // namespace

TEST(MetricsInstances, CountsMatchesMergesAndSplits) {
    Scene s;
    InstanceOptions o;
    const auto r = matchInstances(s.labels.grid(), s.reference.grid(), o);
    const auto& m = r.summary;
    EXPECT_EQ(m.instancesLabels, 5);
    EXPECT_EQ(m.instancesReference, 4);
    // A matches exactly; B+C has IoU 216/504 < 0.5 with B; D's halves have IoU 0.4.
    EXPECT_EQ(m.truePositives, 1);
    EXPECT_EQ(m.falsePositives, 4);
    EXPECT_EQ(m.falseNegatives, 3);
    EXPECT_EQ(m.merges, 1);
    EXPECT_EQ(m.splits, 1);
    EXPECT_DOUBLE_EQ(m.meanMatchedIou, 1.0);
    EXPECT_DOUBLE_EQ(m.precision, 1.0 / 5.0);
    EXPECT_DOUBLE_EQ(m.recall, 1.0 / 4.0);
    EXPECT_DOUBLE_EQ(m.f1, 2.0 / 9.0);
    EXPECT_DOUBLE_EQ(m.panopticQuality, 1.0 / (1 + 0.5 * 7));
    ASSERT_EQ(r.labels.size(), 5u);
    EXPECT_EQ(r.labels[0].matchedId, r.reference[0].id);
    EXPECT_TRUE(r.labels[1].merge);
    EXPECT_EQ(r.labels[1].overlapping, 2);
    EXPECT_NEAR(r.labels[1].bestIou, 216.0 / 504.0, 1e-12);
    EXPECT_TRUE(r.reference[3].split);
    EXPECT_EQ(r.labels[4].overlapping, 0);

    // A lower threshold lets the merged blob match one of its cubes (greedy, one-to-one).
    o.iouThreshold = 0.4;
    const auto low = matchInstances(s.labels.grid(), s.reference.grid(), o);
    EXPECT_EQ(low.summary.truePositives, 3);  // A, B (or C) with B+C, D with one half
}

TEST(MetricsInstances, InstanceLabelsAndEmptyVolumes) {
    OwnedLabels a({10, 10, 10}), b({10, 10, 10});
    InstanceOptions o;
    o.source = InstanceSource::Labels;
    auto r = matchInstances(a.grid(), b.grid(), o);
    EXPECT_EQ(r.summary.instancesLabels, 0);
    EXPECT_DOUBLE_EQ(r.summary.precision, 1.0);
    EXPECT_DOUBLE_EQ(r.summary.panopticQuality, 1.0);
    EXPECT_TRUE(std::isnan(r.summary.meanMatchedIou));
    // Two touching instances with different ids stay two instances with labels source.
    a.paintBox(7, {0, 0, 0}, {5, 10, 10});
    a.paintBox(9, {5, 0, 0}, {10, 10, 10});
    b.paintBox(3, {0, 0, 0}, {5, 10, 10});
    r = matchInstances(a.grid(), b.grid(), o);
    EXPECT_EQ(r.summary.instancesLabels, 2);
    EXPECT_EQ(r.summary.truePositives, 1);
    EXPECT_EQ(r.labels[0].id, 7u);
    EXPECT_EQ(r.labels[0].matchedId, 3u);
    EXPECT_DOUBLE_EQ(r.summary.recall, 1.0);
    EXPECT_DOUBLE_EQ(r.summary.precision, 0.5);
    // As components of the foreground, the two touching instances are one.
    o.source = InstanceSource::Components;
    r = matchInstances(a.grid(), b.grid(), o);
    EXPECT_EQ(r.summary.instancesLabels, 1);
    o.iouThreshold = 0;
    EXPECT_THROW(matchInstances(a.grid(), b.grid(), o), InputError);
}
