// Structure and moment tensors: the normals of planes, spheres and rings, how sheet-like
// a neighbourhood is, the per-slice variant, and the refusals.
#include "core/imaging/StructureTensor.h"

#include "core/base/Errors.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace cellforge;
using namespace cellforge::imaging;

namespace {

double alignment(const std::array<double, 3>& n, const std::array<double, 3>& expected) {
    const double len = std::sqrt(expected[0] * expected[0] + expected[1] * expected[1] + expected[2] * expected[2]);
    return std::fabs(n[0] * expected[0] + n[1] * expected[1] + n[2] * expected[2]) / len;
}

struct Mask {
    Dims3 dims;
    std::vector<std::uint8_t> v;
    explicit Mask(const Dims3& d) : dims(d), v(std::size_t(d[0] * d[1] * d[2]), 0) {}
    template <typename Inside>
    Mask& paint(Inside inside) {
        for (std::int64_t z = 0; z < dims[2]; ++z)
            for (std::int64_t y = 0; y < dims[1]; ++y)
                for (std::int64_t x = 0; x < dims[0]; ++x)
                    if (inside(double(x), double(y), double(z))) v[std::size_t(x + dims[0] * (y + dims[1] * z))] = 1;
        return *this;
    }
};

SymmetricTensor3 at(const Mask& m, std::int64_t x, std::int64_t y, std::int64_t z, StructureTensorSettings s = {}) {
    return structureTensors(m.v.data(), m.dims, {{x, y, z}, {x, y, z}}, s)[0];
}

}  // namespace

TEST(StructureTensor, EigensystemOfADiagonalAndARotatedTensor) {
    SymmetricTensor3 t;
    t.xx = 1, t.yy = 3, t.zz = 2;
    Eigensystem3 e = eigensystem(t);
    EXPECT_NEAR(e.values[0], 3, 1e-9);
    EXPECT_NEAR(e.values[1], 2, 1e-9);
    EXPECT_NEAR(e.values[2], 1, 1e-9);
    EXPECT_NEAR(alignment(e.vectors[0], {0, 1, 0}), 1, 1e-9);
    // 5 along (1, 1, 0)/√2, 1 along (1, -1, 0)/√2, 2 along z.
    t = {};
    t.xx = 3, t.yy = 3, t.xy = 2, t.zz = 2;
    e = eigensystem(t);
    EXPECT_NEAR(e.values[0], 5, 1e-9);
    EXPECT_NEAR(e.values[2], 1, 1e-9);
    EXPECT_NEAR(alignment(e.vectors[0], {1, 1, 0}), 1, 1e-9);
    EXPECT_NEAR(alignment(e.vectors[1], {0, 0, 1}), 1, 1e-9);
}

TEST(StructureTensor, NormalsOfATiltedPlaneAndOfASphere) {
    Mask plane({40, 40, 40});
    plane.paint([](double x, double y, double z) { return std::fabs((x - 20) + 2 * (y - 20) + 2 * (z - 20)) <= 4.5; });
    const SurfaceOrientation o = surfaceFromStructureTensor(at(plane, 20, 20, 20));
    EXPECT_GT(alignment(o.normal, {1, 2, 2}), 0.995);
    EXPECT_GT(o.planarity, 0.8);

    Mask sphere({48, 48, 48});
    sphere.paint([](double x, double y, double z) {
        return std::fabs(std::sqrt((x - 24) * (x - 24) + (y - 24) * (y - 24) + (z - 24) * (z - 24)) - 16) <= 1.5;
    });
    for (const auto& p : std::vector<std::array<std::int64_t, 3>>{{40, 24, 24}, {24, 24, 8}, {33, 33, 24}}) {
        const SurfaceOrientation s = surfaceFromStructureTensor(at(sphere, p[0], p[1], p[2]));
        EXPECT_GT(alignment(s.normal, {double(p[0] - 24), double(p[1] - 24), double(p[2] - 24)}), 0.98)
            << p[0] << " " << p[1] << " " << p[2];
    }
}

TEST(StructureTensor, ABoxGivesEachVoxelWhatThePointQueryGives) {
    Mask ring({40, 40, 12});
    ring.paint([](double x, double y, double z) {
        return z > 2 && z < 9 && std::fabs(std::hypot(x - 20, y - 20) - 12) <= 1.5;
    });
    const VoxelBox box{{0, 3, 2}, {39, 37, 8}};  // more than one tile, touching the volume's faces
    StructureTensorSettings s;
    s.integrationSigma = 1.5;
    const auto field = structureTensors(ring.v.data(), ring.dims, box, s);
    ASSERT_EQ(field.size(), std::size_t(box.voxelCount()));
    for (const auto& p : std::vector<std::array<std::int64_t, 3>>{{0, 3, 2}, {32, 20, 5}, {20, 8, 8}, {39, 37, 8}}) {
        const SymmetricTensor3 one = at(ring, p[0], p[1], p[2], s);
        const SymmetricTensor3& f =
            field[std::size_t((p[0] - box.lo[0]) + 40 * ((p[1] - box.lo[1]) + 35 * (p[2] - box.lo[2])))];
        EXPECT_NEAR(f.xx, one.xx, 1e-6);
        EXPECT_NEAR(f.xy, one.xy, 1e-6);
        EXPECT_NEAR(f.yy, one.yy, 1e-6);
        EXPECT_NEAR(f.zz, one.zz, 1e-6);
    }
    // On the wall of the ring the normal is radial.
    const SymmetricTensor3& wall = field[std::size_t((32 - 0) + 40 * ((20 - 3) + 35 * (5 - 2)))];
    EXPECT_GT(alignment(surfaceFromStructureTensor(wall).normal, {1, 0, 0}), 0.99);
}

TEST(StructureTensor, InPlaneTensorsIgnoreOtherSlices) {
    // A plane tilted in z: per slice, only its trace in the slice counts.
    Mask m({32, 32, 32});
    m.paint([](double x, double, double z) { return std::fabs((x - 16) - (z - 16)) <= 2; });
    StructureTensorSettings s;
    s.inPlane = true;
    const SymmetricTensor3 t = at(m, 16, 16, 16, s);
    EXPECT_EQ(t.zz, 0.0f);
    EXPECT_GT(alignment(surfaceFromStructureTensor(t).normal, {1, 0, 0}), 0.999);
}

TEST(StructureTensor, MomentsGiveTheNormalOfAPiecesEndAndTellBlobsFromSheets) {
    // The end of a sheet (a half-disc of points): the normal stays across the sheet.
    MomentAccumulator sheet;
    for (int x = -5; x <= 0; ++x)
        for (int y = -5; y <= 5; ++y)
            for (int z = -1; z <= 1; ++z)
                if (x * x + y * y <= 25) sheet.add(x, y, z);
    SurfaceOrientation o = surfaceFromMoments(sheet.covariance());
    EXPECT_GT(alignment(o.normal, {0, 0, 1}), 0.999);
    EXPECT_GT(o.planarity, 0.6);
    EXPECT_NEAR(sheet.mean()[0], -2.0, 0.3);

    MomentAccumulator blob;
    for (int x = -2; x <= 2; ++x)
        for (int y = -2; y <= 2; ++y)
            for (int z = -2; z <= 2; ++z)
                if (x * x + y * y + z * z <= 5) blob.add(x, y, z);
    EXPECT_LT(surfaceFromMoments(blob.covariance()).planarity, 0.05);

    // A curve in one slice: its normal lies in the slice, across the curve.
    MomentAccumulator arc;
    for (int k = -6; k <= 6; ++k) arc.add(k, 0.5 * k + (k % 2 ? 0.3 : 0.0), 7);
    o = surfaceFromMoments(arc.covariance(), true);
    EXPECT_GT(alignment(o.normal, {-0.5, 1, 0}), 0.99);
    EXPECT_EQ(o.normal[2], 0.0);
    EXPECT_GT(o.planarity, 0.9);
    EXPECT_EQ(MomentAccumulator().covariance().xx, 0.0f);
}

TEST(StructureTensor, BadArgumentsAreRefused) {
    Mask m({8, 8, 8});
    EXPECT_THROW(structureTensors(m.v.data(), m.dims, {{0, 0, 0}, {8, 0, 0}}, {}), InputError);
    StructureTensorSettings s;
    s.gradientSigma = -1;
    EXPECT_THROW(structureTensors(m.v.data(), m.dims, {{0, 0, 0}, {1, 1, 1}}, s), InputError);
    s = {};
    s.integrationSigma = 0;
    s.gradientSigma = 0;
    EXPECT_EQ(structureTensorReach(s), 1);
}
