// The meshing plugin's stages, each one StageBuilder call bound to the logic's options
// struct (or a settings struct derived from it); its generated plugin object registers
// them (see cellforge_add_plugin):
//   mesh.surface, mesh.smooth, mesh.remesh, mesh.decimate, mesh.repair,
//   mesh.split_components, mesh.tetrahedralize (formerly mesh.volume), mesh.quality.
#pragma once

#include "core/plugin/Stage.h"

#include <vector>

namespace cellforge::mesh {

std::vector<StagePtr> makeStages();

}  // namespace cellforge::mesh
