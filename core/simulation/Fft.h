// A small radix-2 complex FFT (power-of-two lengths) for the simulator's noise shaping,
// band-pass filters and missing wedge. No dependency beyond the standard library.
#pragma once

#include <complex>
#include <cstdint>
#include <vector>

namespace cellforge::simulation {

using Complex = std::complex<double>;

// Smallest power of two >= n (n >= 1).
std::int64_t nextPowerOfTwo(std::int64_t n);

// In-place transform of `n` values spaced `stride` apart; n must be a power of two.
// The inverse is scaled by 1/n, so forward then inverse gives back the input.
void fft1d(Complex* data, std::int64_t n, std::int64_t stride, bool inverse);

// In-place transform along one axis (0 x, 1 y, 2 z) of a dense array with x fastest;
// every dimension a power of two.
void fftAxis(std::vector<Complex>& data, std::int64_t nx, std::int64_t ny, std::int64_t nz, int axis, bool inverse);

// In-place transform of a dense array with x fastest (dims nx, ny, nz; nz = 1 for 2D).
// Every dimension must be a power of two (1 is allowed).
void fftNd(std::vector<Complex>& data, std::int64_t nx, std::int64_t ny, std::int64_t nz, bool inverse);

// Signed frequency (cycles per sample, in [-0.5, 0.5)) of FFT bin i of an n-point transform.
inline double fftFrequency(std::int64_t i, std::int64_t n) { return double(i < (n + 1) / 2 ? i : i - n) / double(n); }

}  // namespace cellforge::simulation
