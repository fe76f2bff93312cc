// What the simulator measures in a tomogram to match it: mean, standard deviation, the
// radially averaged power spectrum of its XY slices and the mark a missing wedge leaves
// on them (which tilt axis). Plain C++; any volume is read through a slice reader.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace cellforge::simulation {

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

}  // namespace cellforge::simulation
