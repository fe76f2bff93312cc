#include "core/simulation/TrainingImages.h"

#include "core/base/Errors.h"
#include "core/simulation/Fft.h"
#include "core/simulation/ImagingModel.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

namespace cellforge::simulation {

namespace {

std::string describe(const char* field, double value, const char* expected) {
    std::ostringstream s;
    s << "simulator setting '" << field << "' is " << value << "; expected " << expected;
    return s.str();
}

}  // namespace

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
    if (s.recipe == TrainingRecipe::Randomized) {
        // A 3D slab whatever missingWedge says; the mixed-radix FFT takes any depth.
        if (s.slabDepth < 8 || s.slabDepth > 256)
            throw InputError(describe("slab_depth", s.slabDepth, "8 to 256 slices"));
        if (s.contextSlices > s.slabDepth / 2)
            throw InputError(describe("context_slices", s.contextSlices, "at most half the slab depth"));
        if (s.missingWedge && (!(s.tiltRangeMin > 0) || s.tiltRangeMax < s.tiltRangeMin || s.tiltRangeMax > 90))
            throw InputError(describe("tilt_range", s.tiltRangeMin, "0 < min <= max <= 90 degrees"));
        validateRandomizedSettings(s.randomized);
    } else if (s.missingWedge) {
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
    if (s.recipe == TrainingRecipe::Randomized) {
        simulateRandomizedImage(s, sceneSeed, variationSeed, image, labels);
        return;
    }
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
    const bool tiltAboutX = s.tiltAxis == ImageSimulatorSettings::TiltAxis::X ||
                            (s.tiltAxis == ImageSimulatorSettings::TiltAxis::Either && rng.chance(0.5));

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
    const InPlaneEnvelope inPlane{matched ? &s.match.spectrum : nullptr, norm, s.blurSigma, s.bandpassLow,
                                  s.bandpassHigh};
    const double sigmaZ = matched ? 0.0 : s.blurSigma;
    std::vector<double> zFilter(static_cast<std::size_t>(depth * padded)),
        zPower(static_cast<std::size_t>(padded), 0.0);
    for (std::int64_t z = 0; z < depth; ++z)
        for (std::int64_t q = 0; q < padded; ++q) {
            const double fz = fftFrequency(z, depth), fq = fftFrequency(q, padded);
            double a = gaussianBlurAmplitude(sigmaZ, fz);
            if (slab && inMissingWedge(fq, fz, tanRange)) a = 0;
            zFilter[std::size_t(z * padded + q)] = a;
            zPower[std::size_t(q)] += a * a;
        }
    std::vector<double> envelope(static_cast<std::size_t>(plane));
    double filterPower = 0;
    for (std::int64_t y = 0; y < padded; ++y)
        for (std::int64_t x = 0; x < padded; ++x) {
            const double e = inPlane.amplitude(std::hypot(fftFrequency(x, padded), fftFrequency(y, padded)));
            envelope[std::size_t(y * padded + x)] = e;
            filterPower += e * e * zPower[std::size_t(tiltAboutX ? y : x)];
        }
    const double gain = noiseGain(filterPower, double(plane * depth));
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
                    double value = rng.normal() / gain;  // noise in the padding too (stationary at the edges)
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
                    acc +=
                        Complex(v.real() * p.real() - v.imag() * p.imag(), v.real() * p.imag() + v.imag() * p.real());
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
                    const double v =
                        slice[std::size_t(y * padded + x)].real() + rampX * (x - centre) + rampY * (y - centre);
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

namespace {
std::string number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}
void requireOrdered(double low, double high, const char* lowName, const char* highName) {
    if (high < low)
        throw InputError(std::string(highName) + " (" + number(high) + ") is below " + lowName + " (" + number(low) +
                         ")");
}
}  // namespace

ImageSimulatorSettings toSimulatorSettings(const TrainingImageOptions& o) {
    ImageSimulatorSettings s;
    s.recipe = o.recipe;
    s.size = o.imageSize;
    s.snrMin = o.snrMin;
    s.snrMax = o.snrMax;
    requireOrdered(s.snrMin, s.snrMax, "snr_min", "snr_max");
    s.thicknessMin = o.thicknessMin;
    s.thicknessMax = o.thicknessMax;
    requireOrdered(s.thicknessMin, s.thicknessMax, "thickness_min", "thickness_max");
    s.blurSigma = o.blur;
    s.bandpassLow = o.bandpassLow;
    s.bandpassHigh = o.bandpassHigh;
    s.elastic = s.flips = s.rotations = o.augment;
    if (!o.augment) s.intensityJitter = s.rampAmplitude = 0;
    s.darkDensity = o.darkDensity;
    s.missingWedge = o.missingWedge;
    s.tiltRangeMin = o.tiltRangeMin;
    s.tiltRangeMax = o.tiltRangeMax;
    requireOrdered(s.tiltRangeMin, s.tiltRangeMax, "tilt_range_min", "tilt_range_max");
    s.tiltAxis = o.tiltAxis == "x"        ? ImageSimulatorSettings::TiltAxis::X
                 : o.tiltAxis == "either" ? ImageSimulatorSettings::TiltAxis::Either
                                          : ImageSimulatorSettings::TiltAxis::Y;
    // Membranes scale with the image (the defaults are for 256 x 256).
    const double scale = std::max(0.5, s.size / 256.0);
    s.radiusMax = std::max(2 * s.radiusMin, s.radiusMax * std::min(1.0, scale));
    if (s.size < 256) {
        s.membranesMin = std::max(1, int(std::lround(s.membranesMin * scale)));
        s.membranesMax = std::max(s.membranesMin, int(std::lround(s.membranesMax * scale)));
    }
    return s;
}

}  // namespace cellforge::simulation
