// Project manifests: JSON round trip, clear errors, save and load with relative paths.
#include "app/gui/project/ProjectManifest.h"
#include "core/base/Errors.h"
#include "core/io/VolumeIO.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <fstream>

using namespace cellforge;

TEST(ProjectManifest, JsonRoundTrip) {
    ProjectManifest m;
    m.name = "cell 7";
    m.cursor = {10.5, 20.5, 30.5};
    m.pipelineFile = "pipelines/membranes.json";
    m.activeLabelLayer = "labels";
    ProjectLayer l;
    l.display.name = "tomogram";
    l.display.style = LayerStyle::Grayscale;
    l.display.colorMap = "inverted gray";
    l.display.low = -1.5;
    l.display.high = 2.25;
    l.display.opacity = 0.8;
    l.display.visible = false;
    l.kind = "Volume";
    l.file = "tomo.mrc";
    m.layers.push_back(l);
    ProjectLayer lab;
    lab.display.name = "labels";
    lab.display.style = LayerStyle::Labels;
    lab.display.labelOutline = false;
    lab.display.fillOpacity = 0.3;
    lab.kind = "LabelVolume";
    lab.file = "cell 7_data/labels.mrc";
    m.layers.push_back(lab);

    const ProjectManifest r = ProjectManifest::fromJson(m.toJson(), "test");
    EXPECT_EQ(r.name, "cell 7");
    EXPECT_EQ(r.cursor, m.cursor);
    EXPECT_EQ(r.pipelineFile, m.pipelineFile);
    EXPECT_EQ(r.activeLabelLayer, "labels");
    ASSERT_EQ(r.layers.size(), 2u);
    EXPECT_EQ(r.layers[0].display.colorMap, "inverted gray");
    EXPECT_DOUBLE_EQ(r.layers[0].display.low, -1.5);
    EXPECT_DOUBLE_EQ(r.layers[0].display.high, 2.25);
    EXPECT_FALSE(r.layers[0].display.visible);
    EXPECT_DOUBLE_EQ(r.layers[0].display.opacity, 0.8);
    EXPECT_EQ(r.layers[1].display.style, LayerStyle::Labels);
    EXPECT_FALSE(r.layers[1].display.labelOutline);
    EXPECT_EQ(r.layers[1].file, "cell 7_data/labels.mrc");
}

TEST(ProjectManifest, BadManifestsAreRefusedWithTheField) {
    try {
        ProjectManifest::fromJson("{\"format\": \"other\"}", "p.json");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("format"), std::string::npos);
    }
    try {
        ProjectManifest::fromJson(
            "{\"format\": \"cellforge-project\", \"version\": 1, \"layers\": [{\"name\": \"a\"}]}", "p.json");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("'file'"), std::string::npos);
    }
    EXPECT_THROW(ProjectManifest::fromJson("not json", "p.json"), InputError);
    EXPECT_THROW(ProjectManifest::fromJson("{\"format\": \"cellforge-project\", \"version\": 99, \"layers\": []}", "p"),
                 InputError);
}

TEST(ProjectManifest, SafeFileNames) {
    EXPECT_EQ(safeFileName("a/b c:d"), "a_b_c_d");
    EXPECT_EQ(safeFileName("..hidden"), "hidden");
    EXPECT_EQ(safeFileName(""), "layer");
}

TEST(Project, SaveWritesDirtyLayersAndReferencesCleanOnesRelatively) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    // A "clean" tomogram already on disk.
    Volume tomo({16, 12, 5}, ScalarType::Float32);
    for (std::int64_t i = 0; i < tomo.voxelCount(); ++i) tomo.data<float>()[i] = float(i % 17);
    tomo.setVoxelSize({7.5, 7.5, 7.5});
    const std::string tomoPath = dir.filePath("tomo.mrc").toStdString();
    io::writeVolume(tomoPath, tomo);
    // An edited label layer, never saved.
    auto labels = std::make_shared<LabelVolume>(Index3{16, 12, 5});
    labels->setVoxelSize({7.5, 7.5, 7.5});
    labels->labels()[labels->index(3, 4, 2)] = 2;
    labels->table().set({2, "membrane", {200, 60, 60}});

    LayerDisplay t;
    t.name = "tomogram";
    t.data = std::make_shared<Volume>(tomo);
    t.low = 1;
    t.high = 15;
    LayerDisplay l;
    l.name = "my labels";
    l.style = LayerStyle::Labels;
    l.data = labels;
    QDir(dir.path()).mkpath("projects");
    const std::string manifest = dir.filePath("projects/cell.cellforge.json").toStdString();
    ProjectManifest m;
    m.cursor = {1, 2, 3};
    const ProjectSaveResult r = saveProject(manifest, m, {{t, tomoPath, false}, {l, "", true}});
    ASSERT_EQ(r.writtenFiles.size(), 1u);  // only the labels
    EXPECT_TRUE(QFile::exists(QString::fromStdString(r.writtenFiles[0])));
    EXPECT_NE(r.writtenFiles[0].find("cell_data"), std::string::npos);

    std::ifstream in(manifest);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("\"../tomo.mrc\""), std::string::npos) << text;  // relative path
    EXPECT_NE(text.find("\"cell_data/my_labels.mrc\""), std::string::npos) << text;

    // Moving the whole folder keeps the project readable: paths are relative.
    const QString moved = dir.filePath("moved");
    ASSERT_TRUE(QDir().rename(dir.path() + "/projects", moved + "_p"));
    ASSERT_TRUE(QDir().mkpath(moved));
    ASSERT_TRUE(QFile::rename(dir.filePath("tomo.mrc"), moved + "/tomo.mrc"));
    ASSERT_TRUE(QDir().rename(moved + "_p", moved + "/projects"));
    std::vector<LayerDisplay> loaded;
    const ProjectManifest back = loadProject((moved + "/projects/cell.cellforge.json").toStdString(),
                                             [&](LayerDisplay d, const std::string&) { loaded.push_back(d); });
    ASSERT_EQ(loaded.size(), 2u);
    EXPECT_EQ(back.cursor, m.cursor);
    EXPECT_EQ(loaded[0].name, "tomogram");
    EXPECT_DOUBLE_EQ(loaded[0].low, 1);
    const auto& lab = static_cast<const LabelVolume&>(*loaded[1].data);
    EXPECT_EQ(lab.labelAt(3, 4, 2), 2);
    ASSERT_NE(lab.table().find(2), nullptr);
    EXPECT_EQ(lab.table().find(2)->name, "membrane");
    const auto& tv = static_cast<const Volume&>(*loaded[0].data);
    EXPECT_FLOAT_EQ(float(tv.valueAt(5, 0, 0)), 5.0f);
}

TEST(Project, MissingLayerFileIsNamed) {
    QTemporaryDir dir;
    const std::string manifest = dir.filePath("p.cellforge.json").toStdString();
    std::ofstream(manifest) << R"({"format":"cellforge-project","version":1,"layers":[
        {"name":"t","kind":"Volume","file":"gone.mrc"}]})";
    try {
        loadProject(manifest, [](LayerDisplay, const std::string&) {});
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("gone.mrc"), std::string::npos);
    }
}
