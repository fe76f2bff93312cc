// The general model file: any kind, typed architecture values, metadata and tensors
// round trip; wrong, corrupt and foreign files are refused clearly.
#include "core/base/Errors.h"
#include "core/ml/ModelFile.h"

#include <gtest/gtest.h>

using namespace cellforge;
using namespace cellforge::ml;

namespace {
ModelFileContents sampleContents() {
    ModelFileContents c;
    c.kind = "beta-vae";
    c.architecture.set("latent_dims", 16.0);
    c.architecture.set("beta", 0.25);
    c.architecture.set("decoder", std::string("residual"));
    c.architecture.set("channels", std::vector<double>{8, 16, 32.5});
    c.architecture.set("empty", std::vector<double>{});
    c.metadata["voxel_size"] = "13.5";
    c.metadata["note.trainer"] = "test";
    NamedArray w;
    w.name = "w";
    w.shape = {2, 3};
    w.values = {1, 2, 3, 4, 5, 6.5f};
    NamedArray n;
    n.name = "n";
    n.integer = true;
    n.shape = {};
    n.integers = {42};
    c.arrays = {w, n};
    return c;
}
std::vector<unsigned char> sample() { return encodeModelFile(sampleContents()); }
std::string messageOf(const std::vector<unsigned char>& bytes) {
    try {
        decodeModelFile(bytes.data(), bytes.size(), "x.cfunet");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(ModelFile, RoundTripKeepsKindArchitectureMetadataAndArrays) {
    const auto bytes = sample();
    const auto c = decodeModelFile(bytes.data(), bytes.size(), "mem");
    EXPECT_EQ(c.formatVersion, kModelFormatVersion);
    EXPECT_EQ(c.kind, "beta-vae");
    EXPECT_TRUE(c.architecture == sampleContents().architecture);
    EXPECT_EQ(c.architecture.integer("latent_dims"), 16);
    EXPECT_DOUBLE_EQ(c.architecture.number("beta"), 0.25);
    EXPECT_EQ(c.architecture.text("decoder"), "residual");
    EXPECT_EQ(c.architecture.list("channels"), (std::vector<double>{8, 16, 32.5}));
    EXPECT_TRUE(c.architecture.list("empty").empty());
    EXPECT_EQ(c.metadata, sampleContents().metadata);
    ASSERT_EQ(c.arrays.size(), 2u);
    EXPECT_EQ(c.arrays[0].values, (std::vector<float>{1, 2, 3, 4, 5, 6.5f}));
    EXPECT_EQ(c.arrays[1].integers, (std::vector<std::int64_t>{42}));
    // Writing what was read gives the same bytes.
    EXPECT_EQ(encodeModelFile(c), bytes);
}

TEST(ModelFile, TypedAccessNamesTheKey) {
    const auto c = sampleContents();
    try {
        c.architecture.text("beta");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("beta"), std::string::npos);
    }
    EXPECT_THROW(c.architecture.number("missing"), InputError);
    EXPECT_THROW(c.architecture.integer("beta"), InputError);  // 0.25 is no integer
    EXPECT_THROW(c.architecture.list("decoder"), InputError);
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
    EXPECT_NE(messageOf(zip).find("not a CellForge model"), std::string::npos);
    EXPECT_NE(messageOf({}).find("empty"), std::string::npos);
    auto newer = bytes;
    newer[8] = 9;  // format version 9
    EXPECT_NE(messageOf(newer).find("format version 9"), std::string::npos) << messageOf(newer);
}

TEST(ModelFile, KeysAndValuesTheTextCannotHoldAreRefused) {
    auto c = sampleContents();
    c.kind = "";
    EXPECT_THROW(encodeModelFile(c), InputError);
    c = sampleContents();
    c.metadata["bad=key"] = "x";
    EXPECT_THROW(encodeModelFile(c), InputError);
    c = sampleContents();
    c.architecture.set("decoder", std::string("two\nlines"));
    EXPECT_THROW(encodeModelFile(c), InputError);
}
