// The plugin's logic on CellForge data: segmentation of Volumes of any type, model
// lookup and loading, stacks for training, curves as a Table.
#include "core/base/Errors.h"
#include "plugins/unet/logic/UNetLogic.h"

#include <atomic>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace cellforge;
using namespace cellforge::unet;

namespace {
SegmentationNetwork tinyNetwork(std::uint64_t seed = 1) {
    ModelMetadata m;
    m.architecture.depth = 2;
    m.architecture.baseChannels = 4;
    return SegmentationNetwork::create(m, seed);
}
}  // namespace

TEST(UNetLogic, SegmentsAnyScalarTypeAndKeepsGeometry) {
    auto net = tinyNetwork();
    Volume v({20, 12, 3}, ScalarType::Int16);
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) v.data<std::int16_t>()[i] = std::int16_t((i * 37) % 200 - 100);
    v.setVoxelSize({7, 7, 7});
    v.setOrigin({1, 2, 3});
    InferenceOptions o;
    o.tileSize = 16;
    o.overlap = 4;
    const Segmentation s = segmentVolume(v, net, o, 2, {});
    ASSERT_EQ(s.probabilities->dims(), v.dims());
    EXPECT_EQ(s.probabilities->voxelSize(), v.voxelSize());
    EXPECT_EQ(s.labels->origin(), v.origin());
    ASSERT_NE(s.labels->table().find(2), nullptr);
    EXPECT_EQ(s.labels->table().find(2)->name, "membrane");
    // Labels are the argmax: where the membrane probability exceeds one half, label 2.
    int checked = 0;
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) {
        const float p = s.probabilities->data<float>()[i];
        EXPECT_GE(p, 0.0f);
        EXPECT_LE(p, 1.0f);
        if (p > 0.5f) {
            EXPECT_EQ(s.labels->labels()[i], 2);
            ++checked;
        }
        if (s.labels->labels()[i] == 2) {
            EXPECT_GT(p, 1.0f / 3.0f);
        }
    }
    // The same result from a float copy of the input (type conversion is exact here).
    const Segmentation f = segmentVolume(v.toFloat32(), net, o, 2, {});
    EXPECT_EQ(std::vector<float>(f.probabilities->data<float>(), f.probabilities->data<float>() + v.voxelCount()),
              std::vector<float>(s.probabilities->data<float>(), s.probabilities->data<float>() + v.voxelCount()));
    EXPECT_THROW(segmentVolume(v, net, o, 5, {}), InputError);
}

TEST(UNetLogic, SliceResamplingRoundTripsAndKeepsConstants) {
    EXPECT_EQ(resampledLength(100, 20, 10), 200);
    EXPECT_EQ(resampledLength(100, 7, 10), 70);
    EXPECT_EQ(resampledLength(1, 1, 10), 1);
    const std::int64_t nx = 40, ny = 30;
    std::vector<float> image(std::size_t(nx * ny));
    for (std::int64_t y = 0; y < ny; ++y)
        for (std::int64_t x = 0; x < nx; ++x)
            image[std::size_t(y * nx + x)] = float(std::sin(0.25 * x) + std::cos(0.2 * y) + 0.01 * x);
    // Up by 2 (a tomogram at twice the model's voxel size) and back: close to the original.
    std::vector<float> up(std::size_t(4 * nx * ny)), back(image.size());
    resampleSlice(image.data(), nx, ny, up.data(), 2 * nx, 2 * ny);
    resampleSlice(up.data(), 2 * nx, 2 * ny, back.data(), nx, ny);
    double worst = 0;
    for (std::int64_t y = 1; y < ny - 1; ++y)
        for (std::int64_t x = 1; x < nx - 1; ++x)
            worst = std::max(worst, double(std::fabs(back[std::size_t(y * nx + x)] - image[std::size_t(y * nx + x)])));
    EXPECT_LT(worst, 0.05);
    // Enlarging is linear interpolation: the new pixels between two old ones are their blend.
    EXPECT_NEAR(up[1], 0.75f * image[0] + 0.25f * image[1], 1e-5);
    // Weights sum to one: constants (and probabilities summing to one) stay so.
    std::vector<float> ones(std::size_t(nx * ny), 1.0f), odd(std::size_t(23 * 17));
    resampleSlice(ones.data(), nx, ny, odd.data(), 23, 17);
    for (float v : odd) EXPECT_NEAR(v, 1.0f, 1e-6);
}

TEST(UNetLogic, RescaleIsChosenFromTheVoxelSizes) {
    const SliceRescale twice = chooseSliceRescale(20, 20, 10);
    EXPECT_TRUE(twice.active());
    EXPECT_DOUBLE_EQ(twice.factor[0], 2.0);
    EXPECT_DOUBLE_EQ(chooseSliceRescale(7, 7, 10).factor[1], 0.7);
    EXPECT_FALSE(chooseSliceRescale(10.1, 10.1, 10).active());  // within 2%
    const SliceRescale unset = chooseSliceRescale(1, 1, 10);    // an MRC file without a voxel size
    EXPECT_FALSE(unset.active());
    EXPECT_NE(unset.note.find("warning"), std::string::npos);
}

// A tomogram at twice the model's voxel size is segmented at the model's scale: the same
// as upsampling it by hand, segmenting that at 10 Å and bringing the probabilities back;
// outputs keep the input's size and geometry.
TEST(UNetLogic, TomogramAtTwiceTheModelVoxelSizeIsSegmentedAtTheModelScale) {
    auto net = tinyNetwork(4);
    ASSERT_DOUBLE_EQ(net.metadata().voxelSize, 10.0);
    const std::int64_t nx = 18, ny = 14, nz = 3;
    Volume v({nx, ny, nz}, ScalarType::Float32);
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) v.data<float>()[i] = float(std::sin(0.37 * double(i)));
    v.setVoxelSize({20, 20, 20});
    InferenceOptions o;
    o.tileSize = 16;
    o.overlap = 4;
    const SliceRescale rescale = chooseSliceRescale(20, 20, net.metadata().voxelSize);
    const Segmentation s = segmentVolume(v, net, o, 2, {}, rescale);
    EXPECT_EQ(s.probabilities->dims(), v.dims());
    EXPECT_EQ(s.labels->dims(), v.dims());
    EXPECT_EQ(s.probabilities->voxelSize(), v.voxelSize());

    Volume big({2 * nx, 2 * ny, nz}, ScalarType::Float32);
    for (std::int64_t z = 0; z < nz; ++z)
        resampleSlice(v.data<float>() + z * nx * ny, nx, ny, big.data<float>() + z * 4 * nx * ny, 2 * nx, 2 * ny);
    big.setVoxelSize({10, 10, 10});
    const Segmentation atModel = segmentVolume(big, net, o, 2, {});
    std::vector<float> expected(std::size_t(nx * ny));
    for (std::int64_t z = 0; z < nz; ++z) {
        resampleSlice(atModel.probabilities->data<float>() + z * 4 * nx * ny, 2 * nx, 2 * ny, expected.data(), nx, ny);
        for (std::int64_t i = 0; i < nx * ny; ++i)
            EXPECT_NEAR(s.probabilities->data<float>()[z * nx * ny + i], expected[std::size_t(i)], 1e-5);
    }
    // Without the rescale the network sees other (smaller) slices and answers otherwise.
    const Segmentation plain = segmentVolume(v, net, o, 2, {});
    double differ = 0;
    for (std::int64_t i = 0; i < v.voxelCount(); ++i)
        differ = std::max(differ,
                          double(std::fabs(plain.probabilities->data<float>()[i] - s.probabilities->data<float>()[i])));
    EXPECT_GT(differ, 1e-4);
}

TEST(UNetLogic, LoadsModelInputPathOrShippedModelAndRefusesForeignBytes) {
    auto net = tinyNetwork(3);
    const auto model = toModel(net);
    EXPECT_EQ(model->format, "cellforge-unet");
    EXPECT_EQ(loadNetwork(model.get(), "").toBytes(), net.toBytes());
    const std::string path = (std::filesystem::temp_directory_path() / "unet_logic_test.cfunet").string();
    net.saveFile(path);
    std::string source;
    EXPECT_EQ(loadNetwork(nullptr, path, &source).toBytes(), net.toBytes());
    EXPECT_NE(source.find(path), std::string::npos);
    std::filesystem::remove(path);

    Model foreign;
    foreign.format = "pt";
    foreign.bytes = {'P', 'K', 3, 4, 1, 2, 3};
    try {
        loadNetwork(&foreign, "");
        FAIL() << "a TorchScript-like file was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("expected a CellForge U-Net model"), std::string::npos) << e.what();
    }
    EXPECT_THROW(loadNetwork(nullptr, "/nonexistent.cfunet"), InputError);

    // The shipped model is found through CELLFORGE_RESOURCES first.
    const auto dir = std::filesystem::temp_directory_path() / "unet_logic_resources";
    std::filesystem::create_directories(dir / "models");
    net.saveFile((dir / "models" / "unet-membrane-default.cfunet").string());
    setenv("CELLFORGE_RESOURCES", dir.c_str(), 1);
    EXPECT_EQ(shippedModelPath(), (dir / "models" / "unet-membrane-default.cfunet").string());
    EXPECT_EQ(loadNetwork(nullptr, "").toBytes(), net.toBytes());
    unsetenv("CELLFORGE_RESOURCES");
    std::filesystem::remove_all(dir);
}

// A labelled stack of simulated 2D images, one per slice (as simulate.training_images makes).
std::pair<Volume, LabelVolume> simulatedStack(const simulation::ImageSimulatorSettings& s, int count) {
    const std::int64_t n = s.size;
    Volume image({n, n, count}, ScalarType::Float32);
    LabelVolume labels({n, n, count});
    std::vector<std::uint8_t> lab(std::size_t(n * n));
    for (int i = 0; i < count; ++i) {
        simulation::simulateMembraneImage(s, simulation::mixSeed(4, std::uint64_t(i)), image.data<float>() + i * n * n,
                                          lab.data());
        std::copy(lab.begin(), lab.end(), labels.labels() + i * n * n);
    }
    return {std::move(image), std::move(labels)};
}

TEST(UNetLogic, StacksForTraining) {
    simulation::ImageSimulatorSettings s;
    s.size = 32;
    s.radiusMin = 6;
    s.radiusMax = 20;
    const auto [image, labels] = simulatedStack(s, 12);
    const auto samples = stackSamples(image, labels, 2, 1, 3, 1);
    EXPECT_EQ(samples->trainCount(), 9);
    // The held-out test image is the stack's slice 9, unchanged.
    std::vector<float> img(32 * 32);
    std::vector<std::uint8_t> lab(32 * 32);
    samples->testSample(0, img.data(), lab.data());
    EXPECT_EQ(img[5], image.data<float>()[9 * 32 * 32 + 5]);
    EXPECT_EQ(lab[100], labels.labels()[9 * 32 * 32 + 100]);
    LabelVolume wrong({32, 32, 11});
    EXPECT_THROW(stackSamples(image, wrong, 2, 1, 3, 1), InputError);
}

TEST(UNetLogic, CurvesTableAndWeights) {
    TrainingReport r;
    EpochRecord e;
    e.epoch = 1;
    e.trainLoss = 0.9;
    e.test.loss = 0.8;
    e.test.dice = {0.9, 0.4, 0.7};
    e.validation.dice = {0.9, 0.5, 0.6};
    r.epochs = {e};
    const auto t = curvesTable(r, {"background", "protein", "membrane"});
    EXPECT_EQ(t->rowCount(), 1u);
    EXPECT_DOUBLE_EQ(t->numericColumn("test_dice_membrane")[0], 0.7);
    EXPECT_DOUBLE_EQ(t->numericColumn("validation_dice_protein")[0], 0.5);
    EXPECT_EQ(parseWeights("1, 2,3", "w"), (std::vector<double>{1, 2, 3}));
    EXPECT_THROW(parseWeights("1,-2", "w"), InputError);
    EXPECT_THROW(parseWeights("1,x", "w"), InputError);
}
