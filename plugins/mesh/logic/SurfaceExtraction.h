// Surfaces from volumes: closed surfaces per label or per connected piece of a label
// (binary marching cubes with VTK's case table, BinaryMarchingCubes.h, one label per
// thread), shared-boundary multi-label surfaces (SurfaceNets.h), and isosurfaces of
// scalar fields (VTK's flying edges); optionally smoothed with VTK's windowed-sinc
// filter. Coordinates in Å, in the volume's frame.
#pragma once

#include "core/base/RunControl.h"
#include "core/data/LabelVolume.h"
#include "core/data/Mesh.h"
#include "core/data/Volume.h"
#include "plugins/mesh/logic/LabelGeometry.h"

#include <string>
#include <vector>

namespace cellforge::mesh {

struct WindowedSincOptions {
    int iterations = 20;          // 0 = no smoothing
    double passBand = 0.01;       // 0 < passBand < 2; smaller smooths more (3D Slicer: 10^(-4·factor))
    double featureAngle = 0;      // degrees; > 0 keeps edges sharper than this (feature edge smoothing)
    bool smoothBoundary = false;  // move vertices on open boundaries too
};

enum class SurfaceMode {
    Labels,      // one closed surface per label, marker = label id
    Components,  // one closed surface per 26-connected piece of each label, marker = piece number
    MultiLabel,  // one surface with each interface once (surface nets), interface markers
};

struct LabelSurfaceOptions {
    SurfaceMode mode = SurfaceMode::Labels;
    std::vector<LabelId> labels;          // empty = every present label
    WindowedSincOptions smoothing;        // Labels and Components modes
    int netsIterations = 30;              // MultiLabel mode: Taubin pairs
    std::int64_t minComponentVoxels = 1;  // Components mode: smaller pieces are dropped
};

// One row per marker of the result, for the stage's "regions" table.
struct RegionRow {
    std::int32_t marker = 0;
    LabelId label = 0;        // the label (Labels, Components) or the higher label of an interface
    LabelId otherLabel = 0;   // MultiLabel: the lower label of the interface (0 = background)
    std::int64_t voxels = 0;  // voxels of the label or piece (0 for interfaces)
    std::size_t triangles = 0;
};

struct SurfaceResult {
    Mesh mesh;
    std::vector<RegionRow> regions;
    std::vector<std::string> warnings;  // e.g. labels one voxel thin
};

// Throws InputError for an empty volume or an absent label (message names `labels`),
// CancelledError when the control's cancel flag is raised. Surfaces are extracted and
// smoothed on up to control.threadCount() threads.
SurfaceResult extractLabelSurfaces(const LabelVolume& labels, const LabelSurfaceOptions& options,
                                   const RunControl& control = {});

// Isosurface at `level`; the inside is where values >= level. With `closeAtBorder`
// the field is padded below `level` so that surfaces reaching the volume's border are
// closed there. Marker 1. Throws InputError if no voxel reaches `level`.
Mesh extractIsosurface(const Volume& field, double level, const WindowedSincOptions& smoothing, bool closeAtBorder,
                       const RunControl& control = {});

// VTK's windowed-sinc smoothing (volume-preserving low-pass filter) of the triangles,
// with region markers kept (each region is smoothed with its borders held together).
void smoothWindowedSinc(Mesh& mesh, const WindowedSincOptions& options, const RunControl& control = {});

}  // namespace cellforge::mesh
