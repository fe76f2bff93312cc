// Finds plugin libraries in the install's plugin folder and in each folder of
// CELLFORGE_PLUGIN_PATH, checks their metadata before loading, loads the good ones
// into a StageRegistry and keeps the reason for each one refused.
#pragma once

#include "core/plugin/StageRegistry.h"

#include <string>
#include <vector>

namespace cellforge {

struct PluginRecord {
    std::string file;        // the library's path
    std::string id, name, version, description;
    int apiVersion = 0;
    bool loaded = false;
    std::string refusal;     // why it was not loaded (empty when loaded)
    std::vector<std::string> stageIds;
};

class PluginLoader {
public:
    // The folders searched, in order: CELLFORGE_PLUGIN_PATH entries, then
    // <dir of executable>/../lib/cellforge/plugins.
    static std::vector<std::string> defaultSearchPaths();

    // Loads every plugin found in `folders`; never throws for a bad plugin.
    void loadFrom(const std::vector<std::string>& folders, StageRegistry& registry);
    const std::vector<PluginRecord>& records() const { return records_; }

private:
    std::vector<PluginRecord> records_;
};

}  // namespace cellforge
