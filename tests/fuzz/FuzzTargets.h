// The readers the fuzzing harness attacks: one target per file format and per kind of
// untrusted text (pipelines, projects, model files), each with the valid files its
// mutations start from.
#pragma once

#include "tests/fuzz/Mutator.h"

#include <functional>
#include <string>
#include <vector>

namespace cellforge::fuzz {

struct FuzzTarget {
    std::string name;       // "mrc", "stl", "pipeline", ...
    std::string extension;  // of the file the input is written to: ".mrc", ".nii.gz"
    MutationKind mutation = MutationKind::Bytes;
    // Writes the target's valid seed files into `folder` (which exists).
    std::function<void(const std::string& folder)> writeSeeds;
    // Reads the file as the program does; throws InputError when it refuses it.
    std::function<void(const std::string& path)> read;
};

std::vector<FuzzTarget> allTargets();

}  // namespace cellforge::fuzz
