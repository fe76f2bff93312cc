// LabelGrid views of CellForge's data objects and run controls of its jobs, for code
// that links cellforge_core. Header-only: the metrics logic itself does not depend on core.
#pragma once

#include "core/data/LabelVolume.h"
#include "core/jobs/JobContext.h"
#include "plugins/metrics/logic/LabelGrid.h"

#include <string>

namespace cellforge::metrics {

// The view shares the volume's storage: keep `volume` alive while the grid is used.
inline LabelGrid gridOf(const LabelVolume& volume) {
    LabelGrid g;
    g.labels = volume.labels();
    g.dims = volume.dims();
    g.voxelSize = volume.voxelSize();
    return g;
}

// Runs the logic on the job's threads, cancel flag and progress (reported as `message`).
inline RunControl controlFor(JobContext& context, const std::string& message) {
    RunControl c;
    c.threads = context.threadBudget();
    c.cancel = &context.cancelFlag();
    c.progress = [&context, message](double f) { context.setProgress(f, message); };
    return c;
}

}  // namespace cellforge::metrics
