// The filters.* stages as the rest of the program sees them: ids, ports, schemas with
// units, validation before running, running through Stage::run, and the plugin library
// itself loaded through Qt's plugin loader.
#include <gtest/gtest.h>

#include <QDir>
#include <QPluginLoader>
#include <QString>
#include <cstdlib>

#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/PluginInterface.h"
#include "core/plugin/StageRegistry.h"
#include "plugins/filters/FilterStages.h"
#include "plugins/filters/tests/TestVolumes.h"

using namespace cellforge;
using namespace cellforge::filters::testing;

namespace {

// A job that asks for cancellation the first time its progress is reported, i.e. once
// the stage has started its work: the filter sees it through context.control().
struct CancelJobOnFirstProgress {
    JobContext context;
    int reports = 0;
    CancelJobOnFirstProgress() {
        context.setThreadBudget(2);
        context.setProgressSink([this](double, const std::string&) {
            ++reports;
            context.requestCancel();
        });
    }
};

const std::vector<std::string> kStageIds = {
    "filters.bandpass",
    "filters.bilateral",
    "filters.bin",
    "filters.clahe",
    "filters.curvature_anisotropic_diffusion",
    "filters.gaussian",
    "filters.gradient_anisotropic_diffusion",
    "filters.gradient_magnitude",
    "filters.invert",
    "filters.median",
    "filters.percentile_normalize",
    "filters.resample",
    "filters.zscore",
};

StageRegistry registry() {
    StageRegistry r;
    for (const StagePtr& stage : filters::makeStages()) r.add(stage, "filters");
    return r;
}

const ParameterSpec* findParam(const StageInfo& info, const std::string& name) {
    for (const auto& p : info.parameters)
        if (p.name == name) return &p;
    return nullptr;
}

PortData imageInput(const Volume& v) { return {{"image", std::make_shared<Volume>(v)}}; }

}  // namespace

TEST(FilterStages, EveryStageHasImagePortsAndDocumentedParameters) {
    const StageRegistry r = registry();
    EXPECT_EQ(r.stageIds(), kStageIds);
    for (const auto& id : kStageIds) {
        const StageInfo info = r.require(id)->info();
        EXPECT_EQ(info.id, id);
        EXPECT_EQ(r.pluginOf(id), "filters");
        EXPECT_FALSE(info.name.empty());
        EXPECT_FALSE(info.description.empty());
        ASSERT_EQ(info.inputs.size(), 1u) << id;
        EXPECT_EQ(info.inputs[0].name, "image");
        EXPECT_EQ(info.inputs[0].kind, DataKind::Volume);
        ASSERT_EQ(info.outputs.size(), 1u) << id;
        EXPECT_EQ(info.outputs[0].name, "image");
        for (const auto& p : info.parameters) {
            EXPECT_FALSE(p.help.empty()) << id << "." << p.name;
            if (p.type == ParamType::Enum) {
                EXPECT_FALSE(p.choices.empty()) << id << "." << p.name;
            }
        }
        if (id != "filters.invert") {
            const ParameterSpec* mode = findParam(info, "mode");
            ASSERT_NE(mode, nullptr) << id;
            EXPECT_EQ(mode->choices, (std::vector<std::string>{"3d", "2d-slices"}));
        }
    }
    const StageInfo gaussian = r.require("filters.gaussian")->info();
    const ParameterSpec* sigma = findParam(gaussian, "sigma");
    ASSERT_NE(sigma, nullptr);
    EXPECT_EQ(sigma->unit, "voxels");
    EXPECT_EQ(findParam(r.require("filters.median")->info(), "radius")->unit, "voxels");
    EXPECT_EQ(findParam(r.require("filters.resample")->info(), "voxel_size")->unit, "Å");
    EXPECT_EQ(findParam(r.require("filters.bandpass")->info(), "lowpass")->unit, "Å");
}

TEST(FilterStages, BadParametersAreRefusedBeforeRunningWithTheReason) {
    const StageRegistry r = registry();
    const StageInfo info = r.require("filters.gaussian")->info();
    try {
        validateParameters(info.parameters, {{"sigma", -1.5}}, "stage 'smooth' (filters.gaussian)");
        FAIL() << "negative sigma accepted";
    } catch (const InputError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("sigma"), std::string::npos) << what;
    }
    EXPECT_THROW(validateParameters(info.parameters, {{"mode", std::string("4d")}}, "gaussian"), InputError);
    EXPECT_THROW(
        validateParameters(r.require("filters.median")->info().parameters, {{"radius", std::int64_t(-1)}}, "median"),
        InputError);
    EXPECT_THROW(
        validateParameters(r.require("filters.resample")->info().parameters, {{"voxel_size", 0.0}}, "resample"),
        InputError);
    // Defaults alone are valid for every stage.
    for (const auto& id : kStageIds) EXPECT_NO_THROW(validateParameters(r.require(id)->info().parameters, {}, id));
}

TEST(FilterStages, EveryStageRunsOnEveryScalarTypeAndKeepsGeometry) {
    const StageRegistry r = registry();
    for (ScalarType type :
         {ScalarType::UInt8, ScalarType::Int8, ScalarType::Int16, ScalarType::UInt16, ScalarType::Float32}) {
        Volume v({24, 20, 12}, type);
        dispatchScalar(type, [&](auto t) {
            using T = decltype(t);
            for (std::int64_t i = 0; i < v.voxelCount(); ++i) v.data<T>()[i] = T((i * 37) % 100);
        });
        v.setVoxelSize({4, 4, 4});
        v.setOrigin({-12, 8, 40});
        for (const auto& id : kStageIds) {
            const StagePtr stage = r.require(id);
            std::map<std::string, ParamValue> given;
            if (id == "filters.bandpass") given["lowpass"] = 10.0;
            if (id == "filters.clahe") given["radius"] = std::int64_t(2);
            if (id == "filters.resample") given["voxel_size"] = 8.0;
            if (id == "filters.gradient_anisotropic_diffusion" || id == "filters.curvature_anisotropic_diffusion")
                given["iterations"] = std::int64_t(2);
            const ParameterValues params = validateParameters(stage->info().parameters, given, id);
            JobContext ctx;
            ctx.setThreadBudget(2);
            const PortData out = stage->run(imageInput(v), params, ctx);
            ASSERT_EQ(out.count("image"), 1u) << id;
            const auto result = dataAs<Volume>(out.at("image"), id);
            EXPECT_EQ(result->scalarType(), ScalarType::Float32) << id;
            EXPECT_EQ(result->origin(), v.origin()) << id;
            if (id == "filters.bin" || id == "filters.resample") {
                EXPECT_EQ(result->voxelSize(), (Vec3{8, 8, 8})) << id;
                EXPECT_EQ(result->dims(), (Index3{12, 10, 6})) << id;
            } else {
                EXPECT_EQ(result->voxelSize(), v.voxelSize()) << id;
                EXPECT_EQ(result->dims(), v.dims()) << id;
            }
            EXPECT_DOUBLE_EQ(ctx.progress(), 1.0) << id;
            const VolumeStatistics s = computeStatistics(*result);
            EXPECT_TRUE(std::isfinite(s.mean) && std::isfinite(s.rms)) << id;
        }
    }
}

TEST(FilterStages, LabelVolumesAreAcceptedAsVolumes) {
    const StageRegistry r = registry();
    LabelVolume labels({10, 10, 10});
    labels.labels()[labels.index(5, 5, 5)] = 2;
    const auto stage = r.require("filters.gaussian");
    const ParameterValues params = validateParameters(stage->info().parameters, {{"sigma", 1.0}}, "gaussian");
    JobContext ctx;
    const PortData out = stage->run({{"image", std::make_shared<LabelVolume>(labels)}}, params, ctx);
    EXPECT_GT(dataAs<Volume>(out.at("image"), "out")->valueAt(5, 5, 5), 0.0);
}

TEST(FilterStages, MissingInputIsABadInputError) {
    const StageRegistry r = registry();
    const auto stage = r.require("filters.median");
    const ParameterValues params = validateParameters(stage->info().parameters, {}, "median");
    JobContext ctx;
    try {
        stage->run({}, params, ctx);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("image"), std::string::npos) << e.what();
    }
}

TEST(FilterStages, CancelledRunThrowsCancelled) {
    const StageRegistry r = registry();
    const Volume v = randomVolume({64, 64, 64}, 8);
    for (const std::string id : {"filters.gaussian", "filters.median", "filters.bilateral", "filters.resample"}) {
        const auto stage = r.require(id);
        const ParameterValues params = validateParameters(stage->info().parameters, {}, id);
        CancelJobOnFirstProgress c;
        EXPECT_THROW(stage->run(imageInput(v), params, c.context), CancelledError) << id;
        EXPECT_GE(c.reports, 1) << id;  // the job's progress reached the sink before the cancel
        EXPECT_LT(c.context.progress(), 1.0) << id;
    }
}

TEST(FiltersPlugin, LoadsThroughQtAndRegistersItsStages) {
    const char* path = std::getenv("CELLFORGE_PLUGIN_PATH");
    ASSERT_NE(path, nullptr) << "CELLFORGE_PLUGIN_PATH is not set";
    const QString file = QDir(QString::fromLocal8Bit(path)).filePath("cellforge_filters.so");
    QPluginLoader loader(file);
    const QJsonObject meta = loader.metaData().value("MetaData").toObject();
    EXPECT_EQ(meta.value("id").toString(), "filters");
    EXPECT_EQ(meta.value("apiVersion").toInt(), kPluginApiVersion);
    QObject* instance = loader.instance();
    ASSERT_NE(instance, nullptr) << loader.errorString().toStdString();
    auto* plugin = qobject_cast<PluginInterface*>(instance);
    ASSERT_NE(plugin, nullptr);
    StageRegistry r;
    plugin->registerStages(r);
    EXPECT_EQ(r.stageIds(), kStageIds);
}
