// Signed-distance shapes for the randomized training scenes (RandomizedScenes.cpp): each
// a surface in its own frame, in voxels, with a distance good near the surface and a safe
// bound beyond it, a box that holds it and random points on it. Closed surfaces
// (perturbed ellipsoids, fused pairs, tori, tubes), bent sheets with a fading rim, stacks
// of flattened sacs, unions of balls and a half-space. Internal to core/simulation.
#pragma once

#include "core/simulation/Random.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

namespace cellforge::simulation::shapes {

// ---- small geometry ---------------------------------------------------------------

struct Vec3 {
    double x = 0, y = 0, z = 0;
};
inline Vec3 operator+(const Vec3& a, const Vec3& b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
inline Vec3 operator-(const Vec3& a, const Vec3& b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
inline Vec3 operator*(double s, const Vec3& a) { return {s * a.x, s * a.y, s * a.z}; }
inline double dot(const Vec3& a, const Vec3& b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
inline double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }

inline Vec3 randomDirection(Rng& rng) {
    for (;;) {
        const Vec3 v{rng.normal(), rng.normal(), rng.normal()};
        const double n = norm(v);
        if (n > 1e-6) return (1.0 / n) * v;
    }
}

// A rigid frame: world = centre + axis[0] l.x + axis[1] l.y + axis[2] l.z.
struct Frame {
    Vec3 centre;
    Vec3 axis[3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    Vec3 toWorld(const Vec3& l) const { return centre + l.x * axis[0] + l.y * axis[1] + l.z * axis[2]; }
    Vec3 directionToWorld(const Vec3& l) const { return l.x * axis[0] + l.y * axis[1] + l.z * axis[2]; }
    Vec3 toLocal(const Vec3& w) const {
        const Vec3 d = w - centre;
        return {dot(d, axis[0]), dot(d, axis[1]), dot(d, axis[2])};
    }
};

// A uniformly random rotation (a random unit quaternion).
inline Frame randomFrame(Rng& rng) {
    double q[4];
    double n = 0;
    while (n < 1e-6) {
        for (double& v : q) v = rng.normal();
        n = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    }
    const double w = q[0] / n, x = q[1] / n, y = q[2] / n, z = q[3] / n;
    Frame f;
    f.axis[0] = {1 - 2 * (y * y + z * z), 2 * (x * y + w * z), 2 * (x * z - w * y)};
    f.axis[1] = {2 * (x * y - w * z), 1 - 2 * (x * x + z * z), 2 * (y * z + w * x)};
    f.axis[2] = {2 * (x * z + w * y), 2 * (y * z - w * x), 1 - 2 * (x * x + y * y)};
    return f;
}

// ---- shapes ---------------------------------------------------------------------------

// A surface in its own (local) frame, in voxels. distance() is a signed distance
// (negative inside closed shapes), good to first order within `band` of the surface;
// beyond it a lower bound of the distance, with the right sign. The rasteriser relies on
// it changing by at most about one voxel per voxel (1.3 at worst).
class Shape {
public:
    virtual ~Shape() = default;
    virtual double distance(const Vec3& p, double& visibility) const = 0;
    // Half sizes of the local box that holds the shape and its band.
    virtual Vec3 halfExtent() const = 0;
    // A random point on the surface, for placing the shape and attaching proteins.
    virtual Vec3 surfacePoint(Rng& rng) const = 0;
    virtual bool closed() const { return true; }
    double band = 6;

    // Unit outward normal by central differences.
    Vec3 normal(const Vec3& p) const {
        double v;
        const double h = 0.5;
        const Vec3 g{distance({p.x + h, p.y, p.z}, v) - distance({p.x - h, p.y, p.z}, v),
                     distance({p.x, p.y + h, p.z}, v) - distance({p.x, p.y - h, p.z}, v),
                     distance({p.x, p.y, p.z + h}, v) - distance({p.x, p.y, p.z - h}, v)};
        const double n = norm(g);
        return n > 1e-12 ? (1.0 / n) * g : Vec3{0, 0, 1};
    }
    // Newton steps onto the surface.
    Vec3 project(Vec3 p) const {
        for (int i = 0; i < 4; ++i) {
            double v;
            const double d = distance(p, v);
            if (std::fabs(d) < 0.05) break;
            p = p - d * normal(p);
        }
        return p;
    }
};

// A low-order polynomial in the unit direction u (monomials of degree 2 to 4), the radial
// perturbation of a closed surface: smooth, cheap, no trigonometry per voxel.
class RadialPerturbation {
public:
    RadialPerturbation() = default;
    RadialPerturbation(Rng& rng, double amplitude) : amplitude_(amplitude) {
        if (amplitude <= 0) return;
        double total = 0;
        for (int deg = 2; deg <= 4; ++deg)
            for (int i = deg; i >= 0; --i)
                for (int j = deg - i; j >= 0; --j) {
                    const double weight = deg == 2 ? 1.0 : deg == 3 ? 0.6 : 0.35;
                    terms_.push_back({i, j, deg - i - j, weight * rng.normal()});
                    total += std::fabs(terms_.back().c);
                }
        for (Term& t : terms_) t.c *= amplitude / total;  // |delta| <= amplitude
    }
    double amplitude() const { return amplitude_; }
    // delta(u) and its gradient treating u's components as independent.
    double value(const Vec3& u, Vec3* gradient) const {
        if (terms_.empty()) {
            if (gradient) *gradient = {};
            return 0.0;
        }
        double px[5] = {1, u.x, u.x * u.x, u.x * u.x * u.x, u.x * u.x * u.x * u.x};
        double py[5] = {1, u.y, u.y * u.y, u.y * u.y * u.y, u.y * u.y * u.y * u.y};
        double pz[5] = {1, u.z, u.z * u.z, u.z * u.z * u.z, u.z * u.z * u.z * u.z};
        double v = 0;
        Vec3 g;
        for (const Term& t : terms_) {
            v += t.c * px[t.i] * py[t.j] * pz[t.k];
            if (!gradient) continue;
            if (t.i) g.x += t.c * t.i * px[t.i - 1] * py[t.j] * pz[t.k];
            if (t.j) g.y += t.c * t.j * px[t.i] * py[t.j - 1] * pz[t.k];
            if (t.k) g.z += t.c * t.k * px[t.i] * py[t.j] * pz[t.k - 1];
        }
        if (gradient) *gradient = g;
        return v;
    }

private:
    struct Term {
        int i, j, k;
        double c;
    };
    std::vector<Term> terms_;
    double amplitude_ = 0;
};

// A function of the direction and its gradient, tabulated on the six faces of a cube and
// read bilinearly: the perturbation's 31 terms once per table entry, not per voxel.
class DirectionTable {
public:
    DirectionTable() = default;
    explicit DirectionTable(const RadialPerturbation& f) : constant_(f.amplitude() <= 0) {
        if (constant_) return;
        entries_.resize(std::size_t(6 * kSide * kSide));
        for (int face = 0; face < 6; ++face)
            for (int j = 0; j < kSide; ++j)
                for (int i = 0; i < kSide; ++i) {
                    const Vec3 u = direction(face, -1.0 + 2.0 * i / (kSide - 1), -1.0 + 2.0 * j / (kSide - 1));
                    Entry& e = entries_[std::size_t((face * kSide + j) * kSide + i)];
                    e.value = f.value(u, &e.gradient);
                }
    }
    double at(const Vec3& u, Vec3* gradient) const {
        if (constant_) {
            if (gradient) *gradient = {};
            return 0.0;
        }
        // The face of the largest component; (a, b) in [-1, 1] on it.
        const double ax = std::fabs(u.x), ay = std::fabs(u.y), az = std::fabs(u.z);
        int face;
        double a, b;
        if (ax >= ay && ax >= az) {
            face = u.x > 0 ? 0 : 1;
            a = u.y / ax;
            b = u.z / ax;
        } else if (ay >= az) {
            face = u.y > 0 ? 2 : 3;
            a = u.x / ay;
            b = u.z / ay;
        } else {
            face = u.z > 0 ? 4 : 5;
            a = u.x / az;
            b = u.y / az;
        }
        const double s = (a + 1.0) * 0.5 * (kSide - 1), t = (b + 1.0) * 0.5 * (kSide - 1);
        const int i = std::min(kSide - 2, int(s)), j = std::min(kSide - 2, int(t));
        const double wi = s - i, wj = t - j;
        const Entry* e = &entries_[std::size_t((face * kSide + j) * kSide + i)];
        const double w00 = (1 - wi) * (1 - wj), w10 = wi * (1 - wj), w01 = (1 - wi) * wj, w11 = wi * wj;
        if (gradient)
            *gradient =
                w00 * e[0].gradient + w10 * e[1].gradient + w01 * e[kSide].gradient + w11 * e[kSide + 1].gradient;
        return w00 * e[0].value + w10 * e[1].value + w01 * e[kSide].value + w11 * e[kSide + 1].value;
    }

private:
    static constexpr int kSide = 17;
    struct Entry {
        double value = 0;
        Vec3 gradient;
    };
    static Vec3 direction(int face, double a, double b) {
        const double sign = face % 2 == 0 ? 1.0 : -1.0;
        const Vec3 v = face < 2 ? Vec3{sign, a, b} : face < 4 ? Vec3{a, sign, b} : Vec3{a, b, sign};
        return (1.0 / norm(v)) * v;
    }
    bool constant_ = true;
    std::vector<Entry> entries_;
};

// An ellipsoid with semi-axes (a, b, c) whose radius is scaled by 1 + delta(direction).
class PerturbedEllipsoid : public Shape {
public:
    PerturbedEllipsoid(double a, double b, double c, const RadialPerturbation& perturbation)
        : a_(a),
          b_(b),
          c_(c),
          minAxis_(std::min({a, b, c})),
          amplitude_(perturbation.amplitude()),
          delta_(perturbation) {}
    double distance(const Vec3& p, double& visibility) const override {
        visibility = 1.0;
        const Vec3 s{p.x / a_, p.y / b_, p.z / c_};
        const double rho = norm(s);
        const double amp = amplitude_;
        // |grad rho| <= 1 / minAxis: these bounds are safe.
        const double outside = (rho - (1 + amp)) * minAxis_, inside = ((1 - amp) - rho) * minAxis_;
        if (outside > band) return outside;
        if (inside > band) return -inside;
        if (rho < 1e-9) return -minAxis_;
        const Vec3 u = (1.0 / rho) * s;
        const Vec3 gradRho{s.x / a_ / rho, s.y / b_ / rho, s.z / c_ / rho};
        // Far from the band by the radial estimate, which overestimates the distance by at
        // most ~1.4 (it leaves out the perturbation's slope): no gradient needed, and the
        // estimate divided by 1.5 is a safe bound.
        const double rough = (rho - (1 + delta_.at(u, nullptr))) / norm(gradRho);
        if (std::fabs(rough) > 1.5 * band) return rough / 1.5;
        Vec3 gu;
        const double delta = delta_.at(u, &gu);
        // F = rho / (1 + delta) is 1 on the surface; distance ~ (F - 1) / |grad F|.
        const Vec3 tangential = gu - dot(u, gu) * u;
        const Vec3 gradDelta{tangential.x / a_ / rho, tangential.y / b_ / rho, tangential.z / c_ / rho};
        const double one = 1 + delta;
        const Vec3 gradF = (1.0 / one) * gradRho - (rho / (one * one)) * gradDelta;
        return (rho / one - 1.0) / std::max(1e-12, norm(gradF));
    }
    Vec3 halfExtent() const override {
        const double s = 1 + amplitude_;
        return {a_ * s + band, b_ * s + band, c_ * s + band};
    }
    Vec3 surfacePoint(Rng& rng) const override {
        const Vec3 u = randomDirection(rng);
        const double r = 1 + delta_.at(u, nullptr);
        return {a_ * u.x * r, b_ * u.y * r, c_ * u.z * r};
    }

private:
    double a_, b_, c_, minAxis_, amplitude_;
    DirectionTable delta_;
};

// Two spheres along x joined smoothly (polynomial smooth minimum): a bud on a vesicle, or
// two vesicles fusing.
class FusedPair : public Shape {
public:
    FusedPair(double r1, double r2, double separation, double smoothing)
        : r1_(r1), r2_(r2), x1_(-0.5 * separation), x2_(0.5 * separation), k_(smoothing) {}
    double distance(const Vec3& p, double& visibility) const override {
        visibility = 1.0;
        const double d1 = std::sqrt((p.x - x1_) * (p.x - x1_) + p.y * p.y + p.z * p.z) - r1_;
        const double d2 = std::sqrt((p.x - x2_) * (p.x - x2_) + p.y * p.y + p.z * p.z) - r2_;
        const double h = std::clamp(0.5 + 0.5 * (d2 - d1) / k_, 0.0, 1.0);
        return d2 * (1 - h) + d1 * h - k_ * h * (1 - h);
    }
    Vec3 halfExtent() const override {
        const double r = std::max(r1_, r2_);
        return {std::max(x2_ + r2_, r1_ - x1_) + band, r + band, r + band};
    }
    Vec3 surfacePoint(Rng& rng) const override {
        const bool first = rng.uniform() < r1_ * r1_ / (r1_ * r1_ + r2_ * r2_);
        const Vec3 u = randomDirection(rng);
        const Vec3 p =
            first ? Vec3{x1_ + r1_ * u.x, r1_ * u.y, r1_ * u.z} : Vec3{x2_ + r2_ * u.x, r2_ * u.y, r2_ * u.z};
        return project(p);
    }

private:
    double r1_, r2_, x1_, x2_, k_;
};

// A smooth height field z = h(x, y) (curvature and an undulation) with parallel layers
// below it and an elliptical footprint whose rim fades: an open sheet, or a stack.
struct Bending {
    double kxx = 0, kxy = 0, kyy = 0;  // curvatures (1/voxels)
    double amplitude = 0, frequency = 0, cosDir = 1, sinDir = 0, phase = 0;
    double polynomial(double x, double y) const { return 0.5 * (kxx * x * x + 2 * kxy * x * y + kyy * y * y); }
    double height(double x, double y, double* gx, double* gy) const {
        double h = polynomial(x, y);
        double hx = kxx * x + kxy * y, hy = kxy * x + kyy * y;
        if (amplitude > 0) {
            const double t = frequency * (x * cosDir + y * sinDir) + phase;
            h += amplitude * std::sin(t);
            const double c = amplitude * frequency * std::cos(t);
            hx += c * cosDir;
            hy += c * sinDir;
        }
        *gx = hx;
        *gy = hy;
        return h;
    }
    // Bounds of |h| and |grad h| over |x|, |y| <= reach.
    double maxHeight(double reach) const {
        return 0.5 * (std::fabs(kxx) + 2 * std::fabs(kxy) + std::fabs(kyy)) * reach * reach + amplitude;
    }
    double maxSlope(double reach) const {
        return (std::fabs(kxx) + 2 * std::fabs(kxy) + std::fabs(kyy)) * reach + amplitude * frequency;
    }
};

inline Bending randomBending(Rng& rng, double curvatureRadiusMin, double curvatureRadiusMax, double amplitudeMax,
                             double reach) {
    Bending b;
    const double kMax = 1.0 / std::max(curvatureRadiusMin, 0.8 * reach);  // slope stays below ~1.2
    auto curvature = [&]() {
        const double k = 1.0 / rng.logUniform(curvatureRadiusMin, curvatureRadiusMax);
        return std::min(k, kMax) * (rng.chance(0.5) ? 1.0 : -1.0);
    };
    b.kxx = curvature();
    b.kyy = rng.chance(0.5) ? curvature() : 0.0;
    b.kxy = rng.chance(0.3) ? 0.3 * curvature() : 0.0;
    if (rng.chance(0.6)) {
        b.frequency = 2 * M_PI / rng.uniform(20.0, 80.0);
        // The undulation bends no more sharply than the curvature allows.
        b.amplitude = std::min(rng.uniform(0.0, amplitudeMax), 0.5 / (curvatureRadiusMin * b.frequency * b.frequency));
        const double dir = rng.uniform(0, 2 * M_PI);
        b.cosDir = std::cos(dir);
        b.sinDir = std::sin(dir);
        b.phase = rng.uniform(0, 2 * M_PI);
    }
    return b;
}

class HeightSheet : public Shape {
public:
    // footprintX/Y: semi-axes of the footprint; reach: how far the sheet is drawn.
    HeightSheet(Bending bending, double footprintX, double footprintY, double reach)
        : bend_(bending), fx_(footprintX), fy_(footprintY), reach_(reach) {
        slope_ = std::sqrt(1 + std::pow(bend_.maxSlope(reach_), 2));
    }
    double distance(const Vec3& p, double& visibility) const override {
        const double r = std::sqrt((p.x / fx_) * (p.x / fx_) + (p.y / fy_) * (p.y / fy_));
        visibility = std::clamp((1.0 - r) * std::min(fx_, fy_) / kFade, 0.0, 1.0);
        // d >= |z - h| / slope: far from the band without the undulation's sine.
        const double above = p.z - bend_.polynomial(p.x, p.y);
        const double gap = std::fabs(above) - bend_.amplitude;
        if (gap > band * slope_) return std::copysign(gap / slope_, above);
        double gx, gy;
        const double h = bend_.height(p.x, p.y, &gx, &gy);
        return (p.z - h) / std::sqrt(1 + gx * gx + gy * gy);
    }
    Vec3 halfExtent() const override {
        return {std::min(fx_, reach_) + band, std::min(fy_, reach_) + band,
                bend_.maxHeight(std::min(std::max(fx_, fy_), reach_)) + band * slope_};
    }
    Vec3 surfacePoint(Rng& rng) const override {
        const double x = rng.uniform(-0.6, 0.6) * std::min(fx_, reach_);
        const double y = rng.uniform(-0.6, 0.6) * std::min(fy_, reach_);
        double gx, gy;
        return {x, y, bend_.height(x, y, &gx, &gy)};
    }
    bool closed() const override { return false; }

private:
    static constexpr double kFade = 3.0;  // voxels over which the rim fades
    Bending bend_;
    double fx_, fy_, reach_, slope_;
};

// Flattened sacs (rounded discs) stacked along z, bent together: Golgi cisternae. Each
// sac's membrane centre lies `halfHeight` from its mid-plane.
class CisternaStack : public Shape {
public:
    CisternaStack(Bending bending, std::vector<double> radii, double halfHeight, double period)
        : bend_(bending), radii_(std::move(radii)), half_(halfHeight), period_(period) {
        z0_ = -0.5 * period_ * double(radii_.size() - 1);
        rmax_ = *std::max_element(radii_.begin(), radii_.end());
    }
    double distance(const Vec3& p, double& visibility) const override {
        visibility = 1.0;
        double gx, gy;
        const double h = bend_.height(p.x, p.y, &gx, &gy);
        const double zl = p.z - h - z0_;
        const double rho = std::sqrt(p.x * p.x + p.y * p.y);
        const int nearest = std::clamp(int(std::lround(zl / period_)), 0, int(radii_.size()) - 1);
        double best = 1e30;
        for (int i = std::max(0, nearest - 1); i <= std::min(int(radii_.size()) - 1, nearest + 1); ++i) {
            const double zz = zl - i * period_;
            const double q = rho - (radii_[std::size_t(i)] - half_);
            const double d = q > 0 ? std::sqrt(q * q + zz * zz) - half_ : std::fabs(zz) - half_;
            best = std::min(best, d);
        }
        return best / std::sqrt(1 + gx * gx + gy * gy);
    }
    Vec3 halfExtent() const override {
        const double zHalf = 0.5 * period_ * double(radii_.size() - 1) + half_;
        return {rmax_ + band, rmax_ + band, zHalf + bend_.maxHeight(rmax_) + band};
    }
    Vec3 surfacePoint(Rng& rng) const override {
        const int i = rng.integer(0, int(radii_.size()) - 1);
        const double r = (radii_[std::size_t(i)] - half_) * std::sqrt(rng.uniform());
        const double t = rng.uniform(0, 2 * M_PI);
        const double x = r * std::cos(t), y = r * std::sin(t);
        double gx, gy;
        const double z = bend_.height(x, y, &gx, &gy) + z0_ + i * period_ + (rng.chance(0.5) ? half_ : -half_);
        return {x, y, z};
    }

private:
    Bending bend_;
    std::vector<double> radii_;
    double half_, period_, z0_ = 0, rmax_ = 0;
};

// A tube of radius r around the curve (x, y0(x), z0(x)), |x| <= halfLength, capped by
// half spheres: membrane tubules, filaments and microtubules.
class CurvedTube : public Shape {
public:
    CurvedTube(double radius, double halfLength, double ky, double kz, double wiggle, double frequency, double phase)
        : r_(radius), half_(halfLength), ky_(ky), kz_(kz), wiggle_(wiggle), freq_(frequency), phase_(phase) {}
    double distance(const Vec3& p, double& visibility) const override {
        visibility = 1.0;
        // The nearest axis point: one Newton step from x = p.x (exact for a straight axis),
        // clamped to the ends, where the distance becomes that of a half-sphere cap.
        double t = std::clamp(p.x, -half_, half_);
        Vec3 tangent;
        const Vec3 v = p - axisPoint(t, &tangent);
        t = std::clamp(t + dot(v, tangent) / dot(tangent, tangent), -half_, half_);
        return norm(p - axisPoint(t, nullptr)) - r_;
    }
    Vec3 halfExtent() const override {
        const double yMax = 0.5 * std::fabs(ky_) * half_ * half_ + wiggle_;
        const double zMax = 0.5 * std::fabs(kz_) * half_ * half_;
        return {half_ + r_ + band, yMax + r_ + band, zMax + r_ + band};
    }
    Vec3 surfacePoint(Rng& rng) const override {
        const double x = rng.uniform(-0.8, 0.8) * std::min(half_, 60.0);
        const double t = rng.uniform(0, 2 * M_PI);
        double dy, dz;
        return {x, axisY(x, &dy) + r_ * std::cos(t), axisZ(x, &dz) + r_ * std::sin(t)};
    }

private:
    Vec3 axisPoint(double x, Vec3* tangent) const {
        double sy, sz;
        const Vec3 c{x, axisY(x, &sy), axisZ(x, &sz)};
        if (tangent) *tangent = {1.0, sy, sz};
        return c;
    }
    double axisY(double x, double* slope) const {
        double y = 0.5 * ky_ * x * x, s = ky_ * x;
        if (wiggle_ > 0) {
            y += wiggle_ * std::sin(freq_ * x + phase_);
            s += wiggle_ * freq_ * std::cos(freq_ * x + phase_);
        }
        *slope = s;
        return y;
    }
    double axisZ(double x, double* slope) const {
        *slope = kz_ * x;
        return 0.5 * kz_ * x * x;
    }
    double r_, half_, ky_, kz_, wiggle_, freq_, phase_;
};

class Torus : public Shape {
public:
    Torus(double major, double minor) : major_(major), minor_(minor) {}
    double distance(const Vec3& p, double& visibility) const override {
        visibility = 1.0;
        const double q = std::sqrt(p.x * p.x + p.y * p.y) - major_;
        return std::sqrt(q * q + p.z * p.z) - minor_;
    }
    Vec3 halfExtent() const override { return {major_ + minor_ + band, major_ + minor_ + band, minor_ + band}; }
    Vec3 surfacePoint(Rng& rng) const override {
        const double a = rng.uniform(0, 2 * M_PI), b = rng.uniform(0, 2 * M_PI);
        const double r = major_ + minor_ * std::cos(b);
        return {r * std::cos(a), r * std::sin(a), minor_ * std::sin(b)};
    }

private:
    double major_, minor_;
};

// A union of balls: particles (lumpy), membrane proteins, gold beads.
class BallCluster : public Shape {
public:
    struct Ball {
        Vec3 centre;
        double radius;
    };
    explicit BallCluster(std::vector<Ball> balls) : balls_(std::move(balls)) {}
    double distance(const Vec3& p, double& visibility) const override {
        visibility = 1.0;
        double best = 1e30;
        for (const Ball& b : balls_) best = std::min(best, norm(p - b.centre) - b.radius);
        return best;
    }
    Vec3 halfExtent() const override {
        Vec3 e;
        for (const Ball& b : balls_) {
            e.x = std::max(e.x, std::fabs(b.centre.x) + b.radius);
            e.y = std::max(e.y, std::fabs(b.centre.y) + b.radius);
            e.z = std::max(e.z, std::fabs(b.centre.z) + b.radius);
        }
        return e + Vec3{band, band, band};
    }
    Vec3 surfacePoint(Rng& rng) const override { return balls_[0].radius * randomDirection(rng); }

private:
    std::vector<Ball> balls_;
};

// Everything below the plane z = 0 (local): a carbon film or thicker ice.
class HalfSpace : public Shape {
public:
    explicit HalfSpace(double reach) : reach_(reach) {}
    double distance(const Vec3& p, double& visibility) const override {
        visibility = 1.0;
        return p.z;
    }
    Vec3 halfExtent() const override { return {reach_, reach_, reach_}; }
    Vec3 surfacePoint(Rng& rng) const override { return {rng.uniform(-10, 10), rng.uniform(-10, 10), 0}; }

private:
    double reach_;
};

}  // namespace cellforge::simulation::shapes
