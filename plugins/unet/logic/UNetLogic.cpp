#include "plugins/unet/logic/UNetLogic.h"

#include "core/base/Errors.h"
#include "core/base/Resources.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace cellforge::unet {

std::string shippedModelPath() {
    const std::string found = findResource(kShippedModel);
    if (!found.empty()) return found;
    std::string searched;
    for (const auto& p : resourceSearchPaths()) searched += "\n  " + p;
    throw InputError(std::string("the shipped U-Net model '") + kShippedModel +
                     "' was not found; set CELLFORGE_RESOURCES or give model_path. Searched:" + searched);
}

SegmentationNetwork loadNetwork(const Model* model, const std::string& modelPath, std::string* source) {
    if (model) {
        if (!model->format.empty() && model->format != kModelFormat && model->format != "cfunet" &&
            !ml::looksLikeModelFile(model->bytes.data(), model->bytes.size()))
            throw InputError("input 'model' has format '" + model->format + "'; expected a CellForge U-Net model ('" +
                             kModelFormat + "')");
        if (source) *source = "the 'model' input";
        return SegmentationNetwork::fromBytes(model->bytes, "input 'model'");
    }
    const std::string path = modelPath.empty() ? shippedModelPath() : modelPath;
    if (source) *source = (modelPath.empty() ? "the shipped model " : "") + path;
    return SegmentationNetwork::fromFile(path);
}

std::shared_ptr<Model> toModel(const SegmentationNetwork& network) {
    auto model = std::make_shared<Model>();
    model->format = kModelFormat;
    model->bytes = network.toBytes();
    return model;
}

SliceVolume sliceView(const Volume& volume) {
    SliceVolume v;
    v.nx = volume.nx();
    v.ny = volume.ny();
    v.nz = volume.nz();
    const Volume* source = &volume;
    v.readSlice = [source](std::int64_t z, float* out) {
        const std::int64_t area = source->nx() * source->ny();
        dispatchScalar(source->scalarType(), [&](auto tag) {
            using T = decltype(tag);
            const T* p = source->data<T>() + z * area;
            for (std::int64_t i = 0; i < area; ++i) out[i] = static_cast<float>(p[i]);
        });
    };
    return v;
}

LabelTable labelTableFor(const ModelMetadata& metadata) {
    const std::vector<std::string> standard{"background", "protein", "membrane"};
    if (metadata.classNames == standard) return LabelTable::semanticDefault();
    LabelTable table;
    for (std::size_t i = 0; i < metadata.classNames.size(); ++i)
        table.set({LabelId(i), metadata.classNames[i], LabelTable::defaultColor(LabelId(i))});
    return table;
}

Segmentation segmentVolume(const Volume& image, const SegmentationNetwork& network, const InferenceOptions& options,
                           int probabilityClass, const RunControl& control, const SliceRescale& rescale) {
    if (image.empty()) throw InputError("input 'image' is empty");
    const int classes = network.metadata().architecture.classes;
    if (probabilityClass < 0 || probabilityClass >= classes)
        throw InputError("probability class " + std::to_string(probabilityClass) + " is not one of the model's " +
                         std::to_string(classes) + " classes");
    Segmentation out;
    out.probabilities = std::make_shared<Volume>(image.dims(), ScalarType::Float32);
    out.labels = std::make_shared<LabelVolume>(image.dims());
    for (Volume* v : {static_cast<Volume*>(out.probabilities.get()), static_cast<Volume*>(out.labels.get())}) {
        v->setVoxelSize(image.voxelSize());
        v->setOrigin(image.origin());
    }
    out.labels->table() = labelTableFor(network.metadata());
    float* probs = out.probabilities->data<float>();
    LabelId* labels = out.labels->labels();
    const std::int64_t nx = image.nx(), ny = image.ny(), area = nx * ny;
    auto store = [&](std::int64_t z, const float* p) {
        float* dst = probs + z * area;
        LabelId* lab = labels + z * area;
        const float* chosen = p + probabilityClass * area;
        for (std::int64_t i = 0; i < area; ++i) {
            dst[i] = chosen[i];
            int best = 0;
            for (int c = 1; c < classes; ++c)
                if (p[c * area + i] > p[best * area + i]) best = c;
            lab[i] = LabelId(best);
        }
    };
    SliceVolume view = sliceView(image);
    if (!rescale.active()) {
        runTiledSliceInference(network, view, options, store, control);
        return out;
    }
    // The network sees slices at the model's voxel size; each class's probabilities come
    // back to the tomogram's grid before the argmax.
    const std::int64_t rx = resampledLength(nx, rescale.factor[0], 1.0),
                       ry = resampledLength(ny, rescale.factor[1], 1.0);
    SliceVolume resampled{rx, ry, image.nz(), {}};
    resampled.readSlice = [read = view.readSlice, nx, ny, rx, ry](std::int64_t z, float* dst) {
        std::vector<float> slice(static_cast<std::size_t>(nx * ny));
        read(z, slice.data());
        resampleSlice(slice.data(), nx, ny, dst, rx, ry);
    };
    std::vector<float> back(static_cast<std::size_t>(classes * area));
    runTiledSliceInference(
        network, resampled, options,
        [&](std::int64_t z, const float* p) {
            for (int c = 0; c < classes; ++c) resampleSlice(p + c * rx * ry, rx, ry, back.data() + c * area, nx, ny);
            store(z, back.data());
        },
        control);
    return out;
}

simulation::TomogramStatistics measureVolume(const Volume& volume) {
    if (volume.empty()) throw InputError("input 'image' is empty");
    const SliceVolume v = sliceView(volume);
    return simulation::measureTomogram(v.nx, v.ny, v.nz, v.readSlice);
}

void matchSimulation(simulation::ImageSimulatorSettings& s, const Volume& tomogram, const std::string& axisChoice,
                     JobContext& context) {
    auto number = [](double v) {
        std::ostringstream o;
        o << v;
        return o.str();
    };
    context.setProgress(0.0, "measuring the tomogram");
    s.match = measureVolume(tomogram);
    s.matchTomogram = true;
    std::string wedge;
    if (axisChoice == "auto" && s.missingWedge) {
        const char axis = simulation::followTiltAxis(s, s.match);
        wedge = axis ? std::string(", missing wedge with tilt axis ") + axis : std::string(", no missing wedge seen");
        wedge += " (axis power ratio " + number(s.match.axisPowerRatio) + ")";
    }
    context.log("simulating images matched to the tomogram: mean " + number(s.match.mean) + ", standard deviation " +
                number(s.match.stddev) + ", power spectrum of " + std::to_string(s.match.slicesMeasured) + " slices" +
                wedge);
}

std::unique_ptr<StackSamples> stackSamples(const Volume& images, const LabelVolume& labels, int testCount,
                                           int validationCount, int classes, std::uint64_t seed) {
    if (images.dims() != labels.dims())
        throw InputError("dataset_images is " + std::to_string(images.nx()) + "x" + std::to_string(images.ny()) + "x" +
                         std::to_string(images.nz()) + " but dataset_labels is " + std::to_string(labels.nx()) + "x" +
                         std::to_string(labels.ny()) + "x" + std::to_string(labels.nz()) + "; expected the same size");
    if (images.nx() != images.ny())
        throw InputError("dataset_images slices are " + std::to_string(images.nx()) + "x" +
                         std::to_string(images.ny()) + "; expected square images");
    const std::int64_t area = images.nx() * images.ny();
    std::vector<float> img(std::size_t(area * images.nz()));
    const auto view = sliceView(images);
    for (std::int64_t z = 0; z < images.nz(); ++z) view.readSlice(z, img.data() + z * area);
    std::vector<std::uint8_t> lab(std::size_t(area * images.nz()));
    const LabelId* src = labels.labels();
    for (std::size_t i = 0; i < lab.size(); ++i) {
        if (src[i] >= classes)
            throw InputError("dataset_labels holds label " + std::to_string(src[i]) +
                             "; the network has classes 0 to " + std::to_string(classes - 1));
        lab[i] = std::uint8_t(src[i]);
    }
    return std::make_unique<StackSamples>(std::move(img), std::move(lab), int(images.nz()), 1, int(images.nx()),
                                          testCount, validationCount, seed);
}

std::shared_ptr<Table> curvesTable(const TrainingReport& report, const std::vector<std::string>& classNames) {
    std::vector<std::string> columns{"epoch", "train_loss", "test_loss"};
    for (const auto& c : classNames) columns.push_back("test_dice_" + c);
    columns.push_back("test_pixel_accuracy");
    columns.push_back("validation_loss");
    for (const auto& c : classNames) columns.push_back("validation_dice_" + c);
    columns.insert(columns.end(), {"validation_pixel_accuracy", "learning_rate", "seconds"});
    auto table = std::make_shared<Table>(columns);
    for (const auto& r : report.epochs) {
        std::vector<TableValue> row{double(r.epoch), r.trainLoss, r.test.loss};
        for (std::size_t c = 0; c < classNames.size(); ++c)
            row.push_back(c < r.test.dice.size() ? r.test.dice[c] : 0.0);
        row.push_back(r.test.pixelAccuracy);
        row.push_back(r.validation.loss);
        for (std::size_t c = 0; c < classNames.size(); ++c)
            row.push_back(c < r.validation.dice.size() ? r.validation.dice[c] : 0.0);
        row.insert(row.end(), {r.validation.pixelAccuracy, r.learningRate, r.seconds});
        table->addRow(std::move(row));
    }
    table->notes = {
        {"plot", "x=epoch; y=train_loss,test_loss; y2=test_dice_membrane,test_dice_protein,test_pixel_accuracy"},
        {"loss", "weighted cross-entropy + dice_weight * (1 - weighted soft Dice)"},
        {"dice", "2TP / (2TP + FP + FN) over the whole set, per class"},
        {"resumed_from_epoch", std::to_string(report.resumedFromEpoch)}};
    return table;
}

std::vector<double> parseWeights(const std::string& text, const std::string& field) {
    std::vector<double> weights;
    std::istringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        try {
            std::size_t used = 0;
            const double w = std::stod(item, &used);
            if (item.find_first_not_of(" \t", used) != std::string::npos || !(w > 0) || !std::isfinite(w))
                throw std::invalid_argument(item);
            weights.push_back(w);
        } catch (const std::exception&) {
            throw InputError(field + " is '" + text +
                             "'; expected positive numbers separated by commas, one per class (e.g. 1,2,2)");
        }
    }
    if (weights.empty()) throw InputError(field + " is empty; expected one positive weight per class (e.g. 1,2,2)");
    return weights;
}

}  // namespace cellforge::unet
