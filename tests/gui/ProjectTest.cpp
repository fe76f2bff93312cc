// Project manifests: JSON round trip, clear errors, save and load with relative paths.
#include "app/gui/project/ProjectManifest.h"
#include "core/base/Errors.h"
#include "core/io/DataIO.h"
#include "core/io/OutputPath.h"
#include "core/io/VolumeIO.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <filesystem>
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
    // The tomogram lies outside the project folder ("../tomo.mrc"): asked about first.
    std::vector<LayerDisplay> loaded;
    std::vector<OutsideProjectLayer> asked;
    const ProjectManifest back = loadProject((moved + "/projects/cell.cellforge.json").toStdString(),
                                             [&](LayerDisplay d, const std::string&) { loaded.push_back(d); },
                                             [&](const std::vector<OutsideProjectLayer>& layers) {
                                                 asked = layers;
                                                 return OutsideLayerAnswer::Open;
                                             });
    ASSERT_EQ(asked.size(), 1u);
    EXPECT_EQ(asked[0].name, "tomogram");
    EXPECT_EQ(asked[0].file, "../tomo.mrc");
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

// ---------------------------------------------------------------- untrusted project files

namespace {

// A project folder with one layer inside it and a file beside it (outside).
struct HostileProject {
    QTemporaryDir dir;
    std::string manifest, outsideFile;
    HostileProject(const std::string& layersJson) {
        QDir(dir.path()).mkpath("project/data");
        Volume v({4, 4, 2}, ScalarType::Float32);
        io::writeVolume(dir.filePath("project/data/inside.mrc").toStdString(), v);
        outsideFile = dir.filePath("secret.mrc").toStdString();
        io::writeVolume(outsideFile, v);
        manifest = dir.filePath("project/p.cellforge.json").toStdString();
        std::ofstream(manifest) << R"({"format":"cellforge-project","version":1,"layers":[)" + layersJson + "]}";
    }
};

const char* kHostileLayers = R"({"name":"inside","kind":"Volume","file":"data/inside.mrc"},
    {"name":"up","kind":"Volume","file":"../secret.mrc"},
    {"name":"absolute","kind":"Volume","file":"ABSOLUTE"},
    {"name":"linked","kind":"Volume","file":"data/link.mrc"})";

}  // namespace

TEST(Project, LayersOutsideTheProjectFolderAreAskedAboutBeforeAnythingIsRead) {
    QTemporaryDir probe;
    std::string layers = kHostileLayers;
    HostileProject p("");
    layers.replace(layers.find("ABSOLUTE"), 8, p.outsideFile);
    std::ofstream(p.manifest) << R"({"format":"cellforge-project","version":1,"layers":[)" + layers + "]}";
    // A link inside the project folder that leads out of it counts as outside.
    std::filesystem::create_symlink(p.outsideFile, p.dir.filePath("project/data/link.mrc").toStdString());

    std::vector<std::string> loaded;
    auto onLayer = [&](LayerDisplay d, const std::string&) { loaded.push_back(d.name); };
    std::vector<OutsideProjectLayer> asked;
    std::size_t loadedWhenAsked = 99;
    auto ask = [&](OutsideLayerAnswer answer) {
        return [&, answer](const std::vector<OutsideProjectLayer>& l) {
            asked = l;
            loadedWhenAsked = loaded.size();
            return answer;
        };
    };

    // Left out: only the layer inside is read; the others are named.
    std::vector<ProjectLayer> leftOut;
    loadProject(p.manifest, onLayer, ask(OutsideLayerAnswer::LeaveOut), &leftOut);
    EXPECT_EQ(loaded, std::vector<std::string>{"inside"});
    std::vector<std::string> leftOutNames;
    for (const ProjectLayer& l : leftOut) leftOutNames.push_back(l.display.name);
    EXPECT_EQ(leftOutNames, (std::vector<std::string>{"up", "absolute", "linked"}));
    ASSERT_EQ(asked.size(), 3u);
    EXPECT_EQ(loadedWhenAsked, 0u);  // asked once, before any layer was read
    EXPECT_EQ(asked[0].file, "../secret.mrc");
    EXPECT_EQ(QFileInfo(QString::fromStdString(asked[0].absolutePath)).canonicalFilePath().toStdString(),
              QFileInfo(QString::fromStdString(p.outsideFile)).canonicalFilePath().toStdString());

    // Without anyone to ask: never followed.
    loaded.clear();
    loadProject(p.manifest, onLayer);
    EXPECT_EQ(loaded, std::vector<std::string>{"inside"});

    // Agreed to: all are read.
    loaded.clear();
    loadProject(p.manifest, onLayer, ask(OutsideLayerAnswer::Open));
    EXPECT_EQ(loaded, (std::vector<std::string>{"inside", "up", "absolute", "linked"}));

    // A project with every layer inside asks nothing.
    HostileProject clean(R"({"name":"inside","kind":"Volume","file":"data/inside.mrc"})");
    asked.clear();
    loaded.clear();
    loadProject(clean.manifest, onLayer, ask(OutsideLayerAnswer::LeaveOut));
    EXPECT_TRUE(asked.empty());
    EXPECT_EQ(loaded, std::vector<std::string>{"inside"});
}

TEST(Project, LayersLeftOutStayInTheProjectFileWhenItIsSaved) {
    std::string layers = kHostileLayers;
    HostileProject p("");
    layers.replace(layers.find("ABSOLUTE"), 8, p.outsideFile);
    std::ofstream(p.manifest) << R"({"format":"cellforge-project","version":1,"layers":[)" + layers + "]}";
    std::filesystem::create_symlink(p.outsideFile, p.dir.filePath("project/data/link.mrc").toStdString());

    std::vector<ProjectLayerSource> sources;
    auto onLayer = [&](LayerDisplay d, const std::string& abs) { sources.push_back({d, abs, false}); };
    std::vector<ProjectLayer> leftOut;
    loadProject(
        p.manifest, onLayer, [](const auto&) { return OutsideLayerAnswer::LeaveOut; }, &leftOut);
    ASSERT_EQ(leftOut.size(), 3u);

    // Saved over itself: the entries still lead to the same files, unread.
    const std::string copy = p.manifest;
    saveProject(copy, {}, sources, leftOut);
    std::ifstream in(copy);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const ProjectManifest saved = ProjectManifest::fromJson(text, copy);
    ASSERT_EQ(saved.layers.size(), 4u);
    EXPECT_EQ(saved.layers[0].display.name, "inside");
    const QDir copyDir = QFileInfo(QString::fromStdString(copy)).absoluteDir();
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(saved.layers[i + 1].display.name, leftOut[i].display.name);
        EXPECT_EQ(QDir::cleanPath(copyDir.absoluteFilePath(QString::fromStdString(saved.layers[i + 1].file))),
                  QDir::cleanPath(QString::fromStdString(leftOut[i].file)));
    }
    // Opened again, they are asked about again, not read.
    std::vector<OutsideProjectLayer> asked;
    sources.clear();
    loadProject(copy, onLayer, [&](const std::vector<OutsideProjectLayer>& l) {
        asked = l;
        return OutsideLayerAnswer::LeaveOut;
    });
    EXPECT_EQ(asked.size(), 3u);
    EXPECT_EQ(sources.size(), 1u);
}

TEST(Project, SavingNeverWritesOutsideTheProjectFolder) {
    QTemporaryDir dir;
    QDir(dir.path()).mkpath("project");
    QDir(dir.path()).mkpath("elsewhere");
    auto labels = std::make_shared<LabelVolume>(Index3{4, 4, 2});
    labels->labels()[0] = 2;
    LayerDisplay l;
    l.name = "../../labels";  // a hostile layer name cannot leave the data folder
    l.style = LayerStyle::Labels;
    l.data = labels;

    // An edited layer read from outside is written into the data folder; its source is kept.
    const std::string source = dir.filePath("elsewhere/original.mrc").toStdString();
    io::writeVolume(source, LabelVolume(Index3{4, 4, 2}));
    const auto sourceSize = std::filesystem::file_size(source);
    const std::string manifest = dir.filePath("project/cell.cellforge.json").toStdString();
    const ProjectSaveResult r = saveProject(manifest, {}, {{l, source, true}});
    ASSERT_EQ(r.writtenFiles.size(), 1u);
    EXPECT_TRUE(io::liesInsideFolder(dir.filePath("project/cell_data").toStdString(), r.writtenFiles[0]))
        << r.writtenFiles[0];
    EXPECT_EQ(std::filesystem::file_size(source), sourceSize);
    EXPECT_EQ(static_cast<const LabelVolume&>(*io::readData(source, DataKind::LabelVolume)).labels()[0], 0);

    // The data folder is a link to elsewhere: refused, nothing written there, manifest untouched.
    const std::string other = dir.filePath("project/other.cellforge.json").toStdString();
    std::filesystem::create_directory_symlink(dir.filePath("elsewhere").toStdString(),
                                              dir.filePath("project/other_data").toStdString());
    try {
        saveProject(other, {}, {{l, "", true}});
        FAIL() << "wrote through a link out of the project folder";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("outside"), std::string::npos) << e.what();
    }
    EXPECT_EQ(QDir(dir.filePath("elsewhere")).entryList(QDir::Files), QStringList{"original.mrc"});
    EXPECT_FALSE(QFile::exists(QString::fromStdString(other)));
}
