#include "core/simulation/Phantoms.h"

#include "core/base/Errors.h"
#include "core/simulation/Fft.h"
#include "core/simulation/ImagingModel.h"
#include "core/simulation/Random.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace cellforge::simulation {

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
                double a = gaussianBlurAmplitudeSquared(s.blurSigma, fx * fx + fy * fy + fz * fz);
                if (s.missingWedge && inMissingWedge(fx, fz, tanRange)) a = 0;
                filter[std::size_t(x + px * (y + py * z))] = a;
                filterPower += a * a;
            }
    const double gain = noiseGain(filterPower, double(filter.size()));
    const double sign = s.darkDensity ? -1.0 : 1.0;
    std::vector<Complex> buffer(density.size());
    for (std::size_t i = 0; i < density.size(); ++i) buffer[i] = sign * s.snr * density[i] + rng.normal() / gain;
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

}  // namespace cellforge::simulation
