#include "core/ml/Fft.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace cellforge::ml {

std::int64_t nextPowerOfTwo(std::int64_t n) {
    std::int64_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

namespace {
bool isPowerOfTwo(std::int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

void transformContiguous(Complex* a, std::int64_t n, bool inverse) {
    // Bit-reversal permutation, then iterative butterflies.
    for (std::int64_t i = 1, j = 0; i < n; ++i) {
        std::int64_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) std::swap(a[i], a[j]);
    }
    const double sign = inverse ? 1.0 : -1.0;
    for (std::int64_t len = 2; len <= n; len <<= 1) {
        const double angle = sign * 2.0 * M_PI / double(len);
        const Complex step(std::cos(angle), std::sin(angle));
        for (std::int64_t start = 0; start < n; start += len) {
            Complex w(1.0, 0.0);
            for (std::int64_t k = 0; k < len / 2; ++k) {
                const Complex u = a[start + k];
                const Complex v = a[start + k + len / 2] * w;
                a[start + k] = u + v;
                a[start + k + len / 2] = u - v;
                w *= step;
            }
        }
    }
    if (inverse) {
        const double scale = 1.0 / double(n);
        for (std::int64_t i = 0; i < n; ++i) a[i] *= scale;
    }
}
}  // namespace

void fft1d(Complex* data, std::int64_t n, std::int64_t stride, bool inverse) {
    if (!isPowerOfTwo(n)) throw std::invalid_argument("fft1d: length " + std::to_string(n) + " is not a power of two");
    if (n == 1) return;
    if (stride == 1) {
        transformContiguous(data, n, inverse);
        return;
    }
    std::vector<Complex> buffer(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) buffer[i] = data[i * stride];
    transformContiguous(buffer.data(), n, inverse);
    for (std::int64_t i = 0; i < n; ++i) data[i * stride] = buffer[i];
}

void fftNd(std::vector<Complex>& data, std::int64_t nx, std::int64_t ny, std::int64_t nz, bool inverse) {
    if (std::int64_t(data.size()) != nx * ny * nz) throw std::invalid_argument("fftNd: size does not match dims");
    Complex* d = data.data();
    for (std::int64_t z = 0; z < nz; ++z)
        for (std::int64_t y = 0; y < ny; ++y) fft1d(d + nx * (y + ny * z), nx, 1, inverse);
    if (ny > 1)
        for (std::int64_t z = 0; z < nz; ++z)
            for (std::int64_t x = 0; x < nx; ++x) fft1d(d + x + nx * ny * z, ny, nx, inverse);
    if (nz > 1)
        for (std::int64_t y = 0; y < ny; ++y)
            for (std::int64_t x = 0; x < nx; ++x) fft1d(d + x + nx * y, nz, nx * ny, inverse);
}

}  // namespace cellforge::ml
