// The registry of every stage of every loaded plugin. Owned by the application
// object; plugins add their stages to it when loaded. core never names a plugin.
#pragma once

#include "core/plugin/Stage.h"

#include <map>
#include <string>
#include <vector>

namespace cellforge {

class StageRegistry {
public:
    // Registers the stage under its id and its aliases. Throws InputError if the id or an
    // alias is already registered (naming the plugin that has it).
    void add(StagePtr stage, const std::string& pluginId);
    // nullptr if unknown. Aliases (former ids) find the stage too.
    StagePtr find(const std::string& stageId) const;
    // The current id of a stage for `stageId` (itself, or what an alias stands for);
    // empty if unknown.
    std::string canonicalId(const std::string& stageId) const;
    // Throws InputError naming the id and the closest known ids.
    StagePtr require(const std::string& stageId) const;
    std::string pluginOf(const std::string& stageId) const;
    std::vector<std::string> stageIds() const;  // sorted

private:
    struct Entry {
        StagePtr stage;
        StageInfo info;
        std::string pluginId;
    };
    std::map<std::string, Entry> entries_;
    std::map<std::string, std::string> aliases_;  // former id -> current id
};

}  // namespace cellforge
