// Distance transform and surface distances: brute-force agreement, known shifts giving
// the Hausdorff distance times the voxel size, empty classes, refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "TestVolumes.h"
#include "core/base/Errors.h"
#include "core/imaging/DistanceTransform.h"
#include "plugins/metrics/logic/SurfaceDistance.h"

using namespace cellforge;
using namespace cellforge::metrics;
using namespace cellforge::metrics::test;

TEST(MetricsDistanceTransform, MatchesBruteForceWithAnisotropicVoxels) {
    const Dims3 n{17, 11, 9};
    const Spacing3 s{1.0, 2.5, 0.7};
    std::mt19937 rng(7);
    std::vector<std::uint8_t> feature(std::size_t(n[0] * n[1] * n[2]), 0);
    std::vector<std::array<std::int64_t, 3>> points;
    for (int k = 0; k < 12; ++k) {
        const std::int64_t x = rng() % n[0], y = rng() % n[1], z = rng() % n[2];
        feature[std::size_t(x + n[0] * (y + n[1] * z))] = 1;
        points.push_back({x, y, z});
    }
    std::vector<double> one, three;
    squaredDistanceTransform(feature.data(), n, s, one);
    RunControl threads;
    threads.threads = 3;
    squaredDistanceTransform(feature.data(), n, s, three, threads);
    for (std::int64_t z = 0; z < n[2]; ++z)
        for (std::int64_t y = 0; y < n[1]; ++y)
            for (std::int64_t x = 0; x < n[0]; ++x) {
                double best = std::numeric_limits<double>::infinity();
                for (const auto& p : points) {
                    const double dx = (x - p[0]) * s[0], dy = (y - p[1]) * s[1], dz = (z - p[2]) * s[2];
                    best = std::min(best, dx * dx + dy * dy + dz * dz);
                }
                const std::size_t i = std::size_t(x + n[0] * (y + n[1] * z));
                ASSERT_NEAR(one[i], best, 1e-9 * (1 + best)) << x << "," << y << "," << z;
                ASSERT_EQ(one[i], three[i]);
            }
    // No feature at all: infinite everywhere.
    std::fill(feature.begin(), feature.end(), 0);
    squaredDistanceTransform(feature.data(), n, s, one);
    EXPECT_TRUE(std::all_of(one.begin(), one.end(), [](double v) { return std::isinf(v); }));
}

TEST(MetricsSurfaceDistance, ShiftedSurfaceGivesHausdorffShiftTimesVoxelSize) {
    const Dims3 dims{40, 30, 34};
    for (int axis = 0; axis < 3; ++axis) {
        const Spacing3 spacing{2.0, 1.0, 1.5};
        for (int shift : {1, 3, 6}) {
            OwnedLabels a(dims, spacing), b(dims, spacing);
            Dims3 lo{8, 6, 7}, hi{24, 20, 22};
            a.paintBox(1, lo, hi);
            lo[std::size_t(axis)] += shift;
            hi[std::size_t(axis)] += shift;
            b.paintBox(1, lo, hi);
            const auto r = computeSurfaceDistances(a.grid(), b.grid(), ClassSelection::parse("all"));
            ASSERT_EQ(r.size(), 1u);
            EXPECT_NEAR(r[0].hausdorff, shift * spacing[std::size_t(axis)], 1e-12)
                << "axis " << axis << " shift " << shift;
            EXPECT_NEAR(r[0].maxLabelsToReference, shift * spacing[std::size_t(axis)], 1e-12);
            EXPECT_NEAR(r[0].maxReferenceToLabels, shift * spacing[std::size_t(axis)], 1e-12);
            EXPECT_EQ(r[0].status, EmptyCase::None);
        }
    }
}

TEST(MetricsSurfaceDistance, ConcentricSpheresGiveTheRadiusDifference) {
    const Dims3 dims{48, 48, 48};
    OwnedLabels a(dims, {3, 3, 3}), b(dims, {3, 3, 3});
    a.paint(1, ball(24, 24, 24, 10));
    b.paint(1, ball(24, 24, 24, 16));
    const auto r = computeSurfaceDistances(a.grid(), b.grid(), ClassSelection::parse("1"));
    // Surfaces of digital balls are within a voxel of the true spheres.
    EXPECT_NEAR(r[0].hausdorff, 6 * 3.0, 3.0);
    EXPECT_NEAR(r[0].meanSurfaceDistance, 6 * 3.0, 3.0);
    EXPECT_LE(r[0].hausdorff95, r[0].hausdorff);
}

// Everything from the definitions, by brute force over surface voxel pairs.
TEST(MetricsSurfaceDistance, AgreesWithBruteForceOnRandomShapes) {
    const Dims3 dims{22, 19, 16};
    const Spacing3 sp{1.3, 0.9, 2.1};
    OwnedLabels a(dims, sp), b(dims, sp);
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> u(0, 1);
    for (int k = 0; k < 6; ++k) {
        a.paint(Label(1 + k % 2), ball(u(rng) * 22, u(rng) * 19, u(rng) * 16, 2 + 4 * u(rng)));
        b.paint(Label(1 + k % 2), ball(u(rng) * 22, u(rng) * 19, u(rng) * 16, 2 + 4 * u(rng)));
    }
    auto surface = [&](const OwnedLabels& v, Label c) {
        std::vector<std::array<std::int64_t, 3>> pts;
        for (std::int64_t z = 0; z < dims[2]; ++z)
            for (std::int64_t y = 0; y < dims[1]; ++y)
                for (std::int64_t x = 0; x < dims[0]; ++x) {
                    if (v.at(x, y, z) != c) continue;
                    bool edge = false;
                    const int off[6][3] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
                    for (const auto& o : off) {
                        const std::int64_t xx = x + o[0], yy = y + o[1], zz = z + o[2];
                        if (xx < 0 || yy < 0 || zz < 0 || xx >= dims[0] || yy >= dims[1] || zz >= dims[2] ||
                            v.at(xx, yy, zz) != c)
                            edge = true;
                    }
                    if (edge) pts.push_back({x, y, z});
                }
        return pts;
    };
    auto directed = [&](const auto& from, const auto& to) {
        std::vector<double> out;
        for (const auto& p : from) {
            double best = std::numeric_limits<double>::infinity();
            for (const auto& q : to) {
                const double dx = (p[0] - q[0]) * sp[0], dy = (p[1] - q[1]) * sp[1], dz = (p[2] - q[2]) * sp[2];
                best = std::min(best, std::sqrt(dx * dx + dy * dy + dz * dz));
            }
            out.push_back(best);
        }
        return out;
    };
    RunControl threads;
    threads.threads = 2;
    const auto r = computeSurfaceDistances(a.grid(), b.grid(), ClassSelection::parse("all"), threads);
    ASSERT_EQ(r.size(), 2u);
    for (const auto& s : r) {
        const auto sa = surface(a, s.label), sb = surface(b, s.label);
        ASSERT_FALSE(sa.empty());
        ASSERT_FALSE(sb.empty());
        const auto ab = directed(sa, sb), ba = directed(sb, sa);
        const double maxAb = *std::max_element(ab.begin(), ab.end()), maxBa = *std::max_element(ba.begin(), ba.end());
        double meanAb = 0, meanBa = 0;
        for (double v : ab) meanAb += v / double(ab.size());
        for (double v : ba) meanBa += v / double(ba.size());
        std::vector<double> pooled = ab;
        pooled.insert(pooled.end(), ba.begin(), ba.end());
        std::sort(pooled.begin(), pooled.end());
        const double k = 0.95 * double(pooled.size() - 1);
        const std::size_t lo = std::size_t(k);
        const double p95 = pooled[lo] + (pooled[std::min(lo + 1, pooled.size() - 1)] - pooled[lo]) * (k - double(lo));
        EXPECT_EQ(s.surfaceVoxelsLabels, std::int64_t(sa.size()));
        EXPECT_EQ(s.surfaceVoxelsReference, std::int64_t(sb.size()));
        EXPECT_NEAR(s.hausdorff, std::max(maxAb, maxBa), 1e-9);
        EXPECT_NEAR(s.meanLabelsToReference, meanAb, 1e-9);
        EXPECT_NEAR(s.meanReferenceToLabels, meanBa, 1e-9);
        EXPECT_NEAR(s.meanSurfaceDistance, 0.5 * (meanAb + meanBa), 1e-9);
        EXPECT_NEAR(s.hausdorff95, p95, 1e-9);
    }
}

TEST(MetricsSurfaceDistance, EmptyClassesAreDefined) {
    OwnedLabels a({10, 10, 10}), b({10, 10, 10});
    auto r = computeSurfaceDistances(a.grid(), b.grid(), ClassSelection::parse("1"));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].status, EmptyCase::Both);
    EXPECT_EQ(r[0].hausdorff, 0.0);
    EXPECT_TRUE(computeSurfaceDistances(a.grid(), b.grid(), ClassSelection::parse("all")).empty());
    a.paintBox(1, {2, 2, 2}, {5, 5, 5});
    r = computeSurfaceDistances(a.grid(), b.grid(), ClassSelection::parse("1"));
    EXPECT_EQ(r[0].status, EmptyCase::ReferenceEmpty);
    EXPECT_TRUE(std::isnan(r[0].hausdorff));
    EXPECT_TRUE(std::isnan(r[0].hausdorff95));
    EXPECT_EQ(r[0].surfaceVoxelsLabels, 26);  // a 3×3×3 cube: all but the centre
}

TEST(MetricsSurfaceDistance, RefusesDifferentVoxelSize) {
    OwnedLabels a({8, 8, 8}, {1, 1, 1}), b({8, 8, 8}, {1, 1, 1.5});
    EXPECT_THROW(computeSurfaceDistances(a.grid(), b.grid(), {}), InputError);
}

TEST(MetricsSurfaceDistance, PercentileMatchesNumpyLinear) {
    std::vector<double> v{4, 1, 3, 2};  // numpy.percentile([1,2,3,4], 95) = 3.85
    EXPECT_NEAR(percentileLinear(v, 95), 3.85, 1e-12);
    std::vector<double> one{7};
    EXPECT_EQ(percentileLinear(one, 95), 7);
    std::vector<double> none;
    EXPECT_TRUE(std::isnan(percentileLinear(none, 50)));
}
