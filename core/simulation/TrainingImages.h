// Simulated 2D training images of membranes and proteins with their labels, for the
// membrane U-Net (after Zhou, Yang et al., J. Comput. Sci. 2023): single and double
// membranes drawn as sections of ellipsoids, arcs with gaps, protein blobs beside them;
// 2.5D stacks of neighbouring slices; intensities and noise matched to a tomogram;
// slices of 3D slabs with a missing wedge; augmentation (elastic deformation, flips,
// rotations, intensity jitter) — the "classic" recipe; the "randomized" recipe
// (RandomizedScenes.h, domain randomisation) is chosen by ImageSimulatorSettings::recipe.
// Seeded and reproducible: the same settings and seed give the same image bit for bit.
// Labels: 0 background, 1 protein, 2 membrane.
#pragma once

#include "core/simulation/Random.h"
#include "core/simulation/RandomizedScenes.h"
#include "core/simulation/SceneGeometry.h"
#include "core/simulation/TomogramStatistics.h"

#include <cstdint>
#include <string>

namespace cellforge::simulation {

// How training images are made: "classic" (ellipsoidal shells and blobs in one slice or a
// thin slab, blur or a matched spectrum; the settings below) or "randomized" (domain
// randomisation, RandomizedScenes.h: many membrane shapes and distractors in a 3D slab at a
// random voxel size, 3D CTF, wedge and noise drawn from `randomized`).
enum class TrainingRecipe { Classic, Randomized };

struct ImageSimulatorSettings {
    TrainingRecipe recipe = TrainingRecipe::Classic;
    RandomizedSceneSettings randomized;  // the randomized recipe's ranges
    int size = 256;                      // image width and height, voxels
    int contextSlices = 1;               // odd; >1 gives 2.5D stacks (neighbouring slices)
    int membranesMin = 2, membranesMax = 6;
    double radiusMin = 12, radiusMax = 110;              // ellipse semi-axes, voxels
    double largeMembraneFraction = 0.15;                 // nearly straight membranes (radius 250-700)
    double thicknessMin = 3, thicknessMax = 6;           // membrane thickness, voxels
    double doubleFraction = 0.3;                         // share of double membranes
    double doubleSpacingMin = 3, doubleSpacingMax = 10;  // gap between the two, voxels
    double gapProbability = 0.6;                         // share of membranes drawn as arcs with gaps
    double proteinsPerMembrane = 4, freeProteins = 3;
    double proteinRadiusMin = 2, proteinRadiusMax = 5;  // voxels
    double snrMin = 0.7, snrMax = 3.0;                  // membrane contrast / noise standard deviation
    bool darkDensity = true;                            // density darker than solvent (raw cryo-ET)
    double blurSigma = 1.0;                             // voxels; used when no spectrum is matched
    double bandpassLow = 0, bandpassHigh = 0;           // cycles/voxel; 0 = off
    bool matchTomogram = false;                         // use `match` for spectrum, mean and stddev
    TomogramStatistics match;
    // The randomized recipe uses contextSlices, darkDensity, missingWedge, the tilt range
    // and axis, slabDepth (any depth from 8) and match's mean and standard deviation.
    // Missing wedge: render the scene as a 3D slab (slabDepth slices), filter it in 3D with
    // the wedge of a single-axis tilt series (and the blur or matched spectrum), add noise
    // filtered alike, and keep the centre slice(s): an XY slice of a tomogram, with the
    // elongation, weakened near-horizontal membranes and smeared caps of vesicles just
    // above or below the slice. Off: each slice filtered in 2D only.
    bool missingWedge = true;
    double tiltRangeMin = 50, tiltRangeMax = 70;                  // degrees; tilts from -range to +range
    enum class TiltAxis { Y, X, Either } tiltAxis = TiltAxis::Y;  // Either: x or y per image
    int slabDepth = 32;                                           // a power of two, >= 8
    // Augmentation.
    bool elastic = true;
    double elasticAmplitude = 3.0;  // voxels (standard deviation of grid displacements)
    bool flips = true;
    bool rotations = true;
    double intensityJitter = 0.15;  // relative contrast jitter
    double rampAmplitude = 0.3;     // slow intensity gradient, in noise standard deviations
};

// Matched simulation follows the wedge the tomogram shows: its tilt axis (y or x), or
// no missing wedge when none is seen. Returns the axis seen ('y', 'x' or 0).
char followTiltAxis(ImageSimulatorSettings& settings, const TomogramStatistics& tomogram);

// Throws InputError naming the first bad field.
void validateSettings(const ImageSimulatorSettings& settings);

// One training sample: `image` receives contextSlices * size * size floats (slice-major,
// x fastest), `labels` size * size classes of the centre slice.
void simulateMembraneImage(const ImageSimulatorSettings& settings, std::uint64_t seed, float* image,
                           std::uint8_t* labels);
// The same with the scene (membranes, proteins) drawn from `sceneSeed` and the
// augmentation, contrast and noise from `variationSeed`: one scene, many variations.
void simulateMembraneImage(const ImageSimulatorSettings& settings, std::uint64_t sceneSeed, std::uint64_t variationSeed,
                           float* image, std::uint8_t* labels);

// The choices a user makes about training images (what the simulate.training_images
// and unet.train stages expose), turned into simulator settings by toSimulatorSettings.
struct TrainingImageOptions {
    TrainingRecipe recipe = TrainingRecipe::Classic;
    int imageSize = 256;  // voxels
    double snrMin = 0.7, snrMax = 3.0;
    double thicknessMin = 3, thicknessMax = 6;  // voxels
    double blur = 1.0;                          // voxels, when no tomogram is matched
    double bandpassLow = 0, bandpassHigh = 0;   // cycles/voxel; 0 = off
    bool augment = true;                        // elastic, flips, rotations, intensity jitter
    bool darkDensity = true;
    bool missingWedge = true;
    double tiltRangeMin = 50, tiltRangeMax = 70;  // degrees
    std::string tiltAxis = "auto";                // auto | y | x | either (auto: y, or the matched tomogram's)
};

// Simulator settings for `options` (membranes scaled to the image size; the defaults are
// for 256 x 256). InputError naming the fields of a range given backwards.
ImageSimulatorSettings toSimulatorSettings(const TrainingImageOptions& options);

}  // namespace cellforge::simulation
