// Membrane thickness (exact on slabs, close on shells) and closure.
#include <gtest/gtest.h>

#include <cmath>

#include "TestVolumes.h"
#include "core/base/Errors.h"
#include "plugins/metrics/logic/MembraneMeasures.h"

using namespace cellforge;
using namespace cellforge::metrics;
using namespace cellforge::metrics::test;

TEST(MetricsMembranes, SlabThicknessIsExactForOddAndEvenWidths) {
    for (int axis = 0; axis < 3; ++axis)
        for (int width : {1, 2, 4, 5}) {
            Spacing3 spacing{1.0, 1.0, 1.0};
            spacing[std::size_t(axis)] = 2.0;
            OwnedLabels v({24, 24, 24}, spacing);
            Dims3 lo{0, 0, 0}, hi{24, 24, 24};
            lo[std::size_t(axis)] = 10;
            hi[std::size_t(axis)] = 10 + width;
            v.paintBox(2, lo, hi);
            const auto r = measureMembranes(v.grid(), {});
            ASSERT_EQ(r.membranes.size(), 1u);
            const auto& m = r.membranes[0];
            EXPECT_EQ(m.voxels, 24 * 24 * width);
            EXPECT_GT(m.medialVoxels, 0);
            EXPECT_DOUBLE_EQ(m.thicknessMedian, 2.0 * width) << "axis " << axis << " width " << width;
            EXPECT_DOUBLE_EQ(m.thicknessMin, 2.0 * width);
            EXPECT_DOUBLE_EQ(m.thicknessMax, 2.0 * width);
            // A slab through the whole volume separates two regions that both reach the
            // faces: open.
            EXPECT_FALSE(m.closed);
        }
}

TEST(MetricsMembranes, ShellIsClosedUntilPierced) {
    const Dims3 dims{50, 50, 50};
    OwnedLabels v(dims, {2, 2, 2});
    auto shell = [](double x, double y, double z) {
        const double r = std::sqrt((x - 25) * (x - 25) + (y - 25) * (y - 25) + (z - 25) * (z - 25));
        return r >= 15 && r < 20;
    };
    v.paint(2, shell);
    std::int64_t inner = 0;
    for (std::int64_t z = 0; z < 50; ++z)
        for (std::int64_t y = 0; y < 50; ++y)
            for (std::int64_t x = 0; x < 50; ++x)
                inner += (x - 25) * (x - 25) + (y - 25) * (y - 25) + (z - 25) * (z - 25) < 225;
    auto r = measureMembranes(v.grid(), {});
    ASSERT_EQ(r.membranes.size(), 1u);
    EXPECT_TRUE(r.membranes[0].closed);
    EXPECT_EQ(r.membranes[0].enclosedRegions, 1);
    EXPECT_EQ(r.membranes[0].enclosedVoxels, inner);
    EXPECT_DOUBLE_EQ(r.membranes[0].enclosedVolume, double(inner) * 8.0);
    // 5 voxels across (10 Å), measured within a voxel along the curved medial surface.
    EXPECT_NEAR(r.membranes[0].thicknessMedian, 10.0, 1.0);  // half a voxel
    EXPECT_NEAR(r.membranes[0].thicknessMean, 10.0, 1.0);
    EXPECT_FALSE(r.thicknessSamples.empty());

    // A hole through the shell opens it.
    v.paintBox(0, {23, 23, 40}, {28, 28, 50});
    r = measureMembranes(v.grid(), {});
    ASSERT_EQ(r.membranes.size(), 1u);
    EXPECT_FALSE(r.membranes[0].closed);
    EXPECT_EQ(r.membranes[0].enclosedVoxels, 0);
}

TEST(MetricsMembranes, DiagonalGapClosesOnlyWithFullConnectivity) {
    // A one-voxel-thick square ring in z (a tube through the volume) is open; a closed
    // box surface whose wall has a gap only across a corner is closed for 26-connected
    // membranes (the complement is then 6-connected and cannot pass the corner).
    OwnedLabels v({12, 12, 12});
    v.paintBox(2, {2, 2, 2}, {10, 10, 10});
    v.paintBox(0, {3, 3, 3}, {9, 9, 9});
    auto r = measureMembranes(v.grid(), {});
    ASSERT_EQ(r.membranes.size(), 1u);
    EXPECT_TRUE(r.membranes[0].closed);
    EXPECT_EQ(r.membranes[0].enclosedVoxels, 6 * 6 * 6);
    // Remove one wall voxel next to an edge: the wall now has a hole; open either way.
    v.at(5, 5, 2) = 0;
    r = measureMembranes(v.grid(), {});
    EXPECT_FALSE(r.membranes[0].closed);
}

TEST(MetricsMembranes, InstancesFromLabelsAndHistogram) {
    OwnedLabels v({30, 30, 30});
    v.paintBox(4, {0, 0, 5}, {30, 30, 7});    // 2 thick
    v.paintBox(9, {0, 0, 15}, {30, 30, 18});  // 3 thick
    MembraneOptions o;
    o.source = InstanceSource::Labels;
    const auto r = measureMembranes(v.grid(), o);
    ASSERT_EQ(r.membranes.size(), 2u);
    EXPECT_EQ(r.membranes[0].id, 4u);
    EXPECT_DOUBLE_EQ(r.membranes[0].thicknessMedian, 2.0);
    EXPECT_DOUBLE_EQ(r.membranes[1].thicknessMedian, 3.0);
    const Histogram h = histogramOf(r.thicknessSamples, 1.0);
    ASSERT_EQ(h.counts.size(), 2u);
    EXPECT_DOUBLE_EQ(h.binStart[0], 2.0);
    EXPECT_EQ(h.counts[0] + h.counts[1], std::int64_t(r.thicknessSamples.size()));
    EXPECT_EQ(h.counts[0], r.membranes[0].medialVoxels);
    EXPECT_THROW(histogramOf(r.thicknessSamples, 0.0), InputError);
    // The class option picks the membrane class among semantic labels.
    o.source = InstanceSource::Components;
    o.label = 9;
    EXPECT_EQ(measureMembranes(v.grid(), o).membranes.size(), 1u);
}

TEST(MetricsMembranes, EmptyVolumeHasNoMembranes) {
    OwnedLabels v({8, 8, 8});
    const auto r = measureMembranes(v.grid(), {});
    EXPECT_TRUE(r.membranes.empty());
    EXPECT_TRUE(r.thicknessSamples.empty());
    EXPECT_TRUE(histogramOf(r.thicknessSamples, 1.0).counts.empty());
    // min_voxels leaves out specks.
    v.at(3, 3, 3) = 2;
    MembraneOptions o;
    o.minimumVoxels = 2;
    EXPECT_TRUE(measureMembranes(v.grid(), o).membranes.empty());
    o.minimumVoxels = 1;
    EXPECT_EQ(measureMembranes(v.grid(), o).membranes.size(), 1u);
}
