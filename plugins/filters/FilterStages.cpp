#include "plugins/filters/FilterStages.h"

#include <memory>

#include "core/base/Errors.h"
#include "core/data/Volume.h"
#include "core/jobs/JobContext.h"
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

// A stage with one Volume in ("image") and one float32 Volume out ("image").
class VolumeFilterStage : public Stage {
public:
    StageInfo info() const final {
        StageInfo info = describe();
        info.group = "Filtering";
        info.inputs = {PortSpec{"image", DataKind::Volume, false, "The volume to filter (any scalar type)."}};
        info.outputs = {PortSpec{"image", DataKind::Volume, false, outputHelp()}};
        info.lane = StageLane::Cpu;
        return info;
    }

    PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const final {
        const auto found = inputs.find("image");
        if (found == inputs.end() || !found->second)
            throw InputError(describe().id + ": input 'image' is missing (expected a Volume)");
        const auto image = dataAs<Volume>(found->second, describe().id + ": input 'image'");
        Volume result = apply(*image, params, context.control());
        context.setProgress(1.0);
        return {{"image", std::make_shared<Volume>(std::move(result))}};
    }

protected:
    // id, name, description and parameters; ports and group are filled in by info().
    virtual StageInfo describe() const = 0;
    // `control` is the job's: its progress, cancel flag and thread budget.
    virtual Volume apply(const Volume& image, const ParameterValues& params, const RunControl& control) const = 0;
    virtual std::string outputHelp() const { return "The filtered volume (float32, same voxel size and origin)."; }
};

ParameterSpec modeParameter() {
    return ParameterSpec::choice("mode", "3d", filterModeNames(),
                                 "3d: a 3D neighbourhood; 2d-slices: each z-slice on its own (2D neighbourhood).");
}

FilterMode modeOf(const ParameterValues& params) { return filterModeFromName(params.getString("mode")); }

StageInfo basicInfo(std::string id, std::string name, std::string description, ParameterSchema parameters) {
    StageInfo info;
    info.id = std::move(id);
    info.name = std::move(name);
    info.description = std::move(description);
    info.parameters = std::move(parameters);
    return info;
}

int intParam(const ParameterValues& params, const std::string& name) { return int(params.getInt(name)); }

class GaussianStage : public VolumeFilterStage {
    StageInfo describe() const override {
        return basicInfo("filters.gaussian", "Gaussian smoothing",
                         "Gaussian smoothing by separable convolution; the kernel (radius int(truncate*sigma+0.5)) "
                         "and the reflected borders are those of scipy.ndimage.gaussian_filter.",
                         {ParameterSpec::real("sigma", 1.0, 0.0, 100.0, "voxels",
                                              "Standard deviation of the Gaussian (0 leaves the image as it is)."),
                          ParameterSpec::real("truncate", 4.0, 0.5, 10.0, "sigmas",
                                              "The kernel is cut at this many standard deviations."),
                          modeParameter()});
    }
    Volume apply(const Volume& image, const ParameterValues& p, const RunControl& control) const override {
        return gaussianFilter(image, p.getFloat("sigma"), modeOf(p), control, p.getFloat("truncate"));
    }
};

class MedianStage : public VolumeFilterStage {
    StageInfo describe() const override {
        return basicInfo("filters.median", "Median filter",
                         "The median of a (2r+1)³ box (or (2r+1)² square per slice); removes salt-and-pepper "
                         "noise and keeps edges. Borders by reflection.",
                         {ParameterSpec::integer("radius", 1, 0.0, 10.0, "voxels",
                                                 "Half-width of the window: radius 2 is a 5×5×5 window."),
                          modeParameter()});
    }
    Volume apply(const Volume& image, const ParameterValues& p, const RunControl& control) const override {
        return medianFilter(image, intParam(p, "radius"), modeOf(p), control);
    }
};

class BilateralStage : public VolumeFilterStage {
    StageInfo describe() const override {
        return basicInfo("filters.bilateral", "Bilateral filter",
                         "Edge-preserving smoothing: neighbours are weighted by distance (domain sigma) and by "
                         "intensity difference (range sigma). Slow in 3D for large domain sigmas.",
                         {ParameterSpec::real("domain_sigma", 2.0, 0.1, 20.0, "voxels", "Spatial standard deviation."),
                          ParameterSpec::real("range_sigma", 0.0, 0.0, std::nullopt, "intensity",
                                              "Intensity standard deviation; 0 uses the image's standard deviation."),
                          modeParameter()});
    }
    Volume apply(const Volume& image, const ParameterValues& p, const RunControl& control) const override {
        BilateralParameters b;
        b.domainSigma = p.getFloat("domain_sigma");
        b.rangeSigma = p.getFloat("range_sigma");
        return bilateralFilter(image, b, modeOf(p), control);
    }
};

ParameterSchema diffusionParameters() {
    return {ParameterSpec::real("time_step", 0.0625, 0.0001, 0.125, "voxel units",
                                "Time step per iteration; stable up to 0.0625 in 3D and 0.125 per slice."),
            ParameterSpec::integer("iterations", 10, 1.0, 1000.0, "iterations", "Number of diffusion steps."),
            ParameterSpec::real("conductance", 1.0, 0.01, 100.0, "",
                                "Conductance K: lower values stop diffusion at weaker edges."),
            modeParameter()};
}

DiffusionParameters diffusionOf(const ParameterValues& p) {
    DiffusionParameters d;
    d.timeStep = p.getFloat("time_step");
    d.iterations = intParam(p, "iterations");
    d.conductance = p.getFloat("conductance");
    return d;
}

class GradientDiffusionStage : public VolumeFilterStage {
    StageInfo describe() const override {
        return basicInfo("filters.gradient_anisotropic_diffusion", "Gradient anisotropic diffusion",
                         "Perona-Malik non-linear diffusion (ITK): smooths within regions, not across edges. "
                         "Cancellation takes effect between iterations.",
                         diffusionParameters());
    }
    Volume apply(const Volume& image, const ParameterValues& p, const RunControl& control) const override {
        return gradientAnisotropicDiffusion(image, diffusionOf(p), modeOf(p), control);
    }
};

class CurvatureDiffusionStage : public VolumeFilterStage {
    StageInfo describe() const override {
        return basicInfo("filters.curvature_anisotropic_diffusion", "Curvature anisotropic diffusion",
                         "Modified curvature diffusion (ITK): edge-preserving smoothing that does not sharpen "
                         "noise into steps. Cancellation takes effect between iterations.",
                         diffusionParameters());
    }
    Volume apply(const Volume& image, const ParameterValues& p, const RunControl& control) const override {
        return curvatureAnisotropicDiffusion(image, diffusionOf(p), modeOf(p), control);
    }
};

class ClaheStage : public VolumeFilterStage {
    StageInfo describe() const override {
        return basicInfo(
            "filters.clahe", "Adaptive histogram equalization (CLAHE)",
            "Local contrast enhancement (ITK's adaptive histogram equalization): alpha 0 is "
            "classical equalization, 1 unsharp masking; beta limits the contrast gain.",
            {ParameterSpec::integer("radius", 8, 1.0, 256.0, "voxels", "Half-width of the local window."),
             ParameterSpec::real("alpha", 0.3, 0.0, 1.0, "", "Equalization (0) to unsharp mask (1)."),
             ParameterSpec::real("beta", 0.3, 0.0, 1.0, "", "Contrast limit: 0 strongest, 1 almost no change."),
             modeParameter()});
    }
    Volume apply(const Volume& image, const ParameterValues& p, const RunControl& control) const override {
        EqualizationParameters e;
        e.radius = intParam(p, "radius");
        e.alpha = p.getFloat("alpha");
        e.beta = p.getFloat("beta");
        return adaptiveHistogramEqualization(image, e, modeOf(p), control);
    }
};

class ZScoreStage : public VolumeFilterStage {
    StageInfo describe() const override {
        return basicInfo("filters.zscore", "Z-score normalization",
                         "Subtracts the mean and divides by the standard deviation, of the volume or of each slice.",
                         {modeParameter()});
    }
    Volume apply(const Volume& image, const ParameterValues& p, const RunControl& control) const override {
        return zScoreNormalize(image, modeOf(p), control);
    }
};

class PercentileStage : public VolumeFilterStage {
    StageInfo describe() const override {
        return basicInfo(
            "filters.percentile_normalize", "Percentile normalization",
            "Maps the low percentile to 0 and the high percentile to 1 and clips outside [0, 1].",
            {ParameterSpec::real("low_percentile", 1.0, 0.0, 100.0, "%", "Becomes 0."),
             ParameterSpec::real("high_percentile", 99.0, 0.0, 100.0, "%", "Becomes 1."), modeParameter()});
    }
    Volume apply(const Volume& image, const ParameterValues& p, const RunControl& control) const override {
        return percentileNormalize(image, p.getFloat("low_percentile"), p.getFloat("high_percentile"), modeOf(p),
                                   control);
    }
};

class InvertStage : public VolumeFilterStage {
    StageInfo describe() const override {
        return basicInfo(
            "filters.invert", "Invert contrast", "Swaps dark and bright: min + max - v (same range) or -v.",
            {ParameterSpec::choice("method", "range", {"range", "negate"}, "range: min + max - v; negate: -v.")});
    }
    Volume apply(const Volume& image, const ParameterValues& p, const RunControl& control) const override {
        return invertContrast(image, inversionMethodFromName(p.getString("method")), control);
    }
};

class BinStage : public VolumeFilterStage {
    StageInfo describe() const override {
        return basicInfo(
            "filters.bin", "Bin",
            "Averages blocks of factor³ voxels (factor² per slice); the voxel size grows by the factor. "
            "Voxels left over at the far ends (size not a multiple of the factor) are dropped.",
            {ParameterSpec::integer("factor", 2, 1.0, 64.0, "voxels", "Binning factor per axis."), modeParameter()});
    }
    Volume apply(const Volume& image, const ParameterValues& p, const RunControl& control) const override {
        return binVolume(image, intParam(p, "factor"), modeOf(p), control);
    }
    std::string outputHelp() const override { return "The binned volume (float32, voxel size × factor, same origin)."; }
};

class ResampleStage : public VolumeFilterStage {
    StageInfo describe() const override {
        return basicInfo(
            "filters.resample", "Resample to voxel size",
            "Resamples to a target voxel size in Å (for example the 10 Å a membrane network expects), "
            "keeping the centre and the physical extent (within one voxel); smooths first when "
            "shrinking so that fine detail does not alias.",
            {ParameterSpec::real("voxel_size", 10.0, 0.01, 10000.0, "Å", "Target voxel size."),
             ParameterSpec::choice("interpolation", "linear", {"linear", "nearest", "bspline"},
                                   "linear, nearest neighbour or cubic B-spline."),
             ParameterSpec::boolean("antialias", true, "Gaussian pre-smoothing (sigma (factor-1)/2) when shrinking."),
             modeParameter()});
    }
    Volume apply(const Volume& image, const ParameterValues& p, const RunControl& control) const override {
        ResampleParameters r;
        r.voxelSize = p.getFloat("voxel_size");
        r.interpolation = interpolationFromName(p.getString("interpolation"));
        r.antialias = p.getBool("antialias");
        return resampleToVoxelSize(image, r, modeOf(p), control);
    }
    std::string outputHelp() const override { return "The resampled volume (float32, the target voxel size)."; }
};

class BandPassStage : public VolumeFilterStage {
    StageInfo describe() const override {
        return basicInfo(
            "filters.bandpass", "Fourier band-pass",
            "Keeps spatial frequencies between 1/highpass and 1/lowpass (cut-offs as resolutions in Å) "
            "with raised-cosine edges.",
            {ParameterSpec::real("lowpass", 20.0, 0.0, std::nullopt, "Å",
                                 "Removes detail finer than this; 0: no low-pass."),
             ParameterSpec::real("highpass", 0.0, 0.0, std::nullopt, "Å",
                                 "Removes features larger than this; 0: no high-pass."),
             ParameterSpec::real("edge_width", 2.0, 0.0, 100.0, "Fourier shells",
                                 "Width of the soft edges; 0: hard edges."),
             ParameterSpec::boolean("keep_mean", true, "Keep the mean through a high-pass."), modeParameter()});
    }
    Volume apply(const Volume& image, const ParameterValues& p, const RunControl& control) const override {
        BandPassParameters b;
        b.lowPassA = p.getFloat("lowpass");
        b.highPassA = p.getFloat("highpass");
        b.edgeShells = p.getFloat("edge_width");
        b.keepMean = p.getBool("keep_mean");
        return bandPassFilter(image, b, modeOf(p), control);
    }
};

class GradientMagnitudeStage : public VolumeFilterStage {
    StageInfo describe() const override {
        return basicInfo("filters.gradient_magnitude", "Gradient magnitude",
                         "Edge strength: the length of the intensity gradient, by central differences or Sobel.",
                         {ParameterSpec::choice("operator", "sobel", {"sobel", "central"},
                                                "sobel: smoothed across the derivative; central: plain differences."),
                          ParameterSpec::boolean("per_angstrom", true,
                                                 "Divide by the voxel size (intensity per Å) rather than per voxel."),
                          modeParameter()});
    }
    Volume apply(const Volume& image, const ParameterValues& p, const RunControl& control) const override {
        return gradientMagnitude(image, gradientOperatorFromName(p.getString("operator")), p.getBool("per_angstrom"),
                                 modeOf(p), control);
    }
    std::string outputHelp() const override { return "Gradient magnitude (float32, intensity per Å or per voxel)."; }
};

}  // namespace

std::vector<StagePtr> makeStages() {
    return {
        std::make_shared<GaussianStage>(),
        std::make_shared<MedianStage>(),
        std::make_shared<BilateralStage>(),
        std::make_shared<GradientDiffusionStage>(),
        std::make_shared<CurvatureDiffusionStage>(),
        std::make_shared<ClaheStage>(),
        std::make_shared<ZScoreStage>(),
        std::make_shared<PercentileStage>(),
        std::make_shared<InvertStage>(),
        std::make_shared<BinStage>(),
        std::make_shared<ResampleStage>(),
        std::make_shared<BandPassStage>(),
        std::make_shared<GradientMagnitudeStage>(),
    };
}

}  // namespace cellforge::filters
