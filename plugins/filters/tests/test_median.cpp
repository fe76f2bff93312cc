#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/base/Errors.h"
#include "plugins/filters/logic/MedianFilter.h"
#include "plugins/filters/logic/SortingNetwork.h"
#include "plugins/filters/tests/TestVolumes.h"

using namespace cellforge;
using namespace cellforge::filters;
using namespace cellforge::filters::testing;

namespace {
void apply(const std::vector<CompareExchange>& ops, std::vector<float>& w) {
    for (const auto& op : ops) {
        const float a = w[op.lo], b = w[op.hi];
        w[op.lo] = std::min(a, b);
        w[op.hi] = std::max(a, b);
    }
}
}  // namespace

TEST(SortingNetwork, SortsEveryZeroOneInput) {
    // 0-1 principle: a comparator network that sorts all 0-1 inputs sorts everything.
    for (std::uint32_t n : {1u, 2u, 3u, 5u, 7u, 9u, 12u, 16u}) {
        const ComparatorNetwork net = sortingNetwork(n);
        for (std::uint32_t bits = 0; bits < (1u << n); ++bits) {
            std::vector<float> w(n);
            for (std::uint32_t i = 0; i < n; ++i) w[i] = float((bits >> i) & 1u);
            apply(net.ops, w);
            for (std::uint32_t k = 1; k < n; ++k) ASSERT_LE(w[net.order[k - 1]], w[net.order[k]]) << n << " " << bits;
        }
    }
}

TEST(SortingNetwork, PrunedMergeOfSortedListsGivesTheMedian) {
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> dist(0, 40);  // many ties
    for (auto [lists, length] :
         std::vector<std::pair<std::uint32_t, std::uint32_t>>{{3, 9}, {5, 25}, {5, 5}, {7, 49}}) {
        const ComparatorNetwork merge = mergingNetwork(lists, length);
        const std::uint32_t n = lists * length;
        const std::uint32_t mid = merge.order[n / 2];
        const auto pruned = pruneForOutput(merge.ops, n, mid);
        EXPECT_LT(pruned.size(), merge.ops.size());
        for (int trial = 0; trial < 200; ++trial) {
            std::vector<float> w(n);
            for (auto& v : w) v = float(dist(rng));
            for (std::uint32_t p = 0; p < lists; ++p) std::sort(w.begin() + p * length, w.begin() + (p + 1) * length);
            std::vector<float> ref = w;
            std::nth_element(ref.begin(), ref.begin() + n / 2, ref.end());
            apply(pruned, w);
            ASSERT_EQ(w[mid], ref[n / 2]);
        }
    }
}

// Reference: gather the reflected window, take the middle value.
static Volume bruteMedian(const Volume& v, int r, bool slices) {
    Volume out = v.emptyLike(ScalarType::Float32);
    const int rz = slices ? 0 : r;
    std::vector<float> w;
    for (std::int64_t z = 0; z < v.nz(); ++z)
        for (std::int64_t y = 0; y < v.ny(); ++y)
            for (std::int64_t x = 0; x < v.nx(); ++x) {
                w.clear();
                for (int c = -rz; c <= rz; ++c)
                    for (int b = -r; b <= r; ++b)
                        for (int a = -r; a <= r; ++a)
                            w.push_back(at(v, reflectIndex(x + a, v.nx()), reflectIndex(y + b, v.ny()),
                                           reflectIndex(z + c, v.nz())));
                std::sort(w.begin(), w.end());
                out.data<float>()[out.index(x, y, z)] = w[w.size() / 2];
            }
    return out;
}

TEST(MedianFilter, EqualsTheMiddleOfEveryReflectedWindow) {
    // Dimensions smaller than the window in y and z exercise repeated reflection.
    const Volume v = randomVolume({70, 9, 4}, 5);
    const RunControl control = threadsControl(2);
    for (int r : {1, 2, 3}) {
        for (FilterMode mode : {FilterMode::Volume3D, FilterMode::Slices2D}) {
            const Volume out = medianFilter(v, r, mode, control);
            const Volume ref = bruteMedian(v, r, mode == FilterMode::Slices2D);
            for (std::int64_t i = 0; i < v.voxelCount(); ++i)
                ASSERT_EQ(out.data<float>()[i], ref.data<float>()[i]) << "r=" << r << " i=" << i;
        }
    }
}

TEST(MedianFilter, LargeWindowsUseSelectionWithTheSameResult) {
    const Volume v = randomVolume({15, 14, 13}, 9);
    const RunControl control;
    const Volume out = medianFilter(v, 6, FilterMode::Volume3D, control);  // 13³ > network limit
    const Volume ref = bruteMedian(v, 6, false);
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) ASSERT_EQ(out.data<float>()[i], ref.data<float>()[i]);
}

TEST(MedianFilter, RemovesSaltAndPepperFromAFlatImage) {
    Volume v({64, 64, 32}, ScalarType::UInt8);
    std::mt19937 rng(3);
    std::bernoulli_distribution noisy(0.05), salt(0.5);
    std::int64_t corrupted = 0;
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) {
        std::uint8_t value = 100;
        if (noisy(rng)) {
            value = salt(rng) ? 255 : 0;
            ++corrupted;
        }
        v.data<std::uint8_t>()[i] = value;
    }
    ASSERT_GT(corrupted, 1000);
    const RunControl control = threadsControl(2);
    for (FilterMode mode : {FilterMode::Volume3D, FilterMode::Slices2D}) {
        const Volume out = medianFilter(v, mode == FilterMode::Volume3D ? 1 : 2, mode, control);
        EXPECT_EQ(out.scalarType(), ScalarType::Float32);
        std::int64_t wrong = 0;
        for (std::int64_t i = 0; i < v.voxelCount(); ++i) wrong += out.data<float>()[i] != 100.0f;
        EXPECT_EQ(wrong, 0) << filterModeName(mode);
    }
}

TEST(MedianFilter, KeepsGeometryAndRefusesBadRadius) {
    Volume v = randomVolume({10, 10, 10}, 1);
    v.setVoxelSize({7.0, 7.0, 7.0});
    v.setOrigin({1.0, 2.0, 3.0});
    const RunControl control;
    const Volume zero = medianFilter(v, 0, FilterMode::Volume3D, control);
    EXPECT_EQ(zero.voxelSize(), v.voxelSize());
    EXPECT_EQ(zero.origin(), v.origin());
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) ASSERT_EQ(zero.data<float>()[i], v.data<float>()[i]);
    try {
        medianFilter(v, -2, FilterMode::Volume3D, control);
        FAIL() << "negative radius accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("radius"), std::string::npos) << e.what();
    }
}

TEST(MedianFilter, StopsWhenCancelled) {
    const Volume v = randomVolume({64, 64, 64}, 2);
    CancelOnFirstProgress c;
    EXPECT_THROW(medianFilter(v, 2, FilterMode::Volume3D, c.control), CancelledError);
    EXPECT_LT(c.highest, 0.5);
}

TEST(MedianFilter, ReportsProgressUpToOne) {
    const Volume v = randomVolume({16, 12, 10}, 3);
    for (int r : {0, 1}) {
        ProgressLog log(2);
        medianFilter(v, r, FilterMode::Volume3D, log.control);
        EXPECT_TRUE(log.endsAtAndStaysWithin(0.0, 1.0)) << "r=" << r;
    }
}
