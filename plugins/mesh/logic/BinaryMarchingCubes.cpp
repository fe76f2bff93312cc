#include "plugins/mesh/logic/BinaryMarchingCubes.h"

#include <vtkMarchingCubesTriangleCases.h>

#include <cstring>

namespace cellforge::mesh {

namespace {

// Cube corners in VTK's order: 0 (0,0,0), 1 (1,0,0), 2 (1,1,0), 3 (0,1,0), 4 (0,0,1),
// 5 (1,0,1), 6 (1,1,1), 7 (0,1,1); VTK's edges 0..11 join corners
// {0,1} {1,2} {3,2} {0,3} {4,5} {5,6} {7,6} {4,7} {0,4} {1,5} {3,7} {2,6}.
// Each edge as (axis, dx, dy, dz) of its lower corner.
constexpr int kEdge[12][4] = {{0, 0, 0, 0}, {1, 1, 0, 0}, {0, 0, 1, 0}, {1, 0, 0, 0}, {0, 0, 0, 1}, {1, 1, 0, 1},
                              {0, 0, 1, 1}, {1, 0, 0, 1}, {2, 0, 0, 0}, {2, 1, 0, 0}, {2, 0, 1, 0}, {2, 1, 1, 0}};

struct Tables {
    int triangles[256];
    Tables() {
        const vtkMarchingCubesTriangleCases* cases = vtkMarchingCubesTriangleCases::GetCases();
        for (int c = 0; c < 256; ++c) {
            int n = 0;
            for (const int* e = cases[c].edges; *e > -1; e += 3) ++n;
            triangles[c] = n;
        }
    }
};

const Tables& tables() {
    static const Tables t;
    return t;
}

// Most cubes of a label's box are all outside or all inside. For the row of cubes
// between rows (y, z), (y+1, z), (y, z+1), (y+1, z+1), tells whether the 8 cubes from x
// on are uniform (mask bytes are 0 or 1), reading 9 bytes of each row at once.
inline bool eightUniformCubes(const std::uint8_t* r00, const std::uint8_t* r10, const std::uint8_t* r01,
                              const std::uint8_t* r11, std::int64_t x) {
    std::uint64_t a[4], b[4];
    std::memcpy(&a[0], r00 + x, 8), std::memcpy(&b[0], r00 + x + 1, 8);
    std::memcpy(&a[1], r10 + x, 8), std::memcpy(&b[1], r10 + x + 1, 8);
    std::memcpy(&a[2], r01 + x, 8), std::memcpy(&b[2], r01 + x + 1, 8);
    std::memcpy(&a[3], r11 + x, 8), std::memcpy(&b[3], r11 + x + 1, 8);
    const std::uint64_t any = a[0] | b[0] | a[1] | b[1] | a[2] | b[2] | a[3] | b[3];
    const std::uint64_t all = a[0] & b[0] & a[1] & b[1] & a[2] & b[2] & a[3] & b[3];
    return any == 0 || all == 0x0101010101010101ull;
}

inline int cubeCase(const std::uint8_t* r00, const std::uint8_t* r10, const std::uint8_t* r01, const std::uint8_t* r11,
                    std::int64_t x) {
    return (r00[x] != 0) | (r00[x + 1] != 0) << 1 | (r10[x + 1] != 0) << 2 | (r10[x] != 0) << 3 | (r01[x] != 0) << 4 |
           (r01[x + 1] != 0) << 5 | (r11[x + 1] != 0) << 6 | (r11[x] != 0) << 7;
}

}  // namespace

// Every crossing edge starts at a voxel of the cube range [0, n - 2]³ (the outer layer
// is 0), so both passes visit cubes only: the edges along +x, +y, +z from each cube's
// first corner, and the cube's case.
MarchingCubesCount countMarchingCubes(const BinaryMask& mask) {
    const auto& t = tables();
    MarchingCubesCount count;
    const std::int64_t nx = mask.nx, ny = mask.ny, nz = mask.nz, sz = nx * ny;
    for (std::int64_t z = 0; z + 1 < nz; ++z)
        for (std::int64_t y = 0; y + 1 < ny; ++y) {
            const std::uint8_t* r00 = mask.voxels + y * nx + z * sz;
            const std::uint8_t *r10 = r00 + nx, *r01 = r00 + sz, *r11 = r01 + nx;
            for (std::int64_t x = 0; x + 1 < nx;) {
                if (x + 9 <= nx && eightUniformCubes(r00, r10, r01, r11, x)) {
                    x += 8;
                    continue;
                }
                const bool in = r00[x] != 0;
                count.points += std::size_t(in != (r00[x + 1] != 0)) + std::size_t(in != (r10[x] != 0)) +
                                std::size_t(in != (r01[x] != 0));
                count.triangles += std::size_t(t.triangles[cubeCase(r00, r10, r01, r11, x)]);
                ++x;
            }
        }
    return count;
}

void generateMarchingCubes(const BinaryMask& mask, std::array<double, 3>* points,
                           std::array<std::int32_t, 3>* triangles, std::int32_t firstPoint,
                           std::vector<std::int32_t>& scratch) {
    const vtkMarchingCubesTriangleCases* cases = vtkMarchingCubesTriangleCases::GetCases();
    const std::int64_t nx = mask.nx, ny = mask.ny, nz = mask.nz, sz = nx * ny;
    // Vertex index of the edge leaving each voxel along +x and +y in two consecutive
    // slices (slot [slice & 1]) and along +z between them; -1 until the first cube that
    // needs it creates the vertex.
    scratch.assign(std::size_t(5 * sz), -1);
    std::int32_t* xEdge[2] = {scratch.data(), scratch.data() + sz};
    std::int32_t* yEdge[2] = {scratch.data() + 2 * sz, scratch.data() + 3 * sz};
    std::int32_t* zEdge = scratch.data() + 4 * sz;
    std::int32_t next = 0;
    std::size_t written = 0;
    auto vertex = [&](std::int32_t& slot, std::int64_t x, std::int64_t y, std::int64_t z, int axis) {
        if (slot < 0) {
            double p[3] = {double(x), double(y), double(z)};
            p[axis] += 0.5;
            auto& out = points[next];
            for (int a = 0; a < 3; ++a)
                out[std::size_t(a)] = mask.origin[std::size_t(a)] + p[a] * mask.spacing[std::size_t(a)];
            slot = firstPoint + next++;
        }
        return slot;
    };
    for (std::int64_t z = 0; z + 1 < nz; ++z) {
        if (z > 0) {  // slice z + 1 reuses the slots of slice z - 1
            std::fill(xEdge[(z + 1) & 1], xEdge[(z + 1) & 1] + sz, -1);
            std::fill(yEdge[(z + 1) & 1], yEdge[(z + 1) & 1] + sz, -1);
            std::fill(zEdge, zEdge + sz, -1);
        }
        std::int32_t* xs[2] = {xEdge[z & 1], xEdge[(z + 1) & 1]};
        std::int32_t* ys[2] = {yEdge[z & 1], yEdge[(z + 1) & 1]};
        for (std::int64_t y = 0; y + 1 < ny; ++y) {
            const std::uint8_t* r00 = mask.voxels + y * nx + z * sz;
            const std::uint8_t *r10 = r00 + nx, *r01 = r00 + sz, *r11 = r01 + nx;
            for (std::int64_t x = 0; x + 1 < nx;) {
                if (x + 9 <= nx && eightUniformCubes(r00, r10, r01, r11, x)) {
                    x += 8;
                    continue;
                }
                const int index = cubeCase(r00, r10, r01, r11, x);
                if (index != 0 && index != 255) {
                    for (const int* e = cases[index].edges; *e > -1; e += 3) {
                        auto& tri = triangles[written++];
                        for (int k = 0; k < 3; ++k) {
                            const int* d = kEdge[e[k]];
                            const std::int64_t ex = x + d[1], ey = y + d[2], at = ey * nx + ex;
                            std::int32_t& slot = d[0] == 0 ? xs[d[3]][at] : (d[0] == 1 ? ys[d[3]][at] : zEdge[at]);
                            tri[std::size_t(k)] = vertex(slot, ex, ey, z + d[3], d[0]);
                        }
                    }
                }
                ++x;
            }
        }
    }
}

}  // namespace cellforge::mesh
