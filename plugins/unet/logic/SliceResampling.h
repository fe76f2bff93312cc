// Resampling of XY slices between a tomogram's voxel size and the one a model was trained
// at, so that a membrane 3 voxels thick at 20 Å reaches the network 6 voxels thick as in
// training, and back. Linear interpolation; when shrinking, the tent widens to the step
// (an area-like average) so that nothing aliases. Torch-free and Qt-free.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace cellforge::unet {

// Number of voxels of `targetVoxelSize` Å that cover `length` voxels of `voxelSize` Å
// (rounded, at least 1).
std::int64_t resampledLength(std::int64_t length, double voxelSize, double targetVoxelSize);

// Resamples a slice of nx x ny floats (x fastest) to outNx x outNy. Output pixel i sits at
// input position (i + 0.5) nx / outNx - 0.5: the slices cover the same extent, centres
// aligned; the edges are extended.
void resampleSlice(const float* in, std::int64_t nx, std::int64_t ny, float* out, std::int64_t outNx,
                   std::int64_t outNy);

// How unet.infer resamples XY slices: factors = tomogram voxel size / model voxel size
// along x and y (1: as they are), and what the log should say about it.
struct SliceRescale {
    std::array<double, 2> factor{1.0, 1.0};
    bool active() const { return factor[0] != 1.0 || factor[1] != 1.0; }
    std::string note;
};

// The rescale for a tomogram at `voxelX`, `voxelY` Å and a model at `modelVoxel` Å:
// none when they agree within 2%, and none (with a warning in `note`) when the tomogram's
// voxel size is more than 4 times off the model's — most likely not set (an MRC file
// without one reads as 1 Å).
SliceRescale chooseSliceRescale(double voxelX, double voxelY, double modelVoxel);

}  // namespace cellforge::unet
