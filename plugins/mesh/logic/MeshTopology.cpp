#include "plugins/mesh/logic/MeshTopology.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace cellforge::mesh {

namespace {

using Point = std::array<double, 3>;
using Tri = std::array<std::int32_t, 3>;

Point sub(const Point& a, const Point& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Point cross(const Point& a, const Point& b) {
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Point& a, const Point& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

std::uint64_t edgeKey(std::int32_t a, std::int32_t b) {
    if (a > b) std::swap(a, b);
    return (std::uint64_t(std::uint32_t(a)) << 32) | std::uint32_t(b);
}

struct UnionFind {
    std::vector<std::int32_t> parent;
    explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
    std::int32_t find(std::int32_t x) {
        while (parent[std::size_t(x)] != x) {
            parent[std::size_t(x)] = parent[std::size_t(parent[std::size_t(x)])];
            x = parent[std::size_t(x)];
        }
        return x;
    }
    void unite(std::int32_t a, std::int32_t b) {
        a = find(a), b = find(b);
        if (a != b) parent[std::size_t(std::max(a, b))] = std::min(a, b);
    }
};

// For every undirected edge: the triangles using it (as a compact list of pairs).
struct EdgeTable {
    std::unordered_map<std::uint64_t, std::vector<std::int32_t>> faces;
    explicit EdgeTable(const Mesh& mesh) {
        faces.reserve(mesh.triangles.size() * 2);
        for (std::size_t i = 0; i < mesh.triangles.size(); ++i) {
            const auto& t = mesh.triangles[i];
            for (int k = 0; k < 3; ++k)
                faces[edgeKey(t[std::size_t(k)], t[std::size_t((k + 1) % 3)])].push_back(std::int32_t(i));
        }
    }
};

// Does triangle t traverse the directed edge a->b?
bool traverses(const Tri& t, std::int32_t a, std::int32_t b) {
    for (int k = 0; k < 3; ++k)
        if (t[std::size_t(k)] == a && t[std::size_t((k + 1) % 3)] == b) return true;
    return false;
}

// Möller–Trumbore ray/triangle test; counts crossings for point-in-surface parity.
bool rayHits(const Point& origin, const Point& dir, const Point& a, const Point& b, const Point& c) {
    const Point e1 = sub(b, a), e2 = sub(c, a);
    const Point p = cross(dir, e2);
    const double det = dot(e1, p);
    if (std::abs(det) < 1e-300) return false;
    const double inv = 1.0 / det;
    const Point s = sub(origin, a);
    const double u = dot(s, p) * inv;
    if (u < 0 || u > 1) return false;
    const Point q = cross(s, e1);
    const double v = dot(dir, q) * inv;
    if (v < 0 || u + v > 1) return false;
    return dot(e2, q) * inv > 0;
}

}  // namespace

TopologyReport analyseTopology(const Mesh& mesh) {
    TopologyReport r;
    r.triangles = mesh.triangles.size();
    std::vector<char> used(mesh.points.size(), 0);
    for (const auto& t : mesh.triangles) {
        for (auto v : t) used[std::size_t(v)] = 1;
        if (t[0] == t[1] || t[1] == t[2] || t[0] == t[2] || triangleArea(mesh, t) <= 0.0) ++r.degenerateTriangles;
    }
    r.vertices = std::size_t(std::count(used.begin(), used.end(), 1));
    EdgeTable table(mesh);
    r.edges = table.faces.size();
    for (const auto& [key, list] : table.faces) {
        if (list.size() == 1)
            ++r.boundaryEdges;
        else if (list.size() > 2)
            ++r.nonManifoldEdges;
        else {
            const auto a = std::int32_t(key >> 32), b = std::int32_t(key & 0xffffffffu);
            const auto& t0 = mesh.triangles[std::size_t(list[0])];
            const auto& t1 = mesh.triangles[std::size_t(list[1])];
            if (traverses(t0, a, b) == traverses(t1, a, b)) ++r.inconsistentEdges;
        }
    }
    // Non-manifold vertices: the triangles around a vertex, joined across their shared
    // edges at that vertex, must form a single fan.
    std::vector<std::vector<std::int32_t>> around(mesh.points.size());
    for (std::size_t i = 0; i < mesh.triangles.size(); ++i)
        for (auto v : mesh.triangles[i]) around[std::size_t(v)].push_back(std::int32_t(i));
    for (std::size_t v = 0; v < around.size(); ++v) {
        const auto& fan = around[v];
        if (fan.size() < 2) continue;
        UnionFind uf(fan.size());
        std::unordered_map<std::int32_t, std::size_t> firstByNeighbour;  // other edge end -> fan slot
        for (std::size_t k = 0; k < fan.size(); ++k) {
            for (auto w : mesh.triangles[std::size_t(fan[k])]) {
                if (w == std::int32_t(v)) continue;
                auto [it, inserted] = firstByNeighbour.try_emplace(w, k);
                if (!inserted) uf.unite(std::int32_t(it->second), std::int32_t(k));
            }
        }
        std::size_t roots = 0;
        for (std::size_t k = 0; k < fan.size(); ++k)
            if (uf.find(std::int32_t(k)) == std::int32_t(k)) ++roots;
        if (roots > 1) ++r.nonManifoldVertices;
    }
    triangleComponents(mesh, r.components);
    r.eulerCharacteristic = (long long)r.vertices - (long long)r.edges + (long long)r.triangles;
    return r;
}

double triangleArea(const Mesh& mesh, const Tri& t) {
    const auto& a = mesh.points[std::size_t(t[0])];
    const auto n = cross(sub(mesh.points[std::size_t(t[1])], a), sub(mesh.points[std::size_t(t[2])], a));
    return 0.5 * std::sqrt(dot(n, n));
}

double surfaceArea(const Mesh& mesh) {
    double area = 0;
    for (const auto& t : mesh.triangles) area += triangleArea(mesh, t);
    return area;
}

namespace {
double signedTetVolume(const Point& a, const Point& b, const Point& c) { return dot(a, cross(b, c)) / 6.0; }
}  // namespace

double enclosedVolume(const Mesh& mesh) {
    double v = 0;
    for (const auto& t : mesh.triangles)
        v += signedTetVolume(mesh.points[std::size_t(t[0])], mesh.points[std::size_t(t[1])],
                             mesh.points[std::size_t(t[2])]);
    return v;
}

double tetrahedraVolume(const Mesh& mesh) {
    double v = 0;
    for (const auto& t : mesh.tetrahedra) {
        const auto& a = mesh.points[std::size_t(t[0])];
        v += std::abs(dot(sub(mesh.points[std::size_t(t[1])], a),
                          cross(sub(mesh.points[std::size_t(t[2])], a), sub(mesh.points[std::size_t(t[3])], a)))) /
             6.0;
    }
    return v;
}

std::map<std::int32_t, double> areaByRegion(const Mesh& mesh) {
    std::map<std::int32_t, double> out;
    for (std::size_t i = 0; i < mesh.triangles.size(); ++i)
        out[mesh.triangleRegions.empty() ? 0 : mesh.triangleRegions[i]] += triangleArea(mesh, mesh.triangles[i]);
    return out;
}

std::map<std::int32_t, double> enclosedVolumeByRegion(const Mesh& mesh) {
    std::map<std::int32_t, double> out;
    for (std::size_t i = 0; i < mesh.triangles.size(); ++i) {
        const auto& t = mesh.triangles[i];
        out[mesh.triangleRegions.empty() ? 0 : mesh.triangleRegions[i]] += signedTetVolume(
            mesh.points[std::size_t(t[0])], mesh.points[std::size_t(t[1])], mesh.points[std::size_t(t[2])]);
    }
    return out;
}

std::vector<std::int32_t> triangleComponents(const Mesh& mesh, std::size_t& count) {
    UnionFind uf(mesh.points.size());
    for (const auto& t : mesh.triangles) {
        uf.unite(t[0], t[1]);
        uf.unite(t[1], t[2]);
    }
    std::unordered_map<std::int32_t, std::int32_t> rootIndex;
    std::vector<std::int32_t> component(mesh.triangles.size());
    std::vector<std::size_t> sizes;
    for (std::size_t i = 0; i < mesh.triangles.size(); ++i) {
        const auto root = uf.find(mesh.triangles[i][0]);
        auto [it, inserted] = rootIndex.try_emplace(root, std::int32_t(sizes.size()));
        if (inserted) sizes.push_back(0);
        ++sizes[std::size_t(it->second)];
        component[i] = it->second;
    }
    count = sizes.size();
    // Renumber by decreasing size (ties: first appearance).
    std::vector<std::int32_t> order(sizes.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::int32_t a, std::int32_t b) { return sizes[std::size_t(a)] > sizes[std::size_t(b)]; });
    std::vector<std::int32_t> rank(sizes.size());
    for (std::size_t k = 0; k < order.size(); ++k) rank[std::size_t(order[k])] = std::int32_t(k);
    for (auto& c : component) c = rank[std::size_t(c)];
    return component;
}

Mesh selectTriangles(const Mesh& mesh, const std::vector<char>& keep) {
    Mesh out;
    out.points = mesh.points;
    for (std::size_t i = 0; i < mesh.triangles.size(); ++i) {
        if (!keep[i]) continue;
        out.triangles.push_back(mesh.triangles[i]);
        if (!mesh.triangleRegions.empty()) out.triangleRegions.push_back(mesh.triangleRegions[i]);
    }
    return compactPoints(out);
}

Mesh compactPoints(const Mesh& mesh) {
    std::vector<std::int32_t> newIndex(mesh.points.size(), -1);
    Mesh out;
    auto map = [&](std::int32_t v) {
        auto& n = newIndex[std::size_t(v)];
        if (n < 0) {
            n = std::int32_t(out.points.size());
            out.points.push_back(mesh.points[std::size_t(v)]);
        }
        return n;
    };
    for (const auto& t : mesh.tetrahedra) out.tetrahedra.push_back({map(t[0]), map(t[1]), map(t[2]), map(t[3])});
    for (const auto& t : mesh.triangles) out.triangles.push_back({map(t[0]), map(t[1]), map(t[2])});
    out.triangleRegions = mesh.triangleRegions;
    out.tetrahedronRegions = mesh.tetrahedronRegions;
    return out;
}

std::vector<Mesh> splitComponents(const Mesh& mesh) {
    std::size_t count = 0;
    const auto component = triangleComponents(mesh, count);
    std::vector<Mesh> parts(count);
    std::vector<std::vector<char>> keep(count, std::vector<char>(mesh.triangles.size(), 0));
    for (std::size_t i = 0; i < component.size(); ++i) keep[std::size_t(component[i])][i] = 1;
    for (std::size_t c = 0; c < count; ++c) parts[c] = selectTriangles(mesh, keep[c]);
    return parts;
}

std::size_t removeSmallComponents(Mesh& mesh, std::size_t minTriangles, double minArea) {
    std::size_t count = 0;
    const auto component = triangleComponents(mesh, count);
    std::vector<std::size_t> triangles(count, 0);
    std::vector<double> area(count, 0.0);
    for (std::size_t i = 0; i < component.size(); ++i) {
        ++triangles[std::size_t(component[i])];
        area[std::size_t(component[i])] += triangleArea(mesh, mesh.triangles[i]);
    }
    std::vector<char> dropComponent(count, 0);
    std::size_t removed = 0;
    for (std::size_t c = 0; c < count; ++c)
        if (triangles[c] < minTriangles || area[c] < minArea) dropComponent[c] = 1, ++removed;
    if (removed == 0) return 0;
    std::vector<char> keep(mesh.triangles.size());
    for (std::size_t i = 0; i < keep.size(); ++i) keep[i] = !dropComponent[std::size_t(component[i])];
    Mesh kept = selectTriangles(mesh, keep);
    mesh.points = std::move(kept.points);
    mesh.triangles = std::move(kept.triangles);
    mesh.triangleRegions = std::move(kept.triangleRegions);
    return removed;
}

std::size_t orientOutward(Mesh& mesh) {
    const std::size_t nt = mesh.triangles.size();
    if (nt == 0) return 0;
    EdgeTable table(mesh);
    // 1. Consistent orientation by breadth-first propagation across manifold edges.
    std::vector<char> visited(nt, 0), flipped(nt, 0);
    std::vector<std::int32_t> patchOf(nt, -1);
    std::int32_t patches = 0;
    std::vector<std::int32_t> queue;
    for (std::size_t seed = 0; seed < nt; ++seed) {
        if (visited[seed]) continue;
        visited[seed] = 1;
        patchOf[seed] = patches;
        queue.assign(1, std::int32_t(seed));
        for (std::size_t q = 0; q < queue.size(); ++q) {
            const auto f = queue[q];
            auto t = mesh.triangles[std::size_t(f)];
            if (flipped[std::size_t(f)]) std::swap(t[1], t[2]);
            for (int k = 0; k < 3; ++k) {
                const auto a = t[std::size_t(k)], b = t[std::size_t((k + 1) % 3)];
                const auto& list = table.faces[edgeKey(a, b)];
                if (list.size() != 2) continue;
                const auto g = list[0] == f ? list[1] : list[0];
                if (visited[std::size_t(g)]) continue;
                visited[std::size_t(g)] = 1;
                patchOf[std::size_t(g)] = patches;
                // g must traverse a->b the other way (b->a).
                flipped[std::size_t(g)] = traverses(mesh.triangles[std::size_t(g)], a, b) ? 1 : 0;
                queue.push_back(g);
            }
        }
        ++patches;
    }
    for (std::size_t i = 0; i < nt; ++i)
        if (flipped[i]) std::swap(mesh.triangles[i][1], mesh.triangles[i][2]);

    // 2. Orientation of each patch: outward for even nesting depth within its region.
    const auto np = std::size_t(patches);
    std::vector<double> volume(np, 0.0);
    std::vector<std::int32_t> region(np, 0);
    std::vector<Point> lo(np, Point{HUGE_VAL, HUGE_VAL, HUGE_VAL});
    std::vector<Point> hi(np, Point{-HUGE_VAL, -HUGE_VAL, -HUGE_VAL});
    std::vector<std::vector<std::int32_t>> members(np);
    for (std::size_t i = 0; i < nt; ++i) {
        const auto p = std::size_t(patchOf[i]);
        const auto& t = mesh.triangles[i];
        members[p].push_back(std::int32_t(i));
        region[p] = mesh.triangleRegions.empty() ? 0 : mesh.triangleRegions[i];
        volume[p] += signedTetVolume(mesh.points[std::size_t(t[0])], mesh.points[std::size_t(t[1])],
                                     mesh.points[std::size_t(t[2])]);
        for (auto v : t)
            for (int a = 0; a < 3; ++a) {
                lo[p][std::size_t(a)] = std::min(lo[p][std::size_t(a)], mesh.points[std::size_t(v)][std::size_t(a)]);
                hi[p][std::size_t(a)] = std::max(hi[p][std::size_t(a)], mesh.points[std::size_t(v)][std::size_t(a)]);
            }
    }
    const Point dir{0.5773502691896258 + 1.3e-4, 0.5773502691896258 - 2.9e-4, 0.5773502691896258 + 0.7e-4};
    std::size_t count = 0;
    for (std::int32_t p = 0; p < patches; ++p) {
        // Test point: the centroid of the patch's first triangle, nudged off the surface.
        const auto& t0 = mesh.triangles[std::size_t(members[std::size_t(p)][0])];
        Point probe{0, 0, 0};
        for (auto v : t0)
            for (int a = 0; a < 3; ++a) probe[std::size_t(a)] += mesh.points[std::size_t(v)][std::size_t(a)] / 3.0;
        int depth = 0;
        for (std::int32_t o = 0; o < patches; ++o) {
            if (o == p || region[std::size_t(o)] != region[std::size_t(p)]) continue;
            bool inside = true;
            for (int a = 0; a < 3; ++a)
                inside = inside && probe[std::size_t(a)] >= lo[std::size_t(o)][std::size_t(a)] &&
                         probe[std::size_t(a)] <= hi[std::size_t(o)][std::size_t(a)];
            if (!inside) continue;
            int hits = 0;
            for (auto f : members[std::size_t(o)]) {
                const auto& t = mesh.triangles[std::size_t(f)];
                hits += rayHits(probe, dir, mesh.points[std::size_t(t[0])], mesh.points[std::size_t(t[1])],
                                mesh.points[std::size_t(t[2])]);
            }
            depth += hits % 2;
        }
        const bool wantPositive = depth % 2 == 0;
        if ((volume[std::size_t(p)] < 0) == wantPositive) {
            for (auto f : members[std::size_t(p)]) {
                std::swap(mesh.triangles[std::size_t(f)][1], mesh.triangles[std::size_t(f)][2]);
                flipped[std::size_t(f)] = !flipped[std::size_t(f)];
            }
        }
    }
    for (std::size_t i = 0; i < nt; ++i) count += flipped[i] ? 1 : 0;
    return count;
}

Mesh tetrahedralBoundary(const Mesh& mesh) {
    static const int kFaces[4][3] = {{1, 2, 3}, {0, 3, 2}, {0, 1, 3}, {0, 2, 1}};
    struct FaceKeyHash {
        std::size_t operator()(const std::array<std::int32_t, 3>& k) const {
            return (std::size_t(std::uint32_t(k[0])) * 73856093u) ^ (std::size_t(std::uint32_t(k[1])) * 19349663u) ^
                   (std::size_t(std::uint32_t(k[2])) * 83492791u);
        }
    };
    std::unordered_map<std::array<std::int32_t, 3>, std::pair<int, std::size_t>, FaceKeyHash> faces;
    faces.reserve(mesh.tetrahedra.size() * 3);
    std::vector<Tri> oriented;
    std::vector<std::int32_t> regions;
    for (std::size_t i = 0; i < mesh.tetrahedra.size(); ++i) {
        auto t = mesh.tetrahedra[i];
        const auto& a = mesh.points[std::size_t(t[0])];
        if (dot(sub(mesh.points[std::size_t(t[1])], a),
                cross(sub(mesh.points[std::size_t(t[2])], a), sub(mesh.points[std::size_t(t[3])], a))) < 0)
            std::swap(t[0], t[1]);
        for (const auto& f : kFaces) {
            Tri face{t[std::size_t(f[0])], t[std::size_t(f[1])], t[std::size_t(f[2])]};
            Tri key = face;
            std::sort(key.begin(), key.end());
            auto [it, inserted] = faces.try_emplace(key, 0, oriented.size());
            if (inserted) {
                oriented.push_back(face);
                regions.push_back(mesh.tetrahedronRegions.empty() ? 0 : mesh.tetrahedronRegions[i]);
            }
            ++it->second.first;
        }
    }
    std::vector<std::size_t> boundary;
    for (const auto& [key, entry] : faces)
        if (entry.first == 1) boundary.push_back(entry.second);
    std::sort(boundary.begin(), boundary.end());  // deterministic order
    Mesh out;
    out.points = mesh.points;
    for (auto k : boundary) {
        out.triangles.push_back(oriented[k]);
        out.triangleRegions.push_back(regions[k]);
    }
    return out;
}

void taubinSmooth(Mesh& mesh, int iterations, double lambda, double mu, bool keepRegionBorders) {
    const std::size_t np = mesh.points.size();
    EdgeTable table(mesh);
    // Neighbours per vertex; vertices on "special" edges (boundary, non-manifold, region
    // border) see only neighbours along such edges, corners of such edges stay fixed.
    std::vector<std::vector<std::int32_t>> all(np), special(np);
    for (const auto& [key, list] : table.faces) {
        const auto a = std::int32_t(key >> 32), b = std::int32_t(key & 0xffffffffu);
        bool isSpecial = list.size() != 2;
        if (!isSpecial && keepRegionBorders && !mesh.triangleRegions.empty())
            isSpecial = mesh.triangleRegions[std::size_t(list[0])] != mesh.triangleRegions[std::size_t(list[1])];
        all[std::size_t(a)].push_back(b);
        all[std::size_t(b)].push_back(a);
        if (isSpecial) {
            special[std::size_t(a)].push_back(b);
            special[std::size_t(b)].push_back(a);
        }
    }
    std::vector<const std::vector<std::int32_t>*> stencil(np, nullptr);
    for (std::size_t v = 0; v < np; ++v) {
        if (special[v].empty())
            stencil[v] = all[v].empty() ? nullptr : &all[v];
        else if (special[v].size() == 2)
            stencil[v] = &special[v];  // along a curve
        else
            stencil[v] = nullptr;  // a corner: fixed
    }
    std::vector<Point> next(np);
    auto step = [&](double factor) {
        for (std::size_t v = 0; v < np; ++v) {
            const auto& p = mesh.points[v];
            next[v] = p;
            if (!stencil[v]) continue;
            Point mean{0, 0, 0};
            for (auto w : *stencil[v])
                for (int a = 0; a < 3; ++a) mean[std::size_t(a)] += mesh.points[std::size_t(w)][std::size_t(a)];
            const double n = double(stencil[v]->size());
            for (int a = 0; a < 3; ++a)
                next[v][std::size_t(a)] = p[std::size_t(a)] + factor * (mean[std::size_t(a)] / n - p[std::size_t(a)]);
        }
        mesh.points.swap(next);
    };
    for (int i = 0; i < iterations; ++i) {
        step(lambda);
        step(mu);
    }
}

}  // namespace cellforge::mesh
