#include <itkCurvatureAnisotropicDiffusionImageFilter.h>
#include <itkGradientAnisotropicDiffusionImageFilter.h>

#include <sstream>

#include "core/base/Errors.h"
#include "plugins/filters/logic/EdgePreservingSmoothing.h"
#include "plugins/filters/logic/ItkSupport.h"

namespace cellforge::filters {

double maximumStableTimeStep(FilterMode mode) { return mode == FilterMode::Volume3D ? 0.0625 : 0.125; }

namespace {

void validate(const DiffusionParameters& p, FilterMode mode) {
    requirePositive("time_step", p.timeStep);
    if (p.iterations < 1) throw InputError("iterations must be at least 1, got " + std::to_string(p.iterations));
    requirePositive("conductance", p.conductance);
    const double limit = maximumStableTimeStep(mode);
    if (p.timeStep > limit) {
        std::ostringstream s;
        s << "time_step " << p.timeStep << " is above the stable limit " << limit << " for "
          << (mode == FilterMode::Volume3D ? "3D" : "2D") << " diffusion (1/2^(N+1) in voxel units)";
        throw InputError(s.str());
    }
}

template <template <typename, typename> class DiffusionFilter>
Volume diffuse(const Volume& input, const DiffusionParameters& p, FilterMode mode, const RunControl& control) {
    validate(p, mode);
    return filterWithItk(input, mode, ItkExecution::Whole, control, [&](auto* image) {
        using Image = std::remove_pointer_t<decltype(image)>;
        auto filter = DiffusionFilter<Image, Image>::New();
        filter->SetInput(image);
        filter->InPlaceOff();  // the input is a view of the caller's (shared) voxels
        filter->UseImageSpacingOff();
        filter->SetTimeStep(p.timeStep);
        filter->SetNumberOfIterations(unsigned(p.iterations));
        filter->SetConductanceParameter(p.conductance);
        return filter;
    });
}

}  // namespace

Volume gradientAnisotropicDiffusion(const Volume& input, const DiffusionParameters& parameters, FilterMode mode,
                                    const RunControl& control) {
    return diffuse<itk::GradientAnisotropicDiffusionImageFilter>(input, parameters, mode, control);
}

Volume curvatureAnisotropicDiffusion(const Volume& input, const DiffusionParameters& parameters, FilterMode mode,
                                     const RunControl& control) {
    return diffuse<itk::CurvatureAnisotropicDiffusionImageFilter>(input, parameters, mode, control);
}

}  // namespace cellforge::filters
