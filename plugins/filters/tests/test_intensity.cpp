#include <gtest/gtest.h>

#include <cmath>

#include "core/base/Errors.h"
#include "plugins/filters/logic/IntensityNormalization.h"
#include "plugins/filters/tests/TestVolumes.h"

using namespace cellforge;
using namespace cellforge::filters;
using namespace cellforge::filters::testing;

TEST(ZScore, GivesZeroMeanAndUnitDeviation) {
    Volume v = randomVolume({30, 20, 10}, 3, 50.f, 90.f);
    v.setVoxelSize({3, 3, 3});
    const RunControl control = threadsControl(2);
    const Volume out = zScoreNormalize(v, FilterMode::Volume3D, control);
    const VolumeStatistics s = computeStatistics(out);
    EXPECT_NEAR(s.mean, 0.0, 1e-5);
    EXPECT_NEAR(s.rms, 1.0, 1e-5);
    EXPECT_EQ(out.voxelSize(), v.voxelSize());
    // Order kept: the brightest input voxel is the brightest output voxel.
    const VolumeStatistics in = computeStatistics(v);
    EXPECT_NEAR(s.max, (in.max - in.mean) / in.rms, 1e-4);
}

TEST(ZScore, PerSliceNormalizesEachSlice) {
    Volume v({10, 10, 3}, ScalarType::Int16);
    for (std::int64_t i = 0; i < v.voxelCount(); ++i)
        v.data<std::int16_t>()[i] = std::int16_t((i % 100) * (i / 100 + 1) + 1000 * (i / 100));
    const RunControl control;
    const Volume out = zScoreNormalize(v, FilterMode::Slices2D, control);
    for (std::int64_t z = 0; z < 3; ++z) {
        double s = 0, ss = 0;
        for (std::int64_t i = 0; i < 100; ++i) {
            const double a = out.data<float>()[z * 100 + i];
            s += a;
            ss += a * a;
        }
        EXPECT_NEAR(s / 100, 0.0, 1e-5);
        EXPECT_NEAR(std::sqrt(ss / 100), 1.0, 1e-5);
    }
    const Volume flat = zScoreNormalize(constantVolume({4, 4, 4}, 7.f), FilterMode::Volume3D, control);
    for (std::int64_t i = 0; i < 64; ++i) EXPECT_EQ(flat.data<float>()[i], 0.f);
}

TEST(Percentile, InterpolatesLikeNumpy) {
    std::vector<float> a{4, 1, 3, 2};
    EXPECT_DOUBLE_EQ(percentileOf(a.data(), 4, 50.0), 2.5);  // numpy.percentile([1,2,3,4], 50)
    std::vector<float> b{10, 20, 30, 40, 50};
    EXPECT_DOUBLE_EQ(percentileOf(b.data(), 5, 10.0), 14.0);  // rank 0.4
    EXPECT_DOUBLE_EQ(percentileOf(b.data(), 5, 100.0), 50.0);
    EXPECT_DOUBLE_EQ(percentileOf(b.data(), 5, 0.0), 10.0);
}

TEST(Percentile, MapsToUnitRangeAndClips) {
    Volume v({101, 1, 1}, ScalarType::UInt8);
    for (int i = 0; i <= 100; ++i) v.data<std::uint8_t>()[i] = std::uint8_t(100 - i);  // 100 .. 0
    const RunControl control;
    const Volume out = percentileNormalize(v, 10.0, 90.0, FilterMode::Volume3D, control);
    // The 10th percentile is 10, the 90th is 90: v → (v - 10) / 80, clipped.
    for (int i = 0; i <= 100; ++i) {
        const double value = 100 - i;
        const double expected = std::clamp((value - 10.0) / 80.0, 0.0, 1.0);
        ASSERT_NEAR(out.data<float>()[i], expected, 1e-6) << value;
    }
}

TEST(Percentile, RefusesBadPercentiles) {
    const Volume v = randomVolume({5, 5, 5}, 1);
    const RunControl control;
    EXPECT_THROW(percentileNormalize(v, 90, 10, FilterMode::Volume3D, control), InputError);
    EXPECT_THROW(percentileNormalize(v, -1, 10, FilterMode::Volume3D, control), InputError);
    try {
        percentileNormalize(v, 5, 150, FilterMode::Volume3D, control);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("high_percentile"), std::string::npos) << e.what();
    }
}

TEST(Invert, SwapsDarkAndBright) {
    Volume v({3, 1, 1}, ScalarType::UInt16);
    v.data<std::uint16_t>()[0] = 10;
    v.data<std::uint16_t>()[1] = 15;
    v.data<std::uint16_t>()[2] = 40;
    const RunControl control;
    const Volume range = invertContrast(v, InversionMethod::Range, control);
    EXPECT_EQ(range.data<float>()[0], 40.f);
    EXPECT_EQ(range.data<float>()[1], 35.f);
    EXPECT_EQ(range.data<float>()[2], 10.f);
    const Volume neg = invertContrast(v, InversionMethod::Negate, control);
    EXPECT_EQ(neg.data<float>()[1], -15.f);
    EXPECT_THROW(inversionMethodFromName("upside-down"), InputError);
}

TEST(ZScore, ReportsTheStatisticsThenTheMappingUpToOne) {
    const Volume v = randomVolume({64, 64, 32}, 5);
    ProgressLog whole(2);
    zScoreNormalize(v, FilterMode::Volume3D, whole.control);
    EXPECT_TRUE(whole.endsAtAndStaysWithin(0.0, 1.0));
    ASSERT_FALSE(whole.fractions.empty());
    EXPECT_EQ(whole.fractions.front(), 0.5);  // the statistics, before the mapping
    ProgressLog slices(2);
    zScoreNormalize(v, FilterMode::Slices2D, slices.control);
    EXPECT_TRUE(slices.endsAtAndStaysWithin(0.0, 1.0));
}
