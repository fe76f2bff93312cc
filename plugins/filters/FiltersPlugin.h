// The Qt plugin object of the filters plugin: registers the filters.* stages.
#pragma once

#include <QObject>

#include "core/plugin/PluginInterface.h"

namespace cellforge::filters {

class FiltersPlugin : public QObject, public PluginInterface {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID CellForgePluginInterface_iid FILE "plugin.json")
    Q_INTERFACES(cellforge::PluginInterface)

public:
    void registerStages(StageRegistry& registry) override;
};

}  // namespace cellforge::filters
