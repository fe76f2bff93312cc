#include <itkBilateralImageFilter.h>

#include <algorithm>
#include <cmath>

#include "plugins/filters/logic/EdgePreservingSmoothing.h"
#include "plugins/filters/logic/ItkSupport.h"

namespace cellforge::filters {

Volume bilateralFilter(const Volume& input, const BilateralParameters& parameters, FilterMode mode,
                       const RunControl& control) {
    requirePositive("domain_sigma", parameters.domainSigma);
    requireNonNegative("range_sigma", parameters.rangeSigma);
    requireNotEmpty(input, "input image");
    double rangeSigma = parameters.rangeSigma;
    if (rangeSigma == 0) {
        rangeSigma = computeStatistics(input).rms;  // the standard deviation
        if (!(rangeSigma > 0)) rangeSigma = 1.0;    // a constant image: any value leaves it as it is
    }
    return filterWithItk(input, mode, ItkExecution::Slabs, control, [&](auto* image) {
        using Image = std::remove_pointer_t<decltype(image)>;
        using Filter = itk::BilateralImageFilter<Image, Image>;
        auto filter = Filter::New();
        filter->SetInput(image);
        // ITK's domain sigma is physical (it uses the image spacing): voxels × spacing.
        typename Filter::ArrayType sigma;
        for (unsigned a = 0; a < Image::ImageDimension; ++a) sigma[a] = parameters.domainSigma * image->GetSpacing()[a];
        filter->SetDomainSigma(sigma);
        filter->SetRangeSigma(rangeSigma);
        return filter;
    });
}

}  // namespace cellforge::filters
