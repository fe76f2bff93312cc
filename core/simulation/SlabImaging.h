// Images a 3D density slab the way a cryo-electron tomogram shows it, in one 3D Fourier
// transform: the phase-contrast CTF evaluated at |k| in 3D (raw, phase-flipped or none),
// a B-factor envelope, the reconstruction's band limit and the missing wedge of a
// single-axis tilt series; white noise filtered by the wedge and band limit only (not the
// CTF), scaled to a signal-to-noise variance ratio. The randomized training recipe
// (RandomizedScenes.h) uses it; the slab may have any dimensions.
#pragma once

#include "core/simulation/ImagingModel.h"

#include <cstdint>
#include <vector>

namespace cellforge::simulation {

enum class CtfMode { Raw, PhaseFlipped, None };

struct SlabImaging {
    double voxelSize = 10;  // Å
    CtfMode ctfMode = CtfMode::Raw;
    CtfParameters ctf;
    double bFactor = 0;      // Å^2: envelope exp(-B k^2 / 4)
    double bandLimit = 0.5;  // cycles/voxel: transfer 0 beyond, on signal and noise
    double bandEdge = 0.05;  // cycles/voxel: width of the cosine roll-off below bandLimit
    bool missingWedge = true;
    double tiltRange = 60;    // degrees: tilts from -range to +range
    bool tiltAboutX = false;  // tilt axis x (else y)
    double snr = 0.1;         // var(signal) / var(noise) over the measured voxels
    bool darkDensity = true;  // dense matter darker than solvent (as raw cryo-ET)
};

// Transfer of the signal at frequency (fx, fy, fz) in cycles/voxel: the CTF (or -1 without
// one; -|CTF| phase-flipped), envelope, band limit and wedge; negated for bright density.
double signalTransfer(const SlabImaging& imaging, double fx, double fy, double fz);
// Transfer of the noise: band limit and wedge (0 or 1 inside the band).
double noiseTransfer(const SlabImaging& imaging, double fx, double fy, double fz);

// The imaged slices [zBegin, zEnd) of a slab, x fastest, slice after slice.
struct ImagedSlices {
    std::int64_t nx = 0, ny = 0, zBegin = 0, zEnd = 0;
    std::vector<double> signal;  // the filtered density
    std::vector<double> noise;   // filtered noise, scaled so var(signal) / var(noise) = snr
    double signalVariance = 0, noiseVariance = 0;
};

// Images `density` (nx * ny * nz, x fastest) and keeps slices [zBegin, zEnd). The noise is
// drawn from `noiseSeed`. The variances are measured over the kept slices' voxels where
// `measured` (nx * ny, one flag per column; null: all) is non-zero, e.g. to leave out the
// surroundings of gold beads that would dominate the signal variance.
ImagedSlices imageSlab(const std::vector<float>& density, std::int64_t nx, std::int64_t ny, std::int64_t nz,
                       const SlabImaging& imaging, std::int64_t zBegin, std::int64_t zEnd, std::uint64_t noiseSeed,
                       const std::vector<std::uint8_t>* measured = nullptr);

}  // namespace cellforge::simulation
