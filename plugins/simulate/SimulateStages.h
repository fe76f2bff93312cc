// The simulate plugin's stages: simulate.phantom, simulate.training_images,
// simulate.measure_tomogram, and the former unet.simulate (its `mode` parameter) for old
// pipelines. Plain C++ on the core interfaces (no Qt), so tests run them without
// loading the plugin.
#pragma once

#include "core/plugin/Stage.h"

#include <vector>

namespace cellforge::simulate {

std::vector<StagePtr> makeStages();

}  // namespace cellforge::simulate
