#include "core/simulation/SceneGeometry.h"

namespace cellforge::simulation {

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

double blobDensity(double distanceFromCentre, double radius) {
    const double d = distanceFromCentre - radius;
    if (d <= -1.0) return 1.0;
    if (d >= 1.0) return 0.0;
    return 0.5 * (1.0 + std::cos(M_PI * (d + 1.0) / 2.0));
}

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

}  // namespace cellforge::simulation
