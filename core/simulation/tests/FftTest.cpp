// The radix-2 FFT the imaging model uses.
#include "core/base/Errors.h"
#include "core/simulation/Fft.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

using namespace cellforge;
using namespace cellforge::simulation;

TEST(Fft, ForwardThenInverseIsIdentityAndMatchesDft) {
    std::vector<Complex> data(8);
    for (int i = 0; i < 8; ++i) data[i] = Complex(std::sin(i * 1.3), i % 3);
    const auto original = data;
    fftNd(data, 8, 1, 1, false);
    // Bin 1 against a direct DFT.
    Complex direct(0, 0);
    for (int i = 0; i < 8; ++i) direct += original[i] * std::polar(1.0, -2 * M_PI * i / 8);
    EXPECT_NEAR(std::abs(data[1] - direct), 0.0, 1e-12);
    fftNd(data, 8, 1, 1, true);
    for (int i = 0; i < 8; ++i) EXPECT_NEAR(std::abs(data[i] - original[i]), 0.0, 1e-12);
    EXPECT_THROW(fft1d(data.data(), 6, 1, false), std::invalid_argument);
}

namespace {
std::vector<Complex> directDft(const std::vector<Complex>& in, bool inverse) {
    const std::size_t n = in.size();
    std::vector<Complex> out(n);
    for (std::size_t k = 0; k < n; ++k)
        for (std::size_t t = 0; t < n; ++t)
            out[k] += in[t] * std::polar(1.0, (inverse ? 2 : -2) * M_PI * double((k * t) % n) / double(n));
    if (inverse)
        for (auto& v : out) v /= double(n);
    return out;
}
}  // namespace

// Every length (radices 4, 2, 3, 5 and a direct DFT for other primes), in batches.
TEST(Fft, MixedRadixMatchesDirectDftForAnyLengthAndBatch) {
    for (std::int64_t n : {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 15, 16, 24, 30, 32, 45, 96, 100, 121}) {
        const std::int64_t batch = 3;
        std::vector<Complex> data(static_cast<std::size_t>(n * batch));
        for (std::size_t i = 0; i < data.size(); ++i) data[i] = Complex(std::sin(0.7 * i + 1), std::cos(1.9 * i));
        const auto original = data;
        std::vector<Complex> scratch;
        const FftPlan plan(n);
        for (bool inverse : {false, true}) {
            data = original;
            plan.transform(data.data(), batch, inverse, scratch);
            for (std::int64_t b = 0; b < batch; ++b) {
                std::vector<Complex> seq(static_cast<std::size_t>(n));
                for (std::int64_t t = 0; t < n; ++t) seq[std::size_t(t)] = original[std::size_t(t * batch + b)];
                const auto expected = directDft(seq, inverse);
                for (std::int64_t k = 0; k < n; ++k)
                    ASSERT_NEAR(std::abs(data[std::size_t(k * batch + b)] - expected[std::size_t(k)]), 0.0, 1e-9)
                        << "n " << n << " bin " << k << (inverse ? " inverse" : " forward");
            }
        }
    }
    EXPECT_THROW(FftPlan(0), std::invalid_argument);
}

// The 3D transform agrees with the radix-2 one on power-of-two dims and inverts itself
// on others.
TEST(Fft, ThreeDimensionalTransformAgreesWithRadix2AndInverts) {
    std::vector<Complex> a(8 * 4 * 16);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = Complex(std::sin(0.37 * i), 0.1 * (i % 7));
    auto b = a;
    fftNd(a, 8, 4, 16, false);
    fft3d(b, 8, 4, 16, false);
    for (std::size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(std::abs(a[i] - b[i]), 0.0, 1e-9);
    std::vector<Complex> c(12 * 10 * 6);
    for (std::size_t i = 0; i < c.size(); ++i) c[i] = Complex(std::cos(0.11 * i * i), 0);
    const auto original = c;
    fft3d(c, 12, 10, 6, false);
    fft3d(c, 12, 10, 6, true);
    for (std::size_t i = 0; i < c.size(); ++i) ASSERT_NEAR(std::abs(c[i] - original[i]), 0.0, 1e-12);
}
