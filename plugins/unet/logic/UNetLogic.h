// The U-Net plugin's logic on CellForge's data model: tomograms in, probabilities and
// labels out; simulation to Volumes; training to a Model and a curves Table. Includes
// neither Qt nor LibTorch (core/ml's public headers are torch-free), so the adapter and
// the stages compile without torch.
#pragma once

#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/data/Volume.h"
#include "core/jobs/JobContext.h"
#include "core/simulation/TrainingImages.h"
#include "plugins/unet/model/SegmentationNetwork.h"
#include "plugins/unet/model/TiledSliceInference.h"
#include "plugins/unet/model/UNetTrainer.h"
#include "plugins/unet/logic/SliceResampling.h"

#include <memory>
#include <string>

namespace cellforge::unet {

inline constexpr const char* kShippedModel = "models/unet-membrane-default.cfunet";
inline constexpr const char* kModelFormat = "cellforge-unet";

// The shipped default model's path; InputError listing the folders searched if absent.
std::string shippedModelPath();
// The network to use: the `model` input if given, else `modelPath` if not empty, else
// the shipped model. `source` receives a description for the log.
SegmentationNetwork loadNetwork(const Model* model, const std::string& modelPath, std::string* source = nullptr);
std::shared_ptr<Model> toModel(const SegmentationNetwork& network);

// A slice reader over any Volume (values converted to float).
SliceVolume sliceView(const Volume& volume);

struct Segmentation {
    std::shared_ptr<Volume> probabilities;  // float32, the probability of one class
    std::shared_ptr<LabelVolume> labels;    // the most probable class per voxel
};
// Segments `image` slice by slice. `probabilityClass` is the class whose probability is
// returned. Geometry (voxel size, origin) is copied from the image. With an active
// `rescale`, each XY slice is resampled by its factors (to the model's voxel size) before
// the network and the class probabilities back to the slice's size after (linear
// interpolation); the labels are the most probable class of the probabilities brought
// back. Neighbouring slices (2.5D models) are taken as they are along z.
Segmentation segmentVolume(const Volume& image, const SegmentationNetwork& network, const InferenceOptions& options,
                           int probabilityClass, const RunControl& control, const SliceRescale& rescale = {});
// The label table for a network's classes (the semantic default for the standard three).
LabelTable labelTableFor(const ModelMetadata& metadata);

simulation::TomogramStatistics measureVolume(const Volume& volume);
// Simulation matched to `tomogram`: its mean, standard deviation and power spectrum, and
// with tilt axis choice 'auto' the tilt axis its slices show (none seen: no missing wedge).
void matchSimulation(simulation::ImageSimulatorSettings& settings, const Volume& tomogram,
                     const std::string& axisChoice, JobContext& context);
// Training samples from a stack of 2D images and their labels (one per slice): the
// last testCount + validationCount slices are held out.
std::unique_ptr<StackSamples> stackSamples(const Volume& images, const LabelVolume& labels, int testCount,
                                           int validationCount, int classes, std::uint64_t seed);

// The training curves as a Table: one row per epoch.
std::shared_ptr<Table> curvesTable(const TrainingReport& report, const std::vector<std::string>& classNames);

// Parses "1,2,2" into weights; InputError naming `field` otherwise.
std::vector<double> parseWeights(const std::string& text, const std::string& field);

}  // namespace cellforge::unet
