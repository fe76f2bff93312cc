// The randomized recipe's imaging: the CTF has its zeros where the formula puts them (in
// the formula and in an imaged slab), the missing wedge removes exactly the Fourier
// region a tilt series never measured, and the noise has the requested SNR and is not
// filtered by the CTF.
#include "core/simulation/Fft.h"
#include "core/simulation/Random.h"
#include "core/simulation/SlabImaging.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace cellforge::simulation;

namespace {

std::vector<Complex> spectrum(const std::vector<double>& values, std::int64_t nx, std::int64_t ny, std::int64_t nz) {
    std::vector<Complex> c(values.begin(), values.end());
    fft3d(c, nx, ny, nz, false);
    return c;
}

std::vector<float> randomDensity(std::int64_t count, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<float> d(static_cast<std::size_t>(count));
    for (float& v : d) v = float(rng.uniform());
    return d;
}

// Cs = 0, A = 0: CTF = -sin(pi lambda df k^2), zero at k = sqrt(n / (lambda df)).
SlabImaging pureSineCtf(double voxelSize, double defocus) {
    SlabImaging im;
    im.voxelSize = voxelSize;
    im.ctfMode = CtfMode::Raw;
    im.ctf.defocus = defocus;
    im.ctf.sphericalAberration = 0;
    im.ctf.amplitudeContrast = 0;
    im.bFactor = 0;
    im.bandLimit = 0.5;
    im.bandEdge = 0;
    im.missingWedge = false;
    im.snr = 1e12;  // practically no noise
    return im;
}

}  // namespace

TEST(Ctf, HasItsZerosWhereTheFormulaPutsThem) {
    EXPECT_NEAR(electronWavelength(300), 0.01969, 2e-5);
    EXPECT_NEAR(electronWavelength(200), 0.02508, 2e-5);
    CtfParameters ctf;
    ctf.defocus = 20000;  // 2 µm
    ctf.sphericalAberration = 0;
    ctf.amplitudeContrast = 0;
    const double lambdaDf = electronWavelength(300) * ctf.defocus;
    for (int n = 1; n <= 6; ++n) {
        EXPECT_NEAR(ctfValue(ctf, std::sqrt(n / lambdaDf)), 0.0, 1e-9) << "zero " << n;
        EXPECT_NEAR(std::fabs(ctfValue(ctf, std::sqrt((n + 0.5) / lambdaDf))), 1.0, 1e-9) << "extremum " << n;
    }
    EXPECT_LT(ctfValue(ctf, 0.5 * std::sqrt(1 / lambdaDf)), -0.5);  // underfocus: dense matter dark
    ctf.amplitudeContrast = 0.1;
    EXPECT_NEAR(ctfValue(ctf, 0), -0.1, 1e-12);
    // Spherical aberration shifts the zeros inward at high frequency (chi grows more slowly).
    ctf.amplitudeContrast = 0;
    ctf.sphericalAberration = 2.7;
    EXPECT_GT(std::fabs(ctfValue(ctf, std::sqrt(6 / lambdaDf))), 1e-3);
}

// A point imaged with the CTF alone: the slab's spectrum is the CTF, zero on the ring
// k = 1 / sqrt(lambda df) (here on bin 16 of 64, f = 0.25 cycles/voxel at 10 Å).
TEST(SlabImaging, ImagedPointShowsTheCtfAndItsZeros) {
    const std::int64_t nx = 64, ny = 8, nz = 8;
    const double voxel = 10, k1 = 0.25 / voxel;
    const SlabImaging im = pureSineCtf(voxel, 1.0 / (electronWavelength(300) * k1 * k1));
    std::vector<float> point(std::size_t(nx * ny * nz), 0.0f);
    point[0] = 1.0f;
    const ImagedSlices out = imageSlab(point, nx, ny, nz, im, 0, nz, 3);
    const auto s = spectrum(out.signal, nx, ny, nz);
    for (std::int64_t i = 1; i < nx / 2; ++i) {
        const double f = double(i) / nx;
        EXPECT_NEAR(s[std::size_t(i)].real(), ctfValue(im.ctf, f / voxel), 2e-4) << "bin " << i;
        EXPECT_NEAR(s[std::size_t(i)].imag(), 0.0, 1e-9);
    }
    EXPECT_LT(std::abs(s[16]), 2e-4);  // the first zero
    EXPECT_GT(std::abs(s[8]), 0.5);
    // Phase-flipped: the same magnitudes, all of one sign; without a CTF: -1 in the band.
    SlabImaging flipped = im;
    flipped.ctfMode = CtfMode::PhaseFlipped;
    SlabImaging none = im;
    none.ctfMode = CtfMode::None;
    for (double f : {0.05, 0.2, 0.3, 0.45}) {
        EXPECT_NEAR(signalTransfer(flipped, f, 0, 0), -std::fabs(ctfValue(im.ctf, f / voxel)), 1e-12);
        EXPECT_DOUBLE_EQ(signalTransfer(none, f, 0, 0), -1.0);
    }
    EXPECT_DOUBLE_EQ(signalTransfer(none, 0.3, 0.3, 0.3), 0.0);  // beyond the band limit
}

TEST(SlabImaging, MissingWedgeRemovesTheUnmeasuredFourierRegion) {
    const std::int64_t nx = 24, ny = 20, nz = 16;
    const auto density = randomDensity(nx * ny * nz, 5);
    for (bool aboutX : {false, true}) {
        SlabImaging im;
        im.ctfMode = CtfMode::None;
        im.bandLimit = 0.5;
        im.bandEdge = 0;
        im.tiltRange = 60;
        im.tiltAboutX = aboutX;
        im.snr = 0.5;
        const ImagedSlices out = imageSlab(density, nx, ny, nz, im, 0, nz, 9);
        const double tan60 = std::tan(60 * M_PI / 180);
        for (const auto* part : {&out.signal, &out.noise}) {
            const auto c = spectrum(*part, nx, ny, nz);
            double scale = 0;
            for (const auto& v : c) scale = std::max(scale, std::abs(v));
            int inside = 0, outside = 0, outsideKept = 0;
            for (std::int64_t z = 0; z < nz; ++z)
                for (std::int64_t y = 0; y < ny; ++y)
                    for (std::int64_t x = 0; x < nx; ++x) {
                        const double fx = fftFrequency(x, nx), fy = fftFrequency(y, ny), fz = fftFrequency(z, nz);
                        if (std::sqrt(fx * fx + fy * fy + fz * fz) > 0.45) continue;
                        const double m = std::abs(c[std::size_t((z * ny + y) * nx + x)]);
                        if (inMissingWedge(aboutX ? fy : fx, fz, tan60)) {
                            ++inside;
                            EXPECT_LT(m, 1e-9 * scale) << "in the wedge: " << fx << ", " << fy << ", " << fz;
                        } else if (!(x == 0 && y == 0 && z == 0)) {
                            ++outside;
                            if (m > 1e-6 * scale) ++outsideKept;
                        }
                    }
            EXPECT_GT(inside, 500);
            EXPECT_EQ(outsideKept, outside);  // everything measured is kept
        }
    }
}

TEST(SlabImaging, NoiseHasTheRequestedSnrAndIsNotFilteredByTheCtf) {
    const std::int64_t nx = 64, ny = 16, nz = 16;
    const double voxel = 10, k1 = 0.25 / voxel;
    SlabImaging im = pureSineCtf(voxel, 1.0 / (electronWavelength(300) * k1 * k1));
    im.snr = 0.25;
    const auto density = randomDensity(nx * ny * nz, 11);
    const ImagedSlices out = imageSlab(density, nx, ny, nz, im, 6, 9, 4);
    auto variance = [](const std::vector<double>& v) {
        double s = 0, q = 0;
        for (double x : v) s += x, q += x * x;
        const double m = s / double(v.size());
        return q / double(v.size()) - m * m;
    };
    EXPECT_EQ(out.signal.size(), std::size_t(3 * nx * ny));
    EXPECT_NEAR(variance(out.signal) / variance(out.noise), 0.25, 1e-9);
    EXPECT_NEAR(out.signalVariance / out.noiseVariance, 0.25, 1e-9);
    // On the CTF's zero ring the signal vanishes, the noise does not.
    const ImagedSlices all = imageSlab(density, nx, ny, nz, im, 0, nz, 4);
    const auto s = spectrum(all.signal, nx, ny, nz), n = spectrum(all.noise, nx, ny, nz);
    double signalRing = 0, noiseRing = 0, noiseNear = 0;
    for (std::int64_t z = 0; z < nz; ++z)
        for (std::int64_t y = 0; y < ny; ++y) {
            const std::size_t i = std::size_t((z * ny + y) * nx);
            if (y == 0 && z == 0) {
                signalRing += std::abs(s[i + 16]);
                noiseRing += std::abs(n[i + 16]);
                noiseNear += std::abs(n[i + 12]);
            }
        }
    EXPECT_LT(signalRing, 1e-3 * std::abs(s[8]) + 1e-9);
    EXPECT_GT(noiseRing, 0.05 * noiseNear);
}
