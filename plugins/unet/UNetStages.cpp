#include "plugins/unet/UNetStages.h"

#include "core/base/Errors.h"
#include "core/jobs/JobContext.h"
#include "plugins/unet/logic/UNetLogic.h"

#include <cmath>
#include <sstream>

namespace cellforge::unet {

namespace {

const Volume* optionalVolume(const PortData& inputs, const std::string& port) {
    auto it = inputs.find(port);
    if (it == inputs.end() || !it->second) return nullptr;
    return dataAs<Volume>(it->second, "input '" + port + "'").get();
}

const Model* optionalModel(const PortData& inputs) {
    auto it = inputs.find("model");
    if (it == inputs.end() || !it->second) return nullptr;
    return dataAs<Model>(it->second, "input 'model'").get();
}

std::string number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

int classIndex(const ml::ModelMetadata& meta, const std::string& name) {
    for (std::size_t i = 0; i < meta.classNames.size(); ++i)
        if (meta.classNames[i] == name) return int(i);
    std::string known;
    for (const auto& c : meta.classNames) known += (known.empty() ? "" : ", ") + c;
    throw InputError("probability_class '" + name + "' is not a class of the model (" + known + ")");
}

// Simulator parameters shared by unet.simulate (dataset mode) and unet.train.
void addSimulatorParameters(ParameterSchema& p, int imageSize) {
    p.push_back(ParameterSpec::integer("image_size", imageSize, 32, 1024, "voxels",
                                       "Width and height of the simulated 2D training images"));
    p.push_back(
        ParameterSpec::real("snr_min", 0.7, 0.01, 100, "", "Lowest membrane contrast / noise standard deviation"));
    p.push_back(
        ParameterSpec::real("snr_max", 3.0, 0.01, 100, "", "Highest membrane contrast / noise standard deviation"));
    p.push_back(ParameterSpec::real("thickness_min", 3, 1, 40, "voxels", "Thinnest simulated membrane"));
    p.push_back(ParameterSpec::real("thickness_max", 6, 1, 40, "voxels", "Thickest simulated membrane"));
    p.push_back(ParameterSpec::real("blur", 1.0, 0, 10, "voxels",
                                    "Gaussian blur of signal and noise when no tomogram is matched"));
    p.push_back(ParameterSpec::real("bandpass_low", 0, 0, 0.5, "cycles/voxel", "High-pass cut-on (0 = off)"));
    p.push_back(ParameterSpec::real("bandpass_high", 0, 0, 0.5, "cycles/voxel", "Low-pass cut-off (0 = off)"));
    p.push_back(ParameterSpec::boolean("augment", true, "Elastic deformation, flips, rotations and intensity jitter"));
    p.push_back(
        ParameterSpec::choice("density", "dark", {"dark", "bright"},
                              "Whether membranes and proteins are darker (raw cryo-ET) or brighter than solvent"));
    p.push_back(ParameterSpec::boolean("missing_wedge", true,
                                       "Images are XY slices of 3D slabs with a tomogram's missing wedge (elongation, "
                                       "faint near-horizontal membranes, smeared vesicle caps); a phantom gets one too"));
    p.push_back(ParameterSpec::real("tilt_range_min", 50, 1, 90, "degrees", "Images: smallest tilt range (+-)"));
    p.push_back(ParameterSpec::real("tilt_range_max", 70, 1, 90, "degrees", "Images: largest tilt range (+-)"));
    p.push_back(ParameterSpec::choice("tilt_axis", "auto", {"auto", "y", "x", "either"},
                                      "Images: the tilt axis; auto = seen in the matched tomogram's slices (no "
                                      "wedge seen: none), else y"));
}

// Simulation matched to `tomogram`: its mean, standard deviation and power spectrum, and
// with tilt_axis 'auto' the tilt axis its slices show (none seen: no missing wedge).
void matchSimulation(ml::ImageSimulatorSettings& s, const Volume& tomogram, const std::string& axisChoice,
                     JobContext& context) {
    context.setProgress(0.0, "measuring the tomogram");
    s.match = measureVolume(tomogram);
    s.matchTomogram = true;
    std::string wedge;
    if (axisChoice == "auto" && s.missingWedge) {
        const char axis = ml::followTiltAxis(s, s.match);
        wedge = axis ? std::string(", missing wedge with tilt axis ") + axis : std::string(", no missing wedge seen");
        wedge += " (axis power ratio " + number(s.match.axisPowerRatio) + ")";
    }
    context.log("simulating images matched to the tomogram: mean " + number(s.match.mean) + ", standard deviation " +
                number(s.match.stddev) + ", power spectrum of " + std::to_string(s.match.slicesMeasured) + " slices" +
                wedge);
}

ml::ImageSimulatorSettings simulatorSettings(const ParameterValues& v) {
    ml::ImageSimulatorSettings s;
    s.size = int(v.getInt("image_size"));
    s.snrMin = v.getFloat("snr_min");
    s.snrMax = v.getFloat("snr_max");
    if (s.snrMax < s.snrMin)
        throw InputError("snr_max (" + number(s.snrMax) + ") is below snr_min (" + number(s.snrMin) + ")");
    s.thicknessMin = v.getFloat("thickness_min");
    s.thicknessMax = v.getFloat("thickness_max");
    if (s.thicknessMax < s.thicknessMin)
        throw InputError("thickness_max (" + number(s.thicknessMax) + ") is below thickness_min (" +
                         number(s.thicknessMin) + ")");
    s.blurSigma = v.getFloat("blur");
    s.bandpassLow = v.getFloat("bandpass_low");
    s.bandpassHigh = v.getFloat("bandpass_high");
    const bool augment = v.getBool("augment");
    s.elastic = s.flips = s.rotations = augment;
    if (!augment) s.intensityJitter = s.rampAmplitude = 0;
    s.darkDensity = v.getString("density") == "dark";
    s.missingWedge = v.getBool("missing_wedge");
    s.tiltRangeMin = v.getFloat("tilt_range_min");
    s.tiltRangeMax = v.getFloat("tilt_range_max");
    if (s.tiltRangeMax < s.tiltRangeMin)
        throw InputError("tilt_range_max (" + number(s.tiltRangeMax) + ") is below tilt_range_min (" +
                         number(s.tiltRangeMin) + ")");
    const std::string axis = v.getString("tilt_axis");
    s.tiltAxis = axis == "x"        ? ml::ImageSimulatorSettings::TiltAxis::X
                 : axis == "either" ? ml::ImageSimulatorSettings::TiltAxis::Either
                                    : ml::ImageSimulatorSettings::TiltAxis::Y;
    // Membranes scale with the image (the defaults are for 256 x 256).
    const double scale = std::max(0.5, s.size / 256.0);
    s.radiusMax = std::max(2 * s.radiusMin, s.radiusMax * std::min(1.0, scale));
    if (s.size < 256) {
        s.membranesMin = std::max(1, int(std::lround(s.membranesMin * scale)));
        s.membranesMax = std::max(s.membranesMin, int(std::lround(s.membranesMax * scale)));
    }
    return s;
}

// ---------------------------------------------------------------------------------

class SimulateStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "unet.simulate";
        i.name = "Simulate membranes (training data, phantom)";
        i.group = "Segmentation";
        i.description =
            "Simulated cryo-ET data with labels (0 background, 1 protein, 2 membrane). Mode 'phantom': a 3D tomogram "
            "of "
            "vesicles (single and double membranes, proteins) with a missing wedge and noise, and its true labels, for "
            "testing a whole pipeline. Mode 'dataset': a stack of 2D training images (one per slice) of membranes as "
            "ellipses and arcs with gaps, protein blobs beside them, augmented; given an 'image', its mean, standard "
            "deviation and power spectrum are matched. Seeded and reproducible.";
        i.inputs = {{"image", DataKind::Volume, true, "Tomogram to match (dataset mode)"}};
        i.outputs = {
            {"image", DataKind::Volume, false, "Simulated tomogram or image stack (float32)"},
            {"labels", DataKind::LabelVolume, false, "Ground truth: 0 background, 1 protein, 2 membrane"},
            {"statistics", DataKind::Table, false,
             "Measured power spectrum (rows) and mean / stddev (notes) of the matched image, or of the phantom"}};
        auto& p = i.parameters;
        p.push_back(
            ParameterSpec::choice("mode", "phantom", {"phantom", "dataset"}, "3D phantom or 2D training stack"));
        p.push_back(
            ParameterSpec::integer("seed", 1, 0, 2147483647, "", "Random seed: the same seed gives the same data"));
        p.push_back(ParameterSpec::real("voxel_size", 0, 0, 1000, "Å",
                                        "Voxel size written to the outputs (0: the matched image's, else 10 Å)"));
        p.push_back(ParameterSpec::integer("size_x", 160, 8, 2048, "voxels", "Phantom width"));
        p.push_back(ParameterSpec::integer("size_y", 160, 8, 2048, "voxels", "Phantom height"));
        p.push_back(ParameterSpec::integer("size_z", 48, 1, 1024, "voxels", "Phantom depth (slices)"));
        p.push_back(ParameterSpec::integer("vesicles", 7, 0, 1000, "", "Phantom vesicles"));
        p.push_back(ParameterSpec::real("snr", 2.0, 0.01, 100, "",
                                        "Phantom membrane contrast / noise standard deviation, before the missing "
                                        "wedge and blur (2 is the default noise: membranes faint but visible)"));
        p.push_back(ParameterSpec::real("tilt_range", 60, 1, 90, "degrees",
                                        "Phantom: tilts from -range to +range (tilt axis y)"));
        p.push_back(ParameterSpec::integer("count", 100, 1, 100000, "images", "Dataset: number of 2D images"));
        addSimulatorParameters(p, 256);
        return i;
    }

    PortData run(const PortData& inputs, const ParameterValues& v, JobContext& context) const override {
        const Volume* match = optionalVolume(inputs, "image");
        const std::string mode = v.getString("mode");
        const auto seed = std::uint64_t(v.getInt("seed"));
        double voxel = v.getFloat("voxel_size");
        if (voxel <= 0) voxel = match ? match->voxelSize()[0] : 10.0;
        PortData out;
        if (mode == "phantom") {
            if (match) throw InputError("input 'image' is only used in mode 'dataset'; mode is 'phantom'");
            ml::PhantomSettings ps;
            ps.nx = v.getInt("size_x");
            ps.ny = v.getInt("size_y");
            ps.nz = v.getInt("size_z");
            ps.vesicles = int(v.getInt("vesicles"));
            ps.snr = v.getFloat("snr");
            ps.missingWedge = v.getBool("missing_wedge");
            ps.tiltRangeDegrees = v.getFloat("tilt_range");
            ps.blurSigma = v.getFloat("blur");
            ps.thicknessMin = v.getFloat("thickness_min");
            ps.thicknessMax = std::max(ps.thicknessMin, v.getFloat("thickness_max"));
            ps.darkDensity = v.getString("density") == "dark";
            context.setProgress(0.05, "simulating phantom");
            context.throwIfCancelled();
            Simulated s = simulatePhantomVolume(ps, seed, voxel);
            context.throwIfCancelled();
            out["statistics"] = statisticsTable(measureVolume(*s.image));
            out["image"] = s.image;
            out["labels"] = s.labels;
        } else {
            ml::ImageSimulatorSettings s = simulatorSettings(v);
            std::shared_ptr<Table> stats;
            if (match) {
                matchSimulation(s, *match, v.getString("tilt_axis"), context);
                stats = statisticsTable(s.match);
            }
            Simulated d = simulateDataset(s, seed, int(v.getInt("count")), voxel, context.control(0.05, 1.0));
            if (!stats) stats = statisticsTable(measureVolume(*d.image));
            out["image"] = d.image;
            out["labels"] = d.labels;
            out["statistics"] = stats;
        }
        context.setProgress(1.0, "done");
        return out;
    }
};

// ---------------------------------------------------------------------------------

class TrainStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "unet.train";
        i.name = "Train U-Net";
        i.group = "Segmentation";
        i.description =
            "Trains the membrane U-Net (Adam; cross-entropy plus soft Dice with class weights) on simulated images, "
            "streamed with fresh augmentation every epoch, or on a given labelled stack. Given an 'image', the "
            "simulation is matched to it (mean, standard deviation, power spectrum). Starts from the 'model' input, "
            "model_path, the shipped model (start_from = shipped) or from scratch. Reports per epoch the loss, "
            "per-class "
            "Dice and pixel accuracy on held-out test and validation sets ('curves'); checkpoints after each epoch and "
            "resumes from one.";
        i.lane = StageLane::Device;
        i.inputs = {
            {"model", DataKind::Model, true, "Model to fine-tune"},
            {"image", DataKind::Volume, true, "Tomogram whose statistics the simulated images match"},
            {"dataset_images", DataKind::Volume, true, "Labelled training stack: one square 2D image per slice"},
            {"dataset_labels", DataKind::LabelVolume, true,
             "Labels of dataset_images (0 background, 1 protein, 2 membrane)"}};
        i.outputs = {{"model", DataKind::Model, false, "The trained model (CellForge U-Net model file)"},
                     {"curves", DataKind::Table, false, "Loss, Dice and pixel accuracy per epoch"}};
        auto& p = i.parameters;
        p.push_back(ParameterSpec::choice("start_from", "scratch", {"scratch", "shipped"},
                                          "Without a model input or model_path: a new network or the shipped model"));
        p.push_back(ParameterSpec::path("model_path", "", "Model file to fine-tune (empty: see start_from)"));
        p.push_back(ParameterSpec::integer("epochs", 6, 1, 10000, "epochs", "Passes over the training images"));
        p.push_back(ParameterSpec::integer("train_images", 2000, 1, 1000000, "images", "Simulated training scenes"));
        p.push_back(ParameterSpec::integer("test_images", 200, 0, 100000, "images",
                                           "Held-out test images scored every epoch (a stack: at most 10% of it)"));
        p.push_back(ParameterSpec::integer("validation_images", 10, 0, 100000, "images",
                                           "Validation images scored every epoch (a stack: at most 5% of it)"));
        p.push_back(ParameterSpec::integer("batch_size", 8, 1, 1024, "images", "Images per optimisation step"));
        p.push_back(
            ParameterSpec::real("learning_rate", 0.002, 1e-7, 1, "", "Adam learning rate (cosine decay to 5%)"));
        p.push_back(
            ParameterSpec::text("class_weights", "1,2,2", "Weights of background, protein, membrane in the loss"));
        p.push_back(ParameterSpec::real("dice_weight", 1.0, 0, 100, "", "Weight of the soft Dice term"));
        p.push_back(
            ParameterSpec::integer("seed", 1, 0, 2147483647, "", "Seed of the simulated scenes and the batch order"));
        p.push_back(ParameterSpec::path("checkpoint_path", "", "Checkpoint written after each epoch (empty: none)"));
        p.push_back(ParameterSpec::boolean("resume", false, "Continue from checkpoint_path if it exists"));
        p.push_back(ParameterSpec::integer("depth", 4, 1, 7, "levels", "New network: resolution levels"));
        p.push_back(
            ParameterSpec::integer("base_channels", 8, 1, 256, "channels", "New network: channels at full resolution"));
        p.push_back(ParameterSpec::integer("context_slices", 1, 1, 15, "slices",
                                           "New network: 1 for 2D, k (odd) for 2.5D input of k neighbouring slices"));
        p.push_back(ParameterSpec::choice("normalization", "batch", {"batch", "instance", "group", "none"},
                                          "New network: normalisation layers"));
        p.push_back(ParameterSpec::real("dropout", 0.0, 0, 0.9, "", "New network: Dropout2d at the bottleneck"));
        p.push_back(ParameterSpec::real("voxel_size", 0, 0, 1000, "Å",
                                        "Voxel size recorded in the model (0: the matched image's, else 10 Å)"));
        addSimulatorParameters(p, 96);
        return i;
    }

    PortData run(const PortData& inputs, const ParameterValues& v, JobContext& context) const override {
        const Model* model = optionalModel(inputs);
        const Volume* match = optionalVolume(inputs, "image");
        const Volume* stackImages = optionalVolume(inputs, "dataset_images");
        std::shared_ptr<const LabelVolume> stackLabels;
        if (auto it = inputs.find("dataset_labels"); it != inputs.end() && it->second)
            stackLabels = dataAs<LabelVolume>(it->second, "input 'dataset_labels'");
        if ((stackImages != nullptr) != (stackLabels != nullptr))
            throw InputError("inputs 'dataset_images' and 'dataset_labels' go together; only one was given");
        if (stackImages && match)
            throw InputError(
                "give either a labelled stack (dataset_images, dataset_labels) or an 'image' to match, not both");

        ml::SegmentationNetwork network;
        const std::string modelPath = v.getString("model_path");
        std::string source;
        if (model || !modelPath.empty() || v.getString("start_from") == "shipped") {
            network = loadNetwork(model, modelPath, &source);
            context.log("fine-tuning " + source + ": " + network.metadata().architecture.describe());
        } else {
            ml::ModelMetadata meta;
            meta.architecture.depth = int(v.getInt("depth"));
            meta.architecture.baseChannels = int(v.getInt("base_channels"));
            meta.architecture.contextSlices = int(v.getInt("context_slices"));
            meta.architecture.normalization = v.getString("normalization");
            meta.architecture.dropout = v.getFloat("dropout");
            network = ml::SegmentationNetwork::create(meta, std::uint64_t(v.getInt("seed")));
            source = "a new network";
            context.log("training a new " + meta.architecture.describe());
        }
        double voxel = v.getFloat("voxel_size");
        if (voxel <= 0) voxel = match ? match->voxelSize()[0] : stackImages ? stackImages->voxelSize()[0] : 10.0;
        network.metadata().voxelSize = voxel;

        ml::TrainingOptions o;
        o.epochs = int(v.getInt("epochs"));
        o.batchSize = int(v.getInt("batch_size"));
        o.learningRate = v.getFloat("learning_rate");
        o.classWeights = parseWeights(v.getString("class_weights"), "class_weights");
        o.diceWeight = v.getFloat("dice_weight");
        o.seed = std::uint64_t(v.getInt("seed"));
        o.checkpointPath = v.getString("checkpoint_path");
        o.resume = v.getBool("resume");
        o.threads = context.threadBudget();
        o.device = context.device().name;

        std::unique_ptr<ml::TrainingSamples> samples;
        double begin = 0.0;
        if (stackImages) {
            const int count = int(stackImages->nz());
            const int test = int(std::min<std::int64_t>(v.getInt("test_images"), count / 10));
            const int validation = int(std::min<std::int64_t>(v.getInt("validation_images"), count / 20));
            samples = stackSamples(*stackImages, *stackLabels, test, validation,
                                   network.metadata().architecture.classes, o.seed);
            if (network.metadata().architecture.contextSlices != 1)
                throw InputError("a labelled stack trains 2D networks; the network takes " +
                                 std::to_string(network.metadata().architecture.contextSlices) + " slices");
            context.log("training on a stack of " + std::to_string(count) + " images (" + std::to_string(test) +
                        " test, " + std::to_string(validation) + " validation)");
        } else {
            ml::ImageSimulatorSettings s = simulatorSettings(v);
            s.contextSlices = network.metadata().architecture.contextSlices;
            if (match) {
                matchSimulation(s, *match, v.getString("tilt_axis"), context);
                begin = 0.02;
            }
            samples = std::make_unique<ml::SimulatedSamples>(s, o.seed, int(v.getInt("train_images")),
                                                             int(v.getInt("test_images")),
                                                             int(v.getInt("validation_images")));
            network.metadata().notes["simulator"] = "image_size=" + std::to_string(s.size) +
                                                    " snr=" + number(s.snrMin) + ".." + number(s.snrMax) +
                                                    (s.missingWedge ? " missing_wedge=" + number(s.tiltRangeMin) +
                                                                          ".." + number(s.tiltRangeMax)
                                                                    : std::string()) +
                                                    (match ? " matched" : "");
        }
        const ml::TrainingReport report =
            ml::trainSegmentationNetwork(network, *samples, o, context.control(begin, 1.0));
        auto& notes = network.metadata().notes;
        notes.erase("history");
        notes["trainer"] = "unet.train";
        notes["started_from"] = source;
        notes["training_images"] = std::to_string(samples->trainCount());
        notes["seed"] = std::to_string(o.seed);
        PortData out;
        out["model"] = toModel(network);
        out["curves"] = curvesTable(report, network.metadata().classNames);
        context.setProgress(1.0, "trained");
        return out;
    }
};

// ---------------------------------------------------------------------------------

class InferStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "unet.infer";
        i.name = "Segment membranes (U-Net)";
        i.group = "Segmentation";
        i.description =
            "Segments a tomogram of any size slice by slice with the membrane U-Net: overlapping tiles in batches, "
            "blended smoothly, optional flip test-time augmentation; memory stays bounded whatever the depth. Runs on "
            "the device lane (CUDA when available). Without a model input or model_path it uses the shipped model. "
            "Outputs the probability of one class (membrane by default) and the most probable class per voxel.";
        i.lane = StageLane::Device;
        i.inputs = {{"image", DataKind::Volume, false, "Tomogram (any size and scalar type)"},
                    {"model", DataKind::Model, true, "Trained model (default: model_path, then the shipped model)"}};
        i.outputs = {
            {"probabilities", DataKind::Volume, false,
             "float32 probability of probability_class (membrane by default), 0 to 1"},
            {"labels", DataKind::LabelVolume, false, "Most probable class: 0 background, 1 protein, 2 membrane"}};
        auto& p = i.parameters;
        p.push_back(
            ParameterSpec::integer("tile_size", 256, 8, 4096, "voxels",
                                   "Tile width and height; a multiple of 2^(depth-1) (8 for the shipped model)"));
        p.push_back(
            ParameterSpec::integer("overlap", 32, 0, 2048, "voxels", "Overlap of neighbouring tiles (blended)"));
        p.push_back(ParameterSpec::integer("batch_size", 4, 1, 1024, "tiles", "Tiles per network call"));
        p.push_back(ParameterSpec::boolean("flip_tta", false, "Average over the four flips (4x slower, smoother)"));
        p.push_back(
            ParameterSpec::path("model_path", "", "Model file (empty: the model input, else the shipped model)"));
        p.push_back(ParameterSpec::choice("probability_class", "membrane", {"membrane", "protein", "background"},
                                          "Class whose probability is output"));
        return i;
    }

    PortData run(const PortData& inputs, const ParameterValues& v, JobContext& context) const override {
        const Volume* image = optionalVolume(inputs, "image");
        if (!image) throw InputError("input 'image' is missing");
        std::string source;
        const ml::SegmentationNetwork network = loadNetwork(optionalModel(inputs), v.getString("model_path"), &source);
        const auto& meta = network.metadata();
        context.log("model: " + source + " (" + meta.architecture.describe() + ", trained at " +
                    number(meta.voxelSize) + " Å)");
        const double voxel = image->voxelSize()[0];
        if (voxel > 0 && (voxel > 1.5 * meta.voxelSize || voxel < meta.voxelSize / 1.5))
            context.log("warning: the tomogram's voxel size " + number(voxel) + " Å differs from the model's " +
                        number(meta.voxelSize) +
                        " Å; membranes may look thicker or thinner than in training (bin or "
                        "fine-tune with resources/pipelines/adapt-membranes.json)");
        ml::InferenceOptions o;
        o.tileSize = int(v.getInt("tile_size"));
        o.overlap = int(v.getInt("overlap"));
        o.batchSize = int(v.getInt("batch_size"));
        o.flipTta = v.getBool("flip_tta");
        o.threads = context.threadBudget();
        o.device = context.device().name;
        const int cls = classIndex(meta, v.getString("probability_class"));
        Segmentation s = segmentVolume(*image, network, o, cls, context.control());
        PortData out;
        out["probabilities"] = s.probabilities;
        out["labels"] = s.labels;
        context.setProgress(1.0, "segmented");
        return out;
    }
};

}  // namespace

std::vector<StagePtr> makeStages() {
    return {std::make_shared<SimulateStage>(), std::make_shared<TrainStage>(), std::make_shared<InferStage>()};
}

}  // namespace cellforge::unet
