// Surface extraction: per label, per piece, shared-boundary multi-label, isosurfaces;
// geometry checked against analytic shapes, topology against what simulators need.
#include "core/base/Errors.h"
#include "core/data/VtkView.h"
#include "plugins/mesh/logic/BinaryMarchingCubes.h"
#include "plugins/mesh/logic/MeshTopology.h"
#include "plugins/mesh/logic/SurfaceExtraction.h"
#include "plugins/mesh/tests/TestShapes.h"

#include <gtest/gtest.h>

#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkImageData.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>

using namespace cellforge;
using namespace cellforge::mesh;
using namespace cellforge::mesh::test;

namespace {

std::string messageOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no exception)";
}

// The triangles with one of the given markers, flipping those in `flip`.
Mesh withMarkers(const Mesh& m, const std::set<std::int32_t>& keep, const std::set<std::int32_t>& flip = {}) {
    Mesh out;
    out.points = m.points;
    for (std::size_t i = 0; i < m.triangles.size(); ++i) {
        const auto r = m.triangleRegions[i];
        if (!keep.count(r)) continue;
        auto t = m.triangles[i];
        if (flip.count(r)) std::swap(t[1], t[2]);
        out.triangles.push_back(t);
        out.triangleRegions.push_back(r);
    }
    return out;
}

}  // namespace

TEST(SurfaceExtraction, SphereLabelGivesAClosedSurfaceWithin2PercentOfAreaAndVolume) {
    const double voxel = 10.0, radius = 200.0;  // 20 voxels
    const Vec3 origin{-150.0, 40.0, 1000.0};
    const Vec3 centre{origin[0] + 250.0, origin[1] + 240.0, origin[2] + 260.0};
    const auto labels = ball(50, voxel, origin, centre, radius, 3);
    const auto result = extractLabelSurfaces(labels, {});
    const Mesh& m = result.mesh;
    const auto topology = analyseTopology(m);
    EXPECT_TRUE(topology.closed());
    EXPECT_TRUE(topology.manifold());
    EXPECT_TRUE(topology.oriented());
    EXPECT_EQ(topology.components, 1u);
    EXPECT_EQ(topology.eulerCharacteristic, 2);  // a sphere
    const double volume = enclosedVolume(m), area = surfaceArea(m);
    const double trueVolume = 4.0 / 3.0 * kPi * radius * radius * radius, trueArea = 4.0 * kPi * radius * radius;
    EXPECT_NEAR(volume / trueVolume, 1.0, 0.02) << volume << " vs " << trueVolume;
    EXPECT_NEAR(area / trueArea, 1.0, 0.02) << area << " vs " << trueArea;
    // Aligned with the volume in Å: the centroid of the vertices is the ball's centre.
    Vec3 mean{0, 0, 0};
    for (const auto& p : m.points)
        for (int a = 0; a < 3; ++a) mean[std::size_t(a)] += p[std::size_t(a)] / double(m.points.size());
    for (int a = 0; a < 3; ++a) EXPECT_NEAR(mean[std::size_t(a)], centre[std::size_t(a)], 0.5 * voxel);
    for (auto r : m.triangleRegions) ASSERT_EQ(r, 3);
    ASSERT_EQ(result.regions.size(), 1u);
    EXPECT_EQ(result.regions[0].marker, 3);
    EXPECT_TRUE(result.warnings.empty());
}

TEST(SurfaceExtraction, LabelsTouchingTheBorderAreClosedThere) {
    // A slab of 7 voxels (centres 4.5 to 10.5) filling the volume in x and y: its
    // surface must still be closed, at the volume's faces.
    const auto labels =
        labelsFrom(16, 1.0, {0, 0, 0}, [](double, double, double z) { return z > 4 && z < 11 ? 1 : 0; });
    LabelSurfaceOptions o;
    o.smoothing.iterations = 0;
    const auto m = extractLabelSurfaces(labels, o).mesh;
    const auto topology = analyseTopology(m);
    EXPECT_TRUE(topology.closed());
    double lo = 1e9, hi = -1e9;
    for (const auto& p : m.points) lo = std::min(lo, p[0]), hi = std::max(hi, p[0]);
    EXPECT_DOUBLE_EQ(lo, 0.0);
    EXPECT_DOUBLE_EQ(hi, 16.0);
    EXPECT_NEAR(enclosedVolume(m), 16.0 * 16.0 * 7.0, 0.03 * 16.0 * 16.0 * 7.0);
}

TEST(SurfaceExtraction, EmptyAndAbsentLabelsGiveClearMessages) {
    LabelVolume empty({8, 8, 8});
    EXPECT_NE(messageOf([&] { extractLabelSurfaces(empty, {}); }).find("the label volume is empty"), std::string::npos);
    const auto labels = ball(16, 1.0, {0, 0, 0}, {8, 8, 8}, 4, 1);
    LabelSurfaceOptions o;
    o.labels = {7};
    const auto msg = messageOf([&] { extractLabelSurfaces(labels, o); });
    EXPECT_NE(msg.find("label 7 is not present"), std::string::npos) << msg;
    EXPECT_NE(msg.find("present labels: 1"), std::string::npos) << msg;
    EXPECT_THROW(extractLabelSurfaces(labels, o), InputError);
}

TEST(SurfaceExtraction, OneVoxelThinShapesAreMeshedWithAWarning) {
    const auto labels = labelsFrom(12, 1.0, {0, 0, 0}, [](double x, double y, double z) {
        return (z > 5 && z < 6.5 && x > 2 && x < 10 && y > 2 && y < 10) ? 4 : 0;  // a one-voxel sheet
    });
    const auto result = extractLabelSurfaces(labels, {});
    ASSERT_EQ(result.warnings.size(), 1u);
    EXPECT_NE(result.warnings[0].find("label 4 is at most one voxel thick"), std::string::npos);
    EXPECT_TRUE(analyseTopology(result.mesh).closed());
    EXPECT_GT(enclosedVolume(result.mesh), 0.0);
}

TEST(SurfaceExtraction, ComponentsModeGivesOneRegionPerPieceLargestFirst) {
    const auto labels = labelsFrom(40, 1.0, {0, 0, 0}, [](double x, double y, double z) {
        const double a = std::hypot(x - 12, y - 20, z - 20), b = std::hypot(x - 30, y - 20, z - 20),
                     c = std::hypot(x - 30, y - 6, z - 6);
        return (a <= 8 || b <= 5 || c <= 1.2) ? 2 : 0;
    });
    LabelSurfaceOptions o;
    o.mode = SurfaceMode::Components;
    o.minComponentVoxels = 20;  // drops the tiny third piece
    const auto result = extractLabelSurfaces(labels, o);
    ASSERT_EQ(result.regions.size(), 2u);
    EXPECT_EQ(result.regions[0].marker, 1);
    EXPECT_EQ(result.regions[1].marker, 2);
    EXPECT_GT(result.regions[0].voxels, result.regions[1].voxels);
    EXPECT_EQ(result.regions[0].label, 2);
    const auto volumes = enclosedVolumeByRegion(result.mesh);
    EXPECT_NEAR(volumes.at(1), 4.0 / 3.0 * kPi * 512.0, 0.05 * 4.0 / 3.0 * kPi * 512.0);
    EXPECT_NEAR(volumes.at(2), 4.0 / 3.0 * kPi * 125.0, 0.08 * 4.0 / 3.0 * kPi * 125.0);
    for (std::int32_t r : {1, 2}) EXPECT_TRUE(analyseTopology(withMarkers(result.mesh, {r})).closed());
}

TEST(SurfaceExtraction, MultiLabelSurfaceSharesEachInterfaceOnce) {
    const double voxel = 5.0;
    const auto labels = cellWithNucleus(44, voxel, 90.0, 45.0, {15.0, 0, 0});
    LabelSurfaceOptions o;
    o.mode = SurfaceMode::MultiLabel;
    const auto result = extractLabelSurfaces(labels, o);
    const Mesh& m = result.mesh;
    std::set<std::int32_t> markers(m.triangleRegions.begin(), m.triangleRegions.end());
    EXPECT_EQ(markers, (std::set<std::int32_t>{1, 1002}));
    // No triangle twice: the interface exists once.
    std::set<std::array<std::int32_t, 3>> seen;
    for (auto t : m.triangles) {
        std::sort(t.begin(), t.end());
        EXPECT_TRUE(seen.insert(t).second);
    }
    // The nucleus is bounded by the interface alone, the cytosol by the outer membrane
    // plus the same interface triangles: both closed, so the meshes conform.
    const Mesh nucleus = withMarkers(m, {1002});
    const Mesh cytosol = withMarkers(m, {1, 1002}, {1002});  // interface normals point into the cytosol
    EXPECT_TRUE(analyseTopology(nucleus).closed());
    EXPECT_TRUE(analyseTopology(cytosol).closed());
    const double vNucleus = 4.0 / 3.0 * kPi * std::pow(45.0, 3), vCell = 4.0 / 3.0 * kPi * std::pow(90.0, 3);
    EXPECT_NEAR(enclosedVolume(nucleus) / vNucleus, 1.0, 0.05);
    EXPECT_NEAR(enclosedVolume(cytosol) / (vCell - vNucleus), 1.0, 0.05);
    EXPECT_NEAR(surfaceArea(withMarkers(m, {1})) / (4 * kPi * 90.0 * 90.0), 1.0, 0.05);
}

TEST(SurfaceExtraction, IsosurfaceOfAFieldAtALevel) {
    // A Gaussian blob: f = exp(-r² / (2 σ²)) is 0.5 on the sphere r = σ √(2 ln 2).
    const double sigma = 40.0, voxel = 4.0;
    Volume field({48, 48, 48}, ScalarType::Float32);
    field.setVoxelSize({voxel, voxel, voxel});
    const double c = 24 * voxel;
    for (std::int64_t z = 0; z < 48; ++z)
        for (std::int64_t y = 0; y < 48; ++y)
            for (std::int64_t x = 0; x < 48; ++x) {
                const double dx = (x + 0.5) * voxel - c, dy = (y + 0.5) * voxel - c, dz = (z + 0.5) * voxel - c;
                field.data<float>()[field.index(x, y, z)] =
                    float(std::exp(-(dx * dx + dy * dy + dz * dz) / (2 * sigma * sigma)));
            }
    WindowedSincOptions none;
    none.iterations = 0;
    const Mesh m = extractIsosurface(field, 0.5, none, true);
    const double r = sigma * std::sqrt(2 * std::log(2.0));
    EXPECT_TRUE(analyseTopology(m).closed());
    EXPECT_NEAR(enclosedVolume(m) / (4.0 / 3.0 * kPi * r * r * r), 1.0, 0.01);  // positive: outward
    // A level the field never reaches, and one every voxel exceeds, are refused.
    EXPECT_NE(messageOf([&] { extractIsosurface(field, 2.0, none, true); }).find("no voxel reaches"),
              std::string::npos);
    EXPECT_NE(messageOf([&] { extractIsosurface(field, -1.0, none, true); }).find("every voxel is at or above"),
              std::string::npos);
    // An open isosurface (not closed at the border) is still oriented toward low values.
    const Mesh open = extractIsosurface(field, 0.01, none, false);
    EXPECT_FALSE(analyseTopology(open).closed());
    const Mesh closed = extractIsosurface(field, 0.01, none, true);
    EXPECT_TRUE(analyseTopology(closed).closed());
    EXPECT_GT(enclosedVolume(closed), 0.0);
}

TEST(SurfaceExtraction, CancellingStopsTheWork) {
    const auto labels = ball(20, 1.0, {0, 0, 0}, {10, 10, 10}, 6);
    std::atomic<bool> cancel{true};
    RunControl control;
    control.cancel = &cancel;
    EXPECT_THROW(extractLabelSurfaces(labels, {}, control), CancelledError);
    LabelSurfaceOptions o;
    o.mode = SurfaceMode::MultiLabel;
    EXPECT_THROW(extractLabelSurfaces(labels, o, control), CancelledError);
    // Raised mid-run from the first progress report: the work stops there, with nothing
    // reported after it, on one thread or several.
    for (const auto mode : {SurfaceMode::Labels, SurfaceMode::Components})
        for (int threads : {1, 3}) {
            SCOPED_TRACE(threads);
            cancel = false;
            int reports = 0;
            RunControl midRun = control.withThreads(threads);
            midRun.progress = [&](double, const std::string&) {
                ++reports;
                cancel = true;
            };
            LabelSurfaceOptions m;
            m.mode = mode;
            EXPECT_THROW(extractLabelSurfaces(labels, m, midRun), CancelledError);
            EXPECT_EQ(reports, 1);
        }
}

TEST(SurfaceExtraction, TheResultDoesNotDependOnTheThreadBudget) {
    // Pieces of several labels, smoothed: each surface is written into its own part of
    // the mesh, whichever thread makes it and in whatever order.
    const auto labels = labelsFrom(40, 2.0, {0, 0, 0}, [](double x, double y, double z) {
        if (std::hypot(x - 25, y - 25, z - 25) <= 14) return LabelId(1);
        if (std::hypot(x - 60, y - 55, z - 50) <= 10 || std::hypot(x - 25, y - 60, z - 60) <= 8) return LabelId(2);
        if (std::hypot(x - 60, y - 20, z - 60) <= 6) return LabelId(3);
        return LabelId(0);
    });
    for (const auto mode : {SurfaceMode::Labels, SurfaceMode::Components}) {
        LabelSurfaceOptions o;
        o.mode = mode;
        const auto one = extractLabelSurfaces(labels, o, RunControl{}.withThreads(1));
        const auto four = extractLabelSurfaces(labels, o, RunControl{}.withThreads(4));
        EXPECT_EQ(one.regions.size(), mode == SurfaceMode::Labels ? 3u : 4u);
        ASSERT_EQ(one.mesh.points.size(), four.mesh.points.size());
        EXPECT_EQ(one.mesh.triangles, four.mesh.triangles);
        EXPECT_EQ(one.mesh.triangleRegions, four.mesh.triangleRegions);
        for (std::size_t i = 0; i < one.mesh.points.size(); ++i)
            for (std::size_t a = 0; a < 3; ++a) ASSERT_NEAR(one.mesh.points[i][a], four.mesh.points[i][a], 1e-9);
        ASSERT_EQ(one.regions.size(), four.regions.size());
        for (std::size_t r = 0; r < one.regions.size(); ++r) {
            EXPECT_EQ(one.regions[r].marker, four.regions[r].marker);
            EXPECT_EQ(one.regions[r].voxels, four.regions[r].voxels);
            EXPECT_EQ(one.regions[r].triangles, four.regions[r].triangles);
        }
    }
}

TEST(LabelGeometry, ExtentsMatchABruteForceScanOnAnyNumberOfThreads) {
    // Labels scattered over every slice, some in one slice only, some thin, some solid.
    const auto labels = labelsFrom(23, 1.0, {0, 0, 0}, [](double x, double y, double z) {
        if (std::hypot(x - 11, y - 11, z - 11) <= 6) return LabelId(7);
        if (z > 20 && x < 5) return LabelId(40000);
        const int v = (int(x) * 7 + int(y) * 3 + int(z) * 5) % 23;
        return v < 4 ? LabelId(1 + v) : LabelId(0);
    });
    std::map<LabelId, LabelExtent> expected;
    const auto n = labels.nx();
    for (std::int64_t z = 0; z < n; ++z)
        for (std::int64_t y = 0; y < n; ++y)
            for (std::int64_t x = 0; x < n; ++x) {
                const LabelId l = labels.labelAt(x, y, z);
                if (!l) continue;
                auto [it, first] = expected.try_emplace(l);
                auto& e = it->second;
                if (first) e = {l, {x, y, z}, {x, y, z}, 0, true};
                const Index3 p{x, y, z};
                for (std::size_t a = 0; a < 3; ++a) {
                    e.lo[a] = std::min(e.lo[a], p[a]);
                    e.hi[a] = std::max(e.hi[a], p[a]);
                }
                ++e.voxels;
                const bool inside = x > 0 && y > 0 && z > 0 && x + 1 < n && y + 1 < n && z + 1 < n;
                if (inside && labels.labelAt(x - 1, y, z) == l && labels.labelAt(x + 1, y, z) == l &&
                    labels.labelAt(x, y - 1, z) == l && labels.labelAt(x, y + 1, z) == l &&
                    labels.labelAt(x, y, z - 1) == l && labels.labelAt(x, y, z + 1) == l)
                    e.thin = false;
            }
    ASSERT_EQ(expected.size(), 6u);
    EXPECT_FALSE(expected.at(7).thin);
    for (int threads : {1, 2, 3, 8, 64}) {
        SCOPED_TRACE(threads);
        const auto extents = labelExtents(labels, RunControl{}.withThreads(threads));
        ASSERT_EQ(extents.size(), expected.size());
        auto it = expected.begin();
        for (const auto& e : extents) {
            const auto& want = (it++)->second;
            EXPECT_EQ(e.label, want.label);
            EXPECT_EQ(e.lo, want.lo) << e.label;
            EXPECT_EQ(e.hi, want.hi) << e.label;
            EXPECT_EQ(e.voxels, want.voxels) << e.label;
            EXPECT_EQ(e.thin, want.thin) << e.label;
        }
    }
}

TEST(LabelGeometry, ComponentsAre26ConnectedAndNumberedInRasterOrder) {
    LabelVolume labels({10, 10, 10});
    auto set = [&](std::int64_t x, std::int64_t y, std::int64_t z, LabelId l) {
        labels.labels()[labels.index(x, y, z)] = l;
    };
    // Label 3: two 2³ cubes touching at one corner only (one piece with 26-connectivity),
    // a single voxel, and a neighbouring voxel of another label that must not join it.
    for (std::int64_t z = 1; z <= 2; ++z)
        for (std::int64_t y = 1; y <= 2; ++y)
            for (std::int64_t x = 1; x <= 2; ++x) {
                set(x, y, z, 3);
                set(x + 2, y + 2, z + 2, 3);
            }
    set(7, 1, 1, 3);
    set(8, 1, 1, 5);
    const auto extents = labelExtents(labels);
    ASSERT_EQ(extents.size(), 2u);
    const auto& e = extents[0];
    ASSERT_EQ(e.label, 3);
    const auto c = labelComponents(labels, e);
    EXPECT_EQ(c.lo, (Index3{1, 1, 1}));
    EXPECT_EQ(c.dims, (Index3{7, 4, 4}));
    ASSERT_EQ(c.voxels, (std::vector<std::int64_t>{16, 1}));
    ASSERT_EQ(c.boxes.size(), 2u);
    EXPECT_EQ(c.boxes[0][0], (Index3{1, 1, 1}));
    EXPECT_EQ(c.boxes[0][1], (Index3{4, 4, 4}));
    EXPECT_EQ(c.boxes[1][0], (Index3{7, 1, 1}));
    EXPECT_EQ(c.boxes[1][1], (Index3{7, 1, 1}));
    ASSERT_EQ(c.ids.size(), std::size_t(7 * 4 * 4));
    auto idAt = [&](std::int64_t x, std::int64_t y, std::int64_t z) {
        return c.ids[std::size_t((x - 1) + 7 * ((y - 1) + 4 * (z - 1)))];
    };
    EXPECT_EQ(idAt(1, 1, 1), 1u);  // the first voxel in raster order
    EXPECT_EQ(idAt(4, 4, 4), 1u);  // across the corner
    EXPECT_EQ(idAt(7, 1, 1), 2u);
    EXPECT_EQ(idAt(3, 1, 1), 0u);
    EXPECT_EQ(std::count(c.ids.begin(), c.ids.end(), 0u), std::ptrdiff_t(c.ids.size() - 17));
}

TEST(SurfaceExtraction, WindowedSincSmoothingKeepsVolumeAndReducesNoise) {
    Mesh m = icosphere(100.0, 4);
    // Deterministic radial noise of ±3 Å.
    for (std::size_t i = 0; i < m.points.size(); ++i) {
        const double s = 1.0 + 0.03 * std::sin(double(i) * 12.9898);
        for (auto& v : m.points[i]) v *= s;
    }
    // Root-mean-square deviation of the radius from its mean.
    auto spread = [](const Mesh& mesh) {
        double sum = 0, sum2 = 0;
        for (const auto& p : mesh.points) {
            const double r = std::sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
            sum += r, sum2 += r * r;
        }
        const double n = double(mesh.points.size()), mean = sum / n;
        return std::sqrt(std::max(0.0, sum2 / n - mean * mean));
    };
    const double before = spread(m), volumeBefore = enclosedVolume(m);
    WindowedSincOptions o;
    o.iterations = 20;
    o.passBand = 0.1;
    smoothWindowedSinc(m, o);
    EXPECT_LT(spread(m), 0.5 * before);
    EXPECT_NEAR(enclosedVolume(m) / volumeBefore, 1.0, 0.02);
    Mesh t = icosphere(100.0, 4);
    for (std::size_t i = 0; i < t.points.size(); ++i) {
        const double s = 1.0 + 0.03 * std::sin(double(i) * 12.9898);
        for (auto& v : t.points[i]) v *= s;
    }
    taubinSmooth(t, 30, 0.5, -0.53, true);
    EXPECT_LT(spread(t), 0.5 * before);
    EXPECT_NEAR(enclosedVolume(t) / volumeBefore, 1.0, 0.03);
}

TEST(SurfaceExtraction, BinaryMarchingCubesMatchesVtkDiscreteFlyingEdges) {
    // A random blobby mask (with a zero border): same points, triangles and area as VTK.
    const std::int64_t n = 24;
    std::vector<std::uint8_t> voxels(std::size_t(n * n * n), 0);
    std::mt19937 rng(7);
    for (std::int64_t z = 1; z < n - 1; ++z)
        for (std::int64_t y = 1; y < n - 1; ++y)
            for (std::int64_t x = 1; x < n - 1; ++x) {
                const double r = std::hypot(x - 12.0, y - 11.0, z - 12.5);
                voxels[std::size_t(x + n * (y + n * z))] = (r < 8 && rng() % 5 != 0) || rng() % 17 == 0;
            }
    BinaryMask mask;
    mask.voxels = voxels.data();
    mask.nx = mask.ny = mask.nz = n;
    mask.origin = {5.0, -3.0, 2.0};
    mask.spacing = {2.0, 2.0, 3.0};
    const auto count = countMarchingCubes(mask);
    Mesh ours;
    ours.points.resize(count.points);
    ours.triangles.resize(count.triangles);
    std::vector<std::int32_t> scratch;
    generateMarchingCubes(mask, ours.points.data(), ours.triangles.data(), 0, scratch);

    auto image = vtkSmartPointer<vtkImageData>::New();
    image->SetDimensions(int(n), int(n), int(n));
    image->SetOrigin(mask.origin.data());
    image->SetSpacing(mask.spacing.data());
    auto array = vtkSmartPointer<vtkUnsignedCharArray>::New();
    array->SetArray(voxels.data(), vtkIdType(voxels.size()), 1);
    image->GetPointData()->SetScalars(array);
    auto fe = vtkSmartPointer<vtkDiscreteFlyingEdges3D>::New();
    fe->SetInputData(image);
    fe->SetValue(0, 1.0);
    fe->ComputeNormalsOff();
    fe->ComputeScalarsOff();
    fe->Update();
    const Mesh theirs = meshFromVtk(fe->GetOutput());
    EXPECT_EQ(ours.points.size(), theirs.points.size());
    EXPECT_EQ(ours.triangles.size(), theirs.triangles.size());
    EXPECT_NEAR(surfaceArea(ours), surfaceArea(theirs), 1e-6 * surfaceArea(theirs));
    EXPECT_NEAR(std::abs(enclosedVolume(ours)), std::abs(enclosedVolume(theirs)),
                1e-6 * std::abs(enclosedVolume(theirs)));
    const auto topology = analyseTopology(ours);
    EXPECT_TRUE(topology.closed());
    EXPECT_TRUE(topology.oriented());
    EXPECT_EQ(topology.degenerateTriangles, 0u);
}
