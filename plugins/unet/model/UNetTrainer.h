// Trains a SegmentationNetwork: Adam on cross-entropy plus soft Dice (class-weighted),
// with training, test and validation sets; per epoch the loss, per-class Dice and pixel
// accuracy; checkpoints (with the optimiser's state) to resume; cancellation between
// batches. Samples come from the simulator (streamed, a fresh variation of each scene
// every epoch) or from a given stack of labelled images. Torch-free header.
#pragma once

#include "core/simulation/TrainingImages.h"
#include "core/base/RunControl.h"
#include "plugins/unet/model/SegmentationNetwork.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cellforge::unet {

// Where the images come from. Images are contextSlices x size x size floats; labels
// size x size classes of the centre slice.
class TrainingSamples {
public:
    virtual ~TrainingSamples() = default;
    virtual int imageSize() const = 0;
    virtual int contextSlices() const = 0;
    virtual int trainCount() const = 0;
    virtual int testCount() const = 0;
    virtual int validationCount() const = 0;
    // Training sample `index` as seen in `epoch` (augmentation may differ by epoch).
    virtual void trainSample(int index, int epoch, float* image, std::uint8_t* labels) const = 0;
    virtual void testSample(int index, float* image, std::uint8_t* labels) const = 0;
    virtual void validationSample(int index, float* image, std::uint8_t* labels) const = 0;
};

// Simulated scenes: `trainCount` training scenes, each re-augmented with new noise every
// epoch; test and validation scenes from separate seed streams, fixed.
class SimulatedSamples : public TrainingSamples {
public:
    SimulatedSamples(simulation::ImageSimulatorSettings settings, std::uint64_t seed, int trainCount, int testCount,
                     int validationCount);
    int imageSize() const override { return settings_.size; }
    int contextSlices() const override { return settings_.contextSlices; }
    int trainCount() const override { return train_; }
    int testCount() const override { return test_; }
    int validationCount() const override { return validation_; }
    void trainSample(int index, int epoch, float* image, std::uint8_t* labels) const override;
    void testSample(int index, float* image, std::uint8_t* labels) const override;
    void validationSample(int index, float* image, std::uint8_t* labels) const override;

private:
    simulation::ImageSimulatorSettings settings_;
    std::uint64_t seed_;
    int train_, test_, validation_;
};

// A fixed stack of labelled images (count x contextSlices x size x size, labels count x
// size x size): the last `testCount + validationCount` are held out; training images
// get random flips and quarter turns each epoch.
class StackSamples : public TrainingSamples {
public:
    StackSamples(std::vector<float> images, std::vector<std::uint8_t> labels, int count, int contextSlices, int size,
                 int testCount, int validationCount, std::uint64_t seed);
    int imageSize() const override { return size_; }
    int contextSlices() const override { return context_; }
    int trainCount() const override { return count_ - test_ - validation_; }
    int testCount() const override { return test_; }
    int validationCount() const override { return validation_; }
    void trainSample(int index, int epoch, float* image, std::uint8_t* labels) const override;
    void testSample(int index, float* image, std::uint8_t* labels) const override;
    void validationSample(int index, float* image, std::uint8_t* labels) const override;

private:
    void copy(int stackIndex, int transform, float* image, std::uint8_t* labels) const;
    std::vector<float> images_;
    std::vector<std::uint8_t> labels_;
    int count_, context_, size_, test_, validation_;
    std::uint64_t seed_;
};

struct TrainingOptions {
    int epochs = 10;
    int batchSize = 8;
    double learningRate = 1e-3;                       // Adam; cosine decay to 5% over the epochs
    std::vector<double> classWeights{1.0, 2.0, 2.0};  // cross-entropy and Dice weights
    double diceWeight = 1.0;                          // loss = CE + diceWeight * (1 - weighted soft Dice)
    std::string device = "cpu";
    int threads = 0;             // at::set_num_threads when > 0
    std::string checkpointPath;  // written after every epoch when set
    bool resume = false;         // continue from checkpointPath if it exists
    std::uint64_t seed = 1;      // batch order
};

struct SegmentationScores {
    double loss = 0;
    std::vector<double> dice;  // per class: 2TP / (2TP + FP + FN); 1 when a class is absent from both
    double pixelAccuracy = 0;
};

struct EpochRecord {
    int epoch = 0;  // 1-based
    double trainLoss = 0;
    SegmentationScores test, validation;
    double learningRate = 0;
    double seconds = 0;
};

struct TrainingReport {
    std::vector<EpochRecord> epochs;  // all epochs, including those before a resume
    int resumedFromEpoch = 0;         // 0 when started fresh
    double seconds = 0;               // this run only
};

// Trains `network` in place. Throws InputError for options or samples that do not fit
// the network, CancelledError when asked to stop (the network then holds the weights
// of the last finished batch; the checkpoint those of the last finished epoch).
TrainingReport trainSegmentationNetwork(SegmentationNetwork& network, const TrainingSamples& samples,
                                        const TrainingOptions& options, const RunControl& control = {},
                                        const std::function<void(const EpochRecord&)>& onEpoch = {});

// Loss (with the options' weights) and scores of the network on a set of samples.
SegmentationScores evaluateNetwork(const SegmentationNetwork& network, const TrainingSamples& samples,
                                   bool validationSet, const TrainingOptions& options, const RunControl& control = {});

// Per-class Dice of two label arrays (1 where a class is absent from both).
std::vector<double> diceScores(const std::uint8_t* truth, const std::uint8_t* predicted, std::size_t count,
                               int classes);

}  // namespace cellforge::unet
