#include "plugins/unet/UNetStages.h"

#include "core/base/Errors.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/StageBuilder.h"
#include "core/simulation/TrainingImageParameters.h"
#include "plugins/unet/logic/UNetLogic.h"

#include <cmath>
#include <sstream>

namespace cellforge::unet {

namespace {

std::string number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

int classIndex(const ModelMetadata& meta, const std::string& name) {
    for (std::size_t i = 0; i < meta.classNames.size(); ++i)
        if (meta.classNames[i] == name) return int(i);
    std::string known;
    for (const auto& c : meta.classNames) known += (known.empty() ? "" : ", ") + c;
    throw InputError("probability_class '" + name + "' is not a class of the model (" + known + ")");
}

struct TrainSettings : simulation::TrainingImageOptions {
    TrainSettings() { imageSize = 96; }
    std::string startFrom = "scratch", modelPath, classWeights = "1,2,2", checkpointPath, normalization = "batch";
    std::int64_t epochs = 6, trainImages = 2000, testImages = 200, validationImages = 10, batchSize = 8, seed = 1;
    std::int64_t depth = 4, baseChannels = 8, contextSlices = 1;
    double learningRate = 0.002, diceWeight = 1.0, dropout = 0.0, voxelSize = 0;
    bool resume = false;
};

PortData runTrain(const StageInputs& in, const TrainSettings& v, JobContext& context) {
    const auto model = in.optional<Model>("model");
    const auto match = in.optional<Volume>("image");
    const auto stackImages = in.optional<Volume>("dataset_images");
    const auto stackLabels = in.optional<LabelVolume>("dataset_labels");
    if ((stackImages != nullptr) != (stackLabels != nullptr))
        throw InputError("inputs 'dataset_images' and 'dataset_labels' go together; only one was given");
    if (stackImages && match)
        throw InputError(
            "give either a labelled stack (dataset_images, dataset_labels) or an 'image' to match, not both");

    SegmentationNetwork network;
    std::string source;
    if (model || !v.modelPath.empty() || v.startFrom == "shipped") {
        network = loadNetwork(model.get(), v.modelPath, &source);
        context.log("fine-tuning " + source + ": " + network.metadata().architecture.describe());
    } else {
        ModelMetadata meta;
        meta.architecture.depth = int(v.depth);
        meta.architecture.baseChannels = int(v.baseChannels);
        meta.architecture.contextSlices = int(v.contextSlices);
        meta.architecture.normalization = v.normalization;
        meta.architecture.dropout = v.dropout;
        network = SegmentationNetwork::create(meta, std::uint64_t(v.seed));
        source = "a new network";
        context.log("training a new " + meta.architecture.describe());
    }
    double voxel = v.voxelSize;
    if (voxel <= 0) voxel = match ? match->voxelSize()[0] : stackImages ? stackImages->voxelSize()[0] : 10.0;
    network.metadata().voxelSize = voxel;

    TrainingOptions o;
    o.epochs = int(v.epochs);
    o.batchSize = int(v.batchSize);
    o.learningRate = v.learningRate;
    o.classWeights = parseWeights(v.classWeights, "class_weights");
    o.diceWeight = v.diceWeight;
    o.seed = std::uint64_t(v.seed);
    o.checkpointPath = v.checkpointPath;
    o.resume = v.resume;
    o.threads = context.threadBudget();
    o.device = context.device().name;

    std::unique_ptr<TrainingSamples> samples;
    double begin = 0.0;
    const int contextSlices = network.metadata().architecture.contextSlices;
    if (stackImages) {
        const int count = int(stackImages->nz());
        const int test = int(std::min<std::int64_t>(v.testImages, count / 10));
        const int validation = int(std::min<std::int64_t>(v.validationImages, count / 20));
        samples =
            stackSamples(*stackImages, *stackLabels, test, validation, network.metadata().architecture.classes, o.seed);
        if (contextSlices != 1)
            throw InputError("a labelled stack trains 2D networks; the network takes " + std::to_string(contextSlices) +
                             " slices");
        context.log("training on a stack of " + std::to_string(count) + " images (" + std::to_string(test) + " test, " +
                    std::to_string(validation) + " validation)");
    } else {
        simulation::ImageSimulatorSettings s = simulation::toSimulatorSettings(v);
        s.contextSlices = contextSlices;
        if (match) {
            matchSimulation(s, *match, v.tiltAxis, context);
            begin = 0.02;
        }
        samples = std::make_unique<SimulatedSamples>(s, o.seed, int(v.trainImages), int(v.testImages),
                                                     int(v.validationImages));
        const bool randomized = s.recipe == simulation::TrainingRecipe::Randomized;
        const std::string snr = randomized ? number(s.randomized.snrMin) + ".." + number(s.randomized.snrMax) +
                                                 " (variance ratio) voxel_size=" + number(s.randomized.voxelSizeMin) +
                                                 ".." + number(s.randomized.voxelSizeMax)
                                           : number(s.snrMin) + ".." + number(s.snrMax);
        network.metadata().notes["simulator"] =
            std::string("recipe=") + (randomized ? "randomized" : "classic") + " image_size=" + std::to_string(s.size) +
            " snr=" + snr +
            (s.missingWedge ? " missing_wedge=" + number(s.tiltRangeMin) + ".." + number(s.tiltRangeMax)
                            : std::string()) +
            (match ? " matched" : "");
    }
    const TrainingReport report = trainSegmentationNetwork(network, *samples, o, context.control(begin, 1.0));
    auto& notes = network.metadata().notes;
    notes.erase("history");
    notes["trainer"] = "unet.train";
    notes["started_from"] = source;
    notes["training_images"] = std::to_string(samples->trainCount());
    notes["seed"] = std::to_string(o.seed);
    PortData out{{"model", toModel(network)}, {"curves", curvesTable(report, network.metadata().classNames)}};
    context.setProgress(1.0, "trained");
    return out;
}

StagePtr trainStage() {
    using S = TrainSettings;
    StageBuilder<S> b("unet.train", "Train U-Net");
    b.group("Segmentation")
        .lane(StageLane::Device)
        .description(
            "Trains the membrane U-Net (Adam; cross-entropy plus soft Dice with class weights) on simulated images, "
            "streamed with fresh augmentation every epoch, or on a given labelled stack. Given an 'image', the "
            "simulation is matched to it (mean, standard deviation, power spectrum). Starts from the 'model' input, "
            "model_path, the shipped model (start_from = shipped) or from scratch. Reports per epoch the loss, "
            "per-class Dice and pixel accuracy on held-out test and validation sets ('curves'); checkpoints after "
            "each epoch and resumes from one.")
        .optionalInput("model", DataKind::Model, "Model to fine-tune")
        .optionalInput("image", DataKind::Volume, "Tomogram whose statistics the simulated images match")
        .optionalInput("dataset_images", DataKind::Volume, "Labelled training stack: one square 2D image per slice")
        .optionalInput("dataset_labels", DataKind::LabelVolume,
                       "Labels of dataset_images (0 background, 1 protein, 2 membrane)")
        .output("model", DataKind::Model, "The trained model (CellForge model file, kind unet)")
        .output("curves", DataKind::Table, "Loss, Dice and pixel accuracy per epoch")
        .textChoice("start_from", &S::startFrom, {"scratch", "shipped"},
                    "Without a model input or model_path: a new network or the shipped model")
        .path("model_path", &S::modelPath, "Model file to fine-tune (empty: see start_from)")
        .param("epochs", &S::epochs, {1, 10000}, "epochs", "Passes over the training images")
        .param("train_images", &S::trainImages, {1, 1000000}, "images", "Simulated training scenes")
        .param("test_images", &S::testImages, {0, 100000}, "images",
               "Held-out test images scored every epoch (a stack: at most 10% of it)")
        .param("validation_images", &S::validationImages, {0, 100000}, "images",
               "Validation images scored every epoch (a stack: at most 5% of it)")
        .param("batch_size", &S::batchSize, {1, 1024}, "images", "Images per optimisation step")
        .param("learning_rate", &S::learningRate, {1e-7, 1}, "", "Adam learning rate (cosine decay to 5%)")
        .text("class_weights", &S::classWeights, "Weights of background, protein, membrane in the loss")
        .param("dice_weight", &S::diceWeight, {0, 100}, "", "Weight of the soft Dice term")
        .param("seed", &S::seed, {0, 2147483647}, "", "Seed of the simulated scenes and the batch order")
        .outputPath("checkpoint_path", &S::checkpointPath, "Checkpoint written after each epoch (empty: none)")
        .flag("resume", &S::resume, "Continue from checkpoint_path if it exists")
        .param("depth", &S::depth, {1, 7}, "levels", "New network: resolution levels")
        .param("base_channels", &S::baseChannels, {1, 256}, "channels", "New network: channels at full resolution")
        .param("context_slices", &S::contextSlices, {1, 15}, "slices",
               "New network: 1 for 2D, k (odd) for 2.5D input of k neighbouring slices")
        .textChoice("normalization", &S::normalization, {"batch", "instance", "group", "none"},
                    "New network: normalisation layers")
        .param("dropout", &S::dropout, {0, 0.9}, "", "New network: Dropout2d at the bottleneck")
        .param("voxel_size", &S::voxelSize, {0, 1000}, "Å",
               "Voxel size recorded in the model (0: the matched image's, else 10 Å)");
    simulation::trainingImageParameters(b);
    return b.run(runTrain);
}

struct InferSettings {
    std::int64_t tileSize = 256, overlap = 32, batchSize = 4;
    bool flipTta = false, rescaleToModel = true;
    std::string modelPath, probabilityClass = "membrane";
};

PortData runInfer(const StageInputs& in, const InferSettings& v, JobContext& context) {
    const auto image = in.get<Volume>("image");
    std::string source;
    const SegmentationNetwork network = loadNetwork(in.optional<Model>("model").get(), v.modelPath, &source);
    const auto& meta = network.metadata();
    context.log("model: " + source + " (" + meta.architecture.describe() + ", trained at " + number(meta.voxelSize) +
                " Å)");
    const double voxel = image->voxelSize()[0];
    SliceRescale rescale;
    if (v.rescaleToModel) {
        rescale = chooseSliceRescale(image->voxelSize()[0], image->voxelSize()[1], meta.voxelSize);
        if (!rescale.note.empty()) context.log(rescale.note);
    }
    if (!rescale.active() && voxel > 0 && (voxel > 1.5 * meta.voxelSize || voxel < meta.voxelSize / 1.5))
        context.log("warning: the tomogram's voxel size " + number(voxel) + " Å differs from the model's " +
                    number(meta.voxelSize) +
                    " Å and the slices are not rescaled; membranes may look thicker or thinner than in training "
                    "(rescale_to_model, bin, or fine-tune with resources/pipelines/adapt-membranes.json)");
    InferenceOptions o;
    o.tileSize = int(v.tileSize);
    o.overlap = int(v.overlap);
    o.batchSize = int(v.batchSize);
    o.flipTta = v.flipTta;
    o.threads = context.threadBudget();
    o.device = context.device().name;
    Segmentation s =
        segmentVolume(*image, network, o, classIndex(meta, v.probabilityClass), context.control(), rescale);
    context.setProgress(1.0, "segmented");
    return {{"probabilities", s.probabilities}, {"labels", s.labels}};
}

StagePtr inferStage() {
    using S = InferSettings;
    return StageBuilder<S>("unet.infer", "Segment membranes (U-Net)")
        .group("Segmentation")
        .lane(StageLane::Device)
        .description(
            "Segments a tomogram of any size slice by slice with the membrane U-Net: overlapping tiles in batches, "
            "blended smoothly, optional flip test-time augmentation; memory stays bounded whatever the depth. Runs on "
            "the device lane (CUDA when available). Without a model input or model_path it uses the shipped model. "
            "Outputs the probability of one class (membrane by default) and the most probable class per voxel. "
            "XY slices are resampled to the model's voxel size and back (rescale_to_model).")
        .input("image", DataKind::Volume, "Tomogram (any size and scalar type)")
        .optionalInput("model", DataKind::Model, "Trained model (default: model_path, then the shipped model)")
        .output("probabilities", DataKind::Volume,
                "float32 probability of probability_class (membrane by default), 0 to 1")
        .output("labels", DataKind::LabelVolume, "Most probable class: 0 background, 1 protein, 2 membrane")
        .param("tile_size", &S::tileSize, {8, 4096}, "voxels",
               "Tile width and height; a multiple of 2^(depth-1) (8 for the shipped model)")
        .param("overlap", &S::overlap, {0, 2048}, "voxels", "Overlap of neighbouring tiles (blended)")
        .param("batch_size", &S::batchSize, {1, 1024}, "tiles", "Tiles per network call")
        .flag("flip_tta", &S::flipTta, "Average over the four flips (4x slower, smoother)")
        .flag("rescale_to_model", &S::rescaleToModel,
              "Resample each XY slice to the model's voxel size (linear interpolation) and the probabilities back, "
              "so membranes reach the network as thick as in training; skipped within 2% or when the voxel size "
              "is more than 4x off (likely unset)")
        .path("model_path", &S::modelPath, "Model file (empty: the model input, else the shipped model)")
        .textChoice("probability_class", &S::probabilityClass, {"membrane", "protein", "background"},
                    "Class whose probability is output")
        .run(runInfer);
}

}  // namespace

std::vector<StagePtr> makeStages() { return {trainStage(), inferStage()}; }

}  // namespace cellforge::unet
