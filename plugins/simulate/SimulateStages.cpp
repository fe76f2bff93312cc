#include "plugins/simulate/SimulateStages.h"

#include "core/base/Errors.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/StageBuilder.h"
#include "core/simulation/TrainingImageParameters.h"
#include "plugins/simulate/logic/SimulationVolumes.h"

#include <sstream>

namespace cellforge::simulate {

namespace {

using simulation::TrainingImageOptions;

std::string number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

struct PhantomStageSettings : simulation::PhantomSettings {
    std::int64_t seed = 1;
    double voxelSize = 0;  // Å; 0: 10 Å
};

struct TrainingImagesSettings : TrainingImageOptions {
    std::int64_t seed = 1;
    double voxelSize = 0;  // Å; 0: the matched image's, else 10 Å
    std::int64_t count = 100;
};

// The former unet.simulate: one stage, a mode for a phantom or a training-image stack.
struct ModeSettings : TrainingImageOptions {
    std::string mode = "phantom";
    std::int64_t seed = 1;
    double voxelSize = 0;
    std::int64_t sizeX = 160, sizeY = 160, sizeZ = 48;
    int vesicles = 7;
    double snr = 2.0, tiltRange = 60;
    std::int64_t count = 100;
};

const char* kOutputsHelp[] = {"Simulated tomogram or image stack (float32)",
                              "Ground truth: 0 background, 1 protein, 2 membrane",
                              "Measured power spectrum (rows) and mean / stddev (notes) of the matched image, or of "
                              "the phantom"};

template <typename S>
StageBuilder<S>& seedAndVoxel(StageBuilder<S>& b, const char* voxelHelp) {
    return b.param("seed", &S::seed, {0, 2147483647}, "", "Random seed: the same seed gives the same data")
        .param("voxel_size", &S::voxelSize, {0, 1000}, "Å", voxelHelp);
}

template <typename S>
StageBuilder<S>& outputs(StageBuilder<S>& b) {
    return b.output("image", DataKind::Volume, kOutputsHelp[0])
        .output("labels", DataKind::LabelVolume, kOutputsHelp[1])
        .output("statistics", DataKind::Table, kOutputsHelp[2]);
}

PortData phantom(const simulation::PhantomSettings& ps, std::int64_t seed, double voxel, JobContext& context) {
    context.setProgress(0.05, "simulating phantom");
    context.throwIfCancelled();
    Simulated s = simulatePhantomVolume(ps, std::uint64_t(seed), voxel > 0 ? voxel : 10.0);
    context.throwIfCancelled();
    PortData out{{"statistics", statisticsTable(measureVolume(*s.image))}, {"image", s.image}, {"labels", s.labels}};
    context.setProgress(1.0, "done");
    return out;
}

PortData trainingImages(const TrainingImageOptions& o, const Volume* match, std::int64_t seed, std::int64_t count,
                        double voxel, JobContext& context) {
    if (voxel <= 0) voxel = match ? match->voxelSize()[0] : 10.0;
    simulation::ImageSimulatorSettings s = simulation::toSimulatorSettings(o);
    std::shared_ptr<Table> stats;
    if (match) {
        // Matched to the tomogram: its mean, standard deviation and power spectrum, and with
        // tilt_axis 'auto' the tilt axis its slices show (none seen: no missing wedge).
        context.setProgress(0.0, "measuring the tomogram");
        s.match = measureVolume(*match);
        s.matchTomogram = true;
        std::string wedge;
        if (o.tiltAxis == "auto" && s.missingWedge) {
            const char axis = simulation::followTiltAxis(s, s.match);
            wedge = axis ? std::string(", missing wedge with tilt axis ") + axis : ", no missing wedge seen";
            wedge += " (axis power ratio " + number(s.match.axisPowerRatio) + ")";
        }
        context.log("simulating images matched to the tomogram: mean " + number(s.match.mean) +
                    ", standard deviation " + number(s.match.stddev) + ", power spectrum of " +
                    std::to_string(s.match.slicesMeasured) + " slices" + wedge);
        stats = statisticsTable(s.match);
    }
    Simulated d = simulateDataset(s, std::uint64_t(seed), int(count), voxel, context.control(0.05, 1.0));
    if (!stats) stats = statisticsTable(measureVolume(*d.image));
    context.setProgress(1.0, "done");
    return {{"image", d.image}, {"labels", d.labels}, {"statistics", stats}};
}

StagePtr phantomStage() {
    using S = PhantomStageSettings;
    using P = simulation::PhantomSettings;
    StageBuilder<S> b("simulate.phantom", "Simulate a phantom tomogram");
    b.group("Simulation")
        .description(
            "A 3D cryo-ET phantom of vesicles (single and double membranes, attached and free proteins) "
            "with a missing wedge (tilt axis y), blur and noise, and its true labels (0 background, "
            "1 protein, 2 membrane), for testing a whole pipeline. Seeded and reproducible.");
    outputs(b);
    seedAndVoxel(b, "Voxel size written to the outputs (0: 10 Å)")
        .param("size_x", &P::nx, {8, 2048}, "voxels", "Phantom width")
        .param("size_y", &P::ny, {8, 2048}, "voxels", "Phantom height")
        .param("size_z", &P::nz, {1, 1024}, "voxels", "Phantom depth (slices)")
        .param("vesicles", &P::vesicles, {0, 1000}, "", "Vesicles")
        .param("snr", &P::snr, {0.01, 100}, "",
               "Membrane contrast / noise standard deviation, before the missing wedge and blur (2 is the default "
               "noise: membranes faint but visible)")
        .param("tilt_range", &P::tiltRangeDegrees, {1, 90}, "degrees", "Tilts from -range to +range (tilt axis y)")
        .param("blur", &P::blurSigma, {0, 10}, "voxels", "Gaussian blur of signal and noise")
        .param("thickness_min", &P::thicknessMin, {1, 40}, "voxels", "Thinnest membrane")
        .param("thickness_max", &P::thicknessMax, {1, 40}, "voxels", "Thickest membrane (at least thickness_min)")
        .choice("density", &P::darkDensity, {{"dark", true}, {"bright", false}},
                "Whether membranes and proteins are darker (raw cryo-ET) or brighter than solvent")
        .flag("missing_wedge", &P::missingWedge, "Filter with the missing wedge of a single-axis tilt series");
    return b.run([](const StageInputs&, const S& s, JobContext& context) {
        S ps = s;
        ps.thicknessMax = std::max(ps.thicknessMin, ps.thicknessMax);
        return phantom(ps, s.seed, s.voxelSize, context);
    });
}

StagePtr trainingImagesStage() {
    using S = TrainingImagesSettings;
    StageBuilder<S> b("simulate.training_images", "Simulate training images");
    b.group("Simulation")
        .description(
            "A stack of 2D training images (one per slice) of membranes as ellipses and arcs with gaps, "
            "protein blobs beside them, augmented, with their labels (0 background, 1 protein, "
            "2 membrane); by default XY slices of 3D slabs with a missing wedge. Given an 'image', its mean, "
            "standard deviation, power spectrum and tilt axis are matched. Seeded and reproducible.")
        .optionalInput("image", DataKind::Volume, "Tomogram to match");
    outputs(b);
    seedAndVoxel(b, "Voxel size written to the outputs (0: the matched image's, else 10 Å)")
        .param("count", &S::count, {1, 100000}, "images", "Number of 2D images");
    simulation::trainingImageParameters(b, "; a phantom gets one too");
    return b.run([](const StageInputs& in, const S& s, JobContext& context) {
        const auto match = in.optional<Volume>("image");
        return trainingImages(s, match.get(), s.seed, s.count, s.voxelSize, context);
    });
}

StagePtr measureTomogramStage() {
    struct None {};
    return StageBuilder<None>("simulate.measure_tomogram", "Measure tomogram statistics")
        .group("Simulation")
        .description(
            "What simulated images are matched to: the tomogram's mean and standard deviation, the radially "
            "averaged power spectrum of windowed XY patches and the tilt axis its missing wedge shows, over "
            "up to 24 evenly spaced slices.")
        .input("image", DataKind::Volume, "Tomogram (any scalar type)")
        .output("statistics", DataKind::Table, "Power spectrum (rows), mean, stddev and tilt axis seen (notes)")
        .run([](const StageInputs& in, const None&, JobContext& context) -> PortData {
            context.setProgress(0.0, "measuring the tomogram");
            PortData out{{"statistics", statisticsTable(measureVolume(*in.get<Volume>("image")))}};
            context.setProgress(1.0, "measured");
            return out;
        });
}

// Parameters, ports and results exactly as unet.simulate had them, so old pipeline files
// run unchanged (the id is an alias of this stage).
StagePtr modeStage() {
    using S = ModeSettings;
    StageBuilder<S> b("simulate.phantom_or_training_images", "Simulate membranes (training data, phantom)");
    b.alias("unet.simulate")
        .group("Simulation")
        .description(
            "The former unet.simulate, kept for old pipelines: mode 'phantom' is simulate.phantom, mode "
            "'dataset' is simulate.training_images (same parameters, same results).")
        .optionalInput("image", DataKind::Volume, "Tomogram to match (dataset mode)");
    outputs(b);
    b.textChoice("mode", &S::mode, {"phantom", "dataset"}, "3D phantom or 2D training stack");
    seedAndVoxel(b, "Voxel size written to the outputs (0: the matched image's, else 10 Å)")
        .param("size_x", &S::sizeX, {8, 2048}, "voxels", "Phantom width")
        .param("size_y", &S::sizeY, {8, 2048}, "voxels", "Phantom height")
        .param("size_z", &S::sizeZ, {1, 1024}, "voxels", "Phantom depth (slices)")
        .param("vesicles", &S::vesicles, {0, 1000}, "", "Phantom vesicles")
        .param("snr", &S::snr, {0.01, 100}, "",
               "Phantom membrane contrast / noise standard deviation, before the missing wedge and blur (2 is the "
               "default noise: membranes faint but visible)")
        .param("tilt_range", &S::tiltRange, {1, 90}, "degrees", "Phantom: tilts from -range to +range (tilt axis y)")
        .param("count", &S::count, {1, 100000}, "images", "Dataset: number of 2D images");
    simulation::trainingImageParameters(b, "; a phantom gets one too");
    return b.run([](const StageInputs& in, const S& s, JobContext& context) {
        const auto match = in.optional<Volume>("image");
        if (s.mode == "dataset") return trainingImages(s, match.get(), s.seed, s.count, s.voxelSize, context);
        if (match) throw InputError("input 'image' is only used in mode 'dataset'; mode is 'phantom'");
        simulation::PhantomSettings ps;
        ps.nx = s.sizeX;
        ps.ny = s.sizeY;
        ps.nz = s.sizeZ;
        ps.vesicles = s.vesicles;
        ps.snr = s.snr;
        ps.missingWedge = s.missingWedge;
        ps.tiltRangeDegrees = s.tiltRange;
        ps.blurSigma = s.blur;
        ps.thicknessMin = s.thicknessMin;
        ps.thicknessMax = std::max(ps.thicknessMin, s.thicknessMax);
        ps.darkDensity = s.darkDensity;
        return phantom(ps, s.seed, s.voxelSize, context);
    });
}

}  // namespace

std::vector<StagePtr> makeStages() {
    return {phantomStage(), trainingImagesStage(), measureTomogramStage(), modeStage()};
}

}  // namespace cellforge::simulate
