#include "plugins/mesh/MeshPlugin.h"

#include "core/plugin/StageRegistry.h"
#include "plugins/mesh/MeshStages.h"

namespace cellforge {

void MeshPlugin::registerStages(StageRegistry& registry) {
    for (auto& stage : mesh::createMeshStages()) registry.add(stage, "mesh");
}

}  // namespace cellforge
