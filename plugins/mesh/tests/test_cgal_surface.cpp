// CGAL surface operations: self-intersections, Hausdorff distance, remeshing, angle
// smoothing, decimation and repair.
#include "core/base/Errors.h"
#include "plugins/mesh/logic/CgalSurface.h"
#include "plugins/mesh/logic/MeshQuality.h"
#include "plugins/mesh/logic/MeshTopology.h"
#include "plugins/mesh/logic/SurfaceExtraction.h"
#include "plugins/mesh/tests/TestShapes.h"

#include <gtest/gtest.h>

using namespace cellforge;
using namespace cellforge::mesh;
using namespace cellforge::mesh::test;

namespace {

// A marching-cubes sphere: closed, manifold, with the poor triangles remeshing fixes.
Mesh voxelSphere(double radius = 60.0, double voxel = 5.0) {
    const auto n = std::int64_t(2 * radius / voxel) + 6;
    const double c = 0.5 * double(n) * voxel;
    LabelSurfaceOptions o;
    o.smoothing.iterations = 0;
    return extractLabelSurfaces(ball(n, voxel, {0, 0, 0}, {c, c, c}, radius, 1), o).mesh;
}

double minAngle(const Mesh& m) {
    QualityOptions o;
    o.selfIntersections = false;
    return assessQuality(m, o).triangles.angle.min;
}

}  // namespace

TEST(CgalSurface, SelfIntersectionsCountCrossingPairsOnly) {
    EXPECT_EQ(countSelfIntersections(tetrahedronSurface()).total(), 0u);
    EXPECT_EQ(countSelfIntersections(icosphere(10, 2)).total(), 0u);
    Mesh crossing;
    crossing.points = {{0, 0, 0}, {2, 0, 0}, {0, 2, 0}, {0.5, 0.5, -1}, {0.5, 0.5, 1}, {3, 3, 0}};
    crossing.triangles = {{0, 1, 2}, {3, 4, 5}};
    EXPECT_EQ(countSelfIntersections(crossing).withinRegions, 1u);
    // Folded over a shared edge (coplanar, same side) intersects; a plain hinge does not.
    Mesh folded;
    folded.points = {{0, 0, 0}, {1, 0, 0}, {0.3, 1, 0}, {0.6, 0.5, 0}, {0.5, -1, 0}};
    folded.triangles = {{0, 1, 2}, {1, 0, 3}};
    EXPECT_EQ(countSelfIntersections(folded).total(), 1u);
    folded.triangles = {{0, 1, 2}, {1, 0, 4}};
    EXPECT_EQ(countSelfIntersections(folded).total(), 0u);
    // Sharing one vertex but passing through each other.
    Mesh pierced;
    pierced.points = {{0, 0, 0}, {2, 0, 0}, {0, 2, 0}, {1, 0.2, -1}, {1, 0.2, 1}};
    pierced.triangles = {{0, 1, 2}, {0, 3, 4}};
    EXPECT_EQ(countSelfIntersections(pierced).total(), 1u);
    // The same crossing between two regions is counted apart.
    crossing.triangleRegions = {1, 2};
    EXPECT_EQ(countSelfIntersections(crossing).betweenRegions, 1u);
    EXPECT_EQ(countSelfIntersections(crossing).withinRegions, 0u);
}

TEST(CgalSurface, HausdorffDistanceOfAShiftedSurface) {
    const Mesh a = icosphere(50.0, 3);
    Mesh b = a;
    for (auto& p : b.points) p[2] += 4.0;
    EXPECT_NEAR(hausdorffDistance(a, b, 1.0), 4.0, 0.2);
    EXPECT_NEAR(hausdorffDistance(a, a, 1.0), 0.0, 1e-9);
}

TEST(CgalSurface, IsotropicRemeshingReachesTheTargetAndKeepsTheShape) {
    const Mesh input = voxelSphere();
    const double target = 8.0;
    RemeshOptions o;
    o.targetEdgeLength = target;
    const Mesh out = remeshIsotropic(input, o);
    QualityOptions q;
    q.selfIntersections = true;
    const auto report = assessQuality(out, q, &input);
    EXPECT_TRUE(report.topology.closed());
    EXPECT_TRUE(report.topology.manifold());
    EXPECT_EQ(*report.selfIntersectingPairs, 0u);
    EXPECT_NEAR(report.triangles.edgeLength.mean / target, 1.0, 0.2);
    EXPECT_GT(report.triangles.angle.min, minAngle(input));
    EXPECT_GT(report.triangles.angle.min, 20.0);
    EXPECT_NEAR(enclosedVolume(out) / enclosedVolume(input), 1.0, 0.01);
    EXPECT_LT(*report.hausdorffDistance, 3.0);
}

TEST(CgalSurface, RemeshingKeepsRegionsAndRefusesNonManifoldInput) {
    Mesh two = voxelSphere(30.0, 5.0);
    // Mark the upper half as region 2: the border between the regions must survive.
    double zc = 0;
    for (const auto& p : two.points) zc += p[2] / double(two.points.size());
    for (std::size_t i = 0; i < two.triangles.size(); ++i)
        two.triangleRegions[i] = two.points[std::size_t(two.triangles[i][0])][2] > zc ? 2 : 1;
    RemeshOptions o;
    o.targetEdgeLength = 5.0;
    const Mesh out = remeshIsotropic(two, o);
    const auto areas = areaByRegion(out), before = areaByRegion(two);
    ASSERT_EQ(areas.size(), 2u);
    EXPECT_NEAR(areas.at(2) / before.at(2), 1.0, 0.05);

    Mesh fin;
    fin.points = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}};
    fin.triangles = {{0, 1, 2}, {1, 0, 3}, {0, 1, 4}};
    try {
        remeshIsotropic(fin, o);
        ADD_FAILURE() << "no exception";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("1 non-manifold edges"), std::string::npos) << e.what();
    }
}

TEST(CgalSurface, AngleSmoothingImprovesAnglesWithoutMovingTheSurface) {
    const Mesh input = voxelSphere();
    const Mesh out = smoothAngles(input, 5);
    EXPECT_EQ(out.triangles.size(), input.triangles.size());
    QualityOptions q;
    q.selfIntersections = false;
    const auto before = assessQuality(input, q), after = assessQuality(out, q);
    EXPECT_GE(after.triangles.angle.min, before.triangles.angle.min);
    EXPECT_LT(after.triangles.aspectRatio.mean, before.triangles.aspectRatio.mean);
    EXPECT_LT(after.triangles.anglesBelow30 + after.triangles.angles[3],
              before.triangles.anglesBelow30 + before.triangles.angles[3]);
    EXPECT_NEAR(enclosedVolume(out) / enclosedVolume(input), 1.0, 0.01);
    EXPECT_LT(hausdorffDistance(out, input), 2.0);
}

TEST(CgalSurface, DecimationToACountAndToAnErrorBound) {
    const Mesh input = voxelSphere();
    DecimateOptions byCount;
    byCount.targetTriangles = input.triangles.size() / 10;
    const Mesh coarse = decimate(input, byCount);
    EXPECT_LE(coarse.triangles.size(), byCount.targetTriangles + byCount.targetTriangles / 20);
    EXPECT_GT(coarse.triangles.size(), byCount.targetTriangles / 2);
    EXPECT_TRUE(analyseTopology(coarse).closed());
    EXPECT_NEAR(enclosedVolume(coarse) / enclosedVolume(input), 1.0, 0.03);

    DecimateOptions byError;
    byError.maxError = 1.0;
    const Mesh bounded = decimate(input, byError);
    EXPECT_LT(bounded.triangles.size(), input.triangles.size() / 2);
    EXPECT_LE(hausdorffDistance(bounded, input, 0.5), 1.05 * byError.maxError);
    EXPECT_THROW(decimate(input, DecimateOptions{}), InputError);
}

TEST(CgalSurface, RepairClosesHolesDropsJunkAndOrientsOutward) {
    Mesh broken = icosphere(40.0, 3);
    broken.triangleRegions.assign(broken.triangles.size(), 5);
    const double volume = enclosedVolume(broken);
    // A hole of 3 triangles around a vertex, a duplicate, a degenerate triangle,
    // duplicated points (split vertices along a seam) and everything flipped.
    std::vector<char> keep(broken.triangles.size(), 1);
    int removed = 0;
    for (std::size_t i = 0; i < broken.triangles.size() && removed < 6; ++i)
        for (auto v : broken.triangles[i])
            if (v == 0) keep[i] = 0, ++removed;
    broken = selectTriangles(broken, keep);
    broken.triangles.push_back(broken.triangles[10]);
    broken.triangleRegions.push_back(5);
    broken.triangles.push_back({1, 1, 2});
    broken.triangleRegions.push_back(5);
    const auto copyIndex = std::int32_t(broken.points.size());
    broken.points.push_back(broken.points[std::size_t(broken.triangles[20][0])]);
    broken.triangles[20][0] = copyIndex;
    for (auto& t : broken.triangles) std::swap(t[1], t[2]);
    EXPECT_FALSE(analyseTopology(broken).closed());

    RepairReport report;
    const Mesh fixed = repairSurface(broken, {}, report);
    const auto topology = analyseTopology(fixed);
    EXPECT_TRUE(topology.closed());
    EXPECT_TRUE(topology.manifold());
    EXPECT_TRUE(topology.oriented());
    EXPECT_TRUE(report.closed);
    EXPECT_EQ(report.holesFilled, 1u);
    EXPECT_EQ(report.duplicatesRemoved, 1u);
    EXPECT_EQ(report.degenerateRemoved, 1u);
    EXPECT_EQ(report.mergedPoints, 1u);
    EXPECT_NEAR(enclosedVolume(fixed) / volume, 1.0, 0.01);  // positive: outward
    for (auto r : fixed.triangleRegions) ASSERT_EQ(r, 5);

    RepairOptions noFill;
    noFill.maxHoleEdges = 3;  // the hole has 6 edges
    const Mesh left = repairSurface(broken, noFill, report);
    EXPECT_EQ(report.holesLeft, 1u);
    EXPECT_FALSE(analyseTopology(left).closed());
}
