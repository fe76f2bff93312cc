// The one translation unit that compiles CGAL's surface algorithms (see CgalSurface.h).
#define CGAL_EIGEN3_ENABLED 1  // hole fairing solves a sparse system with Eigen

#include "plugins/mesh/logic/CgalSurface.h"

#include "core/base/Errors.h"
#include "plugins/mesh/logic/MeshTopology.h"

#include <CGAL/AABB_traits.h>
#include <CGAL/AABB_tree.h>
#include <CGAL/AABB_triangle_primitive.h>
#include <CGAL/Exact_predicates_inexact_constructions_kernel.h>
#include <CGAL/Surface_mesh.h>
#include <CGAL/box_intersection_d.h>
#include <CGAL/Polygon_mesh_processing/angle_and_area_smoothing.h>
#include <CGAL/Polygon_mesh_processing/border.h>
#include <CGAL/Polygon_mesh_processing/manifoldness.h>
#include <CGAL/Polygon_mesh_processing/orient_polygon_soup.h>
#include <CGAL/Polygon_mesh_processing/polygon_soup_to_polygon_mesh.h>
#include <CGAL/Polygon_mesh_processing/remesh.h>
#include <CGAL/Polygon_mesh_processing/repair_polygon_soup.h>
#include <CGAL/Polygon_mesh_processing/stitch_borders.h>
#include <CGAL/Polygon_mesh_processing/triangulate_hole.h>
#include <CGAL/Surface_mesh_simplification/edge_collapse.h>
#include <CGAL/Surface_mesh_simplification/Policies/Edge_collapse/Constrained_placement.h>
#include <CGAL/Surface_mesh_simplification/Policies/Edge_collapse/GarlandHeckbert_plane_policies.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace cellforge::mesh {

namespace {

namespace PMP = CGAL::Polygon_mesh_processing;
namespace SMS = CGAL::Surface_mesh_simplification;
using K = CGAL::Exact_predicates_inexact_constructions_kernel;
using Point3 = K::Point_3;
using Triangle3 = K::Triangle_3;
using SurfaceMesh = CGAL::Surface_mesh<Point3>;
using VertexIndex = SurfaceMesh::Vertex_index;
using FaceIndex = SurfaceMesh::Face_index;
using EdgeIndex = SurfaceMesh::Edge_index;

Point3 toCgal(const std::array<double, 3>& p) { return Point3(p[0], p[1], p[2]); }

// A triangle surface as a CGAL Surface_mesh with the region of each face in "f:region".
struct RegionMesh {
    SurfaceMesh mesh;
    SurfaceMesh::Property_map<FaceIndex, std::int32_t> region;
    bool hasRegions = false;
};

// Builds the Surface_mesh; face i is triangle i. Throws InputError naming the defect
// when the triangles are not an orientable 2-manifold.
RegionMesh toSurfaceMesh(const Mesh& input, const std::string& operation) {
    if (!input.tetrahedra.empty())
        throw InputError("mesh: " + operation + " works on triangle surfaces; this mesh has " +
                         std::to_string(input.tetrahedra.size()) + " tetrahedra");
    if (input.triangles.empty()) throw InputError("mesh: " + operation + " needs triangles; the mesh has none");
    const auto topology = analyseTopology(input);
    if (topology.nonManifoldEdges > 0 || topology.nonManifoldVertices > 0 || topology.degenerateTriangles > 0)
        throw InputError("mesh: " + operation + " needs a 2-manifold surface, but the mesh has " +
                         std::to_string(topology.nonManifoldEdges) + " non-manifold edges, " +
                         std::to_string(topology.nonManifoldVertices) + " non-manifold vertices and " +
                         std::to_string(topology.degenerateTriangles) +
                         " degenerate triangles (shared multi-label boundaries are non-manifold); run mesh.repair "
                         "first or extract separate surfaces per label");
    std::vector<Point3> points;
    points.reserve(input.points.size());
    for (const auto& p : input.points) points.push_back(toCgal(p));
    std::vector<std::array<std::size_t, 3>> polygons;
    polygons.reserve(input.triangles.size());
    for (const auto& t : input.triangles) polygons.push_back({std::size_t(t[0]), std::size_t(t[1]), std::size_t(t[2])});
    if (!PMP::is_polygon_soup_a_polygon_mesh(polygons)) {
        if (!PMP::orient_polygon_soup(points, polygons) || !PMP::is_polygon_soup_a_polygon_mesh(polygons))
            throw InputError("mesh: " + operation +
                             " needs an orientable 2-manifold surface; this one cannot be "
                             "oriented consistently (run mesh.repair first)");
    }
    RegionMesh out;
    PMP::polygon_soup_to_polygon_mesh(points, polygons, out.mesh);
    out.region = out.mesh.add_property_map<FaceIndex, std::int32_t>("f:region", 0).first;
    out.hasRegions = !input.triangleRegions.empty();
    if (out.mesh.number_of_faces() != input.triangles.size())
        throw StageError(operation + ": internal error: " + std::to_string(out.mesh.number_of_faces()) +
                         " faces were built from " + std::to_string(input.triangles.size()) + " triangles");
    if (out.hasRegions) {
        std::size_t i = 0;
        for (auto f : out.mesh.faces()) out.region[f] = input.triangleRegions[i++];
    }
    return out;
}

Mesh fromSurfaceMesh(RegionMesh& rm) {
    auto& sm = rm.mesh;
    sm.collect_garbage();
    Mesh out;
    out.points.reserve(sm.number_of_vertices());
    std::vector<std::int32_t> index(sm.num_vertices(), -1);
    for (auto v : sm.vertices()) {
        index[std::size_t(v)] = std::int32_t(out.points.size());
        const auto& p = sm.point(v);
        out.points.push_back({p.x(), p.y(), p.z()});
    }
    for (auto f : sm.faces()) {
        std::array<std::int32_t, 3> t{};
        int k = 0;
        for (auto v : CGAL::vertices_around_face(sm.halfedge(f), sm)) {
            if (k < 3) t[std::size_t(k)] = index[std::size_t(v)];
            ++k;
        }
        if (k != 3) throw StageError("a CGAL operation produced a face with " + std::to_string(k) + " corners");
        out.triangles.push_back(t);
        if (rm.hasRegions) out.triangleRegions.push_back(rm.region[f]);
    }
    return out;
}

// Edges on open boundaries or between two regions.
SurfaceMesh::Property_map<EdgeIndex, bool> markConstrainedEdges(RegionMesh& rm, bool regionBorders) {
    auto& sm = rm.mesh;
    auto constrained = sm.add_property_map<EdgeIndex, bool>("e:constrained", false).first;
    for (auto e : sm.edges()) {
        const auto h = sm.halfedge(e), o = sm.opposite(h);
        if (sm.is_border(h) || sm.is_border(o))
            constrained[e] = true;
        else if (regionBorders && rm.hasRegions && rm.region[sm.face(h)] != rm.region[sm.face(o)])
            constrained[e] = true;
    }
    return constrained;
}

double meanEdgeLength(const Mesh& mesh) {
    double sum = 0;
    std::size_t n = 0;
    for (const auto& t : mesh.triangles)
        for (int k = 0; k < 3; ++k) {
            const auto& a = mesh.points[std::size_t(t[std::size_t(k)])];
            const auto& b = mesh.points[std::size_t(t[std::size_t((k + 1) % 3)])];
            sum += std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                             (a[2] - b[2]) * (a[2] - b[2]));
            ++n;
        }
    return n ? sum / double(n) : 0.0;
}

}  // namespace

// ---------------------------------------------------------------- self-intersections

SelfIntersections countSelfIntersections(const Mesh& mesh) {
    using Box = CGAL::Box_intersection_d::Box_with_info_d<double, 3, std::size_t>;
    std::vector<Box> boxes;
    boxes.reserve(mesh.triangles.size());
    std::vector<Triangle3> triangles(mesh.triangles.size());
    for (std::size_t i = 0; i < mesh.triangles.size(); ++i) {
        const auto& t = mesh.triangles[i];
        const Point3 a = toCgal(mesh.points[std::size_t(t[0])]), b = toCgal(mesh.points[std::size_t(t[1])]),
                     c = toCgal(mesh.points[std::size_t(t[2])]);
        triangles[i] = Triangle3(a, b, c);
        if (t[0] == t[1] || t[1] == t[2] || t[0] == t[2] || CGAL::collinear(a, b, c)) continue;  // degenerate: skipped
        boxes.emplace_back(triangles[i].bbox(), i);
    }
    SelfIntersections count;
    auto test = [&](const Box& bx, const Box& by) {
        const std::size_t i = bx.info(), j = by.info();
        const auto& ti = mesh.triangles[i];
        const auto& tj = mesh.triangles[j];
        int shared = 0;
        int si = -1, sj = -1;  // a shared corner's position in each triangle
        int sharedMaskI = 0, sharedMaskJ = 0;
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b)
                if (ti[std::size_t(a)] == tj[std::size_t(b)]) {
                    ++shared;
                    si = a, sj = b;
                    sharedMaskI |= 1 << a, sharedMaskJ |= 1 << b;
                }
        bool hit = false;
        if (shared == 0) {
            hit = CGAL::do_intersect(triangles[i], triangles[j]);
        } else if (shared == 1) {
            const auto& A = triangles[i];
            const auto& B = triangles[j];
            const K::Segment_3 oppositeI(A[(si + 1) % 3], A[(si + 2) % 3]);
            const K::Segment_3 oppositeJ(B[(sj + 1) % 3], B[(sj + 2) % 3]);
            hit = CGAL::do_intersect(oppositeI, B) || CGAL::do_intersect(oppositeJ, A);
        } else if (shared == 2) {
            // Folded over the shared edge: coplanar, with the free corners on the same side.
            int freeI = 0, freeJ = 0;
            while (sharedMaskI & (1 << freeI)) ++freeI;
            while (sharedMaskJ & (1 << freeJ)) ++freeJ;
            const Point3& p = triangles[i][(freeI + 1) % 3];
            const Point3& q = triangles[i][(freeI + 2) % 3];
            const Point3& r = triangles[i][freeI];
            const Point3& s = triangles[j][freeJ];
            hit = CGAL::coplanar(p, q, r, s) && CGAL::coplanar_orientation(p, q, r, s) == CGAL::POSITIVE;
        } else {
            hit = true;  // the same triangle twice
        }
        if (!hit) return;
        if (!mesh.triangleRegions.empty() && mesh.triangleRegions[i] != mesh.triangleRegions[j])
            ++count.betweenRegions;
        else
            ++count.withinRegions;
    };
    CGAL::box_self_intersection_d(boxes.begin(), boxes.end(), test);
    return count;
}

// ---------------------------------------------------------------- Hausdorff distance

double hausdorffDistance(const Mesh& a, const Mesh& b, double sampling) {
    if (a.triangles.empty() || b.triangles.empty()) throw InputError("Hausdorff distance needs two triangle surfaces");
    if (sampling <= 0) sampling = 0.5 * std::min(meanEdgeLength(a), meanEdgeLength(b));
    if (!(sampling > 0)) sampling = 1.0;
    auto oneWay = [sampling](const Mesh& from, const Mesh& to) {
        using Iterator = std::vector<Triangle3>::const_iterator;
        using Primitive = CGAL::AABB_triangle_primitive<K, Iterator>;
        using Tree = CGAL::AABB_tree<CGAL::AABB_traits<K, Primitive>>;
        std::vector<Triangle3> triangles;
        triangles.reserve(to.triangles.size());
        for (const auto& t : to.triangles) {
            const Point3 p = toCgal(to.points[std::size_t(t[0])]), q = toCgal(to.points[std::size_t(t[1])]),
                         r = toCgal(to.points[std::size_t(t[2])]);
            if (!CGAL::collinear(p, q, r)) triangles.emplace_back(p, q, r);
        }
        if (triangles.empty()) throw InputError("Hausdorff distance: a surface has only degenerate triangles");
        Tree tree(triangles.cbegin(), triangles.cend());
        tree.accelerate_distance_queries();
        double worst = 0;
        auto probe = [&](const Point3& p) { worst = std::max(worst, CGAL::to_double(tree.squared_distance(p))); };
        for (const auto& t : from.triangles) {
            const auto& A = from.points[std::size_t(t[0])];
            const auto& B = from.points[std::size_t(t[1])];
            const auto& C = from.points[std::size_t(t[2])];
            double longest = 0;
            for (const auto* e : {&A, &B, &C}) {
                const auto& f = e == &A ? B : (e == &B ? C : A);
                longest = std::max(longest,
                                   std::sqrt((f[0] - (*e)[0]) * (f[0] - (*e)[0]) + (f[1] - (*e)[1]) * (f[1] - (*e)[1]) +
                                             (f[2] - (*e)[2]) * (f[2] - (*e)[2])));
            }
            const int n = std::max(1, int(std::ceil(longest / sampling)));
            for (int i = 0; i <= n; ++i)
                for (int j = 0; i + j <= n; ++j) {
                    const double u = double(i) / n, v = double(j) / n, w = 1.0 - u - v;
                    probe(Point3(w * A[0] + u * B[0] + v * C[0], w * A[1] + u * B[1] + v * C[1],
                                 w * A[2] + u * B[2] + v * C[2]));
                }
        }
        return std::sqrt(worst);
    };
    return std::max(oneWay(a, b), oneWay(b, a));
}

// ---------------------------------------------------------------- remeshing and smoothing

Mesh remeshIsotropic(const Mesh& mesh, const RemeshOptions& options, const RunControl& control) {
    if (options.iterations < 1)
        throw InputError("iterations: must be at least 1, got " + std::to_string(options.iterations));
    if (options.targetEdgeLength < 0) throw InputError("target_edge_length: must be >= 0 Å");
    const double target = options.targetEdgeLength > 0 ? options.targetEdgeLength : meanEdgeLength(mesh);
    auto rm = toSurfaceMesh(mesh, "isotropic remeshing");
    auto constrained = markConstrainedEdges(rm, options.keepRegionBorders);
    for (int i = 0; i < options.iterations; ++i) {
        control.throwIfCancelled();
        control.report(double(i) / options.iterations, "isotropic remeshing, pass " + std::to_string(i + 1));
        PMP::isotropic_remeshing(faces(rm.mesh), target, rm.mesh,
                                 CGAL::parameters::number_of_iterations(1)
                                     .edge_is_constrained_map(constrained)
                                     .face_patch_map(rm.region)
                                     .protect_constraints(false)
                                     .number_of_relaxation_steps(3));
    }
    control.report(1.0, "isotropic remeshing done");
    return fromSurfaceMesh(rm);
}

Mesh smoothAngles(const Mesh& mesh, int iterations, const RunControl& control) {
    if (iterations < 1) throw InputError("iterations: must be at least 1, got " + std::to_string(iterations));
    auto rm = toSurfaceMesh(mesh, "angle-based smoothing");
    auto constrainedEdges = markConstrainedEdges(rm, true);
    auto constrainedVertices = rm.mesh.add_property_map<VertexIndex, bool>("v:constrained", false).first;
    for (auto e : rm.mesh.edges())
        if (constrainedEdges[e]) {
            constrainedVertices[rm.mesh.vertex(e, 0)] = true;
            constrainedVertices[rm.mesh.vertex(e, 1)] = true;
        }
    for (int i = 0; i < iterations; ++i) {
        control.throwIfCancelled();
        control.report(double(i) / iterations, "angle-based smoothing");
        PMP::angle_and_area_smoothing(rm.mesh, CGAL::parameters::number_of_iterations(1)
                                                   .use_area_smoothing(false)
                                                   .use_safety_constraints(true)
                                                   .do_project(true)
                                                   .vertex_is_constrained_map(constrainedVertices)
                                                   .edge_is_constrained_map(constrainedEdges));
    }
    control.report(1.0, "angle-based smoothing done");
    return fromSurfaceMesh(rm);
}

// ---------------------------------------------------------------- decimation

namespace {

// Stops edge collapse at a target edge count or once the cheapest collapse costs more
// than `maxCost`. The Garland–Heckbert plane quadric cost of a new vertex is the sum of
// its squared distances to the planes of every input triangle merged into it, so a cost
// of at most ε² keeps it within ε of each of those planes.
struct CountOrErrorStop {
    std::size_t edgeTarget = 0;
    double maxCost = 0;  // 0 = no error bound
    template <typename F, typename Profile>
    bool operator()(const F& cost, const Profile&, std::size_t, std::size_t currentEdges) const {
        return currentEdges < edgeTarget || (maxCost > 0 && CGAL::to_double(cost) > maxCost);
    }
};

}  // namespace

Mesh decimate(const Mesh& mesh, const DecimateOptions& options, const RunControl& control) {
    if (options.targetTriangles == 0 && options.maxError <= 0)
        throw InputError("decimation needs target_triangles > 0 or max_error > 0 Å");
    using GH = SMS::GarlandHeckbert_plane_policies<SurfaceMesh, K>;
    auto run = [&](double bound) {
        auto rm = toSurfaceMesh(mesh, "decimation");
        auto constrained = markConstrainedEdges(rm, true);
        GH policies(rm.mesh);
        // Edge count for a triangle count: a closed surface has 3/2 edges per triangle.
        CountOrErrorStop stop{options.targetTriangles * 3 / 2, bound * bound};
        SMS::Constrained_placement<GH::Get_placement, decltype(constrained)> placement(constrained,
                                                                                       policies.get_placement());
        SMS::edge_collapse(rm.mesh, stop,
                           CGAL::parameters::get_cost(policies.get_cost())
                               .get_placement(placement)
                               .edge_is_constrained_map(constrained));
        return fromSurfaceMesh(rm);
    };
    control.report(0.05, "decimation");
    if (options.maxError <= 0) {
        auto out = run(0);
        control.report(1.0, "decimation done");
        return out;
    }
    // The quadric bound keeps new vertices near the input's planes; a new triangle can
    // still cut a corner. Measure the whole surface and tighten until it holds.
    double bound = options.maxError;
    Mesh out;
    for (int attempt = 0; attempt < 5; ++attempt) {
        control.throwIfCancelled();
        out = run(bound);
        const double distance = hausdorffDistance(out, mesh, 0.5 * options.maxError);
        control.note("decimation with quadric bound " + std::to_string(bound) +
                     " Å: " + std::to_string(out.triangles.size()) + " triangles, Hausdorff distance " +
                     std::to_string(distance) + " Å");
        if (distance <= options.maxError) break;
        bound *= 0.5;
        control.report(0.05 + 0.18 * (attempt + 1), "decimation: tightening the bound");
    }
    control.report(1.0, "decimation done");
    return out;
}

// ---------------------------------------------------------------- repair

Mesh repairSurface(const Mesh& input, const RepairOptions& options, RepairReport& report, const RunControl& control) {
    report = RepairReport{};
    if (!input.tetrahedra.empty())
        throw InputError("mesh: repair works on triangle surfaces; this mesh has " +
                         std::to_string(input.tetrahedra.size()) + " tetrahedra");
    if (input.triangles.empty()) throw InputError("mesh: repair needs triangles; the mesh has none");
    std::vector<Point3> points;
    for (const auto& p : input.points) points.push_back(toCgal(p));
    std::vector<std::array<std::size_t, 3>> polygons;
    std::vector<std::int32_t> regions;
    const bool hasRegions = !input.triangleRegions.empty();
    for (std::size_t i = 0; i < input.triangles.size(); ++i) {
        const auto& t = input.triangles[i];
        polygons.push_back({std::size_t(t[0]), std::size_t(t[1]), std::size_t(t[2])});
        regions.push_back(hasRegions ? input.triangleRegions[i] : 0);
    }
    control.report(0.05, "repair: merging points");
    const std::size_t before = points.size();
    PMP::merge_duplicate_points_in_polygon_soup(points, polygons);
    report.mergedPoints = before - points.size();

    // Degenerate and duplicate triangles (kept in step with their regions).
    std::set<std::array<std::size_t, 3>> seen;
    std::vector<std::array<std::size_t, 3>> keptPolygons;
    std::vector<std::int32_t> keptRegions;
    for (std::size_t i = 0; i < polygons.size(); ++i) {
        const auto& p = polygons[i];
        if (p[0] == p[1] || p[1] == p[2] || p[0] == p[2] || CGAL::collinear(points[p[0]], points[p[1]], points[p[2]])) {
            ++report.degenerateRemoved;
            continue;
        }
        auto key = p;
        std::sort(key.begin(), key.end());
        if (!seen.insert(key).second) {
            ++report.duplicatesRemoved;
            continue;
        }
        keptPolygons.push_back(p);
        keptRegions.push_back(regions[i]);
    }
    polygons.swap(keptPolygons);
    regions.swap(keptRegions);
    if (polygons.empty()) throw InputError("mesh: every triangle is degenerate; nothing is left to repair");

    control.report(0.15, "repair: orienting");
    const std::size_t beforeOrient = points.size();
    PMP::orient_polygon_soup(points, polygons);  // splits non-manifold vertices of the soup
    report.nonManifoldVerticesSplit = points.size() - beforeOrient;
    RegionMesh rm;
    PMP::polygon_soup_to_polygon_mesh(points, polygons, rm.mesh);
    rm.region = rm.mesh.add_property_map<FaceIndex, std::int32_t>("f:region", 0).first;
    rm.hasRegions = hasRegions;
    {
        std::size_t i = 0;
        for (auto f : rm.mesh.faces()) rm.region[f] = regions[i++];
    }
    control.throwIfCancelled();
    control.report(0.3, "repair: stitching borders");
    report.bordersStitched = PMP::stitch_borders(rm.mesh);
    report.nonManifoldVerticesSplit += PMP::duplicate_non_manifold_vertices(rm.mesh);

    if (options.fillHoles) {
        std::vector<SurfaceMesh::Halfedge_index> holes;
        PMP::extract_boundary_cycles(rm.mesh, std::back_inserter(holes));
        std::size_t done = 0;
        for (auto h : holes) {
            control.throwIfCancelled();
            control.report(0.4 + 0.5 * double(done++) / double(holes.size()), "repair: filling holes");
            std::size_t edges = 0;
            for (auto hh : CGAL::halfedges_around_face(h, rm.mesh)) (void)hh, ++edges;
            if (options.maxHoleEdges > 0 && edges > options.maxHoleEdges) {
                ++report.holesLeft;
                continue;
            }
            const std::int32_t region = rm.region[rm.mesh.face(rm.mesh.opposite(h))];
            std::vector<FaceIndex> newFaces;
            std::vector<VertexIndex> newVertices;
            auto result = PMP::triangulate_refine_and_fair_hole(rm.mesh, h, std::back_inserter(newFaces),
                                                                std::back_inserter(newVertices));
            for (auto f : newFaces) rm.region[f] = region;
            if (!newFaces.empty())
                ++report.holesFilled;
            else
                ++report.holesLeft;
            (void)result;
        }
    }
    report.closed = CGAL::is_closed(rm.mesh);
    Mesh out = fromSurfaceMesh(rm);
    if (options.orientOutward) {
        orientOutward(out);
        report.orientedOutward = report.closed;
    }
    control.report(1.0, "repair done");
    return out;
}

}  // namespace cellforge::mesh
