#include "plugins/filters/logic/AdaptiveHistogramEqualization.h"

#include <itkAdaptiveHistogramEqualizationImageFilter.h>

#include "core/base/Errors.h"
#include "plugins/filters/logic/ItkSupport.h"

namespace cellforge::filters {

Volume adaptiveHistogramEqualization(const Volume& input, const EqualizationParameters& p, FilterMode mode,
                                     const RunControl& control) {
    if (p.radius < 1) throw InputError("radius must be at least 1 voxel, got " + std::to_string(p.radius));
    requireInRange("alpha", p.alpha, 0.0, 1.0);
    requireInRange("beta", p.beta, 0.0, 1.0);
    return filterWithItk(input, mode, ItkExecution::Slabs, control, [&](auto* image) {
        using Image = std::remove_pointer_t<decltype(image)>;
        using Filter = itk::AdaptiveHistogramEqualizationImageFilter<Image>;
        auto filter = Filter::New();
        filter->SetInput(image);
        typename Filter::ImageSizeType radius;
        radius.Fill(itk::SizeValueType(p.radius));
        filter->SetRadius(radius);
        filter->SetAlpha(float(p.alpha));
        filter->SetBeta(float(p.beta));
        return filter;
    });
}

}  // namespace cellforge::filters
