// Label volumes and meshes with known geometry for the meshing tests.
#pragma once

#include "core/data/LabelVolume.h"
#include "core/data/Mesh.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <functional>

namespace cellforge::mesh::test {

constexpr double kPi = 3.14159265358979323846;

// A label volume of `n`³ voxels of `voxel` Å with origin `origin`, where each voxel's
// label comes from its centre in Å.
inline LabelVolume labelsFrom(std::int64_t n, double voxel, const Vec3& origin,
                              const std::function<LabelId(double, double, double)>& labelAt) {
    LabelVolume v({n, n, n});
    v.setVoxelSize({voxel, voxel, voxel});
    v.setOrigin(origin);
    for (std::int64_t z = 0; z < n; ++z)
        for (std::int64_t y = 0; y < n; ++y)
            for (std::int64_t x = 0; x < n; ++x)
                v.labels()[v.index(x, y, z)] =
                    labelAt(origin[0] + (double(x) + 0.5) * voxel, origin[1] + (double(y) + 0.5) * voxel,
                            origin[2] + (double(z) + 0.5) * voxel);
    return v;
}

// A ball of `radius` Å around `centre` (Å) with label `label`.
inline LabelVolume ball(std::int64_t n, double voxel, const Vec3& origin, const Vec3& centre, double radius,
                        LabelId label = 1) {
    return labelsFrom(n, voxel, origin, [&](double x, double y, double z) {
        const double d = std::sqrt((x - centre[0]) * (x - centre[0]) + (y - centre[1]) * (y - centre[1]) +
                                   (z - centre[2]) * (z - centre[2]));
        return d <= radius ? label : LabelId(0);
    });
}

// A cell (label 1, ball of radius r1) with a nucleus (label 2, ball of radius r2) inside,
// both centred in the volume.
inline LabelVolume cellWithNucleus(std::int64_t n, double voxel, double r1, double r2,
                                   const Vec3& nucleusOffset = {0, 0, 0}) {
    const double c = 0.5 * double(n) * voxel;
    return labelsFrom(n, voxel, {0, 0, 0}, [&](double x, double y, double z) {
        const double d1 = std::sqrt((x - c) * (x - c) + (y - c) * (y - c) + (z - c) * (z - c));
        const double dx = x - c - nucleusOffset[0], dy = y - c - nucleusOffset[1], dz = z - c - nucleusOffset[2];
        const double d2 = std::sqrt(dx * dx + dy * dy + dz * dz);
        if (d2 <= r2) return LabelId(2);
        if (d1 <= r1) return LabelId(1);
        return LabelId(0);
    });
}

// The surface of a regular tetrahedron, outward oriented.
inline Mesh tetrahedronSurface() {
    Mesh m;
    m.points = {{1, 1, 1}, {1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}};
    m.triangles = {{0, 1, 2}, {0, 3, 1}, {0, 2, 3}, {1, 3, 2}};
    return m;
}

// An icosphere of `radius` around `centre`, subdivided `levels` times, outward.
inline Mesh icosphere(double radius, int levels, const Vec3& centre = {0, 0, 0}) {
    const double t = (1.0 + std::sqrt(5.0)) / 2.0;
    Mesh m;
    m.points = {{-1, t, 0},  {1, t, 0},  {-1, -t, 0}, {1, -t, 0}, {0, -1, t},  {0, 1, t},
                {0, -1, -t}, {0, 1, -t}, {t, 0, -1},  {t, 0, 1},  {-t, 0, -1}, {-t, 0, 1}};
    m.triangles = {{0, 11, 5},  {0, 5, 1},  {0, 1, 7},  {0, 7, 10}, {0, 10, 11}, {1, 5, 9}, {5, 11, 4},
                   {11, 10, 2}, {10, 7, 6}, {7, 1, 8},  {3, 9, 4},  {3, 4, 2},   {3, 2, 6}, {3, 6, 8},
                   {3, 8, 9},   {4, 9, 5},  {2, 4, 11}, {6, 2, 10}, {8, 6, 7},   {9, 8, 1}};
    for (int l = 0; l < levels; ++l) {
        std::map<std::pair<int, int>, int> mid;
        auto midpoint = [&](int a, int b) {
            auto key = std::minmax(a, b);
            auto it = mid.find(key);
            if (it != mid.end()) return it->second;
            const auto& p = m.points[std::size_t(a)];
            const auto& q = m.points[std::size_t(b)];
            m.points.push_back({(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, (p[2] + q[2]) / 2});
            return mid[key] = int(m.points.size() - 1);
        };
        std::vector<std::array<std::int32_t, 3>> next;
        for (const auto& tri : m.triangles) {
            const int a = midpoint(tri[0], tri[1]), b = midpoint(tri[1], tri[2]), c = midpoint(tri[2], tri[0]);
            next.push_back({tri[0], a, c});
            next.push_back({tri[1], b, a});
            next.push_back({tri[2], c, b});
            next.push_back({a, b, c});
        }
        m.triangles = next;
    }
    for (auto& p : m.points) {
        const double len = std::sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
        for (int a = 0; a < 3; ++a) p[std::size_t(a)] = centre[std::size_t(a)] + radius * p[std::size_t(a)] / len;
    }
    return m;
}

}  // namespace cellforge::mesh::test
