// Membrane measures per membrane instance: thickness along the medial surface and
// whether the membrane is closed (encloses a compartment).
//
// Thickness: d = exact Euclidean distance (Å) from each membrane voxel centre to the
// nearest voxel centre inside the volume that is not part of this membrane (the volume's
// faces do not count as an edge, so a membrane cut by the border is not thinned there).
// Medial voxels are those where d has a ridge along some axis a (d(p) ≥ both neighbours
// along a, and > at least one; the axis with the sharpest ridge is used) and no
// neighbour q is deeper by half their distance or more (d(q) ≥ d(p) + |q − p| / 2), which
// leaves out convex faces seen side-on. The thickness
// there is 2·d − s_a, or 2·d when a neighbour along a has the same d (an even number of
// voxels across): exact for axis-aligned sheets, within about a voxel for oblique ones.
// Closed: the complement of the membrane (connectivity 26 → 6 and 6 or 18 → 26 for the
// complement, so that diagonal gaps count consistently) has a region that does not reach
// the volume's faces. A membrane cut by the volume's faces is therefore "open": closed
// means closed inside the tomogram.
#pragma once

#include <cstdint>
#include <vector>

#include "plugins/metrics/logic/InstanceMatching.h"

namespace cellforge::metrics {

struct MembraneOptions {
    InstanceSource source = InstanceSource::Components;
    Label label = 2;                 // Components only: the membrane class (0 = every non-zero voxel)
    int connectivity = 26;           // Components only: 6, 18 or 26
    std::int64_t minimumVoxels = 1;  // smaller instances are left out (noise)
};

struct MembraneRecord {
    std::uint32_t id = 0;
    std::int64_t voxels = 0;
    std::int64_t medialVoxels = 0;  // samples behind the thickness figures
    double thicknessMean = 0, thicknessMedian = 0, thicknessStd = 0, thicknessMin = 0, thicknessMax = 0;  // Å
    bool closed = false;
    int enclosedRegions = 0;
    std::int64_t enclosedVoxels = 0;
    double enclosedVolume = 0;  // Å³
};

struct MembraneResult {
    std::vector<MembraneRecord> membranes;  // by ascending id
    std::vector<double> thicknessSamples;   // every medial thickness of every membrane, Å
};

MembraneResult measureMembranes(const LabelGrid& labels, const MembraneOptions& options,
                                const RunControl& control = {});

struct Histogram {
    double binWidth = 0;
    std::vector<double> binStart;  // left edges; bin i is [start, start + width)
    std::vector<std::int64_t> counts;
};
// Bins of `binWidth` starting at floor(min / width) * width; empty for no samples.
Histogram histogramOf(const std::vector<double>& samples, double binWidth);

}  // namespace cellforge::metrics
