// plugin.json "requires", and what plugins add besides stages (file formats, editing
// tools, panels), through the real PluginLoader and the test plugins in
// fixtures/extensions.
#include "core/base/Errors.h"
#include "core/data/Volume.h"
#include "core/io/DataIO.h"
#include "core/io/FileFormat.h"
#include "core/plugin/PluginLoader.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QTemporaryDir>

#include <fstream>

using namespace cellforge;

namespace {
const PluginRecord* recordWithId(const PluginLoader& loader, const std::string& id) {
    for (const auto& r : loader.records())
        if (r.id == id) return &r;
    return nullptr;
}
}  // namespace

TEST(PluginRequires, AMissingCapabilityRefusesThePluginNamingIt) {
    StageRegistry registry;
    PluginLoader loader;
    loader.loadFrom({CELLFORGE_TEST_PLUGIN_DIR "/requires"}, registry);
    const PluginRecord* r = recordWithId(loader, "needsmissing");
    ASSERT_NE(r, nullptr);
    EXPECT_FALSE(r->loaded);
    EXPECT_EQ(r->requirements, (std::vector<std::string>{"qt", "quantum-annealer"}));
    EXPECT_NE(r->refusal.find("requires 'quantum-annealer'"), std::string::npos) << r->refusal;
    EXPECT_NE(r->refusal.find("not a capability"), std::string::npos) << r->refusal;
    EXPECT_EQ(r->refusal.find("'qt'"), std::string::npos) << "qt is present: " << r->refusal;
}

TEST(PluginRequires, APluginRequiringAnotherLoadsOnlyWithIt) {
    {
        StageRegistry registry;
        PluginLoader loader;
        loader.loadFrom({CELLFORGE_TEST_PLUGIN_DIR "/requires"}, registry);
        const PluginRecord* r = recordWithId(loader, "needstest");
        ASSERT_NE(r, nullptr);
        EXPECT_FALSE(r->loaded);
        EXPECT_NE(r->refusal.find("requires 'test'"), std::string::npos) << r->refusal;
    }
    // Found in an earlier folder than what it needs: loaded after it all the same.
    StageRegistry registry;
    PluginLoader loader;
    loader.loadFrom({CELLFORGE_TEST_PLUGIN_DIR "/requires", CELLFORGE_TEST_PLUGIN_DIR "/good"}, registry);
    const PluginRecord* r = recordWithId(loader, "needstest");
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(r->loaded) << r->refusal;
    EXPECT_TRUE(recordWithId(loader, "test")->loaded);
}

TEST(PluginRequires, ShippedCapabilitiesArePresent) {
    for (const char* c : {"qt", "itk", "vtk", "eigen", "cgal"}) EXPECT_TRUE(PluginLoader::hasCapability(c)) << c;
    EXPECT_FALSE(PluginLoader::hasCapability("quantum-annealer"));
}

TEST(PluginFileFormats, AFormatFromAPluginIsReadAndWrittenByDataIO) {
    StageRegistry registry;
    PluginLoader loader;
    loader.loadFrom({CELLFORGE_TEST_PLUGIN_DIR "/extensions"}, registry);
    const PluginRecord* r = recordWithId(loader, "textformat");
    ASSERT_NE(r, nullptr);
    ASSERT_TRUE(r->loaded) << r->refusal;
    EXPECT_EQ(r->fileFormats, std::vector<std::string>{"text-volume"});
    EXPECT_EQ(io::pluginFileFormats().pluginOf("text-volume"), "textformat");

    QTemporaryDir dir;
    const std::string path = QDir(dir.path()).filePath("tiny.cfvt").toStdString();
    std::ofstream(path) << "cellforge-text-volume\n3 2 1 7.5\n0 1 2 3 4 5\n";
    const DataPtr data = io::readData(path, DataKind::Volume);
    const auto volume = dataAs<Volume>(data, "tiny");
    EXPECT_EQ(volume->dims(), (Index3{3, 2, 1}));
    EXPECT_DOUBLE_EQ(volume->voxelSize()[0], 7.5);
    EXPECT_DOUBLE_EQ(volume->valueAt(2, 1, 0), 5.0);

    // Written back through the plugin's writer, and read again.
    const std::string copy = QDir(dir.path()).filePath("copy.cfvt").toStdString();
    EXPECT_EQ(io::writeData(copy, *volume), copy);
    EXPECT_DOUBLE_EQ(dataAs<Volume>(io::readData(copy, DataKind::Volume), "copy")->valueAt(1, 1, 0), 4.0);

    // The format reads volumes only: another kind is refused with a clear message.
    EXPECT_THROW(io::readData(path, DataKind::Mesh), InputError);
    // A broken file gives the plugin's own message.
    std::ofstream(path) << "cellforge-text-volume\n3 2 1 7.5\n0 1\n";
    try {
        io::readData(path, DataKind::Volume);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("value 2 is missing"), std::string::npos) << e.what();
    }
}

TEST(PluginEditingTools, AToolFromAPluginIsCollectedByTheLoader) {
    StageRegistry registry;
    PluginLoader loader;
    loader.loadFrom({CELLFORGE_TEST_PLUGIN_DIR "/extensions"}, registry);
    const PluginRecord* r = recordWithId(loader, "stamptool");
    ASSERT_NE(r, nullptr);
    ASSERT_TRUE(r->loaded) << r->refusal;
    EXPECT_EQ(r->editingTools, std::vector<std::string>{"stamp.cross"});
    ASSERT_EQ(loader.editingTools().size(), 1u);
    EXPECT_EQ(loader.editingTools()[0].tool->name(), "Stamp cross");
    EXPECT_EQ(loader.editingTools()[0].pluginId, "stamptool");
}

TEST(PluginPanels, TheGuiModuleIsSkippedUnlessTheGuiAsks) {
    StageRegistry registry;
    PluginLoader cli;
    cli.loadFrom({CELLFORGE_TEST_PLUGIN_DIR "/extensions"}, registry);
    const PluginRecord* r = recordWithId(cli, "notespanel");
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(r->loaded) << r->refusal;
    EXPECT_TRUE(cli.panels().empty());
    if (r->guiModule.empty()) GTEST_SKIP() << "built without the GUI: no GUI module";
    EXPECT_TRUE(r->panels.empty());
    // No record of its own: the GUI module belongs to its plugin.
    for (const auto& rec : cli.records()) EXPECT_EQ(rec.file.find("notespanel_gui"), std::string::npos) << rec.file;
}
