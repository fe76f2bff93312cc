// A 3D phantom tomogram of vesicles (single and double membranes, attached and free
// proteins) with a missing wedge, blur and noise, and its true labels (0 background,
// 1 protein, 2 membrane): for testing a whole pipeline against known geometry.
// Seeded and reproducible.
#pragma once

#include "core/simulation/SceneGeometry.h"

#include <cstdint>
#include <vector>

namespace cellforge::simulation {

struct PhantomSettings {
    std::int64_t nx = 160, ny = 160, nz = 48;
    int vesicles = 7;
    double radiusMin = 14, radiusMax = 40;             // voxels
    double flatteningMin = 0.55, flatteningMax = 1.0;  // z semi-axis / xy semi-axis
    double thicknessMin = 3, thicknessMax = 6;         // as simulate.phantom's defaults (and the training images')
    double doubleFraction = 0.3;
    double doubleSpacingMin = 3, doubleSpacingMax = 7;
    int proteinsPerVesicle = 6;
    int freeProteins = 12;
    double proteinRadiusMin = 2, proteinRadiusMax = 4.5;
    double snr = 2.0;  // the default noise: membranes faint but visible in XY slices
    bool darkDensity = true;
    double blurSigma = 1.0;  // voxels
    bool missingWedge = true;
    double tiltRangeDegrees = 60;  // tilts from -range to +range about the y axis
};

struct Phantom {
    std::int64_t nx = 0, ny = 0, nz = 0;
    std::vector<float> image;          // mean 0, standard deviation 1
    std::vector<std::uint8_t> labels;  // 0 background, 1 protein, 2 membrane (true geometry)
};

// A tomogram of vesicles (single and double membranes, attached and free proteins),
// filtered by a missing wedge and blur, with noise; labels are the true geometry.
Phantom simulatePhantom(const PhantomSettings& settings, std::uint64_t seed);

}  // namespace cellforge::simulation
