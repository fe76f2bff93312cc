#include "app/render/SceneModel.h"

#include <algorithm>
#include <cmath>

namespace cellforge {

void SliceViewLink::setReferenceGrid(const Vec3& origin, const Vec3& spacing, const std::array<std::int64_t, 3>& dims) {
    origin_ = origin;
    spacing_ = spacing;
    dims_ = dims;
    setCursor(cursor_);  // re-clamp
}

void SliceViewLink::setCursor(const Vec3& c) {
    Vec3 clamped = c;
    if (hasGrid())
        for (int a = 0; a < 3; ++a) {
            const double lo = origin_[a] + 0.5 * spacing_[a];
            const double hi = origin_[a] + (double(dims_[a]) - 0.5) * spacing_[a];
            clamped[a] = std::clamp(c[a], lo, hi);
        }
    if (clamped == cursor_) return;
    cursor_ = clamped;
    Q_EMIT cursorChanged();
}

void SliceViewLink::setCenter(const Vec3& c) {
    if (c == center_) return;
    center_ = c;
    Q_EMIT viewChanged();
}

void SliceViewLink::setScale(double s) {
    if (!(s > 0) || !std::isfinite(s) || s == scale_) return;
    scale_ = s;
    Q_EMIT viewChanged();
}

std::array<std::int64_t, 3> SliceViewLink::cursorVoxel() const {
    std::array<std::int64_t, 3> v{0, 0, 0};
    for (int a = 0; a < 3; ++a) {
        const double i = std::floor((cursor_[a] - origin_[a]) / spacing_[a]);
        v[a] = std::int64_t(std::clamp(i, 0.0, double(std::max<std::int64_t>(dims_[a] - 1, 0))));
    }
    return v;
}

void SliceViewLink::step(int axis, int steps) {
    Vec3 c = cursor_;
    // Snap to the voxel centre first so that steps land on slices exactly.
    const auto v = cursorVoxel();
    c[axis] = origin_[axis] + (double(v[axis]) + 0.5 + steps) * spacing_[axis];
    setCursor(c);
}

void SliceViewLink::fitToGrid(double viewWidthPixels, double viewHeightPixels) {
    if (!hasGrid()) return;
    Vec3 c;
    for (int a = 0; a < 3; ++a) c[a] = origin_[a] + 0.5 * double(dims_[a]) * spacing_[a];
    const double w = double(dims_[0]) * spacing_[0], h = double(dims_[1]) * spacing_[1];
    const double s = 1.05 * std::max(w / std::max(viewWidthPixels, 1.0), h / std::max(viewHeightPixels, 1.0));
    center_ = c;
    scale_ = s > 0 ? s : 1.0;
    Q_EMIT viewChanged();
}

}  // namespace cellforge
