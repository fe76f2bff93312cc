// The metrics plugin: declares the stages metrics.overlap, metrics.surface_distance,
// metrics.instances and metrics.membranes to CellForge. The algorithms are in logic/.
#pragma once

#include <QObject>

#include "core/plugin/PluginInterface.h"

namespace cellforge {

class MetricsPlugin : public QObject, public PluginInterface {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID CellForgePluginInterface_iid FILE "plugin.json")
    Q_INTERFACES(cellforge::PluginInterface)

public:
    void registerStages(StageRegistry& registry) override;
};

}  // namespace cellforge
