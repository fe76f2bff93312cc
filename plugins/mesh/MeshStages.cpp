#include "plugins/mesh/MeshStages.h"

#include "core/base/AtomicFile.h"
#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Mesh.h"
#include "core/data/Table.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/StageBuilder.h"
#include "plugins/mesh/logic/CgalSurface.h"
#include "plugins/mesh/logic/CgalVolume.h"
#include "plugins/mesh/logic/LabelGeometry.h"
#include "plugins/mesh/logic/MeshQuality.h"
#include "plugins/mesh/logic/MeshTopology.h"
#include "plugins/mesh/logic/SurfaceExtraction.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace cellforge::mesh {

namespace {

const char* kGroup = "Meshing";

// A mesh input, validated (indices in range, markers per element).
std::shared_ptr<const Mesh> meshInput(const StageInputs& in, const std::string& port) {
    auto mesh = in.get<Mesh>(port);
    try {
        mesh->validate();
    } catch (const InputError& e) {
        throw InputError("input '" + port + "': " + e.what());
    }
    return mesh;
}

// A surface-only input: refuses tetrahedral meshes with a message that says why.
std::shared_ptr<const Mesh> surfaceInput(const StageInputs& in, const std::string& operation) {
    auto mesh = meshInput(in, "mesh");
    if (!mesh->tetrahedra.empty())
        throw InputError("input 'mesh': " + operation + " works on triangle surfaces, but this mesh has " +
                         std::to_string(mesh->tetrahedra.size()) +
                         " tetrahedra (moving surface vertices would invert tetrahedra); use "
                         "mesh.tetrahedralize's parameters instead");
    if (mesh->triangles.empty()) throw InputError("input 'mesh': the mesh has no triangles");
    return mesh;
}

// A label input: a LabelVolume as it is, an integer-valued Volume converted.
std::shared_ptr<const LabelVolume> labelInput(const StageInputs& in, const std::string& port) {
    const auto volume = in.get<Volume>(port);
    if (auto labels = std::dynamic_pointer_cast<const LabelVolume>(volume)) return labels;
    return std::make_shared<LabelVolume>(LabelVolume::fromVolume(*volume));
}

// --------------------------------------------------------------------- mesh.surface

struct SurfaceSettings : WindowedSincOptions {
    std::string mode = "labels";
    int label = 0;
    double level = 0.5;
    std::int64_t minComponentVoxels = 1;
    bool closeAtBorder = true;
};

PortData runSurface(const StageInputs& in, const SurfaceSettings& s, JobContext& context) {
    const auto control = context.control();
    Table regions({"marker", "label", "other_label", "voxels", "triangles"});
    if (s.mode == "isosurface") {
        if (!in.has("image") && !in.has("labels"))
            throw InputError("input 'image': mode isosurface needs a scalar field on 'image'");
        const auto volume = in.get<Volume>(in.has("image") ? "image" : "labels");
        auto mesh = std::make_shared<Mesh>(extractIsosurface(*volume, s.level, s, s.closeAtBorder, control));
        regions.addRow({1.0, 0.0, 0.0, 0.0, double(mesh->triangles.size())});
        regions.notes.push_back({"level", std::to_string(s.level)});
        return {{"mesh", mesh}, {"regions", std::make_shared<Table>(std::move(regions))}};
    }
    std::shared_ptr<const LabelVolume> labels;
    if (in.has("labels")) {
        labels = labelInput(in, "labels");
    } else if (in.has("image")) {
        try {
            labels = labelInput(in, "image");
        } catch (const InputError& e) {
            throw InputError("input 'image': mode " + s.mode + " needs labels; this volume is not integer-valued (" +
                             e.what() + "); use mode isosurface for a scalar field");
        }
    } else {
        throw InputError("input 'labels': mode " + s.mode + " needs a label volume on 'labels'");
    }
    LabelSurfaceOptions options;
    options.mode = s.mode == "components"    ? SurfaceMode::Components
                   : s.mode == "multi_label" ? SurfaceMode::MultiLabel
                                             : SurfaceMode::Labels;
    if (s.label > 0) options.labels = {LabelId(s.label)};
    options.smoothing = s;
    options.netsIterations = s.iterations;
    options.minComponentVoxels = s.minComponentVoxels;
    auto result = extractLabelSurfaces(*labels, options, control);
    for (const auto& w : result.warnings) context.log("warning: " + w);
    for (const auto& r : result.regions)
        regions.addRow(
            {double(r.marker), double(r.label), double(r.otherLabel), double(r.voxels), double(r.triangles)});
    if (options.mode == SurfaceMode::MultiLabel)
        regions.notes.push_back({"markers",
                                 "label against background: the label id; labels a < b: 1000 a + b "
                                 "(ids >= 1000: numbered from 1000000)"});
    for (const auto& w : result.warnings) regions.notes.push_back({"warning", w});
    return {{"mesh", std::make_shared<Mesh>(std::move(result.mesh))},
            {"regions", std::make_shared<Table>(std::move(regions))}};
}

StagePtr surfaceStage() {
    using S = SurfaceSettings;
    return StageBuilder<S>("mesh.surface", "Surface mesh")
        .group(kGroup)
        .description(
            "Closed triangle surfaces from a segmentation, in Å and aligned with the volume: one per label "
            "(mode labels, marker = label id), one per connected piece of each label (mode components, marker = "
            "piece number), one shared-boundary surface for all labels in which each interface exists once "
            "(mode multi_label, markers: the label against background, 1000 a + b between labels a < b), or an "
            "isosurface of a scalar field such as a probability map (mode isosurface). Labels and components are "
            "extracted with VTK's discrete flying edges and smoothed with the windowed-sinc filter.")
        .optionalInput("labels", DataKind::LabelVolume, "Segmentation to mesh (modes labels, components, multi_label)")
        .optionalInput("image", DataKind::Volume,
                       "Scalar field for mode isosurface (an integer-valued volume also serves as labels)")
        .output("mesh", DataKind::Mesh, "Triangle surface(s) with region markers")
        .output("regions", DataKind::Table, "What each marker stands for")
        .textChoice("mode", &S::mode, {"labels", "components", "multi_label", "isosurface"},
                    "labels: a closed surface per label; components: per connected piece; multi_label: "
                    "shared boundaries; isosurface: the level set of 'image'")
        .param("label", &S::label, {0, 65535}, "", "Label to mesh; 0 = every label present")
        .param("level", &S::level, {}, "value",
               "Isosurface level (mode isosurface); the inside is where the field is >= level")
        .param("smoothing_iterations", &S::iterations, {0, 1000}, "iterations",
               "Windowed-sinc smoothing iterations (0 = none); for multi_label: Taubin λ|μ pairs")
        .param("pass_band", &S::passBand, {0.0001, 1.99}, "",
               "Windowed-sinc pass band: smaller smooths more (0.01 keeps area and volume of a sphere within 1 %)")
        .param("min_component_voxels", &S::minComponentVoxels, {1, std::nullopt}, "voxels",
               "Mode components: pieces with fewer voxels are dropped")
        .flag("close_at_border", &S::closeAtBorder, "Mode isosurface: close surfaces where they leave the volume")
        .run(runSurface);
}

// --------------------------------------------------------------------- mesh.smooth

struct SmoothSettings : WindowedSincOptions {
    SmoothSettings() { passBand = 0.1; }
    std::string method = "windowed_sinc";
    double lambda = 0.5;
    double mu = -0.53;
    bool keepRegionBorders = true;
};

PortData runSmooth(const StageInputs& in, const SmoothSettings& s, JobContext& context) {
    const auto input = surfaceInput(in, "smoothing");
    std::shared_ptr<Mesh> mesh;
    if (s.method == "angle") {
        mesh = std::make_shared<Mesh>(smoothAngles(*input, s.iterations, context.control()));
    } else {
        mesh = std::make_shared<Mesh>(*input);
        if (s.method == "taubin")
            taubinSmooth(*mesh, s.iterations, s.lambda, s.mu, s.keepRegionBorders);
        else
            smoothWindowedSinc(*mesh, s, context.control());
    }
    context.setProgress(1.0, "smoothed");
    return {{"mesh", mesh}};
}

StagePtr smoothStage() {
    using S = SmoothSettings;
    return StageBuilder<S>("mesh.smooth", "Smooth surface")
        .group(kGroup)
        .description(
            "Smooths a triangle surface while keeping its volume: VTK's windowed-sinc filter (optionally keeping "
            "edges sharper than feature_angle), Taubin λ|μ smoothing, or CGAL's angle-based tangential smoothing "
            "that improves triangle shapes without moving the surface.")
        .input("mesh", DataKind::Mesh, "Triangle surface")
        .output("mesh", DataKind::Mesh, "Smoothed surface (same triangles and markers)")
        .textChoice("method", &S::method, {"windowed_sinc", "taubin", "angle"},
                    "windowed_sinc (VTK), taubin (λ|μ), angle (CGAL, shapes only)")
        .param("iterations", &S::iterations, {1, 1000}, "iterations", "Smoothing iterations")
        .param("pass_band", &S::passBand, {0.0001, 1.99}, "", "windowed_sinc: smaller smooths more")
        .param("feature_angle", &S::featureAngle, {0, 180}, "deg",
               "windowed_sinc: keep edges whose faces meet at more than this angle (0 = off)")
        .param("lambda", &S::lambda, {0.01, 1}, "", "taubin: shrinking step")
        .param("mu", &S::mu, {-1, -0.01}, "", "taubin: inflating step (|mu| slightly above lambda)")
        .flag("keep_region_borders", &S::keepRegionBorders, "taubin: borders between regions stay in place")
        .run(runSmooth);
}

// --------------------------------------------------------------------- mesh.remesh

StagePtr remeshStage() {
    using S = RemeshOptions;
    return StageBuilder<S>("mesh.remesh", "Isotropic remeshing")
        .group(kGroup)
        .description(
            "Remeshes a manifold triangle surface to near-equilateral triangles of a target edge length "
            "(CGAL isotropic remeshing), keeping region borders and open boundaries.")
        .input("mesh", DataKind::Mesh, "Manifold triangle surface")
        .output("mesh", DataKind::Mesh, "Remeshed surface")
        .param("target_edge_length", &S::targetEdgeLength, {0, std::nullopt}, "Å",
               "Target edge length; 0 = the mean edge length")
        .param("iterations", &S::iterations, {1, 100}, "iterations", "Split/collapse/flip/relax passes")
        .flag("keep_region_borders", &S::keepRegionBorders, "Keep the borders between regions as constrained edges")
        .run([](const StageInputs& in, const S& s, JobContext& context) -> PortData {
            const auto input = surfaceInput(in, "remeshing");
            return {{"mesh", std::make_shared<Mesh>(remeshIsotropic(*input, s, context.control()))}};
        });
}

// --------------------------------------------------------------------- mesh.decimate

struct DecimateSettings : DecimateOptions {
    double targetFraction = 0;
};

PortData runDecimate(const StageInputs& in, const DecimateSettings& s, JobContext& context) {
    const auto input = surfaceInput(in, "decimation");
    DecimateOptions o = s;
    if (s.targetFraction > 0) {
        const auto fromFraction = std::size_t(std::llround(s.targetFraction * double(input->triangles.size())));
        o.targetTriangles = o.targetTriangles > 0 ? std::max(o.targetTriangles, fromFraction) : fromFraction;
    }
    if (o.targetTriangles == 0 && o.maxError <= 0)
        throw InputError("mesh.decimate: set target_triangles, target_fraction or max_error (all are 0)");
    auto mesh = decimate(*input, o, context.control());
    context.log("decimated " + std::to_string(input->triangles.size()) + " -> " +
                std::to_string(mesh.triangles.size()) + " triangles");
    return {{"mesh", std::make_shared<Mesh>(std::move(mesh))}};
}

StagePtr decimateStage() {
    using S = DecimateSettings;
    return StageBuilder<S>("mesh.decimate", "Decimate surface")
        .group(kGroup)
        .description(
            "Reduces the triangle count by edge collapse with Garland–Heckbert quadrics (CGAL) to a target "
            "count or fraction, or as far as possible without moving the surface more than max_error.")
        .input("mesh", DataKind::Mesh, "Manifold triangle surface")
        .output("mesh", DataKind::Mesh, "Decimated surface")
        .param("target_triangles", &S::targetTriangles, {0, std::nullopt}, "triangles",
               "Stop at this count (0 = unused)")
        .param("target_fraction", &S::targetFraction, {0, 1}, "", "Keep this fraction of the triangles (0 = unused)")
        .param("max_error", &S::maxError, {0, std::nullopt}, "Å", "Largest distance to the input surface (0 = unused)")
        .run(runDecimate);
}

// --------------------------------------------------------------------- mesh.repair

struct RepairSettings : RepairOptions {
    std::size_t minComponentTriangles = 0;
    double minComponentArea = 0;
};

PortData runRepair(const StageInputs& in, const RepairSettings& s, JobContext& context) {
    const auto input = surfaceInput(in, "repair");
    RepairReport r;
    auto mesh = std::make_shared<Mesh>(repairSurface(*input, s, r, context.control()));
    const auto removed = removeSmallComponents(*mesh, s.minComponentTriangles, s.minComponentArea);
    const auto topology = analyseTopology(*mesh);
    Table report({"item", "count"});
    auto row = [&](const std::string& item, double v) { report.addRow({item, v}); };
    row("merged_points", double(r.mergedPoints));
    row("degenerate_triangles_removed", double(r.degenerateRemoved));
    row("duplicate_triangles_removed", double(r.duplicatesRemoved));
    row("non_manifold_vertices_split", double(r.nonManifoldVerticesSplit));
    row("borders_stitched", double(r.bordersStitched));
    row("holes_filled", double(r.holesFilled));
    row("holes_left", double(r.holesLeft));
    row("small_components_removed", double(removed));
    row("closed", topology.closed() ? 1.0 : 0.0);
    row("manifold", topology.manifold() ? 1.0 : 0.0);
    row("components", double(topology.components));
    row("enclosed_volume_A3", enclosedVolume(*mesh));
    row("self_intersecting_pairs", double(countSelfIntersections(*mesh).withinRegions));
    if (mesh->triangles.empty()) throw StageError("repair removed every triangle (all components were too small)");
    return {{"mesh", mesh}, {"report", std::make_shared<Table>(std::move(report))}};
}

StagePtr repairStage() {
    using S = RepairSettings;
    return StageBuilder<S>("mesh.repair", "Repair surface")
        .group(kGroup)
        .description(
            "Repairs a triangle surface toward a closed, outward-oriented 2-manifold: merges coincident points, "
            "drops degenerate and duplicate triangles, stitches borders, splits non-manifold vertices, removes "
            "small components, fills holes (CGAL triangulate, refine and fair) and orients every closed shell "
            "outward (cavities inward). The report says what was done and whether the result is closed, manifold "
            "and free of self-intersections (which repair does not remove: remesh or smooth less).")
        .input("mesh", DataKind::Mesh, "Triangle surface")
        .output("mesh", DataKind::Mesh, "Repaired surface")
        .output("report", DataKind::Table, "What was repaired")
        .flag("fill_holes", &S::fillHoles, "Fill holes")
        .param("max_hole_edges", &S::maxHoleEdges, {0, std::nullopt}, "edges",
               "Holes with more boundary edges stay open (0 = fill all)")
        .param("min_component_triangles", &S::minComponentTriangles, {0, std::nullopt}, "triangles",
               "Remove components with fewer triangles (0 = keep all)")
        .param("min_component_area", &S::minComponentArea, {0, std::nullopt}, "Å²",
               "Remove components with a smaller area (0 = keep all)")
        .flag("orient_outward", &S::orientOutward, "Orient closed shells outward")
        .run(runRepair);
}

// --------------------------------------------------------------------- mesh.split_components

struct SplitSettings {
    std::size_t minTriangles = 1;
};

PortData runSplit(const StageInputs& in, const SplitSettings& s, JobContext& context) {
    const auto input = surfaceInput(in, "splitting");
    auto parts = splitComponents(*input);
    auto mesh = std::make_shared<Mesh>();
    Table table({"component", "triangles", "area_A2", "enclosed_volume_A3", "closed", "source_region"});
    std::int32_t next = 1;
    for (auto& part : parts) {
        context.throwIfCancelled();
        if (part.triangles.size() < s.minTriangles) continue;
        const auto id = next++;
        const auto topology = analyseTopology(part);
        table.addRow({double(id), double(part.triangles.size()), surfaceArea(part), enclosedVolume(part),
                      topology.closed() ? 1.0 : 0.0,
                      part.triangleRegions.empty() ? 0.0 : double(part.triangleRegions[0])});
        const auto offset = std::int32_t(mesh->points.size());
        mesh->points.insert(mesh->points.end(), part.points.begin(), part.points.end());
        for (const auto& t : part.triangles) {
            mesh->triangles.push_back({t[0] + offset, t[1] + offset, t[2] + offset});
            mesh->triangleRegions.push_back(id);
        }
    }
    if (mesh->triangles.empty()) throw StageError("every component is smaller than min_triangles");
    return {{"mesh", mesh}, {"components", std::make_shared<Table>(std::move(table))}};
}

StagePtr splitComponentsStage() {
    using S = SplitSettings;
    return StageBuilder<S>("mesh.split_components", "Split into components")
        .group(kGroup)
        .description(
            "Numbers the connected components of a surface (1 = the largest) and makes that number each "
            "triangle's region marker, so exports carry one region per piece (one mesh per membrane).")
        .input("mesh", DataKind::Mesh, "Triangle surface")
        .output("mesh", DataKind::Mesh, "Surface with one region per component")
        .output("components", DataKind::Table, "Size, area and volume of each component")
        .param("min_triangles", &S::minTriangles, {1, std::nullopt}, "triangles",
               "Components with fewer triangles are dropped")
        .run(runSplit);
}

// --------------------------------------------------------------------- mesh.tetrahedralize

struct TetrahedralizeSettings : VolumeMeshOptions {
    std::string labelList = "all";  // parsed into VolumeMeshOptions::labels
};

PortData runTetrahedralize(const StageInputs& in, const TetrahedralizeSettings& s, JobContext& context) {
    const auto labels = labelInput(in, "labels");
    VolumeMeshOptions o = s;
    o.labels = parseLabelList(s.labelList, "parameter 'labels'");
    auto result = meshLabelVolume(*labels, o, context.control());
    std::ostringstream line;
    line << "Mesh_3: " << result.vertices << " vertices, " << result.mesh.tetrahedra.size() << " tetrahedra, "
         << result.mesh.triangles.size() << " marked facets; refine " << result.refineSeconds << " s, optimise "
         << result.optimiseSeconds << " s";
    context.log(line.str());
    Table regions({"marker", "kind", "label_a", "label_b", "count"});
    std::map<std::int32_t, std::size_t> tets, facets;
    for (auto r : result.mesh.tetrahedronRegions) ++tets[r];
    for (auto r : result.mesh.triangleRegions) ++facets[r];
    for (const auto& [label, n] : tets)
        regions.addRow({double(label), std::string("subdomain"), double(label), 0.0, double(n)});
    for (const auto& e : result.facetMarkers)
        regions.addRow({double(e.marker), std::string(e.labelA == 0 ? "boundary" : "interface"), double(e.labelA),
                        double(e.labelB), double(facets[e.marker])});
    regions.notes.push_back(
        {"vertices_per_second",
         std::to_string(double(result.vertices) / std::max(1e-9, result.refineSeconds + result.optimiseSeconds))});
    return {{"mesh", std::make_shared<Mesh>(std::move(result.mesh))},
            {"regions", std::make_shared<Table>(std::move(regions))}};
}

StagePtr tetrahedralizeStage() {
    using S = TetrahedralizeSettings;
    return StageBuilder<S>("mesh.tetrahedralize", "Tetrahedral mesh")
        .alias("mesh.volume")
        .group(kGroup)
        .description(
            "Tetrahedral mesh of a labelled image with CGAL Mesh_3: one subdomain per label (cytosol, nucleus, "
            "vesicle lumen, ...) with conforming interfaces, size and angle criteria, then sliver perturbation and "
            "exudation. Tetrahedron markers are labels; boundary and interface triangles are marked with the "
            "label against background, or 1000 a + b between labels a < b.")
        .input("labels", DataKind::LabelVolume, "Labelled image")
        .output("mesh", DataKind::Mesh, "Tetrahedra with subdomain markers and marked facets")
        .output("regions", DataKind::Table, "Markers of subdomains and facets")
        .text("labels", &S::labelList, "Labels to mesh: 'all' or a list such as '1, 2, 5-7'")
        .param("facet_angle", &S::facetAngle, {1, 30}, "deg", "Lower bound on surface triangle angles")
        .param("facet_size", &S::facetSize, {0, std::nullopt}, "Å",
               "Upper bound on surface triangle size; 0 = 3 voxels")
        .param("facet_distance", &S::facetDistance, {0, std::nullopt}, "Å", "Surface approximation error; 0 = 1 voxel")
        .param("cell_radius_edge_ratio", &S::cellRadiusEdgeRatio, {2, 10}, "",
               "Upper bound on circumradius / shortest edge")
        .param("cell_size", &S::cellSize, {0, std::nullopt}, "Å",
               "Upper bound on tetrahedron circumradius; 0 = facet_size")
        .flag("perturb", &S::perturb, "Sliver perturbation")
        .flag("exude", &S::exude, "Sliver exudation")
        .param("sliver_bound", &S::sliverBound, {0, 30}, "deg", "Dihedral angle the optimisers aim to exceed")
        .param("optimise_time_limit", &S::optimiseTimeLimit, {0, std::nullopt}, "s",
               "Time limit per optimiser (0 = none)")
        .param("max_vertices", &S::maxVertices, {0, std::nullopt}, "vertices", "Stop refining here (0 = no limit)")
        .run(runTetrahedralize);
}

// --------------------------------------------------------------------- mesh.quality

struct QualitySettings : QualityOptions {
    std::string plotPath;
};

PortData runQuality(const StageInputs& in, const QualitySettings& s, JobContext& context) {
    const auto mesh = meshInput(in, "mesh");
    const auto reference = in.optional<Mesh>("reference");
    const auto report = assessQuality(*mesh, s, reference.get(), context.control());
    if (!s.plotPath.empty()) {
        const auto svg = angleHistogramSvg(report, mesh->tetrahedra.empty() ? "Triangle angles" : "Mesh angles");
        writeAtomically(s.plotPath, [&](std::ofstream& out) { out << svg; });
    }
    return {{"summary", std::make_shared<Table>(qualitySummaryTable(report))},
            {"histogram", std::make_shared<Table>(angleHistogramTable(report))}};
}

StagePtr qualityStage() {
    using S = QualitySettings;
    return StageBuilder<S>("mesh.quality", "Mesh quality")
        .group(kGroup)
        .description(
            "Quality figures of a surface or tetrahedral mesh: triangle-angle histogram in 10° bins (as GAMer 2 "
            "reports it), minimum and maximum angles, aspect ratios, edge lengths; dihedral angles and "
            "radius-edge ratios of tetrahedra; closed, manifold and self-intersection flags; and the Hausdorff "
            "distance to a reference (source) surface.")
        .input("mesh", DataKind::Mesh, "Mesh to assess")
        .optionalInput("reference", DataKind::Mesh, "Source surface for the Hausdorff distance")
        .output("summary", DataKind::Table, "One row per figure")
        .output("histogram", DataKind::Table, "Angle histogram, 10° bins")
        .flag("self_intersections", &S::selfIntersections, "Test for self-intersecting triangles (CGAL)")
        .param("hausdorff_sampling", &S::hausdorffSampling, {0, std::nullopt}, "Å",
               "Sample spacing for the Hausdorff distance (0 = half the mean edge length)")
        .outputPath("plot_path", &S::plotPath, "If set, an SVG plot of the histogram(s) is written here")
        .run(runQuality);
}

}  // namespace

std::vector<StagePtr> makeStages() {
    return {surfaceStage(), smoothStage(),          remeshStage(),         decimateStage(),
            repairStage(),  splitComponentsStage(), tetrahedralizeStage(), qualityStage()};
}

}  // namespace cellforge::mesh
