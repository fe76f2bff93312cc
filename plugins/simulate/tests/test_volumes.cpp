// The simulator's output as Volumes: geometry, labels, progress per image, cancellation
// mid-run, and the statistics table.
#include "core/base/Errors.h"
#include "plugins/simulate/logic/SimulationVolumes.h"

#include <atomic>
#include <gtest/gtest.h>

using namespace cellforge;
using namespace cellforge::simulate;

TEST(SimulationVolumes, PhantomsDatasetsAndStatistics) {
    simulation::PhantomSettings ps;
    ps.nx = 48;
    ps.ny = 40;
    ps.nz = 8;
    ps.vesicles = 2;
    ps.radiusMin = 8;
    ps.radiusMax = 12;
    const Simulated p = simulatePhantomVolume(ps, 2, 12.0);
    EXPECT_EQ(p.image->dims(), (Index3{48, 40, 8}));
    EXPECT_EQ(p.labels->voxelSize()[2], 12.0);
    EXPECT_FALSE(p.labels->presentLabels().empty());
    const auto stats = statisticsTable(measureVolume(*p.image));
    EXPECT_GT(stats->rowCount(), 3u);
    std::string mean;
    for (const auto& [key, value] : stats->notes)
        if (key == "mean") mean = value;
    EXPECT_NEAR(std::stod(mean), 0.0, 1e-3);

    simulation::ImageSimulatorSettings s;
    s.size = 32;
    s.radiusMin = 6;
    s.radiusMax = 20;
    int reports = 0;
    RunControl c;
    c.progress = [&](double, const std::string&) { ++reports; };
    const Simulated d = simulateDataset(s, 4, 12, 10.0, c);
    EXPECT_EQ(d.image->dims(), (Index3{32, 32, 12}));
    EXPECT_EQ(reports, 12);
    std::atomic<bool> stop{false};
    RunControl cancel;
    cancel.cancel = &stop;
    cancel.progress = [&](double, const std::string&) { stop = true; };  // mid-run, at the first slice
    EXPECT_THROW(simulateDataset(s, 4, 12, 10.0, cancel), CancelledError);
    s.contextSlices = 3;
    EXPECT_THROW(simulateDataset(s, 4, 12, 10.0, c), InputError);
}
