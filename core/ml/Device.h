// The device a network runs on, chosen at run time: "cpu", "cuda", "cuda:N" or "auto"
// (CUDA when available). Includes LibTorch: for the translation units that run models.
#pragma once

#include "core/base/RunControl.h"

#include <torch/types.h>

#include <string>

namespace cellforge::ml {

// "cpu", "cuda", "cuda:N", "auto" -> a device; CUDA requested but absent falls back to
// the CPU with a note in the log. Throws InputError for anything else.
torch::Device resolveDevice(const std::string& name, const RunControl& control = {});

}  // namespace cellforge::ml
