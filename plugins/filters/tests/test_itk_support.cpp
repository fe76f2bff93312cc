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
    const RunControl control = threadsControl(2);
    const Volume whole = filterWithItk(v, FilterMode::Volume3D, ItkExecution::Whole, control, meanFilter);
    const Volume slabs = filterWithItk(v, FilterMode::Volume3D, ItkExecution::Slabs, control, meanFilter);
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
    const RunControl control;
    const Volume slices = filterWithItk(v, FilterMode::Slices2D, ItkExecution::Slabs, control, meanFilter);
    double sum = 0;
    for (int y = 18; y <= 22; ++y)
        for (int x = 8; x <= 12; ++x) sum += at(v, x, y, 3);
    EXPECT_NEAR(at(slices, 10, 20, 3), sum / 25, 1e-5);

    const Volume big = randomVolume({512, 512, 40}, 14);
    CancelOnFirstProgress c;
    EXPECT_THROW(filterWithItk(big, FilterMode::Volume3D, ItkExecution::Slabs, c.control, meanFilter), CancelledError);
    EXPECT_LT(c.highest, 0.5);
}

TEST(ItkSupport, RunItkFilterUsesTheThreadBudgetAndReportsIntoItsRange) {
    const Volume v = randomVolume({64, 64, 16}, 15);
    auto image = itkView<float>(v);
    auto filter = meanFilter(image.GetPointer());
    ProgressLog log(3);
    runItkFilter(filter.GetPointer(), log.control.sub(0.25, 0.75));
    EXPECT_EQ(filter->GetNumberOfWorkUnits(), 3u);
    EXPECT_TRUE(log.endsAtAndStaysWithin(0.25, 0.75));
    // Slab by slab, the slabs share the range in order and the last one ends it.
    ProgressLog slabs(2);
    filterWithItk(v, FilterMode::Volume3D, ItkExecution::Slabs, slabs.control, meanFilter);
    EXPECT_TRUE(slabs.endsAtAndStaysWithin(0.0, 1.0));
}

TEST(ItkSupport, ACancelBeforeTheRunStopsItBeforeAnyWork) {
    const Volume v = randomVolume({32, 32, 8}, 16);
    std::atomic<bool> cancelled{true};
    ProgressLog log(2);
    log.control.cancel = &cancelled;
    EXPECT_THROW(filterWithItk(v, FilterMode::Slices2D, ItkExecution::Slabs, log.control, meanFilter), CancelledError);
    EXPECT_TRUE(log.fractions.empty());
}
