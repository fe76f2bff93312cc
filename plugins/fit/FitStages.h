// The surface-fitting plugin's stages (fit.vesicles). Plain C++ on the core interfaces
// (no Qt), so tests run them without loading the plugin.
#pragma once

#include "core/plugin/Stage.h"

#include <vector>

namespace cellforge::fit {

std::vector<StagePtr> makeStages();

}  // namespace cellforge::fit
