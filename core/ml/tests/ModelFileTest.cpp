// The model file container: round trip, and refusal of wrong or corrupt files.
#include "core/base/Errors.h"
#include "core/ml/ModelFile.h"

#include <gtest/gtest.h>

using namespace cellforge;
using namespace cellforge::ml;

namespace {
std::vector<unsigned char> sample() {
    ModelMetadata m;
    m.voxelSize = 13.5;
    m.notes["trainer"] = "test";
    NamedArray w;
    w.name = "w";
    w.shape = {2, 3};
    w.values = {1, 2, 3, 4, 5, 6.5f};
    NamedArray n;
    n.name = "n";
    n.integer = true;
    n.shape = {};
    n.integers = {42};
    return encodeModelFile(m, {w, n});
}
std::string messageOf(const std::vector<unsigned char>& bytes) {
    try {
        decodeModelFile(bytes.data(), bytes.size(), "x.cfunet");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(ModelFile, RoundTripKeepsMetadataAndArrays) {
    const auto bytes = sample();
    const auto c = decodeModelFile(bytes.data(), bytes.size(), "mem");
    EXPECT_EQ(c.formatVersion, kModelFormatVersion);
    EXPECT_DOUBLE_EQ(c.metadata.voxelSize, 13.5);
    EXPECT_EQ(c.metadata.notes.at("trainer"), "test");
    EXPECT_EQ(c.metadata.classNames, (std::vector<std::string>{"background", "protein", "membrane"}));
    ASSERT_EQ(c.arrays.size(), 2u);
    EXPECT_EQ(c.arrays[0].values, (std::vector<float>{1, 2, 3, 4, 5, 6.5f}));
    EXPECT_EQ(c.arrays[1].integers, (std::vector<std::int64_t>{42}));
}

TEST(ModelFile, CorruptTruncatedAndForeignFilesAreRefusedClearly) {
    auto bytes = sample();
    auto flipped = bytes;
    flipped[bytes.size() / 2] ^= 0x40;
    EXPECT_NE(messageOf(flipped).find("corrupt"), std::string::npos) << messageOf(flipped);
    auto truncated = bytes;
    truncated.resize(bytes.size() - 10);
    EXPECT_NE(messageOf(truncated).find("x.cfunet"), std::string::npos);
    EXPECT_FALSE(messageOf(truncated).empty());
    std::vector<unsigned char> zip{'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                   0,   0,   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_NE(messageOf(zip).find("not a CellForge U-Net model"), std::string::npos);
    EXPECT_NE(messageOf({}).find("empty"), std::string::npos);
    auto newer = bytes;
    newer[8] = 9;  // format version 9
    EXPECT_NE(messageOf(newer).find("format version 9"), std::string::npos) << messageOf(newer);
}

TEST(ModelFile, BadArchitectureInMetadataIsNamed) {
    ModelMetadata m;
    m.architecture.normalization = "weird";
    EXPECT_THROW(encodeModelFile(m, {}), InputError);
    m.architecture.normalization = "batch";
    m.architecture.depth = 0;
    try {
        encodeModelFile(m, {});
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("depth"), std::string::npos);
    }
}
