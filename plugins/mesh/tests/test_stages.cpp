// The meshing plugin as CellForge loads it: stage declarations, parameter validation,
// outputs of each stage, bad inputs refused with the field named, cancellation.
#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Mesh.h"
#include "core/data/Table.h"
#include "core/jobs/JobContext.h"
#include "core/pipeline/PipelineRunner.h"
#include "core/plugin/PluginLoader.h"
#include "core/plugin/testing/LoadedPlugins.h"
#include "plugins/mesh/tests/TestShapes.h"

#include <gtest/gtest.h>

#include <QTemporaryDir>

#include <algorithm>
#include <fstream>
#include <set>

using namespace cellforge;
using namespace cellforge::mesh::test;

namespace {

class MeshPluginTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        plugins_ = new test_support::LoadedPlugins(CELLFORGE_BINARY_DIR "/lib/cellforge/plugins");
        registry_ = &plugins_->registry;
        loader_ = &plugins_->loader;
    }
    static void TearDownTestSuite() { delete plugins_; }
    static PortData run(const std::string& id, const PortData& inputs, const std::map<std::string, ParamValue>& given,
                        JobContext* context = nullptr) {
        return plugins_->run(id, inputs, given, context, 2);
    }
    static test_support::LoadedPlugins* plugins_;
    static StageRegistry* registry_;
    static PluginLoader* loader_;
};

test_support::LoadedPlugins* MeshPluginTest::plugins_ = nullptr;
StageRegistry* MeshPluginTest::registry_ = nullptr;
PluginLoader* MeshPluginTest::loader_ = nullptr;

double metric(const Table& t, const std::string& name) {
    for (std::size_t i = 0; i < t.rowCount(); ++i)
        if (std::get<std::string>(t.row(i)[0]) == name) return std::get<double>(t.row(i)[1]);
    ADD_FAILURE() << "no metric " << name;
    return NAN;
}

std::string inputErrorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no InputError)";
}

}  // namespace

TEST_F(MeshPluginTest, DeclaresItsStagesWithUnitsAndPorts) {
    bool loaded = false;
    for (const auto& r : loader_->records())
        if (r.id == "mesh") {
            loaded = r.loaded;
            EXPECT_TRUE(r.loaded) << r.refusal;
        }
    ASSERT_TRUE(loaded);
    for (const std::string id : {"mesh.surface", "mesh.smooth", "mesh.remesh", "mesh.decimate", "mesh.repair",
                                 "mesh.split_components", "mesh.tetrahedralize", "mesh.quality"}) {
        SCOPED_TRACE(id);
        const auto stage = registry_->find(id);
        ASSERT_TRUE(stage);
        const auto info = stage->info();
        EXPECT_EQ(info.group, "Meshing");
        EXPECT_FALSE(info.description.empty());
        EXPECT_FALSE(info.outputs.empty());
        for (const auto& p : info.parameters) EXPECT_FALSE(p.help.empty()) << p.name;
    }
    const auto surface = registry_->find("mesh.surface")->info();
    EXPECT_EQ(surface.outputs[0].name, "mesh");
    EXPECT_EQ(surface.outputs[0].kind, DataKind::Mesh);
    // A wrong parameter is refused before anything runs.
    EXPECT_THROW(validateParameters(surface.parameters, {{"mode", std::string("marching")}}, "mesh.surface"),
                 InputError);
    EXPECT_THROW(
        validateParameters(registry_->find("mesh.tetrahedralize")->info().parameters, {{"facet_angle", 45.0}}, "v"),
        InputError);
}

TEST_F(MeshPluginTest, SurfaceThenQualityOnASphere) {
    auto labels = std::make_shared<LabelVolume>(ball(40, 10.0, {0, 0, 0}, {200, 200, 200}, 150.0, 2));
    const auto out = run("mesh.surface", {{"labels", labels}}, {{"label", std::int64_t(2)}});
    const auto mesh = dataAs<Mesh>(out.at("mesh"), "mesh");
    EXPECT_GT(mesh->triangles.size(), 1000u);
    const auto regions = dataAs<Table>(out.at("regions"), "regions");
    ASSERT_EQ(regions->rowCount(), 1u);
    EXPECT_EQ(std::get<double>(regions->row(0)[0]), 2.0);

    const auto quality = run("mesh.quality", {{"mesh", mesh}}, {});
    const auto summary = dataAs<Table>(quality.at("summary"), "summary");
    EXPECT_EQ(metric(*summary, "closed"), 1.0);
    EXPECT_EQ(metric(*summary, "manifold"), 1.0);
    EXPECT_EQ(metric(*summary, "self_intersecting"), 0.0);
    EXPECT_NEAR(metric(*summary, "enclosed_volume") / (4.0 / 3.0 * kPi * std::pow(150.0, 3)), 1.0, 0.02);
    EXPECT_EQ(dataAs<Table>(quality.at("histogram"), "histogram")->rowCount(), 18u);

    // Remesh, then Hausdorff distance to the source surface and the SVG plot.
    const auto remeshed =
        dataAs<Mesh>(run("mesh.remesh", {{"mesh", mesh}}, {{"target_edge_length", 15.0}}).at("mesh"), "m");
    QTemporaryDir dir;
    const std::string plot = dir.path().toStdString() + "/angles.svg";
    const auto q2 = run("mesh.quality", {{"mesh", remeshed}, {"reference", mesh}}, {{"plot_path", plot}});
    const auto s2 = dataAs<Table>(q2.at("summary"), "summary");
    EXPECT_LT(metric(*s2, "hausdorff_distance"), 5.0);
    EXPECT_GT(metric(*s2, "triangle_angle_min"), 20.0);
    std::ifstream svg(plot);
    std::string first;
    std::getline(svg, first);
    EXPECT_EQ(first.rfind("<svg", 0), 0u);
}

TEST_F(MeshPluginTest, ImprovementStagesChainAndKeepMarkers) {
    auto labels = std::make_shared<LabelVolume>(cellWithNucleus(36, 6.0, 90.0, 40.0));
    auto surface = run("mesh.surface", {{"labels", labels}}, {});  // labels 1 and 2, separate closed surfaces
    auto mesh = dataAs<Mesh>(surface.at("mesh"), "mesh");
    std::set<std::int32_t> markers(mesh->triangleRegions.begin(), mesh->triangleRegions.end());
    EXPECT_EQ(markers, (std::set<std::int32_t>{1, 2}));
    for (const std::string method : {"windowed_sinc", "taubin", "angle"}) {
        const auto smoothed = dataAs<Mesh>(run("mesh.smooth", {{"mesh", mesh}}, {{"method", method}}).at("mesh"), "m");
        EXPECT_EQ(smoothed->triangleRegions, mesh->triangleRegions) << method;
    }
    const auto decimated =
        dataAs<Mesh>(run("mesh.decimate", {{"mesh", mesh}}, {{"target_fraction", 0.25}}).at("mesh"), "m");
    EXPECT_LT(decimated->triangles.size(), mesh->triangles.size() / 3);
    std::set<std::int32_t> after(decimated->triangleRegions.begin(), decimated->triangleRegions.end());
    EXPECT_EQ(after, markers);
    // The cytosol's surface has two shells (the cell membrane and the cavity around the
    // nucleus, facing into it), the nucleus one: three components, one facing inward.
    const auto split = run("mesh.split_components", {{"mesh", decimated}}, {});
    const auto components = dataAs<Table>(split.at("components"), "c");
    EXPECT_EQ(components->rowCount(), 3u);
    const auto volumes = components->numericColumn("enclosed_volume_A3");
    EXPECT_EQ(std::count_if(volumes.begin(), volumes.end(), [](double v) { return v < 0; }), 1);
    const auto repaired = run("mesh.repair", {{"mesh", decimated}}, {});
    EXPECT_EQ(metric(*dataAs<Table>(repaired.at("report"), "r"), "closed"), 1.0);
    EXPECT_NE(inputErrorOf([&] {
                  run("mesh.decimate", {{"mesh", mesh}}, {});
              }).find("target_triangles"),
              std::string::npos);
}

TEST_F(MeshPluginTest, TetrahedralizeGivesMarkedTetrahedraAndARegionsTable) {
    auto labels = std::make_shared<LabelVolume>(cellWithNucleus(30, 8.0, 100.0, 45.0));
    const auto out = run("mesh.tetrahedralize", {{"labels", labels}}, {{"labels", std::string("1,2")}});
    const auto mesh = dataAs<Mesh>(out.at("mesh"), "mesh");
    std::set<std::int32_t> subdomains(mesh->tetrahedronRegions.begin(), mesh->tetrahedronRegions.end());
    EXPECT_EQ(subdomains, (std::set<std::int32_t>{1, 2}));
    const auto regions = dataAs<Table>(out.at("regions"), "regions");
    std::set<double> markers;
    for (double m : regions->numericColumn("marker")) markers.insert(m);
    EXPECT_EQ(markers, (std::set<double>{1, 2, 1002}));
    const auto quality = run("mesh.quality", {{"mesh", mesh}}, {{"self_intersections", false}});
    EXPECT_GE(metric(*dataAs<Table>(quality.at("summary"), "s"), "dihedral_angle_min"), 10.0);
    // Surface operations refuse tetrahedral meshes, naming the input.
    EXPECT_NE(inputErrorOf([&] { run("mesh.smooth", {{"mesh", mesh}}, {}); }).find("input 'mesh'"), std::string::npos);
}

// mesh.tetrahedralize was mesh.volume: the old id still finds the stage, and a pipeline
// written with it validates and runs.
TEST_F(MeshPluginTest, TheFormerIdMeshVolumeStillResolvesAndRuns) {
    EXPECT_EQ(registry_->canonicalId("mesh.volume"), "mesh.tetrahedralize");
    EXPECT_EQ(registry_->find("mesh.volume"), registry_->find("mesh.tetrahedralize"));
    const auto ids = registry_->stageIds();
    EXPECT_EQ(std::count(ids.begin(), ids.end(), "mesh.volume"), 0);  // listed once, under its new id
    EXPECT_EQ(registry_->find("mesh.volume")->info().aliases, std::vector<std::string>{"mesh.volume"});

    const Pipeline pipeline = Pipeline::fromJson(R"({
      "name": "old-tetrahedra",
      "inputs": { "labels": "LabelVolume" },
      "stages": [ { "id": "tets", "stage": "mesh.volume", "inputs": { "labels": "$labels" },
                    "params": { "labels": "1,2", "max_vertices": 2000 } } ],
      "outputs": { "cell.vtu": "tets.mesh" }
    })",
                                                 "old.json");
    EXPECT_NO_THROW(validatePipeline(pipeline, *registry_));
    JobQueue queue;
    ResultCache cache;
    PipelineRunner runner(*registry_, queue, cache);
    auto labels = std::make_shared<LabelVolume>(cellWithNucleus(24, 10.0, 90.0, 40.0));
    const PipelineRunResult r = runner.run(pipeline, {{"labels", labels}}, {});
    ASSERT_EQ(r.state, JobState::Completed) << r.error;
    const auto mesh = dataAs<Mesh>(r.outputs.at("cell.vtu"), "mesh");
    std::set<std::int32_t> subdomains(mesh->tetrahedronRegions.begin(), mesh->tetrahedronRegions.end());
    EXPECT_EQ(subdomains, (std::set<std::int32_t>{1, 2}));
}

TEST_F(MeshPluginTest, BadInputsAreRefusedWithTheFieldNamed) {
    auto empty = std::make_shared<LabelVolume>(Index3{8, 8, 8});
    EXPECT_NE(inputErrorOf([&] { run("mesh.surface", {{"labels", empty}}, {}); }).find("empty"), std::string::npos);
    EXPECT_NE(inputErrorOf([&] {
                  run("mesh.tetrahedralize", {{"labels", empty}}, {});
              }).find("empty"),
              std::string::npos);
    auto labels = std::make_shared<LabelVolume>(ball(16, 1.0, {0, 0, 0}, {8, 8, 8}, 5, 1));
    EXPECT_NE(inputErrorOf([&] {
                  run("mesh.surface", {{"labels", labels}}, {{"label", std::int64_t(4)}});
              }).find("label 4 is not present"),
              std::string::npos);
    EXPECT_NE(inputErrorOf([&] {
                  run("mesh.surface", {}, {{"mode", std::string("isosurface")}});
              }).find("'image'"),
              std::string::npos);
    auto field = std::make_shared<Volume>(Index3{8, 8, 8}, ScalarType::Float32);
    field->data<float>()[10] = 0.25f;
    EXPECT_NE(inputErrorOf([&] {
                  run("mesh.surface", {{"image", field}}, {});
              }).find("not integer-valued"),
              std::string::npos);
    EXPECT_NE(inputErrorOf([&] {
                  run("mesh.tetrahedralize", {{"labels", labels}}, {{"labels", std::string("1, x")}});
              }).find("parameter 'labels'"),
              std::string::npos);
    EXPECT_NE(inputErrorOf([&] {
                  run("mesh.quality", {{"mesh", std::make_shared<Mesh>()}}, {});
              }).find("no triangles"),
              std::string::npos);
}

TEST_F(MeshPluginTest, CancelledJobsStop) {
    auto labels = std::make_shared<LabelVolume>(cellWithNucleus(30, 5.0, 60.0, 25.0));
    JobContext context;
    context.requestCancel();
    EXPECT_THROW(run("mesh.surface", {{"labels", labels}}, {}, &context), CancelledError);
    EXPECT_THROW(run("mesh.tetrahedralize", {{"labels", labels}}, {}, &context), CancelledError);
}
