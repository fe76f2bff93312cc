// The meshing plugin's stages, which its generated plugin object registers (see
// cellforge_add_plugin):
//   mesh.surface, mesh.smooth, mesh.remesh, mesh.decimate, mesh.repair,
//   mesh.split_components, mesh.volume, mesh.quality.
#pragma once

#include "core/plugin/Stage.h"

#include <vector>

namespace cellforge::mesh {

std::vector<StagePtr> makeStages();

}  // namespace cellforge::mesh
