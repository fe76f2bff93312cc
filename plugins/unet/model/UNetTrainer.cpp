#include "plugins/unet/model/UNetTrainer.h"

#include "core/ml/TensorMemory.h"
#include "plugins/unet/model/UNet.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

namespace cellforge::unet {

namespace F = torch::nn::functional;

namespace {

constexpr std::uint64_t kTestStream = 0x7E57ull, kValidationStream = 0x7A11Dull;

void normaliseSlices(float* image, int slices, int size) {
    const std::size_t n = std::size_t(size) * std::size_t(size);
    for (int s = 0; s < slices; ++s) {
        float* p = image + std::size_t(s) * n;
        double sum = 0, sumSq = 0;
        for (std::size_t i = 0; i < n; ++i) {
            sum += p[i];
            sumSq += double(p[i]) * p[i];
        }
        const double mean = sum / double(n);
        double sd = std::sqrt(std::max(0.0, sumSq / double(n) - mean * mean));
        if (!(sd > 1e-12)) sd = 1.0;
        for (std::size_t i = 0; i < n; ++i) p[i] = float((p[i] - mean) / sd);
    }
}

// Loss = weighted cross-entropy + diceWeight * (1 - weighted mean soft Dice).
torch::Tensor segmentationLoss(const torch::Tensor& logits, const torch::Tensor& target, const torch::Tensor& weights,
                               double diceWeight) {
    const auto ce = F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().weight(weights));
    if (diceWeight <= 0) return ce;
    const auto probs = torch::softmax(logits, 1);
    const auto onehot = F::one_hot(target, logits.size(1)).permute({0, 3, 1, 2}).to(probs.dtype());
    const auto inter = (probs * onehot).sum({0, 2, 3});
    const auto denom = probs.sum({0, 2, 3}) + onehot.sum({0, 2, 3});
    const auto dice = (2 * inter + 1.0) / (denom + 1.0);
    const auto meanDice = (dice * weights).sum() / weights.sum();
    return ce + diceWeight * (1 - meanDice);
}

struct Batch {
    torch::Tensor images, labels;
};

template <typename Fill>
Batch makeBatch(int count, int slices, int size, const Fill& fill) {
    std::vector<float> images(std::size_t(count) * slices * size * size);
    std::vector<std::uint8_t> labels(std::size_t(count) * size * size);
    for (int i = 0; i < count; ++i) {
        float* img = images.data() + std::size_t(i) * slices * size * size;
        fill(i, img, labels.data() + std::size_t(i) * size * size);
        normaliseSlices(img, slices, size);
    }
    Batch b;
    b.images = torch::from_blob(images.data(), {count, slices, size, size}, torch::kFloat).clone();
    b.labels = torch::from_blob(labels.data(), {count, size, size}, torch::kUInt8).to(torch::kLong);
    return b;
}

std::string historyText(const std::vector<EpochRecord>& history) {
    std::ostringstream s;
    s.precision(9);
    for (std::size_t i = 0; i < history.size(); ++i) {
        const EpochRecord& r = history[i];
        if (i) s << ';';
        s << r.epoch << ',' << r.trainLoss << ',' << r.learningRate << ',' << r.seconds << ',' << r.test.loss << ','
          << r.test.pixelAccuracy << ',' << r.validation.loss << ',' << r.validation.pixelAccuracy << ','
          << r.test.dice.size();
        for (double d : r.test.dice) s << ',' << d;
        for (double d : r.validation.dice) s << ',' << d;
    }
    return s.str();
}

std::vector<EpochRecord> parseHistory(const std::string& text) {
    std::vector<EpochRecord> history;
    std::istringstream rows(text);
    std::string row;
    while (std::getline(rows, row, ';')) {
        std::istringstream fields(row);
        std::string f;
        std::vector<double> v;
        while (std::getline(fields, f, ',')) v.push_back(std::stod(f));
        if (v.size() < 9) continue;
        EpochRecord r;
        r.epoch = int(v[0]);
        r.trainLoss = v[1];
        r.learningRate = v[2];
        r.seconds = v[3];
        r.test.loss = v[4];
        r.test.pixelAccuracy = v[5];
        r.validation.loss = v[6];
        r.validation.pixelAccuracy = v[7];
        const std::size_t c = std::size_t(v[8]);
        if (v.size() != 9 + 2 * c) continue;
        r.test.dice.assign(v.begin() + 9, v.begin() + 9 + long(c));
        r.validation.dice.assign(v.begin() + 9 + long(c), v.end());
        history.push_back(r);
    }
    return history;
}

bool fileExists(const std::string& path) { return std::ifstream(path).good(); }

}  // namespace

// ---- samples --------------------------------------------------------------------

SimulatedSamples::SimulatedSamples(simulation::ImageSimulatorSettings settings, std::uint64_t seed, int trainCount,
                                   int testCount, int validationCount)
    : settings_(std::move(settings)), seed_(seed), train_(trainCount), test_(testCount), validation_(validationCount) {
    simulation::validateSettings(settings_);
    if (train_ < 1 || test_ < 0 || validation_ < 0)
        throw InputError("training needs at least one training image and no negative test or validation counts");
}

void SimulatedSamples::trainSample(int index, int epoch, float* image, std::uint8_t* labels) const {
    const std::uint64_t scene = simulation::mixSeed(seed_, std::uint64_t(index));
    simulation::simulateMembraneImage(settings_, scene, simulation::mixSeed(scene, 1000 + std::uint64_t(epoch)), image,
                                      labels);
}

void SimulatedSamples::testSample(int index, float* image, std::uint8_t* labels) const {
    const std::uint64_t scene = simulation::mixSeed(seed_ ^ kTestStream, std::uint64_t(index));
    simulation::simulateMembraneImage(settings_, scene, simulation::mixSeed(scene, 7), image, labels);
}

void SimulatedSamples::validationSample(int index, float* image, std::uint8_t* labels) const {
    const std::uint64_t scene = simulation::mixSeed(seed_ ^ kValidationStream, std::uint64_t(index));
    simulation::simulateMembraneImage(settings_, scene, simulation::mixSeed(scene, 7), image, labels);
}

StackSamples::StackSamples(std::vector<float> images, std::vector<std::uint8_t> labels, int count, int contextSlices,
                           int size, int testCount, int validationCount, std::uint64_t seed)
    : images_(std::move(images)),
      labels_(std::move(labels)),
      count_(count),
      context_(contextSlices),
      size_(size),
      test_(testCount),
      validation_(validationCount),
      seed_(seed) {
    if (count_ < 1 || size_ < 1 || context_ < 1)
        throw InputError("the training stack is empty; expected labelled images");
    if (images_.size() != std::size_t(count_) * context_ * size_ * size_ ||
        labels_.size() != std::size_t(count_) * size_ * size_)
        throw InputError("the training stack's images and labels do not match in size");
    if (test_ < 0 || validation_ < 0 || count_ - test_ - validation_ < 1)
        throw InputError("the training stack has " + std::to_string(count_) + " images; " + std::to_string(test_) +
                         " test and " + std::to_string(validation_) + " validation images leave none to train on");
}

void StackSamples::copy(int stackIndex, int transform, float* image, std::uint8_t* labels) const {
    const int n = size_;
    const std::size_t area = std::size_t(n) * n;
    const int turns = transform & 3;
    const bool flip = (transform & 4) != 0;
    auto source = [&](int x, int y) {
        if (flip) x = n - 1 - x;
        for (int t = 0; t < turns; ++t) {
            const int nx = n - 1 - y, ny = x;
            x = nx;
            y = ny;
        }
        return std::size_t(y) * n + x;
    };
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            const std::size_t s = source(x, y), d = std::size_t(y) * n + x;
            for (int c = 0; c < context_; ++c)
                image[std::size_t(c) * area + d] = images_[(std::size_t(stackIndex) * context_ + c) * area + s];
            labels[d] = labels_[std::size_t(stackIndex) * area + s];
        }
}

void StackSamples::trainSample(int index, int epoch, float* image, std::uint8_t* labels) const {
    copy(index, int(simulation::mixSeed(seed_, std::uint64_t(index) * 4096 + std::uint64_t(epoch)) & 7), image, labels);
}
void StackSamples::testSample(int index, float* image, std::uint8_t* labels) const {
    copy(trainCount() + index, 0, image, labels);
}
void StackSamples::validationSample(int index, float* image, std::uint8_t* labels) const {
    copy(trainCount() + test_ + index, 0, image, labels);
}

// ---- scores -----------------------------------------------------------------------

std::vector<double> diceScores(const std::uint8_t* truth, const std::uint8_t* predicted, std::size_t count,
                               int classes) {
    std::vector<double> tp(std::size_t(classes), 0), fp(std::size_t(classes), 0), fn(std::size_t(classes), 0);
    for (std::size_t i = 0; i < count; ++i) {
        const int t = truth[i], p = predicted[i];
        if (t == p) {
            if (t < classes) tp[std::size_t(t)] += 1;
        } else {
            if (p < classes) fp[std::size_t(p)] += 1;
            if (t < classes) fn[std::size_t(t)] += 1;
        }
    }
    std::vector<double> dice(static_cast<std::size_t>(classes));
    for (int c = 0; c < classes; ++c) {
        const double denom = 2 * tp[std::size_t(c)] + fp[std::size_t(c)] + fn[std::size_t(c)];
        dice[std::size_t(c)] = denom > 0 ? 2 * tp[std::size_t(c)] / denom : 1.0;
    }
    return dice;
}

namespace {

SegmentationScores evaluateModule(UNet& module, const TrainingSamples& samples, bool validation,
                                  const torch::Tensor& weights, double diceWeight, int batchSize,
                                  const torch::Device& device, const RunControl& control) {
    SegmentationScores scores;
    const int count = validation ? samples.validationCount() : samples.testCount();
    const int classes = module->architecture().classes;
    scores.dice.assign(std::size_t(classes), 1.0);
    if (count == 0) return scores;
    const bool wasTraining = module->is_training();
    module->eval();
    torch::NoGradGuard noGrad;
    std::vector<double> tp(std::size_t(classes), 0), fp(std::size_t(classes), 0), fn(std::size_t(classes), 0);
    double lossSum = 0, correct = 0, total = 0;
    const int size = samples.imageSize(), slices = samples.contextSlices();
    for (int start = 0; start < count; start += batchSize) {
        control.throwIfCancelled();
        const int n = std::min(batchSize, count - start);
        Batch b = makeBatch(n, slices, size, [&](int i, float* img, std::uint8_t* lab) {
            if (validation)
                samples.validationSample(start + i, img, lab);
            else
                samples.testSample(start + i, img, lab);
        });
        const auto labels = b.labels.to(device);
        const auto logits = module->forward(b.images.to(device));
        lossSum += segmentationLoss(logits, labels, weights, diceWeight).item<double>() * n;
        const auto predicted = logits.argmax(1);
        correct += predicted.eq(labels).sum().item<double>();
        total += double(labels.numel());
        for (int c = 0; c < classes; ++c) {
            const auto p = predicted.eq(c), t = labels.eq(c);
            tp[std::size_t(c)] += (p & t).sum().item<double>();
            fp[std::size_t(c)] += (p & ~t).sum().item<double>();
            fn[std::size_t(c)] += (~p & t).sum().item<double>();
        }
    }
    for (int c = 0; c < classes; ++c) {
        const double denom = 2 * tp[std::size_t(c)] + fp[std::size_t(c)] + fn[std::size_t(c)];
        scores.dice[std::size_t(c)] = denom > 0 ? 2 * tp[std::size_t(c)] / denom : 1.0;
    }
    scores.loss = lossSum / count;
    scores.pixelAccuracy = correct / total;
    if (wasTraining) module->train();
    return scores;
}

void checkFits(const SegmentationNetwork& network, const TrainingSamples& samples, const TrainingOptions& options) {
    const UNetArchitecture& arch = network.metadata().architecture;
    if (samples.contextSlices() != arch.contextSlices)
        throw InputError("training images have " + std::to_string(samples.contextSlices()) +
                         " slice(s) each; the network takes " + std::to_string(arch.contextSlices));
    if (samples.imageSize() % arch.sizeDivisor() != 0)
        throw InputError("training image size " + std::to_string(samples.imageSize()) + " is not a multiple of " +
                         std::to_string(arch.sizeDivisor()) + " (the network pools " + std::to_string(arch.depth - 1) +
                         " times)");
    if (int(options.classWeights.size()) != arch.classes)
        throw InputError("class_weights has " + std::to_string(options.classWeights.size()) +
                         " values; the network has " + std::to_string(arch.classes) + " classes");
    for (double w : options.classWeights)
        if (!(w > 0)) throw InputError("class_weights must all be > 0");
    if (options.batchSize < 1) throw InputError("batch_size must be at least 1");
    if (options.epochs < 1) throw InputError("epochs must be at least 1");
    if (!(options.learningRate > 0)) throw InputError("learning_rate must be > 0");
}

torch::Tensor weightTensor(const TrainingOptions& options, const torch::Device& device) {
    std::vector<float> w(options.classWeights.begin(), options.classWeights.end());
    return torch::from_blob(w.data(), {std::int64_t(w.size())}, torch::kFloat).clone().to(device);
}

}  // namespace

SegmentationScores evaluateNetwork(const SegmentationNetwork& network, const TrainingSamples& samples,
                                   bool validationSet, const TrainingOptions& options, const RunControl& control) {
    checkFits(network, samples, options);
    ml::keepTensorMemoryInProcess();
    const torch::Device device = resolveDevice(options.device, control);
    UNet module = makeInferenceModule(network, device, false);
    return evaluateModule(module, samples, validationSet, weightTensor(options, device), options.diceWeight,
                          options.batchSize, device, control);
}

TrainingReport trainSegmentationNetwork(SegmentationNetwork& network, const TrainingSamples& samples,
                                        const TrainingOptions& options, const RunControl& control,
                                        const std::function<void(const EpochRecord&)>& onEpoch) {
    checkFits(network, samples, options);
    if (options.threads > 0) at::set_num_threads(options.threads);
    const auto started = std::chrono::steady_clock::now();
    const torch::Device device = resolveDevice(options.device, control);
    UNet& module = network.impl().module;
    module->to(device);
    module->train();
    torch::optim::Adam optimizer(module->parameters(), torch::optim::AdamOptions(options.learningRate));
    const torch::Tensor weights = weightTensor(options, device);

    TrainingReport report;
    std::vector<EpochRecord> history;
    int startEpoch = 0;
    if (options.resume && !options.checkpointPath.empty() && fileExists(options.checkpointPath)) {
        SegmentationNetwork saved = SegmentationNetwork::fromFile(options.checkpointPath);
        const UNetArchitecture &a = saved.metadata().architecture, &b = network.metadata().architecture;
        if (a.describe() != b.describe())
            throw InputError("checkpoint '" + options.checkpointPath + "' holds a " + a.describe() +
                             "; the network is a " + b.describe());
        auto state = exportState(saved.impl().module);
        importState(module, state, options.checkpointPath);
        module->to(device);
        const auto& notes = saved.metadata().notes;
        auto it = notes.find("epochs_completed");
        startEpoch = it == notes.end() ? 0 : std::stoi(it->second);
        if (auto h = notes.find("history"); h != notes.end()) history = parseHistory(h->second);
        network.metadata().notes = notes;
        const std::string optimiserPath = options.checkpointPath + ".optimizer";
        if (fileExists(optimiserPath)) torch::load(optimizer, optimiserPath);
        report.resumedFromEpoch = startEpoch;
        control.note("resumed from checkpoint '" + options.checkpointPath + "' after epoch " +
                     std::to_string(startEpoch));
    }

    const int trainCount = samples.trainCount();
    const int batchesPerEpoch = (trainCount + options.batchSize - 1) / options.batchSize;
    const std::int64_t totalSteps = std::int64_t(batchesPerEpoch) * options.epochs;
    const int size = samples.imageSize(), slices = samples.contextSlices();
    const double minLr = 0.05 * options.learningRate;

    for (int epoch = startEpoch + 1; epoch <= options.epochs; ++epoch) {
        const auto epochStart = std::chrono::steady_clock::now();
        // A reproducible shuffle (Fisher-Yates on our own stream).
        std::vector<int> order(static_cast<std::size_t>(trainCount));
        std::iota(order.begin(), order.end(), 0);
        for (int i = trainCount - 1; i > 0; --i) {
            const int j = int(simulation::mixSeed(options.seed, std::uint64_t(epoch) * 1000003ull + std::uint64_t(i)) %
                              std::uint64_t(i + 1));
            std::swap(order[std::size_t(i)], order[std::size_t(j)]);
        }
        double lossSum = 0;
        int seen = 0;
        double lr = options.learningRate;
        for (int b = 0; b < batchesPerEpoch; ++b) {
            control.throwIfCancelled();
            const int first = b * options.batchSize;
            const int n = std::min(options.batchSize, trainCount - first);
            const std::int64_t step = std::int64_t(epoch - 1) * batchesPerEpoch + b;
            lr =
                minLr + 0.5 * (options.learningRate - minLr) * (1 + std::cos(M_PI * double(step) / double(totalSteps)));
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
            Batch batch = makeBatch(n, slices, size, [&](int i, float* img, std::uint8_t* lab) {
                samples.trainSample(order[std::size_t(first + i)], epoch, img, lab);
            });
            optimizer.zero_grad();
            const auto logits = module->forward(batch.images.to(device));
            const auto loss = segmentationLoss(logits, batch.labels.to(device), weights, options.diceWeight);
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>() * n;
            seen += n;
            const double done = (double(epoch - 1 - startEpoch) + double(b + 1) / batchesPerEpoch) /
                                double(options.epochs - startEpoch);
            std::ostringstream msg;
            msg.precision(4);
            msg << "epoch " << epoch << "/" << options.epochs << ", batch " << b + 1 << "/" << batchesPerEpoch
                << ", loss " << lossSum / seen;
            control.report(0.97 * done, msg.str());
        }
        EpochRecord record;
        record.epoch = epoch;
        record.trainLoss = lossSum / std::max(1, seen);
        record.learningRate = lr;
        record.test =
            evaluateModule(module, samples, false, weights, options.diceWeight, options.batchSize, device, control);
        record.validation =
            evaluateModule(module, samples, true, weights, options.diceWeight, options.batchSize, device, control);
        record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epochStart).count();
        history.push_back(record);
        {
            std::ostringstream line;
            line.precision(4);
            line << "epoch " << epoch << ": train loss " << record.trainLoss << ", test loss " << record.test.loss
                 << ", test Dice";
            for (double d : record.test.dice) line << ' ' << d;
            line << ", pixel accuracy " << record.test.pixelAccuracy << ", " << record.seconds << " s";
            control.note(line.str());
        }
        if (onEpoch) onEpoch(record);
        auto& notes = network.metadata().notes;
        notes["epochs_completed"] = std::to_string(epoch);
        notes["history"] = historyText(history);
        if (!options.checkpointPath.empty()) {
            network.saveFile(options.checkpointPath);
            torch::save(optimizer, options.checkpointPath + ".optimizer");
        }
    }
    module->to(torch::kCPU);
    module->eval();
    report.epochs = history;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    control.report(1.0, "training done");
    return report;
}

}  // namespace cellforge::unet
