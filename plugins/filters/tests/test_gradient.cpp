#include <gtest/gtest.h>

#include <cmath>

#include "core/base/Errors.h"
#include "plugins/filters/logic/GradientMagnitude.h"
#include "plugins/filters/tests/TestVolumes.h"

using namespace cellforge;
using namespace cellforge::filters;
using namespace cellforge::filters::testing;

namespace {
// 3 per voxel along x and 4 per voxel along z: gradient length 5 per voxel.
Volume ramp() {
    Volume v({12, 10, 8}, ScalarType::Int16);
    for (std::int64_t z = 0; z < 8; ++z)
        for (std::int64_t y = 0; y < 10; ++y)
            for (std::int64_t x = 0; x < 12; ++x)
                v.data<std::int16_t>()[v.index(x, y, z)] = std::int16_t(3 * x + 4 * z);
    v.setVoxelSize({2, 2, 2});
    return v;
}
}  // namespace

TEST(GradientMagnitude, RampGivesItsSlopeWithBothOperators) {
    const Volume v = ramp();
    const RunControl control = threadsControl(2);
    for (GradientOperator op : {GradientOperator::Central, GradientOperator::Sobel}) {
        const Volume perVoxel = gradientMagnitude(v, op, false, FilterMode::Volume3D, control);
        const Volume perA = gradientMagnitude(v, op, true, FilterMode::Volume3D, control);
        for (std::int64_t z = 1; z < 7; ++z)
            for (std::int64_t y = 1; y < 9; ++y)
                for (std::int64_t x = 1; x < 11; ++x) {
                    ASSERT_NEAR(at(perVoxel, x, y, z), 5.0, 1e-5);
                    ASSERT_NEAR(at(perA, x, y, z), 2.5, 1e-5);
                }
        // In slices, z does not count.
        const Volume slices = gradientMagnitude(v, op, false, FilterMode::Slices2D, control);
        EXPECT_NEAR(at(slices, 5, 5, 5), 3.0, 1e-5);
    }
}

TEST(GradientMagnitude, SobelDiffersFromCentralOnACorner) {
    Volume v({9, 9, 9}, ScalarType::Float32);
    v.data<float>()[v.index(4, 4, 4)] = 1.f;
    const RunControl control;
    const Volume c = gradientMagnitude(v, GradientOperator::Central, false, FilterMode::Volume3D, control);
    const Volume s = gradientMagnitude(v, GradientOperator::Sobel, false, FilterMode::Volume3D, control);
    EXPECT_FLOAT_EQ(at(c, 5, 5, 4), 0.f);  // not a neighbour along an axis
    EXPECT_GT(at(s, 5, 5, 4), 0.f);        // the Sobel smoothing spreads to it
    EXPECT_FLOAT_EQ(at(c, 5, 4, 4), 0.5f);
    EXPECT_FLOAT_EQ(at(s, 5, 4, 4), 0.5f * 0.5f * 0.5f);
    EXPECT_FLOAT_EQ(at(c, 4, 4, 4), 0.f);
    EXPECT_THROW(gradientOperatorFromName("prewitt"), InputError);
}
