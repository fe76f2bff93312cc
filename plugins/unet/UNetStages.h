// The U-Net plugin's stages: unet.simulate, unet.train and unet.infer. Plain C++ on
// the core interfaces (no Qt, no torch), so tests run them without loading the plugin.
#pragma once

#include "core/plugin/Stage.h"

#include <vector>

namespace cellforge::unet {

std::vector<StagePtr> makeStages();

}  // namespace cellforge::unet
