// Small label volumes built in tests: a buffer that owns its labels and hands out grids.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "plugins/metrics/logic/MetricsTypes.h"

namespace cellforge::metrics::test {

struct OwnedLabels {
    Dims3 dims;
    Spacing3 voxelSize{1, 1, 1};
    std::vector<Label> data;

    explicit OwnedLabels(Dims3 d, Spacing3 s = {1, 1, 1})
        : dims(d), voxelSize(s), data(std::size_t(d[0] * d[1] * d[2]), 0) {}
    Label& at(std::int64_t x, std::int64_t y, std::int64_t z) {
        return data[std::size_t(x + dims[0] * (y + dims[1] * z))];
    }
    Label at(std::int64_t x, std::int64_t y, std::int64_t z) const {
        return data[std::size_t(x + dims[0] * (y + dims[1] * z))];
    }
    LabelGrid grid() const {
        LabelGrid g;
        g.labels = data.data();
        g.dims = dims;
        g.voxelSize = voxelSize;
        return g;
    }
    // Sets `label` wherever inside(x, y, z) holds (voxel indices).
    void paint(Label label, const std::function<bool(double, double, double)>& inside) {
        for (std::int64_t z = 0; z < dims[2]; ++z)
            for (std::int64_t y = 0; y < dims[1]; ++y)
                for (std::int64_t x = 0; x < dims[0]; ++x)
                    if (inside(double(x), double(y), double(z))) at(x, y, z) = label;
    }
    void paintBox(Label label, Dims3 lo, Dims3 hiExclusive) {
        for (std::int64_t z = lo[2]; z < hiExclusive[2]; ++z)
            for (std::int64_t y = lo[1]; y < hiExclusive[1]; ++y)
                for (std::int64_t x = lo[0]; x < hiExclusive[0]; ++x) at(x, y, z) = label;
    }
};

inline std::function<bool(double, double, double)> ball(double cx, double cy, double cz, double r) {
    return [=](double x, double y, double z) {
        return (x - cx) * (x - cx) + (y - cy) * (y - cy) + (z - cz) * (z - cz) <= r * r;
    };
}

}  // namespace cellforge::metrics::test
