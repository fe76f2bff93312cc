// Simulated cryo-ET images of membranes and proteins with their labels, for training
// and testing the membrane U-Net (after Zhou, Yang et al., J. Comput. Sci. 2023):
//  - 2D images (or 2.5D stacks of neighbouring slices) of single and double membranes
//    drawn as sections of ellipsoids, arcs with gaps, protein blobs beside them;
//  - intensities and noise matched to a tomogram (mean, standard deviation and radially
//    averaged power spectrum), optional blur and band-pass;
//  - augmentation (elastic deformation, flips, rotations, intensity jitter);
//  - a 3D phantom tomogram of vesicles with a missing wedge and its ground truth.
// Seeded and reproducible: the same settings and seed give the same image bit for bit.
// Labels: 0 background, 1 protein, 2 membrane. Plain C++ (no LibTorch, no Qt).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cellforge::ml {

enum SemanticClass : std::uint8_t { kBackground = 0, kProtein = 1, kMembrane = 2 };
constexpr int kSemanticClassCount = 3;

// Radially averaged power spectrum of XY slices: power per frequency bin, bins evenly
// spaced in [0, 0.5] cycles/voxel. Only its shape is used.
struct RadialSpectrum {
    std::vector<double> power;
    bool empty() const { return power.size() < 4; }
    // Linear interpolation at `frequency` (cycles/voxel); clamps outside the bins.
    double at(double frequency) const;
};

// What the simulator matches in a tomogram.
struct TomogramStatistics {
    double mean = 0.0;
    double stddev = 1.0;
    RadialSpectrum spectrum;
    int slicesMeasured = 0;
    // The missing wedge's mark on XY slices: mean power in a band along the fy axis
    // (|fx| small) over that along the fx axis, at mid frequencies. About 1 without a
    // wedge; well below 1 for a tilt axis along y (the wedge removes the components of
    // low |fx|), well above 1 for a tilt axis along x.
    double axisPowerRatio = 1.0;
    // 'y' or 'x' when the ratio shows a wedge clearly (beyond a factor 1.5), else 0.
    char tiltAxis() const { return axisPowerRatio < 1.0 / 1.5 ? 'y' : axisPowerRatio > 1.5 ? 'x' : 0; }
};

// Fills `out` (nx * ny floats, x fastest) with slice z of a tomogram.
using SliceReader = std::function<void(std::int64_t z, float* out)>;

// Mean and standard deviation over up to `maxSlices` evenly spaced XY slices, and the
// radially averaged power spectrum of windowed square patches of those slices.
TomogramStatistics measureTomogram(std::int64_t nx, std::int64_t ny, std::int64_t nz, const SliceReader& readSlice,
                                   int maxSlices = 24);

struct ImageSimulatorSettings {
    int size = 256;         // image width and height, voxels
    int contextSlices = 1;  // odd; >1 gives 2.5D stacks (neighbouring slices)
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
    // Missing wedge: render the scene as a 3D slab (slabDepth slices), filter it in 3D with
    // the wedge of a single-axis tilt series (and the blur or matched spectrum), add noise
    // filtered alike, and keep the centre slice(s): an XY slice of a tomogram, with the
    // elongation, weakened near-horizontal membranes and smeared caps of vesicles just
    // above or below the slice. Off: each slice filtered in 2D only.
    bool missingWedge = true;
    double tiltRangeMin = 50, tiltRangeMax = 70;  // degrees; tilts from -range to +range
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

struct PhantomSettings {
    std::int64_t nx = 160, ny = 160, nz = 48;
    int vesicles = 7;
    double radiusMin = 14, radiusMax = 40;             // voxels
    double flatteningMin = 0.55, flatteningMax = 1.0;  // z semi-axis / xy semi-axis
    double thicknessMin = 3, thicknessMax = 6;  // as unet.simulate's defaults (and the training images')
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

// Mixes a base seed with an index into an independent stream seed (SplitMix64).
std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t index);

}  // namespace cellforge::ml
