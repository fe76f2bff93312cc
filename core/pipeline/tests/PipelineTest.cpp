#include "TestStages.h"

#include "core/base/Errors.h"
#include "core/data/Volume.h"
#include "core/pipeline/PipelineRunner.h"

#include <gtest/gtest.h>

#include <thread>

using namespace cellforge;

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
