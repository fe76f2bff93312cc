// The surface-fitting plugin: declares fit.vesicles to CellForge. The stage is in
// FitStages.cpp, the logic in logic/.
#pragma once

#include "core/plugin/PluginInterface.h"

#include <QObject>

namespace cellforge {

class FitPlugin : public QObject, public PluginInterface {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID CellForgePluginInterface_iid FILE "plugin.json")
    Q_INTERFACES(cellforge::PluginInterface)

public:
    void registerStages(StageRegistry& registry) override;
};

}  // namespace cellforge
