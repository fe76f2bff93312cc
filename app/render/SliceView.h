// One 2D slice view (XY, XZ or YZ) of every visible layer: tomograms in grey or a colour
// map, label overlays as filled regions and outlines (a fragment shader, see
// shaders/label_outline.glsl), probability maps with a threshold, the linked cursor.
// Each layer's slice is cut straight from the Volume buffer into a 2D texture (no VTK
// reslice pipeline): that is what keeps a new slice under ~20 ms in software GL.
#pragma once

#include "app/render/SceneModel.h"
#include "app/render/VtkWidget.h"

#include <map>
#include <memory>
#include <vector>

namespace cellforge {

class SliceView : public VtkWidget {
    Q_OBJECT
public:
    enum class Mode { Navigate, Edit };

    SliceView(SliceAxis axis, SliceViewLink* link, QWidget* parent = nullptr);
    ~SliceView() override;

    SliceAxis axis() const { return axis_; }
    // Replaces the layer list (order: bottom first). Only what changed is recomputed.
    void setLayers(const std::vector<LayerDisplay>& layers);
    // Recomputes one layer's slice after an edit of its voxels or label table, without
    // re-cutting the other layers. Falls back to setLayers semantics if the data changed.
    void refreshLayer(const LayerDisplay& layer);
    void setMode(Mode mode) { mode_ = mode; }
    Mode mode() const { return mode_; }
    // The brush outline drawn under the mouse in Edit mode (radius in voxels; 0 hides it).
    void setBrushRadius(double voxels);
    void setCursorVisible(bool visible);

    // Widget position to physical position on this view's current slice.
    std::array<double, 3> worldAt(const QPointF& widgetPos) const;
    // Milliseconds spent cutting slices into textures in the last update (benchmarks).
    double lastSliceMilliseconds() const { return lastSliceMs_; }
    // Forces the slices of every layer to be cut again at the current cursor.
    void updateSlices();

Q_SIGNALS:
    // Edit-mode left-button events, with the physical position under the mouse.
    void editPressed(cellforge::SliceAxis axis, std::array<double, 3> world, Qt::KeyboardModifiers mods);
    void editDragged(cellforge::SliceAxis axis, std::array<double, 3> world, Qt::KeyboardModifiers mods);
    void editReleased(cellforge::SliceAxis axis, std::array<double, 3> world, Qt::KeyboardModifiers mods);
    // Right-button drag: window (dx) and level (dy), as fractions of the view size.
    void windowLevelDragged(double dxFraction, double dyFraction);
    void windowLevelDragStarted();
    // The position under the mouse changed (status bar read-out).
    void hovered(std::array<double, 3> world);

protected:
    void onContextReady() override;
    void resizeGL(int w, int h) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;

private:
    struct LayerActor;
    void onCursorChanged();
    void onViewChanged();
    void updateCamera();
    void updateCrosshair();
    void updateAnnotation();
    void updateLayerSlice(LayerActor& actor);
    std::unique_ptr<LayerActor> makeActor(const LayerDisplay& layer);
    void applyStyle(LayerActor& actor);

    SliceAxis axis_;
    SliceViewLink* link_;
    Mode mode_ = Mode::Navigate;
    std::vector<std::unique_ptr<LayerActor>> actors_;
    struct Overlay;
    std::unique_ptr<Overlay> overlay_;
    Qt::MouseButton dragButton_ = Qt::NoButton;
    QPointF lastMouse_;
    double brushRadius_ = 0;
    double lastSliceMs_ = 0;
    bool cursorVisible_ = true;
};

}  // namespace cellforge
