// Finds the files CellForge ships (default pipelines, trained models, demo data) in the
// install tree, the build tree or the source tree, so programs and plugins work from any.
#pragma once

#include <string>
#include <vector>

namespace cellforge {

// Folders searched, in order: $CELLFORGE_RESOURCES, <exe>/../share/cellforge,
// and the source tree's resources/ (compiled in, for running from a build folder).
std::vector<std::string> resourceSearchPaths();
// The first existing "<folder>/<relativePath>", or an empty string.
std::string findResource(const std::string& relativePath);

}  // namespace cellforge
