// cellforge-cli is a contract other programs rely on (DESIGN.md): these tests run the
// real executable and check its output, files and exit codes.
#include "core/data/Volume.h"
#include "core/io/VolumeIO.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

namespace fs = std::filesystem;
using namespace cellforge;

namespace {

struct Result {
    int exitCode = -1;
    std::string out, err;
};

// Runs the CLI with the fixture plugins on the plugin path; captures stdout and stderr.
// `pluginFolders`: under the test plugin folder, ':'-separated.
Result runCli(const std::string& arguments, const std::string& pluginFolders = "good") {
    const fs::path errFile = fs::temp_directory_path() / ("cf_cli_err_" + std::to_string(::getpid()));
    std::string path;
    for (const QString& f : QString::fromStdString(pluginFolders).split(':'))
        path += (path.empty() ? "" : ":") + std::string(CELLFORGE_TEST_PLUGIN_DIR "/") + f.toStdString();
    const std::string command =
        "CELLFORGE_PLUGIN_PATH='" + path + "' '" CELLFORGE_CLI "' " + arguments + " 2>'" + errFile.string() + "'";
    Result r;
    FILE* pipe = ::popen(command.c_str(), "r");
    std::array<char, 4096> buffer;
    std::size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.out.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream e(errFile);
    std::stringstream ss;
    ss << e.rdbuf();
    r.err = ss.str();
    fs::remove(errFile);
    return r;
}

QJsonDocument json(const std::string& text) { return QJsonDocument::fromJson(QByteArray::fromStdString(text)); }

class CliTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() /
              ("cf_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
               std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    void TearDown() override { fs::remove_all(dir); }
    std::string write(const std::string& name, const std::string& text) {
        const fs::path p = dir / name;
        std::ofstream(p) << text;
        return p.string();
    }
    std::string volumeFile(float value) {
        Volume v({4, 4, 4}, ScalarType::Float32);
        v.setVoxelSize({5, 5, 5});
        std::fill(v.data<float>(), v.data<float>() + v.voxelCount(), value);
        const std::string path = (dir / "in.mrc").string();
        io::writeVolume(path, v);
        return path;
    }
    fs::path dir;
};

const char* kPipeline = R"({
  "name": "add-twice",
  "inputs": { "tomogram": "Volume" },
  "stages": [
    { "id": "one", "stage": "test.add", "inputs": { "image": "$tomogram" }, "params": { "value": 1.5 } },
    { "id": "two", "stage": "test.add", "inputs": { "image": "one.image" }, "params": { "value": 2 } },
    { "id": "stats", "stage": "test.statistics", "inputs": { "image": "two.image" } }
  ],
  "outputs": { "result.mrc": "two.image", "stats": "stats.table" }
})";

}  // namespace

TEST_F(CliTest, VersionAndUsage) {
    Result r = runCli("--version");
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_NE(r.out.find("cellforge-cli " CELLFORGE_VERSION), std::string::npos) << r.out;
    r = runCli("frobnicate");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("unknown command 'frobnicate'"), std::string::npos) << r.err;
}

TEST_F(CliTest, PluginsJsonListsStagesWithPortsAndSchemas) {
    const Result r = runCli("plugins --json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const QJsonArray stages = json(r.out).array();
    QJsonObject add;
    for (const auto& s : stages)
        if (s.toObject()["id"].toString() == "test.add") add = s.toObject();
    ASSERT_FALSE(add.isEmpty()) << r.out;
    EXPECT_EQ(add["plugin"].toString(), "test");
    EXPECT_EQ(add["inputs"].toArray()[0].toObject()["type"].toString(), "Volume");
    EXPECT_EQ(add["outputs"].toArray()[0].toObject()["name"].toString(), "image");
    const QJsonObject value = add["params"].toArray()[0].toObject();
    EXPECT_EQ(value["name"].toString(), "value");
    EXPECT_EQ(value["type"].toString(), "float");
    EXPECT_DOUBLE_EQ(value["default"].toDouble(), 1.0);
    EXPECT_DOUBLE_EQ(value["range"].toArray()[0].toDouble(), -1e6);
}

TEST_F(CliTest, InfoJsonOnEveryRealFile) {
    struct Expect {
        const char* file;
        int nx, ny, nz;
        double voxel;
    };
    // EMD-3001: NX,NY,NZ = 73,43,25 with MAPC,MAPR,MAPS = 3,1,2, so columns run along z,
    // rows along x and sections along y: 43 x 25 x 73 in x, y, z (as ChimeraX shows it),
    // consistent with MX,MY,MZ = 40,12,72 and NYSTART = -21 giving the x origin.
    for (const Expect& e : {Expect{"EMD-3197.map", 20, 20, 20, 11.4}, Expect{"emd_3197.map.gz", 20, 20, 20, 11.4},
                            Expect{"EMD-3001.map", 43, 25, 73, 0.44825}, Expect{"mrc3D.mrc", 32, 64, 78, 23.2},
                            Expect{"mrc2D.mrc", 32, 64, 1, -1}, Expect{"tif3D.tif", 32, 64, 78, -1}}) {
        const Result r = runCli(std::string("info --json '") + CELLFORGE_SHARED_DATA "/real/" + e.file + "'");
        ASSERT_EQ(r.exitCode, 0) << e.file << ": " << r.err;
        const QJsonObject o = json(r.out).object();
        for (const char* key : {"dims", "mode", "dtype", "voxel_size", "origin", "min", "max", "mean", "rms"})
            EXPECT_TRUE(o.contains(key)) << e.file << " lacks " << key;
        const QJsonArray dims = o["dims"].toArray();
        EXPECT_EQ(dims[0].toInt(), e.nx) << e.file;
        EXPECT_EQ(dims[1].toInt(), e.ny) << e.file;
        EXPECT_EQ(dims[2].toInt(), e.nz) << e.file;
        if (e.voxel > 0) {
            EXPECT_NEAR(o["voxel_size"].toArray()[0].toDouble(), e.voxel, 1e-3) << e.file;
        }
        for (const auto& v : o["voxel_size"].toArray()) EXPECT_GT(v.toDouble(), 0) << e.file;
    }
    // IMOD's unsigned mode 0: the crop's values are 141..163.
    const QJsonObject mrc3d = json(runCli("info --json '" CELLFORGE_SHARED_DATA "/real/mrc3D.mrc'").out).object();
    EXPECT_EQ(mrc3d["mode"].toInt(), 0);
    EXPECT_DOUBLE_EQ(mrc3d["min"].toDouble(), 141);
    EXPECT_DOUBLE_EQ(mrc3d["max"].toDouble(), 163);
    const QJsonObject tif = json(runCli("info --json '" CELLFORGE_SHARED_DATA "/real/tif3D.tif'").out).object();
    EXPECT_TRUE(tif["mode"].isNull());
}

TEST_F(CliTest, InfoOnAMissingOrCorruptFileIsBadInput) {
    Result r = runCli("info " + (dir / "nothing.mrc").string());
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("nothing.mrc"), std::string::npos) << r.err;
    const std::string junk = write("junk.mrc", "not an mrc file at all");
    r = runCli("info " + junk);
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find("junk.mrc"), std::string::npos) << r.err;
}

TEST_F(CliTest, ConvertWithVoxelSizeAndMode) {
    const std::string in = volumeFile(3.0f);
    const std::string out = (dir / "out.mrc").string();
    Result r = runCli("convert " + in + " " + out + " --voxel-size 7.5 --mode 1");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const QJsonObject o = json(runCli("info --json " + out).out).object();
    EXPECT_EQ(o["mode"].toInt(), 1);
    EXPECT_DOUBLE_EQ(o["voxel_size"].toArray()[2].toDouble(), 7.5);
    EXPECT_DOUBLE_EQ(o["mean"].toDouble(), 3.0);
    r = runCli("convert " + in + " " + out + " --mode 5");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("--mode"), std::string::npos);
}

TEST_F(CliTest, RunWritesOutputsReportAndJsonProgress) {
    const std::string pipeline = write("p.json", kPipeline);
    const std::string in = volumeFile(1.0f);
    const fs::path out = dir / "out";
    const Result r = runCli("run " + pipeline + " --input tomogram=" + in + " --output " + out.string() +
                            " --set two.value=10 --progress json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Volume result = io::readVolume((out / "result.mrc").string());
    EXPECT_FLOAT_EQ(result.data<float>()[0], 12.5f);
    EXPECT_DOUBLE_EQ(result.voxelSize()[0], 5.0);
    EXPECT_TRUE(fs::exists(out / "stats.csv"));  // no extension: tables default to CSV

    std::ifstream reportFile(out / "report.json");
    std::stringstream ss;
    ss << reportFile.rdbuf();
    const QJsonObject report = json(ss.str()).object();
    EXPECT_EQ(report["state"].toString(), "completed");
    const QJsonArray stages = report["stages"].toArray();
    ASSERT_EQ(stages.size(), 3);
    EXPECT_DOUBLE_EQ(stages[1].toObject()["params"].toObject()["value"].toDouble(), 10.0);
    EXPECT_TRUE(stages[0].toObject().contains("seconds"));
    EXPECT_TRUE(report["metrics"].toObject().contains("stats.table"));

    // Every stderr line is one JSON object; progress fractions never go backwards.
    std::istringstream lines(r.err);
    std::string line;
    double last = 0;
    int progressLines = 0;
    bool finished = false;
    while (std::getline(lines, line)) {
        QJsonParseError err;
        const QJsonDocument d = QJsonDocument::fromJson(QByteArray::fromStdString(line), &err);
        ASSERT_EQ(err.error, QJsonParseError::NoError) << "not JSON: " << line;
        const QJsonObject o = d.object();
        if (o["event"].toString() == "progress") {
            EXPECT_GE(o["fraction"].toDouble(), last);
            last = o["fraction"].toDouble();
            ++progressLines;
        }
        if (o["event"].toString() == "finished") finished = true;
    }
    EXPECT_GT(progressLines, 0);
    EXPECT_TRUE(finished);
}

TEST_F(CliTest, RunExitCodes) {
    const std::string in = volumeFile(1.0f);
    const std::string pipeline = write("p.json", kPipeline);
    // 2: bad parameter, rejected before anything runs; nothing written.
    Result r = runCli("run " + pipeline + " --input tomogram=" + in + " --output " + (dir / "o1").string() +
                      " --set two.value=much");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("parameter 'value'"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "o1" / "result.mrc"));
    // 2: missing input.
    r = runCli("run " + pipeline + " --output " + (dir / "o2").string());
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("tomogram"), std::string::npos) << r.err;
    // 2: unknown stage.
    const std::string unknown = write("u.json", R"({"inputs":{"t":"Volume"},"stages":[
        {"id":"x","stage":"test.nope","inputs":{"image":"$t"}}]})");
    r = runCli("run " + unknown + " --input t=" + in + " --output " + (dir / "o3").string());
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("unknown stage 'test.nope'"), std::string::npos) << r.err;
    // 3: a stage fails; no outputs written, the report says why.
    const std::string failing = write("f.json", R"({"inputs":{"t":"Volume"},"stages":[
        {"id":"x","stage":"test.fail","inputs":{"image":"$t"}}],"outputs":{"x.mrc":"x.image"}})");
    r = runCli("run " + failing + " --input t=" + in + " --output " + (dir / "o4").string());
    EXPECT_EQ(r.exitCode, 3);
    EXPECT_NE(r.err.find("deliberate failure"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "o4" / "x.mrc"));
    EXPECT_TRUE(fs::exists(dir / "o4" / "report.json"));
}

TEST_F(CliTest, RunRefusesOutputsOutsideTheOutputFolder) {
    // Pipeline files are untrusted: a colleague's file may name any path as an output.
    const std::string in = volumeFile(1.0f);
    const fs::path victim = dir / "victim.mrc";  // stands for ~/.bashrc
    auto pipelineWithOutput = [&](const std::string& name) {
        QJsonObject p = json(R"({"name":"escape","inputs":{"t":"Volume"},"stages":[
            {"id":"x","stage":"test.add","inputs":{"image":"$t"}}]})")
                            .object();
        p["outputs"] = QJsonObject{{QString::fromStdString(name), "x.image"}};
        return write("escape.json", QJsonDocument(p).toJson().toStdString());
    };
    for (const std::string& name : std::vector<std::string>{"../victim.mrc", "../../victim.mrc", victim.string(), "",
                                                            "a/../../victim.mrc", "..\\victim.mrc", "./x.mrc"}) {
        const fs::path out = dir / "o" / "out";
        const Result r = runCli("run " + pipelineWithOutput(name) + " --input t=" + in + " --output " + out.string());
        EXPECT_EQ(r.exitCode, 2) << name << ": " << r.err;
        EXPECT_NE(r.err.find("output '" + name + "'"), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(victim)) << name;
        EXPECT_FALSE(fs::exists(dir / "o" / "victim.mrc")) << name;
        EXPECT_FALSE(fs::exists(out)) << name << ": refused before the output folder was made";
    }
    // A subfolder of --output that is a link to elsewhere.
    const fs::path out = dir / "linked";
    fs::create_directories(out);
    fs::create_directories(dir / "elsewhere");
    fs::create_directory_symlink(dir / "elsewhere", out / "sub");
    Result r = runCli("run " + pipelineWithOutput("sub/x.mrc") + " --input t=" + in + " --output " + out.string());
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find("output 'sub/x.mrc'"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::is_empty(dir / "elsewhere"));
    EXPECT_FALSE(fs::exists(out / "report.json"));  // nothing ran
    // The run report's name is taken.
    r = runCli("run " + pipelineWithOutput("report.json") + " --input t=" + in + " --output " + out.string());
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find("output 'report.json'"), std::string::npos) << r.err;
    // A plain subfolder is fine, and made as needed.
    r = runCli("run " + pipelineWithOutput("volumes/x.mrc") + " --input t=" + in + " --output " + out.string());
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(fs::exists(out / "volumes" / "x.mrc"));
}

TEST_F(CliTest, InterruptCancelsWithExitCode130) {
    const std::string slow = write("s.json", R"({"inputs":{},"stages":[
        {"id":"w","stage":"test.slow","params":{"seconds":60}}],"outputs":{"w.mrc":"w.image"}})");
    const std::string command = "CELLFORGE_PLUGIN_PATH='" CELLFORGE_TEST_PLUGIN_DIR
                                "/good' timeout --preserve-status -s INT 2 '" CELLFORGE_CLI "' run " +
                                slow + " --output " + (dir / "o").string() + " 2>/dev/null";
    const auto start = std::chrono::steady_clock::now();
    const int status = std::system(command.c_str());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 130);
    EXPECT_LT(seconds, 30.0);
    EXPECT_FALSE(fs::exists(dir / "o" / "w.mrc"));
}

// plugin.json "requires": the listing says which plugin was refused and why.
TEST_F(CliTest, PluginsListingShowsRequirementsAndRefusals) {
    const Result r = runCli("plugins", "requires:good");
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("loaded  needstest"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("requires: test, qt"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("REFUSED needsmissing"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("requires 'quantum-annealer'"), std::string::npos) << r.out;
    const Result alone = runCli("plugins", "requires");
    EXPECT_NE(alone.out.find("REFUSED needstest"), std::string::npos) << alone.out;
}

// A file format from a plugin (the text-volume test plugin): converted to MRC and back.
TEST_F(CliTest, ConvertsThroughAPluginsFileFormat) {
    const std::string in = write("tiny.cfvt", "cellforge-text-volume\n2 2 1 6\n1 2 3 4\n");
    const std::string out = (dir / "tiny.mrc").string();
    Result r = runCli("convert " + in + " " + out, "extensions");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Volume v = io::readVolume(out);
    EXPECT_EQ(v.dims(), (Index3{2, 2, 1}));
    EXPECT_DOUBLE_EQ(v.voxelSize()[0], 6.0);
    EXPECT_DOUBLE_EQ(v.valueAt(1, 1, 0), 4.0);
    const std::string back = (dir / "back.cfvt").string();
    r = runCli("convert " + out + " " + back, "extensions");
    EXPECT_NE(r.exitCode, 0) << "an MRC is converted to volume formats only";
    const Result listing = runCli("plugins", "extensions");
    EXPECT_NE(listing.out.find("file formats: text-volume"), std::string::npos) << listing.out;
    EXPECT_NE(listing.out.find("editing tools (GUI): stamp.cross"), std::string::npos) << listing.out;
    // Without the plugin the same file is refused, naming its type.
    r = runCli("convert " + in + " " + out);
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find(".cfvt"), std::string::npos) << r.err;
}
