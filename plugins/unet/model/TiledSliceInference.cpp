#include "plugins/unet/model/TiledSliceInference.h"

#include "core/ml/TensorMemory.h"
#include "plugins/unet/model/UNet.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>

namespace cellforge::unet {

std::vector<std::int64_t> tileOrigins(std::int64_t length, std::int64_t tile, std::int64_t overlap) {
    if (length <= tile) return {0};
    const std::int64_t step = std::max<std::int64_t>(1, tile - overlap);
    const std::int64_t count = 1 + (length - tile + step - 1) / step;
    std::vector<std::int64_t> origins;
    for (std::int64_t i = 0; i < count; ++i) {
        // Spread evenly so the overlap is shared equally and the last tile ends at the edge.
        const std::int64_t o = count == 1 ? 0 : (i * (length - tile) + (count - 1) / 2) / (count - 1);
        origins.push_back(o);
    }
    return origins;
}

namespace {

// Reflect index into [0, n).
std::int64_t reflect(std::int64_t i, std::int64_t n) {
    if (n == 1) return 0;
    const std::int64_t period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
}

// Weight profile along one tile axis: a raised-cosine ramp over `overlap` voxels at each
// end, never zero, so a lone tile passes through unchanged after normalisation.
std::vector<float> blendProfile(std::int64_t tile, std::int64_t overlap) {
    std::vector<float> w(std::size_t(tile), 1.0f);
    if (overlap <= 0) return w;
    for (std::int64_t i = 0; i < tile; ++i) {
        const std::int64_t edge = std::min(i, tile - 1 - i);
        if (edge < overlap) {
            const double t = double(edge + 1) / double(overlap + 1);
            w[std::size_t(i)] = float(std::sin(0.5 * M_PI * t) * std::sin(0.5 * M_PI * t));
        }
    }
    return w;
}

struct Tile {
    std::int64_t z, x0, y0;
};

struct SliceAccumulator {
    std::vector<float> sum;  // classes x ny x nx
    int remaining = 0;
};

}  // namespace

void runTiledSliceInference(const SegmentationNetwork& network, const SliceVolume& volume,
                            const InferenceOptions& options, const ProbabilitySink& sink, const RunControl& control) {
    const UNetArchitecture& arch = network.metadata().architecture;
    ml::keepTensorMemoryInProcess();
    const std::int64_t nx = volume.nx, ny = volume.ny, nz = volume.nz;
    if (nx < 1 || ny < 1 || nz < 1) throw InputError("image is empty; expected a volume with voxels");
    const int divisor = arch.sizeDivisor();
    if (options.tileSize < divisor || options.tileSize % divisor != 0 || options.tileSize > 4096)
        throw InputError("tile_size is " + std::to_string(options.tileSize) + "; expected a multiple of " +
                         std::to_string(divisor) + " (the network pools " + std::to_string(arch.depth - 1) +
                         " times) up to 4096");
    if (options.overlap < 0 || options.overlap >= options.tileSize / 2 + 1)
        throw InputError("overlap is " + std::to_string(options.overlap) + "; expected 0 to half the tile size (" +
                         std::to_string(options.tileSize / 2) + ")");
    if (options.batchSize < 1 || options.batchSize > 1024)
        throw InputError("batch_size is " + std::to_string(options.batchSize) + "; expected 1 to 1024");
    if (!volume.readSlice) throw std::logic_error("runTiledSliceInference: no slice reader");

    if (options.threads > 0) at::set_num_threads(options.threads);
    const torch::Device device = resolveDevice(options.device, control);
    UNet module = makeInferenceModule(network, device, options.foldBatchNorm);
    torch::InferenceMode inferenceGuard;

    // Tile size per axis: the requested size, or the image rounded up to the divisor
    // when it is smaller (the rest is filled by reflection).
    auto roundUp = [&](std::int64_t n) { return (n + divisor - 1) / divisor * divisor; };
    const std::int64_t tw = std::min<std::int64_t>(options.tileSize, roundUp(nx));
    const std::int64_t th = std::min<std::int64_t>(options.tileSize, roundUp(ny));
    const auto xs = tileOrigins(nx, tw, options.overlap);
    const auto ys = tileOrigins(ny, th, options.overlap);
    const int tilesPerSlice = int(xs.size() * ys.size());
    const std::vector<float> wx = blendProfile(tw, options.overlap), wy = blendProfile(th, options.overlap);
    // The summed weights are the same for every slice: computed once.
    std::vector<float> weightSum(std::size_t(nx * ny), 0.0f);
    for (std::int64_t y0 : ys)
        for (std::int64_t x0 : xs)
            for (std::int64_t y = 0; y < th && y0 + y < ny; ++y)
                for (std::int64_t x = 0; x < tw && x0 + x < nx; ++x)
                    weightSum[std::size_t((y0 + y) * nx + x0 + x)] += wx[std::size_t(x)] * wy[std::size_t(y)];

    const int k = arch.contextSlices;
    const int classes = arch.classes;
    const std::int64_t sliceSize = nx * ny;

    // Normalised slices currently needed, by z.
    std::map<std::int64_t, std::vector<float>> slices;
    auto normalisedSlice = [&](std::int64_t z) -> const std::vector<float>& {
        auto it = slices.find(z);
        if (it != slices.end()) return it->second;
        std::vector<float> s(static_cast<std::size_t>(sliceSize));
        volume.readSlice(z, s.data());
        double sum = 0, sumSq = 0;
        for (float v : s) {
            sum += v;
            sumSq += double(v) * v;
        }
        const double mean = sum / double(sliceSize);
        double sd = std::sqrt(std::max(0.0, sumSq / double(sliceSize) - mean * mean));
        if (!(sd > 1e-12)) sd = 1.0;
        for (float& v : s) v = float((v - mean) / sd);
        return slices.emplace(z, std::move(s)).first->second;
    };

    std::map<std::int64_t, SliceAccumulator> pending;
    std::vector<Tile> batch;
    std::vector<float> input;
    const std::int64_t totalTiles = std::int64_t(tilesPerSlice) * nz;
    std::int64_t doneTiles = 0;

    auto runBatch = [&]() {
        if (batch.empty()) return;
        control.throwIfCancelled();
        const std::int64_t n = std::int64_t(batch.size());
        input.assign(std::size_t(n * k * th * tw), 0.0f);
        for (std::int64_t b = 0; b < n; ++b) {
            const Tile& t = batch[std::size_t(b)];
            for (int c = 0; c < k; ++c) {
                const std::int64_t zz = std::clamp<std::int64_t>(t.z + c - k / 2, 0, nz - 1);
                const std::vector<float>& s = normalisedSlice(zz);
                float* dst = input.data() + ((b * k + c) * th) * tw;
                for (std::int64_t y = 0; y < th; ++y) {
                    const std::int64_t sy = reflect(t.y0 + y, ny);
                    for (std::int64_t x = 0; x < tw; ++x)
                        dst[y * tw + x] = s[std::size_t(sy * nx + reflect(t.x0 + x, nx))];
                }
            }
        }
        torch::Tensor x = torch::from_blob(input.data(), {n, k, th, tw}, torch::kFloat).to(device);
        torch::Tensor probs = torch::softmax(module->forward(x), 1);
        if (options.flipTta) {
            probs = probs + torch::softmax(module->forward(x.flip({3})), 1).flip({3});
            probs = probs + torch::softmax(module->forward(x.flip({2})), 1).flip({2});
            probs = probs + torch::softmax(module->forward(x.flip({2, 3})), 1).flip({2, 3});
            probs = probs * 0.25;
        }
        probs = probs.to(torch::kCPU).contiguous();
        const float* p = probs.data_ptr<float>();
        for (std::int64_t b = 0; b < n; ++b) {
            const Tile& t = batch[std::size_t(b)];
            SliceAccumulator& acc = pending[t.z];
            if (acc.sum.empty()) acc.sum.assign(std::size_t(classes * sliceSize), 0.0f);
            for (int c = 0; c < classes; ++c) {
                const float* src = p + ((b * classes + c) * th) * tw;
                float* dst = acc.sum.data() + c * sliceSize;
                for (std::int64_t y = 0; y < th && t.y0 + y < ny; ++y) {
                    const float wyy = wy[std::size_t(y)];
                    for (std::int64_t x = 0; x < tw && t.x0 + x < nx; ++x)
                        dst[(t.y0 + y) * nx + t.x0 + x] += src[y * tw + x] * wx[std::size_t(x)] * wyy;
                }
            }
            --acc.remaining;
        }
        doneTiles += n;
        // Later tiles start at this batch's last slice: earlier neighbours are done with.
        const std::int64_t keepFrom = batch.back().z - k / 2;
        for (auto it = slices.begin(); it != slices.end() && it->first < keepFrom;) it = slices.erase(it);
        batch.clear();
        // Hand on finished slices (in z order) and forget what is no longer needed.
        for (auto it = pending.begin(); it != pending.end() && it->second.remaining == 0;) {
            std::vector<float>& sum = it->second.sum;
            for (int c = 0; c < classes; ++c)
                for (std::int64_t i = 0; i < sliceSize; ++i)
                    sum[std::size_t(c * sliceSize + i)] /= weightSum[std::size_t(i)];
            sink(it->first, sum.data());
            it = pending.erase(it);
        }
        control.report(
            double(doneTiles) / double(totalTiles),
            "segmented " + std::to_string(doneTiles / tilesPerSlice) + " of " + std::to_string(nz) + " slices");
    };

    for (std::int64_t z = 0; z < nz; ++z) {
        pending[z].remaining = tilesPerSlice;
        for (std::int64_t y0 : ys)
            for (std::int64_t x0 : xs) {
                batch.push_back({z, x0, y0});
                if (int(batch.size()) == options.batchSize) runBatch();
            }
    }
    runBatch();
}

}  // namespace cellforge::unet
