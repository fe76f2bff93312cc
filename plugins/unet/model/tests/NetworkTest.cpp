// The network, its file, training and tiled inference (tiny models, tiny images).
#include "plugins/unet/model/TiledSliceInference.h"
#include "plugins/unet/model/UNet.h"
#include "plugins/unet/model/UNetTrainer.h"

#include <atomic>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

using namespace cellforge;
using namespace cellforge::unet;
using namespace cellforge::simulation;

namespace {

ModelMetadata tinyMetadata(int depth = 3, int base = 4, int context = 1, const std::string& norm = "batch") {
    ModelMetadata m;
    m.architecture.depth = depth;
    m.architecture.baseChannels = base;
    m.architecture.contextSlices = context;
    m.architecture.normalization = norm;
    return m;
}

std::vector<float> randomImage(std::size_t n, unsigned seed) {
    std::vector<float> v(n);
    std::uint64_t s = seed;
    for (auto& x : v) {
        s = mixSeed(s, 1);
        x = float(double(s >> 11) / 9007199254740992.0 - 0.5) * 3.0f;
    }
    return v;
}

// Gives the batch-norm layers non-trivial running statistics, so folding is tested.
void perturbNormStatistics(SegmentationNetwork& net) {
    torch::NoGradGuard g;
    for (auto& b : net.impl().module->named_buffers(true)) {
        if (b.key().find("running_mean") != std::string::npos) b.value().uniform_(-0.3, 0.3);
        if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2.0);
    }
}

std::vector<float> softmaxOf(const std::vector<float>& logits, int classes, std::int64_t area) {
    std::vector<float> p(logits.size());
    for (std::int64_t i = 0; i < area; ++i) {
        double m = -1e30, s = 0;
        for (int c = 0; c < classes; ++c) m = std::max(m, double(logits[std::size_t(c * area + i)]));
        for (int c = 0; c < classes; ++c) s += std::exp(logits[std::size_t(c * area + i)] - m);
        for (int c = 0; c < classes; ++c)
            p[std::size_t(c * area + i)] = float(std::exp(logits[std::size_t(c * area + i)] - m) / s);
    }
    return p;
}

std::vector<float> zscore(std::vector<float> v) {
    double s = 0, q = 0;
    for (float x : v) s += x, q += double(x) * x;
    const double m = s / double(v.size()), sd = std::sqrt(q / double(v.size()) - m * m);
    for (float& x : v) x = float((x - m) / sd);
    return v;
}

ImageSimulatorSettings tinySimulator() {
    ImageSimulatorSettings s;
    s.size = 32;
    s.radiusMin = 6;
    s.radiusMax = 24;
    s.snrMin = 2.0;
    s.snrMax = 3.0;
    return s;
}

}  // namespace

TEST(UNet, TensorShapesThroughTheNetwork) {
    for (const std::string norm : {"batch", "instance", "group", "none"}) {
        auto meta = tinyMetadata(3, 4, 3, norm);
        meta.architecture.dropout = 0.2;
        UNet net(meta.architecture);
        net->train();
        const auto y = net->forward(torch::randn({2, 3, 32, 48}));
        EXPECT_EQ(y.sizes().vec(), (std::vector<std::int64_t>{2, 3, 32, 48})) << norm;
    }
    auto net = SegmentationNetwork::create(tinyMetadata(4, 8), 1);
    const auto out = net.forward(randomImage(16 * 24, 1).data(), 1, 16, 24);
    EXPECT_EQ(out.size(), std::size_t(3 * 16 * 24));
    EXPECT_THROW(net.forward(randomImage(20 * 24, 1).data(), 1, 20, 24), InputError);  // 20 not a multiple of 8
    // Depth 4, 8 base channels: about 0.12 M parameters (counted by hand from the layers).
    EXPECT_GT(net.parameterCount(), 110000);
    EXPECT_LT(net.parameterCount(), 130000);
}

TEST(UNet, SaveThenLoadGivesIdenticalOutputs) {
    auto net = SegmentationNetwork::create(tinyMetadata(3, 4, 1), 7);
    perturbNormStatistics(net);
    net.metadata().voxelSize = 8.5;
    const auto input = randomImage(32 * 32, 3);
    const auto before = net.forward(input.data(), 1, 32, 32);
    const std::string path = (std::filesystem::temp_directory_path() / "cellforge_ml_test_model.cfunet").string();
    net.saveFile(path);
    const auto loaded = SegmentationNetwork::fromFile(path);
    std::remove(path.c_str());
    EXPECT_EQ(loaded.forward(input.data(), 1, 32, 32), before);
    EXPECT_DOUBLE_EQ(loaded.metadata().voxelSize, 8.5);
    // Different seeds give different networks (the comparison above is not vacuous).
    auto other = SegmentationNetwork::create(tinyMetadata(3, 4, 1), 8);
    EXPECT_NE(other.forward(input.data(), 1, 32, 32), before);
}

TEST(UNet, CorruptOrMismatchedModelFilesAreRefused) {
    auto net = SegmentationNetwork::create(tinyMetadata(2, 4), 1);
    auto bytes = net.toBytes();
    bytes[bytes.size() - 100] ^= 0x01;
    try {
        SegmentationNetwork::fromBytes(bytes, "damaged.cfunet");
        FAIL() << "a corrupt file was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("damaged.cfunet"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos);
    }
    // A valid container whose weights do not fit the architecture it declares.
    auto contents = decodeUNetModelFile(net.toBytes().data(), net.toBytes().size(), "x");
    contents.metadata.architecture.baseChannels = 8;
    const auto mismatched = encodeUNetModelFile(contents.metadata, contents.arrays);
    try {
        SegmentationNetwork::fromBytes(mismatched, "mismatch.cfunet");
        FAIL() << "mismatched weights accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("shape"), std::string::npos) << e.what();
    }
    EXPECT_THROW(SegmentationNetwork::fromFile("/nonexistent/model.cfunet"), InputError);
}

TEST(TiledInference, EqualsUntiledOnAnImageThatFitsOneTile) {
    auto net = SegmentationNetwork::create(tinyMetadata(3, 4, 1), 3);
    perturbNormStatistics(net);
    const std::int64_t nx = 64, ny = 48;
    const auto image = randomImage(std::size_t(nx * ny), 5);
    const auto expected = softmaxOf(net.forward(zscore(image).data(), 1, int(ny), int(nx)), 3, nx * ny);
    for (bool fold : {false, true}) {
        InferenceOptions o;
        o.tileSize = 64;
        o.overlap = 16;
        o.foldBatchNorm = fold;
        std::vector<float> got;
        SliceVolume v{nx, ny, 1, [&](std::int64_t, float* out) { std::copy(image.begin(), image.end(), out); }};
        runTiledSliceInference(net, v, o, [&](std::int64_t z, const float* p) {
            EXPECT_EQ(z, 0);
            got.assign(p, p + 3 * nx * ny);
        });
        ASSERT_EQ(got.size(), expected.size());
        double maxDiff = 0;
        for (std::size_t i = 0; i < got.size(); ++i)
            maxDiff = std::max(maxDiff, double(std::fabs(got[i] - expected[i])));
        EXPECT_LT(maxDiff, fold ? 1e-4 : 1e-6) << "fold " << fold;
    }
}

TEST(TiledInference, ManyTilesBatchesAndSlicesCoverEverythingInOrder) {
    // A network of depth 1 (no pooling) sees 5x5 pixels: away from tile borders, tiled
    // and whole-image results agree; everywhere the probabilities sum to one.
    auto net = SegmentationNetwork::create(tinyMetadata(1, 4, 3), 4);
    const std::int64_t nx = 70, ny = 50, nz = 5;
    const auto volume = randomImage(std::size_t(nx * ny * nz), 9);
    SliceVolume v{nx, ny, nz, [&](std::int64_t z, float* out) {
                      std::copy(volume.begin() + z * nx * ny, volume.begin() + (z + 1) * nx * ny, out);
                  }};
    InferenceOptions tiled;
    tiled.tileSize = 32;
    tiled.overlap = 12;
    tiled.batchSize = 3;
    tiled.flipTta = true;
    InferenceOptions whole = tiled;
    whole.tileSize = 80;
    std::vector<std::vector<float>> a, b;
    std::vector<std::int64_t> order;
    runTiledSliceInference(net, v, tiled, [&](std::int64_t z, const float* p) {
        order.push_back(z);
        a.emplace_back(p, p + 3 * nx * ny);
    });
    runTiledSliceInference(net, v, whole, [&](std::int64_t, const float* p) { b.emplace_back(p, p + 3 * nx * ny); });
    EXPECT_EQ(order, (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
    ASSERT_EQ(a.size(), 5u);
    double maxDiff = 0;
    for (std::size_t z = 0; z < 5; ++z)
        for (std::int64_t i = 0; i < nx * ny; ++i) {
            EXPECT_NEAR(a[z][std::size_t(i)] + a[z][std::size_t(nx * ny + i)] + a[z][std::size_t(2 * nx * ny + i)], 1.0,
                        1e-4);
            maxDiff = std::max(maxDiff, double(std::fabs(a[z][std::size_t(i)] - b[z][std::size_t(i)])));
        }
    // Tile borders differ (zero padding inside the network) but blending keeps it small.
    EXPECT_LT(maxDiff, 0.35);
    // Flip TTA makes the result flip-equivariant: a mirrored tomogram gives the mirror.
    std::vector<std::vector<float>> mirrored;
    SliceVolume mv{nx, ny, nz, [&](std::int64_t z, float* out) {
                       for (std::int64_t y = 0; y < ny; ++y)
                           for (std::int64_t x = 0; x < nx; ++x)
                               out[y * nx + x] = volume[std::size_t(z * nx * ny + y * nx + nx - 1 - x)];
                   }};
    runTiledSliceInference(net, mv, whole,
                           [&](std::int64_t, const float* p) { mirrored.emplace_back(p, p + 3 * nx * ny); });
    EXPECT_NEAR(mirrored[1][std::size_t(7 * nx + 5)], b[1][std::size_t(7 * nx + nx - 1 - 5)], 1e-5);
    EXPECT_NEAR(mirrored[3][std::size_t(2 * nx + nx + 40)], b[3][std::size_t(2 * nx + nx + nx - 1 - 40)], 1e-5);
    // 2.5D: slice 2 is computed from slices 1..3 (not from slice 2 alone).
    b.clear();
    whole.flipTta = false;
    runTiledSliceInference(net, v, whole, [&](std::int64_t, const float* p) { b.emplace_back(p, p + 3 * nx * ny); });
    std::vector<float> stack(volume.begin() + 1 * nx * ny, volume.begin() + 4 * nx * ny);
    for (int c = 0; c < 3; ++c) {
        std::vector<float> s(stack.begin() + c * nx * ny, stack.begin() + (c + 1) * nx * ny);
        s = zscore(s);
        std::copy(s.begin(), s.end(), stack.begin() + c * nx * ny);
    }
    std::vector<float> crop(std::size_t(3 * 48 * 64));
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 48; ++y)
            for (int x = 0; x < 64; ++x)
                crop[std::size_t((c * 48 + y) * 64 + x)] = stack[std::size_t(c * nx * ny + y * nx + x)];
    const auto p = softmaxOf(net.forward(crop.data(), 1, 48, 64), 3, 48 * 64);
    EXPECT_NEAR(b[2][std::size_t(20 * nx + 30)], p[std::size_t(20 * 64 + 30)], 1e-3);
}

TEST(TiledInference, BadOptionsAndCancellation) {
    auto net = SegmentationNetwork::create(tinyMetadata(3, 4), 1);
    const auto image = randomImage(64 * 64, 1);
    SliceVolume v{64, 64, 6, [&](std::int64_t, float* out) { std::copy(image.begin(), image.end(), out); }};
    InferenceOptions o;
    o.tileSize = 30;  // not a multiple of 4
    EXPECT_THROW(runTiledSliceInference(net, v, o, [](std::int64_t, const float*) {}), InputError);
    o.tileSize = 32;
    o.overlap = 8;
    o.batchSize = 1;
    int delivered = 0;
    std::atomic<bool> stop{false};
    RunControl control;
    control.cancel = &stop;
    // Cancelled mid-run: after the second slice has been delivered.
    EXPECT_THROW(runTiledSliceInference(
                     net, v, o,
                     [&](std::int64_t, const float*) {
                         if (++delivered == 2) stop = true;
                     },
                     control),
                 CancelledError);
    EXPECT_LT(delivered, 6);
}

TEST(Training, AFewIterationsLowerTheLoss) {
    auto net = SegmentationNetwork::create(tinyMetadata(2, 8), 2);
    SimulatedSamples samples(tinySimulator(), 5, 48, 16, 4);
    TrainingOptions o;
    o.epochs = 4;
    o.batchSize = 8;
    o.learningRate = 5e-3;
    o.threads = 1;
    const double before = evaluateNetwork(net, samples, false, o).loss;
    std::vector<int> epochsSeen;
    const auto report =
        trainSegmentationNetwork(net, samples, o, {}, [&](const EpochRecord& r) { epochsSeen.push_back(r.epoch); });
    const double after = evaluateNetwork(net, samples, false, o).loss;
    EXPECT_EQ(epochsSeen, (std::vector<int>{1, 2, 3, 4}));
    EXPECT_LT(after, 0.8 * before) << "before " << before << " after " << after;
    EXPECT_NEAR(report.epochs.back().test.loss, after, 1e-4);
    EXPECT_EQ(report.epochs.back().test.dice.size(), 3u);
    EXPECT_GT(report.epochs.back().test.pixelAccuracy, 0.5);
}

TEST(Training, CheckpointResumeAndCancel) {
    const std::string ckpt = (std::filesystem::temp_directory_path() / "cellforge_ml_test_ckpt.cfunet").string();
    std::remove(ckpt.c_str());
    std::remove((ckpt + ".optimizer").c_str());
    SimulatedSamples samples(tinySimulator(), 6, 16, 4, 2);
    TrainingOptions o;
    o.epochs = 2;
    o.batchSize = 8;
    o.threads = 1;
    o.checkpointPath = ckpt;
    auto net = SegmentationNetwork::create(tinyMetadata(2, 4), 3);
    trainSegmentationNetwork(net, samples, o);
    ASSERT_TRUE(std::filesystem::exists(ckpt));
    ASSERT_TRUE(std::filesystem::exists(ckpt + ".optimizer"));

    // Resume to 3 epochs: only epoch 3 runs, the history keeps 1 and 2.
    auto fresh = SegmentationNetwork::create(tinyMetadata(2, 4), 99);
    o.epochs = 3;
    o.resume = true;
    std::vector<int> ran;
    const auto report =
        trainSegmentationNetwork(fresh, samples, o, {}, [&](const EpochRecord& r) { ran.push_back(r.epoch); });
    EXPECT_EQ(report.resumedFromEpoch, 2);
    EXPECT_EQ(ran, (std::vector<int>{3}));
    ASSERT_EQ(report.epochs.size(), 3u);
    EXPECT_EQ(report.epochs[0].epoch, 1);
    EXPECT_EQ(fresh.metadata().notes.at("epochs_completed"), "3");

    // Cancel during the first epoch: CancelledError, and the checkpoint is untouched.
    const auto stamp = std::filesystem::last_write_time(ckpt);
    auto third = SegmentationNetwork::create(tinyMetadata(2, 4), 5);
    o.resume = false;
    o.epochs = 5;
    std::atomic<bool> stop{false};
    RunControl control;
    control.cancel = &stop;
    control.progress = [&](double, const std::string&) { stop = true; };  // at the first report
    EXPECT_THROW(trainSegmentationNetwork(third, samples, o, control), CancelledError);
    EXPECT_EQ(std::filesystem::last_write_time(ckpt), stamp);
    std::remove(ckpt.c_str());
    std::remove((ckpt + ".optimizer").c_str());
}

TEST(Training, RefusesSamplesThatDoNotFitTheNetwork) {
    auto net = SegmentationNetwork::create(tinyMetadata(2, 4, 3), 1);
    SimulatedSamples samples(tinySimulator(), 1, 4, 1, 1);  // 1 slice; the network takes 3
    TrainingOptions o;
    EXPECT_THROW(trainSegmentationNetwork(net, samples, o), InputError);
    o.classWeights = {1, 1};
    auto net1 = SegmentationNetwork::create(tinyMetadata(2, 4, 1), 1);
    EXPECT_THROW(trainSegmentationNetwork(net1, samples, o), InputError);
}

TEST(Training, DiceScores) {
    const std::vector<std::uint8_t> t{0, 0, 1, 2, 2, 2}, p{0, 1, 1, 2, 2, 0};
    const auto d = diceScores(t.data(), p.data(), t.size(), 3);
    EXPECT_NEAR(d[0], 2.0 * 1 / (2 * 1 + 1 + 1), 1e-12);
    EXPECT_NEAR(d[1], 2.0 * 1 / (2 * 1 + 1 + 0), 1e-12);
    EXPECT_NEAR(d[2], 2.0 * 2 / (2 * 2 + 0 + 1), 1e-12);
}
