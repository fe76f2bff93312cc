// The metrics plugin as CellForge loads it: stage declarations, parameter validation,
// Tables out, Volume inputs converted, bad inputs refused, cancellation honoured.
#include <gtest/gtest.h>

#include <QTemporaryDir>
#include <algorithm>
#include <cmath>

#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/io/TableIO.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/PluginLoader.h"
#include "core/plugin/testing/LoadedPlugins.h"

using namespace cellforge;

namespace {

class MetricsPluginTest : public ::testing::Test {
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

    static std::shared_ptr<LabelVolume> cube(Index3 dims, Index3 lo, Index3 hi, LabelId label, double voxel = 1.0) {
        auto v = std::make_shared<LabelVolume>(dims);
        v->setVoxelSize({voxel, voxel, voxel});
        for (std::int64_t z = lo[2]; z < hi[2]; ++z)
            for (std::int64_t y = lo[1]; y < hi[1]; ++y)
                for (std::int64_t x = lo[0]; x < hi[0]; ++x) v->labels()[v->index(x, y, z)] = label;
        return v;
    }

    static test_support::LoadedPlugins* plugins_;
    static StageRegistry* registry_;
    static PluginLoader* loader_;
};

test_support::LoadedPlugins* MetricsPluginTest::plugins_ = nullptr;
StageRegistry* MetricsPluginTest::registry_ = nullptr;
PluginLoader* MetricsPluginTest::loader_ = nullptr;

double cell(const Table& t, std::size_t row, const std::string& column) {
    return std::get<double>(t.row(row).at(t.columnIndex(column)));
}

}  // namespace

TEST_F(MetricsPluginTest, TheFormerMembraneStageIdStillWorks) {
    EXPECT_EQ(registry_->canonicalId("metrics.membranes"), "metrics.membrane_thickness_and_closure");
    EXPECT_EQ(registry_->find("metrics.membranes"), registry_->find("metrics.membrane_thickness_and_closure"));
}

TEST_F(MetricsPluginTest, DeclaresItsFourStages) {
    for (const char* id : {"metrics.overlap", "metrics.surface_distance", "metrics.instances",
                           "metrics.membrane_thickness_and_closure"}) {
        const StagePtr stage = registry_->find(id);
        ASSERT_NE(stage, nullptr) << id << " not registered";
        EXPECT_EQ(registry_->pluginOf(id), "metrics");
        const StageInfo info = stage->info();
        EXPECT_EQ(info.id, id);
        EXPECT_FALSE(info.outputs.empty());
        for (const auto& out : info.outputs) EXPECT_EQ(out.kind, DataKind::Table);
    }
}

TEST_F(MetricsPluginTest, OverlapTablesAndCsv) {
    auto labels = cube({10, 10, 4}, {0, 0, 0}, {6, 10, 4}, 1);
    auto reference = cube({10, 10, 4}, {0, 0, 0}, {4, 10, 4}, 1);
    reference->table().set({1, "membrane", {1, 2, 3}});
    const PortData out =
        run("metrics.overlap", {{"labels", labels}, {"reference", reference}}, {{"axis", std::string("x")}});
    const auto summary = dataAs<Table>(out.at("summary"), "summary");
    ASSERT_EQ(summary->rowCount(), 1u);
    EXPECT_DOUBLE_EQ(cell(*summary, 0, "dice"), 2.0 * 160 / (240 + 160));
    EXPECT_DOUBLE_EQ(cell(*summary, 0, "recall"), 1.0);
    EXPECT_EQ(std::get<std::string>(summary->row(0).at(summary->columnIndex("name"))), "membrane");
    const auto perSlice = dataAs<Table>(out.at("per_slice"), "per_slice");
    ASSERT_EQ(perSlice->rowCount(), 6u);  // x = 0..5 hold class 1
    EXPECT_DOUBLE_EQ(cell(*perSlice, 3, "dice"), 1.0);
    EXPECT_DOUBLE_EQ(cell(*perSlice, 4, "dice"), 0.0);
    // Mean over the six scored slices: four with Dice 1, two with Dice 0.
    EXPECT_DOUBLE_EQ(cell(*summary, 0, "mean_slice_dice"), 4.0 / 6.0);
    EXPECT_DOUBLE_EQ(cell(*summary, 0, "slices_scored"), 6.0);
    EXPECT_FALSE(summary->notes.empty());

    QTemporaryDir dir;
    const std::string csv = dir.filePath("summary.csv").toStdString();
    io::writeTable(csv, *summary);
    const Table back = io::readTable(csv);
    EXPECT_NEAR(back.numericColumn("dice").at(0), 0.8, 1e-12);
}

TEST_F(MetricsPluginTest, FloatVolumeInputIsConvertedToLabels) {
    auto reference = cube({8, 8, 8}, {2, 2, 2}, {6, 6, 6}, 3, 2.0);
    Volume labels({8, 8, 8}, ScalarType::Float32);
    labels.setVoxelSize({2.0, 2.0, 2.0});
    for (std::int64_t z = 2; z < 6; ++z)
        for (std::int64_t y = 2; y < 6; ++y)
            for (std::int64_t x = 3; x < 7; ++x) labels.data<float>()[labels.index(x, y, z)] = 3.0f;
    const PortData out =
        run("metrics.surface_distance", {{"labels", std::make_shared<Volume>(labels)}, {"reference", reference}}, {});
    const auto t = dataAs<Table>(out.at("summary"), "summary");
    ASSERT_EQ(t->rowCount(), 1u);
    EXPECT_DOUBLE_EQ(cell(*t, 0, "class"), 3.0);
    EXPECT_DOUBLE_EQ(cell(*t, 0, "hausdorff"), 2.0);  // one voxel of 2 Å

    labels.data<float>()[0] = 0.5f;  // not a label
    try {
        run("metrics.overlap", {{"labels", std::make_shared<Volume>(labels)}, {"reference", reference}}, {});
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("labels"), std::string::npos) << e.what();
    }
}

TEST_F(MetricsPluginTest, MismatchedInputsAndBadParametersAreRefused) {
    auto a = cube({8, 8, 8}, {0, 0, 0}, {4, 4, 4}, 1);
    auto b = cube({8, 8, 9}, {0, 0, 0}, {4, 4, 4}, 1);
    auto c = cube({8, 8, 8}, {0, 0, 0}, {4, 4, 4}, 1, 3.0);
    for (const char* id : {"metrics.overlap", "metrics.surface_distance", "metrics.instances"}) {
        EXPECT_THROW(run(id, {{"labels", a}, {"reference", b}}, {}), InputError) << id;
        EXPECT_THROW(run(id, {{"labels", a}, {"reference", c}}, {}), InputError) << id;
    }
    EXPECT_THROW(run("metrics.overlap", {{"labels", a}, {"reference", a}}, {{"classes", std::string("1,z")}}),
                 InputError);
    EXPECT_THROW(run("metrics.overlap", {{"labels", a}, {"reference", a}}, {{"axis", std::string("w")}}), InputError);
    EXPECT_THROW(run("metrics.instances", {{"labels", a}, {"reference", a}}, {{"iou_threshold", 1.5}}), InputError);
}

TEST_F(MetricsPluginTest, InstancesAndMembranes) {
    auto ref = cube({20, 10, 10}, {1, 1, 1}, {5, 5, 5}, 1);
    for (std::int64_t z = 1; z < 5; ++z)
        for (std::int64_t y = 1; y < 5; ++y)
            for (std::int64_t x = 10; x < 14; ++x) ref->labels()[ref->index(x, y, z)] = 1;
    auto seg = cube({20, 10, 10}, {1, 1, 1}, {5, 5, 5}, 1);
    PortData out = run("metrics.instances", {{"labels", seg}, {"reference", ref}}, {});
    auto summary = dataAs<Table>(out.at("summary"), "summary");
    EXPECT_DOUBLE_EQ(cell(*summary, 0, "true_positives"), 1);
    EXPECT_DOUBLE_EQ(cell(*summary, 0, "false_negatives"), 1);
    EXPECT_DOUBLE_EQ(cell(*summary, 0, "recall"), 0.5);
    EXPECT_EQ(dataAs<Table>(out.at("instances"), "instances")->rowCount(), 3u);

    // A hollow box of membrane (class 2), walls 2 voxels thick at 1.5 Å.
    auto membrane = cube({16, 16, 16}, {2, 2, 2}, {14, 14, 14}, 2, 1.5);
    for (std::int64_t z = 4; z < 12; ++z)
        for (std::int64_t y = 4; y < 12; ++y)
            for (std::int64_t x = 4; x < 12; ++x) membrane->labels()[membrane->index(x, y, z)] = 0;
    out = run("metrics.membranes", {{"labels", membrane}}, {});
    const auto m = dataAs<Table>(out.at("membranes"), "membranes");
    ASSERT_EQ(m->rowCount(), 1u);
    EXPECT_DOUBLE_EQ(cell(*m, 0, "closed"), 1.0);
    EXPECT_DOUBLE_EQ(cell(*m, 0, "thickness_median"), 3.0);
    EXPECT_DOUBLE_EQ(cell(*m, 0, "enclosed_voxels"), 512.0);
    const auto h = dataAs<Table>(out.at("thickness_histogram"), "thickness_histogram");
    ASSERT_GT(h->rowCount(), 0u);
    double total = 0;
    for (double f : h->numericColumn("fraction")) total += f;
    EXPECT_NEAR(total, 1.0, 1e-12);
}

TEST_F(MetricsPluginTest, CancelledJobStops) {
    auto a = cube({32, 32, 32}, {0, 0, 0}, {16, 16, 16}, 1);
    JobContext context;
    context.requestCancel();
    EXPECT_THROW(run("metrics.overlap", {{"labels", a}, {"reference", a}}, {}, &context), CancelledError);
    EXPECT_THROW(run("metrics.surface_distance", {{"labels", a}, {"reference", a}}, {}, &context), CancelledError);
}
