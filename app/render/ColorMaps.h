// Colour maps for scalar layers (tomograms, probability maps): 256-entry RGB tables.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace cellforge {

using ColorTable = std::array<std::array<std::uint8_t, 3>, 256>;

// "gray", "inverted gray", "hot", "viridis", "magma", "cool-warm", "green", "magenta".
const std::vector<std::string>& colorMapNames();
// Unknown names give "gray".
ColorTable makeColorTable(const std::string& name);

}  // namespace cellforge
