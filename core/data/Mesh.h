// Triangle surfaces and tetrahedral volumes with per-element region markers.
// Coordinates are in Å, in the same frame as the Volume they came from
// (a voxel centre sits at origin + (i + 0.5) * voxelSize).
#pragma once

#include "core/data/DataObject.h"
#include "core/data/PointSet.h"  // kept: PointSet lived here before

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace cellforge {

class Mesh : public DataObject {
public:
    static constexpr DataKind staticKind = DataKind::Mesh;
    DataKind kind() const override { return DataKind::Mesh; }

    std::vector<std::array<double, 3>> points;
    std::vector<std::array<std::int32_t, 3>> triangles;
    std::vector<std::int32_t> triangleRegions;  // empty, or one marker per triangle
    std::vector<std::array<std::int32_t, 4>> tetrahedra;
    std::vector<std::int32_t> tetrahedronRegions;  // empty, or one marker per tetrahedron

    bool isEmpty() const { return points.empty(); }
    // Throws InputError if an index is out of range or marker counts do not match.
    void validate() const;
};

}  // namespace cellforge
