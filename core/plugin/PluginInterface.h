// The interface a CellForge plugin library implements (a Qt plugin). Its metadata
// (Q_PLUGIN_METADATA FILE "plugin.json") is read before the library is loaded:
//   { "id": "filters", "name": "...", "version": "1.0.0", "apiVersion": 1,
//     "description": "...", "requires": ["itk"] }
// `requires` lists capabilities of the program (PluginLoader::capabilities()) or ids
// of other plugins; a plugin whose requirement is missing is refused with the reason.
// Besides stages a plugin may add file formats and editing tools (below), and panels
// through its optional GUI module (core/plugin/PanelFactory.h).
#pragma once

#include "core/io/FileFormat.h"
#include "core/plugin/EditingTool.h"

#include <QtPlugin>

#include <vector>

namespace cellforge {

class StageRegistry;

inline constexpr int kPluginApiVersion = 1;

class PluginInterface {
public:
    virtual ~PluginInterface() = default;
    // Called once, on the main thread, right after the library is loaded and its
    // metadata accepted. Adds the plugin's stages to `registry`.
    virtual void registerStages(StageRegistry& registry) = 0;
    // Called after registerStages. Readers and writers io::readData/writeData use
    // after their built-in formats. Default: none.
    virtual std::vector<io::FileFormatPtr> fileFormats() { return {}; }
    // Called after fileFormats. Tools the GUI adds to its Tools menu and toolbar (the
    // CLI never calls their events). Default: none.
    virtual std::vector<EditingToolPtr> editingTools() { return {}; }
};

}  // namespace cellforge

#define CellForgePluginInterface_iid "org.cellforge.PluginInterface/1"
Q_DECLARE_INTERFACE(cellforge::PluginInterface, CellForgePluginInterface_iid)
