// The OpenGL part of drawing one VtkWidget frame, in a translation unit of its own:
// it needs VTK's GLEW, which may not share a translation unit with Qt's OpenGL
// headers (STACK.md #5), so the Qt widget calls it without seeing any GL header.
#pragma once

class vtkGenericOpenGLRenderWindow;

namespace cellforge {

// Renders `window` (VTK's own framebuffers, depth test as VTK expects: Qt leaves
// GL_LESS) and blits its display framebuffer into `targetFramebuffer` (the widget's,
// never 0). With `finish`, waits for the GPU so that a timing includes the drawing.
void drawVtkFrame(vtkGenericOpenGLRenderWindow& window, unsigned int targetFramebuffer, bool finish);

}  // namespace cellforge
