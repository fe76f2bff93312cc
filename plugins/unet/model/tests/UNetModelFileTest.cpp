// The U-Net in the general model file (kind "unet"): its architecture as key/values,
// and old files (format version 1, "cellforge-unet", like the shipped model) loading
// bit for bit: the same weights, metadata and network outputs after a round trip.
#include "core/base/Errors.h"
#include "plugins/unet/model/SegmentationNetwork.h"
#include "plugins/unet/model/UNetModelFile.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace cellforge;
using namespace cellforge::unet;

namespace {
const char* kShipped = CELLFORGE_SOURCE_DIR "/resources/models/unet-membrane-default.cfunet";

// The array section of a model file: after the metadata, before the checksum. The
// layout of arrays is the same in format versions 1 and 2.
std::vector<unsigned char> arraySection(const std::vector<unsigned char>& file) {
    std::uint64_t metaLength = 0;
    for (int i = 0; i < 8; ++i) metaLength |= std::uint64_t(file[12 + std::size_t(i)]) << (8 * i);
    return {file.begin() + std::ptrdiff_t(20 + metaLength), file.end() - 4};
}
}  // namespace

TEST(UNetModelFile, ArchitectureRoundTripsThroughKeyValues) {
    ModelMetadata m;
    m.architecture.depth = 3;
    m.architecture.contextSlices = 5;
    m.architecture.normalization = "group";
    m.architecture.dropout = 0.125;
    m.voxelSize = 13.5;
    m.notes["trainer"] = "test";
    const auto c = toModelFile(m, {});
    EXPECT_EQ(c.kind, "unet");
    EXPECT_EQ(c.architecture.integer("depth"), 3);
    EXPECT_EQ(c.architecture.text("normalization"), "group");
    const auto bytes = ml::encodeModelFile(c);
    const auto back = decodeUNetModelFile(bytes.data(), bytes.size(), "mem");
    EXPECT_EQ(back.formatVersion, 2);
    EXPECT_EQ(back.metadata.architecture.contextSlices, 5);
    EXPECT_EQ(back.metadata.architecture.normalization, "group");
    EXPECT_DOUBLE_EQ(back.metadata.architecture.dropout, 0.125);
    EXPECT_DOUBLE_EQ(back.metadata.voxelSize, 13.5);
    EXPECT_EQ(back.metadata.notes.at("trainer"), "test");
    EXPECT_EQ(back.metadata.classNames, (std::vector<std::string>{"background", "protein", "membrane"}));

    m.architecture.normalization = "weird";
    EXPECT_THROW(toModelFile(m, {}), InputError);
    m.architecture.normalization = "batch";
    m.architecture.depth = 0;
    try {
        toModelFile(m, {});
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("depth"), std::string::npos);
    }
    auto other = c;
    other.kind = "gan";
    EXPECT_THROW(unetMetadataOf(other, "x"), InputError);
}

TEST(UNetModelFile, ShippedVersionOneFileLoadsBitForBit) {
    const auto file = ml::readFileBytes(kShipped);
    const auto general = ml::decodeModelFile(file.data(), file.size(), kShipped);
    EXPECT_EQ(general.formatVersion, 1);
    EXPECT_EQ(general.kind, "unet");
    EXPECT_EQ(general.architecture.integer("depth"), 4);
    EXPECT_EQ(general.architecture.integer("context_slices"), 3);
    EXPECT_EQ(general.architecture.text("normalization"), "batch");

    const auto net = SegmentationNetwork::fromFile(kShipped);
    const auto rewritten = net.toBytes();  // format version 2
    // Every tensor as stored in the old file, byte for byte.
    EXPECT_EQ(arraySection(rewritten), arraySection(file));
    const auto again = SegmentationNetwork::fromBytes(rewritten, "rewritten");
    EXPECT_EQ(again.metadata().notes, net.metadata().notes);
    EXPECT_EQ(again.metadata().voxelSize, net.metadata().voxelSize);
    EXPECT_EQ(again.metadata().architecture.describe(), net.metadata().architecture.describe());
    EXPECT_EQ(again.toBytes(), rewritten);

    // The same outputs from the old file and from its rewritten form.
    std::vector<float> input(std::size_t(2 * 3 * 32 * 32));
    for (std::size_t i = 0; i < input.size(); ++i) input[i] = float(std::sin(0.37 * double(i)));
    EXPECT_EQ(net.forward(input.data(), 2, 32, 32), again.forward(input.data(), 2, 32, 32));
}
