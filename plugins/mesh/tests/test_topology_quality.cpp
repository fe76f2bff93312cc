// Topology checks, orientation, components and the quality figures, on meshes whose
// answers are known by construction.
#include "core/base/Errors.h"
#include "plugins/mesh/logic/MeshQuality.h"
#include "plugins/mesh/logic/MeshTopology.h"
#include "plugins/mesh/tests/TestShapes.h"

#include <gtest/gtest.h>

using namespace cellforge;
using namespace cellforge::mesh;
using namespace cellforge::mesh::test;

namespace {

Mesh translated(Mesh m, double dx) {
    for (auto& p : m.points) p[0] += dx;
    return m;
}

Mesh merged(const Mesh& a, const Mesh& b) {
    Mesh m = a;
    const auto offset = std::int32_t(m.points.size());
    m.points.insert(m.points.end(), b.points.begin(), b.points.end());
    for (auto t : b.triangles) m.triangles.push_back({t[0] + offset, t[1] + offset, t[2] + offset});
    m.triangleRegions.insert(m.triangleRegions.end(), b.triangleRegions.begin(), b.triangleRegions.end());
    return m;
}

// A unit cube as 6 tetrahedra around the main diagonal (0 to 6).
Mesh cubeTetrahedra(double size) {
    Mesh m;
    for (int z = 0; z < 2; ++z)
        for (int y = 0; y < 2; ++y)
            for (int x = 0; x < 2; ++x) m.points.push_back({x * size, y * size, z * size});
    m.tetrahedra = {{0, 1, 3, 7}, {0, 1, 5, 7}, {0, 2, 3, 7}, {0, 2, 6, 7}, {0, 4, 5, 7}, {0, 4, 6, 7}};
    m.tetrahedronRegions = {1, 1, 1, 1, 1, 1};
    return m;
}

}  // namespace

TEST(Topology, ClosedManifoldOrientedAndTheDefectsOfEach) {
    const Mesh tet = tetrahedronSurface();
    auto r = analyseTopology(tet);
    EXPECT_TRUE(r.closed() && r.manifold() && r.oriented());
    EXPECT_EQ(r.eulerCharacteristic, 2);
    EXPECT_NEAR(enclosedVolume(tet), 8.0 / 3.0, 1e-12);  // regular tetrahedron of edge 2√2

    Mesh open = tet;
    open.triangles.pop_back();
    r = analyseTopology(open);
    EXPECT_FALSE(r.closed());
    EXPECT_EQ(r.boundaryEdges, 3u);

    Mesh flipped = tet;
    std::swap(flipped.triangles[0][1], flipped.triangles[0][2]);
    EXPECT_EQ(analyseTopology(flipped).inconsistentEdges, 3u);

    // Two tetrahedra sharing one vertex (index 6 welded onto 1): a non-manifold vertex.
    Mesh touching = merged(tet, translated(tet, 2.0));
    for (auto& t : touching.triangles)
        for (auto& v : t)
            if (v == 6) v = 1;
    r = analyseTopology(touching);
    EXPECT_EQ(r.nonManifoldVertices, 1u);
    EXPECT_EQ(r.nonManifoldEdges, 0u);

    // Three triangles on one edge.
    Mesh fin;
    fin.points = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}};
    fin.triangles = {{0, 1, 2}, {1, 0, 3}, {0, 1, 4}};
    EXPECT_EQ(analyseTopology(fin).nonManifoldEdges, 1u);
}

TEST(Topology, OrientOutwardFixesFlipsAndKeepsCavitiesInward) {
    Mesh sphere = icosphere(10.0, 2);
    Mesh scrambled = sphere;
    for (std::size_t i = 0; i < scrambled.triangles.size(); i += 3)
        std::swap(scrambled.triangles[i][1], scrambled.triangles[i][2]);
    for (auto& t : scrambled.triangles) std::swap(t[1], t[2]);  // now mostly inward
    EXPECT_GT(orientOutward(scrambled), 0u);
    EXPECT_TRUE(analyseTopology(scrambled).oriented());
    EXPECT_NEAR(enclosedVolume(scrambled), enclosedVolume(sphere), 1e-9);

    // A hollow ball (same region): outer shell outward, inner shell into the cavity.
    Mesh hollow = merged(icosphere(10.0, 2), icosphere(5.0, 2));
    hollow.triangleRegions.assign(hollow.triangles.size(), 4);
    orientOutward(hollow);
    EXPECT_NEAR(enclosedVolume(hollow), enclosedVolume(icosphere(10.0, 2)) - enclosedVolume(icosphere(5.0, 2)), 1e-6);
    // A nucleus in a cell (different regions): both outward.
    Mesh nested = merged(icosphere(10.0, 2), icosphere(5.0, 2));
    nested.triangleRegions.assign(nested.triangles.size(), 1);
    std::fill(nested.triangleRegions.begin() + std::ptrdiff_t(icosphere(10.0, 2).triangles.size()),
              nested.triangleRegions.end(), 2);
    for (auto& t : nested.triangles) std::swap(t[1], t[2]);
    orientOutward(nested);
    const auto byRegion = enclosedVolumeByRegion(nested);
    EXPECT_GT(byRegion.at(1), 0.0);
    EXPECT_GT(byRegion.at(2), 0.0);
}

TEST(Topology, ComponentsSplitAndSmallOnesRemoved) {
    Mesh m = merged(merged(icosphere(10.0, 2), translated(icosphere(3.0, 1), 30.0)),
                    translated(tetrahedronSurface(), -40.0));
    std::size_t count = 0;
    const auto component = triangleComponents(m, count);
    EXPECT_EQ(count, 3u);
    EXPECT_EQ(component[0], 0);  // the big sphere is component 0
    const auto parts = splitComponents(m);
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[0].triangles.size(), 320u);
    EXPECT_EQ(parts[1].triangles.size(), 80u);
    EXPECT_EQ(parts[2].triangles.size(), 4u);
    for (const auto& p : parts) EXPECT_TRUE(analyseTopology(p).closed());
    EXPECT_EQ(removeSmallComponents(m, 10, 0.0), 1u);
    EXPECT_EQ(m.triangles.size(), 400u);
    EXPECT_EQ(removeSmallComponents(m, 0, 200.0), 1u);  // the r = 3 sphere has area ~ 110 Å²
    EXPECT_EQ(m.triangles.size(), 320u);
    EXPECT_EQ(m.points.size(), icosphere(10.0, 2).points.size());  // unused points dropped
}

TEST(Topology, TetrahedralBoundaryIsClosedAndOutward) {
    const Mesh cube = cubeTetrahedra(2.0);
    const Mesh boundary = tetrahedralBoundary(cube);
    EXPECT_EQ(boundary.triangles.size(), 12u);
    EXPECT_TRUE(analyseTopology(boundary).closed());
    EXPECT_TRUE(analyseTopology(boundary).oriented());
    EXPECT_NEAR(enclosedVolume(boundary), 8.0, 1e-12);
    EXPECT_NEAR(tetrahedraVolume(cube), 8.0, 1e-12);
}

TEST(Quality, AnglesAspectRatiosAndDihedralsOfKnownShapes) {
    Mesh equilateral;
    equilateral.points = {{0, 0, 0}, {2, 0, 0}, {1, std::sqrt(3.0), 0}};
    equilateral.triangles = {{0, 1, 2}};
    QualityOptions noCgal;
    noCgal.selfIntersections = false;
    auto r = assessQuality(equilateral, noCgal);
    EXPECT_EQ(r.triangles.angles[6], 3u);  // 60° falls in the 60–70° bin
    EXPECT_NEAR(r.triangles.angle.min, 60.0, 1e-9);
    EXPECT_NEAR(r.triangles.aspectRatio.max, 1.0, 1e-9);
    EXPECT_NEAR(r.triangles.edgeLength.mean, 2.0, 1e-12);
    EXPECT_FALSE(r.topology.closed());

    Mesh right;
    right.points = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}};
    right.triangles = {{0, 1, 2}};
    r = assessQuality(right, noCgal);
    EXPECT_EQ(r.triangles.angles[4], 2u);  // 45°
    EXPECT_EQ(r.triangles.angles[9], 1u);  // 90°
    EXPECT_NEAR(r.triangles.angle.max, 90.0, 1e-9);
    EXPECT_NEAR(r.triangles.aspectRatio.max, (1.0 + std::sqrt(2.0)) / 2.0, 1e-9);  // R / 2r of a right isosceles

    // A regular tetrahedron: every dihedral angle is arccos(1/3) = 70.53°, radius-edge √6/4.
    Mesh regular = tetrahedronSurface();
    regular.triangles.clear();
    regular.tetrahedra = {{0, 1, 2, 3}};
    regular.tetrahedronRegions = {1};
    r = assessQuality(regular, noCgal);
    ASSERT_TRUE(r.tetrahedra.has_value());
    EXPECT_NEAR(r.tetrahedra->dihedralAngle.min, std::acos(1.0 / 3.0) * 180.0 / kPi, 1e-9);
    EXPECT_NEAR(r.tetrahedra->dihedralAngle.max, std::acos(1.0 / 3.0) * 180.0 / kPi, 1e-9);
    EXPECT_EQ(r.tetrahedra->dihedralAngles[7], 6u);
    EXPECT_NEAR(r.tetrahedra->radiusEdgeRatio.mean, std::sqrt(6.0) / 4.0, 1e-9);
    EXPECT_TRUE(r.topology.closed());  // the boundary of the tetrahedron
    EXPECT_NEAR(r.tetrahedraVolume, 8.0 / 3.0, 1e-12);

    // A flat sliver: dihedral angles of 0° and 180°, counted as degenerate.
    Mesh sliver;
    sliver.points = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {1, 1, 1e-12}};
    sliver.tetrahedra = {{0, 1, 2, 3}};
    r = assessQuality(sliver, noCgal);
    EXPECT_EQ(r.tetrahedra->degenerate, 1u);
    EXPECT_LT(r.tetrahedra->dihedralAngle.min, 1.0);
    EXPECT_GE(r.tetrahedra->dihedralBelow10, 1u);
}

TEST(Quality, TablesPlotAndEmptyInput) {
    const Mesh sphere = icosphere(50.0, 3);
    const auto r = assessQuality(sphere, {});
    const Table summary = qualitySummaryTable(r);
    auto value = [&](const std::string& metric) {
        for (std::size_t i = 0; i < summary.rowCount(); ++i)
            if (std::get<std::string>(summary.row(i)[0]) == metric) return std::get<double>(summary.row(i)[1]);
        ADD_FAILURE() << "no row " << metric;
        return -1.0;
    };
    EXPECT_EQ(value("closed"), 1.0);
    EXPECT_EQ(value("manifold"), 1.0);
    EXPECT_EQ(value("self_intersecting"), 0.0);
    EXPECT_EQ(value("triangles"), 1280.0);
    EXPECT_NEAR(value("surface_area"), 4 * kPi * 2500.0, 0.02 * 4 * kPi * 2500.0);
    const Table histogram = angleHistogramTable(r);
    EXPECT_EQ(histogram.rowCount(), 18u);
    double total = 0;
    for (double c : histogram.numericColumn("triangle_angles")) total += c;
    EXPECT_EQ(total, 3.0 * 1280.0);
    const auto svg = angleHistogramSvg(r, "Sphere <test>");
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("Sphere &lt;test>"), std::string::npos);
    EXPECT_EQ(std::count(svg.begin(), svg.end(), '\n') > 18, true);
    EXPECT_THROW(assessQuality(Mesh{}, {}), InputError);
}
