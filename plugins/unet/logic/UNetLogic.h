// The U-Net plugin's logic on CellForge's data model: tomograms in, probabilities and
// labels out; simulation to Volumes; training to a Model and a curves Table. Includes
// neither Qt nor LibTorch (core/ml's public headers are torch-free), so the adapter and
// the stages compile without torch.
#pragma once

#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/data/Volume.h"
#include "core/jobs/JobContext.h"
#include "core/ml/MembraneSimulator.h"
#include "core/ml/SegmentationNetwork.h"
#include "core/ml/TiledSliceInference.h"
#include "core/ml/UNetTrainer.h"

#include <memory>
#include <string>

namespace cellforge::unet {

inline constexpr const char* kShippedModel = "models/unet-membrane-default.cfunet";
inline constexpr const char* kModelFormat = "cellforge-unet";

// The shipped default model's path; InputError listing the folders searched if absent.
std::string shippedModelPath();
// The network to use: the `model` input if given, else `modelPath` if not empty, else
// the shipped model. `source` receives a description for the log.
ml::SegmentationNetwork loadNetwork(const Model* model, const std::string& modelPath, std::string* source = nullptr);
std::shared_ptr<Model> toModel(const ml::SegmentationNetwork& network);

// A slice reader over any Volume (values converted to float).
ml::SliceVolume sliceView(const Volume& volume);

struct Segmentation {
    std::shared_ptr<Volume> probabilities;  // float32, the probability of one class
    std::shared_ptr<LabelVolume> labels;    // the most probable class per voxel
};
// Segments `image` slice by slice. `probabilityClass` is the class whose probability is
// returned. Geometry (voxel size, origin) is copied from the image.
Segmentation segmentVolume(const Volume& image, const ml::SegmentationNetwork& network,
                           const ml::InferenceOptions& options, int probabilityClass, const RunControl& control);
// The label table for a network's classes (the semantic default for the standard three).
LabelTable labelTableFor(const ml::ModelMetadata& metadata);

ml::TomogramStatistics measureVolume(const Volume& volume);
// Mean, standard deviation (notes) and the radially averaged power spectrum (rows).
std::shared_ptr<Table> statisticsTable(const ml::TomogramStatistics& stats);

struct Simulated {
    std::shared_ptr<Volume> image;
    std::shared_ptr<LabelVolume> labels;
};
Simulated simulatePhantomVolume(const ml::PhantomSettings& settings, std::uint64_t seed, double voxelSize);
// `count` 2D images stacked along z (one image per slice, labels likewise).
Simulated simulateDataset(const ml::ImageSimulatorSettings& settings, std::uint64_t seed, int count, double voxelSize,
                          const RunControl& control);

// Training samples from a stack of 2D images and their labels (one per slice): the
// last testCount + validationCount slices are held out.
std::unique_ptr<ml::StackSamples> stackSamples(const Volume& images, const LabelVolume& labels, int testCount,
                                               int validationCount, int classes, std::uint64_t seed);

// The training curves as a Table: one row per epoch.
std::shared_ptr<Table> curvesTable(const ml::TrainingReport& report, const std::vector<std::string>& classNames);

// Parses "1,2,2" into weights; InputError naming `field` otherwise.
std::vector<double> parseWeights(const std::string& text, const std::string& field);

}  // namespace cellforge::unet
