// Finds plugin libraries in the install's plugin folder and in each folder of
// CELLFORGE_PLUGIN_PATH, checks their metadata before loading (API version, id,
// `requires`), loads the good ones into a StageRegistry, collects what else they add
// (file formats into io::pluginFileFormats(), editing tools, and, for the GUI only,
// panels from their GUI modules) and keeps the reason for each one refused.
#pragma once

#include "core/plugin/EditingTool.h"
#include "core/plugin/PanelFactory.h"
#include "core/plugin/StageRegistry.h"

#include <string>
#include <vector>

namespace cellforge {

struct PluginRecord {
    std::string file;  // the library's path
    std::string id, name, version, description;
    int apiVersion = 0;
    std::vector<std::string> requirements;  // plugin.json "requires"
    bool loaded = false;
    std::string refusal;  // why it was not loaded (empty when loaded)
    std::vector<std::string> stageIds;
    std::vector<std::string> fileFormats;   // format names
    std::vector<std::string> editingTools;  // tool ids
    std::string guiModule;                  // the GUI module's path, if the plugin has one
    std::vector<std::string> panels;        // panel ids (when the GUI loaded the module)
    std::string guiRefusal;                 // why the GUI module gave no panels
};

struct ContributedTool {
    std::string pluginId;
    EditingToolPtr tool;
};

struct ContributedPanel {
    std::string pluginId;
    PanelFactoryPtr factory;
};

class PluginLoader {
public:
    enum class GuiModules { Skip, Load };  // the CLI skips them, the GUI loads them

    // The folders searched, in order: CELLFORGE_PLUGIN_PATH entries, then
    // <dir of executable>/../lib/cellforge/plugins.
    static std::vector<std::string> defaultSearchPaths();
    // What a plugin may name in `requires` besides other plugins' ids: the libraries
    // core links (qt, itk, vtk, eigen), cgal (header-only, compiled into the plugin)
    // and libtorch when its library can be loaded.
    static bool hasCapability(const std::string& name);
    static std::vector<std::string> capabilityNames();

    // Loads every plugin found in `folders`; never throws for a bad plugin. A plugin
    // that requires another is loaded after it, wherever it was found.
    void loadFrom(const std::vector<std::string>& folders, StageRegistry& registry, GuiModules gui = GuiModules::Skip);
    const std::vector<PluginRecord>& records() const { return records_; }
    const std::vector<ContributedTool>& editingTools() const { return tools_; }
    const std::vector<ContributedPanel>& panels() const { return panels_; }

private:
    std::vector<PluginRecord> records_;
    std::vector<ContributedTool> tools_;
    std::vector<ContributedPanel> panels_;
};

}  // namespace cellforge
