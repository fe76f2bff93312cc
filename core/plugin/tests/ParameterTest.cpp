#include "core/base/Errors.h"
#include "core/plugin/Parameter.h"

#include <gtest/gtest.h>

using namespace cellforge;

namespace {
ParameterSchema schema() {
    return {ParameterSpec::real("sigma", 1.5, 0.0, 50.0, "voxels", "width"),
            ParameterSpec::integer("iterations", 5, 1, 1000, "iterations", "count"),
            ParameterSpec::boolean("invert", false, "flip"),
            ParameterSpec::choice("mode", "3d", {"3d", "2d-slices"}, "dimensionality"),
            ParameterSpec::path("model", "", "file")};
}

std::string messageOf(const std::map<std::string, ParamValue>& given) {
    try {
        validateParameters(schema(), given, "stage 'smooth'");
    } catch (const InputError& e) {
        return e.what();
    }
    return {};
}
}  // namespace

TEST(Parameters, DefaultsAreFilledIn) {
    const ParameterValues v = validateParameters(schema(), {}, "s");
    EXPECT_DOUBLE_EQ(v.getFloat("sigma"), 1.5);
    EXPECT_EQ(v.getInt("iterations"), 5);
    EXPECT_FALSE(v.getBool("invert"));
    EXPECT_EQ(v.getString("mode"), "3d");
}

TEST(Parameters, IntsAcceptedForFloatsAndWholeFloatsForInts) {
    const ParameterValues v = validateParameters(schema(), {{"sigma", std::int64_t(2)}, {"iterations", 7.0}}, "s");
    EXPECT_DOUBLE_EQ(v.getFloat("sigma"), 2.0);
    EXPECT_EQ(v.getInt("iterations"), 7);
}

TEST(Parameters, TextIsParsedToTheDeclaredType) {
    const ParameterValues v = validateParameters(
        schema(), {{"sigma", std::string("0.25")}, {"invert", std::string("true")}, {"iterations", std::string("12")}},
        "s");
    EXPECT_DOUBLE_EQ(v.getFloat("sigma"), 0.25);
    EXPECT_TRUE(v.getBool("invert"));
    EXPECT_EQ(v.getInt("iterations"), 12);
}

TEST(Parameters, RejectionsNameTheParameterAndTheExpectation) {
    std::string m = messageOf({{"sigma", -1.0}});
    EXPECT_NE(m.find("'sigma'"), std::string::npos) << m;
    EXPECT_NE(m.find("[0, 50]"), std::string::npos) << m;
    EXPECT_NE(m.find("voxels"), std::string::npos) << m;
    EXPECT_NE(m.find("stage 'smooth'"), std::string::npos) << m;

    m = messageOf({{"iterations", 2.5}});
    EXPECT_NE(m.find("'iterations'"), std::string::npos) << m;

    m = messageOf({{"mode", std::string("4d")}});
    EXPECT_NE(m.find("3d, 2d-slices"), std::string::npos) << m;

    m = messageOf({{"sigmaa", 1.0}});
    EXPECT_NE(m.find("unknown parameter 'sigmaa'"), std::string::npos) << m;
    EXPECT_NE(m.find("sigma"), std::string::npos) << m;

    m = messageOf({{"invert", std::string("maybe")}});
    EXPECT_NE(m.find("'invert'"), std::string::npos) << m;

    m = messageOf({{"sigma", std::string("wide")}});
    EXPECT_NE(m.find("'wide'"), std::string::npos) << m;
}

TEST(Parameters, ParseValueRejectsTrailingText) {
    const auto spec = ParameterSpec::real("sigma", 1.0, 0.0, 5.0, "", "");
    EXPECT_THROW(parseParamValue(spec, "1.5x"), InputError);
    EXPECT_DOUBLE_EQ(std::get<double>(parseParamValue(spec, "1.5")), 1.5);
}
