#include "app/gui/editing/LabelEditing.h"

#include "core/base/Errors.h"

#include <algorithm>
#include <cmath>

namespace cellforge {

bool LabelEditor::contains(const Voxel& v) const {
    return v[0] >= 0 && v[1] >= 0 && v[2] >= 0 && v[0] < volume_.nx() && v[1] < volume_.ny() && v[2] < volume_.nz();
}

LabelId LabelEditor::pick(const Voxel& v) const { return contains(v) ? volume_.labelAt(v[0], v[1], v[2]) : 0; }

LabelId LabelEditor::nextFreeLabel() const {
    LabelId maxId = 0;
    const LabelId* p = volume_.labels();
    const std::int64_t n = volume_.voxelCount();
    for (std::int64_t i = 0; i < n; ++i) maxId = std::max(maxId, p[i]);
    for (const auto& e : volume_.table().entries()) maxId = std::max(maxId, e.id);
    if (maxId == 65535) throw InputError("label volume: all 65535 label ids are in use");
    return LabelId(maxId + 1);
}

void LabelEditor::beginStroke(LabelId label, const BrushShape& shape, bool preserveOthers) {
    strokeLabel_ = label;
    shape_ = shape;
    shape_.radius = std::max(0.5, shape.radius);
    preserve_ = preserveOthers;
    stroking_ = true;
    last_.reset();
    changed_ = 0;
    undo_.begin(volume_, label == 0 ? "Erase" : "Paint label " + std::to_string(label));
}

void LabelEditor::dab(const std::array<double, 3>& c) {
    if (!stroking_) return;
    if (last_) {
        // Join to the previous dab with dabs half a radius apart.
        const auto& p = *last_;
        double d2 = 0;
        for (int a = 0; a < 3; ++a) d2 += (c[a] - p[a]) * (c[a] - p[a]);
        const double d = std::sqrt(d2);
        const double step = std::max(0.5, 0.5 * shape_.radius);
        const int n = int(std::floor(d / step));
        for (int k = 1; k <= n; ++k) {
            const double t = double(k) * step / d;
            stamp({p[0] + t * (c[0] - p[0]), p[1] + t * (c[1] - p[1]), p[2] + t * (c[2] - p[2])});
        }
    }
    stamp(c);
    last_ = c;
}

void LabelEditor::stamp(const std::array<double, 3>& c) {
    const double r = shape_.radius;
    const int n = shape_.normalAxis;
    std::int64_t lo[3], hi[3];
    for (int a = 0; a < 3; ++a) {
        if (!shape_.sphere && a == n) {
            lo[a] = hi[a] = std::int64_t(std::floor(c[a]));
        } else {
            lo[a] = std::int64_t(std::floor(c[a] - r));
            hi[a] = std::int64_t(std::floor(c[a] + r));
        }
    }
    const std::int64_t dims[3] = {volume_.nx(), volume_.ny(), volume_.nz()};
    for (int a = 0; a < 3; ++a) {
        lo[a] = std::max<std::int64_t>(0, lo[a]);
        hi[a] = std::min(dims[a] - 1, hi[a]);
        if (hi[a] < lo[a]) return;
    }
    undo_.touch({lo[0], lo[1], lo[2], hi[0], hi[1], hi[2]});
    LabelId* p = volume_.labels();
    const double r2 = r * r;
    for (std::int64_t z = lo[2]; z <= hi[2]; ++z) {
        const double dz = (shape_.sphere || n != 2) ? (double(z) + 0.5 - c[2]) : 0.0;
        for (std::int64_t y = lo[1]; y <= hi[1]; ++y) {
            const double dy = (shape_.sphere || n != 1) ? (double(y) + 0.5 - c[1]) : 0.0;
            LabelId* row = p + volume_.index(0, y, z);
            for (std::int64_t x = lo[0]; x <= hi[0]; ++x) {
                const double dx = (shape_.sphere || n != 0) ? (double(x) + 0.5 - c[0]) : 0.0;
                if (dx * dx + dy * dy + dz * dz > r2) continue;
                LabelId& v = row[x];
                if (v == strokeLabel_) continue;
                if (preserve_ && v != 0) continue;
                v = strokeLabel_;
                ++changed_;
            }
        }
    }
}

bool LabelEditor::endStroke() {
    if (!stroking_) return false;
    stroking_ = false;
    last_.reset();
    return undo_.commit();
}

std::vector<LabelEditor::Span> LabelEditor::componentSpans(const Voxel& seed, const FillScope& scope) const {
    std::vector<Span> spans;
    if (!contains(seed)) return spans;
    const std::int64_t nx = volume_.nx(), ny = volume_.ny(), nz = volume_.nz();
    const LabelId* p = volume_.labels();
    const LabelId target = volume_.labelAt(seed[0], seed[1], seed[2]);
    const bool moveX = scope.threeD || scope.normalAxis != 0;
    const bool moveY = scope.threeD || scope.normalAxis != 1;
    const bool moveZ = scope.threeD || scope.normalAxis != 2;
    std::vector<bool> visited(std::size_t(volume_.voxelCount()), false);
    std::vector<Voxel> stack{seed};
    while (!stack.empty()) {
        const Voxel s = stack.back();
        stack.pop_back();
        const std::int64_t base = volume_.index(0, s[1], s[2]);
        if (visited[std::size_t(base + s[0])] || p[base + s[0]] != target) continue;
        std::int64_t x0 = s[0], x1 = s[0];
        if (moveX) {
            while (x0 > 0 && !visited[std::size_t(base + x0 - 1)] && p[base + x0 - 1] == target) --x0;
            while (x1 < nx - 1 && !visited[std::size_t(base + x1 + 1)] && p[base + x1 + 1] == target) ++x1;
        }
        for (std::int64_t x = x0; x <= x1; ++x) visited[std::size_t(base + x)] = true;
        spans.push_back({s[2], s[1], x0, x1});
        auto scanRow = [&](std::int64_t y, std::int64_t z) {
            if (y < 0 || y >= ny || z < 0 || z >= nz) return;
            const std::int64_t b = volume_.index(0, y, z);
            bool inRun = false;
            for (std::int64_t x = x0; x <= x1; ++x) {
                const bool ok = !visited[std::size_t(b + x)] && p[b + x] == target;
                if (ok && !inRun) stack.push_back({x, y, z});
                inRun = ok;
            }
        };
        if (moveY) {
            scanRow(s[1] - 1, s[2]);
            scanRow(s[1] + 1, s[2]);
        }
        if (moveZ) {
            scanRow(s[1], s[2] - 1);
            scanRow(s[1], s[2] + 1);
        }
    }
    return spans;
}

std::int64_t LabelEditor::writeSpans(const std::vector<Span>& spans, LabelId label, const std::string& what) {
    if (spans.empty()) return 0;
    undo_.begin(volume_, what);
    std::int64_t changed = 0;
    LabelId* p = volume_.labels();
    for (const Span& s : spans) {
        undo_.touch({s.x0, s.y, s.z, s.x1, s.y, s.z});
        LabelId* row = p + volume_.index(0, s.y, s.z);
        for (std::int64_t x = s.x0; x <= s.x1; ++x)
            if (row[x] != label) {
                row[x] = label;
                ++changed;
            }
    }
    undo_.commit();
    return changed;
}

std::int64_t LabelEditor::floodFill(const Voxel& seed, LabelId label, const FillScope& scope) {
    if (!contains(seed) || pick(seed) == label) return 0;
    return writeSpans(componentSpans(seed, scope), label,
                      std::string(scope.threeD ? "Fill (3D)" : "Fill") + " with label " + std::to_string(label));
}

std::vector<std::int64_t> LabelEditor::connectedComponent(const Voxel& seed, const FillScope& scope) const {
    std::vector<std::int64_t> out;
    for (const Span& s : componentSpans(seed, scope))
        for (std::int64_t x = s.x0; x <= s.x1; ++x) out.push_back(volume_.index(x, s.y, s.z));
    std::sort(out.begin(), out.end());
    return out;
}

std::int64_t LabelEditor::deleteComponent(const Voxel& seed, const FillScope& scope) {
    if (pick(seed) == 0) return 0;
    return writeSpans(componentSpans(seed, scope), 0, "Delete component of label " + std::to_string(pick(seed)));
}

std::int64_t LabelEditor::mergeLabels(const Voxel& a, const Voxel& b) {
    const LabelId la = pick(a), lb = pick(b);
    if (la == 0 || lb == 0 || la == lb) return 0;
    std::vector<Span> spans;
    const LabelId* p = volume_.labels();
    for (std::int64_t z = 0; z < volume_.nz(); ++z)
        for (std::int64_t y = 0; y < volume_.ny(); ++y) {
            const LabelId* row = p + volume_.index(0, y, z);
            for (std::int64_t x = 0; x < volume_.nx(); ++x) {
                if (row[x] != lb) continue;
                std::int64_t e = x;
                while (e + 1 < volume_.nx() && row[e + 1] == lb) ++e;
                spans.push_back({z, y, x, e});
                x = e;
            }
        }
    return writeSpans(spans, la, "Merge label " + std::to_string(lb) + " into " + std::to_string(la));
}

LabelId LabelEditor::splitComponent(const Voxel& seed, const FillScope& scope) {
    const LabelId old = pick(seed);
    if (old == 0) return 0;
    const LabelId fresh = nextFreeLabel();
    writeSpans(componentSpans(seed, scope), fresh,
               "Split component of label " + std::to_string(old) + " as " + std::to_string(fresh));
    return fresh;
}

}  // namespace cellforge
