// The simulate plugin as CellForge loads it: its stages, the former unet.simulate (an
// alias taking the old `mode` parameter) giving exactly what the new stages give, an
// old-style JSON pipeline step run through the pipeline runner, matching a tomogram.
#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/jobs/JobQueue.h"
#include "core/pipeline/PipelineRunner.h"
#include "core/plugin/testing/LoadedPlugins.h"
#include "plugins/simulate/logic/SimulationVolumes.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace cellforge;

namespace {

class SimulateStagesTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        plugins_ = new test_support::LoadedPlugins(CELLFORGE_BINARY_DIR "/lib/cellforge/plugins");
    }
    static void TearDownTestSuite() { delete plugins_; }
    static PortData run(const std::string& id, const PortData& inputs, const std::map<std::string, ParamValue>& given,
                        JobContext* context = nullptr) {
        return plugins_->run(id, inputs, given, context, 1);
    }
    static test_support::LoadedPlugins* plugins_;
};

test_support::LoadedPlugins* SimulateStagesTest::plugins_ = nullptr;

std::map<std::string, ParamValue> smallPhantom() {
    return {{"size_x", std::int64_t(40)},
            {"size_y", std::int64_t(36)},
            {"size_z", std::int64_t(6)},
            {"vesicles", std::int64_t(2)},
            {"seed", std::int64_t(5)}};
}

bool sameVoxels(const DataPtr& a, const DataPtr& b) {
    auto la = std::dynamic_pointer_cast<const LabelVolume>(a), lb = std::dynamic_pointer_cast<const LabelVolume>(b);
    if (la || lb)
        return la && lb && la->dims() == lb->dims() &&
               std::equal(la->labels(), la->labels() + la->voxelCount(), lb->labels());
    auto va = std::dynamic_pointer_cast<const Volume>(a), vb = std::dynamic_pointer_cast<const Volume>(b);
    return va && vb && va->dims() == vb->dims() && va->voxelSize() == vb->voxelSize() &&
           std::memcmp(va->data<float>(), vb->data<float>(), std::size_t(va->voxelCount()) * 4) == 0;
}

void expectSameTables(const DataPtr& a, const DataPtr& b) {
    auto ta = std::dynamic_pointer_cast<const Table>(a), tb = std::dynamic_pointer_cast<const Table>(b);
    ASSERT_TRUE(ta && tb);
    EXPECT_EQ(ta->notes, tb->notes);
    ASSERT_EQ(ta->rowCount(), tb->rowCount());
}

}  // namespace

TEST_F(SimulateStagesTest, PluginDeclaresItsStagesAndTheFormerId) {
    for (const auto& r : plugins_->loader.records())
        if (r.id == "simulate") {
            EXPECT_TRUE(r.loaded) << r.refusal;
        }
    const auto& registry = plugins_->registry;
    EXPECT_EQ(registry.require("simulate.phantom")->info().outputs.size(), 3u);
    EXPECT_TRUE(registry.require("simulate.training_images")->info().inputs.at(0).optional);
    EXPECT_EQ(registry.require("simulate.measure_tomogram")->info().outputs.at(0).kind, DataKind::Table);
    // The old id resolves to a stage with the old ports and parameters (mode first).
    const auto old = registry.require("unet.simulate")->info();
    EXPECT_EQ(old.outputs.size(), 3u);
    ASSERT_EQ(old.inputs.size(), 1u);
    EXPECT_EQ(old.inputs[0].name, "image");
    ASSERT_GE(old.parameters.size(), 24u);
    EXPECT_EQ(old.parameters[0].name, "mode");
    EXPECT_EQ(registry.pluginOf(old.id), "simulate");
}

TEST_F(SimulateStagesTest, FormerUNetSimulateGivesWhatTheNewStagesGive) {
    auto oldPhantom = smallPhantom();
    oldPhantom["mode"] = std::string("phantom");
    const PortData a = run("unet.simulate", {}, oldPhantom);
    const PortData b = run("simulate.phantom", {}, smallPhantom());
    EXPECT_TRUE(sameVoxels(a.at("image"), b.at("image")));
    EXPECT_TRUE(sameVoxels(a.at("labels"), b.at("labels")));
    expectSameTables(a.at("statistics"), b.at("statistics"));
    EXPECT_EQ(dataAs<Volume>(b.at("image"), "image")->dims(), (Index3{40, 36, 6}));

    const std::map<std::string, ParamValue> images{
        {"count", std::int64_t(4)}, {"image_size", std::int64_t(32)}, {"seed", std::int64_t(3)}};
    auto oldImages = images;
    oldImages["mode"] = std::string("dataset");
    const PortData c = run("unet.simulate", {{"image", a.at("image")}}, oldImages);
    const PortData d = run("simulate.training_images", {{"image", a.at("image")}}, images);
    EXPECT_TRUE(sameVoxels(c.at("image"), d.at("image")));
    EXPECT_TRUE(sameVoxels(c.at("labels"), d.at("labels")));
    expectSameTables(c.at("statistics"), d.at("statistics"));
    EXPECT_EQ(dataAs<Volume>(d.at("image"), "image")->dims(), (Index3{32, 32, 4}));

    const PortData stats = run("simulate.measure_tomogram", {{"image", a.at("image")}}, {});
    expectSameTables(stats.at("statistics"), a.at("statistics"));
}

// A pipeline file written for the old id and its `mode` parameter runs unchanged.
TEST_F(SimulateStagesTest, OldStylePipelineStepStillRuns) {
    const char* json = R"({
      "name": "old-phantom", "inputs": {},
      "stages": [
        { "id": "sim", "stage": "unet.simulate", "inputs": {},
          "params": { "mode": "phantom", "size_x": 40, "size_y": 36, "size_z": 6, "vesicles": 2, "seed": 5 } },
        { "id": "data", "stage": "unet.simulate", "inputs": { "image": "sim.image" },
          "params": { "mode": "dataset", "count": 4, "image_size": 32, "seed": 3 } }
      ],
      "outputs": { "phantom.mrc": "sim.image", "truth.mrc": "sim.labels", "images.mrc": "data.image" } })";
    JobQueue queue;
    ResultCache cache;
    PipelineRunner runner(plugins_->registry, queue, cache);
    const PipelineRunResult r = runner.run(Pipeline::fromJson(json, "old.json"), {}, {});
    ASSERT_EQ(r.state, JobState::Completed) << r.error;
    const PortData b = run("simulate.phantom", {}, smallPhantom());
    EXPECT_TRUE(sameVoxels(r.outputs.at("phantom.mrc"), b.at("image")));
    EXPECT_TRUE(sameVoxels(r.outputs.at("truth.mrc"), b.at("labels")));
    const PortData d = run("simulate.training_images", {{"image", b.at("image")}},
                           {{"count", std::int64_t(4)}, {"image_size", std::int64_t(32)}, {"seed", std::int64_t(3)}});
    EXPECT_TRUE(sameVoxels(r.outputs.at("images.mrc"), d.at("image")));
}

TEST_F(SimulateStagesTest, BadInputsAreRefusedWithReasons) {
    const PortData phantom = run("simulate.phantom", {}, smallPhantom());
    auto oldPhantom = smallPhantom();
    oldPhantom["mode"] = std::string("phantom");
    EXPECT_THROW(run("unet.simulate", {{"image", phantom.at("image")}}, oldPhantom), InputError);
    try {
        run("simulate.training_images", {}, {{"snr_min", 2.0}, {"snr_max", 1.0}, {"count", std::int64_t(2)}});
        FAIL() << "snr_max below snr_min accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("snr_max"), std::string::npos) << e.what();
    }
    EXPECT_THROW(run("simulate.measure_tomogram", {}, {}), InputError);
}

// With tilt_axis 'auto', matched images get the missing wedge the tomogram shows: a
// phantom with a wedge (tilt axis y) gives images with one, a phantom without none.
TEST_F(SimulateStagesTest, MatchedSimulationTakesTheWedgeTheTomogramShows) {
    for (const bool wedge : {true, false}) {
        const PortData phantom = run("unet.simulate", {},
                                     {{"mode", std::string("phantom")},
                                      {"size_x", std::int64_t(64)},
                                      {"size_y", std::int64_t(64)},
                                      {"size_z", std::int64_t(16)},
                                      {"missing_wedge", wedge}});
        const PortData data =
            run("unet.simulate", {{"image", phantom.at("image")}},
                {{"mode", std::string("dataset")}, {"count", std::int64_t(16)}, {"image_size", std::int64_t(64)}});
        const auto stats = dataAs<Table>(data.at("statistics"), "statistics");
        std::string seen;
        for (const auto& [key, value] : stats->notes)
            if (key == "tilt_axis_seen") seen = value;
        EXPECT_EQ(seen, wedge ? "y" : "none");
        const auto images = simulate::measureVolume(*dataAs<Volume>(data.at("image"), "image"));
        EXPECT_EQ(images.tiltAxis(), wedge ? 'y' : 0) << images.axisPowerRatio;
    }
}
