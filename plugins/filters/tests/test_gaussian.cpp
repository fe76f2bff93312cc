#include <gtest/gtest.h>

#include <cmath>

#include "core/base/Errors.h"
#include "plugins/filters/logic/GaussianFilter.h"
#include "plugins/filters/tests/TestVolumes.h"

using namespace cellforge;
using namespace cellforge::filters;
using namespace cellforge::filters::testing;

TEST(GaussianKernel, MatchesScipyDefinition) {
    const auto k = gaussianKernel1d(2.0);
    ASSERT_EQ(k.size(), 17u);  // radius int(4 * 2 + 0.5) = 8
    double sum = 0;
    for (double v : k) sum += v;
    EXPECT_NEAR(sum, 1.0, 1e-15);
    const double norm = k[8];
    for (int i = -8; i <= 8; ++i) {
        EXPECT_NEAR(k[std::size_t(i + 8)] / norm, std::exp(-i * i / 8.0), 1e-14);
        EXPECT_EQ(k[std::size_t(i + 8)], k[std::size_t(8 - i)]);
    }
    EXPECT_EQ(gaussianKernel1d(1.5).size(), 13u);  // radius int(6.5) = 6
    EXPECT_EQ(gaussianKernel1d(0.0).size(), 1u);
}

TEST(GaussianFilter, SingleBrightVoxelGivesTheSampledKernel) {
    Volume v({41, 37, 33}, ScalarType::Float32);
    v.data<float>()[v.index(20, 18, 16)] = 1.0f;
    const RunControl control = threadsControl(2);
    const Volume out = gaussianFilter(v, 2.0, FilterMode::Volume3D, control);
    const auto k = gaussianKernel1d(2.0);
    double maxErr = 0, total = 0;
    for (std::int64_t z = 0; z < 33; ++z)
        for (std::int64_t y = 0; y < 37; ++y)
            for (std::int64_t x = 0; x < 41; ++x) {
                const std::int64_t dx = x - 20, dy = y - 18, dz = z - 16;
                double expected = 0;
                if (std::abs(dx) <= 8 && std::abs(dy) <= 8 && std::abs(dz) <= 8)
                    expected = k[std::size_t(dx + 8)] * k[std::size_t(dy + 8)] * k[std::size_t(dz + 8)];
                maxErr = std::max(maxErr, std::abs(double(at(out, x, y, z)) - expected));
                total += at(out, x, y, z);
            }
    EXPECT_LT(maxErr, 1e-8);
    EXPECT_NEAR(total, 1.0, 1e-5);
}

TEST(GaussianFilter, SlicesModeSmoothsEachSliceAlone) {
    Volume v({31, 31, 5}, ScalarType::Float32);
    v.data<float>()[v.index(15, 15, 2)] = 1.0f;
    const RunControl control;
    const Volume out = gaussianFilter(v, 1.5, FilterMode::Slices2D, control);
    const auto k = gaussianKernel1d(1.5);  // radius 6
    for (std::int64_t z = 0; z < 5; ++z)
        for (std::int64_t y = 0; y < 31; ++y)
            for (std::int64_t x = 0; x < 31; ++x) {
                const std::int64_t dx = x - 15, dy = y - 15;
                double expected = 0;
                if (z == 2 && std::abs(dx) <= 6 && std::abs(dy) <= 6)
                    expected = k[std::size_t(dx + 6)] * k[std::size_t(dy + 6)];
                ASSERT_NEAR(at(out, x, y, z), expected, 1e-8) << x << "," << y << "," << z;
            }
}

// Reference: direct separable sum in double with scipy's 'reflect' borders.
static double reflected(const Volume& v, std::int64_t x, std::int64_t y, std::int64_t z) {
    return at(v, reflectIndex(x, v.nx()), reflectIndex(y, v.ny()), reflectIndex(z, v.nz()));
}

TEST(GaussianFilter, BordersReflectLikeScipyEvenWhenTheKernelIsWiderThanTheVolume) {
    // sigma 1.5 → radius 6, wider than ny = 5 and nz = 3: the borders reflect repeatedly.
    const Volume v = randomVolume({13, 5, 3}, 7);
    const RunControl control;
    const Volume out = gaussianFilter(v, 1.5, FilterMode::Volume3D, control);
    const auto k = gaussianKernel1d(1.5);
    const int r = 6;
    double maxErr = 0;
    for (std::int64_t z = 0; z < v.nz(); ++z)
        for (std::int64_t y = 0; y < v.ny(); ++y)
            for (std::int64_t x = 0; x < v.nx(); ++x) {
                double sum = 0;
                for (int c = -r; c <= r; ++c)
                    for (int b = -r; b <= r; ++b)
                        for (int a = -r; a <= r; ++a)
                            sum += k[std::size_t(a + r)] * k[std::size_t(b + r)] * k[std::size_t(c + r)] *
                                   reflected(v, x + a, y + b, z + c);
                maxErr = std::max(maxErr, std::abs(sum - at(out, x, y, z)));
            }
    EXPECT_LT(maxErr, 2e-6);
}

TEST(GaussianFilter, PerAxisSigmaAndZeroSigmaAxisIsUntouched) {
    const Volume v = randomVolume({9, 8, 7}, 3);
    const RunControl control;
    const Volume out = gaussianFilter(v, Vec3{0.0, 0.0, 0.0}, control);
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) ASSERT_EQ(out.data<float>()[i], v.data<float>()[i]);
    // Only z smoothed: a volume constant along z is unchanged.
    Volume layered({6, 5, 9}, ScalarType::Float32);
    for (std::int64_t z = 0; z < 9; ++z)
        for (std::int64_t y = 0; y < 5; ++y)
            for (std::int64_t x = 0; x < 6; ++x) layered.data<float>()[layered.index(x, y, z)] = float(x * 10 + y);
    const Volume zOnly = gaussianFilter(layered, Vec3{0.0, 0.0, 2.0}, control);
    for (std::int64_t i = 0; i < layered.voxelCount(); ++i)
        ASSERT_NEAR(zOnly.data<float>()[i], layered.data<float>()[i], 1e-4);
}

TEST(GaussianFilter, KeepsGeometryAcceptsIntegerTypesAndIsThreadIndependent) {
    Volume v({20, 18, 16}, ScalarType::UInt16);
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) v.data<std::uint16_t>()[i] = std::uint16_t((i * 7919) % 4001);
    v.setVoxelSize({4.5, 4.5, 6.0});
    v.setOrigin({10.0, -3.0, 2.5});
    const RunControl one = threadsControl(1), two = threadsControl(2);
    const Volume a = gaussianFilter(v, 1.2, FilterMode::Volume3D, one);
    const Volume b = gaussianFilter(v.toFloat32(), 1.2, FilterMode::Volume3D, two);
    EXPECT_EQ(a.scalarType(), ScalarType::Float32);
    EXPECT_EQ(a.voxelSize(), v.voxelSize());
    EXPECT_EQ(a.origin(), v.origin());
    EXPECT_EQ(a.dims(), v.dims());
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) ASSERT_EQ(a.data<float>()[i], b.data<float>()[i]);
    // The input was not modified and is not shared with the output.
    EXPECT_EQ(v.data<std::uint16_t>()[5], std::uint16_t((5 * 7919) % 4001));
}

TEST(GaussianFilter, RefusesBadParameters) {
    const Volume v = randomVolume({8, 8, 8}, 1);
    const RunControl control;
    try {
        gaussianFilter(v, -1.0, FilterMode::Volume3D, control);
        FAIL() << "negative sigma accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("sigma"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("-1"), std::string::npos) << e.what();
    }
    EXPECT_THROW(gaussianFilter(v, std::nan(""), FilterMode::Volume3D, control), InputError);
    EXPECT_THROW(gaussianFilter(v, 1.0, FilterMode::Volume3D, control, 0.0), InputError);
    EXPECT_THROW(gaussianFilter(Volume(), 1.0, FilterMode::Volume3D, control), InputError);
}

TEST(GaussianFilter, StopsWhenCancelled) {
    const Volume v = randomVolume({96, 96, 96}, 2);
    CancelOnFirstProgress c;
    EXPECT_THROW(gaussianFilter(v, 2.0, FilterMode::Volume3D, c.control), CancelledError);
    EXPECT_EQ(c.reports, 1);
    EXPECT_LT(c.highest, 0.5);
}

TEST(GaussianFilter, ReportsIntoTheRangeOfASubControlAndEndsThere) {
    // How resampling runs its anti-aliasing Gaussian: as one step of a longer computation.
    const Volume v = randomVolume({24, 20, 16}, 4);
    ProgressLog log(2);
    const Volume sub = gaussianFilter(v, 1.0, FilterMode::Volume3D, log.control.sub(0.2, 0.6));
    EXPECT_TRUE(log.endsAtAndStaysWithin(0.2, 0.6));
    EXPECT_GT(log.fractions.size(), 2u);  // both passes report, not just the end
    // The thread budget and progress sink do not change the result.
    const Volume plain = gaussianFilter(v, 1.0, FilterMode::Volume3D, RunControl());
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) ASSERT_EQ(sub.data<float>()[i], plain.data<float>()[i]);
}
