#include "core/simulation/Fft.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace cellforge::simulation {

std::int64_t nextPowerOfTwo(std::int64_t n) {
    std::int64_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

namespace {
bool isPowerOfTwo(std::int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

// Twiddle factors exp(-2 pi i k / n), k < n/2, for one transform length.
std::vector<Complex> twiddles(std::int64_t n) {
    std::vector<Complex> w(std::size_t(std::max<std::int64_t>(1, n / 2)));
    for (std::int64_t k = 0; k < n / 2; ++k) {
        const double angle = -2.0 * M_PI * double(k) / double(n);
        w[std::size_t(k)] = Complex(std::cos(angle), std::sin(angle));
    }
    return w;
}

// Radix-2 transform of contiguous values with a precomputed twiddle table. The complex
// products are written out: std::complex's operator* checks for infinities and NaNs.
void transformContiguous(Complex* a, std::int64_t n, const std::vector<Complex>& w, bool inverse) {
    // Bit-reversal permutation, then iterative butterflies.
    for (std::int64_t i = 1, j = 0; i < n; ++i) {
        std::int64_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) std::swap(a[i], a[j]);
    }
    double* d = reinterpret_cast<double*>(a);
    const double* t = reinterpret_cast<const double*>(w.data());
    const double sign = inverse ? -1.0 : 1.0;
    for (std::int64_t len = 2; len <= n; len <<= 1) {
        const std::int64_t half = len / 2, stride = n / len;
        for (std::int64_t start = 0; start < n; start += len)
            for (std::int64_t k = 0; k < half; ++k) {
                const double wr = t[2 * k * stride], wi = sign * t[2 * k * stride + 1];
                double* u = d + 2 * (start + k);
                double* v = d + 2 * (start + k + half);
                const double vr = v[0] * wr - v[1] * wi, vi = v[0] * wi + v[1] * wr;
                v[0] = u[0] - vr;
                v[1] = u[1] - vi;
                u[0] += vr;
                u[1] += vi;
            }
    }
    if (inverse) {
        const double scale = 1.0 / double(n);
        for (std::int64_t i = 0; i < 2 * n; ++i) d[i] *= scale;
    }
}

// Transforms `count` sequences of length n spaced `stride` apart, sequence j starting at
// data + j * step, gathering them into a contiguous buffer.
void transformStrided(Complex* data, std::int64_t n, std::int64_t stride, std::int64_t count, std::int64_t step,
                      const std::vector<Complex>& w, bool inverse, std::vector<Complex>& buffer) {
    buffer.resize(std::size_t(n));
    for (std::int64_t j = 0; j < count; ++j) {
        Complex* s = data + j * step;
        if (stride == 1) {
            transformContiguous(s, n, w, inverse);
            continue;
        }
        for (std::int64_t i = 0; i < n; ++i) buffer[std::size_t(i)] = s[i * stride];
        transformContiguous(buffer.data(), n, w, inverse);
        for (std::int64_t i = 0; i < n; ++i) s[i * stride] = buffer[std::size_t(i)];
    }
}
}  // namespace

void fft1d(Complex* data, std::int64_t n, std::int64_t stride, bool inverse) {
    if (!isPowerOfTwo(n)) throw std::invalid_argument("fft1d: length " + std::to_string(n) + " is not a power of two");
    if (n == 1) return;
    std::vector<Complex> buffer;
    transformStrided(data, n, stride, 1, 0, twiddles(n), inverse, buffer);
}

void fftAxis(std::vector<Complex>& data, std::int64_t nx, std::int64_t ny, std::int64_t nz, int axis, bool inverse) {
    if (std::int64_t(data.size()) != nx * ny * nz) throw std::invalid_argument("fftAxis: size does not match dims");
    if (!isPowerOfTwo(nx) || !isPowerOfTwo(ny) || !isPowerOfTwo(nz))
        throw std::invalid_argument("fftAxis: dimensions must be powers of two");
    Complex* d = data.data();
    std::vector<Complex> buffer;
    if (axis == 0 && nx > 1) transformStrided(d, nx, 1, ny * nz, nx, twiddles(nx), inverse, buffer);
    if (axis == 1 && ny > 1) {
        const auto w = twiddles(ny);
        for (std::int64_t z = 0; z < nz; ++z) transformStrided(d + nx * ny * z, ny, nx, nx, 1, w, inverse, buffer);
    }
    if (axis == 2 && nz > 1) transformStrided(d, nz, nx * ny, nx * ny, 1, twiddles(nz), inverse, buffer);
}

void fftNd(std::vector<Complex>& data, std::int64_t nx, std::int64_t ny, std::int64_t nz, bool inverse) {
    for (int axis = 0; axis < 3; ++axis) fftAxis(data, nx, ny, nz, axis, inverse);
}

}  // namespace cellforge::simulation
