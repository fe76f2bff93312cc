// LabelGrid views of CellForge's label volumes, for code that links cellforge_core.
// Header-only: the imaging algorithms themselves depend on core/base alone.
#pragma once

#include "core/data/LabelVolume.h"
#include "core/imaging/LabelGrid.h"

namespace cellforge::imaging {

// The view shares the volume's storage: keep `volume` alive while the grid is used.
inline LabelGrid gridOf(const LabelVolume& volume) {
    LabelGrid g;
    g.labels = volume.labels();
    g.dims = volume.dims();
    g.voxelSize = volume.voxelSize();
    return g;
}

}  // namespace cellforge::imaging
