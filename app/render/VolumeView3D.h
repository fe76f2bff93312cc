// The 3D view: GPU volume rendering of tomograms (a downsampled 8-bit copy, so that
// memory stays near the data size and software GL stays interactive) with transfer-
// function presets, the three slice planes, label surfaces per label, meshes coloured
// by region, camera presets and PNG export.
#pragma once

#include "app/render/SceneModel.h"
#include "app/render/VtkWidget.h"

#include <QFutureWatcher>

#include <map>
#include <memory>

class vtkPolyData;

namespace cellforge {

class VolumeView3D : public VtkWidget {
    Q_OBJECT
public:
    enum class CameraPreset { Reset, Front, Back, Left, Right, Top, Bottom };

    explicit VolumeView3D(SliceViewLink* link, QWidget* parent = nullptr);
    ~VolumeView3D() override;

    void setLayers(const std::vector<LayerDisplay>& layers);
    // Recomputes the surfaces of one label layer (after edits), in the background.
    void refreshLayer(const std::string& name);
    void setCameraPreset(CameraPreset preset);
    void setSlicePlanesVisible(bool visible);
    bool slicePlanesVisible() const { return planesVisible_; }
    // Largest edge of the downsampled copy used for volume rendering.
    static constexpr int kMaxRenderEdge = 256;
    static const std::vector<std::string>& transferPresetNames();
    // True while label surfaces are being computed in the background.
    bool busy() const;

Q_SIGNALS:
    void surfacesReady();

private:
    struct Item;
    void onCursorChanged();
    void rebuildItem(Item& item);
    void startSurfaceJob(Item& item);
    void updatePlanes();
    void applyItemStyle(Item& item);

    SliceViewLink* link_;
    std::vector<std::unique_ptr<Item>> items_;
    struct Planes;
    std::unique_ptr<Planes> planes_;
    bool planesVisible_ = true;
    bool cameraInitialised_ = false;
    class QTimer* planeTimer_ = nullptr;  // coalesces fast scrolling
};

}  // namespace cellforge
