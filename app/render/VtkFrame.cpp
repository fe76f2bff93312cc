#include <vtk_glew.h>

#include "app/render/VtkFrame.h"

#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkOpenGLState.h>

namespace cellforge {

void drawVtkFrame(vtkGenericOpenGLRenderWindow& window, unsigned int targetFramebuffer, bool finish) {
    vtkOpenGLState* state = window.GetState();
    state->Reset();
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL);
    window.SetReadyForRendering(true);
    window.Render();
    window.SetReadyForRendering(false);
    state->Pop();

    const int* size = window.GetSize();
    state->Reset();
    state->Push();
    state->vtkglBindFramebuffer(GL_DRAW_FRAMEBUFFER, targetFramebuffer);
    window.BlitDisplayFramebuffer(0, 0, 0, size[0], size[1], 0, 0, size[0], size[1], GL_COLOR_BUFFER_BIT, GL_NEAREST);
    state->Pop();
    if (finish) glFinish();
}

}  // namespace cellforge
