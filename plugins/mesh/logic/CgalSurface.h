// Surface operations done with CGAL's Polygon Mesh Processing (one translation unit,
// CgalSurface.cpp, so that CGAL is compiled once): isotropic remeshing, angle-based
// smoothing, decimation, repair to a closed oriented 2-manifold, self-intersection
// tests and Hausdorff distances. Only plain types cross this header.
#pragma once

#include "core/base/RunControl.h"
#include "core/data/Mesh.h"

#include <cstddef>
#include <string>
#include <vector>

namespace cellforge::mesh {

// Pairs of triangles that intersect other than along shared vertices and edges (works
// on non-manifold triangle soups too), counted apart for pairs within one region and
// pairs from two regions (separate per-label surfaces meet wherever labels touch).
struct SelfIntersections {
    std::size_t withinRegions = 0;
    std::size_t betweenRegions = 0;
    std::size_t total() const { return withinRegions + betweenRegions; }
};
SelfIntersections countSelfIntersections(const Mesh& mesh);

// Symmetric Hausdorff distance (Å) between the triangles of two meshes, sampled every
// `sampling` Å on each surface (0: a fifth of the mean edge length), exact point-to-
// triangle distances through an AABB tree.
double hausdorffDistance(const Mesh& a, const Mesh& b, double sampling = 0);

struct RemeshOptions {
    double targetEdgeLength = 0;  // Å; 0 = the mesh's mean edge length
    int iterations = 3;
    bool keepRegionBorders = true;  // region borders and open boundaries stay as constrained edges
};
// Isotropic remeshing of a manifold triangle surface (each region kept as a patch).
// Throws InputError if the triangles do not form an orientable 2-manifold.
Mesh remeshIsotropic(const Mesh& mesh, const RemeshOptions& options, const RunControl& control = {});

// CGAL's angle-based tangential smoothing (area smoothing needs Ceres, absent), with
// vertices projected back onto the input surface; region borders stay.
Mesh smoothAngles(const Mesh& mesh, int iterations, const RunControl& control = {});

struct DecimateOptions {
    std::size_t targetTriangles = 0;  // stop at this many triangles (0 = not used)
    double maxError = 0;              // Å: Hausdorff distance to the input at most this (0 = not used)
};
// Garland–Heckbert edge collapse; region borders and open boundaries are kept. With
// maxError, collapses stop once a new vertex would lie farther than it from the planes
// of the input triangles it replaces; the result's Hausdorff distance to the input is
// then measured and the bound halved until it holds (at most 5 tries).
Mesh decimate(const Mesh& mesh, const DecimateOptions& options, const RunControl& control = {});

struct RepairOptions {
    bool fillHoles = true;
    std::size_t maxHoleEdges = 0;  // holes with more boundary edges stay open (0 = no limit)
    bool orientOutward = true;
};
struct RepairReport {
    std::size_t mergedPoints = 0, degenerateRemoved = 0, duplicatesRemoved = 0;
    std::size_t nonManifoldVerticesSplit = 0, bordersStitched = 0;
    std::size_t holesFilled = 0, holesLeft = 0;
    bool closed = false;
    bool orientedOutward = false;
};
// Repairs toward a closed, consistently oriented 2-manifold: merges coincident points,
// drops degenerate and duplicate triangles, stitches matching borders, splits
// non-manifold vertices, fills holes (triangulate, refine, fair) and orients each
// closed component outward. Filled triangles take the region of their neighbours.
Mesh repairSurface(const Mesh& mesh, const RepairOptions& options, RepairReport& report,
                   const RunControl& control = {});

}  // namespace cellforge::mesh
