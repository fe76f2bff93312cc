// Slice extraction: orientation of the three views, windowing, label colours.
#include "app/render/SliceExtractor.h"

#include <gtest/gtest.h>

using namespace cellforge;

namespace {
Volume ramp() {
    Volume v({4, 3, 2}, ScalarType::Float32);
    float* p = v.data<float>();
    for (std::int64_t z = 0; z < 2; ++z)
        for (std::int64_t y = 0; y < 3; ++y)
            for (std::int64_t x = 0; x < 4; ++x) p[v.index(x, y, z)] = float(100 * z + 10 * y + x);
    return v;
}
}  // namespace

TEST(SliceExtractor, ViewAxesFollowThe3dmodConvention) {
    EXPECT_EQ(sliceAxes(SliceAxis::XY).u, 0);
    EXPECT_EQ(sliceAxes(SliceAxis::XY).v, 1);
    EXPECT_EQ(sliceAxes(SliceAxis::XZ).v, 2);  // z up, x shared with XY
    EXPECT_EQ(sliceAxes(SliceAxis::YZ).u, 2);  // z to the right, y shared with XY
    EXPECT_EQ(sliceAxes(SliceAxis::YZ).v, 1);
    const SliceSize s = sliceSize({4, 3, 2}, SliceAxis::YZ);
    EXPECT_EQ(s.width, 2);
    EXPECT_EQ(s.height, 3);
    EXPECT_EQ(s.depth, 4);
}

TEST(SliceExtractor, PixelsComeFromTheRightVoxels) {
    const Volume v = ramp();
    // Window [0, 255] maps values to themselves.
    std::vector<std::uint8_t> out(12);
    scalarSliceToPixels(v, SliceAxis::XY, 1, 0, 255, nullptr, 1, out.data());
    EXPECT_EQ(out[0], 100);          // (x0, y0, z1): bottom-left first
    EXPECT_EQ(out[3 + 4 * 2], 123);  // (x3, y2)
    scalarSliceToPixels(v, SliceAxis::XZ, 2, 0, 255, nullptr, 1, out.data());
    EXPECT_EQ(out[1 + 4 * 1], 121);  // u = x1, v = z1 at y = 2
    scalarSliceToPixels(v, SliceAxis::YZ, 3, 0, 255, nullptr, 1, out.data());
    EXPECT_EQ(out[1 + 2 * 2], 123);  // u = z1, v = y2 at x = 3
    EXPECT_EQ(out[0 + 2 * 1], 13);   // u = z0, v = y1
}

TEST(SliceExtractor, WindowClampsAndColorTablesApply) {
    const Volume v = ramp();
    std::vector<std::uint8_t> out(12 * 3);
    scalarSliceToPixels(v, SliceAxis::XY, 0, 10, 20, nullptr, 1, out.data());
    EXPECT_EQ(out[0], 0);            // 0 below the window
    EXPECT_EQ(out[1 + 4 * 1], 26);   // 11 -> (11-10)/10*255 = 25.5 -> 26
    EXPECT_EQ(out[3 + 4 * 2], 255);  // 23 above
    const ColorTable hot = makeColorTable("hot");
    scalarSliceToPixels(v, SliceAxis::XY, 0, 0, 23, &hot, 3, out.data());
    const std::size_t last = 3 * (3 + 4 * 2);
    EXPECT_EQ(out[last], 255);
    EXPECT_EQ(out[last + 1], 255);
    EXPECT_EQ(out[last + 2], 255);  // hot ends in white
    EXPECT_EQ(out[0], 0);
}

TEST(SliceExtractor, LabelsAndProbabilityThreshold) {
    LabelVolume labels({3, 3, 1});
    labels.labels()[4] = 2;
    labels.table().set({2, "membrane", {10, 20, 30}});
    const LabelLut lut = makeLabelLut(labels.table());
    std::vector<std::uint8_t> rgba(9 * 4);
    labelSliceToRgba(labels, SliceAxis::XY, 0, lut, rgba.data());
    EXPECT_EQ(rgba[3], 0);  // background transparent
    EXPECT_EQ(rgba[16], 10);
    EXPECT_EQ(rgba[17], 20);
    EXPECT_EQ(rgba[18], 30);
    EXPECT_EQ(rgba[19], 255);

    Volume prob({3, 1, 1}, ScalarType::Float32);
    prob.data<float>()[0] = 0.2f;
    prob.data<float>()[1] = 0.6f;
    prob.data<float>()[2] = 1.0f;
    probabilitySliceToRgba(prob, SliceAxis::XY, 0, 0, 1, 0.5, makeColorTable("gray"), rgba.data());
    EXPECT_EQ(rgba[3], 0);
    EXPECT_EQ(rgba[7], 255);
    EXPECT_EQ(rgba[4], 153);  // 0.6 * 255
    EXPECT_EQ(rgba[8], 255);
}

TEST(SliceExtractor, PercentileWindowIgnoresOutliers) {
    Volume v({100, 100, 10}, ScalarType::Float32);
    float* p = v.data<float>();
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) p[i] = float(i % 1000) / 1000.0f;
    p[5] = 1e6f;
    p[7] = -1e6f;
    const auto w = percentileWindow(v, 0.01, 0.99);
    EXPECT_NEAR(w.first, 0.01, 0.01);
    EXPECT_NEAR(w.second, 0.99, 0.01);
}
