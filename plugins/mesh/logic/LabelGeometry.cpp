#include "plugins/mesh/logic/LabelGeometry.h"

#include "core/base/Errors.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <sstream>
#include <thread>

namespace cellforge::mesh {

namespace {

// The labels seen in a slab of slices: a slot per label id (-1 = unseen) into a short list.
struct SlabExtents {
    std::vector<std::int32_t> slot = std::vector<std::int32_t>(65536, -1);
    std::vector<LabelExtent> found;
    std::vector<char> interior;
};

// Extents of the labels in slices [z0, z1) (interior tests read the neighbouring slices).
void scanSlices(const LabelVolume& labels, std::int64_t z0, std::int64_t z1, SlabExtents& out) {
    const auto nx = labels.nx(), ny = labels.ny(), nz = labels.nz();
    const LabelId* data = labels.labels();
    for (std::int64_t z = z0; z < z1; ++z)
        for (std::int64_t y = 0; y < ny; ++y) {
            const LabelId* row = data + nx * (y + ny * z);
            for (std::int64_t x = 0; x < nx; ++x) {
                // Skip background four voxels at a time (most of a tomogram is background).
                if (x + 4 <= nx) {
                    std::uint64_t four;
                    std::memcpy(&four, row + x, sizeof four);
                    if (four == 0) {
                        x += 3;
                        continue;
                    }
                }
                const LabelId l = row[x];
                if (l == 0) continue;
                auto& slot = out.slot[l];
                if (slot < 0) {
                    slot = std::int32_t(out.found.size());
                    LabelExtent e;
                    e.label = l;
                    e.lo = {x, y, z};
                    e.hi = {x, y, z};
                    out.found.push_back(e);
                    out.interior.push_back(0);
                }
                auto& e = out.found[std::size_t(slot)];
                e.lo[0] = std::min(e.lo[0], x), e.hi[0] = std::max(e.hi[0], x);
                e.lo[1] = std::min(e.lo[1], y), e.hi[1] = std::max(e.hi[1], y);
                e.hi[2] = z;
                ++e.voxels;
                char& inner = out.interior[std::size_t(slot)];
                if (!inner && x > 0 && x + 1 < nx && y > 0 && y + 1 < ny && z > 0 && z + 1 < nz && row[x - 1] == l &&
                    row[x + 1] == l && row[x - nx] == l && row[x + nx] == l && row[x - nx * ny] == l &&
                    row[x + nx * ny] == l)
                    inner = 1;
            }
        }
}

}  // namespace

std::vector<LabelExtent> labelExtents(const LabelVolume& labels, int threads) {
    const auto nz = labels.nz();
    if (threads <= 0) threads = int(std::max(1u, std::thread::hardware_concurrency()));
    threads = int(std::min<std::int64_t>(std::min(threads, 8), nz));
    std::vector<SlabExtents> parts;
    parts.resize(std::size_t(threads));
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        const std::int64_t z0 = nz * t / threads, z1 = nz * (t + 1) / threads;
        auto& part = parts[std::size_t(t)];
        if (t + 1 == threads) scanSlices(labels, z0, z1, part);
        else workers.emplace_back([&, z0, z1] { scanSlices(labels, z0, z1, part); });
    }
    for (auto& w : workers) w.join();
    // Merge the slabs' findings per label.
    std::vector<std::int32_t> slot(65536, -1);
    std::vector<LabelExtent> out;
    std::vector<char> inner;
    for (const auto& part : parts)
        for (std::size_t k = 0; k < part.found.size(); ++k) {
            const auto& e = part.found[k];
            auto& s = slot[e.label];
            if (s < 0) {
                s = std::int32_t(out.size());
                out.push_back(e);
                inner.push_back(part.interior[k]);
                continue;
            }
            auto& m = out[std::size_t(s)];
            for (std::size_t a = 0; a < 3; ++a) {
                m.lo[a] = std::min(m.lo[a], e.lo[a]);
                m.hi[a] = std::max(m.hi[a], e.hi[a]);
            }
            m.voxels += e.voxels;
            inner[std::size_t(s)] = inner[std::size_t(s)] || part.interior[k];
        }
    for (std::size_t k = 0; k < out.size(); ++k) out[k].thin = !inner[k];
    std::sort(out.begin(), out.end(), [](const LabelExtent& a, const LabelExtent& b) { return a.label < b.label; });
    return out;
}

std::vector<LabelExtent> selectLabels(const LabelVolume& labels, const std::vector<LabelId>& requested,
                                      const std::string& what, int threads) {
    auto extents = labelExtents(labels, threads);
    if (extents.empty())
        throw InputError(what + ": the label volume is empty (every voxel is 0, background); nothing to mesh");
    if (requested.empty()) return extents;
    std::vector<LabelExtent> out;
    for (auto id : requested) {
        auto it = std::find_if(extents.begin(), extents.end(), [&](const LabelExtent& e) { return e.label == id; });
        if (it == extents.end()) {
            std::ostringstream present;
            for (std::size_t k = 0; k < extents.size() && k < 20; ++k) present << (k ? ", " : "") << extents[k].label;
            if (extents.size() > 20) present << ", ... (" << extents.size() << " labels)";
            throw InputError(what + ": label " + std::to_string(id) + " is not present in the volume; present labels: " +
                             present.str());
        }
        out.push_back(*it);
    }
    return out;
}

std::vector<LabelId> parseLabelList(const std::string& text, const std::string& what) {
    std::string t;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c))) t.push_back(char(std::tolower(static_cast<unsigned char>(c))));
    std::vector<LabelId> out;
    if (t.empty() || t == "all") return out;
    std::stringstream items(t);
    std::string item;
    auto number = [&](const std::string& s) {
        if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
            s.size() > 5 || std::stol(s) < 1 || std::stol(s) > 65535)
            throw InputError(what + ": '" + text + "' is not a label list (expected 'all' or ids from 1 to 65535 such as '1, 3-5')");
        return LabelId(std::stol(s));
    };
    while (std::getline(items, item, ',')) {
        const auto dash = item.find('-');
        if (dash == std::string::npos) {
            out.push_back(number(item));
        } else {
            const auto a = number(item.substr(0, dash)), b = number(item.substr(dash + 1));
            if (b < a) throw InputError(what + ": range '" + item + "' runs backwards");
            for (int v = a; v <= b; ++v) out.push_back(LabelId(v));
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

LabelComponents labelComponents(const LabelVolume& labels, const LabelExtent& extent) {
    LabelComponents out;
    out.lo = extent.lo;
    for (int a = 0; a < 3; ++a) out.dims[std::size_t(a)] = extent.hi[std::size_t(a)] - extent.lo[std::size_t(a)] + 1;
    const auto bx = out.dims[0], by = out.dims[1], bz = out.dims[2];
    out.ids.assign(std::size_t(bx * by * bz), 0);
    std::vector<std::int64_t> stack;
    for (std::int64_t z = 0; z < bz; ++z)
        for (std::int64_t y = 0; y < by; ++y)
            for (std::int64_t x = 0; x < bx; ++x) {
                const std::int64_t i = x + bx * (y + by * z);
                if (out.ids[std::size_t(i)] != 0 ||
                    labels.labelAt(x + out.lo[0], y + out.lo[1], z + out.lo[2]) != extent.label)
                    continue;
                const auto id = std::int32_t(out.voxels.size() + 1);
                out.voxels.push_back(0);
                std::array<Index3, 2> box{Index3{x, y, z}, Index3{x, y, z}};
                out.ids[std::size_t(i)] = id;
                stack.assign(1, i);
                while (!stack.empty()) {
                    const auto j = stack.back();
                    stack.pop_back();
                    ++out.voxels.back();
                    const std::int64_t jx = j % bx, jy = (j / bx) % by, jz = j / (bx * by);
                    const Index3 p{jx, jy, jz};
                    for (int a = 0; a < 3; ++a) {
                        box[0][std::size_t(a)] = std::min(box[0][std::size_t(a)], p[std::size_t(a)]);
                        box[1][std::size_t(a)] = std::max(box[1][std::size_t(a)], p[std::size_t(a)]);
                    }
                    for (std::int64_t dz = -1; dz <= 1; ++dz)
                        for (std::int64_t dy = -1; dy <= 1; ++dy)
                            for (std::int64_t dx = -1; dx <= 1; ++dx) {
                                const auto qx = jx + dx, qy = jy + dy, qz = jz + dz;
                                if (qx < 0 || qy < 0 || qz < 0 || qx >= bx || qy >= by || qz >= bz) continue;
                                const auto q = qx + bx * (qy + by * qz);
                                if (out.ids[std::size_t(q)] != 0) continue;
                                if (labels.labelAt(qx + out.lo[0], qy + out.lo[1], qz + out.lo[2]) != extent.label) continue;
                                out.ids[std::size_t(q)] = id;
                                stack.push_back(q);
                            }
                }
                for (auto& corner : box)
                    for (int a = 0; a < 3; ++a) corner[std::size_t(a)] += out.lo[std::size_t(a)];
                out.boxes.push_back(box);
            }
    return out;
}

std::int32_t InterfaceMarkers::marker(LabelId a, LabelId b) {
    if (a > b) std::swap(a, b);
    auto [it, inserted] = markers_.try_emplace({a, b}, 0);
    if (inserted) {
        if (a == 0) it->second = b;
        else if (b < 1000) it->second = 1000 * a + b;
        else it->second = nextLarge_++;
    }
    return it->second;
}

std::vector<InterfaceMarkers::Entry> InterfaceMarkers::table() const {
    std::vector<Entry> out;
    for (const auto& [pair, m] : markers_) out.push_back({m, pair.first, pair.second});
    std::sort(out.begin(), out.end(), [](const Entry& x, const Entry& y) { return x.marker < y.marker; });
    return out;
}

}  // namespace cellforge::mesh
