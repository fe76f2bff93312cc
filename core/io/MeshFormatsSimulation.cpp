// Mesh formats that simulators read: Gmsh MSH 2.2 and 4.1 (regions as physical
// groups), Medit .mesh (regions as references), MCell MDL (a POLYGON_LIST with one
// surface region per marker, coordinates in µm) and XDMF with cell and facet markers.
#include "core/io/MeshFormats.h"

#include "core/base/Errors.h"

#include <QFile>
#include <QString>
#include <QXmlStreamReader>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

namespace cellforge::io::meshformat {

namespace {

constexpr double kMicrometresPerAngstrom = 1e-4;

void checkIndices(const Mesh& mesh, const std::string& path) {
    try {
        mesh.validate();
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    }
}

// Regions in order of first appearance; an unmarked mesh has the single region 1.
std::vector<std::int32_t> regionsInOrder(const std::vector<std::int32_t>& markers, std::size_t count) {
    std::vector<std::int32_t> order;
    std::set<std::int32_t> seen;
    if (markers.empty()) {
        if (count > 0) order.push_back(1);
        return order;
    }
    for (auto m : markers)
        if (seen.insert(m).second) order.push_back(m);
    return order;
}

std::int32_t markerOf(const std::vector<std::int32_t>& markers, std::size_t i) {
    return markers.empty() ? 1 : markers[i];
}

struct Bounds {
    double lo[3] = {HUGE_VAL, HUGE_VAL, HUGE_VAL};
    double hi[3] = {-HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
    void add(const std::array<double, 3>& p) {
        for (int a = 0; a < 3; ++a) {
            lo[a] = std::min(lo[a], p[std::size_t(a)]);
            hi[a] = std::max(hi[a], p[std::size_t(a)]);
        }
    }
};

template <std::size_t N>
Bounds boundsOf(const Mesh& mesh, const std::vector<std::array<std::int32_t, N>>& cells,
                const std::vector<std::int32_t>& markers, std::int32_t region) {
    Bounds b;
    for (std::size_t i = 0; i < cells.size(); ++i)
        if (markerOf(markers, i) == region)
            for (auto v : cells[i]) b.add(mesh.points[std::size_t(v)]);
    return b;
}

}  // namespace

// ---------------------------------------------------------------- Gmsh

namespace {

// The $PhysicalNames section (same in 2.2 and 4.1): one named group per positive marker.
void writePhysicalNames(std::ostream& out, const std::vector<std::int32_t>& triRegions,
                        const std::vector<std::int32_t>& tetRegions) {
    std::vector<std::pair<int, std::int32_t>> names;
    for (auto r : triRegions)
        if (r > 0) names.emplace_back(2, r);
    for (auto r : tetRegions)
        if (r > 0) names.emplace_back(3, r);
    if (!names.empty()) {
        out << "$PhysicalNames\n" << names.size() << '\n';
        for (const auto& [dim, r] : names)
            out << dim << ' ' << r << " \"" << (dim == 3 ? "volume_" : "surface_") << r << "\"\n";
        out << "$EndPhysicalNames\n";
    }
}

}  // namespace

void writeGmsh22(std::ostream& out, const Mesh& mesh) {
    const auto surface = surfaceOf(mesh);
    const auto tetRegions = regionsInOrder(mesh.tetrahedronRegions, mesh.tetrahedra.size());
    const auto triRegions = regionsInOrder(surface.regions, surface.triangles.size());
    out << "$MeshFormat\n2.2 0 8\n$EndMeshFormat\n";
    writePhysicalNames(out, triRegions, tetRegions);
    out << "$Nodes\n" << mesh.points.size() << '\n';
    for (std::size_t i = 0; i < mesh.points.size(); ++i) {
        const auto& p = mesh.points[i];
        out << i + 1 << ' ' << formatNumber(p[0]) << ' ' << formatNumber(p[1]) << ' ' << formatNumber(p[2]) << '\n';
    }
    out << "$EndNodes\n$Elements\n" << mesh.tetrahedra.size() + surface.triangles.size() << '\n';
    // Elementary (entity) tags must be positive: number the regions of each dimension.
    std::map<std::int32_t, int> tetEntity, triEntity;
    for (std::size_t k = 0; k < tetRegions.size(); ++k) tetEntity[tetRegions[k]] = int(k + 1);
    for (std::size_t k = 0; k < triRegions.size(); ++k) triEntity[triRegions[k]] = int(k + 1);
    std::size_t id = 1;
    for (std::size_t i = 0; i < mesh.tetrahedra.size(); ++i, ++id) {
        const auto r = markerOf(mesh.tetrahedronRegions, i);
        const auto& t = mesh.tetrahedra[i];
        out << id << " 4 2 " << std::max(r, 0) << ' ' << tetEntity[r] << ' ' << t[0] + 1 << ' ' << t[1] + 1 << ' '
            << t[2] + 1 << ' ' << t[3] + 1 << '\n';
    }
    for (std::size_t i = 0; i < surface.triangles.size(); ++i, ++id) {
        const auto r = markerOf(surface.regions, i);
        const auto& t = surface.triangles[i];
        out << id << " 2 2 " << std::max(r, 0) << ' ' << triEntity[r] << ' ' << t[0] + 1 << ' ' << t[1] + 1 << ' '
            << t[2] + 1 << '\n';
    }
    out << "$EndElements\n";
}

void writeGmsh41(std::ostream& out, const Mesh& mesh) {
    const auto surface = surfaceOf(mesh);
    const auto tetRegions = regionsInOrder(mesh.tetrahedronRegions, mesh.tetrahedra.size());
    const auto triRegions = regionsInOrder(surface.regions, surface.triangles.size());
    out << "$MeshFormat\n4.1 0 8\n$EndMeshFormat\n";
    writePhysicalNames(out, triRegions, tetRegions);
    // One entity per region and dimension; entity tags number the regions from 1.
    out << "$Entities\n0 0 " << triRegions.size() << ' ' << tetRegions.size() << '\n';
    auto writeEntity = [&](std::size_t tag, const Bounds& b, std::int32_t region) {
        out << tag;
        for (int a = 0; a < 3; ++a) out << ' ' << formatNumber(b.lo[a]);
        for (int a = 0; a < 3; ++a) out << ' ' << formatNumber(b.hi[a]);
        if (region > 0)
            out << " 1 " << region;
        else
            out << " 0";
        out << " 0\n";  // no bounding entities
    };
    for (std::size_t k = 0; k < triRegions.size(); ++k)
        writeEntity(k + 1, boundsOf(mesh, surface.triangles, surface.regions, triRegions[k]), triRegions[k]);
    for (std::size_t k = 0; k < tetRegions.size(); ++k)
        writeEntity(k + 1, boundsOf(mesh, mesh.tetrahedra, mesh.tetrahedronRegions, tetRegions[k]), tetRegions[k]);
    out << "$EndEntities\n";

    // All nodes in one block, classified on the first entity of the highest dimension.
    const std::size_t np = mesh.points.size();
    out << "$Nodes\n1 " << np << " 1 " << np << '\n';
    out << (tetRegions.empty() ? 2 : 3) << " 1 0 " << np << '\n';
    for (std::size_t i = 0; i < np; ++i) out << i + 1 << '\n';
    for (const auto& p : mesh.points)
        out << formatNumber(p[0]) << ' ' << formatNumber(p[1]) << ' ' << formatNumber(p[2]) << '\n';
    out << "$EndNodes\n";

    // Element tags keep the mesh's order (tetrahedra first), so reading sorts them back.
    const std::size_t total = mesh.tetrahedra.size() + surface.triangles.size();
    out << "$Elements\n" << tetRegions.size() + triRegions.size() << ' ' << total << " 1 " << total << '\n';
    for (std::size_t k = 0; k < tetRegions.size(); ++k) {
        std::vector<std::size_t> members;
        for (std::size_t i = 0; i < mesh.tetrahedra.size(); ++i)
            if (markerOf(mesh.tetrahedronRegions, i) == tetRegions[k]) members.push_back(i);
        out << "3 " << k + 1 << " 4 " << members.size() << '\n';
        for (auto i : members) {
            const auto& t = mesh.tetrahedra[i];
            out << i + 1 << ' ' << t[0] + 1 << ' ' << t[1] + 1 << ' ' << t[2] + 1 << ' ' << t[3] + 1 << '\n';
        }
    }
    for (std::size_t k = 0; k < triRegions.size(); ++k) {
        std::vector<std::size_t> members;
        for (std::size_t i = 0; i < surface.triangles.size(); ++i)
            if (markerOf(surface.regions, i) == triRegions[k]) members.push_back(i);
        out << "2 " << k + 1 << " 2 " << members.size() << '\n';
        for (auto i : members) {
            const auto& t = surface.triangles[i];
            out << mesh.tetrahedra.size() + i + 1 << ' ' << t[0] + 1 << ' ' << t[1] + 1 << ' ' << t[2] + 1 << '\n';
        }
    }
    out << "$EndElements\n";
}

namespace {

struct GmshElement {
    std::int64_t tag;
    int type;
    std::int32_t region;
    std::vector<std::int64_t> nodes;
};

int gmshNodeCount(int type) {
    switch (type) {
        case 1:
            return 2;  // line
        case 2:
            return 3;  // triangle
        case 3:
            return 4;  // quadrangle
        case 4:
            return 4;  // tetrahedron
        case 5:
            return 8;  // hexahedron
        case 6:
            return 6;  // prism
        case 7:
            return 5;  // pyramid
        case 8:
            return 3;  // second-order line
        case 9:
            return 6;  // second-order triangle
        case 11:
            return 10;  // second-order tetrahedron
        case 15:
            return 1;  // point
        default:
            return -1;
    }
}

void skipSection(TextCursor& c, const std::string& name) {
    const std::string end = "$End" + name.substr(1);
    while (!c.atEnd())
        if (c.next() == end) return;
    c.fail("section " + name + " has no " + end);
}

}  // namespace

Mesh readGmsh(const std::string& bytes, const std::string& path) {
    TextCursor c(bytes, path);
    double version = 0;
    std::unordered_map<std::int64_t, std::int32_t> nodeIndex;
    Mesh mesh;
    std::vector<GmshElement> elements;
    // Entity (dim, tag) -> first physical tag, for 4.1.
    std::map<std::pair<int, std::int64_t>, std::int32_t> entityPhysical;
    bool anyPhysical = false;
    while (!c.atEnd()) {
        const std::string section(c.next());
        if (section == "$MeshFormat") {
            version = c.nextDouble("format version");
            const auto fileType = c.nextInt("file type");
            c.nextInt("data size");
            if (fileType != 0)
                c.fail(
                    "binary MSH files are not supported; save the mesh as ASCII MSH (gmsh -save -format msh4 or "
                    "msh22)");
            if (version < 2.0 || version >= 5.0)
                c.fail("MSH format version " + formatNumber(version) + " is not supported (expected 2.2 or 4.1)");
            skipSection(c, section);
        } else if (section == "$Entities") {
            const auto np = c.nextInt("point entity count");
            const auto nc = c.nextInt("curve entity count");
            const auto ns = c.nextInt("surface entity count");
            const auto nv = c.nextInt("volume entity count");
            const std::int64_t counts[4] = {np, nc, ns, nv};
            for (int dim = 0; dim < 4; ++dim) {
                for (std::int64_t i = 0; i < counts[dim]; ++i) {
                    const auto tag = c.nextInt("entity tag");
                    for (int k = 0; k < (dim == 0 ? 3 : 6); ++k) c.nextDouble("entity bounding box");
                    const auto nphys = c.nextInt("physical tag count");
                    for (std::int64_t k = 0; k < nphys; ++k) {
                        const auto phys = std::int32_t(c.nextInt("physical tag"));
                        if (k == 0) entityPhysical[{dim, tag}] = phys;
                        anyPhysical = true;
                    }
                    if (dim > 0) {
                        const auto nb = c.nextInt("bounding entity count");
                        for (std::int64_t k = 0; k < nb; ++k) c.nextInt("bounding entity");
                    }
                }
            }
            skipSection(c, section);
        } else if (section == "$Nodes") {
            if (version < 4.0) {
                const auto n = c.nextInt("node count");
                for (std::int64_t i = 0; i < n; ++i) {
                    const auto tag = c.nextInt("node tag");
                    const double x = c.nextDouble("node x"), y = c.nextDouble("node y"), z = c.nextDouble("node z");
                    nodeIndex[tag] = std::int32_t(mesh.points.size());
                    mesh.points.push_back({x, y, z});
                }
            } else {
                const auto blocks = c.nextInt("node block count");
                c.nextInt("node count");
                c.nextInt("minimum node tag");
                c.nextInt("maximum node tag");
                for (std::int64_t b = 0; b < blocks; ++b) {
                    const auto dim = c.nextInt("entity dimension");
                    c.nextInt("entity tag");
                    const auto parametric = c.nextInt("parametric flag");
                    const auto n = c.nextInt("nodes in block");
                    std::vector<std::int64_t> tags(std::size_t(std::max<std::int64_t>(n, 0)));
                    for (auto& t : tags) t = c.nextInt("node tag");
                    for (auto t : tags) {
                        const double x = c.nextDouble("node x"), y = c.nextDouble("node y"), z = c.nextDouble("node z");
                        if (parametric)
                            for (std::int64_t k = 0; k < std::min<std::int64_t>(dim, 2); ++k)
                                c.nextDouble("node parameter");
                        nodeIndex[t] = std::int32_t(mesh.points.size());
                        mesh.points.push_back({x, y, z});
                    }
                }
            }
            skipSection(c, section);
        } else if (section == "$Elements") {
            if (version < 4.0) {
                const auto n = c.nextInt("element count");
                for (std::int64_t i = 0; i < n; ++i) {
                    GmshElement e;
                    e.tag = c.nextInt("element tag");
                    e.type = int(c.nextInt("element type"));
                    const auto ntags = c.nextInt("element tag count");
                    std::int32_t physical = 0, elementary = 0;
                    for (std::int64_t k = 0; k < ntags; ++k) {
                        const auto v = std::int32_t(c.nextInt("element tag"));
                        if (k == 0) physical = v;
                        if (k == 1) elementary = v;
                    }
                    if (physical != 0) anyPhysical = true;
                    e.region = physical != 0 ? physical : elementary;
                    const int nn = gmshNodeCount(e.type);
                    if (nn < 0) c.fail("unsupported element type " + std::to_string(e.type));
                    for (int k = 0; k < nn; ++k) e.nodes.push_back(c.nextInt("element node"));
                    elements.push_back(std::move(e));
                }
            } else {
                const auto blocks = c.nextInt("element block count");
                c.nextInt("element count");
                c.nextInt("minimum element tag");
                c.nextInt("maximum element tag");
                for (std::int64_t b = 0; b < blocks; ++b) {
                    const int dim = int(c.nextInt("entity dimension"));
                    const auto entity = c.nextInt("entity tag");
                    const int type = int(c.nextInt("element type"));
                    const auto n = c.nextInt("elements in block");
                    const int nn = gmshNodeCount(type);
                    if (nn < 0) c.fail("unsupported element type " + std::to_string(type));
                    auto phys = entityPhysical.find({dim, entity});
                    const std::int32_t region = phys != entityPhysical.end() ? phys->second : std::int32_t(entity);
                    for (std::int64_t i = 0; i < n; ++i) {
                        GmshElement e;
                        e.tag = c.nextInt("element tag");
                        e.type = type;
                        e.region = region;
                        for (int k = 0; k < nn; ++k) e.nodes.push_back(c.nextInt("element node"));
                        elements.push_back(std::move(e));
                    }
                }
            }
            skipSection(c, section);
        } else if (!section.empty() && section[0] == '$') {
            skipSection(c, section);
        } else {
            c.fail("expected a section such as $Nodes, found '" + section + "'");
        }
    }
    if (version == 0) throw InputError(path + ": not a Gmsh MSH file (no $MeshFormat section)");
    std::stable_sort(elements.begin(), elements.end(),
                     [](const GmshElement& a, const GmshElement& b) { return a.tag < b.tag; });
    auto node = [&](std::int64_t tag) {
        auto it = nodeIndex.find(tag);
        if (it == nodeIndex.end())
            throw InputError(path + ": an element refers to node " + std::to_string(tag) + ", which is not defined");
        return it->second;
    };
    (void)anyPhysical;
    for (const auto& e : elements) {
        if (e.type == 2 || e.type == 9) {
            mesh.triangles.push_back({node(e.nodes[0]), node(e.nodes[1]), node(e.nodes[2])});
            mesh.triangleRegions.push_back(e.region);
        } else if (e.type == 3) {
            mesh.triangles.push_back({node(e.nodes[0]), node(e.nodes[1]), node(e.nodes[2])});
            mesh.triangles.push_back({node(e.nodes[0]), node(e.nodes[2]), node(e.nodes[3])});
            mesh.triangleRegions.insert(mesh.triangleRegions.end(), 2, e.region);
        } else if (e.type == 4 || e.type == 11) {
            mesh.tetrahedra.push_back({node(e.nodes[0]), node(e.nodes[1]), node(e.nodes[2]), node(e.nodes[3])});
            mesh.tetrahedronRegions.push_back(e.region);
        }
    }
    return mesh;
}

// ---------------------------------------------------------------- Medit

void writeMedit(std::ostream& out, const Mesh& mesh) {
    out << "MeshVersionFormatted 2\n\nDimension 3\n\n# CellForge mesh, coordinates in Angstrom\n\nVertices\n"
        << mesh.points.size() << '\n';
    for (const auto& p : mesh.points)
        out << formatNumber(p[0]) << ' ' << formatNumber(p[1]) << ' ' << formatNumber(p[2]) << " 0\n";
    const auto surface = surfaceOf(mesh);
    if (!surface.triangles.empty()) {
        out << "\nTriangles\n" << surface.triangles.size() << '\n';
        for (std::size_t i = 0; i < surface.triangles.size(); ++i) {
            const auto& t = surface.triangles[i];
            out << t[0] + 1 << ' ' << t[1] + 1 << ' ' << t[2] + 1 << ' '
                << (surface.regions.empty() ? 0 : surface.regions[i]) << '\n';
        }
    }
    if (!mesh.tetrahedra.empty()) {
        out << "\nTetrahedra\n" << mesh.tetrahedra.size() << '\n';
        for (std::size_t i = 0; i < mesh.tetrahedra.size(); ++i) {
            const auto& t = mesh.tetrahedra[i];
            out << t[0] + 1 << ' ' << t[1] + 1 << ' ' << t[2] + 1 << ' ' << t[3] + 1 << ' '
                << (mesh.tetrahedronRegions.empty() ? 0 : mesh.tetrahedronRegions[i]) << '\n';
        }
    }
    out << "\nEnd\n";
}

Mesh readMedit(const std::string& bytes, const std::string& path) {
    // Strip comments ('#' to the end of the line).
    std::string text;
    text.reserve(bytes.size());
    for (std::size_t pos = 0; pos < bytes.size();) {
        std::size_t end = bytes.find('\n', pos);
        if (end == std::string::npos) end = bytes.size();
        std::string_view line(bytes.data() + pos, end - pos);
        text.append(line.substr(0, line.find('#')));
        text.push_back('\n');
        pos = end + 1;
    }
    TextCursor c(text, path);
    Mesh mesh;
    int dimension = 3;
    bool sawVersion = false;
    bool anyTriRef = false, anyTetRef = false;
    // Values per entry of the sections this reader skips.
    const std::map<std::string, int> skipped = {{"edges", 3},
                                                {"quadrilaterals", 5},
                                                {"hexahedra", 9},
                                                {"prisms", 7},
                                                {"corners", 1},
                                                {"ridges", 1},
                                                {"requiredvertices", 1},
                                                {"requirededges", 1},
                                                {"requiredtriangles", 1},
                                                {"normals", 3},
                                                {"normalatvertices", 2},
                                                {"tangents", 3},
                                                {"tangentatvertices", 2},
                                                {"identifier", 0}};
    while (!c.atEnd()) {
        std::string keyword(c.next());
        std::transform(keyword.begin(), keyword.end(), keyword.begin(),
                       [](unsigned char ch) { return char(std::tolower(ch)); });
        if (keyword == "meshversionformatted") {
            c.nextInt("version");
            sawVersion = true;
        } else if (keyword == "dimension") {
            dimension = int(c.nextInt("dimension"));
            if (dimension != 2 && dimension != 3) c.fail("dimension must be 2 or 3");
        } else if (keyword == "vertices") {
            const auto n = c.nextInt("vertex count");
            // Bounded by the text (a vertex takes at least 6 characters), not by the count.
            mesh.points.reserve(std::min<std::size_t>(std::size_t(std::max<std::int64_t>(n, 0)), text.size() / 6));
            for (std::int64_t i = 0; i < n; ++i) {
                std::array<double, 3> p{0, 0, 0};
                for (int a = 0; a < dimension; ++a) p[std::size_t(a)] = c.nextDouble("vertex coordinate");
                c.nextInt("vertex reference");
                mesh.points.push_back(p);
            }
        } else if (keyword == "triangles") {
            const auto n = c.nextInt("triangle count");
            for (std::int64_t i = 0; i < n; ++i) {
                std::array<std::int32_t, 3> t{};
                for (auto& v : t) v = std::int32_t(c.nextInt("triangle vertex") - 1);
                const auto ref = std::int32_t(c.nextInt("triangle reference"));
                anyTriRef = anyTriRef || ref != 0;
                mesh.triangles.push_back(t);
                mesh.triangleRegions.push_back(ref);
            }
        } else if (keyword == "tetrahedra") {
            const auto n = c.nextInt("tetrahedron count");
            for (std::int64_t i = 0; i < n; ++i) {
                std::array<std::int32_t, 4> t{};
                for (auto& v : t) v = std::int32_t(c.nextInt("tetrahedron vertex") - 1);
                const auto ref = std::int32_t(c.nextInt("tetrahedron reference"));
                anyTetRef = anyTetRef || ref != 0;
                mesh.tetrahedra.push_back(t);
                mesh.tetrahedronRegions.push_back(ref);
            }
        } else if (keyword == "end") {
            break;
        } else if (auto it = skipped.find(keyword); it != skipped.end()) {
            const auto n = it->second == 0 ? 0 : c.nextInt("entry count");
            for (std::int64_t i = 0; i < n * it->second; ++i) c.next();
        } else {
            c.fail("unknown Medit keyword '" + keyword + "'");
        }
    }
    if (!sawVersion) throw InputError(path + ": not a Medit file (no MeshVersionFormatted line)");
    if (!anyTriRef && !anyTetRef) {
        mesh.triangleRegions.clear();
        mesh.tetrahedronRegions.clear();
    }
    checkIndices(mesh, path);
    return mesh;
}

// ---------------------------------------------------------------- MCell MDL

void writeMdl(std::ostream& out, const Mesh& mesh, const std::string& objectName) {
    const auto surface = surfaceOf(mesh);
    out << "/* CellForge mesh for MCell: coordinates in micrometres (converted from Angstrom) */\n"
        << objectName << " POLYGON_LIST\n{\n  VERTEX_LIST\n  {\n";
    for (const auto& p : mesh.points)
        out << "    [" << formatNumber(p[0] * kMicrometresPerAngstrom) << ", "
            << formatNumber(p[1] * kMicrometresPerAngstrom) << ", " << formatNumber(p[2] * kMicrometresPerAngstrom)
            << "]\n";
    out << "  }\n  ELEMENT_CONNECTIONS\n  {\n";
    for (const auto& t : surface.triangles) out << "    [" << t[0] << ", " << t[1] << ", " << t[2] << "]\n";
    out << "  }\n";
    if (!surface.regions.empty()) {
        std::map<std::int32_t, std::vector<std::size_t>> members;
        for (std::size_t i = 0; i < surface.regions.size(); ++i) members[surface.regions[i]].push_back(i);
        out << "  DEFINE_SURFACE_REGIONS\n  {\n";
        for (const auto& [region, list] : members) {
            out << "    region_" << (region < 0 ? "m" + std::to_string(-region) : std::to_string(region))
                << "\n    {\n      ELEMENT_LIST = [";
            for (std::size_t k = 0; k < list.size(); ++k) {
                if (k) out << (k % 16 == 0 ? ",\n        " : ", ");
                out << list[k];
            }
            out << "]\n    }\n";
        }
        out << "  }\n";
    }
    out << "}\n";
}

Mesh readMdl(const std::string& bytes, const std::string& path) {
    // Tokenise: brackets, braces, commas and '=' are separators; comments /* */ and //.
    std::string text;
    text.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes.compare(i, 2, "/*") == 0) {
            const auto end = bytes.find("*/", i + 2);
            for (std::size_t k = i; k < (end == std::string::npos ? bytes.size() : end + 2); ++k)
                if (bytes[k] == '\n') text.push_back('\n');
            i = end == std::string::npos ? bytes.size() : end + 1;
            continue;
        }
        if (bytes.compare(i, 2, "//") == 0) {
            while (i < bytes.size() && bytes[i] != '\n') ++i;
            text.push_back('\n');
            continue;
        }
        const char ch = bytes[i];
        if (ch == '[' || ch == ']' || ch == '{' || ch == '}' || ch == '=') {
            text.push_back(' ');
            text.push_back(ch);
            text.push_back(' ');
        } else if (ch == ',') {
            text.push_back(' ');
        } else {
            text.push_back(ch);
        }
    }
    TextCursor c(text, path);
    Mesh mesh;
    bool sawPolygonList = false;
    std::vector<std::pair<std::int32_t, std::vector<std::int64_t>>> regions;
    while (!c.atEnd()) {
        const auto token = c.next();
        if (token == "POLYGON_LIST") {
            if (sawPolygonList) break;  // one object per file is read
            sawPolygonList = true;
        } else if (token == "VERTEX_LIST") {
            if (c.next() != "{") c.fail("expected '{' after VERTEX_LIST");
            while (c.peek() == "[") {
                c.next();
                std::array<double, 3> p{};
                for (auto& v : p) v = c.nextDouble("vertex coordinate") / kMicrometresPerAngstrom;
                if (c.next() != "]") c.fail("expected ']' after a vertex");
                mesh.points.push_back(p);
            }
            if (c.next() != "}") c.fail("expected '}' to close VERTEX_LIST");
        } else if (token == "ELEMENT_CONNECTIONS") {
            if (c.next() != "{") c.fail("expected '{' after ELEMENT_CONNECTIONS");
            while (c.peek() == "[") {
                c.next();
                std::vector<std::int32_t> corners;
                while (c.peek() != "]" && !c.atEnd()) corners.push_back(std::int32_t(c.nextInt("element vertex")));
                c.next();
                if (corners.size() != 3)
                    c.fail("an element has " + std::to_string(corners.size()) + " vertices, expected 3");
                mesh.triangles.push_back({corners[0], corners[1], corners[2]});
            }
            if (c.next() != "}") c.fail("expected '}' to close ELEMENT_CONNECTIONS");
        } else if (token == "DEFINE_SURFACE_REGIONS") {
            if (c.next() != "{") c.fail("expected '{' after DEFINE_SURFACE_REGIONS");
            while (c.peek() != "}" && !c.atEnd()) {
                const std::string name(c.next());
                if (c.next() != "{") c.fail("expected '{' after region " + name);
                std::int32_t id = std::int32_t(regions.size() + 1);
                if (name.rfind("region_", 0) == 0) {
                    const std::string digits = name.substr(7);
                    char* tail = nullptr;
                    const long v = digits[0] == 'm' ? -std::strtol(digits.c_str() + 1, &tail, 10)
                                                    : std::strtol(digits.c_str(), &tail, 10);
                    if (*tail == '\0') id = std::int32_t(v);
                }
                std::vector<std::int64_t> list;
                while (c.peek() != "}" && !c.atEnd()) {
                    const auto key = c.next();
                    if (key == "ELEMENT_LIST") {
                        if (c.next() != "=" || c.next() != "[") c.fail("expected 'ELEMENT_LIST = ['");
                        while (c.peek() != "]" && !c.atEnd()) {
                            const auto first = c.nextInt("element index");
                            if (c.peek() == "TO") {
                                c.next();
                                const auto last = c.nextInt("element index");
                                for (auto k = first; k <= last; ++k) list.push_back(k);
                            } else {
                                list.push_back(first);
                            }
                        }
                        c.next();
                    }
                }
                c.next();
                regions.emplace_back(id, std::move(list));
            }
            c.next();
        }
    }
    if (!sawPolygonList) throw InputError(path + ": no POLYGON_LIST object found in the MDL file");
    if (!regions.empty()) {
        mesh.triangleRegions.assign(mesh.triangles.size(), 0);
        for (const auto& [id, list] : regions)
            for (auto k : list) {
                if (k < 0 || k >= std::int64_t(mesh.triangles.size()))
                    throw InputError(path + ": surface region " + std::to_string(id) + " lists element " +
                                     std::to_string(k) + ", but there are " + std::to_string(mesh.triangles.size()) +
                                     " elements");
                mesh.triangleRegions[std::size_t(k)] = id;
            }
    }
    checkIndices(mesh, path);
    return mesh;
}

// ---------------------------------------------------------------- XDMF

std::string xdmfFacetsPath(const std::string& path) {
    const std::filesystem::path p(path);
    return (p.parent_path() / (p.stem().string() + "_facets" + p.extension().string())).string();
}

std::string xdmfText(const Mesh& mesh, bool tetrahedra) {
    const auto surface = surfaceOf(mesh);
    const std::size_t count = tetrahedra ? mesh.tetrahedra.size() : surface.triangles.size();
    const int corners = tetrahedra ? 4 : 3;
    const auto& markers = tetrahedra ? mesh.tetrahedronRegions : surface.regions;
    std::ostringstream out;
    out << "<?xml version=\"1.0\"?>\n<Xdmf Version=\"3.0\" xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n"
        << "  <Domain>\n    <Grid Name=\"Grid\" GridType=\"Uniform\">\n"
        << "      <Topology TopologyType=\"" << (tetrahedra ? "Tetrahedron" : "Triangle") << "\" NumberOfElements=\""
        << count << "\" NodesPerElement=\"" << corners << "\">\n"
        << "        <DataItem Dimensions=\"" << count << ' ' << corners
        << "\" NumberType=\"Int\" Precision=\"4\" Format=\"XML\">\n";
    for (std::size_t i = 0; i < count; ++i) {
        out << "         ";
        if (tetrahedra)
            for (auto v : mesh.tetrahedra[i]) out << ' ' << v;
        else
            for (auto v : surface.triangles[i]) out << ' ' << v;
        out << '\n';
    }
    out << "        </DataItem>\n      </Topology>\n      <Geometry GeometryType=\"XYZ\">\n"
        << "        <DataItem Dimensions=\"" << mesh.points.size()
        << " 3\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">\n";
    for (const auto& p : mesh.points)
        out << "          " << formatNumber(p[0]) << ' ' << formatNumber(p[1]) << ' ' << formatNumber(p[2]) << '\n';
    out << "        </DataItem>\n      </Geometry>\n";
    if (!markers.empty()) {
        out << "      <Attribute Name=\"" << (tetrahedra ? "cell_markers" : "facet_markers")
            << "\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
            << "        <DataItem Dimensions=\"" << count << "\" NumberType=\"Int\" Precision=\"4\" Format=\"XML\">\n";
        for (std::size_t i = 0; i < count; ++i)
            out << (i % 16 == 0 ? "          " : " ") << markers[i] << (i % 16 == 15 ? "\n" : "");
        if (count % 16 != 0) out << '\n';
        out << "        </DataItem>\n      </Attribute>\n";
    }
    out << "    </Grid>\n  </Domain>\n</Xdmf>\n";
    return out.str();
}

namespace {

struct XdmfGrid {
    std::string topologyType;
    std::vector<double> topology;
    std::vector<double> geometry;
    std::vector<double> markers;
};

std::vector<double> parseNumbers(const QString& text, const std::string& path, const char* what) {
    std::vector<double> values;
    const std::string s = text.toStdString();
    TextCursor c(s, path);
    while (!c.atEnd()) values.push_back(c.nextDouble(what));
    return values;
}

XdmfGrid readXdmfGrid(const std::string& path) {
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly)) throw InputError(path + ": cannot open the file for reading");
    QXmlStreamReader xml(&file);
    XdmfGrid grid;
    enum class Where { None, Topology, Geometry, Attribute } where = Where::None;
    int grids = 0;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            const auto name = xml.name();
            if (name == QLatin1String("Grid")) {
                const auto type = xml.attributes().value("GridType");
                if (!type.isEmpty() && type != QLatin1String("Uniform"))
                    throw InputError(path + ": XDMF grid type '" + type.toString().toStdString() +
                                     "' is not supported (expected a Uniform grid)");
                if (++grids > 1) break;  // the first grid is the mesh
            } else if (name == QLatin1String("Topology")) {
                where = Where::Topology;
                auto type = xml.attributes().value("TopologyType").toString();
                if (type.isEmpty()) type = xml.attributes().value("Type").toString();
                grid.topologyType = type.toStdString();
            } else if (name == QLatin1String("Geometry")) {
                where = Where::Geometry;
                const auto type = xml.attributes().value("GeometryType").toString();
                if (!type.isEmpty() && type != QLatin1String("XYZ"))
                    throw InputError(path + ": XDMF geometry type '" + type.toStdString() +
                                     "' is not supported (expected XYZ)");
            } else if (name == QLatin1String("Attribute")) {
                const bool cell = xml.attributes().value("Center") == QLatin1String("Cell");
                where = cell && grid.markers.empty() ? Where::Attribute : Where::None;
            } else if (name == QLatin1String("DataItem")) {
                const auto format = xml.attributes().value("Format").toString();
                if (!format.isEmpty() && format != QLatin1String("XML"))
                    throw InputError(path + ": XDMF data in format '" + format.toStdString() +
                                     "' is not supported (expected inline XML data)");
                const QString text = xml.readElementText(QXmlStreamReader::SkipChildElements);
                if (where == Where::Topology) grid.topology = parseNumbers(text, path, "a topology index");
                if (where == Where::Geometry) grid.geometry = parseNumbers(text, path, "a coordinate");
                if (where == Where::Attribute) grid.markers = parseNumbers(text, path, "a marker");
            }
        } else if (xml.isEndElement()) {
            const auto name = xml.name();
            if (name == QLatin1String("Topology") || name == QLatin1String("Geometry") ||
                name == QLatin1String("Attribute"))
                where = Where::None;
        }
    }
    if (xml.hasError())
        throw InputError(path + ", line " + std::to_string(xml.lineNumber()) +
                         ": XML error: " + xml.errorString().toStdString());
    if (grids == 0) throw InputError(path + ": no XDMF Grid found");
    return grid;
}

void appendGrid(Mesh& mesh, const XdmfGrid& grid, const std::string& path, bool geometryKnown) {
    if (!geometryKnown) {
        if (grid.geometry.size() % 3 != 0)
            throw InputError(path + ": the XYZ geometry's value count is not a multiple of 3");
        for (std::size_t i = 0; i + 2 < grid.geometry.size(); i += 3)
            mesh.points.push_back({grid.geometry[i], grid.geometry[i + 1], grid.geometry[i + 2]});
    }
    const bool tets = grid.topologyType == "Tetrahedron";
    const bool tris = grid.topologyType == "Triangle";
    if (!tets && !tris)
        throw InputError(path + ": XDMF topology '" + grid.topologyType +
                         "' is not supported (expected Triangle or Tetrahedron)");
    const std::size_t corners = tets ? 4 : 3;
    if (grid.topology.size() % corners != 0)
        throw InputError(path + ": the topology's value count is not a multiple of " + std::to_string(corners));
    const std::size_t count = grid.topology.size() / corners;
    if (!grid.markers.empty() && grid.markers.size() != count)
        throw InputError(path + ": " + std::to_string(grid.markers.size()) + " cell markers for " +
                         std::to_string(count) + " cells");
    for (std::size_t i = 0; i < count; ++i) {
        const double* t = grid.topology.data() + i * corners;
        if (tets) {
            mesh.tetrahedra.push_back({std::int32_t(t[0]), std::int32_t(t[1]), std::int32_t(t[2]), std::int32_t(t[3])});
            if (!grid.markers.empty()) mesh.tetrahedronRegions.push_back(std::int32_t(grid.markers[i]));
        } else {
            mesh.triangles.push_back({std::int32_t(t[0]), std::int32_t(t[1]), std::int32_t(t[2])});
            if (!grid.markers.empty()) mesh.triangleRegions.push_back(std::int32_t(grid.markers[i]));
        }
    }
}

}  // namespace

Mesh readXdmf(const std::string& path) {
    Mesh mesh;
    const auto grid = readXdmfGrid(path);
    appendGrid(mesh, grid, path, false);
    const auto facets = xdmfFacetsPath(path);
    if (grid.topologyType == "Tetrahedron" && std::filesystem::exists(facets)) {
        const auto facetGrid = readXdmfGrid(facets);
        if (facetGrid.geometry.size() != grid.geometry.size())
            throw InputError(facets + ": its geometry has " + std::to_string(facetGrid.geometry.size() / 3) +
                             " points, but " + path + " has " + std::to_string(grid.geometry.size() / 3));
        appendGrid(mesh, facetGrid, facets, true);
    }
    checkIndices(mesh, path);
    return mesh;
}

}  // namespace cellforge::io::meshformat
