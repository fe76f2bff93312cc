// The U-Net plugin as CellForge loads it: stage declarations, a tiny train -> infer
// round trip, the shipped model, bad inputs refused, cancellation honoured.
#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/PluginLoader.h"
#include "core/plugin/testing/LoadedPlugins.h"
#include "core/simulation/Phantoms.h"
#include "core/simulation/TrainingImages.h"
#include "plugins/unet/logic/UNetLogic.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace cellforge;

namespace {

class UNetStagesTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        plugins_ = new test_support::LoadedPlugins(CELLFORGE_BINARY_DIR "/lib/cellforge/plugins");
        registry_ = &plugins_->registry;
        loader_ = &plugins_->loader;
    }
    static void TearDownTestSuite() { delete plugins_; }
    static PortData run(const std::string& id, const PortData& inputs, const std::map<std::string, ParamValue>& given,
                        JobContext* context = nullptr) {
        return plugins_->run(id, inputs, given, context, 1);
    }
    static std::map<std::string, ParamValue> tinyTraining() {
        return {{"epochs", std::int64_t(1)},        {"train_images", std::int64_t(8)},
                {"test_images", std::int64_t(2)},   {"validation_images", std::int64_t(1)},
                {"image_size", std::int64_t(32)},   {"depth", std::int64_t(2)},
                {"base_channels", std::int64_t(4)}, {"batch_size", std::int64_t(4)}};
    }
    static test_support::LoadedPlugins* plugins_;
    static StageRegistry* registry_;
    static PluginLoader* loader_;
};

test_support::LoadedPlugins* UNetStagesTest::plugins_ = nullptr;
StageRegistry* UNetStagesTest::registry_ = nullptr;
PluginLoader* UNetStagesTest::loader_ = nullptr;

// A small phantom (as simulate.phantom makes it; this plugin's tests use core/simulation directly).
PortData smallPhantomData() {
    simulation::PhantomSettings ps;
    ps.nx = 40;
    ps.ny = 36;
    ps.nz = 6;
    ps.vesicles = 2;
    const simulation::Phantom p = simulation::simulatePhantom(ps, 5);
    auto image = std::make_shared<Volume>(Index3{p.nx, p.ny, p.nz}, ScalarType::Float32);
    std::copy(p.image.begin(), p.image.end(), image->data<float>());
    auto labels = std::make_shared<LabelVolume>(Index3{p.nx, p.ny, p.nz});
    std::copy(p.labels.begin(), p.labels.end(), labels->labels());
    image->setVoxelSize({10, 10, 10});
    labels->setVoxelSize({10, 10, 10});
    return {{"image", image}, {"labels", labels}};
}

}  // namespace

TEST_F(UNetStagesTest, PluginDeclaresItsStages) {
    for (const auto& r : loader_->records())
        if (r.id == "unet") {
            EXPECT_TRUE(r.loaded) << r.refusal;
        }
    const auto infer = registry_->require("unet.infer")->info();
    EXPECT_EQ(infer.lane, StageLane::Device);
    ASSERT_EQ(infer.outputs.size(), 2u);
    EXPECT_EQ(infer.outputs[0].name, "probabilities");
    EXPECT_EQ(infer.outputs[1].kind, DataKind::LabelVolume);
    EXPECT_TRUE(infer.inputs[1].optional);  // model
    EXPECT_EQ(registry_->require("unet.train")->info().outputs[1].kind, DataKind::Table);
}

TEST_F(UNetStagesTest, SimulateTrainInferRoundTrip) {
    const PortData phantom = smallPhantomData();
    const auto image = dataAs<Volume>(phantom.at("image"), "image");
    EXPECT_EQ(image->dims(), (Index3{40, 36, 6}));
    EXPECT_EQ(dataAs<LabelVolume>(phantom.at("labels"), "labels")->dims(), image->dims());

    // Train matched to the phantom, then segment it with the trained model.
    JobContext context;
    double lastProgress = 0;
    context.setProgressSink([&](double f, const std::string&) { lastProgress = f; });
    const PortData trained = run("unet.train", {{"image", image}}, tinyTraining(), &context);
    const auto model = dataAs<Model>(trained.at("model"), "model");
    EXPECT_EQ(model->format, "cellforge-unet");
    EXPECT_DOUBLE_EQ(lastProgress, 1.0);
    const auto curves = dataAs<Table>(trained.at("curves"), "curves");
    EXPECT_EQ(curves->rowCount(), 1u);
    EXPECT_NO_THROW(curves->columnIndex("test_dice_membrane"));
    const auto net = unet::loadNetwork(model.get(), "");
    EXPECT_EQ(net.metadata().architecture.depth, 2);
    EXPECT_NE(net.metadata().notes.at("simulator").find("matched"), std::string::npos);

    const PortData seg = run("unet.infer", {{"image", image}, {"model", model}},
                             {{"tile_size", std::int64_t(16)}, {"overlap", std::int64_t(4)}});
    const auto probs = dataAs<Volume>(seg.at("probabilities"), "probabilities");
    const auto labels = dataAs<LabelVolume>(seg.at("labels"), "labels");
    EXPECT_EQ(probs->dims(), image->dims());
    EXPECT_EQ(probs->scalarType(), ScalarType::Float32);
    EXPECT_EQ(labels->table().find(2)->name, "membrane");

    // Fine-tune from that model on a labelled stack (as simulate.training_images writes it).
    simulation::TrainingImageOptions imageOptions;
    imageOptions.imageSize = 32;
    const simulation::ImageSimulatorSettings s = simulation::toSimulatorSettings(imageOptions);
    auto stackImages = std::make_shared<Volume>(Index3{32, 32, 20}, ScalarType::Float32);
    auto stackLabels = std::make_shared<LabelVolume>(Index3{32, 32, 20});
    std::vector<std::uint8_t> lab(32 * 32);
    for (int i = 0; i < 20; ++i) {
        simulation::simulateMembraneImage(s, simulation::mixSeed(1, std::uint64_t(i)),
                                          stackImages->data<float>() + i * 32 * 32, lab.data());
        std::copy(lab.begin(), lab.end(), stackLabels->labels() + i * 32 * 32);
    }
    const PortData stack{{"image", stackImages}, {"labels", stackLabels}};
    auto params = tinyTraining();
    const PortData tuned =
        run("unet.train",
            {{"model", model}, {"dataset_images", stack.at("image")}, {"dataset_labels", stack.at("labels")}}, params);
    EXPECT_NE(dataAs<Model>(tuned.at("model"), "model")->bytes, model->bytes);
}

TEST_F(UNetStagesTest, ShippedModelIsFoundLoadsAndIsSmall) {
    const std::string path = CELLFORGE_SOURCE_DIR "/resources/models/unet-membrane-default.cfunet";
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    EXPECT_LT(std::filesystem::file_size(path), 10u * 1024 * 1024);
    const auto net = unet::SegmentationNetwork::fromFile(path);
    EXPECT_EQ(net.metadata().classNames, (std::vector<std::string>{"background", "protein", "membrane"}));
    // No model input and no model_path: the shipped one (found from the source tree).
    const PortData phantom = smallPhantomData();
    JobContext context;
    run("unet.infer", {{"image", phantom.at("image")}}, {{"tile_size", std::int64_t(32)}, {"overlap", std::int64_t(8)}},
        &context);
    bool named = false;
    for (const auto& line : context.logLines())
        named = named || line.find("unet-membrane-default") != std::string::npos;
    EXPECT_TRUE(named);
}

TEST_F(UNetStagesTest, BadInputsAreRefusedWithReasons) {
    const PortData phantom = smallPhantomData();
    auto corrupt = std::make_shared<Model>();
    corrupt->format = "cellforge-unet";
    corrupt->bytes = unet::toModel(unet::SegmentationNetwork::create(unet::ModelMetadata{}, 1))->bytes;
    corrupt->bytes[corrupt->bytes.size() / 2] ^= 0xFF;
    try {
        run("unet.infer", {{"image", phantom.at("image")}, {"model", corrupt}}, {});
        FAIL() << "a corrupt model was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos) << e.what();
    }
    auto good = unet::toModel(unet::SegmentationNetwork::create(unet::ModelMetadata{}, 1));
    try {
        run("unet.infer", {{"image", phantom.at("image")}, {"model", good}}, {{"tile_size", std::int64_t(20)}});
        FAIL() << "a tile size that is not a multiple of 8 was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("tile_size"), std::string::npos) << e.what();
    }
    EXPECT_THROW(run("unet.train", {{"dataset_images", phantom.at("image")}}, tinyTraining()), InputError);
    auto weights = tinyTraining();
    weights["class_weights"] = std::string("1,2");
    EXPECT_THROW(run("unet.train", {}, weights), InputError);
}

TEST_F(UNetStagesTest, CancellationStopsTrainingAndInference) {
    const PortData phantom = smallPhantomData();
    JobContext cancelled;
    cancelled.requestCancel();
    auto good = unet::toModel(unet::SegmentationNetwork::create(unet::ModelMetadata{}, 1));
    EXPECT_THROW(run("unet.infer", {{"image", phantom.at("image")}, {"model", good}}, {}, &cancelled), CancelledError);
    EXPECT_THROW(run("unet.train", {}, tinyTraining(), &cancelled), CancelledError);
}
