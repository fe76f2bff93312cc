#include "plugins/connect/logic/RegionMerge.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <tuple>

#include "core/base/Errors.h"
#include "core/base/LargeBuffer.h"
#include "core/base/Parallel.h"
#include "core/imaging/ConnectedComponents.h"
#include "core/imaging/StructureTensor.h"

namespace cellforge::connect {

namespace {

using imaging::Dims3;
using Point = std::array<std::int64_t, 3>;

// While territories grow, a background voxel's entry in the fragment map holds its
// owner, how many steps it lies from the owner, and this flag; membrane voxels hold
// their fragment id alone. So the map is the one int32 array per voxel the stage keeps.
constexpr std::uint32_t kClaimed = 0x80000000u;
constexpr int kStepShift = 27;
constexpr std::uint32_t kOwnerMask = (1u << kStepShift) - 1;
// Voxel quantization: two centres across a gap of g voxels along a tangent plane can lie
// up to a voxel off that plane.
constexpr double kOffsetTolerance = 1.0;
constexpr double kDegrees = 180.0 / M_PI;

struct Grid {
    std::int64_t nx, ny, nz;
    bool planar;  // per-slice mode: nothing crosses between slices
    std::int64_t count() const { return nx * ny * nz; }
    std::int64_t index(std::int64_t x, std::int64_t y, std::int64_t z) const { return x + nx * (y + ny * z); }
    Point at(std::int64_t i) const { return {i % nx, (i / nx) % ny, i / (nx * ny)}; }
};

double distance(const Point& a, const Point& b) {
    const double dx = double(a[0] - b[0]), dy = double(a[1] - b[1]), dz = double(a[2] - b[2]);
    return std::sqrt(dx * dx + dy * dy + dz * dz);
}

std::string describe(const char* field, double value, const char* expected) {
    return std::string("region merge: ") + field + " = " + std::to_string(value) + " (expected " + expected + ")";
}

// --- Step 1: the membrane mask, and clear refusals -----------------------------------

// Writes the mask into `mask` (one byte per voxel) and counts the membrane voxels.
void membraneMask(const std::uint16_t* labels, const Grid& g, std::uint16_t membrane, std::uint8_t* mask,
                  std::int64_t& membraneVoxels, const RunControl& control) {
    const int threads = control.threadCount();
    std::vector<std::vector<std::uint8_t>> present(std::size_t(threads), std::vector<std::uint8_t>(65536, 0));
    std::vector<std::int64_t> counts(std::size_t(threads), 0);
    const std::int64_t plane = g.nx * g.ny;
    parallelForBlocks(g.nz, control,
                      [&](std::int64_t z0, std::int64_t z1, int worker) {
                          auto& seen = present[std::size_t(worker)];
                          std::int64_t n = 0;
                          for (std::int64_t i = z0 * plane; i < z1 * plane; ++i) {
                              seen[labels[i]] = 1;
                              const bool m = labels[i] == membrane;
                              mask[i] = m;
                              n += m;
                          }
                          counts[std::size_t(worker)] += n;
                      },
                      {std::max<std::int64_t>(1, (1 << 22) / std::max<std::int64_t>(1, plane)), true});
    membraneVoxels = std::accumulate(counts.begin(), counts.end(), std::int64_t(0));
    if (membraneVoxels > 0) return;
    std::vector<std::uint16_t> labelsPresent;
    for (int l = 1; l < 65536; ++l)
        for (const auto& seen : present)
            if (seen[std::size_t(l)]) {
                labelsPresent.push_back(std::uint16_t(l));
                break;
            }
    if (labelsPresent.empty())
        throw InputError("input 'labels' is an empty segmentation: every voxel is 0, there is no membrane to connect");
    std::string list;
    for (std::size_t k = 0; k < labelsPresent.size() && k < 12; ++k)
        list += (k ? ", " : "") + std::to_string(labelsPresent[k]);
    if (labelsPresent.size() > 12) list += ", ...";
    throw InputError("membrane_label " + std::to_string(membrane) +
                     " does not occur in input 'labels' (the labels present are " + list + ")");
}

// --- Step 2: fragments ---------------------------------------------------------------

struct Fragments {
    std::vector<std::uint32_t> ids;  // per voxel; later also the territories (kClaimed)
    std::uint32_t count = 0;
    std::vector<std::int64_t> sizes;  // per id, [0] unused
};

void requireNumberable(std::uint64_t fragments) {
    if (fragments > kOwnerMask)
        throw StageError("region merge: " + std::to_string(fragments) + " fragments, more than the " +
                         std::to_string(kOwnerMask) + " this stage can number");
}

Fragments findFragments(const std::uint8_t* mask, const Grid& g, const RunControl& control) {
    Fragments f;
    if (!g.planar) {
        imaging::Components c = imaging::connectedComponents(mask, {g.nx, g.ny, g.nz}, 26, control);
        f.ids = std::move(c.ids);
        f.count = c.count;
        f.sizes = std::move(c.sizes);
    } else {
        // Per slice (26-connectivity within one slice is 8-connectivity), then numbered on.
        const std::int64_t plane = g.nx * g.ny;
        resizeForWriting(f.ids, std::size_t(g.count()));
        std::vector<std::vector<std::int64_t>> sliceSizes(std::size_t(g.nz));
        RunControl quiet = control;
        quiet.progress = nullptr;
        parallelFor(
            g.nz, control.sub(0, 0.9),
            [&](std::int64_t z, int) {
                imaging::Components c = imaging::connectedComponents(mask + z * plane, {g.nx, g.ny, 1}, 26, quiet);
                std::copy(c.ids.begin(), c.ids.end(), f.ids.begin() + z * plane);
                sliceSizes[std::size_t(z)] = std::move(c.sizes);
            },
            {1, true});
        std::vector<std::uint64_t> offset(std::size_t(g.nz) + 1, 0);
        for (std::int64_t z = 0; z < g.nz; ++z)
            offset[std::size_t(z) + 1] = offset[std::size_t(z)] + sliceSizes[std::size_t(z)].size() - 1;
        requireNumberable(offset.back());
        f.count = std::uint32_t(offset.back());
        f.sizes.assign(1, 0);
        for (auto& s : sliceSizes) f.sizes.insert(f.sizes.end(), s.begin() + 1, s.end());
        parallelForBlocks(g.nz, control.sub(0.9, 1.0), [&](std::int64_t z0, std::int64_t z1, int) {
            for (std::int64_t z = z0; z < z1; ++z) {
                const auto add = std::uint32_t(offset[std::size_t(z)]);
                for (std::int64_t i = z * plane; i < (z + 1) * plane; ++i)
                    if (f.ids[std::size_t(i)]) f.ids[std::size_t(i)] += add;
            }
        });
    }
    requireNumberable(f.count);
    return f;
}

// --- Step 3: per-fragment probability sums and the surface voxels --------------------

struct Seeds {
    std::vector<std::int64_t> surface;   // membrane voxels with a background face neighbour
    std::vector<float> thickness;        // per fragment: 2 voxels / surface voxels (both faces)
    std::vector<double> probabilitySum;  // per fragment; empty without probabilities
    double probabilityRange = 1.0;       // Nock–Nielsen's g
};

Seeds findSeeds(const Fragments& f, const float* probability, const Grid& g, const RunControl& control) {
    const int threads = control.threadCount();
    std::vector<std::vector<std::int64_t>> perSlice(std::size_t(g.nz));
    std::vector<std::vector<double>> sums(probability ? std::size_t(threads) : 0,
                                          std::vector<double>(std::size_t(f.count) + 1, 0.0));
    std::vector<double> lo(std::size_t(threads), 0.0), hi(std::size_t(threads), 1.0);
    const std::uint32_t* ids = f.ids.data();
    const std::int64_t plane = g.nx * g.ny;
    parallelForBlocks(g.nz, control,
                      [&](std::int64_t z0, std::int64_t z1, int worker) {
                          for (std::int64_t z = z0; z < z1; ++z) {
                              auto& out = perSlice[std::size_t(z)];
                              for (std::int64_t y = 0; y < g.ny; ++y)
                                  for (std::int64_t x = 0; x < g.nx; ++x) {
                                      const std::int64_t i = x + g.nx * (y + g.ny * z);
                                      const std::uint32_t id = ids[i];
                                      if (!id) continue;
                                      if (probability) {
                                          const double p = probability[i];
                                          sums[std::size_t(worker)][id] += p;
                                          lo[std::size_t(worker)] = std::min(lo[std::size_t(worker)], p);
                                          hi[std::size_t(worker)] = std::max(hi[std::size_t(worker)], p);
                                      }
                                      const bool open = (x > 0 && !ids[i - 1]) || (x + 1 < g.nx && !ids[i + 1]) ||
                                                        (y > 0 && !ids[i - g.nx]) || (y + 1 < g.ny && !ids[i + g.nx]) ||
                                                        (!g.planar && ((z > 0 && !ids[i - plane]) ||
                                                                       (z + 1 < g.nz && !ids[i + plane])));
                                      if (open) out.push_back(i);
                                  }
                          }
                      },
                      {1, true});
    Seeds s;
    std::size_t total = 0;
    for (const auto& v : perSlice) total += v.size();
    s.surface.reserve(total);
    for (auto& v : perSlice) {
        s.surface.insert(s.surface.end(), v.begin(), v.end());
        std::vector<std::int64_t>().swap(v);
    }
    std::vector<std::int64_t> surfaceCount(std::size_t(f.count) + 1, 0);
    for (std::int64_t i : s.surface) ++surfaceCount[ids[i]];
    s.thickness.assign(std::size_t(f.count) + 1, 1.0f);
    for (std::size_t id = 1; id < s.thickness.size(); ++id)
        s.thickness[id] = float(
            std::clamp(2.0 * double(f.sizes[id]) / double(std::max<std::int64_t>(1, surfaceCount[id])), 1.0, 12.0));
    if (probability) {
        s.probabilitySum = std::move(sums[0]);
        for (std::size_t w = 1; w < sums.size(); ++w)
            for (std::size_t id = 0; id < s.probabilitySum.size(); ++id) s.probabilitySum[id] += sums[w][id];
        s.probabilityRange = *std::max_element(hi.begin(), hi.end()) - *std::min_element(lo.begin(), lo.end());
    }
    return s;
}

// Only surface voxels near another fragment can meet one. Cells at least max_gap wide
// record the first fragment seen in them and whether another one was; a voxel seeds the
// growth when its cell and the cells around it hold more than one fragment. (Two voxels
// within max_gap of each other lie in neighbouring cells.) Far from other membranes, most
// of a membrane's surface then grows no territory at all.
std::vector<std::int64_t> seedsNearOthers(const std::vector<std::int64_t>& surface, const Fragments& f, const Grid& g,
                                          double maxGap) {
    const std::int64_t c = std::max<std::int64_t>(8, std::int64_t(std::ceil(maxGap)));
    const std::int64_t cx = (g.nx + c - 1) / c, cy = (g.ny + c - 1) / c, cz = g.planar ? g.nz : (g.nz + c - 1) / c;
    auto cellOf = [&](const Point& p) { return p[0] / c + cx * (p[1] / c + cy * (g.planar ? p[2] : p[2] / c)); };
    std::vector<std::uint32_t> first(std::size_t(cx * cy * cz), 0);
    std::vector<std::uint8_t> several(first.size(), 0);
    for (std::int64_t i : surface) {
        const std::size_t k = std::size_t(cellOf(g.at(i)));
        const std::uint32_t id = f.ids[std::size_t(i)];
        if (!first[k])
            first[k] = id;
        else if (first[k] != id)
            several[k] = 1;
    }
    std::vector<std::uint8_t> active(first.size(), 0);
    const std::int64_t dz = g.planar ? 0 : 1;
    for (std::int64_t z = 0; z < cz; ++z)
        for (std::int64_t y = 0; y < cy; ++y)
            for (std::int64_t x = 0; x < cx; ++x) {
                const std::int64_t k = x + cx * (y + cy * z);
                if (!first[std::size_t(k)]) continue;
                bool other = several[std::size_t(k)] != 0;
                for (std::int64_t zz = std::max<std::int64_t>(0, z - dz); !other && zz <= std::min(cz - 1, z + dz);
                     ++zz)
                    for (std::int64_t yy = std::max<std::int64_t>(0, y - 1); !other && yy <= std::min(cy - 1, y + 1);
                         ++yy)
                        for (std::int64_t xx = std::max<std::int64_t>(0, x - 1);
                             !other && xx <= std::min(cx - 1, x + 1); ++xx) {
                            const std::size_t n = std::size_t(xx + cx * (yy + cy * zz));
                            other = several[n] || (first[n] && first[n] != first[std::size_t(k)]);
                        }
                active[std::size_t(k)] = other;
            }
    std::vector<std::int64_t> seeds;
    for (std::int64_t i : surface)
        if (active[std::size_t(cellOf(g.at(i)))]) seeds.push_back(i);
    return seeds;
}

// --- Step 4: territories grow; where two meet, the fragments are in contact -----------

struct Contact {
    std::uint32_t a = 0, b = 0;  // a < b
    std::int64_t meeting = 0;    // the voxel where the territories met
    std::uint32_t steps = 0;     // grid steps from a to b through it (never more than the distance)
};

// The best meeting per (pair of fragments, cell of the volume): a pair that touches in
// several places (a crista's two sides, a ring cut twice) keeps each place.
class ContactMap {
public:
    // Keeps the meeting of fewest steps (of smallest index among equals: the result does
    // not depend on the order of the offers).
    void offer(std::uint32_t a, std::uint32_t b, std::uint32_t cell, std::uint32_t steps, std::int64_t meeting) {
        if (size_ * 2 >= slots_.size()) grow();
        std::size_t i = slot(a, b, cell);
        while (slots_[i].used) {
            Slot& s = slots_[i];
            if (s.a == a && s.b == b && s.cell == cell) {
                if (std::tie(steps, meeting) < std::tie(s.steps, s.meeting)) s.steps = steps, s.meeting = meeting;
                return;
            }
            i = (i + 1) & (slots_.size() - 1);
        }
        slots_[i] = {true, a, b, cell, steps, meeting};
        ++size_;
    }
    void absorb(const ContactMap& other) {
        for (const Slot& s : other.slots_)
            if (s.used) offer(s.a, s.b, s.cell, s.steps, s.meeting);
    }
    std::vector<Contact> contacts() const {
        std::vector<Contact> out;
        out.reserve(size_);
        for (const Slot& s : slots_)
            if (s.used) out.push_back({s.a, s.b, s.meeting, s.steps});
        std::sort(out.begin(), out.end(), [](const Contact& x, const Contact& y) {
            return std::tie(x.a, x.b, x.meeting) < std::tie(y.a, y.b, y.meeting);
        });
        return out;
    }

private:
    struct Slot {
        bool used = false;
        std::uint32_t a = 0, b = 0, cell = 0, steps = 0;
        std::int64_t meeting = 0;
    };
    std::size_t slot(std::uint32_t a, std::uint32_t b, std::uint32_t cell) const {
        std::uint64_t h = (std::uint64_t(a) << 32 | b) ^ (std::uint64_t(cell) * 0x9E3779B97F4A7C15ull);
        h ^= h >> 31;
        h *= 0xBF58476D1CE4E5B9ull;
        h ^= h >> 29;
        return std::size_t(h) & (slots_.size() - 1);
    }
    void grow() {
        std::vector<Slot> old = std::move(slots_);
        slots_.assign(std::max<std::size_t>(1024, old.size() * 2), Slot{});
        size_ = 0;
        for (const Slot& s : old)
            if (s.used) offer(s.a, s.b, s.cell, s.steps, s.meeting);
    }
    std::vector<Slot> slots_;
    std::size_t size_ = 0;
};

// Neighbours of the growth: the 18-neighbourhood in 3D (its step count never exceeds
// the Euclidean distance, so `layers` steps reach everything within that distance),
// the 8-neighbourhood within a slice.
std::vector<std::array<int, 3>> growthSteps(bool planar) {
    std::vector<std::array<int, 3>> steps;
    for (int dz = planar ? 0 : -1; dz <= (planar ? 0 : 1); ++dz)
        for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
                const int manhattan = std::abs(dx) + std::abs(dy) + std::abs(dz);
                if (manhattan >= 1 && (planar || manhattan <= 2)) steps.push_back({dx, dy, dz});
            }
    return steps;
}

// Grows every fragment's territory by `layers` steps. The volume is cut into slabs of
// z planes; a slab's growth writes into its own planes and the next plane on either
// side, so the even slabs grow in parallel, then the odd ones: the result (who claims a
// voxel first) does not depend on the threads. Per slice, slices grow independently.
std::vector<Contact> growTerritories(Fragments& f, const std::vector<std::int64_t>& seeds, const Grid& g, int layers,
                                     const RunControl& control) {
    const auto steps = growthSteps(g.planar);
    std::vector<std::int64_t> offsets;
    for (const auto& s : steps) offsets.push_back(s[0] + g.nx * (s[1] + g.ny * s[2]));
    // Cells of twice the gap or more: one contact per pair and cell.
    const std::int64_t cell = std::max<std::int64_t>(16, 4 * layers);
    const std::int64_t cx = (g.nx + cell - 1) / cell, cy = (g.ny + cell - 1) / cell;
    const std::int64_t cz = g.planar ? 1 : cell;
    const std::int64_t plane = g.nx * g.ny;
    const std::int64_t slabThickness = g.planar ? 1 : 8;
    const std::int64_t slabs = (g.nz + slabThickness - 1) / slabThickness;
    auto slabOf = [&](std::int64_t i) { return i / plane / slabThickness; };

    const auto slabCount = static_cast<std::size_t>(slabs);
    std::vector<std::vector<std::int64_t>> frontier(slabCount), claimed(slabCount);
    for (std::int64_t i : seeds) frontier[std::size_t(slabOf(i))].push_back(i);
    std::uint32_t* ids = f.ids.data();
    std::vector<ContactMap> maps(std::size_t(control.threadCount()));
    RunControl quiet = control;
    quiet.progress = nullptr;

    auto growSlab = [&](std::int64_t slab, int layer, ContactMap& map) {
        const std::uint32_t claimTag = kClaimed | (std::uint32_t(layer + 1) << kStepShift);
        auto& out = claimed[std::size_t(slab)];
        out.clear();
        // The last pair and cell offered, and the best offer made for it: runs of
        // meetings of the same two fragments skip the map.
        std::uint32_t lastA = 0, lastB = 0, lastCell = 0, lastSteps = 0;
        std::int64_t lastMeeting = -1;
        for (const std::int64_t u : frontier[std::size_t(slab)]) {
            const std::uint32_t owner = ids[u] & kOwnerMask;
            const Point p = g.at(u);
            for (std::size_t s = 0; s < steps.size(); ++s) {
                const std::int64_t x = p[0] + steps[s][0], y = p[1] + steps[s][1], z = p[2] + steps[s][2];
                if (x < 0 || y < 0 || z < 0 || x >= g.nx || y >= g.ny || z >= g.nz) continue;
                const std::int64_t w = u + offsets[s];
                const std::uint32_t value = ids[w];
                if (value == 0) {
                    ids[w] = claimTag | owner;
                    out.push_back(w);
                    continue;
                }
                const std::uint32_t other = value & kOwnerMask;
                if (other == owner) continue;
                const std::uint32_t otherSteps = (value & kClaimed) ? (value >> kStepShift) & 0xFu : 0;
                const std::uint32_t a = std::min(owner, other), b = std::max(owner, other);
                const auto where = std::uint32_t(x / cell + cx * (y / cell + cy * (z / cz)));
                const std::uint32_t total = std::uint32_t(layer) + otherSteps + 1;
                if (a == lastA && b == lastB && where == lastCell &&
                    std::tie(total, w) >= std::tie(lastSteps, lastMeeting))
                    continue;
                lastA = a, lastB = b, lastCell = where, lastSteps = total, lastMeeting = w;
                map.offer(a, b, where, total, w);
            }
        }
    };

    for (int layer = 0; layer < layers; ++layer) {
        control.report(double(layer) / double(layers));
        for (int parity = 0; parity < (g.planar ? 1 : 2); ++parity) {
            const std::int64_t stride = g.planar ? 1 : 2;
            parallelFor((slabs - parity + stride - 1) / stride, quiet, [&](std::int64_t k, int worker) {
                growSlab(k * stride + parity, layer, maps[std::size_t(worker)]);
            });
        }
        for (auto& v : frontier) v.clear();
        for (const auto& v : claimed)
            for (std::int64_t w : v) frontier[std::size_t(slabOf(w))].push_back(w);
    }
    for (std::size_t t = 1; t < maps.size(); ++t) maps[0].absorb(maps[t]);
    control.report(1.0);
    return maps[0].contacts();
}

// --- Step 5: does a contact join one surface? ----------------------------------------

struct Evaluation {
    bool continues = false;  // within max_gap and one surface
    Point a{}, b{};
    double gap = 0, angle = 0, bend = 0, tilt = 0, dissimilarity = 0;  // bend: of the angle, what curvature explains
};

class ContactJudge {
public:
    ContactJudge(const Fragments& f, const std::vector<float>& thickness, const Grid& g, const RegionMergeSettings& s,
                 int layers)
        : f_(f), thickness_(thickness), g_(g), s_(s), reach_(layers + 1) {
        tensor_.gradientSigma = 1.0;
        tensor_.inPlane = g.planar;
    }

    // Per-thread buffers.
    struct Scratch {
        std::vector<Point> a, b;
    };

    Evaluation judge(const Contact& c, Scratch& scratch) const {
        std::vector<Point>& pa = scratch.a;
        std::vector<Point>& pb = scratch.b;
        Evaluation e;
        const Point m = g_.at(c.meeting);
        pa.clear();
        pb.clear();
        forBox(m, reach_, [&](std::int64_t i, const Point& p) {
            const std::uint32_t id = f_.ids[std::size_t(i)];
            if (id == c.a) pa.push_back(p);
            if (id == c.b) pb.push_back(p);
        });
        if (pa.empty() || pb.empty()) return e;
        // Alternating nearest points: from the meeting voxel to a local closest pair.
        e.a = nearest(pa, m);
        e.b = nearest(pb, e.a);
        for (int round = 0; round < 3; ++round) {
            e.a = nearest(pa, e.b);
            e.b = nearest(pb, e.a);
        }
        e.gap = distance(e.a, e.b);
        if (e.gap > s_.maxGap + 1e-9) return e;

        const LocalPlane planeA = plane(c.a, e.a), planeB = plane(c.b, e.b);
        const imaging::SurfaceOrientation &na = planeA.orientation, &nb = planeB.orientation;
        if (na.planarity < s_.minPlanarity || nb.planarity < s_.minPlanarity) return e;
        // Normals oriented alike; the gap's components along them then split into the
        // part a bend explains (opposite signs on a circle through both ends: the chord
        // leaves one tangent plane as much as it enters the other) and the offset between
        // the two tangent planes, which is what two parallel membranes show.
        std::array<double, 3> nb2 = nb.normal;
        if (dot(na.normal, nb2) < 0) nb2 = {-nb2[0], -nb2[1], -nb2[2]};
        e.angle = std::acos(std::min(1.0, dot(na.normal, nb2))) * kDegrees;
        const std::array<double, 3> d{double(e.b[0] - e.a[0]), double(e.b[1] - e.a[1]), double(e.b[2] - e.a[2])};
        const double offset = 0.5 * std::fabs(dot(d, na.normal) + dot(d, nb2));
        e.tilt = std::asin(std::min(1.0, offset / e.gap)) * kDegrees;
        const double allowed = std::max(kOffsetTolerance, e.gap * std::sin(s_.maxTilt / kDegrees));
        if (offset > allowed) return e;
        // The normals turn between the two neighbourhoods; as much as the pieces' own
        // curvature (the lesser of the two: both must bend so) turns them over that span is
        // a bend of one membrane (a small vesicle), the rest a kink between two.
        if (e.angle > s_.maxAngle) {
            const double curvature = std::min(curvatureAt(c.a, e.a, planeA), curvatureAt(c.b, e.b, planeB));
            e.bend = std::min(e.angle, curvature * distance3(planeA.centroid, planeB.centroid) * kDegrees);
        }
        e.continues = e.angle - e.bend <= s_.maxAngle;
        e.dissimilarity = (e.gap / s_.maxGap + share(e.angle - e.bend, s_.maxAngle) + share(e.tilt, s_.maxTilt)) / 3.0;
        return e;
    }

private:
    static double dot(const std::array<double, 3>& u, const std::array<double, 3>& v) {
        return u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
    }
    static double share(double value, double limit) { return std::min(1.0, value / std::max(limit, 1e-9)); }
    static Point nearest(const std::vector<Point>& points, const Point& to) {
        Point best = points[0];
        std::int64_t bestD = std::numeric_limits<std::int64_t>::max();
        for (const Point& p : points) {
            const std::int64_t dx = p[0] - to[0], dy = p[1] - to[1], dz = p[2] - to[2];
            const std::int64_t d = dx * dx + dy * dy + dz * dz;
            if (d < bestD) bestD = d, best = p;
        }
        return best;
    }
    // Calls visit(index, point) for the voxels of the box of half-width r around c (within
    // the volume; within c's slice in the per-slice mode).
    template <typename Visit>
    void forBox(const Point& c, std::int64_t r, Visit&& visit) const {
        const std::int64_t rz = g_.planar ? 0 : r;
        for (std::int64_t z = std::max<std::int64_t>(0, c[2] - rz); z <= std::min(g_.nz - 1, c[2] + rz); ++z)
            for (std::int64_t y = std::max<std::int64_t>(0, c[1] - r); y <= std::min(g_.ny - 1, c[1] + r); ++y)
                for (std::int64_t x = std::max<std::int64_t>(0, c[0] - r); x <= std::min(g_.nx - 1, c[0] + r); ++x)
                    visit(g_.index(x, y, z), Point{x, y, z});
    }

    // The neighbourhood a normal is estimated from: at least normal_radius, and twice the
    // fragment's thickness, so that it is wider than thick even on a thick membrane.
    double normalRadius(std::uint32_t fragment) const {
        return std::max(s_.normalRadius, 2.0 * double(thickness_[fragment]));
    }

    struct LocalPlane {
        imaging::SurfaceOrientation orientation;  // planarity 0: no reliable normal
        std::array<double, 3> centroid{0, 0, 0};  // of the voxels it was estimated from
    };

    static double distance3(const std::array<double, 3>& a, const std::array<double, 3>& b) {
        return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
    }

    // The local orientation of `fragment` at its voxel `p`, from that fragment alone (a
    // neighbour across the gap must not bend it).
    LocalPlane plane(std::uint32_t fragment, const Point& p) const {
        const double radius = normalRadius(fragment);
        // Too few voxels around p (a speck, the tip of a sliver) give no reliable normal:
        // at least an eighth of a disc of the normal radius, as thick as the fragment (per
        // slice: half a radius's length of it). Nor does a piece that the volume's face
        // cuts to one plane of voxels (its own plane would pass for the membrane's).
        const double t = double(thickness_[fragment]);
        const double support =
            g_.planar ? std::max(5.0, radius * t / 2.0) : std::max(10.0, M_PI * radius * radius * t / 8.0);
        imaging::MomentAccumulator moments;
        std::array<std::int64_t, 3> lo{p}, hi{p};
        const double r2 = radius * radius;
        forBox(p, std::int64_t(std::ceil(radius)), [&](std::int64_t i, const Point& q) {
            const double dx = double(q[0] - p[0]), dy = double(q[1] - p[1]), dz = double(q[2] - p[2]);
            if (f_.ids[std::size_t(i)] != fragment || dx * dx + dy * dy + dz * dz > r2) return;
            moments.add(dx, dy, dz);
            for (int a = 0; a < 3; ++a) lo[a] = std::min(lo[a], q[a]), hi[a] = std::max(hi[a], q[a]);
        });
        LocalPlane out;
        const auto m = moments.mean();
        out.centroid = {double(p[0]) + m[0], double(p[1]) + m[1], double(p[2]) + m[2]};
        if (double(moments.count()) < support) return out;
        const std::int64_t n[3] = {g_.nx, g_.ny, g_.nz};
        for (int a = 0; a < (g_.planar ? 2 : 3); ++a)
            if (lo[a] == hi[a] && (lo[a] == 0 || lo[a] == n[a] - 1)) return out;
        if (s_.normals == NormalEstimate::Moments) {
            out.orientation = imaging::surfaceFromMoments(moments.covariance(), g_.planar);
            return out;
        }
        // The fragment's mask in a window around p, as the structure tensor reads it.
        imaging::StructureTensorSettings tensor = tensor_;
        tensor.integrationSigma = radius / 2.0;
        const std::int64_t r = imaging::structureTensorReach(tensor);
        const std::int64_t rz = g_.planar ? 0 : r;
        const Dims3 window{2 * r + 1, 2 * r + 1, 2 * rz + 1};
        std::vector<std::uint8_t> mask(std::size_t(window[0] * window[1] * window[2]), 0);
        forBox(p, r, [&](std::int64_t i, const Point& q) {
            if (f_.ids[std::size_t(i)] != fragment) return;
            mask[std::size_t((q[0] - p[0] + r) + window[0] * ((q[1] - p[1] + r) + window[1] * (q[2] - p[2] + rz)))] = 1;
        });
        const imaging::VoxelBox centre{{r, r, rz}, {r, r, rz}};
        out.orientation =
            imaging::surfaceFromStructureTensor(imaging::structureTensors(mask.data(), window, centre, tensor)[0]);
        return out;
    }

    // How fast the fragment's normal turns (radians per voxel) going from its end at p two
    // normal radii inwards, towards the centroid of the voxels near p; 0 where that cannot
    // be told (p inside the fragment, too small a fragment).
    double curvatureAt(std::uint32_t fragment, const Point& p, const LocalPlane& atP) const {
        const double radius = normalRadius(fragment);
        const std::array<double, 3> inward{atP.centroid[0] - double(p[0]), atP.centroid[1] - double(p[1]),
                                           atP.centroid[2] - double(p[2])};
        const double len = std::sqrt(dot(inward, inward));
        if (len < 0.5) return 0.0;
        const Point target{p[0] + std::llround(inward[0] / len * 2 * radius),
                           p[1] + std::llround(inward[1] / len * 2 * radius),
                           p[2] + std::llround(inward[2] / len * 2 * radius)};
        Point best{};
        std::int64_t bestD = std::numeric_limits<std::int64_t>::max();
        forBox(target, std::int64_t(std::ceil(radius / 2)), [&](std::int64_t i, const Point& q) {
            if (f_.ids[std::size_t(i)] != fragment) return;
            const std::int64_t dx = q[0] - target[0], dy = q[1] - target[1], dz = q[2] - target[2];
            if (dx * dx + dy * dy + dz * dz < bestD) bestD = dx * dx + dy * dy + dz * dz, best = q;
        });
        if (bestD == std::numeric_limits<std::int64_t>::max()) return 0.0;
        const LocalPlane inside = plane(fragment, best);
        if (inside.orientation.planarity < s_.minPlanarity) return 0.0;
        const double span = distance3(atP.centroid, inside.centroid);
        if (span < 1.0) return 0.0;
        const double cosine = std::fabs(dot(atP.orientation.normal, inside.orientation.normal));
        return std::acos(std::min(1.0, cosine)) / span;
    }

    const Fragments& f_;
    const std::vector<float>& thickness_;
    const Grid& g_;
    const RegionMergeSettings& s_;
    std::int64_t reach_;
    imaging::StructureTensorSettings tensor_;
};

struct Candidate {
    Contact contact;
    Evaluation evaluation;
    double key = 0;  // the order of Nock–Nielsen's merging: least dissimilar first
};

std::vector<Candidate> findCandidates(const std::vector<Contact>& contacts, const Fragments& f,
                                      const std::vector<float>& thickness, const Grid& g, const RegionMergeSettings& s,
                                      int layers, const RunControl& control) {
    std::vector<Evaluation> evaluations(contacts.size());
    const ContactJudge judge(f, thickness, g, s, layers);
    std::vector<ContactJudge::Scratch> scratch(std::size_t(control.threadCount()));
    parallelForBlocks(std::int64_t(contacts.size()), control,
                      [&](std::int64_t begin, std::int64_t end, int worker) {
                          for (std::int64_t k = begin; k < end; ++k)
                              evaluations[std::size_t(k)] =
                                  judge.judge(contacts[std::size_t(k)], scratch[std::size_t(worker)]);
                      },
                      {64, true});
    // The best place of each pair (contacts are sorted by pair).
    std::vector<Candidate> candidates;
    for (std::size_t k = 0; k < contacts.size(); ++k) {
        const Evaluation& e = evaluations[k];
        if (!e.continues) continue;
        if (!candidates.empty() && candidates.back().contact.a == contacts[k].a &&
            candidates.back().contact.b == contacts[k].b) {
            if (e.dissimilarity < candidates.back().evaluation.dissimilarity) candidates.back() = {contacts[k], e, 0};
            continue;
        }
        candidates.push_back({contacts[k], e, 0});
    }
    return candidates;
}

// --- Step 6: one pass of union-find over the sorted candidates -----------------------

class Regions {
public:
    Regions(const Fragments& f, const std::vector<double>& probabilitySum)
        : parent_(std::size_t(f.count) + 1), size_(f.sizes), sum_(probabilitySum) {
        std::iota(parent_.begin(), parent_.end(), 0u);
    }
    std::uint32_t find(std::uint32_t a) {
        while (parent_[a] != a) {
            parent_[a] = parent_[parent_[a]];
            a = parent_[a];
        }
        return a;
    }
    void join(std::uint32_t ra, std::uint32_t rb) {  // roots
        if (size_[ra] < size_[rb]) std::swap(ra, rb);
        parent_[rb] = ra;
        size_[ra] += size_[rb];
        if (!sum_.empty()) sum_[ra] += sum_[rb];
    }
    std::int64_t size(std::uint32_t root) const { return size_[root]; }
    double mean(std::uint32_t root) const { return sum_[root] / double(size_[root]); }

private:
    std::vector<std::uint32_t> parent_;
    std::vector<std::int64_t> size_;
    std::vector<double> sum_;
};

}  // namespace

void validate(const RegionMergeSettings& s) {
    if (s.membraneLabel == 0) throw InputError(describe("membrane_label", 0, ">= 1"));
    if (!(s.maxGap >= 1 && s.maxGap <= 30)) throw InputError(describe("max_gap", s.maxGap, "in [1, 30] voxels"));
    if (!(s.maxAngle >= 0 && s.maxAngle <= 90))
        throw InputError(describe("max_angle", s.maxAngle, "in [0, 90] degrees"));
    if (!(s.maxTilt >= 0 && s.maxTilt <= 90)) throw InputError(describe("max_tilt", s.maxTilt, "in [0, 90] degrees"));
    if (!(s.normalRadius >= 1.5 && s.normalRadius <= 20))
        throw InputError(describe("normal_radius", s.normalRadius, "in [1.5, 20] voxels"));
    if (!(s.minPlanarity >= 0 && s.minPlanarity <= 1))
        throw InputError(describe("min_planarity", s.minPlanarity, "in [0, 1]"));
    if (!(s.complexity > 0 && std::isfinite(s.complexity)))
        throw InputError(describe("complexity", s.complexity, "> 0"));
    if (s.minSize < 0) throw InputError(describe("min_size", double(s.minSize), ">= 0"));
}

RegionMergeResult mergeRegions(const std::uint16_t* labels, const float* probability, const imaging::Dims3& dims,
                               const RegionMergeSettings& s, std::uint16_t* instances, const RunControl& control) {
    validate(s);
    for (int a = 0; a < 3; ++a)
        if (dims[a] <= 0)
            throw InputError("region merge: the volume has no voxels along " + std::string(imaging::axisName(a)));
    const Grid g{dims[0], dims[1], dims[2], s.mode == MergeMode::Slices2D || dims[2] == 1};
    const int layers = int(std::ceil(s.maxGap / 2.0));
    RegionMergeResult result;

    // The membrane mask lives in the output's storage until the instances are written
    // there: on a 1024 x 1024 x 300 volume that is 300 MB less to allocate and touch.
    auto* mask = reinterpret_cast<std::uint8_t*>(instances);
    membraneMask(labels, g, s.membraneLabel, mask, result.membraneVoxels,
                 control.sub(0.0, 0.05).withMessage("membrane mask"));
    Fragments f = findFragments(mask, g, control.sub(0.05, 0.35).withMessage("fragments"));
    result.fragments = f.count;
    Seeds seeds = findSeeds(f, probability, g, control.sub(0.35, 0.45).withMessage("fragment statistics"));
    const std::vector<std::int64_t> growing = seedsNearOthers(seeds.surface, f, g, s.maxGap);
    std::vector<std::int64_t>().swap(seeds.surface);
    const std::vector<Contact> contacts =
        growTerritories(f, growing, g, layers, control.sub(0.45, 0.6).withMessage("nearest fragments"));
    result.contacts = std::int64_t(contacts.size());
    std::vector<Candidate> candidates = findCandidates(contacts, f, seeds.thickness, g, s, layers,
                                                       control.sub(0.6, 0.85).withMessage("surface continuity"));
    result.candidatePairs = std::int64_t(candidates.size());
    control.throwIfCancelled();

    // Nock–Nielsen's order: by the difference of the fragments' statistics (mean
    // probability where given) and the geometric dissimilarity of the join.
    const bool statistics = probability != nullptr;
    auto fragmentMean = [&](std::uint32_t id) { return seeds.probabilitySum[id] / double(f.sizes[id]); };
    for (Candidate& c : candidates)
        c.key = c.evaluation.dissimilarity +
                (statistics ? std::fabs(fragmentMean(c.contact.a) - fragmentMean(c.contact.b)) : 0.0);
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& x, const Candidate& y) { return x.key < y.key; });

    // Nock–Nielsen's bound b(R) = g sqrt(ln(1/δ) / (2 Q |R|)), δ = 1 / (6 |I|²), |I| the
    // membrane voxels: two regions merge when their means differ by less than
    // sqrt(b(R)² + b(R')²).
    const double logInverseDelta =
        std::log(6.0) + 2.0 * std::log(double(std::max<std::int64_t>(2, result.membraneVoxels)));
    auto boundSquared = [&](std::int64_t n) {
        return seeds.probabilityRange * seeds.probabilityRange * logInverseDelta / (2.0 * s.complexity * double(n));
    };
    Regions regions(f, seeds.probabilitySum);
    for (const Candidate& c : candidates) {
        const std::uint32_t ra = regions.find(c.contact.a), rb = regions.find(c.contact.b);
        if (ra == rb) continue;
        FragmentMerge m;
        double statisticShare = 0;
        m.probabilityDifference = std::numeric_limits<double>::quiet_NaN();
        if (statistics) {
            m.probabilityDifference = std::fabs(regions.mean(ra) - regions.mean(rb));
            const double bound = std::sqrt(boundSquared(regions.size(ra)) + boundSquared(regions.size(rb)));
            if (m.probabilityDifference > bound) {
                ++result.rejectedByStatistics;
                continue;
            }
            statisticShare = m.probabilityDifference / std::max(bound, 1e-12);
        }
        regions.join(ra, rb);
        const Evaluation& e = c.evaluation;
        m.fragmentA = c.contact.a;
        m.fragmentB = c.contact.b;
        m.pointA = e.a;
        m.pointB = e.b;
        m.gap = e.gap;
        m.angle = e.angle;
        m.bend = e.bend;
        m.tilt = e.tilt;
        const double terms = statistics ? 4.0 : 3.0;
        m.confidence = std::clamp(1.0 - (3.0 * e.dissimilarity + statisticShare) / terms, 0.0, 1.0);
        result.merges.push_back(m);
    }

    // Instances: regions of at least min_size voxels, numbered by size descending.
    std::vector<std::uint32_t> roots;
    for (std::uint32_t id = 1; id <= f.count; ++id)
        if (regions.find(id) == id) roots.push_back(id);
    std::stable_sort(roots.begin(), roots.end(),
                     [&](std::uint32_t x, std::uint32_t y) { return regions.size(x) > regions.size(y); });
    std::vector<std::uint16_t> instanceOfRoot(std::size_t(f.count) + 1, 0);
    result.instanceSizes.assign(1, 0);
    for (std::uint32_t r : roots) {
        if (regions.size(r) < s.minSize) {
            ++result.droppedSmall;
        } else if (result.instanceSizes.size() > 65535) {
            ++result.droppedOverflow;
        } else {
            instanceOfRoot[r] = std::uint16_t(result.instanceSizes.size());
            result.instanceSizes.push_back(regions.size(r));
        }
    }
    std::vector<std::uint16_t> instanceOf(std::size_t(f.count) + 1, 0);
    result.instanceFragments.assign(result.instanceSizes.size(), 0);
    for (std::uint32_t id = 1; id <= f.count; ++id) {
        instanceOf[id] = instanceOfRoot[regions.find(id)];
        ++result.instanceFragments[instanceOf[id]];
    }
    result.instanceFragments[0] = 0;
    for (FragmentMerge& m : result.merges) m.instance = instanceOf[m.fragmentA];

    const std::uint32_t* ids = f.ids.data();
    parallelForBlocks(g.count(), control.sub(0.9, 1.0).withMessage("instances"),
                      [&](std::int64_t begin, std::int64_t end, int) {
                          for (std::int64_t i = begin; i < end; ++i) {
                              const std::uint32_t v = ids[i];
                              instances[i] = (v & kClaimed) ? 0 : instanceOf[v];
                          }
                      },
                      {1 << 22, true});
    return result;
}

}  // namespace cellforge::connect
