#include <itkBSplineDecompositionImageFilter.h>
#include <itkBSplineResampleImageFunction.h>
#include <itkIdentityTransform.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkNearestNeighborExtrapolateImageFunction.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>

#include <algorithm>
#include <cmath>

#include "core/base/Errors.h"
#include "core/data/ItkView.h"
#include "plugins/filters/logic/GaussianFilter.h"
#include "plugins/filters/logic/ItkSupport.h"
#include "plugins/filters/logic/Resampling.h"

namespace cellforge::filters {

Interpolation interpolationFromName(const std::string& name) {
    if (name == "linear") return Interpolation::Linear;
    if (name == "nearest") return Interpolation::Nearest;
    if (name == "bspline") return Interpolation::BSpline;
    throw InputError("interpolation must be \"linear\", \"nearest\" or \"bspline\", got \"" + name + "\"");
}

Volume resampleToVoxelSize(const Volume& input, const ResampleParameters& p, FilterMode mode,
                           const RunControl& control) {
    requireNotEmpty(input, "input image");
    requirePositive("voxel_size", p.voxelSize);
    const int resampledAxes = mode == FilterMode::Volume3D ? 3 : 2;

    // The output grid: same centre, target voxels, round(extent / target) of them.
    Index3 dims = input.dims();
    Vec3 spacing = input.voxelSize(), origin = input.origin(), sigma{0, 0, 0};
    bool identity = true;
    for (int a = 0; a < resampledAxes; ++a) {
        const std::size_t i = std::size_t(a);
        const double extent = double(input.dims()[i]) * input.voxelSize()[i];
        const std::int64_t n = std::max<std::int64_t>(1, std::llround(extent / p.voxelSize));
        const double centre = input.origin()[i] + 0.5 * extent;
        dims[i] = n;
        spacing[i] = p.voxelSize;
        origin[i] = centre - 0.5 * double(n) * p.voxelSize;
        const double factor = p.voxelSize / input.voxelSize()[i];
        if (p.antialias && factor > 1) sigma[i] = (factor - 1) / 2;
        identity = identity && n == input.dims()[i] && spacing[i] == input.voxelSize()[i];
    }
    if (identity) {
        Volume out = asFloat32(input).deepCopy();
        control.report(1.0);
        return out;
    }

    const bool smooth = sigma[0] > 0 || sigma[1] > 0 || sigma[2] > 0;
    const bool bspline = p.interpolation == Interpolation::BSpline;
    const double smoothEnd = smooth ? 0.3 : 0.0, coefficientsEnd = bspline ? smoothEnd + 0.2 : smoothEnd;
    const Volume source = smooth ? gaussianFilter(input, sigma, control.sub(0.0, smoothEnd)) : asFloat32(input);

    using Resample = itk::ResampleImageFilter<FloatImage3, FloatImage3>;
    auto image = itkView<float>(source);
    auto filter = Resample::New();
    filter->SetTransform(itk::IdentityTransform<double, 3>::New());
    switch (p.interpolation) {
        case Interpolation::Linear:
            filter->SetInput(image);
            filter->SetInterpolator(itk::LinearInterpolateImageFunction<FloatImage3, double>::New());
            break;
        case Interpolation::Nearest:
            filter->SetInput(image);
            filter->SetInterpolator(itk::NearestNeighborInterpolateImageFunction<FloatImage3, double>::New());
            break;
        case Interpolation::BSpline: {
            // The cubic B-spline coefficients are computed here, as a step of their own that
            // reports progress and can be cancelled, rather than silently inside the
            // interpolator; the resampler then reads the coefficients directly.
            auto decomposition = itk::BSplineDecompositionImageFilter<FloatImage3, FloatImage3>::New();
            decomposition->SetSplineOrder(3);
            decomposition->SetInput(image);
            runItkFilter(decomposition.GetPointer(), control.sub(smoothEnd, coefficientsEnd));
            FloatImage3::Pointer coefficients = decomposition->GetOutput();
            coefficients->DisconnectPipeline();
            auto interpolator = itk::BSplineResampleImageFunction<FloatImage3, double>::New();
            interpolator->SetSplineOrder(3);
            filter->SetInput(coefficients);
            filter->SetInterpolator(interpolator);
            break;
        }
    }
    // Output voxel centres can lie up to half an input voxel beyond the outermost input
    // centres; there the nearest input value is used rather than 0.
    filter->SetExtrapolator(itk::NearestNeighborExtrapolateImageFunction<FloatImage3, double>::New());
    Resample::SizeType size;
    Resample::SpacingType itkSpacing;
    Resample::OriginPointType itkOrigin;
    for (unsigned a = 0; a < 3; ++a) {
        size[a] = itk::SizeValueType(dims[a]);
        itkSpacing[a] = spacing[a];
        itkOrigin[a] = origin[a] + 0.5 * spacing[a];  // ITK's origin is the centre of voxel 0
    }
    filter->SetSize(size);
    filter->SetOutputSpacing(itkSpacing);
    filter->SetOutputOrigin(itkOrigin);
    filter->SetOutputDirection(image->GetDirection());

    Volume out = uninitializedFloat32(dims);
    out.setVoxelSize(spacing);
    out.setOrigin(origin);
    runItkFilterInSlabs(filter.GetPointer(), out, control.sub(coefficientsEnd, 1.0));
    return out;
}

}  // namespace cellforge::filters
