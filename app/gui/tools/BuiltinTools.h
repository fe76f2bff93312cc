// The hand-correction tools the program ships (as in napari and 3dmod), each an
// EditingTool like those plugins add: navigate, brush, eraser, fill, pick label,
// select, delete, merge and split component.
#pragma once

#include "core/plugin/EditingTool.h"

#include <vector>

namespace cellforge {

// In toolbar order; ids "navigate", "brush", "eraser", "fill", "picker", "select",
// "delete", "merge", "split".
std::vector<EditingToolPtr> makeBuiltinTools();

}  // namespace cellforge
