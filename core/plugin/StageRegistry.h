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
    // Throws InputError if the id is already registered (by `pluginId`'s rival).
    void add(StagePtr stage, const std::string& pluginId);
    // nullptr if unknown.
    StagePtr find(const std::string& stageId) const;
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
};

}  // namespace cellforge
