// GLSL from the project's shaders/ folder, compiled into the program at build time.
#pragma once

namespace cellforge {

// shaders/label_outline.glsl: replacement of //VTK::TCoord::Impl for label overlays.
const char* labelOutlineShaderImpl();

}  // namespace cellforge
