// The stages of the filters plugin (ids "filters.*"): each declares its ports and
// parameter schema and calls the matching function of logic/. Kept apart from the Qt
// plugin class so that tests can register the stages without loading the library.
#pragma once

#include <string>

namespace cellforge {
class StageRegistry;
}

namespace cellforge::filters {

inline const std::string kPluginId = "filters";

// Adds every filters.* stage to `registry`.
void registerFilterStages(StageRegistry& registry);

}  // namespace cellforge::filters
