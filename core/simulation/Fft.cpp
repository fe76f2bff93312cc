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

// ---- mixed radix ------------------------------------------------------------------

namespace cellforge::simulation {

namespace {

// Radices in the order the stages use them: fours first, then two, three, five, the rest.
std::vector<int> factorize(std::int64_t n) {
    std::vector<int> radices;
    while (n % 4 == 0) radices.push_back(4), n /= 4;
    for (int r : {2, 3, 5})
        while (n % r == 0) radices.push_back(r), n /= r;
    for (std::int64_t r = 7; n > 1; r += 2)
        while (n % r == 0) radices.push_back(int(r)), n /= r;
    return radices;
}

// One Stockham pass of radix r: for each p < m = length / r the r inputs j (at
// x + (p + j m) L) go through an r-point DFT and twiddles into outputs k (at
// y + (r p + k) L), each a run of L = stride * batch contiguous values.
void radixPass(int r, std::int64_t length, std::int64_t L, const Complex* twiddles, const Complex* x, Complex* y,
               bool inverse) {
    const std::int64_t m = length / r;
    const double sign = inverse ? -1.0 : 1.0;  // conjugates the roots and twiddles
    auto twiddle = [&](Complex& v, const Complex& w) {
        const double wr = w.real(), wi = sign * w.imag();
        v = Complex(v.real() * wr - v.imag() * wi, v.real() * wi + v.imag() * wr);
    };
    std::vector<Complex> roots, a;  // the direct DFT's
    if (r != 2 && r != 3 && r != 4) {
        a.resize(std::size_t(r));
        for (int q = 0; q < r; ++q) roots.push_back(std::polar(1.0, -sign * 2.0 * M_PI * q / r));
    }
    for (std::int64_t p = 0; p < m; ++p) {
        const Complex* w = twiddles + p * (r - 1);
        const Complex* in = x + p * L;
        Complex* out = y + r * p * L;
        const std::int64_t inStep = m * L;
        if (r == 2) {
            for (std::int64_t e = 0; e < L; ++e) {
                const Complex a0 = in[e], a1 = in[e + inStep];
                Complex b1 = a0 - a1;
                if (p) twiddle(b1, w[0]);
                out[e] = a0 + a1;
                out[e + L] = b1;
            }
        } else if (r == 4) {
            for (std::int64_t e = 0; e < L; ++e) {
                const Complex a0 = in[e], a1 = in[e + inStep], a2 = in[e + 2 * inStep], a3 = in[e + 3 * inStep];
                const Complex t0 = a0 + a2, t1 = a0 - a2, t2 = a1 + a3, t3 = a1 - a3;
                const Complex rot(sign * t3.imag(), -sign * t3.real());  // -i t3 (forward), +i t3 (inverse)
                Complex b1 = t1 + rot, b2 = t0 - t2, b3 = t1 - rot;
                if (p) {
                    twiddle(b1, w[0]);
                    twiddle(b2, w[1]);
                    twiddle(b3, w[2]);
                }
                out[e] = t0 + t2;
                out[e + L] = b1;
                out[e + 2 * L] = b2;
                out[e + 3 * L] = b3;
            }
        } else if (r == 3) {
            const double h = 0.5 * std::sqrt(3.0);
            for (std::int64_t e = 0; e < L; ++e) {
                const Complex a0 = in[e], a1 = in[e + inStep], a2 = in[e + 2 * inStep];
                const Complex t1 = a1 + a2, t2 = a1 - a2;
                const Complex mid = a0 - 0.5 * t1;
                const Complex rot(sign * h * t2.imag(), -sign * h * t2.real());  // -i (sqrt 3 / 2) t2
                Complex b1 = mid + rot, b2 = mid - rot;
                if (p) {
                    twiddle(b1, w[0]);
                    twiddle(b2, w[1]);
                }
                out[e] = a0 + t1;
                out[e + L] = b1;
                out[e + 2 * L] = b2;
            }
        } else {
            for (std::int64_t e = 0; e < L; ++e) {
                for (int j = 0; j < r; ++j) a[std::size_t(j)] = in[e + j * inStep];
                for (int k = 0; k < r; ++k) {
                    Complex b = 0;
                    for (int j = 0; j < r; ++j) {
                        const Complex& root = roots[std::size_t((j * k) % r)];
                        const Complex& v = a[std::size_t(j)];
                        b += Complex(v.real() * root.real() - v.imag() * root.imag(),
                                     v.real() * root.imag() + v.imag() * root.real());
                    }
                    if (k && p) twiddle(b, w[k - 1]);
                    out[e + k * L] = b;
                }
            }
        }
    }
}

}  // namespace

FftPlan::FftPlan(std::int64_t n) : n_(n) {
    if (n < 1) throw std::invalid_argument("FftPlan: length " + std::to_string(n) + " is not positive");
    std::int64_t length = n, stride = 1;
    for (int r : factorize(n)) {
        Stage stage{r, length, stride, {}};
        const std::int64_t m = length / r;
        stage.twiddles.resize(std::size_t(m * (r - 1)));
        for (std::int64_t p = 0; p < m; ++p)
            for (int k = 1; k < r; ++k)
                stage.twiddles[std::size_t(p * (r - 1) + k - 1)] =
                    std::polar(1.0, -2.0 * M_PI * double(p * k) / double(length));
        stages_.push_back(std::move(stage));
        length = m;
        stride *= r;
    }
}

void FftPlan::transform(Complex* data, std::int64_t batch, bool inverse, std::vector<Complex>& scratch) const {
    if (n_ == 1) return;
    const std::size_t total = std::size_t(n_ * batch);
    if (scratch.size() < total) scratch.resize(total);
    Complex* x = data;
    Complex* y = scratch.data();
    for (const Stage& s : stages_) {
        radixPass(s.radix, s.length, s.stride * batch, s.twiddles.data(), x, y, inverse);
        std::swap(x, y);
    }
    if (x != data) std::copy(x, x + total, data);
    if (inverse) {
        const double scale = 1.0 / double(n_);
        for (std::size_t i = 0; i < total; ++i) data[i] *= scale;
    }
}

void fft3dAxis(std::vector<Complex>& data, std::int64_t nx, std::int64_t ny, std::int64_t nz, int axis, bool inverse,
               std::int64_t zBegin, std::int64_t zEnd, std::vector<Complex>* scratchIn) {
    if (nx < 1 || ny < 1 || nz < 1 || std::int64_t(data.size()) != nx * ny * nz)
        throw std::invalid_argument("fft3dAxis: size does not match dims");
    if (zEnd < 0) zEnd = nz;
    zBegin = std::clamp<std::int64_t>(zBegin, 0, nz);
    zEnd = std::clamp<std::int64_t>(zEnd, zBegin, nz);
    std::vector<Complex> ownScratch;
    std::vector<Complex>& scratch = scratchIn ? *scratchIn : ownScratch;
    Complex* d = data.data();
    if (axis == 0 && nx > 1) {
        // Each plane transposed (into the scratch's second half), so that its rows are
        // transformed as one batch.
        const FftPlan plan(nx);
        const std::size_t area = std::size_t(nx * ny);
        if (scratch.size() < 2 * area) scratch.resize(2 * area);
        Complex* transposed = scratch.data() + area;
        for (std::int64_t z = zBegin; z < zEnd; ++z) {
            Complex* plane = d + z * nx * ny;
            for (std::int64_t y = 0; y < ny; ++y)
                for (std::int64_t x = 0; x < nx; ++x) transposed[std::size_t(x * ny + y)] = plane[y * nx + x];
            plan.transform(transposed, ny, inverse, scratch);
            for (std::int64_t y = 0; y < ny; ++y)
                for (std::int64_t x = 0; x < nx; ++x) plane[y * nx + x] = transposed[std::size_t(x * ny + y)];
        }
    }
    if (axis == 1 && ny > 1) {
        const FftPlan plan(ny);
        for (std::int64_t z = zBegin; z < zEnd; ++z) plan.transform(d + z * nx * ny, nx, inverse, scratch);
    }
    if (axis == 2 && nz > 1) FftPlan(nz).transform(d, nx * ny, inverse, scratch);
}

void fft3d(std::vector<Complex>& data, std::int64_t nx, std::int64_t ny, std::int64_t nz, bool inverse,
           std::vector<Complex>* scratch) {
    std::vector<Complex> own;
    for (int axis = 0; axis < 3; ++axis) fft3dAxis(data, nx, ny, nz, axis, inverse, 0, -1, scratch ? scratch : &own);
}

}  // namespace cellforge::simulation
