// The stage builder (parameters bound once to settings fields), invokeStage's checks of
// inputs and outputs, and stage-id aliases in the registry.
#include "core/plugin/StageBuilder.h"

#include <gtest/gtest.h>

#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/data/Volume.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/StageInvocation.h"
#include "core/plugin/StageRegistry.h"

using namespace cellforge;

namespace {

enum class Direction { Up, Down };

struct ScaleSettings {
    double factor = 2.0;
    std::uint16_t label = 2;
    bool squared = false;
    Direction direction = Direction::Up;
    std::string note = "none";
};

StagePtr makeScaleStage(bool forgetOutput = false) {
    using S = ScaleSettings;
    return StageBuilder<S>("test.scale", "Scale a volume")
        .alias("test.multiply")
        .group("Testing")
        .description("Multiplies every voxel")
        .input("image", DataKind::Volume, "The image")
        .optionalInput("mask", DataKind::LabelVolume, "Where to scale")
        .output("image", DataKind::Volume, "The scaled image")
        .optionalOutput("log", DataKind::Table, "Optional log")
        .param("factor", &S::factor, {0, 10}, "", "Factor")
        .param("label", &S::label, {1, 65535}, "", "Mask label")
        .flag("squared", &S::squared, "Square the factor")
        .choice("direction", &S::direction, {{"up", Direction::Up}, {"down", Direction::Down}}, "Sign")
        .text("note", &S::note, "A note")
        .check([](const S& s) {
            if (s.squared && s.factor > 3) throw InputError("factor must be <= 3 when squared");
        })
        .run([forgetOutput](const StageInputs& in, const S& s, JobContext& job) -> PortData {
            const auto image = in.get<Volume>("image");
            const auto mask = in.optional<LabelVolume>("mask");
            double f = s.squared ? s.factor * s.factor : s.factor;
            if (s.direction == Direction::Down) f = -f;
            auto out = std::make_shared<Volume>(image->toFloat32());
            float* v = out->data<float>();
            for (std::int64_t i = 0; i < out->voxelCount(); ++i)
                if (!mask || mask->labels()[i] == s.label) v[i] = float(v[i] * f);
            job.setProgress(0.5);  // left short of 1: invokeStage finishes it
            if (forgetOutput) return {};
            return {{"image", out}};
        });
}

float firstVoxel(const PortData& out) { return dataAs<Volume>(out.at("image"), "image")->data<float>()[0]; }

}  // namespace

TEST(StageBuilder, SchemaWrittenOnceWithDefaultsFromTheSettings) {
    const StageInfo info = makeScaleStage()->info();
    EXPECT_EQ(info.id, "test.scale");
    EXPECT_EQ(info.aliases, std::vector<std::string>{"test.multiply"});
    ASSERT_EQ(info.inputs.size(), 2u);
    EXPECT_FALSE(info.inputs[0].optional);
    EXPECT_TRUE(info.inputs[1].optional);
    ASSERT_EQ(info.parameters.size(), 5u);
    EXPECT_EQ(info.parameters[0].name, "factor");
    EXPECT_EQ(std::get<double>(info.parameters[0].defaultValue), 2.0);
    EXPECT_EQ(info.parameters[1].type, ParamType::Int);
    EXPECT_EQ(std::get<std::int64_t>(info.parameters[1].defaultValue), 2);
    EXPECT_EQ(info.parameters[2].type, ParamType::Bool);
    EXPECT_EQ(info.parameters[3].type, ParamType::Enum);
    EXPECT_EQ(info.parameters[3].choices, (std::vector<std::string>{"up", "down"}));
    EXPECT_EQ(std::get<std::string>(info.parameters[3].defaultValue), "up");
    EXPECT_EQ(std::get<std::string>(info.parameters[4].defaultValue), "none");
}

TEST(StageBuilder, ParametersReachTheSettings) {
    const StagePtr stage = makeScaleStage();
    auto image = std::make_shared<Volume>(Index3{2, 2, 1}, ScalarType::Float32);
    image->data<float>()[0] = 1.5f;
    JobContext job;
    EXPECT_FLOAT_EQ(firstVoxel(invokeStage(*stage, {{"image", image}}, {}, job, "t")), 3.0f);
    EXPECT_DOUBLE_EQ(job.progress(), 1.0);
    EXPECT_FLOAT_EQ(
        firstVoxel(invokeStage(*stage, {{"image", image}},
                               {{"factor", 3.0}, {"squared", true}, {"direction", std::string("down")}}, job, "t")),
        -13.5f);
    // The mask (optional input) restricts where the label parameter matches.
    auto mask = std::make_shared<LabelVolume>(Index3{2, 2, 1});
    EXPECT_FLOAT_EQ(firstVoxel(invokeStage(*stage, {{"image", image}, {"mask", mask}}, {}, job, "t")), 1.5f);
    mask->labels()[0] = 2;
    EXPECT_FLOAT_EQ(firstVoxel(invokeStage(*stage, {{"image", image}, {"mask", mask}}, {}, job, "t")), 3.0f);
}

TEST(StageBuilder, BadParametersAreNamed) {
    const StagePtr stage = makeScaleStage();
    auto image = std::make_shared<Volume>(Index3{2, 2, 1}, ScalarType::Float32);
    JobContext job;
    auto message = [&](const std::map<std::string, ParamValue>& given) {
        try {
            invokeStage(*stage, {{"image", image}}, given, job, "stage 's'");
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(message({{"factor", 11.0}}).find("factor"), std::string::npos);
    EXPECT_NE(message({{"direction", std::string("sideways")}}).find("direction"), std::string::npos);
    EXPECT_NE(message({{"factor", 4.0}, {"squared", true}}).find("when squared"), std::string::npos);
    EXPECT_NE(message({{"nope", 1.0}}).find("nope"), std::string::npos);
}

// A choice the logic takes as text, a parameter declared by a shared helper, and
// settings that extend the logic's own options struct (a base's fields bound, a
// default the derived settings change).
struct BlendOptions {
    double weight = 1.0;
    int passes = 1;
};
struct BlendSettings : BlendOptions {
    BlendSettings() { passes = 3; }
    std::string method = "mean";
};

// What several stages share, declared once by a helper that with() calls.
void declareWeight(StageBuilder<BlendSettings>& b) { b.param("weight", &BlendOptions::weight, {0, 1}, "", "Weight"); }

TEST(StageBuilder, TextChoicesSharedDeclarationsAndFieldsOfABase) {
    using S = BlendSettings;
    const StagePtr stage =
        StageBuilder<S>("test.blend", "Blend")
            .output("log", DataKind::Table, "What was chosen")
            .textChoice("method", &S::method, {"max", "mean", "median"}, "How")
            .with(declareWeight)
            .param("passes", &S::passes, {1, 9}, "passes", "Passes")
            .run([](const StageInputs&, const S& s, JobContext&) -> PortData {
                auto t = std::make_shared<Table>(std::vector<std::string>{"method", "passes", "weight"});
                t->addRow({s.method, double(s.passes), s.weight});
                return {{"log", t}};
            });
    const StageInfo info = stage->info();
    ASSERT_EQ(info.parameters.size(), 3u);
    EXPECT_EQ(info.parameters[1].name, "weight");  // in the order of the calls
    EXPECT_EQ(info.parameters[0].type, ParamType::Enum);
    EXPECT_EQ(info.parameters[0].choices, (std::vector<std::string>{"max", "mean", "median"}));
    EXPECT_EQ(std::get<std::string>(info.parameters[0].defaultValue), "mean");
    EXPECT_EQ(std::get<std::int64_t>(info.parameters[2].defaultValue), 3);  // the settings' default, not the base's
    JobContext job;
    auto logOf = [&](const std::map<std::string, ParamValue>& given) {
        return dataAs<Table>(invokeStage(*stage, {}, given, job, "t").at("log"), "log")->row(0);
    };
    EXPECT_EQ(std::get<std::string>(logOf({})[0]), "mean");
    EXPECT_EQ(std::get<double>(logOf({})[1]), 3.0);
    EXPECT_EQ(std::get<std::string>(logOf({{"method", std::string("median")}})[0]), "median");
    EXPECT_EQ(std::get<double>(logOf({{"passes", std::int64_t(7)}})[1]), 7.0);
    EXPECT_EQ(std::get<double>(logOf({{"weight", 0.25}})[2]), 0.25);
    EXPECT_THROW(logOf({{"weight", 2.0}}), InputError);  // the helper's range holds
    EXPECT_THROW(logOf({{"method", std::string("mode")}}), InputError);
    // A default that is none of the names is a programming error, found when the stage is declared.
    EXPECT_THROW(StageBuilder<S>("test.bad", "Bad").textChoice("method", &S::method, {"max"}, "How"), std::logic_error);
}

TEST(StageInvocation, InputsAreCheckedBeforeTheStageRuns) {
    const StagePtr stage = makeScaleStage();
    auto image = std::make_shared<Volume>(Index3{2, 2, 1}, ScalarType::Float32);
    auto labels = std::make_shared<LabelVolume>(Index3{2, 2, 1});
    auto table = std::make_shared<Table>(std::vector<std::string>{"a"});
    JobContext job;
    auto message = [&](const PortData& inputs) {
        try {
            invokeStage(*stage, inputs, {}, job, "stage 's'");
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(message({}).find("required input 'image'"), std::string::npos);
    EXPECT_NE(message({{"image", nullptr}}).find("required input 'image'"), std::string::npos);
    EXPECT_NE(message({{"image", table}}).find("needs Volume"), std::string::npos);
    EXPECT_NE(message({{"image", image}, {"extra", image}}).find("'extra' is not an input"), std::string::npos);
    EXPECT_EQ(message({{"image", labels}}), "accepted");                    // a LabelVolume is accepted as a Volume
    EXPECT_EQ(message({{"image", image}, {"mask", nullptr}}), "accepted");  // optional input left out
}

TEST(StageInvocation, AMissingOutputIsAStageError) {
    const StagePtr stage = makeScaleStage(true);
    auto image = std::make_shared<Volume>(Index3{2, 2, 1}, ScalarType::Float32);
    JobContext job;
    try {
        invokeStage(*stage, {{"image", image}}, {}, job, "stage 's'");
        ADD_FAILURE() << "missing output accepted";
    } catch (const StageError& e) {
        EXPECT_NE(std::string(e.what()).find("no output 'image'"), std::string::npos) << e.what();
    }
}

TEST(StageRegistry, AliasesFindTheRenamedStage) {
    StageRegistry registry;
    registry.add(makeScaleStage(), "test");
    EXPECT_EQ(registry.find("test.multiply"), registry.find("test.scale"));
    EXPECT_EQ(registry.canonicalId("test.multiply"), "test.scale");
    EXPECT_EQ(registry.canonicalId("test.nothing"), "");
    EXPECT_EQ(registry.pluginOf("test.multiply"), "test");
    // Neither the id nor an alias may be registered twice.
    EXPECT_THROW(registry.add(makeScaleStage(), "other"), InputError);
    auto rival = StageBuilder<ScaleSettings>("test.multiply", "Rival")
                     .run([](const StageInputs&, const ScaleSettings&, JobContext&) { return PortData{}; });
    EXPECT_THROW(registry.add(rival, "other"), InputError);
}
