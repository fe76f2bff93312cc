// connect.region_merge as CellForge loads it: through the plugin registry, with its
// ports and parameters checked, outputs of the declared kinds, bad inputs refused by
// name and a cancelled run giving nothing.
#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/StageInvocation.h"
#include "core/plugin/testing/LoadedPlugins.h"
#include "plugins/connect/ConnectStages.h"
#include "plugins/connect/tests/TestMembranes.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace cellforge;
using namespace cellforge::connect::test;

namespace {

// A ring cut in three places, as a label volume with a voxel size.
std::shared_ptr<LabelVolume> brokenRingVolume(Scene* scene = nullptr) {
    Scene s({56, 56, 20});
    s.paint(1, band(28, 28, 18, 3, 4, 15));
    s.cutRing(28, 28, 20, 3);
    s.cutRing(28, 28, 140, 4);
    s.cutRing(28, 28, 260, 3.5);
    auto v = std::make_shared<LabelVolume>(Index3{56, 56, 20});
    std::copy(s.labels.begin(), s.labels.end(), v->labels());
    v->setVoxelSize({12.5, 12.5, 14.0});
    if (scene) *scene = s;
    return v;
}

class ConnectPluginTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        plugins_ = new test_support::LoadedPlugins(CELLFORGE_BINARY_DIR "/lib/cellforge/plugins");
    }
    static void TearDownTestSuite() { delete plugins_; }
    // Why the stage refused these inputs and parameters (its InputError), or "ran".
    static std::string refusal(const PortData& inputs, const std::map<std::string, ParamValue>& params = {}) {
        try {
            plugins_->run("connect.region_merge", inputs, params);
        } catch (const InputError& e) {
            return e.what();
        }
        return "ran";
    }
    static test_support::LoadedPlugins* plugins_;
};
test_support::LoadedPlugins* ConnectPluginTest::plugins_ = nullptr;

}  // namespace

TEST_F(ConnectPluginTest, ThePluginRegistersTheStageWithItsPortsAndParameters) {
    const StagePtr stage = plugins_->registry.find("connect.region_merge");
    ASSERT_NE(stage, nullptr);
    const StageInfo info = stage->info();
    EXPECT_EQ(info.group, "Connecting");
    ASSERT_EQ(info.inputs.size(), 2u);
    EXPECT_EQ(info.inputs[0].name, "labels");
    EXPECT_FALSE(info.inputs[0].optional);
    EXPECT_EQ(info.inputs[1].name, "probabilities");
    EXPECT_TRUE(info.inputs[1].optional);
    ASSERT_EQ(info.outputs.size(), 2u);
    EXPECT_EQ(info.outputs[0].name, "instances");
    EXPECT_EQ(info.outputs[0].kind, DataKind::LabelVolume);
    EXPECT_EQ(info.outputs[1].name, "merges");
    EXPECT_EQ(info.outputs[1].kind, DataKind::Table);
    std::set<std::string> names;
    for (const auto& p : info.parameters) names.insert(p.name);
    for (const char* name : {"membrane_label", "mode", "max_gap", "max_angle", "max_tilt", "normal_radius",
                             "min_planarity", "complexity", "min_size", "normals"})
        EXPECT_TRUE(names.count(name)) << name;
}

TEST_F(ConnectPluginTest, RejoinsABrokenRingThroughTheRegistry) {
    Scene scene({1, 1, 1});
    const auto labels = brokenRingVolume(&scene);
    const std::vector<std::uint16_t> before(labels->labels(), labels->labels() + labels->voxelCount());
    const PortData out = plugins_->run("connect.region_merge", {{"labels", labels}}, {{"max_gap", 6.0}}, nullptr, 2);
    const auto instances = dataAs<LabelVolume>(out.at("instances"), "instances");
    EXPECT_EQ(instances->dims(), labels->dims());
    EXPECT_EQ(instances->voxelSize(), labels->voxelSize());
    EXPECT_EQ(instances->presentLabels(), std::vector<LabelId>{1});
    EXPECT_EQ(coverOf(scene, instances->labels()).share.at(1), 1.0);
    EXPECT_EQ(std::vector<std::uint16_t>(labels->labels(), labels->labels() + labels->voxelCount()), before)
        << "the input was changed";
    const auto merges = dataAs<Table>(out.at("merges"), "merges");
    EXPECT_EQ(merges->rowCount(), 2u);
    for (double gap : merges->numericColumn("gap_voxels")) EXPECT_LE(gap, 6.0);
    for (double c : merges->numericColumn("confidence")) EXPECT_GT(c, 0.0);
    const auto notes = merges->notes;
    EXPECT_NE(std::find(notes.begin(), notes.end(), std::pair<std::string, std::string>{"instances", "1"}),
              notes.end());
}

TEST_F(ConnectPluginTest, BadInputsAreRefusedWithTheReason) {
    const auto labels = brokenRingVolume();
    auto empty = std::make_shared<LabelVolume>(Index3{16, 16, 4});
    EXPECT_NE(refusal({{"labels", empty}}).find("empty segmentation"), std::string::npos);
    EXPECT_NE(
        refusal({{"labels", labels}}, {{"membrane_label", std::int64_t(5)}}).find("membrane_label 5 does not occur"),
        std::string::npos);
    auto wrong = std::make_shared<Volume>(Index3{56, 56, 19}, ScalarType::Float32);
    EXPECT_NE(refusal({{"labels", labels}, {"probabilities", wrong}}).find("differ in size"), std::string::npos);
    EXPECT_NE(refusal({{"labels", labels}}, {{"max_gap", 99.0}}).find("max_gap"), std::string::npos);
}

TEST_F(ConnectPluginTest, ProbabilitiesOfAnotherTypeAreUsed) {
    const auto labels = brokenRingVolume();
    auto probability = std::make_shared<Volume>(labels->dims(), ScalarType::UInt8);
    for (std::int64_t i = 0; i < labels->voxelCount(); ++i)
        probability->data<std::uint8_t>()[i] = labels->labels()[i] ? 230 : 10;
    const PortData out =
        plugins_->run("connect.region_merge", {{"labels", labels}, {"probabilities", probability}}, {});
    EXPECT_EQ(dataAs<LabelVolume>(out.at("instances"), "instances")->presentLabels(), std::vector<LabelId>{1});
    for (double d : dataAs<Table>(out.at("merges"), "merges")->numericColumn("probability_difference"))
        EXPECT_NEAR(d, 0.0, 1e-9);
}

TEST_F(ConnectPluginTest, ACancelledRunGivesNoOutput) {
    const StagePtr stage = plugins_->registry.require("connect.region_merge");
    const auto labels = brokenRingVolume();
    JobContext context;
    bool reported = false;
    context.setProgressSink([&](double, const std::string&) {
        reported = true;
        context.requestCancel();
    });
    PortData out;
    EXPECT_THROW(out = invokeStage(*stage, {{"labels", labels}}, {}, context, "test"), CancelledError);
    EXPECT_TRUE(reported);
    EXPECT_TRUE(out.empty());
}

TEST(ConnectStages, MakeStagesDeclaresRegionMerge) {
    const auto stages = cellforge::connect::makeStages();
    ASSERT_EQ(stages.size(), 1u);
    EXPECT_EQ(stages[0]->info().id, "connect.region_merge");
}
