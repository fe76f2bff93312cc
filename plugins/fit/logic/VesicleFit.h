// Closing vesicles in a membrane segmentation with a 3D shape prior: an ellipsoid is
// fitted to each connected membrane component (robustly: refitted to its inliers), and
// where the fit is good and the segmentation covers enough of its shell, the component's
// membrane is redrawn as that shell — adding what a per-slice segmentation misses (the
// caps the missing wedge hides, faint walls) and dropping what lies beyond the vesicle
// along z (the wedge's smear of its caps). Plain C++ (Eigen, the metrics logic's
// connected components); no Qt.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/imaging/LabelGrid.h"

namespace cellforge::fit {

struct VesicleFitSettings {
    std::uint16_t membraneLabel = 2;
    std::int64_t minVoxels = 1500;              // smaller components are left as they are
    double confidence = 0.6;                    // membrane probability a voxel needs to be fitted (with probabilities)
    double inlierDistance = 3.0;                // voxels from the fitted surface
    double maxResidual = 1.5;                   // median distance of the inliers, voxels
    double minInlierShare = 0.35;               // of the fitted voxels
    double minCoverage = 0.4;                   // share of the drawn shell already labelled membrane
    double radiusMin = 5, radiusMax = 80;       // semi-axes, voxels
    double thicknessMin = 3, thicknessMax = 7;  // drawn shell, voxels
};

struct FittedVesicle {
    std::uint32_t component = 0;
    std::int64_t voxels = 0;         // of the component
    double centre[3] = {0, 0, 0};    // voxel coordinates x, y, z
    double semiAxes[3] = {0, 0, 0};  // ascending, voxels
    double thickness = 0, residual = 0, inlierShare = 0, coverage = 0;
    bool accepted = false;
    std::string verdict;  // "closed", or why the component was left as it was
};

struct VesicleFitResult {
    std::vector<FittedVesicle> vesicles;  // one per component of at least minVoxels
    std::int64_t voxelsAdded = 0, voxelsRemoved = 0;
};

// Throws InputError naming the first bad setting.
void validate(const VesicleFitSettings& settings);

// Rewrites `labels` (dims[0] * dims[1] * dims[2], x fastest) in place. `probability`,
// when not null, is the membrane probability on the same grid. Only background voxels
// become membrane, and only membrane voxels of a closed component become background.
VesicleFitResult closeVesicles(std::uint16_t* labels, const float* probability, const imaging::Dims3& dims,
                               const VesicleFitSettings& settings, const RunControl& control = {});

}  // namespace cellforge::fit
