// The U-Net plugin: declares unet.simulate, unet.train and unet.infer to CellForge.
// The stages are in UNetStages.cpp, the logic in logic/ and core/ml; this adapter
// includes no torch header.
#pragma once

#include "core/plugin/PluginInterface.h"

#include <QObject>

namespace cellforge {

class UNetPlugin : public QObject, public PluginInterface {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID CellForgePluginInterface_iid FILE "plugin.json")
    Q_INTERFACES(cellforge::PluginInterface)

public:
    void registerStages(StageRegistry& registry) override;
};

}  // namespace cellforge
