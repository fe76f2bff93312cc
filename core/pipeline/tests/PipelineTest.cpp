#include "TestStages.h"

#include "core/base/Errors.h"
#include "core/data/Volume.h"
#include "core/pipeline/PipelineRunner.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

#include <filesystem>
#include <fstream>
#include <thread>

using namespace cellforge;
namespace fs = std::filesystem;

namespace {

const char* kChain = R"({
  "name": "chain",
  "inputs": { "tomogram": "Volume" },
  "stages": [
    { "id": "first", "stage": "test.add", "inputs": { "image": "$tomogram" }, "params": { "value": 1 } },
    { "id": "second", "stage": "test.add", "inputs": { "image": "first.image" }, "params": { "value": 10 } },
    { "id": "stats", "stage": "test.statistics", "inputs": { "image": "second.image" } }
  ],
  "outputs": { "result.mrc": "second.image", "stats.csv": "stats.table" }
})";

class PipelineFixture : public ::testing::Test {
protected:
    void SetUp() override { test::registerTestStages(registry, "test"); }
    std::string validationMessage(const std::string& json) {
        try {
            validatePipeline(Pipeline::fromJson(json, "p.json"), registry);
        } catch (const InputError& e) {
            return e.what();
        }
        return {};
    }
    StageRegistry registry;
};

std::shared_ptr<Volume> constantVolume(float v) {
    auto vol = std::make_shared<Volume>(Index3{3, 3, 3}, ScalarType::Float32);
    std::fill(vol->data<float>(), vol->data<float>() + vol->voxelCount(), v);
    return vol;
}

}  // namespace

TEST_F(PipelineFixture, ParsesTheDocumentedFormatAndRoundTrips) {
    const Pipeline p = Pipeline::fromJson(kChain, "chain.json");
    ASSERT_EQ(p.stages.size(), 3u);
    EXPECT_EQ(p.stages[1].inputs[0].second, "first.image");
    EXPECT_EQ(std::get<std::int64_t>(p.stages[1].params.at("value")), 10);
    ASSERT_EQ(p.outputs.size(), 2u);
    const Pipeline again = Pipeline::fromJson(p.toJson(), "again");
    EXPECT_EQ(again.toJson(), p.toJson());
    EXPECT_NO_THROW(validatePipeline(p, registry));
}

TEST_F(PipelineFixture, InvalidJsonReportsLineAndColumn) {
    try {
        Pipeline::fromJson("{\n  \"name\": \"x\",\n  \"stages\": [ oops ]\n}", "bad.json");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("bad.json:3:"), std::string::npos) << e.what();
    }
}

TEST_F(PipelineFixture, ValidationNamesEachProblem) {
    std::string m = validationMessage(R"({"inputs":{"t":"Volume"},"stages":[
        {"id":"a","stage":"test.nothere","inputs":{"image":"$t"}}]})");
    EXPECT_NE(m.find("unknown stage 'test.nothere'"), std::string::npos) << m;

    m = validationMessage(R"({"inputs":{"t":"Volume"},"stages":[
        {"id":"a","stage":"test.add","inputs":{"picture":"$t"}}]})");
    EXPECT_NE(m.find("unknown input port 'picture'"), std::string::npos) << m;
    EXPECT_NE(m.find("required input 'image'"), std::string::npos) << m;

    m = validationMessage(R"({"inputs":{"t":"Table"},"stages":[
        {"id":"a","stage":"test.add","inputs":{"image":"$t"}}]})");
    EXPECT_NE(m.find("needs Volume"), std::string::npos) << m;

    m = validationMessage(R"({"inputs":{"t":"Volume"},"stages":[
        {"id":"a","stage":"test.add","inputs":{"image":"b.image"}},
        {"id":"b","stage":"test.add","inputs":{"image":"$t"}}]})");
    EXPECT_NE(m.find("comes later"), std::string::npos) << m;

    m = validationMessage(R"({"inputs":{"t":"Volume"},"stages":[
        {"id":"a","stage":"test.add","inputs":{"image":"$missing"}}]})");
    EXPECT_NE(m.find("'$missing' is not a pipeline input"), std::string::npos) << m;

    m = validationMessage(R"({"inputs":{"t":"Volume"},"stages":[
        {"id":"a","stage":"test.add","inputs":{"image":"$t"},"params":{"value":"lots"}}]})");
    EXPECT_NE(m.find("parameter 'value'"), std::string::npos) << m;

    m = validationMessage(R"({"inputs":{"t":"Volume"},"stages":[
        {"id":"a","stage":"test.add","inputs":{"image":"$t"}}],"outputs":{"x.mrc":"a.mesh"}})");
    EXPECT_NE(m.find("has no output 'mesh'"), std::string::npos) << m;
}

TEST_F(PipelineFixture, OverrideSetsAParameterAndRejectsUnknownStages) {
    Pipeline p = Pipeline::fromJson(kChain, "chain.json");
    p.applyOverride("second.value=2.5");
    EXPECT_EQ(std::get<std::string>(p.findStage("second")->params.at("value")), "2.5");
    EXPECT_THROW(p.applyOverride("third.value=1"), InputError);
    EXPECT_THROW(p.applyOverride("novalue"), InputError);
    p.applyOverride("second.value=abc");
    EXPECT_THROW(validatePipeline(p, registry), InputError);
}

TEST_F(PipelineFixture, RunsThroughTheQueueAndCachesByInputsAndParameters) {
    JobQueue queue;
    ResultCache cache;
    PipelineRunner runner(registry, queue, cache);
    Pipeline p = Pipeline::fromJson(kChain, "chain.json");
    auto input = constantVolume(2.0f);

    PipelineRunResult r = runner.run(p, {{"tomogram", input}}, {{"tomogram", "file-a"}});
    ASSERT_EQ(r.state, JobState::Completed) << r.error;
    EXPECT_EQ(runner.executedStageCount(), 3);
    auto out = std::dynamic_pointer_cast<const Volume>(r.outputs.at("result.mrc"));
    ASSERT_TRUE(out);
    EXPECT_FLOAT_EQ(out->data<float>()[0], 13.0f);

    // Same inputs and parameters: nothing runs again.
    r = runner.run(p, {{"tomogram", input}}, {{"tomogram", "file-a"}});
    EXPECT_EQ(runner.executedStageCount(), 3);
    EXPECT_TRUE(r.stages[0].cached && r.stages[1].cached && r.stages[2].cached);

    // A late parameter changes: only that stage and what depends on it re-run.
    p.applyOverride("second.value=20");
    r = runner.run(p, {{"tomogram", input}}, {{"tomogram", "file-a"}});
    ASSERT_EQ(r.state, JobState::Completed);
    EXPECT_EQ(runner.executedStageCount(), 5);
    EXPECT_TRUE(r.stages[0].cached);
    EXPECT_FALSE(r.stages[1].cached);
    EXPECT_FLOAT_EQ(std::dynamic_pointer_cast<const Volume>(r.outputs.at("result.mrc"))->data<float>()[0], 23.0f);

    // The same value written differently (20 vs 20.0) is the same parameter.
    p.applyOverride("second.value=20.0");
    runner.run(p, {{"tomogram", input}}, {{"tomogram", "file-a"}});
    EXPECT_EQ(runner.executedStageCount(), 5);

    // A different input file re-runs everything.
    r = runner.run(p, {{"tomogram", input}}, {{"tomogram", "file-b"}});
    EXPECT_EQ(runner.executedStageCount(), 8);
}

TEST_F(PipelineFixture, AFailingStageFailsTheRunAndSkipsTheRest) {
    JobQueue queue;
    ResultCache cache;
    PipelineRunner runner(registry, queue, cache);
    const Pipeline p = Pipeline::fromJson(R"({"inputs":{"t":"Volume"},"stages":[
        {"id":"boom","stage":"test.fail","inputs":{"image":"$t"}},
        {"id":"after","stage":"test.add","inputs":{"image":"boom.image"}}],
        "outputs":{"x.mrc":"after.image"}})",
                                          "p");
    const PipelineRunResult r = runner.run(p, {{"t", constantVolume(1)}}, {});
    EXPECT_EQ(r.state, JobState::Failed);
    EXPECT_NE(r.error.find("deliberate failure"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("'boom'"), std::string::npos) << r.error;
    EXPECT_FALSE(r.badInput);
    ASSERT_EQ(r.stages.size(), 2u);
    EXPECT_EQ(r.stages[1].state, "skipped");
    EXPECT_TRUE(r.outputs.empty());
    EXPECT_EQ(cache.size(), 0u);
}

TEST_F(PipelineFixture, CancelEndsTheRunWithNoOutputs) {
    JobQueue queue;
    ResultCache cache;
    PipelineRunner runner(registry, queue, cache);
    const Pipeline p = Pipeline::fromJson(R"({"inputs":{},"stages":[
        {"id":"wait","stage":"test.slow","params":{"seconds":30}}],
        "outputs":{"x.mrc":"wait.image"}})",
                                          "p");
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        runner.cancel();
    });
    const auto start = std::chrono::steady_clock::now();
    const PipelineRunResult r = runner.run(p, {}, {});
    canceller.join();
    EXPECT_EQ(r.state, JobState::Cancelled);
    EXPECT_TRUE(r.outputs.empty());
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 20.0);
}

TEST_F(PipelineFixture, MissingPipelineInputIsBadInput) {
    JobQueue queue;
    ResultCache cache;
    PipelineRunner runner(registry, queue, cache);
    EXPECT_THROW(runner.run(Pipeline::fromJson(kChain, "c"), {}, {}), InputError);
}

// ---------------------------------------------------------------- paths that a pipeline names

namespace {

// A stage that writes a note to the file its write-path parameter names.
class WriteNote : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "test.write_note";
        i.name = "Write a note";
        i.group = "Test";
        i.inputs = {{"image", DataKind::Volume, false, "passed through"}};
        i.outputs = {{"image", DataKind::Volume, false, "the input"}};
        i.parameters = {ParameterSpec::outputPath("note_path", "", "file written"),
                        ParameterSpec::path("model_path", "", "file read (anywhere)")};
        return i;
    }
    PortData run(const PortData& in, const ParameterValues& p, JobContext&) const override {
        std::ofstream(p.getString("note_path")) << "note";
        return {{"image", in.at("image")}};
    }
};

// `text` as a JSON string literal, quotes and escapes included.
std::string jsonString(const std::string& text) {
    const std::string array =
        QJsonDocument(QJsonArray{QString::fromStdString(text)}).toJson(QJsonDocument::Compact).toStdString();
    return array.substr(1, array.size() - 2);
}

std::string withOutput(const std::string& name) {
    return R"({"name": "escape", "inputs": {"t": "Volume"},
      "stages": [{"id": "a", "stage": "test.add", "inputs": {"image": "$t"}}],
      "outputs": {)" +
           jsonString(name) + R"(: "a.image"}})";
}

std::string withNote(const std::string& notePath) {
    return R"({"name": "note", "inputs": {"t": "Volume"},
      "stages": [{"id": "first", "stage": "test.add", "inputs": {"image": "$t"}},
                 {"id": "w", "stage": "test.write_note", "inputs": {"image": "first.image"},
                  "params": {"note_path": )" +
           jsonString(notePath) + "}}]}";
}

class PipelinePathFixture : public PipelineFixture {
protected:
    void SetUp() override {
        PipelineFixture::SetUp();
        registry.add(std::make_shared<WriteNote>(), "test");
        ASSERT_TRUE(tmp.isValid());
        fs::create_directories(root / "out");
        fs::create_directories(root / "elsewhere");
    }
    QTemporaryDir tmp;
    fs::path root = tmp.path().toStdString();
};

}  // namespace

TEST_F(PipelinePathFixture, OutputsOutsideTheOutputFolderFailValidationNamingTheOutput) {
    for (const std::string name :
         {"../../x.mrc", "/home/user/.bashrc", "", "sub/../../x.mrc", "..\\x.mrc", ".", "a//b.mrc", "~/x.mrc"}) {
        const std::string message = validationMessage(withOutput(name));
        EXPECT_NE(message.find("output '" + name + "'"), std::string::npos) << name << ": " << message;
    }
    EXPECT_NE(validationMessage(withOutput(std::string("x\0.mrc", 6))).find("output 'x\\x00.mrc'"), std::string::npos);
    EXPECT_EQ(validationMessage(withOutput("meshes/labels.mrc")), "");

    // The runner validates first: no stage runs, nothing is produced.
    JobQueue queue;
    ResultCache cache;
    PipelineRunner runner(registry, queue, cache);
    runner.setOutputFolder((root / "out").string());
    EXPECT_THROW(runner.run(Pipeline::fromJson(withOutput("../../x.mrc"), "p.json"), {{"t", constantVolume(1)}}, {}),
                 InputError);
    EXPECT_EQ(runner.executedStageCount(), 0);
    EXPECT_EQ(cache.size(), 0u);
}

TEST_F(PipelinePathFixture, FilesThatStagesWriteStayInTheOutputFolder) {
    // Lexically hostile: refused at validation, naming the stage and the parameter.
    for (const std::string bad : {"../note.txt", "/tmp/note.txt", "a/../../note.txt", "~/.bashrc"}) {
        const std::string message = validationMessage(withNote(bad));
        EXPECT_NE(message.find("stage 'w' (test.write_note): parameter 'note_path'"), std::string::npos) << message;
        EXPECT_NE(message.find("output folder"), std::string::npos) << message;
    }
    // A read path may be anywhere.
    Pipeline readsAnywhere = Pipeline::fromJson(withNote("note.txt"), "p.json");
    readsAnywhere.applyOverride("w.model_path=/elsewhere/model.cfunet");
    EXPECT_NO_THROW(validatePipeline(readsAnywhere, registry));
    // --set goes through the same check.
    Pipeline overridden = Pipeline::fromJson(withNote("note.txt"), "p.json");
    overridden.applyOverride("w.note_path=../../note.txt");
    EXPECT_THROW(validatePipeline(overridden, registry), InputError);

    JobQueue queue;
    ResultCache cache;
    PipelineRunner runner(registry, queue, cache);
    const auto input = constantVolume(1);
    // No output folder: a stage that writes a file is refused before anything runs.
    EXPECT_THROW(runner.run(Pipeline::fromJson(withNote("note.txt"), "p.json"), {{"t", input}}, {}), InputError);
    EXPECT_EQ(runner.executedStageCount(), 0);

    // With one: the relative name is placed inside it.
    runner.setOutputFolder((root / "out").string());
    PipelineRunResult r = runner.run(Pipeline::fromJson(withNote("note.txt"), "p.json"), {{"t", input}}, {});
    ASSERT_EQ(r.state, JobState::Completed) << r.error;
    EXPECT_TRUE(fs::exists(root / "out" / "note.txt"));
    EXPECT_EQ(std::get<std::string>(r.stages[1].params.at("note_path")), (root / "out" / "note.txt").string());

    // A subfolder that is a link to elsewhere: refused before the first stage runs.
    fs::create_directory_symlink(root / "elsewhere", root / "out" / "sub");
    const int before = runner.executedStageCount();
    try {
        runner.run(Pipeline::fromJson(withNote("sub/note.txt"), "p.json"), {{"t", constantVolume(5)}}, {});
        FAIL() << "a link out of the output folder was followed";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("parameter 'note_path' 'sub/note.txt'"), std::string::npos) << e.what();
    }
    EXPECT_EQ(runner.executedStageCount(), before);
    EXPECT_TRUE(fs::is_empty(root / "elsewhere"));
}
