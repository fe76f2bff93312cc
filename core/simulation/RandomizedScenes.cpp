#include "core/simulation/RandomizedScenes.h"

#include "core/base/Errors.h"
#include "core/simulation/SceneGeometry.h"
#include "core/simulation/SceneShapes.h"
#include "core/simulation/TrainingImages.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>

namespace cellforge::simulation {

namespace {

using namespace shapes;

// Smooth step from 1 (d <= -1) to 0 (d >= 1): a solid's density at signed distance d.
double solidDensity(double d) {
    if (d <= -1.0) return 1.0;
    if (d >= 1.0) return 0.0;
    return 0.5 * (1.0 - std::sin(0.5 * M_PI * d));
}

// ---- the scene ------------------------------------------------------------------------

// A labelled membrane object: bilayers at the given signed distances from its shape's
// surface (0 the surface itself, negative inside), density `lumen` inside closed shapes.
struct MembraneObject {
    SceneObjectKind kind;
    Frame frame;
    std::unique_ptr<Shape> shape;
    std::vector<double> layers{0.0};
    double thickness = 4, contrast = 1, lumen = 0;
    double size = 0;
};

// Unlabelled matter (labelled protein only when asked): solid inside its shape, or a wall
// of `wall` voxels inside the surface.
struct MatterObject {
    SceneObjectKind kind;
    Frame frame;
    std::unique_ptr<Shape> shape;
    double contrast = 1, wall = 0;
    bool protein = false;
    double size = 0;
};

// The slab is the image plus a margin on each side (x and y), where the density fades
// to nothing: the Fourier filters treat the slab as periodic, and without it structure at
// one edge would ring at the other.
struct Scene {
    std::int64_t size = 0, pad = 0;        // image width; margin
    std::int64_t nx = 0, ny = 0, nz = 0;   // the slab: size + 2 pad, and depth
    double voxelSize = 10, thickness = 4;  // Å, voxels
    std::vector<MembraneObject> membranes;
    std::vector<MatterObject> matter;
};

constexpr std::int64_t kMinimumPad = 6;  // voxels of margin each side, at least

// The smallest length >= n whose only prime factors are 2 and 3 (the FFT's fast radices).
std::int64_t fastFftLength(std::int64_t n) {
    for (std::int64_t m = n;; ++m) {
        std::int64_t r = m;
        while (r % 2 == 0) r /= 2;
        while (r % 3 == 0) r /= 3;
        if (r == 1) return m;
    }
}

// Draws lengths in nm as voxels.
struct Units {
    double voxelSize;  // Å
    double operator()(double nm) const { return 10.0 * nm / voxelSize; }
};

// Places `shape` so that its surface passes through a random point of the labelled slice
// (sometimes a few voxels above or below it): centre = target - R anchor.
Frame placeThroughSlice(Rng& rng, const Shape& shape, const Scene& scene) {
    Frame f = randomFrame(rng);
    const Vec3 anchor = shape.surfacePoint(rng);
    Vec3 target{double(scene.pad) + rng.uniform(0.1, 0.9) * double(scene.size),
                double(scene.pad) + rng.uniform(0.1, 0.9) * double(scene.size), double(scene.nz / 2)};
    if (rng.chance(0.15)) target.z += rng.uniform(-8.0, 8.0);
    f.centre = target - f.directionToWorld(anchor);
    return f;
}

// Half the slab's diagonal plus a margin: how far "through the faces" must reach.
double slabReach(const Scene& s) { return 0.5 * std::sqrt(double(s.nx * s.nx + s.ny * s.ny + s.nz * s.nz)) + 8.0; }

double layerSpacing(Rng& rng, const RandomizedSceneSettings& r, double thickness) {
    return thickness + rng.uniform(r.layerGapMin, r.layerGapMax);
}

// One function per membrane kind: the shape, its layers and size.
MembraneObject closedSurface(Rng& rng, const Units& nm) {
    MembraneObject m;
    m.kind = SceneObjectKind::ClosedSurface;
    const double radius = std::max(6.0, nm(rng.logUniform(12, 150)));
    const double b = radius * rng.uniform(0.6, 1.0), c = radius * rng.uniform(0.5, 1.1);
    // Irregular at the scale of tens of voxels, not of a whole large compartment.
    const double amplitude = rng.chance(0.8) ? std::min(rng.uniform(0, 0.25), 15.0 / radius) : 0.0;
    m.shape = std::make_unique<PerturbedEllipsoid>(radius, b, c, RadialPerturbation(rng, amplitude));
    m.size = radius;
    return m;
}

MembraneObject doubleMembrane(Rng& rng, const Units& nm, const RandomizedSceneSettings& r, double thickness) {
    MembraneObject m;
    m.kind = SceneObjectKind::DoubleMembrane;
    const double spacing = layerSpacing(rng, r, thickness);
    const double radius = std::max(2 * spacing + 6, nm(rng.logUniform(25, 200)));
    const double b = radius * rng.uniform(0.55, 1.0), c = std::max(2 * spacing + 4, radius * rng.uniform(0.5, 1.0));
    m.shape = std::make_unique<PerturbedEllipsoid>(radius, std::max(b, 2 * spacing + 4), c,
                                                   RadialPerturbation(rng, rng.uniform(0, 0.15)));
    m.layers = {0.0, -spacing};
    m.size = radius;
    return m;
}

MembraneObject fusedPair(Rng& rng, const Units& nm) {
    MembraneObject m;
    m.kind = SceneObjectKind::FusedPair;
    const double r1 = std::max(6.0, nm(rng.logUniform(12, 80)));
    const double r2 = std::max(4.0, r1 * rng.uniform(0.3, 1.0));
    const double separation = (r1 + r2) * rng.uniform(0.55, 0.95);
    m.shape = std::make_unique<FusedPair>(r1, r2, separation, r2 * rng.uniform(0.15, 0.4));
    m.size = r1;
    return m;
}

MembraneObject sheets(Rng& rng, const Units& nm, const RandomizedSceneSettings& r, double thickness, double reach,
                      int count) {
    MembraneObject m;
    m.kind = count == 1 ? SceneObjectKind::OpenSheet : SceneObjectKind::SheetStack;
    const bool through = rng.chance(count == 1 ? 0.6 : 0.4);
    const double fx = through ? 1e4 : std::max(10.0, nm(rng.logUniform(30, 200)));
    const double fy = through ? 1e4 : fx * rng.uniform(0.5, 1.0);
    double offset = 0;
    m.layers = {0.0};
    for (int i = 1; i < count; ++i) m.layers.push_back(offset -= layerSpacing(rng, r, thickness));
    // Bent gently enough that the deepest layer stays parallel to the first.
    const double radiusMin = std::max(nm(50), 3 * -offset + 10);
    const Bending bend =
        randomBending(rng, radiusMin, std::max(nm(1000), 2 * radiusMin), count == 1 ? 3.0 : 1.5, std::min(reach, fx));
    m.shape = std::make_unique<HeightSheet>(bend, fx, fy, reach);
    m.size = std::min(fx, reach);
    return m;
}

MembraneObject cisternae(Rng& rng, const Units& nm, const RandomizedSceneSettings& r, double thickness) {
    MembraneObject m;
    m.kind = SceneObjectKind::CisternaStack;
    const int count = rng.integer(2, 5);
    const double lumen = rng.uniform(2.0, 8.0);     // voxels inside a sac
    const double half = 0.5 * (lumen + thickness);  // mid-plane to membrane centre
    const double period = 2 * half + thickness + rng.uniform(r.layerGapMin, std::max(r.layerGapMin, 6.0));
    const double radius = std::max(3 * half + 4, nm(rng.logUniform(25, 120)));
    std::vector<double> radii;
    for (int i = 0; i < count; ++i) radii.push_back(std::max(2 * half + 2, radius * rng.uniform(0.75, 1.1)));
    const double stackHalf = 0.5 * period * (count - 1) + half;
    const Bending bend =
        randomBending(rng, std::max(nm(60), 3 * stackHalf), std::max(nm(600), 6 * stackHalf), 1.0, radius);
    m.shape = std::make_unique<CisternaStack>(bend, radii, half, period);
    m.size = radius;
    return m;
}

std::unique_ptr<CurvedTube> curvedTube(Rng& rng, double radius, double halfLength, double curvatureRadiusMin,
                                       double curvatureRadiusMax, double wiggleMax) {
    // One draw per statement: the order of draws must not depend on the compiler.
    auto curvature = [&]() {
        const double sign = rng.chance(0.5) ? 1.0 : -1.0;
        return sign / rng.logUniform(curvatureRadiusMin, curvatureRadiusMax);
    };
    const double ky = curvature();
    const double kz = rng.chance(0.5) ? curvature() : 0.0;
    const double frequency = 2 * M_PI / rng.uniform(30.0, 100.0);
    // The wiggle bends the axis no more sharply than the curvature allows.
    const double wiggleLimit = std::min(wiggleMax, 0.5 / (curvatureRadiusMin * frequency * frequency));
    const double wiggle = rng.chance(0.5) ? rng.uniform(0.0, wiggleLimit) : 0.0;
    const double phase = rng.uniform(0, 2 * M_PI);
    return std::make_unique<CurvedTube>(radius, halfLength, ky, kz, wiggle, frequency, phase);
}

MembraneObject tube(Rng& rng, const Units& nm, double reach) {
    MembraneObject m;
    m.kind = SceneObjectKind::Tube;
    const double radius = std::max(3.0, nm(rng.uniform(10, 35)));
    const double half = rng.chance(0.5) ? reach : std::max(radius, 0.5 * nm(rng.uniform(40, 300)));
    m.shape = curvedTube(rng, radius, half, std::max(nm(40), 3 * radius), nm(400), 0.5 * radius);
    m.size = radius;
    return m;
}

MembraneObject torus(Rng& rng, const Units& nm) {
    MembraneObject m;
    m.kind = SceneObjectKind::Torus;
    const double major = std::max(8.0, nm(rng.uniform(20, 80)));
    const double minor = std::max(3.0, std::max(nm(8), major * rng.uniform(0.2, 0.6)));
    m.shape = std::make_unique<Torus>(major, std::min(minor, 0.8 * major));
    m.size = major;
    return m;
}

SceneObjectKind drawMembraneKind(Rng& rng, const RandomizedSceneSettings& r) {
    double total = 0;
    for (double w : r.membraneKindWeights) total += w;
    double t = rng.uniform(0, total);
    for (int k = 0; k < kMembraneKindCount; ++k) {
        t -= r.membraneKindWeights[std::size_t(k)];
        if (t < 0) return SceneObjectKind(k);
    }
    return SceneObjectKind::ClosedSurface;
}

// Whether `m` runs into a membrane already placed (membranes do not cross): sampled
// points of its surface against the others' layers.
bool crossesPlacedMembrane(Rng& rng, const MembraneObject& m, const Scene& scene) {
    constexpr int kSamples = 48;
    for (int i = 0; i < kSamples; ++i) {
        const Vec3 world = m.frame.toWorld(m.shape->surfacePoint(rng));
        for (const MembraneObject& other : scene.membranes) {
            double visibility;
            const double d = other.shape->distance(other.frame.toLocal(world), visibility);
            if (visibility <= 0) continue;
            for (double layer : other.layers)
                if (std::fabs(d - layer) < 0.5 * (m.thickness + other.thickness) + 2.0) return true;
        }
    }
    return false;
}

void addMembranes(Rng& rng, const Units& nm, const RandomizedSceneSettings& r, Scene& scene) {
    const double reach = slabReach(scene);
    const int count = rng.integer(r.membranesMin, r.membranesMax);
    constexpr int kAttempts = 6;
    for (int i = 0, attempt = 0; i < count && attempt < count * kAttempts; ++attempt) {
        const double thickness = std::max(1.8, scene.thickness * rng.uniform(0.9, 1.1));
        MembraneObject m;
        switch (drawMembraneKind(rng, r)) {
            case SceneObjectKind::ClosedSurface:
                m = closedSurface(rng, nm);
                break;
            case SceneObjectKind::DoubleMembrane:
                m = doubleMembrane(rng, nm, r, thickness);
                break;
            case SceneObjectKind::FusedPair:
                m = fusedPair(rng, nm);
                break;
            case SceneObjectKind::OpenSheet:
                m = sheets(rng, nm, r, thickness, reach, 1);
                break;
            case SceneObjectKind::SheetStack:
                m = sheets(rng, nm, r, thickness, reach, rng.integer(2, 6));
                break;
            case SceneObjectKind::CisternaStack:
                m = cisternae(rng, nm, r, thickness);
                break;
            case SceneObjectKind::Tube:
                m = tube(rng, nm, reach);
                break;
            default:
                m = torus(rng, nm);
                break;
        }
        m.thickness = thickness;
        m.contrast = rng.uniform(0.7, 1.3);
        m.lumen = m.shape->closed() && rng.chance(0.5) ? rng.uniform(-0.1, 0.3) : 0.0;
        double deepest = 0;
        for (double o : m.layers) deepest = std::min(deepest, o);
        m.shape->band = -deepest + 0.5 * thickness + 2.5;  // beyond the profile's reach
        m.frame = placeThroughSlice(rng, *m.shape, scene);
        if (crossesPlacedMembrane(rng, m, scene)) continue;  // draw another
        scene.membranes.push_back(std::move(m));
        ++i;
    }
}

// ---- distractors: one function each -------------------------------------------------

MatterObject ballCluster(Rng& rng, SceneObjectKind kind, double radius, int lobes, double contrast) {
    std::vector<BallCluster::Ball> balls{{{0, 0, 0}, radius}};
    for (int i = 0; i < lobes; ++i) {
        const Vec3 direction = randomDirection(rng);
        const double distance = rng.uniform(0.4, 0.8) * radius;
        balls.push_back({distance * direction, radius * rng.uniform(0.4, 0.8)});
    }
    MatterObject o;
    o.kind = kind;
    o.shape = std::make_unique<BallCluster>(std::move(balls));
    o.shape->band = 1.5;
    o.contrast = contrast;
    o.size = radius;
    return o;
}

Vec3 anywhereInSlab(Rng& rng, const Scene& s) {
    return {rng.uniform(0, double(s.nx)), rng.uniform(0, double(s.ny)), rng.uniform(0, double(s.nz))};
}

void addMembraneProteins(Rng& rng, const Units& nm, const RandomizedSceneSettings& r, Scene& scene) {
    std::vector<MatterObject> added;
    for (const MembraneObject& m : scene.membranes) {
        const int count = rng.integer(0, r.membraneProteinsMax);
        double deepest = 0;
        for (double o : m.layers) deepest = std::min(deepest, o);
        for (int i = 0; i < count; ++i) {
            const double radius = std::max(1.5, nm(rng.uniform(2.5, 7.0)));
            const int lobes = rng.integer(0, 2);
            const double contrast = rng.uniform(0.5, 1.2);
            MatterObject p = ballCluster(rng, SceneObjectKind::MembraneProtein, radius, lobes, contrast);
            const Vec3 at = m.shape->surfacePoint(rng);
            const Vec3 normal = m.shape->normal(at);
            const bool outside = !m.shape->closed() || rng.chance(0.75);
            const double offset =
                outside ? 0.5 * m.thickness + 0.8 * radius : deepest - 0.5 * m.thickness - 0.8 * radius;
            p.frame = randomFrame(rng);
            p.frame.centre = m.frame.toWorld(at + offset * normal);
            p.protein = true;
            added.push_back(std::move(p));
        }
    }
    for (auto& p : added) scene.matter.push_back(std::move(p));
}

void addParticles(Rng& rng, const Units& nm, const RandomizedSceneSettings& r, Scene& scene) {
    const int count = rng.integer(r.particlesMin, r.particlesMax);
    for (int i = 0; i < count; ++i) {
        const double radius = std::max(1.5, nm(rng.logUniform(2.5, 15)));
        const int lobes = rng.integer(0, 3);
        const double contrast = rng.uniform(0.5, 1.2);
        MatterObject p = ballCluster(rng, SceneObjectKind::Particle, radius, lobes, contrast);
        p.frame = randomFrame(rng);
        p.frame.centre = anywhereInSlab(rng, scene);
        p.protein = true;
        scene.matter.push_back(std::move(p));
    }
}

// A rod through a random point near the labelled slice (so it crosses it), or anywhere.
Frame rodFrame(Rng& rng, const Scene& scene) {
    Frame f = randomFrame(rng);
    f.centre = anywhereInSlab(rng, scene);
    if (rng.chance(0.7)) f.centre.z = double(scene.nz / 2) + rng.uniform(-3.0, 3.0);
    return f;
}

void addFilaments(Rng& rng, const Units& nm, const RandomizedSceneSettings& r, Scene& scene) {
    const double reach = slabReach(scene);
    const int count = rng.integer(0, r.filamentsMax);
    for (int i = 0; i < count; ++i) {
        MatterObject f;
        f.kind = SceneObjectKind::Filament;
        const double radius = std::max(1.2, nm(rng.uniform(3.0, 5.0)));
        const double half = rng.chance(0.7) ? reach : 0.5 * nm(rng.uniform(50, 300));
        f.shape = curvedTube(rng, radius, half, nm(100), nm(2000), 2.0);
        f.shape->band = 1.5;
        f.contrast = rng.uniform(0.4, 0.9);
        f.frame = rodFrame(rng, scene);
        f.size = radius;
        scene.matter.push_back(std::move(f));
    }
}

void addMicrotubules(Rng& rng, const Units& nm, const RandomizedSceneSettings& r, Scene& scene) {
    if (!rng.chance(r.microtubuleProbability) || r.microtubulesMax < 1) return;
    const double reach = slabReach(scene);
    const int count = rng.integer(1, r.microtubulesMax);
    for (int i = 0; i < count; ++i) {
        MatterObject t;
        t.kind = SceneObjectKind::Microtubule;
        const double radius = nm(12.5);
        t.shape =
            curvedTube(rng, radius, rng.chance(0.8) ? reach : 0.5 * nm(rng.uniform(100, 400)), nm(1000), nm(5000), 0.0);
        t.shape->band = 1.5;
        t.wall = std::max(1.5, nm(rng.uniform(4.0, 5.5)));
        t.contrast = rng.uniform(0.5, 1.0);
        t.frame = rodFrame(rng, scene);
        t.size = radius;
        scene.matter.push_back(std::move(t));
    }
}

void addGold(Rng& rng, const Units& nm, const RandomizedSceneSettings& r, Scene& scene) {
    if (!rng.chance(r.goldProbability) || r.goldMax < 1) return;
    const int count = rng.integer(1, r.goldMax);
    for (int i = 0; i < count; ++i) {
        const double radius = std::max(1.5, nm(rng.uniform(2.5, 7.5)));
        const double contrast = rng.uniform(4.0, 10.0);
        MatterObject g = ballCluster(rng, SceneObjectKind::GoldFiducial, radius, 0, contrast);
        g.frame.centre = anywhereInSlab(rng, scene);
        scene.matter.push_back(std::move(g));
    }
}

void addCarbonEdge(Rng& rng, const RandomizedSceneSettings& r, Scene& scene) {
    if (!rng.chance(r.carbonEdgeProbability)) return;
    MatterObject c;
    c.kind = SceneObjectKind::CarbonEdge;
    c.shape = std::make_unique<HalfSpace>(slabReach(scene));
    c.shape->band = 1.5;
    c.contrast = rng.uniform(0.3, 1.0);
    // The edge crosses the labelled slice: its normal mostly in the slice plane.
    const double a = rng.uniform(0, 2 * M_PI);
    Vec3 n{std::cos(a), std::sin(a), rng.uniform(-0.3, 0.3)};
    n = (1.0 / norm(n)) * n;
    Vec3 u = std::fabs(n.z) < 0.9 ? Vec3{0, 0, 1} : Vec3{1, 0, 0};
    u = u - dot(u, n) * n;
    u = (1.0 / norm(u)) * u;
    const Vec3 v{n.y * u.z - n.z * u.y, n.z * u.x - n.x * u.z, n.x * u.y - n.y * u.x};
    c.frame.axis[0] = u;
    c.frame.axis[1] = v;
    c.frame.axis[2] = n;
    c.frame.centre = {double(scene.pad) + rng.uniform(0.2, 0.8) * double(scene.size),
                      double(scene.pad) + rng.uniform(0.2, 0.8) * double(scene.size), double(scene.nz / 2)};
    scene.matter.push_back(std::move(c));
}

// The whole scene from its seed; separate streams, so that changing the distractors
// leaves the membranes as they were.
Scene drawScene(const ImageSimulatorSettings& s, std::uint64_t sceneSeed) {
    const RandomizedSceneSettings& r = s.randomized;
    Scene scene;
    scene.size = s.size;
    scene.nx = scene.ny = fastFftLength(s.size + 2 * kMinimumPad);
    scene.pad = (scene.nx - s.size) / 2;
    scene.nz = s.slabDepth;
    Rng sizes(mixSeed(sceneSeed, 11));
    scene.voxelSize = sizes.logUniform(r.voxelSizeMin, r.voxelSizeMax);
    const Units nm{scene.voxelSize};
    scene.thickness = std::max(1.8, nm(sizes.uniform(r.membraneThicknessMin, r.membraneThicknessMax)));
    Rng membranes(mixSeed(sceneSeed, 12)), proteins(mixSeed(sceneSeed, 13)), matter(mixSeed(sceneSeed, 14));
    addMembranes(membranes, nm, r, scene);
    addMembraneProteins(proteins, nm, r, scene);
    addParticles(matter, nm, r, scene);
    addFilaments(matter, nm, r, scene);
    addMicrotubules(matter, nm, r, scene);
    addGold(matter, nm, r, scene);
    addCarbonEdge(matter, r, scene);
    return scene;
}

// The imaging and the illumination gradient, from the variation's stream.
struct Variation {
    SlabImaging imaging;
    IlluminationGradient gradient;
};

Variation drawVariation(const ImageSimulatorSettings& s, double voxelSize, std::uint64_t variationSeed) {
    const RandomizedSceneSettings& r = s.randomized;
    Rng rng(mixSeed(variationSeed, 21));
    Variation v;
    SlabImaging& im = v.imaging;
    im.voxelSize = voxelSize;
    const double mode = rng.uniform();
    im.ctfMode = mode < r.rawCtfProbability                               ? CtfMode::Raw
                 : mode < r.rawCtfProbability + r.phaseFlippedProbability ? CtfMode::PhaseFlipped
                                                                          : CtfMode::None;
    im.ctf.voltage = r.voltage;
    im.ctf.sphericalAberration = r.sphericalAberration;
    im.ctf.defocus = rng.uniform(r.defocusMin, r.defocusMax) * 1e4;  // µm -> Å
    im.ctf.amplitudeContrast = rng.uniform(r.amplitudeContrastMin, r.amplitudeContrastMax);
    im.bFactor = rng.uniform(r.bFactorMin, r.bFactorMax);
    im.bandLimit = rng.uniform(r.bandLimitMin, r.bandLimitMax);
    im.bandEdge = std::min(im.bandLimit, rng.uniform(r.bandEdgeMin, r.bandEdgeMax));
    im.missingWedge = s.missingWedge;
    im.tiltRange = rng.uniform(s.tiltRangeMin, s.tiltRangeMax);
    im.tiltAboutX = s.tiltAxis == ImageSimulatorSettings::TiltAxis::X ||
                    (s.tiltAxis == ImageSimulatorSettings::TiltAxis::Either && rng.chance(0.5));
    im.snr = rng.logUniform(r.snrMin, r.snrMax);
    im.darkDensity = s.darkDensity;
    v.gradient.amplitude = rng.uniform(0.0, r.gradientMax);
    v.gradient.angle = rng.uniform(0, 2 * M_PI);
    v.gradient.curvature = rng.uniform(-0.5, 0.5);
    return v;
}

// ---- rendering ------------------------------------------------------------------------

struct Grid {
    std::int64_t nx, ny, nz, labelledZ;
    bool skipFarBlocks;
    std::vector<float>& density;         // nx * ny * nz
    std::vector<std::uint8_t> labels;    // the labelled slice
    std::vector<std::uint8_t> measured;  // columns counted for the SNR (not near gold)
};

// Visits the voxels near a shape: visit(index, z, d, visibility) for each voxel whose 4^3
// block may hold distances d in [lo, hi], and inside(index, z) for each voxel of a block
// wholly below lo (inside a closed shape). Blocks are classified by the distance at their
// centre, with a margin for a distance that changes up to 1.3 times as fast as a true one;
// only the world box of the shape's local box is scanned.
template <typename Visit, typename Inside>
void rasterise(const Shape& shape, const Frame& f, const Grid& g, double lo, double hi, Visit&& visit,
               Inside&& inside) {
    constexpr std::int64_t kBlock = 4;
    const double margin = g.skipFarBlocks ? 1.3 * 0.5 * double(kBlock - 1) * std::sqrt(3.0) : 1e30;
    const Vec3 half = shape.halfExtent();
    const double h[3] = {half.x, half.y, half.z};
    const double c[3] = {f.centre.x, f.centre.y, f.centre.z};
    const std::int64_t dims[3] = {g.nx, g.ny, g.nz};
    std::int64_t first[3], last[3];
    for (int w = 0; w < 3; ++w) {
        double e = 0;
        for (int a = 0; a < 3; ++a) {
            const Vec3& ax = f.axis[a];
            e += std::fabs(w == 0 ? ax.x : w == 1 ? ax.y : ax.z) * h[a];
        }
        first[w] = std::max<std::int64_t>(0, std::int64_t(std::ceil(c[w] - e)));
        last[w] = std::min<std::int64_t>(dims[w] - 1, std::int64_t(std::floor(c[w] + e)));
        if (first[w] > last[w]) return;
    }
    auto local = [&](double x, double y, double z) {
        const Vec3 d{x - f.centre.x, y - f.centre.y, z - f.centre.z};
        return Vec3{dot(d, f.axis[0]), dot(d, f.axis[1]), dot(d, f.axis[2])};
    };
    const Vec3 xStep{f.axis[0].x, f.axis[1].x, f.axis[2].x};  // one voxel along x, in local coordinates
    for (std::int64_t bz = first[2]; bz <= last[2]; bz += kBlock)
        for (std::int64_t by = first[1]; by <= last[1]; by += kBlock)
            for (std::int64_t bx = first[0]; bx <= last[0]; bx += kBlock) {
                const std::int64_t ex = std::min(bx + kBlock, last[0] + 1), ey = std::min(by + kBlock, last[1] + 1),
                                   ez = std::min(bz + kBlock, last[2] + 1);
                double visibility;
                const double dc = shape.distance(
                    local(0.5 * double(bx + ex - 1), 0.5 * double(by + ey - 1), 0.5 * double(bz + ez - 1)), visibility);
                if (dc - margin > hi) continue;
                const bool allInside = dc + margin < lo;
                for (std::int64_t z = bz; z < ez; ++z)
                    for (std::int64_t y = by; y < ey; ++y) {
                        const std::int64_t row = (z * g.ny + y) * g.nx;
                        if (allInside) {
                            for (std::int64_t x = bx; x < ex; ++x) inside(row + x, z);
                            continue;
                        }
                        Vec3 p = local(double(bx), double(y), double(z));
                        for (std::int64_t x = bx; x < ex; ++x, p = p + xStep) {
                            const double d = shape.distance(p, visibility);
                            if (d < lo)
                                inside(row + x, z);
                            else if (d <= hi)
                                visit(row + x, z, d, visibility);
                        }
                    }
            }
}

// A bilayer across signed distance d (voxels) for a membrane `thickness` thick: two
// leaflets of head groups, a slightly lighter core; widths never below what a voxel
// resolves. Peak about 1.
class BilayerProfile {
public:
    explicit BilayerProfile(double thickness) {
        const double offset = 0.35 * thickness;
        const double leaflet = std::sqrt(std::pow(0.12 * thickness, 2) + 0.35 * 0.35);
        const double core = std::max(0.5, 0.2 * thickness);
        reach_ = offset + 3.0 * leaflet;
        // Tabulated (linear interpolation): three exponentials per voxel and layer otherwise.
        table_.resize(kEntries + 2);
        for (int i = 0; i <= kEntries + 1; ++i) {
            const double d = reach_ * double(i) / kEntries;
            const double a = (d - offset) / leaflet, b = (d + offset) / leaflet, c = d / core;
            table_[std::size_t(i)] = std::exp(-0.5 * a * a) + std::exp(-0.5 * b * b) - 0.25 * std::exp(-0.5 * c * c);
        }
    }
    double reach() const { return reach_; }
    double operator()(double d) const {
        const double t = std::min(std::fabs(d) / reach_, 1.0) * kEntries;
        const int i = int(t);
        const double w = t - i;
        return (1 - w) * table_[std::size_t(i)] + w * table_[std::size_t(i + 1)];
    }

private:
    static constexpr int kEntries = 256;
    double reach_;
    std::vector<double> table_;
};

void renderMembrane(const MembraneObject& m, Grid& g) {
    const BilayerProfile profile(m.thickness);
    const double half = 0.5 * m.thickness;
    const float lumen = m.shape->closed() ? float(m.lumen) : 0.0f;
    double deepest = 0;
    for (double layer : m.layers) deepest = std::min(deepest, layer);
    auto visit = [&](std::int64_t i, std::int64_t z, double d, double visibility) {
        double value = d < 0 ? lumen : 0.0;
        if (visibility > 0)
            for (double layer : m.layers) {
                const double dd = d - layer;
                if (std::fabs(dd) >= profile.reach()) continue;
                value += m.contrast * visibility * profile(dd);
                if (z == g.labelledZ && std::fabs(dd) <= half && visibility >= 0.5)
                    g.labels[std::size_t(i % (g.nx * g.ny))] = kMembrane;
            }
        g.density[std::size_t(i)] += float(value);
    };
    auto inside = [&](std::int64_t i, std::int64_t) { g.density[std::size_t(i)] += lumen; };
    rasterise(*m.shape, m.frame, g, deepest - profile.reach(), profile.reach(), visit, inside);
}

void renderMatter(const MatterObject& o, bool labelProteins, Grid& g) {
    const bool label = o.protein && labelProteins;
    auto labelProtein = [&](std::int64_t i, std::int64_t z) {
        if (!label || z != g.labelledZ) return;
        std::uint8_t& l = g.labels[std::size_t(i % (g.nx * g.ny))];
        if (l == kBackground) l = kProtein;
    };
    auto visit = [&](std::int64_t i, std::int64_t z, double d, double) {
        const double value = o.wall > 0 ? solidDensity(d) - solidDensity(d + o.wall) : solidDensity(d);
        g.density[std::size_t(i)] += float(o.contrast * value);
        if (d <= 0) labelProtein(i, z);
    };
    // A solid is 1 inside; a wall is empty deep inside.
    auto inside = [&](std::int64_t i, std::int64_t z) {
        if (o.wall > 0) return;
        g.density[std::size_t(i)] += float(o.contrast);
        labelProtein(i, z);
    };
    rasterise(*o.shape, o.frame, g, o.wall > 0 ? -o.wall - 1.0 : -1.0, 1.0, visit, inside);
}

// Gold beads dominate the signal variance; the SNR is measured away from them.
void excludeAroundGold(const MatterObject& o, Grid& g) {
    const double r = o.size + 8.0;
    for (std::int64_t y = 0; y < g.ny; ++y)
        for (std::int64_t x = 0; x < g.nx; ++x)
            if (std::hypot(double(x) - o.frame.centre.x, double(y) - o.frame.centre.y) <= r)
                g.measured[std::size_t(y * g.nx + x)] = 0;
}

// The density fades to zero across the margin (a raised cosine), so the slab wraps
// around smoothly.
void fadeMargin(const Scene& scene, Grid& g) {
    const std::int64_t pad = scene.pad;
    std::vector<float> w(static_cast<std::size_t>(g.nx), 1.0f);
    for (std::int64_t i = 0; i < pad; ++i) {
        const float v = float(0.5 * (1.0 - std::cos(M_PI * (double(i) + 0.5) / double(pad))));
        w[std::size_t(i)] = w[std::size_t(g.nx - 1 - i)] = v;
    }
    for (std::int64_t z = 0; z < g.nz; ++z)
        for (std::int64_t y = 0; y < g.ny; ++y) {
            float* row = g.density.data() + (z * g.ny + y) * g.nx;
            const float wy = w[std::size_t(y)];
            const bool marginRow = y < pad || y >= g.ny - pad;
            for (std::int64_t x = 0; x < g.nx; ++x) {
                if (!marginRow && x == pad) x = g.nx - pad;  // the inner part keeps its density
                row[x] *= wy * w[std::size_t(x)];
            }
        }
}

RandomizedSceneDescription describe(const Scene& scene, const Variation& v) {
    RandomizedSceneDescription d;
    d.nx = d.ny = scene.size;
    d.nz = scene.nz;
    d.voxelSize = scene.voxelSize;
    d.membraneThickness = scene.thickness;
    const double pad = double(scene.pad);
    for (const auto& m : scene.membranes)
        d.objects.push_back({m.kind, m.frame.centre.x - pad, m.frame.centre.y - pad, m.frame.centre.z, m.size});
    for (const auto& o : scene.matter)
        d.objects.push_back({o.kind, o.frame.centre.x - pad, o.frame.centre.y - pad, o.frame.centre.z, o.size});
    d.imaging = v.imaging;
    d.gradient = v.gradient;
    return d;
}

std::string describeField(const char* field, double value, const char* expected) {
    std::ostringstream s;
    s << "randomized simulator setting '" << field << "' is " << value << "; expected " << expected;
    return s.str();
}

}  // namespace

const char* sceneObjectKindName(SceneObjectKind kind) {
    switch (kind) {
        case SceneObjectKind::ClosedSurface:
            return "closed_surface";
        case SceneObjectKind::DoubleMembrane:
            return "double_membrane";
        case SceneObjectKind::FusedPair:
            return "fused_pair";
        case SceneObjectKind::OpenSheet:
            return "open_sheet";
        case SceneObjectKind::SheetStack:
            return "sheet_stack";
        case SceneObjectKind::CisternaStack:
            return "cisterna_stack";
        case SceneObjectKind::Tube:
            return "tube";
        case SceneObjectKind::Torus:
            return "torus";
        case SceneObjectKind::MembraneProtein:
            return "membrane_protein";
        case SceneObjectKind::Filament:
            return "filament";
        case SceneObjectKind::Microtubule:
            return "microtubule";
        case SceneObjectKind::Particle:
            return "particle";
        case SceneObjectKind::GoldFiducial:
            return "gold_fiducial";
        case SceneObjectKind::CarbonEdge:
            return "carbon_edge";
        default:
            return "unknown";
    }
}

int RandomizedSceneDescription::count(SceneObjectKind kind) const {
    return int(
        std::count_if(objects.begin(), objects.end(), [&](const SceneObjectRecord& o) { return o.kind == kind; }));
}

void validateRandomizedSettings(const RandomizedSceneSettings& r) {
    auto range = [](const char* field, double lo, double hi, bool positive) {
        if ((positive ? !(lo > 0) : lo < 0) || !(hi >= lo))
            throw InputError(describeField(field, lo, positive ? "0 < min <= max" : "0 <= min <= max"));
    };
    range("voxel_size", r.voxelSizeMin, r.voxelSizeMax, true);
    range("membrane_thickness", r.membraneThicknessMin, r.membraneThicknessMax, true);
    range("membranes", r.membranesMin, r.membranesMax, false);
    range("layer_gap", r.layerGapMin, r.layerGapMax, false);
    range("particles", r.particlesMin, r.particlesMax, false);
    range("snr", r.snrMin, r.snrMax, true);
    range("defocus", r.defocusMin, r.defocusMax, false);
    range("amplitude_contrast", r.amplitudeContrastMin, r.amplitudeContrastMax, false);
    range("b_factor", r.bFactorMin, r.bFactorMax, false);
    range("band_limit", r.bandLimitMin, r.bandLimitMax, true);
    range("band_edge", r.bandEdgeMin, r.bandEdgeMax, false);
    if (r.amplitudeContrastMax > 1)
        throw InputError(describeField("amplitude_contrast", r.amplitudeContrastMax, "<= 1"));
    if (r.bandLimitMax > 0.5) throw InputError(describeField("band_limit", r.bandLimitMax, "<= 0.5 cycles/voxel"));
    if (!(r.voltage > 0)) throw InputError(describeField("voltage", r.voltage, "> 0 kV"));
    if (r.rawCtfProbability < 0 || r.phaseFlippedProbability < 0 ||
        r.rawCtfProbability + r.phaseFlippedProbability > 1 + 1e-12)
        throw InputError(describeField("ctf probabilities", r.rawCtfProbability + r.phaseFlippedProbability,
                                       "non-negative, summing to at most 1"));
    double weights = 0;
    for (double w : r.membraneKindWeights) {
        if (w < 0) throw InputError(describeField("membrane_kind_weights", w, ">= 0"));
        weights += w;
    }
    if (r.membranesMax > 0 && !(weights > 0))
        throw InputError(describeField("membrane_kind_weights", weights, "a positive sum"));
    if (r.membraneProteinsMax < 0 || r.filamentsMax < 0 || r.microtubulesMax < 0 || r.goldMax < 0)
        throw InputError(describeField("distractor counts", -1, ">= 0"));
    if (r.gradientMax < 0) throw InputError(describeField("gradient", r.gradientMax, ">= 0"));
}

RandomizedSceneDescription describeRandomizedScene(const ImageSimulatorSettings& s, std::uint64_t sceneSeed,
                                                   std::uint64_t variationSeed) {
    validateSettings(s);
    const Scene scene = drawScene(s, sceneSeed);
    return describe(scene, drawVariation(s, scene.voxelSize, variationSeed));
}

RandomizedSceneParts renderRandomizedScene(const ImageSimulatorSettings& s, std::uint64_t sceneSeed,
                                           std::uint64_t variationSeed) {
    validateSettings(s);
    const Scene scene = drawScene(s, sceneSeed);
    const Variation variation = drawVariation(s, scene.voxelSize, variationSeed);
    // The density buffer is kept per thread between scenes: a fresh one costs more in page
    // faults than filling it.
    thread_local std::vector<float> density;
    Grid g{scene.nx, scene.ny, scene.nz, scene.nz / 2, s.randomized.skipFarBlocks, density, {}, {}};
    g.density.assign(std::size_t(g.nx * g.ny * g.nz), 0.0f);
    g.labels.assign(std::size_t(g.nx * g.ny), kBackground);
    g.measured.assign(std::size_t(g.nx * g.ny), 0);
    for (std::int64_t y = scene.pad; y < scene.pad + scene.size; ++y)
        std::fill_n(g.measured.begin() + y * g.nx + scene.pad, scene.size, std::uint8_t(1));
    for (const MembraneObject& m : scene.membranes) renderMembrane(m, g);
    for (const MatterObject& o : scene.matter) {
        renderMatter(o, s.randomized.labelProteins, g);
        if (o.kind == SceneObjectKind::GoldFiducial) excludeAroundGold(o, g);
    }
    fadeMargin(scene, g);
    // Too little left to measure (gold everywhere): measure the whole image.
    if (std::count(g.measured.begin(), g.measured.end(), 1) < scene.size * scene.size / 8)
        for (std::int64_t y = scene.pad; y < scene.pad + scene.size; ++y)
            std::fill_n(g.measured.begin() + y * g.nx + scene.pad, scene.size, std::uint8_t(1));

    RandomizedSceneParts parts;
    parts.description = describe(scene, variation);
    const std::int64_t k = s.contextSlices;
    const ImagedSlices slab = imageSlab(g.density, g.nx, g.ny, g.nz, variation.imaging, g.labelledZ - k / 2,
                                        g.labelledZ + k / 2 + 1, mixSeed(variationSeed, 22), &g.measured);
    // The image without the margin.
    const std::int64_t n = scene.size, pad = scene.pad;
    ImagedSlices& out = parts.slices;
    out = ImagedSlices{n, n, slab.zBegin, slab.zEnd, {}, {}, slab.signalVariance, slab.noiseVariance};
    out.signal.reserve(std::size_t(k * n * n));
    out.noise.reserve(std::size_t(k * n * n));
    parts.labels.resize(std::size_t(n * n));
    for (std::int64_t c = 0; c < k; ++c)
        for (std::int64_t y = 0; y < n; ++y) {
            const std::size_t from = std::size_t((c * g.ny + y + pad) * g.nx + pad);
            out.signal.insert(out.signal.end(), slab.signal.begin() + from, slab.signal.begin() + from + n);
            out.noise.insert(out.noise.end(), slab.noise.begin() + from, slab.noise.begin() + from + n);
            if (c == 0)
                std::copy_n(g.labels.begin() + std::size_t((y + pad) * g.nx + pad), n, parts.labels.begin() + y * n);
        }
    return parts;
}

void simulateRandomizedImage(const ImageSimulatorSettings& s, std::uint64_t sceneSeed, std::uint64_t variationSeed,
                             float* image, std::uint8_t* labels) {
    const RandomizedSceneParts parts = renderRandomizedScene(s, sceneSeed, variationSeed);
    const ImagedSlices& im = parts.slices;
    const std::int64_t n = s.size, plane = n * n, total = plane * s.contextSlices;
    std::vector<double> v(static_cast<std::size_t>(total));
    double sum = 0, sumSq = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        v[i] = im.signal[i] + im.noise[i];
        sum += v[i];
        sumSq += v[i] * v[i];
    }
    // Illumination: a slow linear and quadratic gradient, in the image's standard deviations.
    const IlluminationGradient& gradient = parts.description.gradient;
    const double angle = gradient.angle, curvature = gradient.curvature;
    const double sd0 = std::sqrt(std::max(1e-24, sumSq / double(total) - std::pow(sum / double(total), 2)));
    const double amplitude = gradient.amplitude * sd0, centre = 0.5 * double(n - 1);
    sum = sumSq = 0;
    for (std::int64_t c = 0; c < s.contextSlices; ++c)
        for (std::int64_t y = 0; y < n; ++y)
            for (std::int64_t x = 0; x < n; ++x) {
                const double u = (double(x) - centre) / centre, w = (double(y) - centre) / centre;
                const double ramp = u * std::cos(angle) + w * std::sin(angle) + curvature * (u * u + w * w - 2.0 / 3.0);
                double& value = v[std::size_t(c * plane + y * n + x)];
                value += amplitude * ramp;
                sum += value;
                sumSq += value * value;
            }
    const double mean = sum / double(total);
    const double sd = std::sqrt(std::max(1e-24, sumSq / double(total) - mean * mean));
    const double targetMean = s.matchTomogram ? s.match.mean : 0.0;
    const double targetSd = s.matchTomogram ? s.match.stddev : 1.0;
    for (std::size_t i = 0; i < v.size(); ++i) image[i] = float(targetMean + targetSd * (v[i] - mean) / sd);
    std::copy(parts.labels.begin(), parts.labels.end(), labels);
}

}  // namespace cellforge::simulation
