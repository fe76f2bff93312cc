// The geometry of simulated scenes: membranes as ellipsoidal shells (single or bilayer
// profile, gaps, lumen density) and proteins as smooth balls, with the density and
// class they give at any point. Training images and phantoms place these shapes;
// the imaging model then turns the density into what a microscope would record.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace cellforge::simulation {

// The semantic classes of every simulated label image.
enum SemanticClass : std::uint8_t { kBackground = 0, kProtein = 1, kMembrane = 2 };
constexpr int kSemanticClassCount = 3;

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

// Density across a membrane at signed distance d from its surface: one Gaussian, or
// two leaflets for a bilayer; peak 1.
double membraneProfile(double d, double thickness, bool bilayer);
// Smooth ball: 1 inside, a cosine edge two voxels wide centred on the radius.
double blobDensity(double distanceFromCentre, double radius);
// Density and class at one point of the scene (membrane wins over protein).
void evaluatePoint(const std::vector<Shell>& shells, const std::vector<Blob>& blobs, double x, double y, double z,
                   double& density, std::uint8_t& label);

}  // namespace cellforge::simulation
