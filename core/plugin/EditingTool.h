// The interface of a hand-correction tool on the slice views (brush, fill, merge, ...
// and the tools plugins add). Plain C++, header only: a plugin implements it without
// linking Qt Widgets, and the GUI's edit-tool controller drives it. Every voxel change
// goes through the ToolContext, which makes it one undoable step.
#pragma once

#include "core/data/LabelVolume.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace cellforge {

// Where the mouse is: continuous voxel coordinates of the edited label layer
// (voxel (i, j, k) covers [i, i+1) on each axis), the axis normal to the slice
// (0 = x, 1 = y, 2 = z) and the modifier keys.
struct ToolPointer {
    std::array<double, 3> voxel{0, 0, 0};
    int normalAxis = 2;
    bool shift = false, control = false, alt = false;
    std::array<std::int64_t, 3> index() const;  // the voxel under the mouse
};

// What a tool may do, given by the GUI for each event.
class ToolContext {
public:
    virtual ~ToolContext() = default;
    // The label layer the tools edit (created on first use); nullptr if there is none.
    virtual const LabelVolume* labels() = 0;
    virtual LabelId currentLabel() const = 0;
    virtual void setCurrentLabel(LabelId label) = 0;
    virtual double brushRadius() const = 0;  // voxels
    virtual bool threeD() const = 0;         // the 3D brush/fill toggle
    // One undoable step: begin, set voxels, commit (false if nothing changed). A step
    // left open when the event returns is committed by the GUI.
    virtual void beginEdit(const std::string& description) = 0;
    virtual void setLabel(const std::array<std::int64_t, 3>& voxel, LabelId label) = 0;  // outside: ignored
    virtual bool commitEdit() = 0;
    virtual void showMessage(const std::string& text) = 0;  // the status bar
};

class EditingTool {
public:
    virtual ~EditingTool() = default;
    // Stable id ("merge", "stamp.cross"): object names, settings, tests.
    virtual std::string id() const = 0;
    // Menu and toolbar text ("Merge labels").
    virtual std::string name() const = 0;
    // A QKeySequence text ("G"), or empty for none.
    virtual std::string shortcut() const { return {}; }
    // Resource or theme icon name; empty: the toolbar shows the name.
    virtual std::string icon() const { return {}; }
    // Whether the views show the brush circle while this tool is active.
    virtual bool showsBrush() const { return false; }
    // Called when the tool becomes the active one or stops being it (reset state).
    virtual void activated() {}
    // Mouse events on a slice view while the tool is active. press() starts a
    // drag that ends with release(); move() only comes between the two.
    virtual void press(ToolContext& context, const ToolPointer& pointer) = 0;
    virtual void move(ToolContext& context, const ToolPointer& pointer) {
        (void)context;
        (void)pointer;
    }
    virtual void release(ToolContext& context, const ToolPointer& pointer) {
        (void)context;
        (void)pointer;
    }
};

using EditingToolPtr = std::shared_ptr<EditingTool>;

inline std::array<std::int64_t, 3> ToolPointer::index() const {
    auto f = [](double v) {
        const auto i = std::int64_t(v);
        return (double(i) > v) ? i - 1 : i;  // floor
    };
    return {f(voxel[0]), f(voxel[1]), f(voxel[2])};
}

}  // namespace cellforge
