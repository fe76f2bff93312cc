// The meshing plugin: declares the mesh.* stages (MeshStages.h) to CellForge. The
// algorithms are in logic/.
#pragma once

#include "core/plugin/PluginInterface.h"

#include <QObject>

namespace cellforge {

class MeshPlugin : public QObject, public PluginInterface {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID CellForgePluginInterface_iid FILE "plugin.json")
    Q_INTERFACES(cellforge::PluginInterface)

public:
    void registerStages(StageRegistry& registry) override;
};

}  // namespace cellforge
