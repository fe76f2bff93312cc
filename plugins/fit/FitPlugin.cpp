#include "plugins/fit/FitPlugin.h"

#include "core/plugin/StageRegistry.h"
#include "plugins/fit/FitStages.h"

namespace cellforge {

void FitPlugin::registerStages(StageRegistry& registry) {
    for (const StagePtr& stage : fit::makeStages()) registry.add(stage, "fit");
}

}  // namespace cellforge
