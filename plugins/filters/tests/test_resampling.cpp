#include <gtest/gtest.h>

#include <cmath>

#include "core/base/Errors.h"
#include "plugins/filters/logic/GaussianFilter.h"
#include "plugins/filters/logic/Resampling.h"
#include "plugins/filters/tests/TestVolumes.h"

using namespace cellforge;
using namespace cellforge::filters;
using namespace cellforge::filters::testing;

namespace {
Vec3 extentOf(const Volume& v) {
    return {double(v.nx()) * v.voxelSize()[0], double(v.ny()) * v.voxelSize()[1], double(v.nz()) * v.voxelSize()[2]};
}
double meanOf(const Volume& v) { return computeStatistics(v).mean; }
// Smooth random structure on an offset: a realistic image whose mean is well defined.
Volume smoothRandom(Index3 dims, Vec3 voxel) {
    const RunControl control;
    Volume v = gaussianFilter(randomVolume(dims, 17, 0.f, 10.f), 2.0, FilterMode::Volume3D, control);
    v.setVoxelSize(voxel);
    v.setOrigin({100.0, -50.0, 20.0});
    return v;
}
}  // namespace

TEST(Binning, AveragesBlocksAndKeepsExtentAndMean) {
    Volume v = randomVolume({8, 6, 4}, 4);
    v.setVoxelSize({5, 5, 7});
    v.setOrigin({1, 2, 3});
    const RunControl control = threadsControl(2);
    const Volume out = binVolume(v, 2, FilterMode::Volume3D, control);
    ASSERT_EQ(out.dims(), (Index3{4, 3, 2}));
    EXPECT_EQ(out.voxelSize(), (Vec3{10, 10, 14}));
    EXPECT_EQ(out.origin(), v.origin());
    EXPECT_EQ(extentOf(out), extentOf(v));
    EXPECT_NEAR(meanOf(out), meanOf(v), 1e-6);
    double block = 0;
    for (int z = 2; z < 4; ++z)
        for (int y = 4; y < 6; ++y)
            for (int x = 6; x < 8; ++x) block += at(v, x, y, z);
    EXPECT_NEAR(at(out, 3, 2, 1), block / 8, 1e-6);
}

TEST(Binning, SlicesModeKeepsZAndLeftoversAreDropped) {
    Volume v = randomVolume({9, 7, 3}, 5);
    const RunControl control;
    const Volume out = binVolume(v, 2, FilterMode::Slices2D, control);
    ASSERT_EQ(out.dims(), (Index3{4, 3, 3}));
    EXPECT_EQ(out.voxelSize(), (Vec3{2, 2, 1}));
    EXPECT_NEAR(at(out, 0, 0, 2), (at(v, 0, 0, 2) + at(v, 1, 0, 2) + at(v, 0, 1, 2) + at(v, 1, 1, 2)) / 4, 1e-6);
    // A 2D image (nz = 1) is binned in x and y only, even in 3D mode.
    const Volume image = binVolume(randomVolume({8, 8, 1}, 6), 4, FilterMode::Volume3D, control);
    EXPECT_EQ(image.dims(), (Index3{2, 2, 1}));
    try {
        binVolume(randomVolume({8, 3, 8}, 7), 4, FilterMode::Volume3D, control);
        FAIL() << "factor larger than an axis accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("y size"), std::string::npos) << e.what();
    }
    EXPECT_THROW(binVolume(v, 0, FilterMode::Volume3D, control), InputError);
}

TEST(Resample, HalvingKeepsExtentCentreAndMean) {
    const Volume v = smoothRandom({64, 48, 32}, {5, 5, 5});
    const RunControl control = threadsControl(2);
    ResampleParameters p;
    p.voxelSize = 10.0;
    const Volume out = resampleToVoxelSize(v, p, FilterMode::Volume3D, control);
    ASSERT_EQ(out.dims(), (Index3{32, 24, 16}));
    EXPECT_EQ(out.voxelSize(), (Vec3{10, 10, 10}));
    EXPECT_EQ(extentOf(out), extentOf(v));
    EXPECT_EQ(out.origin(), v.origin());
    EXPECT_NEAR(meanOf(out), meanOf(v), 1e-3 * std::abs(meanOf(v)));
}

TEST(Resample, ToAVoxelSizeThatDoesNotDivideTheExtent) {
    const Volume v = smoothRandom({50, 40, 30}, {6.8, 6.8, 6.8});
    const RunControl control;
    for (auto interpolation : {Interpolation::Linear, Interpolation::BSpline, Interpolation::Nearest}) {
        ResampleParameters p;
        p.voxelSize = 10.0;
        p.interpolation = interpolation;
        const Volume out = resampleToVoxelSize(v, p, FilterMode::Volume3D, control);
        EXPECT_EQ(out.dims(), (Index3{34, 27, 20}));  // round(340 / 10), round(272 / 10), round(204 / 10)
        EXPECT_EQ(out.voxelSize(), (Vec3{10, 10, 10}));
        for (int a = 0; a < 3; ++a) {
            EXPECT_LE(std::abs(extentOf(out)[a] - extentOf(v)[a]), 10.0 / 2 + 1e-9);
            const double centreIn = v.origin()[a] + extentOf(v)[a] / 2;
            const double centreOut = out.origin()[a] + extentOf(out)[a] / 2;
            EXPECT_NEAR(centreOut, centreIn, 1e-9);
        }
        EXPECT_NEAR(meanOf(out), meanOf(v), 0.01 * std::abs(meanOf(v)));
    }
}

TEST(Resample, LinearRampIsReproducedAndConstantsStayConstant) {
    Volume ramp({40, 8, 8}, ScalarType::Float32);
    for (std::int64_t z = 0; z < 8; ++z)
        for (std::int64_t y = 0; y < 8; ++y)
            for (std::int64_t x = 0; x < 40; ++x) ramp.data<float>()[ramp.index(x, y, z)] = float(x);
    ramp.setVoxelSize({4, 4, 4});
    const RunControl control;
    ResampleParameters p;
    p.voxelSize = 2.0;  // upsampling: no smoothing
    const Volume up = resampleToVoxelSize(ramp, p, FilterMode::Volume3D, control);
    ASSERT_EQ(up.dims(), (Index3{80, 16, 16}));
    // Output centre x (in Å from the origin) is (i + 0.5) * 2; input value = Å / 4 - 0.5.
    for (std::int64_t i = 2; i < 78; ++i) EXPECT_NEAR(at(up, i, 5, 5), (i + 0.5) * 2 / 4 - 0.5, 1e-5) << i;

    const Volume flat = resampleToVoxelSize(constantVolume({30, 30, 30}, 3.5f), p, FilterMode::Volume3D, control);
    const VolumeStatistics s = computeStatistics(flat);
    EXPECT_NEAR(s.min, 3.5, 1e-5);
    EXPECT_NEAR(s.max, 3.5, 1e-5);
}

TEST(Resample, SlicesModeKeepsZ) {
    const Volume v = smoothRandom({40, 40, 7}, {5, 5, 5});
    const RunControl control;
    ResampleParameters p;
    p.voxelSize = 10.0;
    const Volume out = resampleToVoxelSize(v, p, FilterMode::Slices2D, control);
    EXPECT_EQ(out.dims(), (Index3{20, 20, 7}));
    EXPECT_EQ(out.voxelSize(), (Vec3{10, 10, 5}));
    EXPECT_EQ(out.origin()[2], v.origin()[2]);
    EXPECT_THROW(
        [&] {
            p.voxelSize = -3;
            resampleToVoxelSize(v, p, FilterMode::Volume3D, control);
        }(),
        InputError);
}
