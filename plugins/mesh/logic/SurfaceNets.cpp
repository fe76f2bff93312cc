#include "plugins/mesh/logic/SurfaceNets.h"

#include "core/base/Errors.h"

#include <algorithm>
#include <cmath>

namespace cellforge::mesh {

namespace {

// The distinct labels of the 8 voxels around a voxel corner, sorted.
struct LabelSet {
    std::array<LabelId, 8> ids{};
    std::uint8_t size = 0;
    void add(LabelId l) {
        for (std::uint8_t k = 0; k < size; ++k)
            if (ids[k] == l) return;
        ids[size++] = l;
    }
    void sort() { std::sort(ids.begin(), ids.begin() + size); }
    bool contains(const LabelSet& other) const {  // this ⊇ other
        return std::includes(ids.begin(), ids.begin() + size, other.ids.begin(), other.ids.begin() + other.size);
    }
};

}  // namespace

SurfaceNetsResult extractSurfaceNets(const LabelVolume& labels, const SurfaceNetsOptions& options,
                                     const RunControl& control) {
    const auto extents = selectLabels(labels, options.labels, "labels", control);
    std::vector<char> selected(65536, 0);
    Index3 lo = extents[0].lo, hi = extents[0].hi;
    for (const auto& e : extents) {
        selected[e.label] = 1;
        for (int a = 0; a < 3; ++a) {
            lo[std::size_t(a)] = std::min(lo[std::size_t(a)], e.lo[std::size_t(a)]);
            hi[std::size_t(a)] = std::max(hi[std::size_t(a)], e.hi[std::size_t(a)]);
        }
    }
    const Index3 dims = labels.dims();
    const LabelId* data = labels.labels();
    auto label = [&](std::int64_t x, std::int64_t y, std::int64_t z) -> LabelId {
        if (x < 0 || y < 0 || z < 0 || x >= dims[0] || y >= dims[1] || z >= dims[2]) return 0;
        const LabelId l = data[x + dims[0] * (y + dims[1] * z)];
        return selected[l] ? l : 0;
    };

    // Corners [lo, hi + 1] per axis; corner c is the low corner of voxel c.
    const Index3 cdims{hi[0] - lo[0] + 2, hi[1] - lo[1] + 2, hi[2] - lo[2] + 2};
    std::vector<std::int32_t> cornerVertex(std::size_t(cdims[0] * cdims[1] * cdims[2]), -1);
    std::vector<std::array<double, 3>> points;
    std::vector<std::array<double, 3>> anchors;
    std::vector<LabelSet> sets;
    const auto& vs = labels.voxelSize();
    const auto& origin = labels.origin();
    auto vertexAt = [&](std::int64_t cx, std::int64_t cy, std::int64_t cz) {
        auto& slot = cornerVertex[std::size_t((cx - lo[0]) + cdims[0] * ((cy - lo[1]) + cdims[1] * (cz - lo[2])))];
        if (slot < 0) {
            slot = std::int32_t(points.size());
            const std::array<double, 3> p{origin[0] + double(cx) * vs[0], origin[1] + double(cy) * vs[1],
                                          origin[2] + double(cz) * vs[2]};
            points.push_back(p);
            anchors.push_back(p);
            LabelSet s;
            for (int dz = -1; dz <= 0; ++dz)
                for (int dy = -1; dy <= 0; ++dy)
                    for (int dx = -1; dx <= 0; ++dx) s.add(label(cx + dx, cy + dy, cz + dz));
            s.sort();
            sets.push_back(s);
        }
        return slot;
    };

    InterfaceMarkers markers;
    std::vector<std::array<std::int32_t, 4>> quads;
    std::vector<std::int32_t> quadMarkers;
    for (std::int64_t z = lo[2] - 1; z <= hi[2]; ++z) {
        control.throwIfCancelled();
        control.report(0.5 * double(z - lo[2] + 1) / double(hi[2] - lo[2] + 2), "surface nets: faces");
        for (std::int64_t y = lo[1] - 1; y <= hi[1]; ++y)
            for (std::int64_t x = lo[0] - 1; x <= hi[0]; ++x) {
                const LabelId p = label(x, y, z);
                const std::int64_t v[3] = {x, y, z};
                for (int a = 0; a < 3; ++a) {
                    std::int64_t w[3] = {x, y, z};
                    ++w[a];
                    const LabelId q = label(w[0], w[1], w[2]);
                    if (p == q) continue;
                    // Axes b, c follow a cyclically so that (b, c) is counter-clockwise seen from +a.
                    const int b = (a + 1) % 3, c = (a + 2) % 3;
                    std::int64_t corner[3];
                    corner[a] = v[a] + 1;
                    std::array<std::int32_t, 4> quad{};
                    const int offsets[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
                    for (int k = 0; k < 4; ++k) {
                        corner[b] = v[b] + offsets[k][0];
                        corner[c] = v[c] + offsets[k][1];
                        quad[std::size_t(k)] = vertexAt(corner[0], corner[1], corner[2]);
                    }
                    if (p < q) std::reverse(quad.begin(), quad.end());  // normal from higher to lower label
                    quads.push_back(quad);
                    quadMarkers.push_back(markers.marker(p, q));
                }
            }
    }
    cornerVertex.clear();
    cornerVertex.shrink_to_fit();

    // Smoothing stencils: neighbours along quad edges whose label set contains the vertex's.
    const std::size_t nv = points.size();
    std::vector<std::pair<std::int32_t, std::int32_t>> edges;
    edges.reserve(quads.size() * 4);
    for (const auto& q : quads)
        for (int k = 0; k < 4; ++k) {
            const auto a = q[std::size_t(k)], b = q[std::size_t((k + 1) % 4)];
            edges.emplace_back(a, b);
            edges.emplace_back(b, a);
        }
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    std::vector<std::int32_t> start(nv + 1, 0), stencil;
    stencil.reserve(edges.size());
    for (const auto& [a, b] : edges)
        if (sets[std::size_t(b)].contains(sets[std::size_t(a)])) {
            stencil.push_back(b);
            ++start[std::size_t(a) + 1];
        }
    for (std::size_t v = 0; v < nv; ++v) start[v + 1] += start[v];
    edges.clear();
    edges.shrink_to_fit();

    const double box[3] = {options.constraint * vs[0], options.constraint * vs[1], options.constraint * vs[2]};
    std::vector<std::array<double, 3>> next(nv);
    auto step = [&](double factor) {
        for (std::size_t v = 0; v < nv; ++v) {
            const auto begin = start[v], end = start[v + 1];
            next[v] = points[v];
            if (begin == end || sets[v].size >= 4) continue;  // where four labels meet: fixed
            std::array<double, 3> mean{0, 0, 0};
            for (auto k = begin; k < end; ++k)
                for (int a = 0; a < 3; ++a)
                    mean[std::size_t(a)] += points[std::size_t(stencil[std::size_t(k)])][std::size_t(a)];
            const double n = double(end - begin);
            for (int a = 0; a < 3; ++a) {
                double value =
                    points[v][std::size_t(a)] + factor * (mean[std::size_t(a)] / n - points[v][std::size_t(a)]);
                value = std::clamp(value, anchors[v][std::size_t(a)] - box[a], anchors[v][std::size_t(a)] + box[a]);
                next[v][std::size_t(a)] = value;
            }
        }
        points.swap(next);
    };
    for (int i = 0; i < options.smoothingIterations; ++i) {
        if (i % 4 == 0) {
            control.throwIfCancelled();
            control.report(0.5 + 0.45 * double(i) / double(options.smoothingIterations), "surface nets: smoothing");
        }
        step(options.lambda);
        step(options.mu);
    }

    // Quads to triangles along the shorter diagonal.
    SurfaceNetsResult result;
    result.mesh.points = std::move(points);
    auto& mesh = result.mesh;
    mesh.triangles.reserve(quads.size() * 2);
    mesh.triangleRegions.reserve(quads.size() * 2);
    auto dist2 = [&](std::int32_t a, std::int32_t b) {
        double d = 0;
        for (int k = 0; k < 3; ++k) {
            const double t = mesh.points[std::size_t(a)][std::size_t(k)] - mesh.points[std::size_t(b)][std::size_t(k)];
            d += t * t;
        }
        return d;
    };
    for (std::size_t i = 0; i < quads.size(); ++i) {
        const auto& q = quads[i];
        if (dist2(q[0], q[2]) <= dist2(q[1], q[3])) {
            mesh.triangles.push_back({q[0], q[1], q[2]});
            mesh.triangles.push_back({q[0], q[2], q[3]});
        } else {
            mesh.triangles.push_back({q[0], q[1], q[3]});
            mesh.triangles.push_back({q[1], q[2], q[3]});
        }
        mesh.triangleRegions.push_back(quadMarkers[i]);
        mesh.triangleRegions.push_back(quadMarkers[i]);
    }
    result.interfaces = markers.table();
    control.report(1.0, "surface nets: done");
    return result;
}

}  // namespace cellforge::mesh
