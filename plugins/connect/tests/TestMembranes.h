// Membrane segmentations with known truth for the connect tests: rings (cylindrical
// bands), concentric rings, sheet stacks and vesicles, cut into pieces as a slice-wise
// segmentation leaves them. Each voxel also records which true membrane it belongs to.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "core/imaging/LabelGrid.h"

namespace cellforge::connect::test {

constexpr std::uint16_t kMembrane = 2;

struct Scene {
    imaging::Dims3 dims{0, 0, 0};
    std::vector<std::uint16_t> labels;  // 0, or kMembrane
    std::vector<int> truth;             // 0, or the true membrane's number (1, 2, ...)

    explicit Scene(const imaging::Dims3& d)
        : dims(d), labels(std::size_t(d[0] * d[1] * d[2]), 0), truth(labels.size(), 0) {}
    std::int64_t index(std::int64_t x, std::int64_t y, std::int64_t z) const { return x + dims[0] * (y + dims[1] * z); }

    // Marks the voxels where inside(x, y, z) as membrane `id`.
    void paint(int id, const std::function<bool(double, double, double)>& inside) {
        for (std::int64_t z = 0; z < dims[2]; ++z)
            for (std::int64_t y = 0; y < dims[1]; ++y)
                for (std::int64_t x = 0; x < dims[0]; ++x)
                    if (inside(double(x), double(y), double(z))) {
                        labels[std::size_t(index(x, y, z))] = kMembrane;
                        truth[std::size_t(index(x, y, z))] = id;
                    }
    }
    // Clears the membrane where cut(x, y, z).
    void cut(const std::function<bool(double, double, double)>& cut) {
        for (std::int64_t z = 0; z < dims[2]; ++z)
            for (std::int64_t y = 0; y < dims[1]; ++y)
                for (std::int64_t x = 0; x < dims[0]; ++x)
                    if (cut(double(x), double(y), double(z))) {
                        labels[std::size_t(index(x, y, z))] = 0;
                        truth[std::size_t(index(x, y, z))] = 0;
                    }
    }
    // A cut across a ring centred at (cx, cy): a slab `gap` voxels wide along the ring's
    // tangent at angle `degrees`, on that side of the centre only.
    void cutRing(double cx, double cy, double degrees, double gap) {
        const double a = degrees * M_PI / 180.0, rx = std::cos(a), ry = std::sin(a);
        cut([=](double x, double y, double) {
            const double u = x - cx, v = y - cy;
            return u * rx + v * ry > 0 && std::fabs(-u * ry + v * rx) < gap / 2.0;
        });
    }
};

// A cylindrical band: radius r (voxels, to the middle of the wall), wall `thickness`
// voxels, from z0 to z1.
inline std::function<bool(double, double, double)> band(double cx, double cy, double r, double thickness, double z0,
                                                        double z1) {
    return [=](double x, double y, double z) {
        return z >= z0 && z <= z1 && std::fabs(std::hypot(x - cx, y - cy) - r) <= thickness / 2.0;
    };
}

// A spherical shell.
inline std::function<bool(double, double, double)> shell(double cx, double cy, double cz, double r, double thickness) {
    return [=](double x, double y, double z) {
        return std::fabs(std::sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy) + (z - cz) * (z - cz)) - r) <=
               thickness / 2.0;
    };
}

// How the instances cover the true membranes.
struct Cover {
    int instances = 0;                         // distinct non-zero instance ids
    std::map<int, int> majority;               // true membrane -> the instance holding most of its voxels
    std::map<int, double> share;               // true membrane -> the share of its voxels that instance holds
    std::map<int, std::set<int>> membranesOf;  // instance -> true membranes it holds voxels of
};

inline Cover coverOf(const Scene& s, const std::uint16_t* instances) {
    std::map<int, std::map<int, std::int64_t>> counts;  // truth -> instance -> voxels
    std::set<int> ids;
    Cover c;
    for (std::size_t i = 0; i < s.labels.size(); ++i) {
        if (instances[i]) ids.insert(instances[i]);
        if (s.truth[i]) ++counts[s.truth[i]][instances[i]];
        if (s.truth[i] && instances[i]) c.membranesOf[instances[i]].insert(s.truth[i]);
    }
    c.instances = int(ids.size());
    for (const auto& [t, byInstance] : counts) {
        std::int64_t total = 0, best = 0;
        for (const auto& [id, n] : byInstance) {
            total += n;
            if (id && n > best) best = n, c.majority[t] = id;
        }
        c.share[t] = total ? double(best) / double(total) : 0.0;
    }
    return c;
}

}  // namespace cellforge::connect::test
