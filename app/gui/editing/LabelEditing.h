// The hand-correction operations on a label volume: brush and eraser (2D disc or 3D
// sphere), flood fill (2D or 3D), label picking, and connected-component select,
// delete, merge and split. Every change goes through a LabelUndoStack transaction, so
// each can be undone. Plain C++: unit-tested without a display.
#pragma once

#include "app/gui/editing/LabelUndo.h"
#include "core/data/LabelVolume.h"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace cellforge {

using Voxel = std::array<std::int64_t, 3>;

// The brush: a disc in the plane normal to `normalAxis` (0 = x, 1 = y, 2 = z), or a
// sphere when `sphere` is true. Radius in voxels (0.5 paints one voxel).
struct BrushShape {
    double radius = 5.0;
    bool sphere = false;
    int normalAxis = 2;
};

// Connectivity is 6 (faces) in 3D and 4 (edges) in 2D, as in 3dmod and napari.
struct FillScope {
    bool threeD = false;
    int normalAxis = 2;  // plane of a 2D fill
};

class LabelEditor {
public:
    LabelEditor(LabelVolume& volume, LabelUndoStack& undo) : volume_(volume), undo_(undo) {}

    // A stroke: begin, any number of dabs (consecutive ones are joined by a line of
    // dabs, so a fast mouse leaves no gaps), end. One stroke is one undo step.
    // `label` 0 erases. `preserveOthers`: only paint over background or `label`.
    void beginStroke(LabelId label, const BrushShape& shape, bool preserveOthers = false);
    void dab(const std::array<double, 3>& voxelPosition);  // continuous voxel coordinates
    bool endStroke();                                      // true if anything changed
    // Voxels changed by the open stroke so far (for tests and status).
    std::int64_t strokeChangedVoxels() const { return changed_; }

    // Replaces the region of equal label connected to `seed` by `label`. Returns the
    // number of voxels changed (0 if the seed already has `label`).
    std::int64_t floodFill(const Voxel& seed, LabelId label, const FillScope& scope);
    // The connected component of `seed` (its label, 6-connected in 3D), as voxel indices.
    std::vector<std::int64_t> connectedComponent(const Voxel& seed, const FillScope& scope) const;
    // Sets the component of `seed` to background. Returns voxels changed.
    std::int64_t deleteComponent(const Voxel& seed, const FillScope& scope);
    // Every voxel of b's label becomes a's label (two instances merged). Returns voxels changed.
    std::int64_t mergeLabels(const Voxel& a, const Voxel& b);
    // The component of `seed` gets a new label id (it is split from the rest of its
    // label). Returns the new id, or 0 if the seed is background.
    LabelId splitComponent(const Voxel& seed, const FillScope& scope);

    LabelId pick(const Voxel& v) const;
    // The smallest id above every label present or named in the table.
    LabelId nextFreeLabel() const;
    bool contains(const Voxel& v) const;

private:
    void stamp(const std::array<double, 3>& c);
    // Spans (z, y, x0, x1) of the component; `visitedOut` optional.
    struct Span {
        std::int64_t z, y, x0, x1;
    };
    std::vector<Span> componentSpans(const Voxel& seed, const FillScope& scope) const;
    std::int64_t writeSpans(const std::vector<Span>& spans, LabelId label, const std::string& what);

    LabelVolume& volume_;
    LabelUndoStack& undo_;
    LabelId strokeLabel_ = 0;
    BrushShape shape_;
    bool preserve_ = false;
    bool stroking_ = false;
    std::optional<std::array<double, 3>> last_;
    std::int64_t changed_ = 0;
};

}  // namespace cellforge
