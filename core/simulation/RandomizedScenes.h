// The "randomized" training-image recipe (domain randomisation): each image is the centre
// slice of a small 3D slab at a random voxel size (about 7-15 Å) that holds membranes of
// many shapes — perturbed closed surfaces, budding and fused pairs, double membranes, open
// sheets, stacks of sheets, stacks of cisternae, tubes, tori, all cut by the slab's faces —
// with membrane-bound proteins and unlabelled distractors (filaments, microtubules,
// particles of several sizes, gold fiducials, a carbon edge), imaged with a 3D CTF, a
// missing wedge, a band limit, noise at a random SNR and an illumination gradient
// (SlabImaging.h). The label is the membranes of the centre slice. Seeded: the same
// settings and seeds give the same image bit for bit.
#pragma once

#include "core/simulation/SlabImaging.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace cellforge::simulation {

struct ImageSimulatorSettings;

// What a scene holds. The first kMembraneKindCount kinds are membranes (labelled).
enum class SceneObjectKind : int {
    ClosedSurface,   // perturbed ellipsoid: vesicle, irregular compartment
    DoubleMembrane,  // two parallel closed shells: mitochondrion, nuclear envelope
    FusedPair,       // two closed surfaces joined by a neck: budding or fusing vesicles
    OpenSheet,       // an undulating sheet with a fading rim or cut by the faces
    SheetStack,      // parallel sheets: thylakoids, ER sheets
    CisternaStack,   // stacked flattened sacs: Golgi
    Tube,            // a membrane tubule, open through the faces or capped
    Torus,
    MembraneProtein,  // a blob on a membrane (not a membrane)
    Filament,         // actin-like solid rod
    Microtubule,      // hollow tube, 25 nm across
    Particle,         // ribosome-sized and smaller complexes
    GoldFiducial,     // a very dense bead
    CarbonEdge,       // a half-space of carbon or thicker ice
    Count
};
constexpr int kMembraneKindCount = 8;
constexpr int kSceneObjectKindCount = int(SceneObjectKind::Count);
inline bool isMembraneKind(SceneObjectKind k) { return int(k) < kMembraneKindCount; }
// snake_case name ("closed_surface", ...).
const char* sceneObjectKindName(SceneObjectKind kind);

// The ranges the recipe draws from; lengths in nm are converted with the scene's voxel size.
struct RandomizedSceneSettings {
    double voxelSizeMin = 7, voxelSizeMax = 15;                 // Å, log-uniform per scene
    double membraneThicknessMin = 3, membraneThicknessMax = 5;  // nm, bilayer (about 2 to 7 voxels)
    int membranesMin = 1, membranesMax = 5;                     // membrane objects per scene
    // Relative frequency of each membrane kind (ClosedSurface ... Torus).
    std::array<double, kMembraneKindCount> membraneKindWeights{0.22, 0.12, 0.1, 0.12, 0.12, 0.1, 0.14, 0.08};
    double layerGapMin = 2, layerGapMax = 8;  // voxels between parallel membranes (edge to edge)
    // Distractors (unlabelled; proteins labelled 1 only with labelProteins).
    int membraneProteinsMax = 8;  // per membrane object
    int particlesMin = 0, particlesMax = 30;
    int filamentsMax = 4;
    double microtubuleProbability = 0.35;
    int microtubulesMax = 2;
    double goldProbability = 0.2;
    int goldMax = 3;
    double carbonEdgeProbability = 0.12;
    bool labelProteins = false;
    // Imaging.
    double snrMin = 0.04, snrMax = 1.5;     // var(signal) / var(noise), log-uniform
    double defocusMin = 1, defocusMax = 6;  // µm underfocus
    double amplitudeContrastMin = 0.05, amplitudeContrastMax = 0.15;
    double sphericalAberration = 2.7;                               // mm
    double voltage = 300;                                           // kV
    double bFactorMin = 0, bFactorMax = 1500;                       // Å^2
    double bandLimitMin = 0.3, bandLimitMax = 0.5;                  // cycles/voxel
    double bandEdgeMin = 0.03, bandEdgeMax = 0.15;                  // cycles/voxel: the band limit's roll-off
    double rawCtfProbability = 0.5, phaseFlippedProbability = 0.3;  // the rest: no CTF
    double gradientMax = 0.5;  // illumination gradient, in standard deviations of the image
    // Rendering: shapes are evaluated only in the 4^3 blocks near their surfaces; off, at
    // every voxel of their boxes (the same result, slower: for tests).
    bool skipFarBlocks = true;
};

// One placed object: its kind, centre (voxels, slab coordinates; z = 0 the first slice)
// and main size (radius or half length, voxels).
struct SceneObjectRecord {
    SceneObjectKind kind;
    double x = 0, y = 0, z = 0, size = 0;
};

// A slow illumination (or ice thickness) gradient added to the image: amplitude in the
// image's standard deviations, direction, and a quadratic part relative to the linear one.
struct IlluminationGradient {
    double amplitude = 0, angle = 0, curvature = 0;
};

struct RandomizedSceneDescription {
    std::int64_t nx = 0, ny = 0, nz = 0;  // the slab; the labelled slice is nz / 2
    double voxelSize = 0;                 // Å
    double membraneThickness = 0;         // voxels
    std::vector<SceneObjectRecord> objects;
    SlabImaging imaging;
    IlluminationGradient gradient;
    int count(SceneObjectKind kind) const;
};

// What simulateRandomizedImage renders, without rendering it: the objects drawn from
// `sceneSeed`, the imaging from `variationSeed`.
RandomizedSceneDescription describeRandomizedScene(const ImageSimulatorSettings& settings, std::uint64_t sceneSeed,
                                                   std::uint64_t variationSeed);

// The scene's parts before the gradient and normalisation, for tests: imaged signal and
// noise of the kept slices apart, and the labels of the centre slice.
struct RandomizedSceneParts {
    RandomizedSceneDescription description;
    ImagedSlices slices;
    std::vector<std::uint8_t> labels;  // size * size
};
RandomizedSceneParts renderRandomizedScene(const ImageSimulatorSettings& settings, std::uint64_t sceneSeed,
                                           std::uint64_t variationSeed);

// The recipe behind simulateMembraneImage when settings.recipe is Randomized: image gets
// contextSlices * size * size floats (mean 0, standard deviation 1, or the matched
// tomogram's), labels size * size classes of the centre slice.
void simulateRandomizedImage(const ImageSimulatorSettings& settings, std::uint64_t sceneSeed,
                             std::uint64_t variationSeed, float* image, std::uint8_t* labels);

// Throws InputError naming the first bad field of the recipe's settings.
void validateRandomizedSettings(const RandomizedSceneSettings& settings);

}  // namespace cellforge::simulation
