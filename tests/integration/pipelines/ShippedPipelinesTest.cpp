// The default pipelines in resources/pipelines run on the bundled demo tomogram with
// the real plugins, as README command (1) does, and give a usable segmentation.
#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/io/MeshIO.h"
#include "core/io/TableIO.h"
#include "core/io/VolumeIO.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;
using namespace cellforge;

namespace {

int runCli(const std::string& arguments) {
    // The plugin folder of the build tree is found relative to the executable.
    const std::string command = "'" CELLFORGE_CLI "' " + arguments + " 2>&1";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const std::string kResources = CELLFORGE_SOURCE_DIR "/resources";

}  // namespace

TEST(ShippedPipelines, MembranesOnTheDemoThenEvaluateAgainstItsGroundTruth) {
    const fs::path out = fs::temp_directory_path() / ("cf_shipped_" + std::to_string(::getpid()));
    fs::remove_all(out);
    const std::string tomogram = kResources + "/demo/phantom_tomogram.mrc";
    const std::string truth = kResources + "/demo/phantom_labels.mrc";

    ASSERT_EQ(runCli("run membranes --input tomogram=" + tomogram + " --output " + (out / "seg").string()), 0);
    const LabelVolume labels = io::readLabelVolume((out / "seg" / "labels.mrc").string());
    const Volume input = io::readVolume(tomogram);
    EXPECT_EQ(labels.dims(), input.dims());
    EXPECT_EQ(labels.voxelSize(), input.voxelSize());
    const Mesh surface = io::readMesh((out / "seg" / "membranes.stl").string());
    EXPECT_GT(surface.triangles.size(), 1000u);
    EXPECT_TRUE(fs::exists(out / "seg" / "report.json"));
    // The demo's vesicles are closed by fit.vesicles (three of five components).
    const Table vesicles = io::readTable((out / "seg" / "vesicles.csv").string());
    const auto closed = vesicles.numericColumn("closed");
    EXPECT_GE(std::count(closed.begin(), closed.end(), 1.0), 2) << "vesicles closed on the demo";
    // One instance per membrane, exactly on the membrane voxels of labels.mrc.
    const LabelVolume instances = io::readLabelVolume((out / "seg" / "instances.mrc").string());
    ASSERT_EQ(instances.dims(), labels.dims());
    std::int64_t membrane = 0, mismatched = 0;
    for (std::int64_t i = 0; i < labels.voxelCount(); ++i) {
        const bool isMembrane = labels.labels()[i] == 2;
        membrane += isMembrane;
        mismatched += isMembrane != (instances.labels()[i] != 0);
    }
    EXPECT_LT(double(mismatched), 0.01 * double(membrane)) << "instances cover the membrane voxels";
    const std::vector<LabelId> ids = instances.presentLabels();
    EXPECT_GE(ids.size(), 3u) << "the demo's membranes are several instances";
    EXPECT_TRUE(fs::exists(out / "seg" / "merges.csv"));

    ASSERT_EQ(runCli("run evaluate-segmentation --input labels=" + (out / "seg" / "labels.mrc").string() +
                     " --input reference=" + truth + " --output " + (out / "eval").string()),
              0);
    const Table overlap = io::readTable((out / "eval" / "overlap.csv").string());
    const auto classes = overlap.numericColumn("class");
    const auto dice = overlap.numericColumn("dice");
    double membraneDice = -1;
    for (std::size_t i = 0; i < classes.size(); ++i)
        if (classes[i] == 2) membraneDice = dice[i];
    // Far above chance (the membrane class is ~3 % of the voxels), so a broken model,
    // a flipped axis or a wrong label id would fail here.
    EXPECT_GT(membraneDice, 0.4) << "membrane Dice of the shipped model on the demo";
    fs::remove_all(out);
}

// The accuracy benchmark's pipeline (tests/bench/unet/phantom_accuracy.sh runs it per
// seed): phantom -> shipped model -> metrics plugin, with the mean slice Dice the closing
// figures quote. A seed of its own, so the test does not stand in for the benchmark.
TEST(ShippedPipelines, PhantomAccuracyPipelineScoresTheShippedModel) {
    const fs::path out = fs::temp_directory_path() / ("cf_phantom_" + std::to_string(::getpid()));
    fs::remove_all(out);
    const std::string pipeline = CELLFORGE_SOURCE_DIR "/tests/bench/unet/pipelines/phantom-shipped.json";
    ASSERT_EQ(runCli("run " + pipeline + " --output " + out.string() + " --set phantom.seed=77"), 0);
    const Table overlap = io::readTable((out / "overlap.csv").string());
    const auto classes = overlap.numericColumn("class");
    const auto sliceDice = overlap.numericColumn("mean_slice_dice");
    const auto scored = overlap.numericColumn("slices_scored");
    ASSERT_EQ(classes.size(), 2u);  // protein and membrane
    for (std::size_t i = 0; i < classes.size(); ++i) {
        EXPECT_GT(scored[i], 0);
        if (classes[i] == 2) {
            EXPECT_GT(sliceDice[i], 0.5) << "membrane mean slice Dice on a phantom";
        }
    }
    const Table perSlice = io::readTable((out / "dice_per_slice.csv").string());
    EXPECT_GT(perSlice.rowCount(), 40u);  // most of the 48 slices hold membranes
    fs::remove_all(out);
}
