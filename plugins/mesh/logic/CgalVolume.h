// Tetrahedral meshes of labelled images with CGAL Mesh_3 (one translation unit,
// CgalVolume.cpp): one subdomain per label, facets on every boundary and interface,
// size and angle criteria, then sliver perturbation and exudation. Labels that touch
// the volume's border end in a flat cut through the outermost voxel centres.
#pragma once

#include "core/base/RunControl.h"
#include "core/data/LabelVolume.h"
#include "core/data/Mesh.h"
#include "plugins/mesh/logic/LabelGeometry.h"

#include <cstddef>
#include <vector>

namespace cellforge::mesh {

struct VolumeMeshOptions {
    std::vector<LabelId> labels;     // labels to mesh; empty = all (others count as background)
    double facetAngle = 30;          // degrees: lower bound on surface triangle angles (≤ 30)
    double facetSize = 0;            // Å: upper bound on surface Delaunay ball radius; 0 = 3 voxels
    double facetDistance = 0;        // Å: surface approximation error; 0 = 1 voxel
    double cellRadiusEdgeRatio = 3;  // upper bound on tetrahedron circumradius / shortest edge
    double cellSize = 0;             // Å: upper bound on tetrahedron circumradius; 0 = facet size
    bool perturb = true;             // sliver perturbation
    bool exude = true;               // sliver exudation
    double sliverBound = 10;         // degrees: perturb and exude aim for dihedral angles above this
    double optimiseTimeLimit = 60;   // seconds per optimiser (0 = no limit)
    std::size_t maxVertices = 0;     // stop refining at this many vertices (0 = no limit)
};

struct VolumeMeshResult {
    // tetrahedronRegions = label; triangles = facets on boundaries and interfaces with
    // markers from InterfaceMarkers (label against background: the label's id;
    // labels a < b both < 1000: 1000 a + b). Normals point from the higher label to
    // the lower one (outward against background).
    Mesh mesh;
    std::vector<InterfaceMarkers::Entry> facetMarkers;
    std::size_t vertices = 0;
    double refineSeconds = 0, optimiseSeconds = 0;
};

// Throws InputError for an empty volume, absent labels or labels that are one voxel
// thin everywhere, StageError when a label ends up without tetrahedra, CancelledError
// when the control's cancel flag is raised.
VolumeMeshResult meshLabelVolume(const LabelVolume& labels, const VolumeMeshOptions& options,
                                 const RunControl& control = {});

}  // namespace cellforge::mesh
