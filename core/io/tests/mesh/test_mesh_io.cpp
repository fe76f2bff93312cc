// Mesh readers and writers: round trips through every format, files written by other
// programs (gmsh), hand-written files with the quirks of each format, and bad input.
#include "core/base/Errors.h"
#include "core/io/MeshIO.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <filesystem>
#include <fstream>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

using cellforge::InputError;
using cellforge::Mesh;
namespace fs = std::filesystem;
namespace io = cellforge::io;

namespace {

// Two tetrahedra sharing a face (regions 1 and 2), with their 6 outer faces (region 10)
// and the shared face (region 12). Coordinates are not representable in float.
Mesh bipyramid() {
    Mesh m;
    m.points = {{0.1, 0.2, 0.3}, {10.7, 0.2, 0.3}, {0.1, 10.3, 0.3}, {0.1, 0.2, 10.9}, {7.1, 7.3, 7.7}};
    m.tetrahedra = {{0, 1, 2, 3}, {1, 2, 3, 4}};
    m.tetrahedronRegions = {1, 2};
    m.triangles = {{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 4, 3}, {2, 3, 4}, {1, 2, 4}, {1, 3, 2}};
    m.triangleRegions = {10, 10, 10, 10, 10, 10, 12};
    return m;
}

class MeshIoTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("cellforge_mesh_io_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override {
        fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
        fs::remove_all(dir_);
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path(name), std::ios::binary) << text;
        return path(name);
    }
    fs::path dir_;
};

std::map<std::int32_t, int> histogram(const std::vector<std::int32_t>& v) {
    std::map<std::int32_t, int> h;
    for (auto x : v) ++h[x];
    return h;
}

double signedVolume(const Mesh& m) {
    double v = 0;
    for (const auto& t : m.triangles) {
        const auto& a = m.points[std::size_t(t[0])];
        const auto& b = m.points[std::size_t(t[1])];
        const auto& c = m.points[std::size_t(t[2])];
        v += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
              a[2] * (b[0] * c[1] - b[1] * c[0])) /
             6.0;
    }
    return v;
}

}  // namespace

TEST_F(MeshIoTest, VolumeFormatsKeepEverythingExactly) {
    const Mesh m = bipyramid();
    for (const std::string name : {"a.vtu", "a.vtk", "a.msh", "b.msh", "a.mesh", "a.xdmf"}) {
        SCOPED_TRACE(name);
        io::writeMesh(path(name), m, name == "b.msh" ? "2.2" : "");
        const Mesh r = io::readMesh(path(name));
        EXPECT_EQ(r.points, m.points);
        EXPECT_EQ(r.tetrahedra, m.tetrahedra);
        EXPECT_EQ(r.tetrahedronRegions, m.tetrahedronRegions);
        EXPECT_EQ(r.triangles, m.triangles);
        EXPECT_EQ(r.triangleRegions, m.triangleRegions);
    }
    // The Gmsh version asked for is the one written.
    std::ifstream v22(path("b.msh")), v41(path("a.msh"));
    std::string line;
    std::getline(v22, line), std::getline(v22, line);
    EXPECT_EQ(line, "2.2 0 8");
    std::getline(v41, line), std::getline(v41, line);
    EXPECT_EQ(line, "4.1 0 8");
    // XDMF splits tetrahedra and facets into two files (one grid each).
    EXPECT_TRUE(fs::exists(path("a_facets.xdmf")));
}

TEST_F(MeshIoTest, SurfaceFormatsKeepTrianglesAndMarkersWhereTheyCan) {
    Mesh m = bipyramid();
    m.tetrahedra.clear();
    m.tetrahedronRegions.clear();
    struct Case {
        std::string name;
        bool markers;
        double tolerance;
    };
    for (const Case& c : {Case{"s.obj", true, 0}, Case{"s.ply", true, 0}, Case{"s.off", false, 0},
                          Case{"s.vtp", true, 0}, Case{"s.stl", false, 1e-5}, Case{"s.mdl", true, 1e-12}}) {
        SCOPED_TRACE(c.name);
        io::writeMesh(path(c.name), m);
        const Mesh r = io::readMesh(path(c.name));
        ASSERT_EQ(r.points.size(), m.points.size());
        ASSERT_EQ(r.triangles.size(), m.triangles.size());
        // STL numbers points in the order the triangles meet them: compare sorted.
        auto expected = m.points, got = r.points;
        if (c.name == "s.stl") std::sort(expected.begin(), expected.end()), std::sort(got.begin(), got.end());
        for (std::size_t i = 0; i < m.points.size(); ++i)
            for (int a = 0; a < 3; ++a)
                EXPECT_NEAR(got[i][std::size_t(a)], expected[i][std::size_t(a)], c.tolerance * 11.0);
        if (c.name == "s.stl") {
            // STL stores corners per triangle; the reader merges them again. Compare shapes.
            EXPECT_NEAR(signedVolume(r), signedVolume(m), 1e-3);
        } else {
            EXPECT_EQ(r.triangles, m.triangles);
        }
        if (c.markers)
            EXPECT_EQ(r.triangleRegions, m.triangleRegions);
        else
            EXPECT_TRUE(r.triangleRegions.empty());
    }
}

TEST_F(MeshIoTest, MdlIsInMicrometresWithOneRegionPerMarker) {
    Mesh m = bipyramid();
    m.points[1] = {20000.0, 0.0, 5000.0};  // Å
    io::writeMesh(path("cell-1.mdl"), m);
    std::ifstream in(path("cell-1.mdl"));
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("cell_1 POLYGON_LIST"), std::string::npos);
    EXPECT_NE(text.find("[2, 0, 0.5]"), std::string::npos) << text.substr(0, 400);  // µm
    EXPECT_NE(text.find("region_10"), std::string::npos);
    EXPECT_NE(text.find("region_12"), std::string::npos);
    EXPECT_NE(text.find("ELEMENT_LIST = [6]"), std::string::npos);
}

TEST_F(MeshIoTest, TetrahedraOnlyMeshWritesItsOutwardBoundaryToSurfaceFormats) {
    Mesh m = bipyramid();
    m.triangles.clear();
    m.triangleRegions.clear();
    m.tetrahedra[1] = {2, 1, 3, 4};  // negatively oriented: the writer must not care
    io::writeMesh(path("b.ply"), m);
    const Mesh r = io::readMesh(path("b.ply"));
    EXPECT_EQ(r.triangles.size(), 6u);
    EXPECT_GT(signedVolume(r), 0.0);
    EXPECT_EQ(histogram(r.triangleRegions), (std::map<std::int32_t, int>{{1, 3}, {2, 3}}));
}

TEST_F(MeshIoTest, ReadsGmshFilesWrittenByGmsh) {
    for (const std::string name : {"box41.msh", "box22.msh"}) {
        SCOPED_TRACE(name);
        const Mesh r = io::readMesh(std::string(CELLFORGE_SOURCE_DIR) + "/core/io/tests/mesh/data/" + name);
        EXPECT_EQ(r.points.size(), 14u);
        EXPECT_EQ(histogram(r.tetrahedronRegions), (std::map<std::int32_t, int>{{7, 24}}));
        EXPECT_EQ(histogram(r.triangleRegions), (std::map<std::int32_t, int>{{5, 8}}));
        double volume = 0;
        for (const auto& t : r.tetrahedra) {
            const auto& a = r.points[std::size_t(t[0])];
            double e[3][3];
            for (int k = 0; k < 3; ++k)
                for (int d = 0; d < 3; ++d)
                    e[k][d] = r.points[std::size_t(t[std::size_t(k + 1)])][std::size_t(d)] - a[std::size_t(d)];
            volume += std::abs(e[0][0] * (e[1][1] * e[2][2] - e[1][2] * e[2][1]) -
                               e[0][1] * (e[1][0] * e[2][2] - e[1][2] * e[2][0]) +
                               e[0][2] * (e[1][0] * e[2][1] - e[1][1] * e[2][0])) /
                      6.0;
        }
        EXPECT_NEAR(volume, 1.0, 1e-12);  // the unit box
    }
}

TEST_F(MeshIoTest, ReadsHandWrittenFilesWithEachFormatsQuirks) {
    // ASCII STL: two facets sharing an edge -> 4 distinct points.
    auto stl = write("a.stl",
                     "solid x\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n   vertex 1 0 0\n   vertex 0 1 0\n"
                     "  endloop\n endfacet\n facet normal 0 0 1\n  outer loop\n   vertex 1 0 0\n   vertex 1 1 0\n"
                     "   vertex 0 1 0\n  endloop\n endfacet\nendsolid x\n");
    Mesh r = io::readMesh(stl);
    EXPECT_EQ(r.points.size(), 4u);
    EXPECT_EQ(r.triangles.size(), 2u);

    // OBJ: a quad with v/vt/vn corners, negative indices, groups named by number and by word.
    auto obj = write("a.obj",
                     "# comment\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvt 0 0\nvn 0 0 1\ng region_4\n"
                     "f 1/1/1 2/1/1 3/1/1 4/1/1\ng membrane\nf -4 -2 -1\n");
    r = io::readMesh(obj);
    EXPECT_EQ(r.triangles.size(), 3u);
    EXPECT_EQ(r.triangleRegions, (std::vector<std::int32_t>{4, 4, 1}));
    EXPECT_EQ(r.triangles[2], (std::array<std::int32_t, 3>{0, 2, 3}));

    // OFF with comments and per-vertex colours.
    auto off = write("a.off",
                     "COFF # coloured\n4 1 0\n0 0 0 255 0 0 255\n1 0 0 0 255 0 255\n"
                     "1 1 0 0 0 255 255\n0 1 0 9 9 9 255\n4 0 1 2 3\n");
    r = io::readMesh(off);
    EXPECT_EQ(r.points.size(), 4u);
    EXPECT_EQ(r.triangles.size(), 2u);

    // Binary big-endian PLY with float coordinates, an extra vertex property and a region.
    std::string ply =
        "ply\nformat binary_big_endian 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
        "property float z\nproperty uchar red\nelement face 1\nproperty list uchar int vertex_indices\n"
        "property int region\nend_header\n";
    auto be32 = [&](std::uint32_t v) {
        for (int s = 24; s >= 0; s -= 8) ply.push_back(char((v >> s) & 0xff));
    };
    auto bef = [&](float f) {
        std::uint32_t u;
        std::memcpy(&u, &f, 4);
        be32(u);
    };
    for (int i = 0; i < 3; ++i) {
        bef(float(i)), bef(float(i * 2)), bef(0.5f);
        ply.push_back(char(200));
    }
    ply.push_back(char(3)), be32(0), be32(1), be32(2), be32(9);
    r = io::readMesh(write("a.ply", ply));
    ASSERT_EQ(r.points.size(), 3u);
    EXPECT_EQ(r.points[2], (std::array<double, 3>{2.0, 4.0, 0.5}));
    EXPECT_EQ(r.triangleRegions, (std::vector<std::int32_t>{9}));

    // Medit with comments and an Edges section to skip.
    auto medit = write("a.mesh",
                       "MeshVersionFormatted 1\n# c\nDimension\n3\nVertices\n3\n0 0 0 1\n1 0 0 1\n0 1 0 1\n"
                       "Edges\n1\n1 2 5\nTriangles\n1\n1 2 3 8\nEnd\n");
    r = io::readMesh(medit);
    EXPECT_EQ(r.triangles.size(), 1u);
    EXPECT_EQ(r.triangleRegions, (std::vector<std::int32_t>{8}));

    // MDL with a range in the element list.
    auto mdl = write("a.mdl",
                     "box POLYGON_LIST {\n VERTEX_LIST { [0,0,0] [1e-4,0,0] [0,1e-4,0] [1e-4,1e-4,0] }\n"
                     " ELEMENT_CONNECTIONS { [0,1,2] [1,3,2] }\n"
                     " DEFINE_SURFACE_REGIONS { top { ELEMENT_LIST = [0 TO 1] } }\n}\n");
    r = io::readMesh(mdl);
    EXPECT_EQ(r.points[1][0], 1.0);  // 1e-4 µm = 1 Å
    EXPECT_EQ(r.triangleRegions, (std::vector<std::int32_t>{1, 1}));
}

TEST_F(MeshIoTest, BadInputGetsAMessageNamingTheProblem) {
    auto expectMessage = [](const std::function<void()>& f, const std::string& part) {
        try {
            f();
            ADD_FAILURE() << "no exception; expected one mentioning '" << part << "'";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
        }
    };
    const Mesh m = bipyramid();
    expectMessage([&] { io::writeMesh(path("a.xyz"), m); }, "expected one of");
    expectMessage([&] { io::readMesh(path("missing.stl")); }, "no such file");
    expectMessage([&] { io::writeMesh(path("a.msh"), m, "3.0"); }, "expected 2.2 or 4.1");
    expectMessage([&] { io::writeMesh(path("empty.vtp"), Mesh{}); }, "no triangles or tetrahedra");
    Mesh broken = m;
    broken.triangles[0][1] = 99;
    expectMessage([&] { io::writeMesh(path("broken.stl"), broken); }, "refers to point 99");
    expectMessage([&] { io::readMesh(write("bad.obj", "v 0 0 0\nv 1 0 0\nf 1 2 7\n")); }, "line 3");
    expectMessage([&] { io::readMesh(write("bad.obj", "v 0 0 0\nv 1 0 0\nf 1 2 7\n")); }, "refers to vertex 7");
    expectMessage([&] { io::readMesh(write("bad.stl", "this is not an STL file")); }, "not an STL file");
    expectMessage([&] { io::readMesh(write("bin.msh", "$MeshFormat\n4.1 1 8\n$EndMeshFormat\n")); },
                  "binary MSH files are not supported");
    expectMessage(
        [&] {
            io::readMesh(write("short.ply",
                               "ply\nformat binary_little_endian 1.0\nelement vertex 3\n"
                               "property float x\nproperty float y\nproperty float z\nend_header\nabc"));
        },
        "truncated");
    expectMessage([&] { io::readMesh(write("points.off", "OFF\n3 0 0\n0 0 0\n1 0 0\n0 1 0\n")); },
                  "no triangles or tetrahedra");
    expectMessage([&] { io::readMesh(write("a.mesh", "MeshVersionFormatted 2\nDimension 3\nFoo\n")); },
                  "unknown Medit keyword 'foo'");
}

TEST_F(MeshIoTest, AFailedWriteLeavesTheOldFileUntouched) {
    const Mesh m = bipyramid();
    io::writeMesh(path("keep.msh"), m);
    const auto before = fs::file_size(path("keep.msh"));
    Mesh broken = m;
    broken.tetrahedronRegions.pop_back();  // marker count mismatch: refused before writing
    EXPECT_THROW(io::writeMesh(path("keep.msh"), broken), InputError);
    EXPECT_EQ(fs::file_size(path("keep.msh")), before);
    if (::geteuid() != 0) {  // root ignores folder permissions
        fs::create_directories(dir_ / "ro");
        fs::permissions(dir_ / "ro", fs::perms::owner_read | fs::perms::owner_exec);
        EXPECT_THROW(io::writeMesh((dir_ / "ro" / "x.stl").string(), m), InputError);
        EXPECT_FALSE(fs::exists(dir_ / "ro" / "x.stl"));
        fs::permissions(dir_ / "ro", fs::perms::owner_all);
    }
}
