// The edit-tool state machine of the main window: which tool is active (the built-in
// ones and those plugins add, all EditingTools), the current label, brush size and
// 3D toggle, the label layer being edited, and undo/redo across label layers. It turns
// the slice views' mouse events into tool events with voxel coordinates, and gives the
// tools a ToolContext whose edits are undoable steps of the layer's LabelUndoStack.
#pragma once

#include "app/gui/Session.h"
#include "app/render/SliceGeometry.h"
#include "core/plugin/EditingTool.h"

#include <QObject>

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace cellforge {

class SliceView;

class EditToolController : public QObject {
    Q_OBJECT
public:
    using Vec3 = std::array<double, 3>;

    EditToolController(Session& session, std::array<SliceView*, 3> views, QObject* parent = nullptr);
    ~EditToolController() override;

    // Adds a tool (after the built-ins); returns false if its id is taken.
    bool addTool(EditingToolPtr tool);
    const std::vector<EditingToolPtr>& tools() const { return tools_; }
    bool setTool(const std::string& id);  // false if unknown
    const EditingTool& tool() const { return *tools_[active_]; }
    std::string toolId() const { return tools_[active_]->id(); }

    void setCurrentLabel(int label);
    int currentLabel() const { return currentLabel_; }
    void setBrushRadius(double voxels);
    double brushRadius() const { return brushRadius_; }
    void setBrush3D(bool on);
    bool brush3D() const { return brush3D_; }
    // A new label id (above every one used) becomes the current label.
    void newLabel();

    bool undo();
    bool redo();
    bool canUndo() const { return !undoOrder_.empty(); }
    bool canRedo() const { return !redoOrder_.empty(); }
    QString undoText() const;
    QString redoText() const;
    void clearHistory();  // a new project

    std::string activeLabelLayer() const { return activeLabels_; }
    void setActiveLabelLayer(const std::string& name);
    // After the layers changed: keep the active label layer, or pick the topmost.
    void layersChanged();

    // The slice views' mouse events in an edit tool.
    void press(SliceAxis axis, Vec3 world, Qt::KeyboardModifiers mods);
    void drag(SliceAxis axis, Vec3 world, Qt::KeyboardModifiers mods);
    void release(SliceAxis axis, Vec3 world, Qt::KeyboardModifiers mods);

Q_SIGNALS:
    void toolChanged();
    void currentLabelChanged(int label);  // also when the active layer's colours change
    void brushChanged();
    void undoStateChanged();
    void message(QString text, int milliseconds);
    void error(QString title, QString text);

private:
    class Context;
    std::string ensureLabelLayer();
    ToolPointer pointerFor(const Volume& v, SliceAxis axis, const Vec3& world, Qt::KeyboardModifiers mods) const;
    void recordEdit(const std::string& layer);
    void updateViews();

    Session& session_;
    std::array<SliceView*, 3> views_;
    std::vector<EditingToolPtr> tools_;
    std::size_t active_ = 0;
    int currentLabel_ = 1;
    double brushRadius_ = 4.0;
    bool brush3D_ = false;
    std::string activeLabels_;
    std::string pressLayer_;  // the layer a press started on, until its release
    std::vector<std::string> undoOrder_, redoOrder_;
};

}  // namespace cellforge
