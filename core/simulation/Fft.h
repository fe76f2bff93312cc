// Small complex FFTs for the simulator's noise shaping, band-pass filters, missing wedge
// and CTF: a radix-2 transform (power-of-two lengths; what the classic training images
// and the phantoms use) and a mixed-radix one (any length, fast for factors 2, 3, 4 and
// 5) that transforms many sequences at once. No dependency beyond the standard library.
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

// A mixed-radix (Stockham, autosorting) transform of one length n >= 1. transform()
// takes `batch` interleaved sequences: element t of sequence b at data[t * batch + b], so
// the innermost loops run over contiguous memory (batch = 1 for a single sequence).
// Radices 4, 2, 3 and 5 have their own butterflies; other prime factors use a direct
// DFT (correct, slower). The inverse is scaled by 1/n.
class FftPlan {
public:
    explicit FftPlan(std::int64_t n);
    std::int64_t size() const { return n_; }
    // `scratch` is resized to n * batch if smaller.
    void transform(Complex* data, std::int64_t batch, bool inverse, std::vector<Complex>& scratch) const;

private:
    struct Stage {
        int radix;
        std::int64_t length, stride;    // the sub-transform length at this stage and the stride s
        std::vector<Complex> twiddles;  // (length / radix) x (radix - 1): exp(-2 pi i p k / length)
    };
    std::int64_t n_;
    std::vector<Stage> stages_;
};

// In-place transform of a dense array with x fastest, any dimensions (nz = 1 for 2D).
// `scratch` (optional) is working memory kept between calls, to spare allocations.
void fft3d(std::vector<Complex>& data, std::int64_t nx, std::int64_t ny, std::int64_t nz, bool inverse,
           std::vector<Complex>* scratch = nullptr);
// One axis (0 x, 1 y, 2 z) of the same; along x and y only the planes [zBegin, zEnd)
// (all when zEnd < 0), e.g. to invert only the slices that are kept.
void fft3dAxis(std::vector<Complex>& data, std::int64_t nx, std::int64_t ny, std::int64_t nz, int axis, bool inverse,
               std::int64_t zBegin = 0, std::int64_t zEnd = -1, std::vector<Complex>* scratch = nullptr);

// Signed frequency (cycles per sample, in [-0.5, 0.5)) of FFT bin i of an n-point transform.
inline double fftFrequency(std::int64_t i, std::int64_t n) { return double(i < (n + 1) / 2 ? i : i - n) / double(n); }

}  // namespace cellforge::simulation
