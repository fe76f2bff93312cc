#include "core/data/Mesh.h"

#include "core/base/Errors.h"

namespace cellforge {

void Mesh::validate() const {
    const auto n = std::int64_t(points.size());
    for (std::size_t i = 0; i < triangles.size(); ++i)
        for (auto v : triangles[i])
            if (v < 0 || v >= n)
                throw InputError("mesh triangle " + std::to_string(i) + " refers to point " + std::to_string(v) +
                                 ", but the mesh has " + std::to_string(n) + " points");
    for (std::size_t i = 0; i < tetrahedra.size(); ++i)
        for (auto v : tetrahedra[i])
            if (v < 0 || v >= n)
                throw InputError("mesh tetrahedron " + std::to_string(i) + " refers to point " + std::to_string(v) +
                                 ", but the mesh has " + std::to_string(n) + " points");
    if (!triangleRegions.empty() && triangleRegions.size() != triangles.size())
        throw InputError("mesh has " + std::to_string(triangleRegions.size()) + " triangle markers for " +
                         std::to_string(triangles.size()) + " triangles");
    if (!tetrahedronRegions.empty() && tetrahedronRegions.size() != tetrahedra.size())
        throw InputError("mesh has " + std::to_string(tetrahedronRegions.size()) + " tetrahedron markers for " +
                         std::to_string(tetrahedra.size()) + " tetrahedra");
}

}  // namespace cellforge
