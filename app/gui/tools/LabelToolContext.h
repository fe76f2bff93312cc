// The ToolContext the edit-tool controller gives a tool for one mouse event, with what
// the built-in tools need beyond the plugin interface: the LabelEditor of the edited
// layer (brush strokes, fills, components) and the layer's highlight.
#pragma once

#include "app/gui/editing/LabelEditing.h"
#include "core/plugin/EditingTool.h"

namespace cellforge {

class LabelToolContext : public ToolContext {
public:
    // The editor on the edited layer's voxels and undo stack; nullptr without a layer.
    virtual LabelEditor* editor() = 0;
    // Voxels changed outside an undo step's commit (a stroke in progress): redraw.
    virtual void voxelsChanged() = 0;
    // A finished edit that the editor recorded in the undo stack.
    virtual void editRecorded() = 0;
    // Highlights one label of the edited layer (0: none).
    virtual void highlight(LabelId label) = 0;
};

}  // namespace cellforge
