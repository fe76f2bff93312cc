// Mesh quality as simulation people judge it (and as GAMer 2 reports it): the
// triangle-angle histogram in 10° bins, minimum and maximum angles, aspect ratios and
// edge lengths; for tetrahedra the dihedral angles and radius–edge ratios; closed,
// manifold and self-intersection flags; and the Hausdorff distance to a source surface.
#pragma once

#include "core/base/RunControl.h"
#include "core/data/Mesh.h"
#include "core/data/Table.h"
#include "plugins/mesh/logic/MeshTopology.h"

#include <array>
#include <cstddef>
#include <optional>
#include <string>

namespace cellforge::mesh {

struct Summary {
    std::size_t count = 0;
    double min = 0, max = 0, mean = 0;
    void add(double v);
    void finish();

private:
    double sum_ = 0;
};

constexpr int kAngleBins = 18;  // 0–10°, 10–20°, ..., 170–180°
using AngleHistogram = std::array<std::size_t, kAngleBins>;

struct TriangleQuality {
    AngleHistogram angles{};  // every corner angle of every triangle
    Summary angle;            // degrees
    Summary aspectRatio;      // circumradius / (2 · inradius): 1 for an equilateral triangle
    Summary edgeLength;       // Å
    Summary area;             // Å²
    std::size_t anglesBelow30 = 0;
};

struct TetrahedronQuality {
    AngleHistogram dihedralAngles{};
    Summary dihedralAngle;       // degrees
    Summary radiusEdgeRatio;     // circumradius / shortest edge: 0.612 for a regular tetrahedron
    Summary volume;              // Å³
    std::size_t degenerate = 0;  // volume below 1e-9 of the longest edge cubed (flat slivers)
    std::size_t dihedralBelow10 = 0;
};

struct QualityOptions {
    bool selfIntersections = true;  // CGAL test; costs about as much as building an AABB tree
    double hausdorffSampling = 0;   // Å between samples for the Hausdorff distance; 0 = automatic
};

struct QualityReport {
    TriangleQuality triangles;
    std::optional<TetrahedronQuality> tetrahedra;
    TopologyReport topology;                             // of the triangles (for a tetrahedral mesh: of its boundary)
    double surfaceArea = 0;                              // Å²
    double enclosedVolume = 0;                           // Å³ (signed; of the boundary for tetrahedral meshes)
    double tetrahedraVolume = 0;                         // Å³
    std::optional<std::size_t> selfIntersectingPairs;    // within one region
    std::optional<std::size_t> regionIntersectingPairs;  // between two regions
    std::optional<double> hausdorffDistance;             // Å, symmetric, to the reference surface
};

// Throws InputError if the mesh has no triangles and no tetrahedra.
QualityReport assessQuality(const Mesh& mesh, const QualityOptions& options, const Mesh* reference = nullptr,
                            const RunControl& control = {});

// Two-column table "metric", "value" (plus "unit"), one row per figure.
Table qualitySummaryTable(const QualityReport& report);
// Columns bin_start_deg, bin_end_deg, triangle_angles, triangle_fraction and, for
// tetrahedral meshes, dihedral_angles and dihedral_fraction.
Table angleHistogramTable(const QualityReport& report);
// A self-contained SVG bar chart of the histogram(s).
std::string angleHistogramSvg(const QualityReport& report, const std::string& title);

}  // namespace cellforge::mesh
