#include "plugins/unet/UNetPlugin.h"

#include "core/plugin/StageRegistry.h"
#include "plugins/unet/UNetStages.h"

namespace cellforge {

void UNetPlugin::registerStages(StageRegistry& registry) {
    for (const StagePtr& stage : unet::makeStages()) registry.add(stage, "unet");
}

}  // namespace cellforge
