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
