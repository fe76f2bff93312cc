// Segments a tomogram of any size slice by slice: each XY slice (with its neighbours
// for 2.5D models) is normalised, cut into overlapping tiles that are run through the
// network in batches, and the class probabilities are blended back with smooth
// weights. Memory is bounded by the batch and a few slices, whatever the tomogram's
// depth: slices are read through a callback and handed on as soon as they are done.
// Torch-free header.
#pragma once

#include "core/simulation/TomogramStatistics.h"
#include "core/base/RunControl.h"
#include "plugins/unet/model/SegmentationNetwork.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cellforge::unet {

struct InferenceOptions {
    int tileSize = 256;          // voxels; a multiple of the network's sizeDivisor()
    int overlap = 32;            // voxels shared by neighbouring tiles (blended)
    int batchSize = 4;           // tiles per network call
    bool flipTta = false;        // average over the four flips (test-time augmentation)
    std::string device = "cpu";  // cpu, cuda, cuda:N, auto
    int threads = 0;             // at::set_num_threads when > 0
    bool foldBatchNorm = true;   // fold batch norm into convolutions (same result, faster)
};

struct SliceVolume {
    std::int64_t nx = 0, ny = 0, nz = 0;
    simulation::SliceReader readSlice;  // fills nx * ny floats of slice z
};

// Receives slice z's probabilities: classes x ny x nx floats (class-major), summing to 1.
using ProbabilitySink = std::function<void(std::int64_t z, const float* probabilities)>;

// Throws InputError for bad options (naming the option), CancelledError when the
// control asks to stop (checked between batches).
void runTiledSliceInference(const SegmentationNetwork& network, const SliceVolume& volume,
                            const InferenceOptions& options, const ProbabilitySink& sink,
                            const RunControl& control = {});

// Start positions of tiles of length `tile` covering [0, length) with at least
// `overlap` shared between neighbours; the last tile ends at `length`.
std::vector<std::int64_t> tileOrigins(std::int64_t length, std::int64_t tile, std::int64_t overlap);

}  // namespace cellforge::unet
