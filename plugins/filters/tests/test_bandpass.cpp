#include <gtest/gtest.h>

#include <cmath>

#include "core/base/Errors.h"
#include "plugins/filters/logic/BandPassFilter.h"
#include "plugins/filters/tests/TestVolumes.h"

using namespace cellforge;
using namespace cellforge::filters;
using namespace cellforge::filters::testing;

namespace {
constexpr double kPi = 3.14159265358979323846;

// A sine of the given wavelength (Å) along `axis`, voxel size 2 Å.
Volume sine(Index3 dims, int axis, double wavelengthA, double amplitude = 1.0) {
    Volume v(dims, ScalarType::Float32);
    v.setVoxelSize({2, 2, 2});
    for (std::int64_t z = 0; z < dims[2]; ++z)
        for (std::int64_t y = 0; y < dims[1]; ++y)
            for (std::int64_t x = 0; x < dims[0]; ++x) {
                const double pos = 2.0 * double(axis == 0 ? x : axis == 1 ? y : z);
                v.data<float>()[v.index(x, y, z)] = float(amplitude * std::sin(2 * kPi * pos / wavelengthA));
            }
    return v;
}

Volume sum(const Volume& a, const Volume& b) {
    Volume out = a.deepCopy();
    for (std::int64_t i = 0; i < a.voxelCount(); ++i) out.data<float>()[i] += b.data<float>()[i];
    return out;
}

double maxAbsDiff(const Volume& a, const Volume& b, std::int64_t margin = 0) {
    double m = 0;
    for (std::int64_t z = margin; z < a.nz() - margin; ++z)
        for (std::int64_t y = margin; y < a.ny() - margin; ++y)
            for (std::int64_t x = margin; x < a.nx() - margin; ++x)
                m = std::max(m, double(std::abs(at(a, x, y, z) - at(b, x, y, z))));
    return m;
}
}  // namespace

TEST(BandPass, LowPassRemovesASineAboveTheCutOffAndKeepsOneBelow) {
    const Index3 dims{64, 64, 16};
    const Volume fine = sine(dims, 0, 16.0);    // 1/16 Å⁻¹
    const Volume coarse = sine(dims, 1, 64.0);  // 1/64 Å⁻¹
    const RunControl control = threadsControl(2);
    BandPassParameters p;
    p.lowPassA = 30.0;  // keeps below 1/30 Å⁻¹
    const Volume out = bandPassFilter(sum(fine, coarse), p, FilterMode::Volume3D, control);
    EXPECT_LT(maxAbsDiff(out, coarse), 1e-4);
    EXPECT_EQ(out.voxelSize(), fine.voxelSize());
}

TEST(BandPass, HighPassRemovesASineBelowTheCutOffAndKeepsTheMean) {
    const Index3 dims{64, 64, 16};
    Volume coarse = sine(dims, 1, 64.0);
    for (std::int64_t i = 0; i < coarse.voxelCount(); ++i) coarse.data<float>()[i] += 5.f;
    const Volume fine = sine(dims, 0, 16.0);
    const RunControl control;
    BandPassParameters p;
    p.lowPassA = 0;
    p.highPassA = 30.0;
    const Volume out = bandPassFilter(sum(fine, coarse), p, FilterMode::Volume3D, control);
    Volume expected = fine.deepCopy();
    for (std::int64_t i = 0; i < expected.voxelCount(); ++i) expected.data<float>()[i] += 5.f;
    EXPECT_LT(maxAbsDiff(out, expected), 1e-4);
    p.keepMean = false;
    const Volume zeroMean = bandPassFilter(sum(fine, coarse), p, FilterMode::Volume3D, control);
    EXPECT_LT(maxAbsDiff(zeroMean, fine), 1e-4);
}

TEST(BandPass, SlicesModeIgnoresFrequenciesAlongZ) {
    const Volume alongZ = sine({16, 16, 32}, 2, 8.0);
    const RunControl control;
    BandPassParameters p;
    p.lowPassA = 20.0;
    EXPECT_LT(maxAbsDiff(bandPassFilter(alongZ, p, FilterMode::Slices2D, control), alongZ), 1e-4);
    EXPECT_GT(maxAbsDiff(bandPassFilter(alongZ, p, FilterMode::Volume3D, control), alongZ), 0.9);
}

TEST(BandPass, PadsAwkwardSizesAndStillFilters) {
    EXPECT_EQ(fftFriendlySize(97), 98);
    EXPECT_EQ(fftFriendlySize(121), 125);
    EXPECT_EQ(fftFriendlySize(64), 64);
    // 61 and 53 are primes: padded (mirror) to 63 and 54.
    const Index3 dims{61, 53, 9};
    const Volume fine = sine(dims, 0, 8.0);
    const Volume coarse = sine(dims, 1, 80.0);
    const RunControl control;
    BandPassParameters p;
    p.lowPassA = 25.0;
    const Volume out = bandPassFilter(sum(fine, coarse), p, FilterMode::Slices2D, control);
    EXPECT_EQ(out.dims(), dims);
    EXPECT_LT(maxAbsDiff(out, coarse, 8), 0.05);
}

TEST(BandPass, RefusesAnEmptyBand) {
    const Volume v = sine({16, 16, 16}, 0, 8.0);
    const RunControl control;
    BandPassParameters p;
    p.lowPassA = 50;
    p.highPassA = 20;
    try {
        bandPassFilter(v, p, FilterMode::Volume3D, control);
        FAIL() << "empty band accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("highpass"), std::string::npos) << e.what();
    }
    p.highPassA = 0;
    p.lowPassA = -4;
    EXPECT_THROW(bandPassFilter(v, p, FilterMode::Volume3D, control), InputError);
}

TEST(BandPass, StopsWhenCancelled) {
    const Volume v = sine({96, 96, 96}, 0, 8.0);
    CancelOnFirstProgress c;
    BandPassParameters p;
    p.lowPassA = 20;
    EXPECT_THROW(bandPassFilter(v, p, FilterMode::Volume3D, c.control), CancelledError);
    EXPECT_LT(c.highest, 1.0);
}
