// The meshing plugin's stages, declared to CellForge by MeshPlugin (kept apart from the
// QObject so that tests can run them directly):
//   mesh.surface, mesh.smooth, mesh.remesh, mesh.decimate, mesh.repair,
//   mesh.split_components, mesh.volume, mesh.quality.
#pragma once

#include "core/plugin/Stage.h"

#include <vector>

namespace cellforge::mesh {

std::vector<StagePtr> createMeshStages();

}  // namespace cellforge::mesh
