// Multi-label surface extraction with shared boundaries (surface nets, after Frisken,
// "SurfaceNets for multi-label segmentations with preservation of sharp boundaries",
// JCGT 2022): one surface for all labels in which each interface between two labels
// exists exactly once, so meshes of neighbouring compartments conform. Vertices start
// at voxel corners and are smoothed (Taubin λ|μ) within a box around their corner;
// vertices on junction curves (three labels) are smoothed only along the curve, and
// points where four or more labels meet stay fixed.
#pragma once

#include "core/base/RunControl.h"
#include "core/data/LabelVolume.h"
#include "core/data/Mesh.h"
#include "plugins/mesh/logic/LabelGeometry.h"

#include <vector>

namespace cellforge::mesh {

struct SurfaceNetsOptions {
    std::vector<LabelId> labels;   // labels to keep; empty = all (others count as background)
    int smoothingIterations = 30;  // Taubin λ|μ pairs; 0 = blocky voxel-face surface
    double lambda = 0.5;
    double mu = -0.53;
    double constraint = 0.5;  // how far a vertex may leave its voxel corner, in voxels per axis
};

struct SurfaceNetsResult {
    Mesh mesh;  // triangles; triangleRegions = interface markers (see InterfaceMarkers)
    std::vector<InterfaceMarkers::Entry> interfaces;
};

// Normals point from the higher label to the lower one (outward for a label against
// background). Throws InputError when no selected label is present.
SurfaceNetsResult extractSurfaceNets(const LabelVolume& labels, const SurfaceNetsOptions& options,
                                     const RunControl& control = {});

}  // namespace cellforge::mesh
