// The interface a CellForge plugin library implements (a Qt plugin). Its metadata
// (Q_PLUGIN_METADATA FILE "plugin.json") is read before the library is loaded:
//   { "id": "filters", "name": "...", "version": "1.0.0", "apiVersion": 1,
//     "description": "...", "requires": ["itk"] }
#pragma once

#include <QtPlugin>

namespace cellforge {

class StageRegistry;

inline constexpr int kPluginApiVersion = 1;

class PluginInterface {
public:
    virtual ~PluginInterface() = default;
    // Called once, on the main thread, right after the library is loaded and its
    // metadata accepted. Adds the plugin's stages to `registry`.
    virtual void registerStages(StageRegistry& registry) = 0;
};

}  // namespace cellforge

#define CellForgePluginInterface_iid "org.cellforge.PluginInterface/1"
Q_DECLARE_INTERFACE(cellforge::PluginInterface, CellForgePluginInterface_iid)
