// The simulator's output on CellForge's data model: phantoms and training-image stacks
// as a Volume and a LabelVolume, a tomogram's statistics measured from a Volume and
// shown as a Table. Plain C++ over core (no Qt GUI).
#pragma once

#include "core/base/RunControl.h"
#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/data/Volume.h"
#include "core/simulation/Phantoms.h"
#include "core/simulation/TomogramStatistics.h"
#include "core/simulation/TrainingImages.h"

#include <cstdint>
#include <memory>

namespace cellforge::simulate {

simulation::TomogramStatistics measureVolume(const Volume& volume);
// Mean, standard deviation (notes) and the radially averaged power spectrum (rows).
std::shared_ptr<Table> statisticsTable(const simulation::TomogramStatistics& stats);

struct Simulated {
    std::shared_ptr<Volume> image;
    std::shared_ptr<LabelVolume> labels;
};
Simulated simulatePhantomVolume(const simulation::PhantomSettings& settings, std::uint64_t seed, double voxelSize);
// `count` 2D images stacked along z (one image per slice, labels likewise).
Simulated simulateDataset(const simulation::ImageSimulatorSettings& settings, std::uint64_t seed, int count,
                          double voxelSize, const RunControl& control);

}  // namespace cellforge::simulate
