#include <gtest/gtest.h>
#include <itkMeanImageFilter.h>

#include "core/base/Errors.h"
#include "plugins/filters/logic/ItkSupport.h"
#include "plugins/filters/tests/TestVolumes.h"

using namespace cellforge;
using namespace cellforge::filters;
using namespace cellforge::filters::testing;

namespace {
auto meanFilter = [](auto* image) {
    using Image = std::remove_pointer_t<decltype(image)>;
    auto filter = itk::MeanImageFilter<Image, Image>::New();
    filter->SetInput(image);
    typename Image::SizeType radius;
    radius.Fill(2);
    filter->SetRadius(radius);
    return filter;
};
}  // namespace

TEST(ItkSupport, SlabsGiveTheSameResultAsOneUpdate) {
    // 256 x 256 planes: four planes a slab, so 13 slabs whose borders the 5³ window crosses.
    Volume v = randomVolume({256, 256, 50}, 12);
    v.setVoxelSize({3, 4, 5});
    v.setOrigin({7, 8, 9});
    JobContext ctx;
    ctx.setThreadBudget(2);
    const Volume whole = filterWithItk(v, FilterMode::Volume3D, ItkExecution::Whole, ProgressSpan(ctx), meanFilter);
    const Volume slabs = filterWithItk(v, FilterMode::Volume3D, ItkExecution::Slabs, ProgressSpan(ctx), meanFilter);
    ASSERT_EQ(slabs.dims(), v.dims());
    EXPECT_EQ(slabs.voxelSize(), v.voxelSize());
    EXPECT_EQ(slabs.origin(), v.origin());
    EXPECT_EQ(whole.voxelSize(), v.voxelSize());
    EXPECT_EQ(whole.origin(), v.origin());
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) ASSERT_EQ(slabs.data<float>()[i], whole.data<float>()[i]) << i;
    // Mean of a 5³ window: check one interior voxel by hand.
    double sum = 0;
    for (int z = 8; z <= 12; ++z)
        for (int y = 98; y <= 102; ++y)
            for (int x = 48; x <= 52; ++x) sum += at(v, x, y, z);
    EXPECT_NEAR(at(slabs, 50, 100, 10), sum / 125, 1e-5);
}

TEST(ItkSupport, SlicesUseA2DWindowAndCancellationStopsBetweenSlabs) {
    Volume v = randomVolume({64, 64, 6}, 13);
    JobContext ctx;
    const Volume slices = filterWithItk(v, FilterMode::Slices2D, ItkExecution::Slabs, ProgressSpan(ctx), meanFilter);
    double sum = 0;
    for (int y = 18; y <= 22; ++y)
        for (int x = 8; x <= 12; ++x) sum += at(v, x, y, 3);
    EXPECT_NEAR(at(slices, 10, 20, 3), sum / 25, 1e-5);

    const Volume big = randomVolume({512, 512, 40}, 14);
    CancelOnFirstProgress c;
    EXPECT_THROW(filterWithItk(big, FilterMode::Volume3D, ItkExecution::Slabs, ProgressSpan(c.context), meanFilter),
                 CancelledError);
    EXPECT_LT(c.context.progress(), 0.5);
}
