// Plain-C++ mesh bookkeeping used across the meshing plugin: topology checks (closed,
// manifold, consistently oriented), measures (area, enclosed volume), connected
// components, outward orientation, tetrahedral boundaries and Taubin smoothing.
#pragma once

#include "core/data/Mesh.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace cellforge::mesh {

struct TopologyReport {
    std::size_t vertices = 0;  // vertices used by a triangle
    std::size_t triangles = 0;
    std::size_t edges = 0;
    std::size_t boundaryEdges = 0;        // edges of exactly one triangle (holes)
    std::size_t nonManifoldEdges = 0;     // edges of three or more triangles
    std::size_t nonManifoldVertices = 0;  // vertices whose triangles form more than one fan
    std::size_t inconsistentEdges = 0;    // two-triangle edges traversed the same way by both
    std::size_t degenerateTriangles = 0;  // a repeated corner or zero area
    std::size_t components = 0;           // triangles connected through shared vertices
    long long eulerCharacteristic = 0;    // V - E + F
    bool closed() const { return boundaryEdges == 0 && nonManifoldEdges == 0; }
    bool manifold() const { return nonManifoldEdges == 0 && nonManifoldVertices == 0; }
    bool oriented() const { return inconsistentEdges == 0; }
};

// Analyses the mesh's triangles (tetrahedra are ignored; see tetrahedralBoundary).
TopologyReport analyseTopology(const Mesh& mesh);

double triangleArea(const Mesh& mesh, const std::array<std::int32_t, 3>& t);
double surfaceArea(const Mesh& mesh);
// Signed volume enclosed by the triangles (divergence theorem); positive when a closed
// surface is oriented outward.
double enclosedVolume(const Mesh& mesh);
double tetrahedraVolume(const Mesh& mesh);
std::map<std::int32_t, double> areaByRegion(const Mesh& mesh);
std::map<std::int32_t, double> enclosedVolumeByRegion(const Mesh& mesh);

// Component index of every triangle (connected through shared vertices), numbered so
// that component 0 has the most triangles. `count` receives the number of components.
std::vector<std::int32_t> triangleComponents(const Mesh& mesh, std::size_t& count);
// The triangles for which `keep` is true, with unused points dropped.
Mesh selectTriangles(const Mesh& mesh, const std::vector<char>& keep);
// Drops points no element uses and renumbers.
Mesh compactPoints(const Mesh& mesh);
// One mesh per connected component, largest first.
std::vector<Mesh> splitComponents(const Mesh& mesh);
// Removes components with fewer than `minTriangles` triangles or less than `minArea`
// (Å²). Returns the number of components removed.
std::size_t removeSmallComponents(Mesh& mesh, std::size_t minTriangles, double minArea);

// Makes each connected component consistently oriented and facing outward from the
// material it bounds: an outer shell points out, a shell nested inside another shell
// of the same region points into its cavity. Non-manifold edges are not crossed.
// Returns the number of triangles flipped.
std::size_t orientOutward(Mesh& mesh);

// The outward faces of the tetrahedra that belong to one tetrahedron only, each marked
// with its tetrahedron's region (a surface mesh; points shared with `mesh`).
Mesh tetrahedralBoundary(const Mesh& mesh);

// Taubin λ|μ smoothing (uniform weights): shrink-free low-pass filtering. Vertices on
// boundary or non-manifold edges move only along such edges; region borders are kept
// in place when `keepRegionBorders`.
void taubinSmooth(Mesh& mesh, int iterations, double lambda, double mu, bool keepRegionBorders);

}  // namespace cellforge::mesh
