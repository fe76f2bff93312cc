// Local orientation of a binary mask (a membrane segmentation): the gradient structure
// tensor (the Gaussian-weighted average of the outer products of the smoothed mask's
// gradient) gives a normal at every voxel of a box; the second-moment tensor of a set of
// points (a piece of membrane near a voxel) gives the plane they lie in, and stays
// reliable at a membrane's rim, where the gradient of the mask turns along the surface.
// Both are decomposed the same way. Plain C++ over core/base: the connecting stages
// and the surface fits share it.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/imaging/LabelGrid.h"

namespace cellforge::imaging {

// A symmetric 3×3 tensor; float to keep per-voxel fields small (24 bytes a voxel).
struct SymmetricTensor3 {
    float xx = 0, xy = 0, xz = 0, yy = 0, yz = 0, zz = 0;
};

// Eigenvalues (descending) and unit eigenvectors of a symmetric tensor.
struct Eigensystem3 {
    std::array<double, 3> values{0, 0, 0};
    std::array<std::array<double, 3>, 3> vectors{};  // vectors[k] belongs to values[k]
};
Eigensystem3 eigensystem(const SymmetricTensor3& tensor);

// A surface's local orientation: its unit normal (sign arbitrary) and how sheet-like
// the neighbourhood is, in [0, 1] (0: no structure or isotropic, 1: a perfect plane).
struct SurfaceOrientation {
    std::array<double, 3> normal{0, 0, 1};
    double planarity = 0;
};

// --- Gradient structure tensor ------------------------------------------------------

struct StructureTensorSettings {
    double gradientSigma = 1.0;     // voxels: Gaussian smoothing of the mask before differentiating
    double integrationSigma = 2.0;  // voxels: Gaussian window over which outer products are averaged
    bool inPlane = false;           // per xy slice: no smoothing or gradient along z
};

// Inclusive voxel bounds.
struct VoxelBox {
    Dims3 lo{0, 0, 0};
    Dims3 hi{0, 0, 0};
    std::int64_t voxelCount() const { return (hi[0] - lo[0] + 1) * (hi[1] - lo[1] + 1) * (hi[2] - lo[2] + 1); }
};

// How far (voxels, per axis in x and y; 0 along z when inPlane) the tensor of a voxel
// reads the mask: a caller that copies a window of its own mask needs this margin.
std::int64_t structureTensorReach(const StructureTensorSettings& settings);

// The structure tensor of every voxel of `box` (within dims; x fastest within the box),
// of the mask (mask[i] != 0 inside; outside the volume counts as outside). Works in
// z-slabs across control's threads; memory is a few floats per voxel of a slab. Throws
// InputError for a box outside the volume or negative sigmas.
std::vector<SymmetricTensor3> structureTensors(const std::uint8_t* mask, const Dims3& dims, const VoxelBox& box,
                                               const StructureTensorSettings& settings, const RunControl& control = {});

// The normal is the dominant gradient direction; planarity is (λ1 − λ2) / λ1.
SurfaceOrientation surfaceFromStructureTensor(const SymmetricTensor3& tensor);

// --- Second moments of points -------------------------------------------------------

// Accumulates points (voxel coordinates) into their mean and covariance.
class MomentAccumulator {
public:
    void add(double x, double y, double z);
    std::int64_t count() const { return n_; }
    std::array<double, 3> mean() const;
    SymmetricTensor3 covariance() const;  // zero for fewer than two points

private:
    std::int64_t n_ = 0;
    double s_[3] = {0, 0, 0};
    double ss_[6] = {0, 0, 0, 0, 0, 0};  // xx, xy, xz, yy, yz, zz
};

// The normal is the direction of least spread. In 3D, planarity is 1 − λ3 / λ2 (a sheet
// is thin in one direction only). inPlane: the points' xy spread alone (a curve in a
// slice); the normal lies in the slice and planarity is 1 − λ2 / λ1.
SurfaceOrientation surfaceFromMoments(const SymmetricTensor3& covariance, bool inPlane = false);

}  // namespace cellforge::imaging
