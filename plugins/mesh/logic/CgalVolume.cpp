// The one translation unit that compiles CGAL Mesh_3 (see CgalVolume.h).
#include "plugins/mesh/logic/CgalVolume.h"

#include "core/base/Errors.h"

#include <CGAL/Exact_predicates_inexact_constructions_kernel.h>
#include <CGAL/Image_3.h>
#include <CGAL/Labeled_mesh_domain_3.h>
#include <CGAL/Mesh_complex_3_in_triangulation_3.h>
#include <CGAL/Mesh_criteria_3.h>
#include <CGAL/Mesh_triangulation_3.h>
#include <CGAL/Mesh_3/polylines_to_protect.h>
#include <CGAL/Mesh_domain_with_polyline_features_3.h>
#include <CGAL/make_mesh_3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <sstream>
#include <unordered_map>

namespace cellforge::mesh {

namespace {

using K = CGAL::Exact_predicates_inexact_constructions_kernel;
using ImageDomain = CGAL::Labeled_mesh_domain_3<K>;
using Domain = CGAL::Mesh_domain_with_polyline_features_3<ImageDomain>;
using Tr = CGAL::Mesh_triangulation_3<Domain, CGAL::Default, CGAL::Sequential_tag>::type;
using C3t3 = CGAL::Mesh_complex_3_in_triangulation_3<Tr, Domain::Corner_index, Domain::Curve_index>;
using Criteria = CGAL::Mesh_criteria_3<Tr>;

double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

VolumeMeshResult meshLabelVolume(const LabelVolume& labels, const VolumeMeshOptions& options,
                                 const RunControl& control) {
    if (!(options.facetAngle > 0 && options.facetAngle <= 30))
        throw InputError("facet_angle: must be in (0, 30] degrees (Mesh_3 terminates only for bounds up to 30°), got " +
                         std::to_string(options.facetAngle));
    if (!(options.cellRadiusEdgeRatio >= 2))
        throw InputError(
            "cell_radius_edge_ratio: must be >= 2 (Mesh_3 terminates only for bounds of 2 and above), got " +
            std::to_string(options.cellRadiusEdgeRatio));
    if (options.sliverBound < 0 || options.sliverBound > 30)
        throw InputError("sliver_bound: must be in [0, 30] degrees, got " + std::to_string(options.sliverBound));

    const auto extents = selectLabels(labels, options.labels, "labels", control);
    std::ostringstream thin;
    for (const auto& e : extents)
        if (e.thin) thin << (thin.tellp() > 0 ? ", " : "") << e.label;
    if (thin.tellp() > 0)
        throw InputError("labels: label(s) " + thin.str() +
                         " are at most one voxel thick everywhere (sheets, lines or single voxels); a tetrahedral mesh "
                         "needs shapes at least 2-3 voxels thick. Dilate them, or leave them out with the 'labels' "
                         "parameter (mesh.surface can still give their surfaces)");
    const auto& vs = labels.voxelSize();
    const double voxel = std::max({vs[0], vs[1], vs[2]});
    const double facetSize = options.facetSize > 0 ? options.facetSize : 3.0 * voxel;
    const double facetDistance = options.facetDistance > 0 ? options.facetDistance : 1.0 * voxel;
    const double cellSize = options.cellSize > 0 ? options.cellSize : facetSize;

    // The image CGAL meshes: the selected labels, everything else 0. CGAL's domain is the
    // box through the outermost voxel centres, so a label touching the volume's border
    // ends there in a flat cut, half a voxel inside the volume's faces. (Padding with
    // background instead would end it at the faces, but dents every interface where it
    // meets the border.)
    std::vector<char> selected(65536, 0);
    for (const auto& e : extents) selected[e.label] = 1;
    _image* raw = ::_createImage(std::size_t(labels.nx()), std::size_t(labels.ny()), std::size_t(labels.nz()), 1, vs[0],
                                 vs[1], vs[2], 2, WK_FIXED, SGN_UNSIGNED);
    if (!raw) throw StageError("could not allocate the image for CGAL Mesh_3");
    {
        auto* out = static_cast<std::uint16_t*>(raw->data);
        const LabelId* in = labels.labels();
        for (std::int64_t i = 0; i < labels.voxelCount(); ++i) out[i] = selected[in[i]] ? in[i] : 0;
    }
    CGAL::Image_3 image(raw);  // takes ownership
    namespace params = CGAL::parameters;
    Domain domain = Domain::create_labeled_image_mesh_domain(image, params::relative_error_bound = 1e-6);
    // Protect the curves where labels meet the volume's border (CGAL 5.5 detects them on
    // the image box only): without them, interfaces that reach the border are ragged
    // there, and a boundary condition on such an interface is not where it should be.
    std::vector<std::vector<K::Point_3>> borderCurves, noInnerCurves;
    CGAL::polylines_to_protect<K::Point_3, std::uint16_t>(image, borderCurves, noInnerCurves.begin(),
                                                          noInnerCurves.end());
    domain.add_features(borderCurves.begin(), borderCurves.end());
    Criteria criteria(params::edge_size = facetSize, params::facet_angle = options.facetAngle,
                      params::facet_size = facetSize, params::facet_distance = facetDistance,
                      params::cell_radius_edge_ratio = options.cellRadiusEdgeRatio, params::cell_size = cellSize);
    {
        std::ostringstream note;
        note << "Mesh_3 criteria: facet_angle " << options.facetAngle << " deg, facet_size " << facetSize
             << " Å, facet_distance " << facetDistance << " Å, cell_radius_edge_ratio " << options.cellRadiusEdgeRatio
             << ", cell_size " << cellSize << " Å, " << borderCurves.size() << " border curves protected";
        control.note(note.str());
    }

    VolumeMeshResult result;
    auto* stop = const_cast<std::atomic<bool>*>(control.cancel);
    control.report(0.02, "Mesh_3: refining");
    auto start = std::chrono::steady_clock::now();
    C3t3 c3t3 =
        CGAL::make_mesh_3<C3t3>(domain, criteria, params::no_perturb(), params::no_exude(),
                                params::mesh_3_options(params::pointer_to_stop_atomic_boolean = stop,
                                                       params::maximal_number_of_vertices = options.maxVertices));
    control.throwIfCancelled();
    result.refineSeconds = seconds(start);
    control.report(0.6, "Mesh_3: optimising slivers");
    start = std::chrono::steady_clock::now();
    if (options.perturb) {
        CGAL::perturb_mesh_3(c3t3, domain, params::time_limit = options.optimiseTimeLimit,
                             params::sliver_bound = options.sliverBound);
        control.throwIfCancelled();
    }
    control.report(0.8, "Mesh_3: exuding slivers");
    if (options.exude) {
        CGAL::exude_mesh_3(c3t3, params::time_limit = options.optimiseTimeLimit,
                           params::sliver_bound = options.sliverBound);
        control.throwIfCancelled();
    }
    result.optimiseSeconds = seconds(start);
    control.report(0.95, "Mesh_3: collecting the mesh");

    // Export: voxel (i, j, k) sits at (i vx, j vy, k vz) in CGAL's image frame; its centre
    // is origin + (i + 0.5) v in Å.
    const Tr& tr = c3t3.triangulation();
    auto construct = tr.geom_traits().construct_point_3_object();
    const double shift[3] = {labels.origin()[0] + 0.5 * vs[0], labels.origin()[1] + 0.5 * vs[1],
                             labels.origin()[2] + 0.5 * vs[2]};
    std::unordered_map<Tr::Vertex_handle, std::int32_t> index;
    Mesh& mesh = result.mesh;
    auto vertexIndex = [&](Tr::Vertex_handle v) {
        auto [it, inserted] = index.try_emplace(v, std::int32_t(mesh.points.size()));
        if (inserted) {
            const auto p = construct(tr.point(v));
            mesh.points.push_back({p.x() + shift[0], p.y() + shift[1], p.z() + shift[2]});
        }
        return it->second;
    };
    std::map<int, std::size_t> tetsPerLabel;
    for (auto c = c3t3.cells_in_complex_begin(); c != c3t3.cells_in_complex_end(); ++c) {
        std::array<std::int32_t, 4> t{vertexIndex(c->vertex(0)), vertexIndex(c->vertex(1)), vertexIndex(c->vertex(2)),
                                      vertexIndex(c->vertex(3))};
        const int label = int(c3t3.subdomain_index(c));
        mesh.tetrahedra.push_back(t);
        mesh.tetrahedronRegions.push_back(label);
        ++tetsPerLabel[label];
    }
    InterfaceMarkers markers;
    for (auto f = c3t3.facets_in_complex_begin(); f != c3t3.facets_in_complex_end(); ++f) {
        // Take the side whose cell is in the complex: the other may be an infinite cell
        // (outside the convex hull), whose opposite vertex has no coordinates.
        auto cell = f->first;
        int i = f->second;
        if (!c3t3.is_in_complex(cell)) {
            const auto mirrored = tr.mirror_facet(*f);
            cell = mirrored.first;
            i = mirrored.second;
        }
        const auto mirror = cell->neighbor(i);
        const int inside = c3t3.is_in_complex(cell) ? int(c3t3.subdomain_index(cell)) : 0;
        const int outside = c3t3.is_in_complex(mirror) ? int(c3t3.subdomain_index(mirror)) : 0;
        std::array<std::int32_t, 3> t{vertexIndex(cell->vertex((i + 1) & 3)), vertexIndex(cell->vertex((i + 2) & 3)),
                                      vertexIndex(cell->vertex((i + 3) & 3))};
        // Orient from the higher label toward the lower: if `cell` holds the higher
        // label, the normal must point away from the cell's opposite vertex.
        const auto& a = mesh.points[std::size_t(t[0])];
        const auto& b = mesh.points[std::size_t(t[1])];
        const auto& c = mesh.points[std::size_t(t[2])];
        const auto p = construct(tr.point(cell->vertex(i)));
        const double apex[3] = {p.x() + shift[0] - a[0], p.y() + shift[1] - a[1], p.z() + shift[2] - a[2]};
        const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]}, w[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
        const double n[3] = {u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]};
        const bool towardCell = n[0] * apex[0] + n[1] * apex[1] + n[2] * apex[2] > 0;
        const bool cellIsHigher = inside > outside;
        if (towardCell == cellIsHigher) std::swap(t[1], t[2]);
        mesh.triangles.push_back(t);
        mesh.triangleRegions.push_back(markers.marker(LabelId(inside), LabelId(outside)));
    }
    result.vertices = mesh.points.size();
    result.facetMarkers = markers.table();

    std::ostringstream missing;
    for (const auto& e : extents)
        if (tetsPerLabel[int(e.label)] == 0) missing << (missing.tellp() > 0 ? ", " : "") << e.label;
    if (missing.tellp() > 0)
        throw StageError("label(s) " + missing.str() +
                         " produced no tetrahedra: they are smaller than the mesh size "
                         "(facet_size " +
                         std::to_string(facetSize) + " Å, cell_size " + std::to_string(cellSize) +
                         " Å); lower facet_size and cell_size");
    control.report(1.0, "Mesh_3 done");
    return result;
}

}  // namespace cellforge::mesh
