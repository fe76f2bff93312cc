#include "core/data/LabelVolume.h"

#include "core/base/Errors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace cellforge {

const LabelEntry* LabelTable::find(LabelId id) const {
    for (const auto& e : entries_)
        if (e.id == id) return &e;
    return nullptr;
}

void LabelTable::set(const LabelEntry& entry) {
    for (auto& e : entries_)
        if (e.id == entry.id) {
            e = entry;
            return;
        }
    entries_.push_back(entry);
    std::sort(entries_.begin(), entries_.end(), [](auto& a, auto& b) { return a.id < b.id; });
}

void LabelTable::remove(LabelId id) {
    entries_.erase(std::remove_if(entries_.begin(), entries_.end(), [&](auto& e) { return e.id == id; }),
                   entries_.end());
}

LabelTable LabelTable::semanticDefault() {
    LabelTable t;
    t.set({0, "background", {0, 0, 0}});
    t.set({1, "protein", {240, 170, 40}});
    t.set({2, "membrane", {40, 200, 230}});
    return t;
}

std::array<std::uint8_t, 3> LabelTable::defaultColor(LabelId id) {
    if (id == 0) return {0, 0, 0};
    // Golden-ratio hue steps give neighbouring ids clearly different colours.
    const double h = std::fmod(0.13 + 0.618033988749895 * id, 1.0) * 6.0;
    const double s = 0.75, v = 0.95;
    const int i = int(h);
    const double f = h - i, p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    double r, g, b;
    switch (i % 6) {
        case 0:
            r = v, g = t, b = p;
            break;
        case 1:
            r = q, g = v, b = p;
            break;
        case 2:
            r = p, g = v, b = t;
            break;
        case 3:
            r = p, g = q, b = v;
            break;
        case 4:
            r = t, g = p, b = v;
            break;
        default:
            r = v, g = p, b = q;
            break;
    }
    return {std::uint8_t(r * 255), std::uint8_t(g * 255), std::uint8_t(b * 255)};
}

LabelVolume::LabelVolume(Index3 dims) : Volume(dims, ScalarType::UInt16) {}

LabelVolume LabelVolume::fromVolume(const Volume& volume) {
    LabelVolume out(volume.dims());
    out.setVoxelSize(volume.voxelSize());
    out.setOrigin(volume.origin());
    out.setSourceHeader(volume.sourceHeader());
    LabelId* dst = out.labels();
    const std::int64_t n = volume.voxelCount();
    dispatchScalar(volume.scalarType(), [&](auto t) {
        using T = decltype(t);
        const T* src = volume.data<T>();
        for (std::int64_t i = 0; i < n; ++i) {
            const double v = double(src[i]);
            if (v < 0 || v > 65535 || v != std::floor(v))
                throw InputError("cannot use as labels: voxel " + std::to_string(i) + " has value " +
                                 std::to_string(v) + ", expected an integer in 0..65535");
            dst[i] = LabelId(v);
        }
    });
    return out;
}

std::vector<LabelId> LabelVolume::presentLabels() const {
    std::vector<bool> seen(65536, false);
    const LabelId* p = labels();
    const std::int64_t n = voxelCount();
    for (std::int64_t i = 0; i < n; ++i) seen[p[i]] = true;
    std::vector<LabelId> out;
    for (int id = 1; id < 65536; ++id)
        if (seen[id]) out.push_back(LabelId(id));
    return out;
}

LabelVolume LabelVolume::deepCopyLabels() const {
    LabelVolume copy(dims());
    copy.setVoxelSize(voxelSize());
    copy.setOrigin(origin());
    copy.setSourceHeader(sourceHeader());
    std::memcpy(copy.bytes(), bytes(), byteSize());
    copy.table_ = table_;
    return copy;
}

}  // namespace cellforge
