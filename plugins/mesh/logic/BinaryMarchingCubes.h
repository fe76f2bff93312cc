// Marching cubes on a binary mask, for label surfaces: vertices at the midpoints of the
// edges between inside and outside voxels, triangles from VTK's marching-cubes case
// table (the table vtkDiscreteFlyingEdges3D uses, so the surfaces are the same closed
// 2-manifolds). Written for speed on many label crops: a counting pass sizes the output
// exactly, a second pass writes points and triangles straight into the caller's arrays.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace cellforge::mesh {

struct BinaryMask {
    const std::uint8_t* voxels = nullptr;  // x fastest; 1 = inside, 0 = outside. The outermost layer must be 0.
    std::int64_t nx = 0, ny = 0, nz = 0;
    std::array<double, 3> origin{0, 0, 0};   // centre of voxel (0, 0, 0), Å
    std::array<double, 3> spacing{1, 1, 1};  // Å
};

struct MarchingCubesCount {
    std::size_t points = 0, triangles = 0;
};

MarchingCubesCount countMarchingCubes(const BinaryMask& mask);

// Writes exactly count.points points and count.triangles triangles (indices offset by
// `firstPoint`), oriented as VTK's table orients them. `scratch` is reused memory.
void generateMarchingCubes(const BinaryMask& mask, std::array<double, 3>* points,
                           std::array<std::int32_t, 3>* triangles, std::int32_t firstPoint,
                           std::vector<std::int32_t>& scratch);

}  // namespace cellforge::mesh
