#include "core/base/Errors.h"
#include "core/plugin/PluginLoader.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace cellforge;

namespace {
const PluginRecord* recordWithFile(const PluginLoader& loader, const std::string& part) {
    for (const auto& r : loader.records())
        if (r.file.find(part) != std::string::npos) return &r;
    return nullptr;
}
}  // namespace

TEST(PluginLoader, LoadsTheGoodPluginAndRefusesTheBrokenOnesWithReasons) {
    StageRegistry registry;
    PluginLoader loader;
    loader.loadFrom({CELLFORGE_TEST_PLUGIN_DIR "/broken", CELLFORGE_TEST_PLUGIN_DIR "/good"}, registry);

    const PluginRecord* good = recordWithFile(loader, "fixture_good");
    ASSERT_NE(good, nullptr);
    EXPECT_TRUE(good->loaded) << good->refusal;
    EXPECT_EQ(good->id, "test");
    EXPECT_EQ(good->version, "1.0.0");
    EXPECT_TRUE(std::count(good->stageIds.begin(), good->stageIds.end(), "test.add"));
    ASSERT_NE(registry.find("test.add"), nullptr);
    EXPECT_EQ(registry.pluginOf("test.add"), "test");

    const PluginRecord* badApi = recordWithFile(loader, "fixture_badapi");
    ASSERT_NE(badApi, nullptr);
    EXPECT_FALSE(badApi->loaded);
    EXPECT_NE(badApi->refusal.find("API version 99"), std::string::npos) << badApi->refusal;

    const PluginRecord* throwing = recordWithFile(loader, "fixture_throwing");
    ASSERT_NE(throwing, nullptr);
    EXPECT_FALSE(throwing->loaded);
    EXPECT_NE(throwing->refusal.find("fixture refuses to register"), std::string::npos) << throwing->refusal;

    const PluginRecord* missing = recordWithFile(loader, "fixture_missing");
    ASSERT_NE(missing, nullptr);
    EXPECT_FALSE(missing->loaded);
    EXPECT_NE(missing->refusal.find("cellforge_symbol_that_does_not_exist"), std::string::npos) << missing->refusal;

    const PluginRecord* garbage = recordWithFile(loader, "libgarbage");
    ASSERT_NE(garbage, nullptr);
    EXPECT_FALSE(garbage->loaded);
    EXPECT_FALSE(garbage->refusal.empty());

    // Nothing from the refused plugins reached the registry.
    for (const auto& id : registry.stageIds()) EXPECT_EQ(id.rfind("test.", 0), 0u) << id;
}

TEST(PluginLoader, ASecondCopyOfAPluginIdIsRefused) {
    StageRegistry registry;
    PluginLoader first;
    first.loadFrom({CELLFORGE_TEST_PLUGIN_DIR "/good"}, registry);
    PluginLoader second;
    second.loadFrom({CELLFORGE_TEST_PLUGIN_DIR "/good"}, registry);
    ASSERT_EQ(second.records().size(), 1u);
    EXPECT_FALSE(second.records()[0].loaded);
    EXPECT_NE(second.records()[0].refusal.find("already provided"), std::string::npos) << second.records()[0].refusal;
}

TEST(StageRegistry, UnknownIdSuggestsTheClosest) {
    StageRegistry registry;
    PluginLoader loader;
    loader.loadFrom({CELLFORGE_TEST_PLUGIN_DIR "/good"}, registry);
    try {
        registry.require("test.ad");
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("test.add"), std::string::npos) << e.what();
    }
}
