#include "plugins/mesh/logic/LabelGeometry.h"

#include "core/base/Errors.h"
#include "core/base/LargeBuffer.h"
#include "core/base/Parallel.h"
#include "core/imaging/ConnectedComponents.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <sstream>

namespace cellforge::mesh {

namespace {

// The labels one thread has seen in its blocks of slices: a slot per label id (-1 =
// unseen) into a short list. The table is made on the first block, so that threads the
// loop does not start cost nothing.
struct SlabExtents {
    std::vector<std::int32_t> slot;
    std::vector<LabelExtent> found;
    std::vector<char> interior;
};

// Adds the extents of the labels in slices [z0, z1) to `out` (interior tests read the
// neighbouring slices). A thread's blocks come in any order: every bound is a min or max.
void scanSlices(const LabelVolume& labels, std::int64_t z0, std::int64_t z1, SlabExtents& out) {
    const auto nx = labels.nx(), ny = labels.ny(), nz = labels.nz();
    if (out.slot.empty()) out.slot.assign(65536, -1);
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
                e.lo[2] = std::min(e.lo[2], z), e.hi[2] = std::max(e.hi[2], z);
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

std::vector<LabelExtent> labelExtents(const LabelVolume& labels, const RunControl& control) {
    const auto nz = labels.nz();
    const RunControl scan = control.withThreads(std::min(control.threadCount(), 8));
    std::vector<SlabExtents> parts(std::size_t(scan.threadCount()));
    // A few blocks per thread: slices that are mostly background scan faster, so blocks
    // handed out as threads finish keep them busy to the end.
    const std::int64_t grain = std::max<std::int64_t>(1, nz / (4 * std::int64_t(scan.threadCount())));
    parallelForBlocks(
        nz, scan,
        [&](std::int64_t z0, std::int64_t z1, int worker) { scanSlices(labels, z0, z1, parts[std::size_t(worker)]); },
        {grain});
    // Merge the threads' findings per label.
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
                                      const std::string& what, const RunControl& control) {
    auto extents = labelExtents(labels, control);
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
            throw InputError(what + ": label " + std::to_string(id) +
                             " is not present in the volume; present labels: " + present.str());
        }
        out.push_back(*it);
    }
    return out;
}

std::vector<LabelId> parseLabelList(const std::string& text, const std::string& what) {
    std::string t;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c)))
            t.push_back(char(std::tolower(static_cast<unsigned char>(c))));
    std::vector<LabelId> out;
    if (t.empty() || t == "all") return out;
    std::stringstream items(t);
    std::string item;
    auto number = [&](const std::string& s) {
        if (s.empty() ||
            !std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
            s.size() > 5 || std::stol(s) < 1 || std::stol(s) > 65535)
            throw InputError(what + ": '" + text +
                             "' is not a label list (expected 'all' or ids from 1 to 65535 such as '1, 3-5')");
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

LabelComponents labelComponents(const LabelVolume& labels, const LabelExtent& extent, const RunControl& control) {
    LabelComponents out;
    out.lo = extent.lo;
    for (std::size_t a = 0; a < 3; ++a) out.dims[a] = extent.hi[a] - extent.lo[a] + 1;
    const auto bx = out.dims[0], by = out.dims[1], bz = out.dims[2];
    imaging::Components components;
    {
        // The label's mask in its box, one byte per voxel (every byte is written below).
        std::vector<std::uint8_t> mask;
        resizeForWriting(mask, std::size_t(bx * by * bz));
        const LabelId* data = labels.labels();
        const auto nx = labels.nx(), ny = labels.ny();
        parallelFor(bz, control, [&](std::int64_t z, int) {
            for (std::int64_t y = 0; y < by; ++y) {
                const LabelId* in = data + out.lo[0] + nx * ((y + out.lo[1]) + ny * (z + out.lo[2]));
                std::uint8_t* row = mask.data() + bx * (y + by * z);
                for (std::int64_t x = 0; x < bx; ++x) row[x] = in[x] == extent.label;
            }
        });
        components = imaging::connectedComponents(mask.data(), out.dims, 26, control);
    }
    out.ids = std::move(components.ids);
    out.voxels.assign(components.sizes.begin() + 1, components.sizes.end());
    out.boxes.reserve(components.count);
    for (std::size_t c = 1; c <= components.count; ++c) {
        auto box = components.boxes[c];
        for (auto& corner : box)
            for (std::size_t a = 0; a < 3; ++a) corner[a] += out.lo[a];
        out.boxes.push_back(box);
    }
    return out;
}

std::int32_t InterfaceMarkers::marker(LabelId a, LabelId b) {
    if (a > b) std::swap(a, b);
    auto [it, inserted] = markers_.try_emplace({a, b}, 0);
    if (inserted) {
        if (a == 0)
            it->second = b;
        else if (b < 1000)
            it->second = 1000 * a + b;
        else
            it->second = nextLarge_++;
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
