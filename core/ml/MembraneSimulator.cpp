#include "core/ml/MembraneSimulator.h"

#include "core/base/Errors.h"
#include "core/ml/Fft.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace cellforge::ml {

std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t index) {
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (index + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

namespace {

// xoshiro256** with our own uniform and normal draws, so results do not depend on the
// standard library's distribution implementations.
class Rng {
public:
    explicit Rng(std::uint64_t seed) {
        for (int i = 0; i < 4; ++i) state_[i] = mixSeed(seed, std::uint64_t(i));
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }
    double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    double logUniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }
    int integer(int lo, int hi) { return lo + int(uniform() * double(hi - lo + 1)); }  // inclusive
    bool chance(double p) { return uniform() < p; }
    double normal() {
        if (hasSpare_) {
            hasSpare_ = false;
            return spare_;
        }
        double u1 = uniform();
        while (u1 <= 1e-300) u1 = uniform();
        const double u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        spare_ = r * std::sin(2.0 * M_PI * u2);
        hasSpare_ = true;
        return r * std::cos(2.0 * M_PI * u2);
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t state_[4];
    bool hasSpare_ = false;
    double spare_ = 0;
};

// An ellipsoidal membrane (rotated about z), or its section when seen in one slice.
struct Shell {
    double cx = 0, cy = 0, cz = 0;
    double a = 1, b = 1, c = 1;
    double cosPhi = 1, sinPhi = 0;
    double thickness = 4;
    bool bilayer = false;
    double contrast = 1;
    double lumen = 0;                             // density added inside (outer shells only)
    std::vector<std::pair<double, double>> gaps;  // (centre angle, half width), radians

    // Approximate signed distance to the surface (negative inside): (F - 1) / |grad F|
    // with F the ellipsoid's homogeneous norm; exact for spheres. Also the angle in the
    // shell's own frame, for gaps.
    double distance(double x, double y, double z, double* angle) const {
        const double dx = x - cx, dy = y - cy, dz = z - cz;
        const double u = cosPhi * dx + sinPhi * dy;
        const double v = -sinPhi * dx + cosPhi * dy;
        const double ua = u / a, vb = v / b, wc = dz / c;
        const double f = std::sqrt(ua * ua + vb * vb + wc * wc);
        if (angle) *angle = std::atan2(vb, ua);
        if (f < 1e-9) return -std::min({a, b, c});
        const double gx = ua / a, gy = vb / b, gz = wc / c;
        const double grad = std::sqrt(gx * gx + gy * gy + gz * gz) / f;
        return (f - 1.0) / grad;
    }
    double visibility(double angle) const {
        double vis = 1.0;
        constexpr double ramp = 0.2;
        for (const auto& [centre, half] : gaps) {
            double delta = std::fabs(std::remainder(angle - centre, 2.0 * M_PI));
            if (delta < half) return 0.0;
            if (delta < half + ramp) vis = std::min(vis, (delta - half) / ramp);
        }
        return vis;
    }
    double extentXY() const { return std::max(a, b) + thickness; }
};

struct Blob {
    double x = 0, y = 0, z = 0, radius = 3, contrast = 1;
};

double membraneProfile(double d, double thickness, bool bilayer) {
    if (bilayer) {
        const double s = thickness / 6.0, off = thickness / 4.0;
        const double g =
            std::exp(-(d - off) * (d - off) / (2 * s * s)) + std::exp(-(d + off) * (d + off) / (2 * s * s));
        return g / (1.0 + std::exp(-(2 * off) * (2 * off) / (2 * s * s)));
    }
    const double s = thickness / 4.0;
    return std::exp(-d * d / (2 * s * s));
}

// Smooth ball: 1 inside, a cosine edge two voxels wide centred on the radius.
double blobDensity(double distanceFromCentre, double radius) {
    const double d = distanceFromCentre - radius;
    if (d <= -1.0) return 1.0;
    if (d >= 1.0) return 0.0;
    return 0.5 * (1.0 + std::cos(M_PI * (d + 1.0) / 2.0));
}

// Density and class at one point of the scene.
void evaluatePoint(const std::vector<Shell>& shells, const std::vector<Blob>& blobs, double x, double y, double z,
                   double& density, std::uint8_t& label) {
    density = 0;
    label = kBackground;
    for (const Shell& s : shells) {
        if (std::fabs(x - s.cx) > s.extentXY() + 2 || std::fabs(y - s.cy) > s.extentXY() + 2) continue;
        double angle = 0;
        const double d = s.distance(x, y, z, &angle);
        if (d < 0 && s.lumen > 0) density += s.lumen;
        if (std::fabs(d) > 1.5 * s.thickness) continue;
        const double vis = s.gaps.empty() ? 1.0 : s.visibility(angle);
        density += s.contrast * vis * membraneProfile(d, s.thickness, s.bilayer);
        if (std::fabs(d) <= 0.5 * s.thickness && vis >= 0.5) label = kMembrane;
    }
    for (const Blob& b : blobs) {
        const double dx = x - b.x, dy = y - b.y, dz = z - b.z;
        const double reach = b.radius + 1.0;
        if (std::fabs(dx) > reach || std::fabs(dy) > reach || std::fabs(dz) > reach) continue;
        const double r = std::sqrt(dx * dx + dy * dy + dz * dz);
        density += b.contrast * blobDensity(r, b.radius);
        if (r <= b.radius && label == kBackground) label = kProtein;
    }
}

// The amplitude filter applied to signal and noise together, at radial frequency f.
double amplitudeFilter(const ImageSimulatorSettings& s, double f, double spectrumNorm) {
    double amp;
    if (s.matchTomogram && !s.match.spectrum.empty())
        amp = std::sqrt(std::max(0.0, s.match.spectrum.at(f))) / spectrumNorm;
    else
        amp = std::exp(-2.0 * M_PI * M_PI * s.blurSigma * s.blurSigma * f * f);
    if (s.bandpassLow > 0) amp *= 1.0 - std::exp(-f * f / (2 * s.bandpassLow * s.bandpassLow));
    if (s.bandpassHigh > 0) amp *= std::exp(-f * f / (2 * s.bandpassHigh * s.bandpassHigh));
    return amp;
}

// Normaliser for a measured spectrum: the amplitude at low frequencies becomes ~1.
double spectrumNormaliser(const RadialSpectrum& spectrum) {
    double best = 0;
    const std::size_t n = spectrum.power.size();
    for (std::size_t i = 1; i < std::max<std::size_t>(2, n / 4); ++i) best = std::max(best, spectrum.power[i]);
    return best > 0 ? std::sqrt(best) : 1.0;
}

// Fourier components a single-axis tilt series from -range to +range never measured:
// |fz| > tan(range) |f_perp|, f_perp the frequency across the tilt axis (fz = f_perp = 0,
// the mean, is kept).
bool inMissingWedge(double fPerp, double fz, double tanRange) {
    return !(fPerp == 0 && fz == 0) && std::fabs(fz) > tanRange * std::fabs(fPerp);
}

std::string describe(const char* field, double value, const char* expected) {
    std::ostringstream s;
    s << "simulator setting '" << field << "' is " << value << "; expected " << expected;
    return s.str();
}

}  // namespace

double RadialSpectrum::at(double frequency) const {
    if (power.empty()) return 1.0;
    const double pos = std::clamp(frequency, 0.0, 0.5) / 0.5 * double(power.size() - 1);
    const std::size_t i = std::min<std::size_t>(std::size_t(pos), power.size() - 2);
    const double t = pos - double(i);
    return power[i] * (1 - t) + power[i + 1] * t;
}

TomogramStatistics measureTomogram(std::int64_t nx, std::int64_t ny, std::int64_t nz, const SliceReader& readSlice,
                                   int maxSlices) {
    if (nx < 1 || ny < 1 || nz < 1) throw InputError("measureTomogram: empty tomogram");
    TomogramStatistics stats;
    const int count = int(std::min<std::int64_t>(nz, std::max(1, maxSlices)));
    std::int64_t patch = 1;
    while (patch * 2 <= std::min<std::int64_t>({nx, ny, 256})) patch *= 2;
    const bool spectrum = patch >= 16;
    const std::int64_t bins = patch / 2 + 1;
    std::vector<double> power(std::size_t(bins), 0.0), weight(std::size_t(bins), 0.0);
    double alongFy = 0, alongFx = 0;  // power in the bands along each frequency axis
    std::vector<float> slice(std::size_t(nx * ny));
    std::vector<Complex> buffer(std::size_t(patch * patch));
    std::vector<double> window(static_cast<std::size_t>(patch));
    for (std::int64_t i = 0; i < patch; ++i) window[i] = 0.5 - 0.5 * std::cos(2 * M_PI * (i + 0.5) / double(patch));
    double sum = 0, sumSq = 0;
    std::int64_t n = 0;
    for (int k = 0; k < count; ++k) {
        const std::int64_t z = count == 1 ? nz / 2 : (std::int64_t(k) * (nz - 1)) / (count - 1);
        readSlice(z, slice.data());
        for (float v : slice) {
            sum += v;
            sumSq += double(v) * v;
        }
        n += nx * ny;
        if (!spectrum) continue;
        // Up to 2 x 2 patches per slice, spread over the slice.
        const std::int64_t px = nx >= 2 * patch ? 2 : 1, py = ny >= 2 * patch ? 2 : 1;
        for (std::int64_t j = 0; j < py; ++j)
            for (std::int64_t i = 0; i < px; ++i) {
                const std::int64_t x0 = px == 1 ? (nx - patch) / 2 : i * (nx - patch);
                const std::int64_t y0 = py == 1 ? (ny - patch) / 2 : j * (ny - patch);
                double mean = 0;
                for (std::int64_t y = 0; y < patch; ++y)
                    for (std::int64_t x = 0; x < patch; ++x) mean += slice[(y0 + y) * nx + x0 + x];
                mean /= double(patch * patch);
                for (std::int64_t y = 0; y < patch; ++y)
                    for (std::int64_t x = 0; x < patch; ++x)
                        buffer[y * patch + x] = (slice[(y0 + y) * nx + x0 + x] - mean) * window[x] * window[y];
                fftNd(buffer, patch, patch, 1, false);
                for (std::int64_t y = 0; y < patch; ++y)
                    for (std::int64_t x = 0; x < patch; ++x) {
                        const double fx = fftFrequency(x, patch), fy = fftFrequency(y, patch);
                        const double f = std::hypot(fx, fy);
                        if (f > 0.5) continue;
                        if (f > 0.08 && f < 0.3) {
                            if (std::fabs(fx) < 0.25 * std::fabs(fy)) alongFy += std::norm(buffer[y * patch + x]);
                            if (std::fabs(fy) < 0.25 * std::fabs(fx)) alongFx += std::norm(buffer[y * patch + x]);
                        }
                        const double pos = f / 0.5 * double(bins - 1);
                        const std::size_t b = std::size_t(std::lround(pos));
                        power[b] += std::norm(buffer[y * patch + x]);
                        weight[b] += 1;
                    }
            }
    }
    stats.mean = sum / double(n);
    stats.stddev = std::sqrt(std::max(0.0, sumSq / double(n) - stats.mean * stats.mean));
    stats.slicesMeasured = count;
    if (alongFx > 0 && alongFy > 0) stats.axisPowerRatio = alongFy / alongFx;
    if (spectrum) {
        stats.spectrum.power.resize(std::size_t(bins));
        for (std::int64_t b = 0; b < bins; ++b) stats.spectrum.power[b] = weight[b] > 0 ? power[b] / weight[b] : 0.0;
        // Bin 0 holds only the (removed) mean: take its neighbour's value.
        stats.spectrum.power[0] = stats.spectrum.power[1];
    }
    return stats;
}

char followTiltAxis(ImageSimulatorSettings& settings, const TomogramStatistics& tomogram) {
    const char axis = tomogram.tiltAxis();
    if (axis == 'y') settings.tiltAxis = ImageSimulatorSettings::TiltAxis::Y;
    if (axis == 'x') settings.tiltAxis = ImageSimulatorSettings::TiltAxis::X;
    if (axis == 0) settings.missingWedge = false;
    return axis;
}

void validateSettings(const ImageSimulatorSettings& s) {
    if (s.size < 16 || s.size > 4096) throw InputError(describe("size", s.size, "16 to 4096 voxels"));
    if (s.contextSlices < 1 || s.contextSlices % 2 == 0 || s.contextSlices > 15)
        throw InputError(describe("context_slices", s.contextSlices, "an odd number from 1 to 15"));
    if (s.membranesMin < 0 || s.membranesMax < s.membranesMin)
        throw InputError(describe("membranes", s.membranesMax, "membranesMax >= membranesMin >= 0"));
    if (!(s.radiusMin > 2) || s.radiusMax < s.radiusMin)
        throw InputError(describe("radius", s.radiusMin, "2 < radiusMin <= radiusMax"));
    if (!(s.thicknessMin > 0.5) || s.thicknessMax < s.thicknessMin)
        throw InputError(describe("thickness", s.thicknessMin, "0.5 < thicknessMin <= thicknessMax (voxels)"));
    if (!(s.proteinRadiusMin > 0.5) || s.proteinRadiusMax < s.proteinRadiusMin)
        throw InputError(describe("protein radius", s.proteinRadiusMin, "0.5 < min <= max (voxels)"));
    if (!(s.snrMin > 0) || s.snrMax < s.snrMin) throw InputError(describe("snr", s.snrMin, "0 < snrMin <= snrMax"));
    if (s.blurSigma < 0) throw InputError(describe("blur", s.blurSigma, ">= 0 voxels"));
    if (s.bandpassLow < 0 || s.bandpassHigh < 0 || s.bandpassLow > 0.5 || s.bandpassHigh > 0.5)
        throw InputError(describe("bandpass", std::max(s.bandpassLow, s.bandpassHigh), "0 to 0.5 cycles/voxel"));
    if (s.missingWedge) {
        if (s.slabDepth < 8 || s.slabDepth > 256 || nextPowerOfTwo(s.slabDepth) != s.slabDepth)
            throw InputError(describe("slab_depth", s.slabDepth, "a power of two from 8 to 256 slices"));
        if (s.contextSlices > s.slabDepth / 2)
            throw InputError(describe("context_slices", s.contextSlices, "at most half the slab depth"));
        if (!(s.tiltRangeMin > 0) || s.tiltRangeMax < s.tiltRangeMin || s.tiltRangeMax > 90)
            throw InputError(describe("tilt_range", s.tiltRangeMin, "0 < min <= max <= 90 degrees"));
    }
    if (s.matchTomogram && !(s.match.stddev > 0))
        throw InputError(describe("match.stddev", s.match.stddev, "> 0 (a tomogram with contrast)"));
}

void simulateMembraneImage(const ImageSimulatorSettings& s, std::uint64_t seed, float* image, std::uint8_t* labels) {
    simulateMembraneImage(s, seed, mixSeed(seed, 0xA0C3E7ull), image, labels);
}

void simulateMembraneImage(const ImageSimulatorSettings& s, std::uint64_t sceneSeed, std::uint64_t variationSeed,
                           float* image, std::uint8_t* labels) {
    validateSettings(s);
    Rng rng(sceneSeed);
    const int n = s.size;
    const double centre = 0.5 * (n - 1);
    const bool slab = s.missingWedge;

    // The scene: shells cut by the slice plane z = 0, and protein blobs. In a slab the
    // shells' centres spread over their whole height (and a little beyond), so slices
    // through caps, and caps just above or below the slice, are seen as in a tomogram.
    std::vector<Shell> shells;
    std::vector<Blob> blobs;
    const int membraneCount = rng.integer(s.membranesMin, s.membranesMax);
    for (int m = 0; m < membraneCount; ++m) {
        Shell sh;
        const bool large = rng.chance(s.largeMembraneFraction);
        sh.a = large ? rng.uniform(250, 700) : rng.logUniform(s.radiusMin, s.radiusMax);
        sh.b = sh.a * rng.uniform(0.55, 1.0);
        sh.c = std::max(sh.a, sh.b) * rng.uniform(0.6, 1.2);
        const double phi = rng.uniform(0, M_PI);
        sh.cosPhi = std::cos(phi);
        sh.sinPhi = std::sin(phi);
        const double height = slab ? 1.0 + 6.0 / sh.c : 0.55;
        sh.cz = large ? 0.0 : rng.uniform(-height, height) * sh.c;
        // Place the centre so that the section passes through a random point of the image.
        const double scale = std::sqrt(std::max(0.05, 1.0 - (sh.cz / sh.c) * (sh.cz / sh.c)));
        const double theta = rng.uniform(0, 2 * M_PI);
        const double ux = sh.a * scale * std::cos(theta), uy = sh.b * scale * std::sin(theta);
        const double px = rng.uniform(0.1, 0.9) * n, py = rng.uniform(0.1, 0.9) * n;
        sh.cx = px - (sh.cosPhi * ux - sh.sinPhi * uy);
        sh.cy = py - (sh.sinPhi * ux + sh.cosPhi * uy);
        sh.thickness = rng.uniform(s.thicknessMin, s.thicknessMax);
        sh.bilayer = sh.thickness >= 4.5 && rng.chance(0.5);
        sh.contrast = rng.uniform(0.7, 1.3);
        sh.lumen = (!large && rng.chance(0.5)) ? rng.uniform(0.0, 0.2) : 0.0;
        if (rng.chance(s.gapProbability)) {
            const int gapCount = rng.integer(1, 3);
            for (int g = 0; g < gapCount; ++g) sh.gaps.emplace_back(rng.uniform(0, 2 * M_PI), rng.uniform(0.08, 0.6));
        }
        shells.push_back(sh);
        const double spacing = rng.uniform(s.doubleSpacingMin, s.doubleSpacingMax);
        const double inset = sh.thickness + spacing;
        if (rng.chance(s.doubleFraction) && std::min({sh.a, sh.b, sh.c}) > inset + 4) {
            Shell inner = sh;
            inner.a -= inset;
            inner.b -= inset;
            inner.c -= inset;
            inner.thickness = std::max(s.thicknessMin, sh.thickness * rng.uniform(0.85, 1.15));
            inner.lumen = 0;
            shells.back().lumen = 0;
            shells.push_back(inner);
        }
        // Proteins beside this membrane, mostly outside.
        const int proteinCount = int(rng.uniform(0, 2.0 * s.proteinsPerMembrane));
        for (int p = 0; p < proteinCount; ++p) {
            Blob b;
            b.radius = rng.uniform(s.proteinRadiusMin, s.proteinRadiusMax);
            b.contrast = rng.uniform(0.6, 1.2);
            const double t = rng.uniform(0, 2 * M_PI);
            const double ea = sh.a * scale, eb = sh.b * scale;
            const double lx = ea * std::cos(t), ly = eb * std::sin(t);
            double nxl = std::cos(t) / ea, nyl = std::sin(t) / eb;
            const double norm = std::hypot(nxl, nyl);
            nxl /= norm;
            nyl /= norm;
            const double side = rng.chance(0.75) ? 1.0 : -1.0;
            const double offset = side * (0.5 * sh.thickness + b.radius + rng.uniform(0.0, 2.0));
            const double qx = lx + offset * nxl, qy = ly + offset * nyl;
            b.x = sh.cx + sh.cosPhi * qx - sh.sinPhi * qy;
            b.y = sh.cy + sh.sinPhi * qx + sh.cosPhi * qy;
            b.z = rng.uniform(-0.5, 0.5) * b.radius;
            blobs.push_back(b);
        }
    }
    const int freeCount = int(rng.uniform(0, 2.0 * s.freeProteins));
    for (int p = 0; p < freeCount; ++p) {
        Blob b;
        b.radius = rng.uniform(s.proteinRadiusMin, s.proteinRadiusMax);
        b.contrast = rng.uniform(0.6, 1.2);
        b.x = rng.uniform(0, n);
        b.y = rng.uniform(0, n);
        // In a slab, half of them above or below the slice (their smear reaches it).
        b.z = (slab && rng.chance(0.5)) ? rng.uniform(-0.35, 0.35) * s.slabDepth : rng.uniform(-0.7, 0.7) * b.radius;
        blobs.push_back(b);
    }

    // Augmentation: the geometric part maps each output pixel to a scene point, so the
    // scene is drawn directly in deformed coordinates (labels stay exact). It and the
    // noise come from their own stream, so one scene can be varied from epoch to epoch.
    rng = Rng(variationSeed);
    const bool flipX = s.flips && rng.chance(0.5), flipY = s.flips && rng.chance(0.5);
    const double rot = s.rotations ? rng.uniform(0, 2 * M_PI) : 0.0;
    const double cr = std::cos(rot), sr = std::sin(rot);
    constexpr int grid = 5;
    double gridDx[grid][grid], gridDy[grid][grid];
    for (int j = 0; j < grid; ++j)
        for (int i = 0; i < grid; ++i) {
            gridDx[j][i] = s.elastic ? rng.normal() * s.elasticAmplitude : 0.0;
            gridDy[j][i] = s.elastic ? rng.normal() * s.elasticAmplitude : 0.0;
        }
    const double snr = rng.uniform(s.snrMin, s.snrMax) * (1.0 + s.intensityJitter * rng.uniform(-1.0, 1.0));
    const double sign = s.darkDensity ? -1.0 : 1.0;
    const double rampAngle = rng.uniform(0, 2 * M_PI);
    const double ramp = rng.uniform(0.0, s.rampAmplitude);
    const double tanRange = std::tan(rng.uniform(s.tiltRangeMin, s.tiltRangeMax) * M_PI / 180.0);
    const bool tiltAboutX =
        s.tiltAxis == ImageSimulatorSettings::TiltAxis::X || (s.tiltAxis == ImageSimulatorSettings::TiltAxis::Either &&
                                                              rng.chance(0.5));

    std::vector<double> sceneX(std::size_t(n) * n), sceneY(std::size_t(n) * n);
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            const double gx = double(x) / (n - 1) * (grid - 1), gy = double(y) / (n - 1) * (grid - 1);
            const int i0 = std::min(grid - 2, int(gx)), j0 = std::min(grid - 2, int(gy));
            const double tx = gx - i0, ty = gy - j0;
            auto lerp2 = [&](double(&g)[grid][grid]) {
                return (1 - ty) * ((1 - tx) * g[j0][i0] + tx * g[j0][i0 + 1]) +
                       ty * ((1 - tx) * g[j0 + 1][i0] + tx * g[j0 + 1][i0 + 1]);
            };
            double px = (flipX ? n - 1 - x : x) - centre, py = (flipY ? n - 1 - y : y) - centre;
            const double rx = cr * px - sr * py, ry = sr * px + cr * py;
            sceneX[std::size_t(y) * n + x] = rx + centre + lerp2(gridDx);
            sceneY[std::size_t(y) * n + x] = ry + centre + lerp2(gridDy);
        }

    // Filtering: signal and white noise pass through one linear filter, the noise
    // pre-scaled to unit variance after it: the in-plane envelope E(fx, fy) (the
    // tomogram's spectrum, or blur; band-pass) and, in a slab, the missing wedge
    // W(f_across, fz) times the blur along z. The slab is transformed only across the
    // tilt axis and along z; the inverse along z is evaluated at the kept slices alone,
    // and the envelope is applied to those slices in 2D (the filters commute).
    const std::int64_t padded = nextPowerOfTwo(n), plane = padded * padded;
    const std::int64_t depth = slab ? s.slabDepth : 1;
    const int across = tiltAboutX ? 1 : 0, along = 1 - across;  // axes of the plane
    const bool matched = s.matchTomogram && !s.match.spectrum.empty();
    const double norm = matched ? spectrumNormaliser(s.match.spectrum) : 1.0;
    const double sigmaZ = matched ? 0.0 : s.blurSigma;
    std::vector<double> zFilter(static_cast<std::size_t>(depth * padded)), zPower(static_cast<std::size_t>(padded), 0.0);
    for (std::int64_t z = 0; z < depth; ++z)
        for (std::int64_t q = 0; q < padded; ++q) {
            const double fz = fftFrequency(z, depth), fq = fftFrequency(q, padded);
            double a = std::exp(-2.0 * M_PI * M_PI * sigmaZ * sigmaZ * fz * fz);
            if (slab && inMissingWedge(fq, fz, tanRange)) a = 0;
            zFilter[std::size_t(z * padded + q)] = a;
            zPower[std::size_t(q)] += a * a;
        }
    std::vector<double> envelope(static_cast<std::size_t>(plane));
    double filterPower = 0;
    for (std::int64_t y = 0; y < padded; ++y)
        for (std::int64_t x = 0; x < padded; ++x) {
            const double e = amplitudeFilter(s, std::hypot(fftFrequency(x, padded), fftFrequency(y, padded)), norm);
            envelope[std::size_t(y * padded + x)] = e;
            filterPower += e * e * zPower[std::size_t(tiltAboutX ? y : x)];
        }
    const double noiseGain = std::sqrt(std::max(1e-12, filterPower / double(plane * depth)));
    const double rampX = ramp * std::cos(rampAngle) / centre, rampY = ramp * std::sin(rampAngle) / centre;

    const int k = s.contextSlices;
    std::vector<Complex> volume(static_cast<std::size_t>(plane * depth)), slice(static_cast<std::size_t>(plane));
    std::vector<Complex> phase(static_cast<std::size_t>(depth));
    double sum = 0, sumSq = 0;
    for (int pass = 0; pass < (slab ? 1 : k); ++pass) {
        for (std::int64_t z = 0; z < depth; ++z) {
            const double sceneZ = slab ? double(z - depth / 2) : double(pass - k / 2);
            Complex* out = volume.data() + z * plane;
            for (std::int64_t y = 0; y < padded; ++y)
                for (std::int64_t x = 0; x < padded; ++x) {
                    double value = rng.normal() / noiseGain;  // noise in the padding too (stationary at the edges)
                    if (x < n && y < n) {
                        double density = 0;
                        std::uint8_t label = 0;
                        const std::size_t i = std::size_t(y * n + x);
                        evaluatePoint(shells, blobs, sceneX[i], sceneY[i], sceneZ, density, label);
                        if (sceneZ == 0) labels[i] = label;
                        value += sign * snr * density;
                    }
                    out[y * padded + x] = value;
                }
        }
        fftAxis(volume, padded, padded, depth, across, false);
        fftAxis(volume, padded, padded, depth, 2, false);
        for (std::int64_t z = 0; z < depth; ++z)
            for (std::int64_t y = 0; y < padded; ++y)
                for (std::int64_t x = 0; x < padded; ++x)
                    volume[std::size_t(z * plane + y * padded + x)] *=
                        zFilter[std::size_t(z * padded + (tiltAboutX ? y : x))];
        for (int c = slab ? 0 : pass; c < (slab ? k : pass + 1); ++c) {
            // Inverse along z at this slice only.
            const std::int64_t zKept = slab ? depth / 2 + c - k / 2 : 0;
            for (std::int64_t z = 0; z < depth; ++z)
                phase[std::size_t(z)] = std::polar(1.0 / double(depth), 2.0 * M_PI * double(z * zKept) / double(depth));
            for (std::int64_t i = 0; i < plane; ++i) {
                Complex acc = 0;
                for (std::int64_t z = 0; z < depth; ++z) {
                    const Complex& v = volume[std::size_t(z * plane + i)];
                    const Complex& p = phase[std::size_t(z)];
                    acc += Complex(v.real() * p.real() - v.imag() * p.imag(), v.real() * p.imag() + v.imag() * p.real());
                }
                slice[std::size_t(i)] = acc;
            }
            fftAxis(slice, padded, padded, 1, along, false);
            for (std::int64_t i = 0; i < plane; ++i) slice[std::size_t(i)] *= envelope[std::size_t(i)];
            fftAxis(slice, padded, padded, 1, across, true);
            fftAxis(slice, padded, padded, 1, along, true);
            float* out = image + std::size_t(c) * n * n;
            for (int y = 0; y < n; ++y)
                for (int x = 0; x < n; ++x) {
                    const double v = slice[std::size_t(y * padded + x)].real() + rampX * (x - centre) + rampY * (y - centre);
                    out[std::size_t(y) * n + x] = float(v);
                    sum += v;
                    sumSq += v * v;
                }
        }
    }
    // Intensities: the tomogram's mean and standard deviation, or 0 and 1.
    const double count = double(k) * n * n;
    const double mean = sum / count;
    const double sd = std::sqrt(std::max(1e-12, sumSq / count - mean * mean));
    const double targetMean = s.matchTomogram ? s.match.mean : 0.0;
    const double targetSd = s.matchTomogram ? s.match.stddev : 1.0;
    for (std::size_t i = 0; i < std::size_t(count); ++i)
        image[i] = float(targetMean + targetSd * (image[i] - mean) / sd);
}

Phantom simulatePhantom(const PhantomSettings& s, std::uint64_t seed) {
    if (s.nx < 8 || s.ny < 8 || s.nz < 1 || s.nx > 2048 || s.ny > 2048 || s.nz > 1024)
        throw InputError("phantom size " + std::to_string(s.nx) + " x " + std::to_string(s.ny) + " x " +
                         std::to_string(s.nz) + " is out of range (8..2048 x 8..2048 x 1..1024)");
    if (!(s.radiusMin > 3) || s.radiusMax < s.radiusMin)
        throw InputError("phantom radius range: expected 3 < min <= max");
    if (!(s.snr > 0)) throw InputError("phantom snr must be > 0");
    if (s.tiltRangeDegrees <= 0 || s.tiltRangeDegrees > 90)
        throw InputError("phantom tilt range must be in (0, 90] degrees");
    Rng rng(seed);
    std::vector<Shell> shells;
    std::vector<Blob> blobs;
    struct Placed {
        double x, y, z, r;
    };
    std::vector<Placed> placed;
    for (int v = 0; v < s.vesicles; ++v) {
        for (int attempt = 0; attempt < 200; ++attempt) {
            Shell sh;
            sh.a = rng.logUniform(s.radiusMin, s.radiusMax);
            sh.b = sh.a * rng.uniform(0.8, 1.0);
            sh.c = std::max(sh.a, sh.b) * rng.uniform(s.flatteningMin, s.flatteningMax);
            sh.cx = rng.uniform(0, double(s.nx));
            sh.cy = rng.uniform(0, double(s.ny));
            sh.cz = rng.uniform(0.2, 0.8) * double(s.nz);
            const double reach = std::max(sh.a, sh.b);
            bool clash = false;
            for (const Placed& p : placed) {
                const double d = std::sqrt((p.x - sh.cx) * (p.x - sh.cx) + (p.y - sh.cy) * (p.y - sh.cy) +
                                           (p.z - sh.cz) * (p.z - sh.cz));
                if (d < p.r + reach + 6) clash = true;
            }
            if (clash) continue;
            const double phi = rng.uniform(0, M_PI);
            sh.cosPhi = std::cos(phi);
            sh.sinPhi = std::sin(phi);
            sh.thickness = rng.uniform(s.thicknessMin, s.thicknessMax);
            sh.bilayer = sh.thickness >= 4.5 && rng.chance(0.5);
            sh.contrast = rng.uniform(0.8, 1.2);
            sh.lumen = rng.uniform(0.0, 0.15);
            placed.push_back({sh.cx, sh.cy, sh.cz, reach});
            shells.push_back(sh);
            const double inset = sh.thickness + rng.uniform(s.doubleSpacingMin, s.doubleSpacingMax);
            if (rng.chance(s.doubleFraction) && std::min({sh.a, sh.b, sh.c}) > inset + 5) {
                Shell inner = sh;
                inner.a -= inset;
                inner.b -= inset;
                inner.c -= inset;
                inner.lumen = 0;
                shells.back().lumen = 0;
                shells.push_back(inner);
            }
            for (int p = 0; p < s.proteinsPerVesicle; ++p) {
                // A random direction, its point on the ellipsoid and the outward normal there.
                double ux = rng.normal(), uy = rng.normal(), uz = rng.normal();
                const double len = std::sqrt(ux * ux + uy * uy + uz * uz) + 1e-12;
                ux /= len;
                uy /= len;
                uz /= len;
                const double lx = sh.a * ux, ly = sh.b * uy, lz = sh.c * uz;
                double nx = ux / sh.a, ny = uy / sh.b, nz = uz / sh.c;
                const double nl = std::sqrt(nx * nx + ny * ny + nz * nz);
                nx /= nl;
                ny /= nl;
                nz /= nl;
                Blob b;
                b.radius = rng.uniform(s.proteinRadiusMin, s.proteinRadiusMax);
                b.contrast = rng.uniform(0.7, 1.2);
                const double side = rng.chance(0.75) ? 1.0 : -1.0;
                const double off = side * (0.5 * sh.thickness + b.radius + rng.uniform(0.0, 1.5));
                const double qx = lx + off * nx, qy = ly + off * ny;
                b.x = sh.cx + sh.cosPhi * qx - sh.sinPhi * qy;
                b.y = sh.cy + sh.sinPhi * qx + sh.cosPhi * qy;
                b.z = sh.cz + lz + off * nz;
                blobs.push_back(b);
            }
            break;
        }
    }
    for (int p = 0; p < s.freeProteins; ++p) {
        for (int attempt = 0; attempt < 50; ++attempt) {
            Blob b;
            b.radius = rng.uniform(s.proteinRadiusMin, s.proteinRadiusMax);
            b.contrast = rng.uniform(0.7, 1.2);
            b.x = rng.uniform(0, double(s.nx));
            b.y = rng.uniform(0, double(s.ny));
            b.z = rng.uniform(0, double(s.nz));
            bool nearMembrane = false;
            for (const Shell& sh : shells)
                if (std::fabs(sh.distance(b.x, b.y, b.z, nullptr)) < 0.5 * sh.thickness + b.radius + 2)
                    nearMembrane = true;
            if (nearMembrane) continue;
            blobs.push_back(b);
            break;
        }
    }

    // Render on a power-of-two grid that holds every shell and blob whole and keeps the
    // filters' wrap-around seam far from the tomogram: the missing wedge smears a cap
    // along z by about half its radius, so content cut by the grid's top (or bottom) face
    // would reappear smeared in the tomogram's first (or last) slices. In x and y the
    // filters act over a few voxels only; a margin of 16 suffices there.
    constexpr double zSeam = 32;  // voxels between the tomogram and the seam
    double zLow = -zSeam, zHigh = double(s.nz) + zSeam;
    for (const Shell& sh : shells) {
        zLow = std::min(zLow, sh.cz - sh.c - sh.thickness - 2);
        zHigh = std::max(zHigh, sh.cz + sh.c + sh.thickness + 2);
    }
    for (const Blob& b : blobs) {
        zLow = std::min(zLow, b.z - b.radius - 2);
        zHigh = std::max(zHigh, b.z + b.radius + 2);
    }
    const std::int64_t zSpan = std::int64_t(std::ceil(zHigh) - std::floor(zLow));
    const std::int64_t px = nextPowerOfTwo(s.nx + 32), py = nextPowerOfTwo(s.ny + 32), pz = nextPowerOfTwo(zSpan);
    // Complex buffer, density and filter: 32 bytes per voxel of the padded grid.
    const double workBytes = 32.0 * double(px) * double(py) * double(pz);
    if (workBytes > 2.2e9)
        throw InputError("a phantom of " + std::to_string(s.nx) + " x " + std::to_string(s.ny) + " x " +
                         std::to_string(s.nz) + " needs a " + std::to_string(px) + " x " + std::to_string(py) + " x " +
                         std::to_string(pz) + " work grid (" + std::to_string(int(workBytes / 1e6)) +
                         " MB); at most 2200 MB is allowed: make it (or its vesicles) smaller");
    const std::int64_t ox = (px - s.nx) / 2, oy = (py - s.ny) / 2;
    const std::int64_t oz = -std::int64_t(std::floor(zLow)) + (pz - zSpan) / 2;
    std::vector<double> density(std::size_t(px * py * pz), 0.0);
    Phantom phantom;
    phantom.nx = s.nx;
    phantom.ny = s.ny;
    phantom.nz = s.nz;
    phantom.labels.assign(std::size_t(s.nx * s.ny * s.nz), kBackground);
    for (std::int64_t z = 0; z < pz; ++z)
        for (std::int64_t y = 0; y < py; ++y)
            for (std::int64_t x = 0; x < px; ++x) {
                const double sx = double(x - ox), sy = double(y - oy), sz = double(z - oz);
                double d = 0;
                std::uint8_t label = 0;
                evaluatePoint(shells, blobs, sx, sy, sz, d, label);
                density[std::size_t(x + px * (y + py * z))] = d;
                if (sx >= 0 && sy >= 0 && sz >= 0 && sx < s.nx && sy < s.ny && sz < s.nz)
                    phantom
                        .labels[std::size_t(std::int64_t(sx) + s.nx * (std::int64_t(sy) + s.ny * std::int64_t(sz)))] =
                        label;
            }

    // Blur and missing wedge (tilt axis y: Fourier components with
    // |kz| > tan(range) |kx| were never measured), applied to signal and noise together.
    const double tanRange = std::tan(s.tiltRangeDegrees * M_PI / 180.0);
    std::vector<double> filter(density.size());
    double filterPower = 0;
    for (std::int64_t z = 0; z < pz; ++z)
        for (std::int64_t y = 0; y < py; ++y)
            for (std::int64_t x = 0; x < px; ++x) {
                const double fx = fftFrequency(x, px), fy = fftFrequency(y, py), fz = fftFrequency(z, pz);
                double a = std::exp(-2.0 * M_PI * M_PI * s.blurSigma * s.blurSigma * (fx * fx + fy * fy + fz * fz));
                if (s.missingWedge && inMissingWedge(fx, fz, tanRange)) a = 0;
                filter[std::size_t(x + px * (y + py * z))] = a;
                filterPower += a * a;
            }
    const double noiseGain = std::sqrt(std::max(1e-12, filterPower / double(filter.size())));
    const double sign = s.darkDensity ? -1.0 : 1.0;
    std::vector<Complex> buffer(density.size());
    for (std::size_t i = 0; i < density.size(); ++i) buffer[i] = sign * s.snr * density[i] + rng.normal() / noiseGain;
    density.clear();
    density.shrink_to_fit();
    fftNd(buffer, px, py, pz, false);
    for (std::size_t i = 0; i < buffer.size(); ++i) buffer[i] *= filter[i];
    fftNd(buffer, px, py, pz, true);
    phantom.image.resize(phantom.labels.size());
    double sum = 0, sumSq = 0;
    for (std::int64_t z = 0; z < s.nz; ++z)
        for (std::int64_t y = 0; y < s.ny; ++y)
            for (std::int64_t x = 0; x < s.nx; ++x) {
                const double v = buffer[std::size_t((x + ox) + px * ((y + oy) + py * (z + oz)))].real();
                phantom.image[std::size_t(x + s.nx * (y + s.ny * z))] = float(v);
                sum += v;
                sumSq += v * v;
            }
    const double count = double(phantom.image.size());
    const double mean = sum / count;
    const double sd = std::sqrt(std::max(1e-12, sumSq / count - mean * mean));
    for (float& v : phantom.image) v = float((v - mean) / sd);
    return phantom;
}

}  // namespace cellforge::ml
