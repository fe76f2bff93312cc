#include "plugins/filters/FiltersPlugin.h"

#include "plugins/filters/FilterStages.h"

namespace cellforge::filters {

void FiltersPlugin::registerStages(StageRegistry& registry) { registerFilterStages(registry); }

}  // namespace cellforge::filters
