// LabelGrid views of CellForge's data objects, for code that links cellforge_core.
// Header-only: the metrics logic itself does not depend on core.
#pragma once

#include "core/data/LabelVolume.h"
#include "plugins/metrics/logic/LabelGrid.h"

namespace cellforge::metrics {

// The view shares the volume's storage: keep `volume` alive while the grid is used.
inline LabelGrid gridOf(const LabelVolume& volume) {
    LabelGrid g;
    g.labels = volume.labels();
    g.dims = volume.dims();
    g.voxelSize = volume.voxelSize();
    return g;
}

}  // namespace cellforge::metrics
