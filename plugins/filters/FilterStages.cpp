#include "plugins/filters/FilterStages.h"

#include <memory>

#include "core/data/Volume.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/StageBuilder.h"
#include "plugins/filters/logic/AdaptiveHistogramEqualization.h"
#include "plugins/filters/logic/BandPassFilter.h"
#include "plugins/filters/logic/EdgePreservingSmoothing.h"
#include "plugins/filters/logic/GaussianFilter.h"
#include "plugins/filters/logic/GradientMagnitude.h"
#include "plugins/filters/logic/IntensityNormalization.h"
#include "plugins/filters/logic/MedianFilter.h"
#include "plugins/filters/logic/Resampling.h"

namespace cellforge::filters {

namespace {

// Every filters.* stage: one Volume in ("image"), one float32 Volume out ("image").
template <typename S>
StageBuilder<S> imageFilter(std::string id, std::string name, std::string description,
                            std::string outputHelp = "The filtered volume (float32, same voxel size and origin).") {
    StageBuilder<S> b(std::move(id), std::move(name));
    b.group("Filtering")
        .description(std::move(description))
        .input("image", DataKind::Volume, "The volume to filter (any scalar type).")
        .output("image", DataKind::Volume, std::move(outputHelp));
    return b;
}

// The run function of an image filter: `apply(image, settings, control)` gives the output.
template <typename S, typename Apply>
typename StageBuilder<S>::RunFunction applying(Apply apply) {
    return [apply](const StageInputs& in, const S& s, JobContext& context) -> PortData {
        Volume result = apply(*in.get<Volume>("image"), s, context.control());
        context.setProgress(1.0);
        return {{"image", std::make_shared<Volume>(std::move(result))}};
    };
}

// The choices of a schema as the logic names them (its *FromName function maps them).
template <typename T>
std::vector<std::pair<std::string, T>> named(const std::vector<std::string>& names, T (*fromName)(const std::string&)) {
    std::vector<std::pair<std::string, T>> options;
    for (const auto& n : names) options.emplace_back(n, fromName(n));
    return options;
}

const char* kModeHelp = "3d: a 3D neighbourhood; 2d-slices: each z-slice on its own (2D neighbourhood).";

// The `mode` parameter most filters take; a base of their settings.
struct Mode {
    FilterMode mode = FilterMode::Volume3D;
};

template <typename S>
void modeParameter(StageBuilder<S>& b) {
    b.choice("mode", &Mode::mode, named(filterModeNames(), filterModeFromName), kModeHelp);
}

struct GaussianSettings : Mode {
    double sigma = 1.0;
    double truncate = 4.0;
};
struct MedianSettings : Mode {
    int radius = 1;
};
struct BilateralSettings : BilateralParameters, Mode {};
struct DiffusionSettings : DiffusionParameters, Mode {};
struct EqualizationSettings : EqualizationParameters, Mode {};
struct PercentileSettings : Mode {
    double low = 1.0;
    double high = 99.0;
};
struct InvertSettings {
    InversionMethod method = InversionMethod::Range;
};
struct BinSettings : Mode {
    int factor = 2;
};
struct ResampleSettings : ResampleParameters, Mode {};
struct BandPassSettings : BandPassParameters, Mode {
    BandPassSettings() { lowPassA = 20.0; }
};
struct GradientSettings : Mode {
    GradientOperator op = GradientOperator::Sobel;
    bool perAngstrom = true;
};

StagePtr gaussianStage() {
    using S = GaussianSettings;
    return imageFilter<S>("filters.gaussian", "Gaussian smoothing",
                          "Gaussian smoothing by separable convolution; the kernel (radius int(truncate*sigma+0.5)) "
                          "and the reflected borders are those of scipy.ndimage.gaussian_filter.")
        .param("sigma", &S::sigma, {0.0, 100.0}, "voxels",
               "Standard deviation of the Gaussian (0 leaves the image as it is).")
        .param("truncate", &S::truncate, {0.5, 10.0}, "sigmas", "The kernel is cut at this many standard deviations.")
        .with(modeParameter<S>)
        .run(applying<S>([](const Volume& image, const S& s, const RunControl& control) {
            return gaussianFilter(image, s.sigma, s.mode, control, s.truncate);
        }));
}

StagePtr medianStage() {
    using S = MedianSettings;
    return imageFilter<S>("filters.median", "Median filter",
                          "The median of a (2r+1)³ box (or (2r+1)² square per slice); removes salt-and-pepper "
                          "noise and keeps edges. Borders by reflection.")
        .param("radius", &S::radius, {0, 10}, "voxels", "Half-width of the window: radius 2 is a 5×5×5 window.")
        .with(modeParameter<S>)
        .run(applying<S>([](const Volume& image, const S& s, const RunControl& control) {
            return medianFilter(image, s.radius, s.mode, control);
        }));
}

StagePtr bilateralStage() {
    using S = BilateralSettings;
    return imageFilter<S>("filters.bilateral", "Bilateral filter",
                          "Edge-preserving smoothing: neighbours are weighted by distance (domain sigma) and by "
                          "intensity difference (range sigma). Slow in 3D for large domain sigmas.")
        .param("domain_sigma", &S::domainSigma, {0.1, 20.0}, "voxels", "Spatial standard deviation.")
        .param("range_sigma", &S::rangeSigma, {0.0, std::nullopt}, "intensity",
               "Intensity standard deviation; 0 uses the image's standard deviation.")
        .with(modeParameter<S>)
        .run(applying<S>([](const Volume& image, const S& s, const RunControl& control) {
            return bilateralFilter(image, s, s.mode, control);
        }));
}

// The two ITK diffusions share their parameters.
using DiffusionFunction = Volume (*)(const Volume&, const DiffusionParameters&, FilterMode, const RunControl&);
StagePtr diffusionStage(std::string id, std::string name, std::string description, DiffusionFunction diffuse) {
    using S = DiffusionSettings;
    return imageFilter<S>(std::move(id), std::move(name), std::move(description))
        .param("time_step", &S::timeStep, {0.0001, 0.125}, "voxel units",
               "Time step per iteration; stable up to 0.0625 in 3D and 0.125 per slice.")
        .param("iterations", &S::iterations, {1, 1000}, "iterations", "Number of diffusion steps.")
        .param("conductance", &S::conductance, {0.01, 100.0}, "",
               "Conductance K: lower values stop diffusion at weaker edges.")
        .with(modeParameter<S>)
        .run(applying<S>([diffuse](const Volume& image, const S& s, const RunControl& control) {
            return diffuse(image, s, s.mode, control);
        }));
}

StagePtr claheStage() {
    using S = EqualizationSettings;
    return imageFilter<S>("filters.clahe", "Adaptive histogram equalization (CLAHE)",
                          "Local contrast enhancement (ITK's adaptive histogram equalization): alpha 0 is "
                          "classical equalization, 1 unsharp masking; beta limits the contrast gain.")
        .param("radius", &S::radius, {1, 256}, "voxels", "Half-width of the local window.")
        .param("alpha", &S::alpha, {0.0, 1.0}, "", "Equalization (0) to unsharp mask (1).")
        .param("beta", &S::beta, {0.0, 1.0}, "", "Contrast limit: 0 strongest, 1 almost no change.")
        .with(modeParameter<S>)
        .run(applying<S>([](const Volume& image, const S& s, const RunControl& control) {
            return adaptiveHistogramEqualization(image, s, s.mode, control);
        }));
}

StagePtr zScoreStage() {
    using S = Mode;
    return imageFilter<S>("filters.zscore", "Z-score normalization",
                          "Subtracts the mean and divides by the standard deviation, of the volume or of each slice.")
        .with(modeParameter<S>)
        .run(applying<S>([](const Volume& image, const S& s, const RunControl& control) {
            return zScoreNormalize(image, s.mode, control);
        }));
}

StagePtr percentileStage() {
    using S = PercentileSettings;
    return imageFilter<S>("filters.percentile_normalize", "Percentile normalization",
                          "Maps the low percentile to 0 and the high percentile to 1 and clips outside [0, 1].")
        .param("low_percentile", &S::low, {0.0, 100.0}, "%", "Becomes 0.")
        .param("high_percentile", &S::high, {0.0, 100.0}, "%", "Becomes 1.")
        .with(modeParameter<S>)
        .run(applying<S>([](const Volume& image, const S& s, const RunControl& control) {
            return percentileNormalize(image, s.low, s.high, s.mode, control);
        }));
}

StagePtr invertStage() {
    using S = InvertSettings;
    return imageFilter<S>("filters.invert", "Invert contrast",
                          "Swaps dark and bright: min + max - v (same range) or -v.")
        .choice("method", &S::method, named({"range", "negate"}, inversionMethodFromName),
                "range: min + max - v; negate: -v.")
        .run(applying<S>([](const Volume& image, const S& s, const RunControl& control) {
            return invertContrast(image, s.method, control);
        }));
}

StagePtr binStage() {
    using S = BinSettings;
    return imageFilter<S>("filters.bin", "Bin",
                          "Averages blocks of factor³ voxels (factor² per slice); the voxel size grows by the factor. "
                          "Voxels left over at the far ends (size not a multiple of the factor) are dropped.",
                          "The binned volume (float32, voxel size × factor, same origin).")
        .param("factor", &S::factor, {1, 64}, "voxels", "Binning factor per axis.")
        .with(modeParameter<S>)
        .run(applying<S>([](const Volume& image, const S& s, const RunControl& control) {
            return binVolume(image, s.factor, s.mode, control);
        }));
}

StagePtr resampleStage() {
    using S = ResampleSettings;
    return imageFilter<S>("filters.resample", "Resample to voxel size",
                          "Resamples to a target voxel size in Å (for example the 10 Å a membrane network expects), "
                          "keeping the centre and the physical extent (within one voxel); smooths first when "
                          "shrinking so that fine detail does not alias.",
                          "The resampled volume (float32, the target voxel size).")
        .param("voxel_size", &S::voxelSize, {0.01, 10000.0}, "Å", "Target voxel size.")
        .choice("interpolation", &S::interpolation, named({"linear", "nearest", "bspline"}, interpolationFromName),
                "linear, nearest neighbour or cubic B-spline.")
        .flag("antialias", &S::antialias, "Gaussian pre-smoothing (sigma (factor-1)/2) when shrinking.")
        .with(modeParameter<S>)
        .run(applying<S>([](const Volume& image, const S& s, const RunControl& control) {
            return resampleToVoxelSize(image, s, s.mode, control);
        }));
}

StagePtr bandPassStage() {
    using S = BandPassSettings;
    return imageFilter<S>("filters.bandpass", "Fourier band-pass",
                          "Keeps spatial frequencies between 1/highpass and 1/lowpass (cut-offs as resolutions in Å) "
                          "with raised-cosine edges.")
        .param("lowpass", &S::lowPassA, {0.0, std::nullopt}, "Å", "Removes detail finer than this; 0: no low-pass.")
        .param("highpass", &S::highPassA, {0.0, std::nullopt}, "Å",
               "Removes features larger than this; 0: no high-pass.")
        .param("edge_width", &S::edgeShells, {0.0, 100.0}, "Fourier shells", "Width of the soft edges; 0: hard edges.")
        .flag("keep_mean", &S::keepMean, "Keep the mean through a high-pass.")
        .with(modeParameter<S>)
        .run(applying<S>([](const Volume& image, const S& s, const RunControl& control) {
            return bandPassFilter(image, s, s.mode, control);
        }));
}

StagePtr gradientMagnitudeStage() {
    using S = GradientSettings;
    return imageFilter<S>("filters.gradient_magnitude", "Gradient magnitude",
                          "Edge strength: the length of the intensity gradient, by central differences or Sobel.",
                          "Gradient magnitude (float32, intensity per Å or per voxel).")
        .choice("operator", &S::op, named({"sobel", "central"}, gradientOperatorFromName),
                "sobel: smoothed across the derivative; central: plain differences.")
        .flag("per_angstrom", &S::perAngstrom, "Divide by the voxel size (intensity per Å) rather than per voxel.")
        .with(modeParameter<S>)
        .run(applying<S>([](const Volume& image, const S& s, const RunControl& control) {
            return gradientMagnitude(image, s.op, s.perAngstrom, s.mode, control);
        }));
}

}  // namespace

std::vector<StagePtr> makeStages() {
    return {
        gaussianStage(),
        medianStage(),
        bilateralStage(),
        diffusionStage("filters.gradient_anisotropic_diffusion", "Gradient anisotropic diffusion",
                       "Perona-Malik non-linear diffusion (ITK): smooths within regions, not across edges. "
                       "Cancellation takes effect between iterations.",
                       gradientAnisotropicDiffusion),
        diffusionStage("filters.curvature_anisotropic_diffusion", "Curvature anisotropic diffusion",
                       "Modified curvature diffusion (ITK): edge-preserving smoothing that does not sharpen "
                       "noise into steps. Cancellation takes effect between iterations.",
                       curvatureAnisotropicDiffusion),
        claheStage(),
        zScoreStage(),
        percentileStage(),
        invertStage(),
        binStage(),
        resampleStage(),
        bandPassStage(),
        gradientMagnitudeStage(),
    };
}

}  // namespace cellforge::filters
