#include "core/simulation/SlabImaging.h"

#include "core/simulation/Fft.h"
#include "core/simulation/Random.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cellforge::simulation {

namespace {

double bandWindow(const SlabImaging& im, double f) {
    if (f >= im.bandLimit) return 0.0;
    const double start = im.bandLimit - im.bandEdge;
    if (f <= start || im.bandEdge <= 0) return 1.0;
    return 0.5 * (1.0 + std::cos(M_PI * (f - start) / im.bandEdge));
}

bool inWedge(const SlabImaging& im, double fx, double fy, double fz, double tanRange) {
    return im.missingWedge && inMissingWedge(im.tiltAboutX ? fy : fx, fz, tanRange);
}

// The radial part of the signal transfer at |f| (cycles/voxel): CTF, envelope, band.
double radialSignalTransfer(const SlabImaging& im, double f) {
    const double k = f / im.voxelSize;  // 1/Å
    double t = -1.0;
    if (im.ctfMode == CtfMode::Raw) t = ctfValue(im.ctf, k);
    if (im.ctfMode == CtfMode::PhaseFlipped) t = -std::fabs(ctfValue(im.ctf, k));
    t *= std::exp(-im.bFactor * k * k / 4.0) * bandWindow(im, f);
    return im.darkDensity ? t : -t;
}

// The signal and noise transfers as functions of f^2 up to the band limit (zero beyond),
// tabulated and read with linear interpolation: the CTF's sine and cosine once per table
// entry, not once per Fourier coefficient.
class RadialTransferTable {
public:
    explicit RadialTransferTable(const SlabImaging& im) : maxF2_(im.bandLimit * im.bandLimit) {
        signal_.resize(kEntries + 2);
        noise_.resize(kEntries + 2);
        for (int i = 0; i <= kEntries + 1; ++i) {
            const double f = std::sqrt(std::min(1.0, double(i) / kEntries) * maxF2_);
            signal_[std::size_t(i)] = radialSignalTransfer(im, f);
            noise_[std::size_t(i)] = bandWindow(im, f);
        }
    }
    // Both transfers at f^2; false (and nothing set) beyond the band limit.
    bool at(double f2, double& signal, double& noise) const {
        if (f2 >= maxF2_) return false;
        const double t = f2 / maxF2_ * kEntries;
        const int i = int(t);
        const double w = t - i;
        signal = (1 - w) * signal_[std::size_t(i)] + w * signal_[std::size_t(i + 1)];
        noise = (1 - w) * noise_[std::size_t(i)] + w * noise_[std::size_t(i + 1)];
        return true;
    }

private:
    static constexpr int kEntries = 4096;
    double maxF2_;
    std::vector<double> signal_, noise_;
};

// Squared frequencies and mirror indices (-k) of one axis.
struct AxisFrequencies {
    std::vector<double> f, f2;
    std::vector<std::int64_t> mirror;
    explicit AxisFrequencies(std::int64_t n) {
        for (std::int64_t i = 0; i < n; ++i) {
            f.push_back(fftFrequency(i, n));
            f2.push_back(f.back() * f.back());
            mirror.push_back((n - i) % n);
        }
    }
};

// Working memory kept per thread between calls: allocating ~10 MB afresh for every image
// costs more in page faults than the transforms themselves. Only ever resized, and every
// element is written before it is read.
struct Workspace {
    std::vector<Complex> volume, scratch;
};
Workspace& threadWorkspace() {
    thread_local Workspace workspace;
    return workspace;
}

void checkArguments(const std::vector<float>& density, std::int64_t nx, std::int64_t ny, std::int64_t nz,
                    std::int64_t zBegin, std::int64_t zEnd, const std::vector<std::uint8_t>* measured) {
    if (nx < 1 || ny < 1 || nz < 1 || std::int64_t(density.size()) != nx * ny * nz)
        throw std::invalid_argument("imageSlab: density size does not match the dimensions");
    if (zBegin < 0 || zEnd > nz || zEnd <= zBegin) throw std::invalid_argument("imageSlab: bad slice range");
    if (measured && std::int64_t(measured->size()) != nx * ny)
        throw std::invalid_argument("imageSlab: the measured mask is not one slice");
}

// Variance of the kept slices' values where the mask allows (all when it is null).
double variance(const std::vector<double>& values, std::int64_t plane, const std::vector<std::uint8_t>* mask) {
    double sum = 0, sumSq = 0, count = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (mask && !(*mask)[i % std::size_t(plane)]) continue;
        sum += values[i];
        sumSq += values[i] * values[i];
        count += 1;
    }
    if (count < 2) return 0.0;
    const double mean = sum / count;
    return std::max(0.0, sumSq / count - mean * mean);
}

}  // namespace

double signalTransfer(const SlabImaging& im, double fx, double fy, double fz) {
    if (inWedge(im, fx, fy, fz, std::tan(im.tiltRange * M_PI / 180.0))) return 0.0;
    return radialSignalTransfer(im, std::sqrt(fx * fx + fy * fy + fz * fz));
}

double noiseTransfer(const SlabImaging& im, double fx, double fy, double fz) {
    if (inWedge(im, fx, fy, fz, std::tan(im.tiltRange * M_PI / 180.0))) return 0.0;
    return bandWindow(im, std::sqrt(fx * fx + fy * fy + fz * fz));
}

ImagedSlices imageSlab(const std::vector<float>& density, std::int64_t nx, std::int64_t ny, std::int64_t nz,
                       const SlabImaging& im, std::int64_t zBegin, std::int64_t zEnd, std::uint64_t noiseSeed,
                       const std::vector<std::uint8_t>* measured) {
    checkArguments(density, nx, ny, nz, zBegin, zEnd, measured);
    // The density in the real part, white noise (uniform: it is Gaussian enough once
    // filtered) in the imaginary part: one transform for both.
    Rng rng(noiseSeed);
    Workspace& work = threadWorkspace();
    std::vector<Complex>& z = work.volume;
    std::vector<Complex>& scratch = work.scratch;
    z.resize(density.size());
    const double halfWidth = std::sqrt(3.0);  // unit variance
    for (std::size_t i = 0; i < z.size(); ++i) z[i] = Complex(density[i], rng.uniform(-halfWidth, halfWidth));
    fft3d(z, nx, ny, nz, false, &scratch);

    // Both inputs are real, so S(k) = (Z(k) + conj Z(-k)) / 2 and N(k) = (Z(k) - conj Z(-k)) / 2i;
    // with even transfers Hs, Hn the filtered pair is Z'(k) = P Z(k) + M conj Z(-k),
    // P = (Hs + Hn) / 2, M = (Hs - Hn) / 2. Each k is updated together with -k.
    const RadialTransferTable table(im);
    const AxisFrequencies ax(nx), ay(ny), az(nz);
    const double tanRange = std::tan(im.tiltRange * M_PI / 180.0);
    for (std::int64_t iz = 0; iz < nz; ++iz)
        for (std::int64_t iy = 0; iy < ny; ++iy) {
            const double fyz2 = ay.f2[std::size_t(iy)] + az.f2[std::size_t(iz)];
            const std::int64_t row = (iz * ny + iy) * nx;
            const std::int64_t mirrorRow = (az.mirror[std::size_t(iz)] * ny + ay.mirror[std::size_t(iy)]) * nx;
            for (std::int64_t ix = 0; ix < nx; ++ix) {
                const std::int64_t i = row + ix, j = mirrorRow + ax.mirror[std::size_t(ix)];
                if (j < i) continue;
                double hs = 0, hn = 0;
                const bool wedge =
                    im.missingWedge && inMissingWedge(im.tiltAboutX ? ay.f[std::size_t(iy)] : ax.f[std::size_t(ix)],
                                                      az.f[std::size_t(iz)], tanRange);
                if (!wedge && !table.at(fyz2 + ax.f2[std::size_t(ix)], hs, hn)) hs = hn = 0;
                const double p = 0.5 * (hs + hn), m = 0.5 * (hs - hn);
                const Complex zi = z[std::size_t(i)], zj = z[std::size_t(j)];
                z[std::size_t(i)] = Complex(p * zi.real() + m * zj.real(), p * zi.imag() - m * zj.imag());
                if (j != i) z[std::size_t(j)] = Complex(p * zj.real() + m * zi.real(), p * zj.imag() - m * zi.imag());
            }
        }
    // Back along z everywhere, then in-plane only for the kept slices.
    fft3dAxis(z, nx, ny, nz, 2, true, 0, -1, &scratch);
    fft3dAxis(z, nx, ny, nz, 1, true, zBegin, zEnd, &scratch);
    fft3dAxis(z, nx, ny, nz, 0, true, zBegin, zEnd, &scratch);

    ImagedSlices out;
    out.nx = nx;
    out.ny = ny;
    out.zBegin = zBegin;
    out.zEnd = zEnd;
    const std::int64_t plane = nx * ny;
    const std::size_t kept = std::size_t((zEnd - zBegin) * plane);
    out.signal.resize(kept);
    out.noise.resize(kept);
    for (std::size_t i = 0; i < kept; ++i) {
        const Complex& v = z[std::size_t(zBegin * plane) + i];
        out.signal[i] = v.real();
        out.noise[i] = v.imag();
    }
    // Scale the noise to the requested ratio (a signal-free slab: noise of unit variance).
    const double signalVariance = variance(out.signal, plane, measured);
    const double noiseVariance = variance(out.noise, plane, measured);
    const double target = signalVariance > 1e-20 ? signalVariance / std::max(1e-12, im.snr) : 1.0;
    const double scale = noiseVariance > 0 ? std::sqrt(target / noiseVariance) : 0.0;
    for (double& v : out.noise) v *= scale;
    out.signalVariance = signalVariance;
    out.noiseVariance = noiseVariance * scale * scale;
    return out;
}

}  // namespace cellforge::simulation
