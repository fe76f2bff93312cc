#include "plugins/mesh/MeshStages.h"

#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Mesh.h"
#include "core/data/Table.h"
#include "core/base/AtomicFile.h"
#include "core/jobs/JobContext.h"
#include "plugins/mesh/logic/CgalSurface.h"
#include "plugins/mesh/logic/CgalVolume.h"
#include "plugins/mesh/logic/MeshQuality.h"
#include "plugins/mesh/logic/MeshTopology.h"
#include "plugins/mesh/logic/SurfaceExtraction.h"

#include <cmath>
#include <map>
#include <sstream>

namespace cellforge::mesh {

namespace {

const char* kGroup = "Meshing";

std::shared_ptr<const Mesh> meshInput(const PortData& inputs, const std::string& port) {
    const auto it = inputs.find(port);
    if (it == inputs.end() || !it->second) throw InputError("input '" + port + "' is missing");
    auto mesh = dataAs<Mesh>(it->second, "input '" + port + "'");
    try {
        mesh->validate();
    } catch (const InputError& e) {
        throw InputError("input '" + port + "': " + e.what());
    }
    return mesh;
}

DataPtr optionalInput(const PortData& inputs, const std::string& port) {
    const auto it = inputs.find(port);
    return it == inputs.end() ? nullptr : it->second;
}

// A surface-only input: refuses tetrahedral meshes with a message that says why.
std::shared_ptr<const Mesh> surfaceInput(const PortData& inputs, const std::string& operation) {
    auto mesh = meshInput(inputs, "mesh");
    if (!mesh->tetrahedra.empty())
        throw InputError("input 'mesh': " + operation + " works on triangle surfaces, but this mesh has " +
                         std::to_string(mesh->tetrahedra.size()) +
                         " tetrahedra (moving surface vertices would invert tetrahedra); use mesh.volume's parameters instead");
    if (mesh->triangles.empty()) throw InputError("input 'mesh': the mesh has no triangles");
    return mesh;
}

PortSpec meshPort(const std::string& help) { return {"mesh", DataKind::Mesh, false, help}; }

// --------------------------------------------------------------------- mesh.surface

class SurfaceStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "mesh.surface";
        i.name = "Surface mesh";
        i.group = kGroup;
        i.description =
            "Closed triangle surfaces from a segmentation, in Å and aligned with the volume: one per label "
            "(mode labels, marker = label id), one per connected piece of each label (mode components, marker = "
            "piece number), one shared-boundary surface for all labels in which each interface exists once "
            "(mode multi_label, markers: the label against background, 1000 a + b between labels a < b), or an "
            "isosurface of a scalar field such as a probability map (mode isosurface). Labels and components are "
            "extracted with VTK's discrete flying edges and smoothed with the windowed-sinc filter.";
        i.inputs = {{"labels", DataKind::LabelVolume, true, "Segmentation to mesh (modes labels, components, multi_label)"},
                    {"image", DataKind::Volume, true,
                     "Scalar field for mode isosurface (an integer-valued volume also serves as labels)"}};
        i.outputs = {{"mesh", DataKind::Mesh, false, "Triangle surface(s) with region markers"},
                     {"regions", DataKind::Table, false, "What each marker stands for"}};
        i.parameters = {
            ParameterSpec::choice("mode", "labels", {"labels", "components", "multi_label", "isosurface"},
                                  "labels: a closed surface per label; components: per connected piece; multi_label: "
                                  "shared boundaries; isosurface: the level set of 'image'"),
            ParameterSpec::integer("label", 0, 0, 65535, "", "Label to mesh; 0 = every label present"),
            ParameterSpec::real("level", 0.5, std::nullopt, std::nullopt, "value",
                                "Isosurface level (mode isosurface); the inside is where the field is >= level"),
            ParameterSpec::integer("smoothing_iterations", 20, 0, 1000, "iterations",
                                   "Windowed-sinc smoothing iterations (0 = none); for multi_label: Taubin λ|μ pairs"),
            ParameterSpec::real("pass_band", 0.01, 0.0001, 1.99, "",
                                "Windowed-sinc pass band: smaller smooths more (0.01 keeps area and volume of a "
                                "sphere within 1 %)"),
            ParameterSpec::integer("min_component_voxels", 1, 1, std::nullopt, "voxels",
                                   "Mode components: pieces with fewer voxels are dropped"),
            ParameterSpec::boolean("close_at_border", true,
                                   "Mode isosurface: close surfaces where they leave the volume")};
        return i;
    }

    PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const override {
        const auto control = context.control();
        const auto mode = params.getString("mode");
        WindowedSincOptions smoothing;
        smoothing.iterations = int(params.getInt("smoothing_iterations"));
        smoothing.passBand = params.getFloat("pass_band");
        const auto labelsData = optionalInput(inputs, "labels");
        const auto imageData = optionalInput(inputs, "image");
        PortData out;
        Table regions({"marker", "label", "other_label", "voxels", "triangles"});
        if (mode == "isosurface") {
            const DataPtr field = imageData ? imageData : labelsData;
            if (!field) throw InputError("input 'image': mode isosurface needs a scalar field on 'image'");
            const auto volume = dataAs<Volume>(field, "input 'image'");
            auto mesh = std::make_shared<Mesh>(extractIsosurface(*volume, params.getFloat("level"), smoothing,
                                                                 params.getBool("close_at_border"), control));
            regions.addRow({1.0, 0.0, 0.0, 0.0, double(mesh->triangles.size())});
            regions.notes.push_back({"level", std::to_string(params.getFloat("level"))});
            out["mesh"] = mesh;
            out["regions"] = std::make_shared<Table>(std::move(regions));
            return out;
        }
        std::shared_ptr<const LabelVolume> labels;
        if (labelsData) {
            labels = std::dynamic_pointer_cast<const LabelVolume>(labelsData);
            if (!labels) labels = std::make_shared<LabelVolume>(LabelVolume::fromVolume(*dataAs<Volume>(labelsData, "input 'labels'")));
        } else if (imageData) {
            try {
                labels = std::make_shared<LabelVolume>(LabelVolume::fromVolume(*dataAs<Volume>(imageData, "input 'image'")));
            } catch (const InputError& e) {
                throw InputError(std::string("input 'image': mode ") + mode +
                                 " needs labels; this volume is not integer-valued (" + e.what() +
                                 "); use mode isosurface for a scalar field");
            }
        } else {
            throw InputError("input 'labels': mode " + mode + " needs a label volume on 'labels'");
        }
        LabelSurfaceOptions options;
        options.mode = mode == "components" ? SurfaceMode::Components
                       : mode == "multi_label" ? SurfaceMode::MultiLabel
                                               : SurfaceMode::Labels;
        if (params.getInt("label") > 0) options.labels = {LabelId(params.getInt("label"))};
        options.smoothing = smoothing;
        options.netsIterations = smoothing.iterations;
        options.minComponentVoxels = params.getInt("min_component_voxels");
        auto result = extractLabelSurfaces(*labels, options, control);
        for (const auto& w : result.warnings) context.log("warning: " + w);
        for (const auto& r : result.regions)
            regions.addRow({double(r.marker), double(r.label), double(r.otherLabel), double(r.voxels), double(r.triangles)});
        if (options.mode == SurfaceMode::MultiLabel)
            regions.notes.push_back({"markers", "label against background: the label id; labels a < b: 1000 a + b "
                                                "(ids >= 1000: numbered from 1000000)"});
        for (const auto& w : result.warnings) regions.notes.push_back({"warning", w});
        out["mesh"] = std::make_shared<Mesh>(std::move(result.mesh));
        out["regions"] = std::make_shared<Table>(std::move(regions));
        return out;
    }
};

// --------------------------------------------------------------------- mesh.smooth

class SmoothStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "mesh.smooth";
        i.name = "Smooth surface";
        i.group = kGroup;
        i.description =
            "Smooths a triangle surface while keeping its volume: VTK's windowed-sinc filter (optionally keeping "
            "edges sharper than feature_angle), Taubin λ|μ smoothing, or CGAL's angle-based tangential smoothing "
            "that improves triangle shapes without moving the surface.";
        i.inputs = {meshPort("Triangle surface")};
        i.outputs = {meshPort("Smoothed surface (same triangles and markers)")};
        i.parameters = {
            ParameterSpec::choice("method", "windowed_sinc", {"windowed_sinc", "taubin", "angle"},
                                  "windowed_sinc (VTK), taubin (λ|μ), angle (CGAL, shapes only)"),
            ParameterSpec::integer("iterations", 20, 1, 1000, "iterations", "Smoothing iterations"),
            ParameterSpec::real("pass_band", 0.1, 0.0001, 1.99, "", "windowed_sinc: smaller smooths more"),
            ParameterSpec::real("feature_angle", 0, 0, 180, "deg",
                                "windowed_sinc: keep edges whose faces meet at more than this angle (0 = off)"),
            ParameterSpec::real("lambda", 0.5, 0.01, 1, "", "taubin: shrinking step"),
            ParameterSpec::real("mu", -0.53, -1, -0.01, "", "taubin: inflating step (|mu| slightly above lambda)"),
            ParameterSpec::boolean("keep_region_borders", true, "taubin: borders between regions stay in place")};
        return i;
    }

    PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const override {
        const auto input = surfaceInput(inputs, "smoothing");
        const auto method = params.getString("method");
        const int iterations = int(params.getInt("iterations"));
        std::shared_ptr<Mesh> mesh;
        if (method == "angle") {
            mesh = std::make_shared<Mesh>(smoothAngles(*input, iterations, context.control()));
        } else {
            mesh = std::make_shared<Mesh>(*input);
            if (method == "taubin") {
                taubinSmooth(*mesh, iterations, params.getFloat("lambda"), params.getFloat("mu"),
                             params.getBool("keep_region_borders"));
            } else {
                WindowedSincOptions o;
                o.iterations = iterations;
                o.passBand = params.getFloat("pass_band");
                o.featureAngle = params.getFloat("feature_angle");
                smoothWindowedSinc(*mesh, o, context.control());
            }
        }
        context.setProgress(1.0, "smoothed");
        return {{"mesh", mesh}};
    }
};

// --------------------------------------------------------------------- mesh.remesh

class RemeshStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "mesh.remesh";
        i.name = "Isotropic remeshing";
        i.group = kGroup;
        i.description = "Remeshes a manifold triangle surface to near-equilateral triangles of a target edge length "
                        "(CGAL isotropic remeshing), keeping region borders and open boundaries.";
        i.inputs = {meshPort("Manifold triangle surface")};
        i.outputs = {meshPort("Remeshed surface")};
        i.parameters = {
            ParameterSpec::real("target_edge_length", 0, 0, std::nullopt, "Å", "Target edge length; 0 = the mean edge length"),
            ParameterSpec::integer("iterations", 3, 1, 100, "iterations", "Split/collapse/flip/relax passes"),
            ParameterSpec::boolean("keep_region_borders", true, "Keep the borders between regions as constrained edges")};
        return i;
    }
    PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const override {
        const auto input = surfaceInput(inputs, "remeshing");
        RemeshOptions o;
        o.targetEdgeLength = params.getFloat("target_edge_length");
        o.iterations = int(params.getInt("iterations"));
        o.keepRegionBorders = params.getBool("keep_region_borders");
        return {{"mesh", std::make_shared<Mesh>(remeshIsotropic(*input, o, context.control()))}};
    }
};

// --------------------------------------------------------------------- mesh.decimate

class DecimateStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "mesh.decimate";
        i.name = "Decimate surface";
        i.group = kGroup;
        i.description = "Reduces the triangle count by edge collapse with Garland–Heckbert quadrics (CGAL) to a target "
                        "count or fraction, or as far as possible without moving the surface more than max_error.";
        i.inputs = {meshPort("Manifold triangle surface")};
        i.outputs = {meshPort("Decimated surface")};
        i.parameters = {
            ParameterSpec::integer("target_triangles", 0, 0, std::nullopt, "triangles", "Stop at this count (0 = unused)"),
            ParameterSpec::real("target_fraction", 0, 0, 1, "", "Keep this fraction of the triangles (0 = unused)"),
            ParameterSpec::real("max_error", 0, 0, std::nullopt, "Å", "Largest distance to the input surface (0 = unused)")};
        return i;
    }
    PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const override {
        const auto input = surfaceInput(inputs, "decimation");
        DecimateOptions o;
        o.targetTriangles = std::size_t(params.getInt("target_triangles"));
        const double fraction = params.getFloat("target_fraction");
        if (fraction > 0) {
            const auto fromFraction = std::size_t(std::llround(fraction * double(input->triangles.size())));
            o.targetTriangles = o.targetTriangles > 0 ? std::max(o.targetTriangles, fromFraction) : fromFraction;
        }
        o.maxError = params.getFloat("max_error");
        if (o.targetTriangles == 0 && o.maxError <= 0)
            throw InputError("mesh.decimate: set target_triangles, target_fraction or max_error (all are 0)");
        auto mesh = decimate(*input, o, context.control());
        context.log("decimated " + std::to_string(input->triangles.size()) + " -> " + std::to_string(mesh.triangles.size()) +
                    " triangles");
        return {{"mesh", std::make_shared<Mesh>(std::move(mesh))}};
    }
};

// --------------------------------------------------------------------- mesh.repair

class RepairStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "mesh.repair";
        i.name = "Repair surface";
        i.group = kGroup;
        i.description =
            "Repairs a triangle surface toward a closed, outward-oriented 2-manifold: merges coincident points, "
            "drops degenerate and duplicate triangles, stitches borders, splits non-manifold vertices, removes "
            "small components, fills holes (CGAL triangulate, refine and fair) and orients every closed shell "
            "outward (cavities inward). The report says what was done and whether the result is closed, manifold "
            "and free of self-intersections (which repair does not remove: remesh or smooth less).";
        i.inputs = {meshPort("Triangle surface")};
        i.outputs = {meshPort("Repaired surface"), {"report", DataKind::Table, false, "What was repaired"}};
        i.parameters = {
            ParameterSpec::boolean("fill_holes", true, "Fill holes"),
            ParameterSpec::integer("max_hole_edges", 0, 0, std::nullopt, "edges",
                                   "Holes with more boundary edges stay open (0 = fill all)"),
            ParameterSpec::integer("min_component_triangles", 0, 0, std::nullopt, "triangles",
                                   "Remove components with fewer triangles (0 = keep all)"),
            ParameterSpec::real("min_component_area", 0, 0, std::nullopt, "Å²",
                                "Remove components with a smaller area (0 = keep all)"),
            ParameterSpec::boolean("orient_outward", true, "Orient closed shells outward")};
        return i;
    }
    PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const override {
        const auto input = surfaceInput(inputs, "repair");
        RepairOptions o;
        o.fillHoles = params.getBool("fill_holes");
        o.maxHoleEdges = std::size_t(params.getInt("max_hole_edges"));
        o.orientOutward = params.getBool("orient_outward");
        RepairReport r;
        auto mesh = std::make_shared<Mesh>(repairSurface(*input, o, r, context.control()));
        const auto removed = removeSmallComponents(*mesh, std::size_t(params.getInt("min_component_triangles")),
                                                   params.getFloat("min_component_area"));
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
};

// --------------------------------------------------------------------- mesh.split_components

class SplitComponentsStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "mesh.split_components";
        i.name = "Split into components";
        i.group = kGroup;
        i.description = "Numbers the connected components of a surface (1 = the largest) and makes that number each "
                        "triangle's region marker, so exports carry one region per piece (one mesh per membrane).";
        i.inputs = {meshPort("Triangle surface")};
        i.outputs = {meshPort("Surface with one region per component"),
                     {"components", DataKind::Table, false, "Size, area and volume of each component"}};
        i.parameters = {ParameterSpec::integer("min_triangles", 1, 1, std::nullopt, "triangles",
                                               "Components with fewer triangles are dropped")};
        return i;
    }
    PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const override {
        const auto input = surfaceInput(inputs, "splitting");
        auto parts = splitComponents(*input);
        auto mesh = std::make_shared<Mesh>();
        Table table({"component", "triangles", "area_A2", "enclosed_volume_A3", "closed", "source_region"});
        std::int32_t next = 1;
        for (auto& part : parts) {
            context.throwIfCancelled();
            if (part.triangles.size() < std::size_t(params.getInt("min_triangles"))) continue;
            const auto id = next++;
            const auto topology = analyseTopology(part);
            table.addRow({double(id), double(part.triangles.size()), surfaceArea(part), enclosedVolume(part),
                          topology.closed() ? 1.0 : 0.0, part.triangleRegions.empty() ? 0.0 : double(part.triangleRegions[0])});
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
};

// --------------------------------------------------------------------- mesh.volume

class VolumeStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "mesh.volume";
        i.name = "Tetrahedral mesh";
        i.group = kGroup;
        i.description =
            "Tetrahedral mesh of a labelled image with CGAL Mesh_3: one subdomain per label (cytosol, nucleus, "
            "vesicle lumen, ...) with conforming interfaces, size and angle criteria, then sliver perturbation and "
            "exudation. Tetrahedron markers are labels; boundary and interface triangles are marked with the "
            "label against background, or 1000 a + b between labels a < b.";
        i.inputs = {{"labels", DataKind::LabelVolume, false, "Labelled image"}};
        i.outputs = {{"mesh", DataKind::Mesh, false, "Tetrahedra with subdomain markers and marked facets"},
                     {"regions", DataKind::Table, false, "Markers of subdomains and facets"}};
        i.parameters = {
            ParameterSpec::text("labels", "all", "Labels to mesh: 'all' or a list such as '1, 2, 5-7'"),
            ParameterSpec::real("facet_angle", 30, 1, 30, "deg", "Lower bound on surface triangle angles"),
            ParameterSpec::real("facet_size", 0, 0, std::nullopt, "Å", "Upper bound on surface triangle size; 0 = 3 voxels"),
            ParameterSpec::real("facet_distance", 0, 0, std::nullopt, "Å", "Surface approximation error; 0 = 1 voxel"),
            ParameterSpec::real("cell_radius_edge_ratio", 3, 2, 10, "", "Upper bound on circumradius / shortest edge"),
            ParameterSpec::real("cell_size", 0, 0, std::nullopt, "Å", "Upper bound on tetrahedron circumradius; 0 = facet_size"),
            ParameterSpec::boolean("perturb", true, "Sliver perturbation"),
            ParameterSpec::boolean("exude", true, "Sliver exudation"),
            ParameterSpec::real("sliver_bound", 10, 0, 30, "deg", "Dihedral angle the optimisers aim to exceed"),
            ParameterSpec::real("optimise_time_limit", 60, 0, std::nullopt, "s", "Time limit per optimiser (0 = none)"),
            ParameterSpec::integer("max_vertices", 0, 0, std::nullopt, "vertices", "Stop refining here (0 = no limit)")};
        return i;
    }
    PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const override {
        const auto it = inputs.find("labels");
        if (it == inputs.end() || !it->second) throw InputError("input 'labels' is missing");
        std::shared_ptr<const LabelVolume> labels = std::dynamic_pointer_cast<const LabelVolume>(it->second);
        if (!labels) labels = std::make_shared<LabelVolume>(LabelVolume::fromVolume(*dataAs<Volume>(it->second, "input 'labels'")));
        VolumeMeshOptions o;
        o.labels = parseLabelList(params.getString("labels"), "parameter 'labels'");
        o.facetAngle = params.getFloat("facet_angle");
        o.facetSize = params.getFloat("facet_size");
        o.facetDistance = params.getFloat("facet_distance");
        o.cellRadiusEdgeRatio = params.getFloat("cell_radius_edge_ratio");
        o.cellSize = params.getFloat("cell_size");
        o.perturb = params.getBool("perturb");
        o.exude = params.getBool("exude");
        o.sliverBound = params.getFloat("sliver_bound");
        o.optimiseTimeLimit = params.getFloat("optimise_time_limit");
        o.maxVertices = std::size_t(params.getInt("max_vertices"));
        auto result = meshLabelVolume(*labels, o, context.control());
        {
            std::ostringstream line;
            line << "Mesh_3: " << result.vertices << " vertices, " << result.mesh.tetrahedra.size() << " tetrahedra, "
                 << result.mesh.triangles.size() << " marked facets; refine " << result.refineSeconds << " s, optimise "
                 << result.optimiseSeconds << " s";
            context.log(line.str());
        }
        Table regions({"marker", "kind", "label_a", "label_b", "count"});
        std::map<std::int32_t, std::size_t> tets, facets;
        for (auto r : result.mesh.tetrahedronRegions) ++tets[r];
        for (auto r : result.mesh.triangleRegions) ++facets[r];
        for (const auto& [label, n] : tets) regions.addRow({double(label), std::string("subdomain"), double(label), 0.0, double(n)});
        for (const auto& e : result.facetMarkers)
            regions.addRow({double(e.marker), std::string(e.labelA == 0 ? "boundary" : "interface"), double(e.labelA),
                            double(e.labelB), double(facets[e.marker])});
        regions.notes.push_back({"vertices_per_second", std::to_string(double(result.vertices) /
                                                                        std::max(1e-9, result.refineSeconds + result.optimiseSeconds))});
        return {{"mesh", std::make_shared<Mesh>(std::move(result.mesh))},
                {"regions", std::make_shared<Table>(std::move(regions))}};
    }
};

// --------------------------------------------------------------------- mesh.quality

class QualityStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "mesh.quality";
        i.name = "Mesh quality";
        i.group = kGroup;
        i.description =
            "Quality figures of a surface or tetrahedral mesh: triangle-angle histogram in 10° bins (as GAMer 2 "
            "reports it), minimum and maximum angles, aspect ratios, edge lengths; dihedral angles and "
            "radius-edge ratios of tetrahedra; closed, manifold and self-intersection flags; and the Hausdorff "
            "distance to a reference (source) surface.";
        i.inputs = {meshPort("Mesh to assess"),
                    {"reference", DataKind::Mesh, true, "Source surface for the Hausdorff distance"}};
        i.outputs = {{"summary", DataKind::Table, false, "One row per figure"},
                     {"histogram", DataKind::Table, false, "Angle histogram, 10° bins"}};
        i.parameters = {
            ParameterSpec::boolean("self_intersections", true, "Test for self-intersecting triangles (CGAL)"),
            ParameterSpec::real("hausdorff_sampling", 0, 0, std::nullopt, "Å",
                                "Sample spacing for the Hausdorff distance (0 = half the mean edge length)"),
            ParameterSpec::path("plot_path", "", "If set, an SVG plot of the histogram(s) is written here")};
        return i;
    }
    PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const override {
        const auto mesh = meshInput(inputs, "mesh");
        std::shared_ptr<const Mesh> reference;
        if (auto ref = optionalInput(inputs, "reference")) reference = dataAs<Mesh>(ref, "input 'reference'");
        QualityOptions o;
        o.selfIntersections = params.getBool("self_intersections");
        o.hausdorffSampling = params.getFloat("hausdorff_sampling");
        const auto report = assessQuality(*mesh, o, reference.get(), context.control());
        const auto& plot = params.getString("plot_path");
        if (!plot.empty()) {
            const auto svg = angleHistogramSvg(report, mesh->tetrahedra.empty() ? "Triangle angles" : "Mesh angles");
            writeAtomically(plot, [&](std::ofstream& out) { out << svg; });
        }
        return {{"summary", std::make_shared<Table>(qualitySummaryTable(report))},
                {"histogram", std::make_shared<Table>(angleHistogramTable(report))}};
    }
};

}  // namespace

std::vector<StagePtr> makeStages() {
    return {std::make_shared<SurfaceStage>(),  std::make_shared<SmoothStage>(),
            std::make_shared<RemeshStage>(),   std::make_shared<DecimateStage>(),
            std::make_shared<RepairStage>(),   std::make_shared<SplitComponentsStage>(),
            std::make_shared<VolumeStage>(),   std::make_shared<QualityStage>()};
}

}  // namespace cellforge::mesh
