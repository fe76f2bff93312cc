// CellForge's mesh exports read by the programs simulation people use: meshio reads
// every format with the same numbers of points, cells and markers; gmsh opens every
// .msh file with its physical groups; DOLFINx reads a tetrahedral mesh with its markers
// and solves a steady diffusion problem on it that has a known exact solution.
// The checks run in Debian's /usr/bin/python3 (scripts beside this file).
#include "core/io/MeshIO.h"
#include "plugins/mesh/logic/CgalVolume.h"
#include "plugins/mesh/logic/SurfaceExtraction.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace cellforge;
using namespace cellforge::mesh;
namespace fs = std::filesystem;

namespace {

const std::string kScripts = std::string(CELLFORGE_SOURCE_DIR) + "/tests/interop/mesh/";

struct Run {
    int status;
    std::string output;
};

Run runPython(const std::string& arguments) {
    const std::string command = std::string(CELLFORGE_PYTHON) + " " + arguments + " 2>&1";
    Run r{-1, {}};
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return r;
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe)) r.output += buffer;
    r.status = ::pclose(pipe);
    return r;
}

bool pythonHas(const std::string& module) { return runPython("-c 'import " + module + "'").status == 0; }

// A label volume of `n`³ voxels from a function of the voxel centre (Å).
template <typename F>
LabelVolume labels(std::int64_t n, double voxel, F f) {
    LabelVolume v({n, n, n});
    v.setVoxelSize({voxel, voxel, voxel});
    for (std::int64_t z = 0; z < n; ++z)
        for (std::int64_t y = 0; y < n; ++y)
            for (std::int64_t x = 0; x < n; ++x)
                v.labels()[v.index(x, y, z)] = f((x + 0.5) * voxel, (y + 0.5) * voxel, (z + 0.5) * voxel);
    return v;
}

std::string json(const std::map<std::int32_t, std::size_t>& m) {
    std::ostringstream s;
    s << "{";
    bool first = true;
    for (const auto& [k, v] : m) s << (first ? "" : ", ") << "\"" << k << "\": " << v, first = false;
    s << "}";
    return s.str();
}

std::map<std::int32_t, std::size_t> histogram(const std::vector<std::int32_t>& v) {
    std::map<std::int32_t, std::size_t> h;
    for (auto x : v) ++h[x];
    return h;
}

class MeshInterop : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("cellforge_mesh_interop_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override {
        if (!HasFailure()) fs::remove_all(dir_);
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    fs::path dir_;
};

// Expectations for one file, as JSON for check_meshio.py.
std::string expectation(const std::string& file, const std::string& format, std::size_t points,
                        const std::map<std::string, std::size_t>& cells,
                        const std::map<std::string, std::map<std::int32_t, std::size_t>>& markers,
                        const std::string& markerKey) {
    std::ostringstream s;
    s << "{\"path\": \"" << file << "\", \"format\": \"" << format << "\", \"points\": " << points << ", \"cells\": {";
    bool first = true;
    for (const auto& [type, n] : cells) s << (first ? "" : ", ") << "\"" << type << "\": " << n, first = false;
    s << "}, \"marker_key\": \"" << markerKey << "\", \"markers\": {";
    first = true;
    for (const auto& [type, h] : markers) s << (first ? "" : ", ") << "\"" << type << "\": " << json(h), first = false;
    s << "}}";
    return s.str();
}

}  // namespace

TEST_F(MeshInterop, MeshioReadsEveryFormatWithTheSameCountsAndMarkers) {
    if (!pythonHas("meshio")) GTEST_SKIP() << "python3-meshio is not installed";
    // A tetrahedral mesh with two subdomains and marked boundary and interface facets.
    const auto cell = labels(24, 10.0, [](double x, double y, double z) {
        const double r1 = std::hypot(x - 120, y - 120, z - 120), r2 = std::hypot(x - 130, y - 120, z - 120);
        return LabelId(r2 < 45 ? 2 : (r1 < 95 ? 1 : 0));
    });
    const Mesh tets = meshLabelVolume(cell, {}).mesh;
    const auto tri = histogram(tets.triangleRegions), tet = histogram(tets.tetrahedronRegions);
    std::set<std::int32_t> used;
    for (const auto& t : tets.triangles) used.insert(t.begin(), t.end());
    const std::size_t np = tets.points.size(), nt = tets.triangles.size(), nk = tets.tetrahedra.size();

    std::vector<std::string> entries;
    auto add = [&](const std::string& name, const std::string& format, std::size_t points,
                   const std::map<std::string, std::size_t>& cells,
                   const std::map<std::string, std::map<std::int32_t, std::size_t>>& markers, const std::string& key,
                   const std::string& version = {}) {
        io::writeMesh(path(name), tets, version);
        entries.push_back(expectation(path(name), format, points, cells, markers, key));
    };
    add("m.vtu", "vtu", np, {{"tetra", nk}, {"triangle", nt}}, {{"tetra", tet}, {"triangle", tri}}, "region");
    add("m.vtk", "vtk", np, {{"tetra", nk}, {"triangle", nt}}, {{"tetra", tet}, {"triangle", tri}}, "region");
    add("m41.msh", "gmsh", np, {{"tetra", nk}, {"triangle", nt}}, {{"tetra", tet}, {"triangle", tri}}, "gmsh:physical");
    add("m22.msh", "gmsh", np, {{"tetra", nk}, {"triangle", nt}}, {{"tetra", tet}, {"triangle", tri}}, "gmsh:physical",
        "2.2");
    add("m.mesh", "medit", np, {{"tetra", nk}, {"triangle", nt}}, {{"tetra", tet}, {"triangle", tri}}, "medit:ref");
    add("m.xdmf", "xdmf", np, {{"tetra", nk}}, {{"tetra", tet}}, "cell_markers");
    entries.push_back(
        expectation(path("m_facets.xdmf"), "xdmf", np, {{"triangle", nt}}, {{"triangle", tri}}, "facet_markers"));
    // Surface formats hold the marked facets.
    add("m.vtp", "vtp", np, {{"triangle", nt}}, {{"triangle", tri}}, "region");
    add("m.ply", "ply", np, {{"triangle", nt}}, {{"triangle", tri}}, "region");
    add("m.obj", "obj", np, {{"triangle", nt}}, {}, "");
    add("m.off", "off", np, {{"triangle", nt}}, {}, "");
    add("m.stl", "stl", used.size(), {{"triangle", nt}}, {}, "");  // STL shares no points: meshio merges them

    // A surface-only mesh (shared-boundary multi-label surface) through the surface formats.
    LabelSurfaceOptions o;
    o.mode = SurfaceMode::MultiLabel;
    const Mesh surface = extractLabelSurfaces(cell, o).mesh;
    const auto stri = histogram(surface.triangleRegions);
    for (const auto& [name, format, key] : std::vector<std::array<std::string, 3>>{{"s.vtp", "vtp", "region"},
                                                                                   {"s.ply", "ply", "region"},
                                                                                   {"s.msh", "gmsh", "gmsh:physical"},
                                                                                   {"s.mesh", "medit", "medit:ref"},
                                                                                   {"s.xdmf", "xdmf", "facet_markers"},
                                                                                   {"s.vtk", "vtk", "region"}}) {
        io::writeMesh(path(name), surface);
        entries.push_back(expectation(path(name), format, surface.points.size(),
                                      {{"triangle", surface.triangles.size()}}, {{"triangle", stri}}, key));
    }
    // MCell MDL: no Debian program reads it, so the script parses it independently.
    io::writeMesh(path("s.mdl"), surface);
    entries.push_back(expectation(path("s.mdl"), "mdl", surface.points.size(), {{"triangle", surface.triangles.size()}},
                                  {{"triangle", stri}}, "region"));

    std::ofstream manifest(path("manifest.json"));
    manifest << "{\"files\": [\n";
    for (std::size_t i = 0; i < entries.size(); ++i) manifest << entries[i] << (i + 1 < entries.size() ? ",\n" : "\n");
    manifest << "]}\n";
    manifest.close();
    const auto r = runPython(kScripts + "check_meshio.py " + path("manifest.json"));
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("all " + std::to_string(entries.size()) + " files match"), std::string::npos) << r.output;
    std::cout << r.output;
}

TEST_F(MeshInterop, GmshOpensEveryExportedMshFile) {
    if (!pythonHas("gmsh")) GTEST_SKIP() << "python3-gmsh is not installed";
    const auto cell = labels(20, 8.0, [](double x, double y, double z) {
        const double r = std::hypot(x - 80, y - 80, z - 80);
        return LabelId(r < 30 ? 2 : (r < 65 ? 1 : 0));
    });
    const Mesh tets = meshLabelVolume(cell, {}).mesh;
    LabelSurfaceOptions o;
    o.mode = SurfaceMode::MultiLabel;
    const Mesh surface = extractLabelSurfaces(cell, o).mesh;
    std::ostringstream args;
    for (const auto& [name, mesh, version] :
         std::vector<std::tuple<std::string, const Mesh*, std::string>>{{"t41.msh", &tets, "4.1"},
                                                                        {"t22.msh", &tets, "2.2"},
                                                                        {"s41.msh", &surface, "4.1"},
                                                                        {"s22.msh", &surface, "2.2"}}) {
        io::writeMesh(path(name), *mesh, version);
        // file nodes "dim:tag=count,..." per physical group
        std::ostringstream groups;
        for (const auto& [r, n] : histogram(mesh->triangleRegions)) groups << "2:" << r << "=" << n << ",";
        for (const auto& [r, n] : histogram(mesh->tetrahedronRegions)) groups << "3:" << r << "=" << n << ",";
        std::string g = groups.str();
        g.pop_back();
        args << " " << path(name) << " " << mesh->points.size() << " " << g;
    }
    const auto r = runPython(kScripts + "check_gmsh.py" + args.str());
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("gmsh opened 4 files"), std::string::npos) << r.output;
    std::cout << r.output;
}

TEST_F(MeshInterop, DolfinxSolvesSteadyDiffusionOnAnExportedTetrahedralMesh) {
    if (!pythonHas("dolfinx")) GTEST_SKIP() << "python3-dolfinx is not installed";
    // Four slabs along x: label 2 | label 1 | label 4 | label 3, in a 96 x 64 x 64 Å box.
    // u = 0 on the 1|2 interface (marker 1002), u = 1 on the 3|4 interface (marker 3004),
    // D = 1 in label 1 and 3 in label 4: the exact solution is piecewise linear in x.
    const double voxel = 4.0;
    const std::int64_t n = 24;
    LabelVolume slabs({n, 16, 16});
    slabs.setVoxelSize({voxel, voxel, voxel});
    for (std::int64_t z = 0; z < 16; ++z)
        for (std::int64_t y = 0; y < 16; ++y)
            for (std::int64_t x = 0; x < n; ++x)
                slabs.labels()[slabs.index(x, y, z)] = LabelId(x < 4 ? 2 : (x < 12 ? 1 : (x < 20 ? 4 : 3)));
    VolumeMeshOptions o;
    o.facetSize = 8.0;
    o.cellSize = 8.0;
    o.facetDistance = 2.0;
    const Mesh mesh = meshLabelVolume(slabs, o).mesh;
    io::writeMesh(path("slabs.msh"), mesh);
    io::writeMesh(path("slabs.xdmf"), mesh);
    const auto tets = histogram(mesh.tetrahedronRegions), facets = histogram(mesh.triangleRegions);
    ASSERT_TRUE(facets.count(1002) && facets.count(3004) && facets.count(1004));
    // JSON arguments go through the shell: quote them.
    auto quote = [](const std::string& s) { return "'" + s + "'"; };
    const std::string command = " --msh " + path("slabs.msh") + " --xdmf " + path("slabs.xdmf") + " --planes " +
                                std::to_string(4 * voxel) + " " + std::to_string(12 * voxel) + " " +
                                std::to_string(20 * voxel) + " --diffusion 1 3 --cells " + quote(json(tets)) +
                                " --facets " + quote(json(facets));
    const auto r = runPython(kScripts + "solve_dolfinx.py" + command);
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("diffusion solution matches"), std::string::npos) << r.output;
    std::cout << r.output;
}
