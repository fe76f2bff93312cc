// The two newer data kinds on disk: multi-channel images and image sets, written as a
// manifest with one MRC per channel/image and read back through io::readData.
#include "core/base/Errors.h"
#include "core/data/ImageSet.h"
#include "core/data/MultiChannelImage.h"
#include "core/io/DataIO.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QTemporaryDir>

using namespace cellforge;

namespace {
std::shared_ptr<Volume> ramp(Index3 dims, float offset) {
    auto v = std::make_shared<Volume>(dims, ScalarType::Float32);
    v->setVoxelSize({8, 8, 8});
    for (std::int64_t i = 0; i < v->voxelCount(); ++i) v->data<float>()[i] = float(i) + offset;
    return v;
}
}  // namespace

TEST(DataKinds, NewKindsHaveNamesAndConvertNothing) {
    EXPECT_EQ(dataKindName(DataKind::MultiChannelImage), "MultiChannelImage");
    EXPECT_EQ(dataKindFromName("ImageSet"), DataKind::ImageSet);
    EXPECT_TRUE(dataKindAccepts(DataKind::Volume, DataKind::LabelVolume));
    EXPECT_FALSE(dataKindAccepts(DataKind::Volume, DataKind::MultiChannelImage));
    EXPECT_FALSE(dataKindAccepts(DataKind::MultiChannelImage, DataKind::Volume));
    try {
        dataKindFromName("Hyperstack");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("MultiChannelImage"), std::string::npos) << e.what();
    }
}

TEST(MultiChannelImage, ChannelsMustShareTheGrid) {
    MultiChannelImage image;
    image.addChannel("membrane", ramp({4, 3, 2}, 0));
    EXPECT_THROW(image.addChannel("dna", ramp({4, 3, 1}, 0)), InputError);
    EXPECT_THROW(image.addChannel("membrane", ramp({4, 3, 2}, 0)), InputError);
    image.addChannel("dna", ramp({4, 3, 2}, 100));
    EXPECT_EQ(image.channelIndex("dna"), 1u);
    EXPECT_THROW(image.channelIndex("actin"), InputError);
}

TEST(MultiChannelImage, RoundTripsThroughAChannelsManifest) {
    QTemporaryDir dir;
    MultiChannelImage image;
    image.addChannel("membrane", ramp({4, 3, 2}, 0));
    image.addChannel("dna stain", ramp({4, 3, 2}, 100));
    const std::string base = QDir(dir.path()).filePath("cell").toStdString();
    const std::string written = io::writeData(base, image);
    EXPECT_EQ(written, base + ".channels.json");
    EXPECT_TRUE(QFileInfo::exists(QDir(dir.path()).filePath("cell_dna_stain.mrc")));
    const auto back = dataAs<MultiChannelImage>(io::readData(written, DataKind::MultiChannelImage), "cell");
    ASSERT_EQ(back->channelCount(), 2u);
    EXPECT_EQ(back->channel(1).name, "dna stain");
    EXPECT_DOUBLE_EQ(back->channel(1).image->valueAt(3, 2, 1), 100.0 + 23);
    // A plain volume reads as one channel.
    const auto one = dataAs<MultiChannelImage>(
        io::readData(QDir(dir.path()).filePath("cell_membrane.mrc").toStdString(), DataKind::MultiChannelImage), "m");
    EXPECT_EQ(one->channelCount(), 1u);
}

TEST(ImageSet, RoundTripsThroughAManifestAndReadsAFolder) {
    QTemporaryDir dir;
    ImageSet set;
    set.add("cell001", ramp({4, 4, 1}, 0));
    set.add("cell002", ramp({6, 5, 3}, 1));
    EXPECT_THROW(set.add("cell001", ramp({2, 2, 1}, 0)), InputError);
    QDir(dir.path()).mkdir("train");
    const std::string manifest = QDir(dir.path()).filePath("train/train.imageset.json").toStdString();
    io::writeData(manifest, set);
    const auto back = dataAs<ImageSet>(io::readData(manifest, DataKind::ImageSet), "train");
    ASSERT_EQ(back->size(), 2u);
    EXPECT_EQ(back->entry(1).image->dims(), (Index3{6, 5, 3}));
    EXPECT_NE(back->find("cell002"), nullptr);
    // The folder of the MRC files reads as a set too, by file name.
    const auto folder =
        dataAs<ImageSet>(io::readData(QDir(dir.path()).filePath("train").toStdString(), DataKind::ImageSet), "dir");
    EXPECT_EQ(folder->size(), 2u);
    EXPECT_EQ(folder->entry(0).name, "train_cell001");
    // A manifest of the wrong kind says what it expected.
    try {
        io::readData(manifest, DataKind::MultiChannelImage);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(".channels.json"), std::string::npos) << e.what();
    }
}
