// fit.vesicles: a vesicle segmented slice by slice (caps missing, smear beyond it along
// z) is closed; what is not a vesicle is left alone; bad inputs are refused by name.
#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/StageInvocation.h"
#include "core/plugin/testing/LoadedPlugins.h"
#include "plugins/fit/FitStages.h"
#include "plugins/fit/logic/VesicleFit.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace cellforge;
using namespace cellforge::fit;

namespace {

constexpr std::int64_t kNx = 72, kNy = 64, kNz = 56;
constexpr std::uint16_t kMembrane = 2, kProtein = 1;
const imaging::Dims3 kDims{kNx, kNy, kNz};

std::int64_t at(std::int64_t x, std::int64_t y, std::int64_t z) { return x + kNx * (y + kNy * z); }

// Distance to a sphere's surface; the sphere centred at (36, 32, 28), radius 18.
double sphereDistance(std::int64_t x, std::int64_t y, std::int64_t z) {
    return std::sqrt(double((x - 36) * (x - 36) + (y - 32) * (y - 32) + (z - 28) * (z - 28))) - 18.0;
}

// The full membrane: a shell 4 voxels thick.
std::vector<std::uint16_t> fullVesicle() {
    std::vector<std::uint16_t> labels(std::size_t(kNx * kNy * kNz), 0);
    for (std::int64_t z = 0; z < kNz; ++z)
        for (std::int64_t y = 0; y < kNy; ++y)
            for (std::int64_t x = 0; x < kNx; ++x)
                if (std::fabs(sphereDistance(x, y, z)) <= 2.0) labels[std::size_t(at(x, y, z))] = kMembrane;
    return labels;
}

// What a per-slice segmentation gives: no caps (membrane whose normal is within 40
// degrees of z), and the caps' smear: a patch beyond the top of the vesicle, joined to it.
std::vector<std::uint16_t> slicewiseVesicle() {
    auto labels = fullVesicle();
    for (std::int64_t z = 0; z < kNz; ++z)
        for (std::int64_t y = 0; y < kNy; ++y)
            for (std::int64_t x = 0; x < kNx; ++x)
                if (std::fabs(double(z - 28)) > 18.0 * std::cos(40.0 * M_PI / 180.0))
                    labels[std::size_t(at(x, y, z))] = 0;
    for (std::int64_t z = 42; z < 50; ++z)  // smear: a column above the rim, up to z 49
        for (std::int64_t y = 30; y < 35; ++y)
            for (std::int64_t x = 44; x < 50; ++x) labels[std::size_t(at(x, y, z))] = kMembrane;
    for (std::int64_t z = 38; z < 42; ++z)  // joined to the rim
        for (std::int64_t y = 30; y < 35; ++y)
            for (std::int64_t x = 44; x < 50; ++x) labels[std::size_t(at(x, y, z))] = kMembrane;
    return labels;
}

double dice(const std::vector<std::uint16_t>& a, const std::vector<std::uint16_t>& b) {
    double both = 0, na = 0, nb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        both += a[i] == kMembrane && b[i] == kMembrane;
        na += a[i] == kMembrane;
        nb += b[i] == kMembrane;
    }
    return 2 * both / (na + nb);
}

VesicleFitSettings settings() {
    VesicleFitSettings s;
    s.minVoxels = 500;
    return s;
}

}  // namespace

TEST(VesicleFit, ClosesAVesicleSegmentedSliceBySlice) {
    const auto truth = fullVesicle();
    auto labels = slicewiseVesicle();
    const double before = dice(labels, truth);
    const VesicleFitResult r = closeVesicles(labels.data(), nullptr, kDims, settings());
    ASSERT_EQ(r.vesicles.size(), 1u);
    const FittedVesicle& v = r.vesicles[0];
    EXPECT_TRUE(v.accepted) << v.verdict;
    EXPECT_NEAR(v.centre[0], 36, 1.0);
    EXPECT_NEAR(v.centre[1], 32, 1.0);
    EXPECT_NEAR(v.centre[2], 28, 1.5);
    for (double a : v.semiAxes) EXPECT_NEAR(a, 18, 1.5);
    EXPECT_NEAR(v.thickness, 4, 1.0);
    EXPECT_GT(r.voxelsAdded, 1000);                             // the caps
    EXPECT_GT(r.voxelsRemoved, 0);                              // the smear
    EXPECT_EQ(labels[std::size_t(at(36, 32, 46))], kMembrane);  // top pole
    EXPECT_EQ(labels[std::size_t(at(36, 32, 10))], kMembrane);  // bottom pole
    EXPECT_EQ(labels[std::size_t(at(46, 32, 48))], 0);          // the smear beyond the top
    const double after = dice(labels, truth);
    EXPECT_GT(after, 0.92) << "before " << before;  // 0.94 (0.85 before)
    EXPECT_GT(after, before + 0.07);
}

TEST(VesicleFit, LeavesWhatIsNotAVesicleAlone) {
    // A flat membrane (no ellipsoid fits it within the radius range), and a vesicle
    // whose labels cover too little of any shell (one short arc).
    std::vector<std::uint16_t> labels(std::size_t(kNx * kNy * kNz), 0);
    for (std::int64_t z = 0; z < kNz; ++z)
        for (std::int64_t y = 0; y < kNy; ++y)
            for (std::int64_t x = 10; x < 14; ++x) labels[std::size_t(at(x, y, z))] = kMembrane;
    const auto truth = fullVesicle();
    for (std::int64_t z = 20; z < 36; ++z)
        for (std::int64_t y = 0; y < kNy; ++y)
            for (std::int64_t x = 50; x < kNx; ++x)
                if (truth[std::size_t(at(x, y, z))] == kMembrane && y > 26 && y < 38)
                    labels[std::size_t(at(x, y, z))] = kMembrane;
    const auto before = labels;
    const VesicleFitResult r = closeVesicles(labels.data(), nullptr, kDims, settings());
    ASSERT_EQ(r.vesicles.size(), 2u);
    for (const auto& v : r.vesicles) EXPECT_FALSE(v.accepted) << v.voxels << " voxels: " << v.verdict;
    EXPECT_EQ(labels, before);
    EXPECT_EQ(r.voxelsAdded, 0);
}

TEST(VesicleFit, ProteinsAreNeverOverwrittenAndUnconfidentVoxelsAreNotFitted) {
    auto labels = slicewiseVesicle();
    labels[std::size_t(at(36, 32, 46))] = kProtein;  // a protein where the top cap goes
    // Probabilities: the vesicle confident, the smear not; fitting only the confident
    // voxels gives the same vesicle.
    std::vector<float> probability(labels.size(), 0.0f);
    for (std::size_t i = 0; i < labels.size(); ++i) probability[i] = labels[i] == kMembrane ? 0.9f : 0.1f;
    for (std::int64_t z = 38; z < 50; ++z)
        for (std::int64_t y = 30; y < 35; ++y)
            for (std::int64_t x = 44; x < 50; ++x) probability[std::size_t(at(x, y, z))] = 0.55f;
    const VesicleFitResult r = closeVesicles(labels.data(), probability.data(), kDims, settings());
    ASSERT_EQ(r.vesicles.size(), 1u);
    EXPECT_TRUE(r.vesicles[0].accepted) << r.vesicles[0].verdict;
    EXPECT_GT(r.vesicles[0].inlierShare, 0.95);  // the smear was not among the fitted voxels
    EXPECT_EQ(labels[std::size_t(at(36, 32, 46))], kProtein);
}

TEST(VesicleFit, BadSettingsAreRefusedWithTheirName) {
    auto expectNamed = [](VesicleFitSettings s, const std::string& name) {
        try {
            validate(s);
            ADD_FAILURE() << name << " accepted";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
        }
    };
    VesicleFitSettings s;
    s.radiusMax = 2;
    expectNamed(s, "radius_max");
    s = {};
    s.thicknessMin = 9;
    expectNamed(s, "thickness_max");
    s = {};
    s.confidence = 1.5;
    expectNamed(s, "confidence");
}

TEST(VesicleFitStage, ClosesVesiclesAndRefusesMismatchedProbabilities) {
    const StagePtr stage = makeStages().at(0);
    EXPECT_EQ(stage->info().id, "fit.close_vesicles");
    EXPECT_EQ(stage->info().aliases, std::vector<std::string>{"fit.vesicles"});
    auto labels = std::make_shared<LabelVolume>(Index3{kNx, kNy, kNz});
    const auto slicewise = slicewiseVesicle();
    std::copy(slicewise.begin(), slicewise.end(), labels->labels());
    const ParameterValues params =
        validateParameters(stage->info().parameters, {{"min_voxels", std::int64_t(500)}}, "fit.close_vesicles");
    JobContext context;
    const PortData out = stage->run({{"labels", labels}}, params, context);
    const auto closed = dataAs<LabelVolume>(out.at("labels"), "labels");
    const std::vector<std::uint16_t> result(closed->labels(), closed->labels() + closed->voxelCount());
    EXPECT_GT(dice(result, fullVesicle()), 0.9);
    EXPECT_EQ(std::vector<std::uint16_t>(labels->labels(), labels->labels() + labels->voxelCount()), slicewise)
        << "the input was changed";
    const auto table = dataAs<Table>(out.at("vesicles"), "vesicles");
    EXPECT_EQ(table->rowCount(), 1u);

    auto wrong = std::make_shared<Volume>(Index3{kNx, kNy, kNz - 1}, ScalarType::Float32);
    try {
        stage->run({{"labels", labels}, {"probabilities", wrong}}, params, context);
        ADD_FAILURE() << "mismatched probabilities accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("differ in size"), std::string::npos) << e.what();
    }
}

TEST(VesicleFitStage, ACancelledRunChangesNothing) {
    const StagePtr stage = makeStages().at(0);
    auto labels = std::make_shared<LabelVolume>(Index3{kNx, kNy, kNz});
    const auto slicewise = slicewiseVesicle();
    std::copy(slicewise.begin(), slicewise.end(), labels->labels());
    const ParameterValues params =
        validateParameters(stage->info().parameters, {{"min_voxels", std::int64_t(500)}}, "fit.close_vesicles");
    JobContext context;
    // Cancelled mid-run, at the first progress report of the fit.
    bool reported = false;
    context.setProgressSink([&](double, const std::string&) {
        reported = true;
        context.requestCancel();
    });
    EXPECT_THROW(invokeStage(*stage, {{"labels", labels}}, {{"min_voxels", std::int64_t(500)}}, context, "test"),
                 CancelledError);
    EXPECT_TRUE(reported);
    EXPECT_EQ(std::vector<std::uint16_t>(labels->labels(), labels->labels() + labels->voxelCount()), slicewise);
}

TEST(VesicleFitStage, ThePluginRegistersTheStage) {
    test_support::LoadedPlugins plugins(CELLFORGE_BINARY_DIR "/lib/cellforge/plugins");
    EXPECT_NE(plugins.registry.find("fit.close_vesicles"), nullptr);
    // Pipelines written with the former id keep working.
    EXPECT_EQ(plugins.registry.find("fit.vesicles"), plugins.registry.find("fit.close_vesicles"));
    EXPECT_EQ(plugins.registry.canonicalId("fit.vesicles"), "fit.close_vesicles");
}
