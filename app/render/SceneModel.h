// What the views draw: one LayerDisplay per layer (the data plus how to show it), and
// the link that keeps the slice views on one cursor, centre and zoom. The GUI owns the
// Document; it hands the views these descriptions whenever something changes.
#pragma once

#include "app/render/SliceGeometry.h"
#include "core/data/DataObject.h"
#include "core/data/LabelVolume.h"
#include "core/data/Volume.h"

#include <QObject>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace cellforge {

enum class LayerStyle { Grayscale, Labels, Probability, Mesh, Points, Table };

struct LayerDisplay {
    std::string name;
    DataPtr data;
    LayerStyle style = LayerStyle::Grayscale;
    bool visible = true;
    double opacity = 1.0;
    std::string colorMap = "gray";             // Grayscale and Probability
    double low = 0.0, high = 1.0;              // display window (values mapped to the colour map ends)
    double threshold = 0.5;                    // Probability: values below are transparent
    bool labelFill = true;                     // Labels: filled regions ...
    bool labelOutline = true;                  // ... and/or outlines (shaders/label_outline.glsl)
    double fillOpacity = 0.45;                 // Labels: alpha of the fill, outline is opaque
    LabelId highlighted = 0;                   // Labels: drawn brighter (the selected label)
    std::uint64_t revision = 0;                // bumped when voxels or the label table change
    bool show3D = true;                        // volume rendering / label surfaces / mesh in the 3D view
    bool surfacePerInstance = false;           // Labels in 3D: one colour per connected piece, not per label
    std::string transferPreset = "grey ramp";  // Grayscale in 3D
};

// Shared state of the linked slice views. Positions are physical (Å), in the frame of
// the volumes (a voxel centre sits at origin + (i + 0.5) * voxelSize).
class SliceViewLink : public QObject {
    Q_OBJECT
public:
    using Vec3 = std::array<double, 3>;
    explicit SliceViewLink(QObject* parent = nullptr) : QObject(parent) {}

    const Vec3& cursor() const { return cursor_; }
    const Vec3& center() const { return center_; }
    double scale() const { return scale_; }  // Å per device pixel, shared by all slice views

    // The grid that scrolling steps through and the cursor is clamped to (usually the
    // first volume layer's): origin (corner of voxel 0), voxel size and dims.
    void setReferenceGrid(const Vec3& origin, const Vec3& spacing, const std::array<std::int64_t, 3>& dims);
    const Vec3& gridOrigin() const { return origin_; }
    const Vec3& gridSpacing() const { return spacing_; }
    const std::array<std::int64_t, 3>& gridDims() const { return dims_; }
    bool hasGrid() const { return dims_[0] > 0; }

    void setCursor(const Vec3& c);
    void setCenter(const Vec3& c);
    void setScale(double s);
    // Moves the cursor by `steps` voxels along `axis` (0 = x ...), clamped to the grid.
    void step(int axis, int steps);
    // Voxel index of the cursor on the reference grid.
    std::array<std::int64_t, 3> cursorVoxel() const;
    // Centre on the grid and zoom so that `viewPixels` (device) shows the whole XY plane.
    void fitToGrid(double viewWidthPixels, double viewHeightPixels);

Q_SIGNALS:
    void cursorChanged();
    void viewChanged();  // centre or scale

private:
    Vec3 cursor_{0, 0, 0};
    Vec3 center_{0, 0, 0};
    double scale_ = 1.0;
    Vec3 origin_{0, 0, 0};
    Vec3 spacing_{1, 1, 1};
    std::array<std::int64_t, 3> dims_{0, 0, 0};
};

}  // namespace cellforge
