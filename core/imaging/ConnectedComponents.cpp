#include "core/imaging/ConnectedComponents.h"

#include <algorithm>
#include <array>
#include <string>

#include "core/base/Errors.h"

namespace cellforge::imaging {

namespace {

std::uint32_t findRoot(std::vector<std::uint32_t>& parent, std::uint32_t a) {
    while (parent[a] != a) {
        parent[a] = parent[parent[a]];
        a = parent[a];
    }
    return a;
}

}  // namespace

Components connectedComponents(const std::uint8_t* mask, const Dims3& dims, int connectivity,
                               const RunControl& control) {
    if (connectivity != 6 && connectivity != 18 && connectivity != 26)
        throw InputError("connectivity " + std::to_string(connectivity) + " is not supported, expected 6, 18 or 26");
    const std::int64_t nx = dims[0], ny = dims[1], nz = dims[2];
    // Neighbours already visited in raster order, within the connectivity.
    std::vector<std::array<int, 3>> back;
    for (int dz = -1; dz <= 0; ++dz)
        for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
                const bool earlier = dz < 0 || (dz == 0 && dy < 0) || (dz == 0 && dy == 0 && dx < 0);
                const int manhattan = std::abs(dx) + std::abs(dy) + std::abs(dz);
                const int limit = connectivity == 6 ? 1 : connectivity == 18 ? 2 : 3;
                if (earlier && manhattan <= limit) back.push_back({dx, dy, dz});
            }

    Components out;
    out.ids.assign(std::size_t(nx * ny * nz), 0);
    std::vector<std::uint32_t> parent{0};
    for (std::int64_t z = 0; z < nz; ++z) {
        if ((z & 7) == 0) {
            control.throwIfCancelled();
            control.report(0.8 * double(z) / double(nz));
        }
        for (std::int64_t y = 0; y < ny; ++y)
            for (std::int64_t x = 0; x < nx; ++x) {
                const std::int64_t i = x + nx * (y + ny * z);
                if (!mask[i]) continue;
                std::uint32_t label = 0;
                for (const auto& o : back) {
                    const std::int64_t xx = x + o[0], yy = y + o[1], zz = z + o[2];
                    if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny) continue;
                    const std::uint32_t n = out.ids[std::size_t(xx + nx * (yy + ny * zz))];
                    if (!n) continue;
                    if (!label) {
                        label = n;
                    } else if (n != label) {
                        const std::uint32_t ra = findRoot(parent, label), rb = findRoot(parent, n);
                        if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
                    }
                }
                if (!label) {
                    label = std::uint32_t(parent.size());
                    parent.push_back(label);
                }
                out.ids[std::size_t(i)] = label;
            }
    }
    // Roots are the smallest provisional label of each set, so numbering roots in
    // increasing order numbers components by their first voxel.
    std::vector<std::uint32_t> final(parent.size(), 0);
    for (std::size_t l = 1; l < parent.size(); ++l) {
        const std::uint32_t r = findRoot(parent, std::uint32_t(l));
        if (r == l)
            final[l] = ++out.count;
        else
            final[l] = final[r];
    }
    out.sizes.assign(std::size_t(out.count) + 1, 0);
    out.boxes.assign(std::size_t(out.count) + 1, {Dims3{nx, ny, nz}, Dims3{-1, -1, -1}});
    std::size_t i = 0;
    for (std::int64_t z = 0; z < nz; ++z)
        for (std::int64_t y = 0; y < ny; ++y)
            for (std::int64_t x = 0; x < nx; ++x, ++i) {
                std::uint32_t& id = out.ids[i];
                if (!id) continue;
                id = final[id];
                ++out.sizes[id];
                auto& box = out.boxes[id];
                box[0] = {std::min(box[0][0], x), std::min(box[0][1], y), std::min(box[0][2], z)};
                box[1] = {std::max(box[1][0], x), std::max(box[1][1], y), std::max(box[1][2], z)};
            }
    control.report(1.0);
    return out;
}

}  // namespace cellforge::imaging
