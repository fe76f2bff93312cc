// The membrane-instance plugin's stages (connect.region_merge). Plain C++ on the core
// interfaces (no Qt), so tests run them without loading the plugin.
#pragma once

#include "core/plugin/Stage.h"

#include <vector>

namespace cellforge::connect {

std::vector<StagePtr> makeStages();

}  // namespace cellforge::connect
