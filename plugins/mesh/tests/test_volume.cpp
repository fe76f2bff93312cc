// Tetrahedral meshing with CGAL Mesh_3: subdomains, conforming interfaces, markers,
// dihedral angles, and the messages for inputs that cannot be meshed.
#include "core/base/Errors.h"
#include "plugins/mesh/logic/CgalVolume.h"
#include "plugins/mesh/logic/MeshQuality.h"
#include "plugins/mesh/logic/MeshTopology.h"
#include "plugins/mesh/tests/TestShapes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <vector>

using namespace cellforge;
using namespace cellforge::mesh;
using namespace cellforge::mesh::test;

namespace {

using Face = std::array<std::int32_t, 3>;

Face sorted(Face f) {
    std::sort(f.begin(), f.end());
    return f;
}

// For every face of the tetrahedra: the regions of the tetrahedra on its sides.
std::map<Face, std::vector<std::int32_t>> faceSides(const Mesh& m) {
    std::map<Face, std::vector<std::int32_t>> sides;
    static const int kFaces[4][3] = {{1, 2, 3}, {0, 3, 2}, {0, 1, 3}, {0, 2, 1}};
    for (std::size_t i = 0; i < m.tetrahedra.size(); ++i)
        for (const auto& f : kFaces)
            sides[sorted({m.tetrahedra[i][std::size_t(f[0])], m.tetrahedra[i][std::size_t(f[1])],
                          m.tetrahedra[i][std::size_t(f[2])]})]
                .push_back(m.tetrahedronRegions[i]);
    return sides;
}

}  // namespace

TEST(VolumeMesh, TwoLabelsGiveBothSubdomainsWithAConformingInterface) {
    const double voxel = 10.0;
    const auto labels = cellWithNucleus(40, voxel, 150.0, 70.0, {20.0, 0, 0});
    VolumeMeshOptions o;
    const auto result = meshLabelVolume(labels, o);
    const Mesh& m = result.mesh;
    ASSERT_NO_THROW(m.validate());
    std::map<std::int32_t, std::size_t> tets;
    for (auto r : m.tetrahedronRegions) ++tets[r];
    ASSERT_EQ(tets.size(), 2u);
    EXPECT_GT(tets[1], 100u);
    EXPECT_GT(tets[2], 100u);

    // Conformity: every face between a cytosol and a nucleus tetrahedron is one of the
    // facets marked 1002, and every facet marked 1002 is such a face; likewise for the
    // outer boundary (marker 1).
    const auto sides = faceSides(m);
    std::set<Face> interface, boundary;
    for (const auto& [face, regions] : sides) {
        if (regions.size() == 2 &&
            std::set<std::int32_t>(regions.begin(), regions.end()) == std::set<std::int32_t>{1, 2})
            interface.insert(face);
        if (regions.size() == 1) boundary.insert(face);
        EXPECT_LE(regions.size(), 2u);
    }
    std::set<Face> marked1002, marked1;
    for (std::size_t i = 0; i < m.triangles.size(); ++i) {
        if (m.triangleRegions[i] == 1002) marked1002.insert(sorted(m.triangles[i]));
        if (m.triangleRegions[i] == 1) marked1.insert(sorted(m.triangles[i]));
    }
    EXPECT_FALSE(interface.empty());
    EXPECT_EQ(marked1002, interface);
    EXPECT_EQ(marked1, boundary);
    ASSERT_EQ(result.facetMarkers.size(), 2u);

    // Facet normals: outer boundary outward, interface from the nucleus into the cytosol.
    Mesh outer, nucleusSurface;
    outer.points = nucleusSurface.points = m.points;
    for (std::size_t i = 0; i < m.triangles.size(); ++i) {
        if (m.triangleRegions[i] == 1) outer.triangles.push_back(m.triangles[i]);
        if (m.triangleRegions[i] == 1002) nucleusSurface.triangles.push_back(m.triangles[i]);
    }
    const double vCell = 4.0 / 3.0 * kPi * std::pow(150.0, 3), vNucleus = 4.0 / 3.0 * kPi * std::pow(70.0, 3);
    EXPECT_NEAR(enclosedVolume(outer) / vCell, 1.0, 0.06);
    EXPECT_NEAR(enclosedVolume(nucleusSurface) / vNucleus, 1.0, 0.1);
    EXPECT_NEAR(tetrahedraVolume(m) / vCell, 1.0, 0.06);

    // Quality after perturbation and exudation.
    QualityOptions q;
    q.selfIntersections = false;
    const auto report = assessQuality(m, q);
    ASSERT_TRUE(report.tetrahedra.has_value());
    EXPECT_GE(report.tetrahedra->dihedralAngle.min, 10.0);
    EXPECT_EQ(report.tetrahedra->degenerate, 0u);
    EXPECT_TRUE(report.topology.closed());
    EXPECT_TRUE(report.topology.manifold());
    EXPECT_GE(report.triangles.angle.min, 25.0);  // facet_angle 30 bounds surface angles (approximately)
    EXPECT_GT(result.vertices, 0u);
}

TEST(VolumeMesh, SelectedLabelsOnlyAndCoordinatesInTheVolumeFrame) {
    auto labels = cellWithNucleus(30, 8.0, 100.0, 50.0);
    labels.setOrigin({1000.0, -500.0, 250.0});
    VolumeMeshOptions o;
    o.labels = {2};
    const auto result = meshLabelVolume(labels, o);
    std::set<std::int32_t> regions(result.mesh.tetrahedronRegions.begin(), result.mesh.tetrahedronRegions.end());
    EXPECT_EQ(regions, std::set<std::int32_t>{2});
    // The nucleus (radius 50 Å around the centre) in the volume's frame, to within a voxel.
    std::array<double, 3> lo{1e9, 1e9, 1e9}, hi{-1e9, -1e9, -1e9};
    for (const auto& p : result.mesh.points)
        for (int a = 0; a < 3; ++a)
            lo[std::size_t(a)] = std::min(lo[std::size_t(a)], p[std::size_t(a)]),
            hi[std::size_t(a)] = std::max(hi[std::size_t(a)], p[std::size_t(a)]);
    const double c = 0.5 * 30 * 8.0;
    const std::array<double, 3> origin{1000.0, -500.0, 250.0};
    for (int a = 0; a < 3; ++a) {
        EXPECT_NEAR(0.5 * (lo[std::size_t(a)] + hi[std::size_t(a)]), origin[std::size_t(a)] + c, 4.0);
        EXPECT_NEAR(hi[std::size_t(a)] - lo[std::size_t(a)], 100.0, 8.0);
    }
}

TEST(VolumeMesh, ThinEmptyAndAbsentLabelsAreRefusedWithReasons) {
    auto message = [](const std::function<void()>& f) -> std::string {
        try {
            f();
        } catch (const InputError& e) {
            return e.what();
        }
        return "(no InputError)";
    };
    const auto sheet = labelsFrom(16, 1.0, {0, 0, 0}, [](double x, double y, double z) {
        return std::hypot(x - 8, y - 8, z - 8) < 6 ? 1 : (z > 2 && z < 3.5 ? 3 : 0);
    });
    const auto msg = message([&] { meshLabelVolume(sheet, {}); });
    EXPECT_NE(msg.find("label(s) 3 are at most one voxel thick"), std::string::npos) << msg;
    EXPECT_NE(message([&] { meshLabelVolume(LabelVolume({8, 8, 8}), {}); }).find("empty"), std::string::npos);
    VolumeMeshOptions absent;
    absent.labels = {9};
    EXPECT_NE(message([&] { meshLabelVolume(sheet, absent); }).find("label 9 is not present"), std::string::npos);
    VolumeMeshOptions wide;
    wide.facetAngle = 40;
    EXPECT_NE(message([&] { meshLabelVolume(sheet, wide); }).find("facet_angle"), std::string::npos);
}

TEST(VolumeMesh, ASmallLabelThatGetsNoTetrahedraIsAStageError) {
    // A 3x3x3 block is not thin, but far smaller than a 40 Å mesh size.
    const auto labels = labelsFrom(24, 4.0, {0, 0, 0}, [](double x, double y, double z) {
        if (x > 60 && x < 72 && y > 60 && y < 72 && z > 60 && z < 72) return LabelId(2);
        return std::hypot(x - 40, y - 40, z - 40) < 25 ? LabelId(1) : LabelId(0);
    });
    VolumeMeshOptions o;
    o.facetSize = 40.0;
    o.cellSize = 40.0;
    o.facetDistance = 8.0;
    try {
        meshLabelVolume(labels, o);
        ADD_FAILURE() << "no exception";
    } catch (const StageError& e) {
        EXPECT_NE(std::string(e.what()).find("label(s) 2 produced no tetrahedra"), std::string::npos) << e.what();
    }
}

TEST(VolumeMesh, CancellingMidRunStopsMeshingAndLeavesTheInputAlone) {
    const auto labels = cellWithNucleus(30, 5.0, 60.0, 25.0);
    const std::vector<LabelId> before(labels.labels(), labels.labels() + labels.voxelCount());
    // The flag is raised from the first progress report, once the domain is built and
    // refinement starts: Mesh_3 polls it, and nothing is reported after it.
    std::atomic<bool> cancel{false};
    std::vector<double> reports;
    RunControl control;
    control.cancel = &cancel;
    control.progress = [&](double fraction, const std::string&) {
        reports.push_back(fraction);
        cancel = true;
    };
    EXPECT_THROW(meshLabelVolume(labels, {}, control), CancelledError);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_GT(reports[0], 0.0);
    EXPECT_LT(reports[0], 0.6);  // during refinement, before the optimisers
    EXPECT_TRUE(std::equal(before.begin(), before.end(), labels.labels()));
}
