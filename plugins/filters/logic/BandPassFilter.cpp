#include "plugins/filters/logic/BandPassFilter.h"

#include <itkHalfHermitianToRealInverseFFTImageFilter.h>
#include <itkRealToHalfHermitianForwardFFTImageFilter.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <sstream>

#include "core/base/Errors.h"
#include "core/base/Parallel.h"
#include "plugins/filters/logic/ItkSupport.h"

namespace cellforge::filters {

namespace {

constexpr double kPi = 3.14159265358979323846;

// 1 below `cutoff - width/2`, 0 above `cutoff + width/2`, a raised cosine between.
double lowPassGain(double f, double cutoff, double width) {
    if (width <= 0) return f <= cutoff ? 1.0 : 0.0;
    const double start = cutoff - 0.5 * width;
    if (f <= start) return 1.0;
    if (f >= start + width) return 0.0;
    return 0.5 * (1.0 + std::cos(kPi * (f - start) / width));
}

void validate(const BandPassParameters& p) {
    requireNonNegative("lowpass", p.lowPassA);
    requireNonNegative("highpass", p.highPassA);
    requireNonNegative("edge_width", p.edgeShells);
    if (p.lowPassA > 0 && p.highPassA > 0 && !(p.highPassA > p.lowPassA)) {
        std::ostringstream s;
        s << "highpass (" << p.highPassA << " Å) must be larger than lowpass (" << p.lowPassA
          << " Å): frequencies between 1/highpass and 1/lowpass are kept, and that band would be empty";
        throw InputError(s.str());
    }
}

}  // namespace

std::int64_t fftFriendlySize(std::int64_t n) {
    for (std::int64_t m = std::max<std::int64_t>(1, n);; ++m) {
        std::int64_t r = m;
        for (std::int64_t f : {2, 3, 5, 7})
            while (r % f == 0) r /= f;
        if (r == 1) return m;
    }
}

double bandPassGain(const BandPassParameters& p, double f, double shell) {
    double gain = 1.0;
    if (p.lowPassA > 0) gain *= lowPassGain(f, 1.0 / p.lowPassA, p.edgeShells * shell);
    if (p.highPassA > 0) gain *= 1.0 - lowPassGain(f, 1.0 / p.highPassA, p.edgeShells * shell);
    return gain;
}

Volume bandPassFilter(const Volume& input, const BandPassParameters& p, FilterMode mode, const RunControl& control) {
    validate(p);
    requireNotEmpty(input, "input image");
    control.throwIfCancelled();
    const Volume source = asFloat32(input);
    if (p.lowPassA == 0 && p.highPassA == 0) {
        Volume out = source.deepCopy();
        control.report(1.0);
        return out;
    }
    const int filtered = mode == FilterMode::Volume3D ? 3 : 2;

    // Mirror-pad (scipy's 'reflect') to FFT-friendly sizes, the margin split evenly.
    Index3 padded = input.dims(), before{0, 0, 0};
    for (int a = 0; a < 3; ++a) {
        padded[std::size_t(a)] = fftFriendlySize(input.dims()[std::size_t(a)]);
        before[std::size_t(a)] = (padded[std::size_t(a)] - input.dims()[std::size_t(a)]) / 2;
    }
    const bool pad = padded != input.dims();
    Volume work = source;
    if (pad) {
        work = uninitializedFloat32(padded);
        const float* in = source.data<float>();
        float* w = work.data<float>();
        for (std::int64_t z = 0; z < padded[2]; ++z)
            for (std::int64_t y = 0; y < padded[1]; ++y) {
                const float* row = in + (reflectIndex(z - before[2], input.nz()) * input.ny() +
                                         reflectIndex(y - before[1], input.ny())) *
                                            input.nx();
                float* dst = w + (z * padded[1] + y) * padded[0];
                for (std::int64_t x = 0; x < padded[0]; ++x) dst[x] = row[reflectIndex(x - before[0], input.nx())];
            }
    }
    work.setVoxelSize(input.voxelSize());

    using Forward = itk::RealToHalfHermitianForwardFFTImageFilter<FloatImage3>;
    using Inverse = itk::HalfHermitianToRealInverseFFTImageFilter<Forward::OutputImageType, FloatImage3>;
    auto forward = Forward::New();
    forward->SetInput(itkView<float>(work));
    runItkFilter(forward.GetPointer(), control.sub(0.0, 0.4));
    // A smart pointer first: disconnecting drops the filter's reference to its output.
    Forward::OutputImageType::Pointer spectrum = forward->GetOutput();
    spectrum->DisconnectPipeline();

    // The half spectrum: x frequencies 0..nx/2, y and z the full signed range.
    const std::int64_t hx = padded[0] / 2 + 1;
    double shell = 0;  // 1 / the largest extent of the filtered axes, in 1/Å
    for (int a = 0; a < filtered; ++a)
        shell = std::max(shell, double(padded[std::size_t(a)]) * input.voxelSize()[std::size_t(a)]);
    shell = 1.0 / shell;
    std::complex<float>* c = spectrum->GetBufferPointer();
    auto frequency = [&](std::int64_t k, int a) {
        const std::int64_t n = padded[std::size_t(a)];
        const std::int64_t signedK = k <= n / 2 ? k : k - n;
        return double(signedK) / (double(n) * input.voxelSize()[std::size_t(a)]);
    };
    parallelFor(
        padded[2], control.sub(0.4, 0.6),
        [&](std::int64_t z, int) {
            const double fz = filtered == 3 ? frequency(z, 2) : 0.0;
            for (std::int64_t y = 0; y < padded[1]; ++y) {
                const double fy = frequency(y, 1);
                std::complex<float>* row = c + (z * padded[1] + y) * hx;
                for (std::int64_t x = 0; x < hx; ++x) {
                    const double fx = double(x) / (double(padded[0]) * input.voxelSize()[0]);
                    // keepMean: the zero frequency passes (per slice in Slices2D, where fz is ignored).
                    if (p.keepMean && x == 0 && fy == 0 && fz == 0) continue;
                    row[x] *= float(bandPassGain(p, std::sqrt(fx * fx + fy * fy + fz * fz), shell));
                }
            }
        },
        kReportEachItem);

    auto inverse = Inverse::New();
    inverse->SetInput(spectrum);
    inverse->SetActualXDimensionIsOdd(padded[0] % 2 == 1);
    runItkFilter(inverse.GetPointer(), control.sub(0.6, 1.0));
    FloatImage3* result = inverse->GetOutput();

    if (!pad) {
        Volume out = volumeFromItk<float>(result);
        out.setVoxelSize(input.voxelSize());
        out.setOrigin(input.origin());
        return out;
    }
    Volume out = uninitializedFloat32Like(input);
    const float* r = result->GetBufferPointer();
    for (std::int64_t z = 0; z < input.nz(); ++z)
        for (std::int64_t y = 0; y < input.ny(); ++y)
            std::memcpy(out.data<float>() + (z * input.ny() + y) * input.nx(),
                        r + ((z + before[2]) * padded[1] + (y + before[1])) * padded[0] + before[0],
                        std::size_t(input.nx()) * sizeof(float));
    return out;
}

}  // namespace cellforge::filters
