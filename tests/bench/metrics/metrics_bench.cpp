// Benchmark program for the metrics logic: makes a reference and a perturbed label
// volume of random shapes (fixed seed), writes both as raw uint16 files for the peer,
// then times Dice (whole volume and per slice) and the surface distances (Hausdorff,
// HD95, mean) and prints one JSON object. run_metrics_bench.py runs it beside scipy.
//
//   metrics_bench --out DIR [--dims 512 512 200] [--voxel 8 8 10] [--threads N] [--seed S]
//                 [--repeat R] [--no-write]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "plugins/metrics/logic/Overlap.h"
#include "plugins/metrics/logic/SurfaceDistance.h"

using namespace cellforge::metrics;

namespace {

struct Shape {
    double cx, cy, cz, rx, ry, rz;  // centre and radii (voxels)
    double shell;                   // > 0: a shell of this thickness (voxels), else solid
    Label label;
};

void paint(std::vector<Label>& v, const Dims3& d, const Shape& s) {
    const double reach = 1.0;
    const std::int64_t x0 = std::max<std::int64_t>(0, std::int64_t(std::floor(s.cx - s.rx - reach)));
    const std::int64_t x1 = std::min<std::int64_t>(d[0] - 1, std::int64_t(std::ceil(s.cx + s.rx + reach)));
    const std::int64_t y0 = std::max<std::int64_t>(0, std::int64_t(std::floor(s.cy - s.ry - reach)));
    const std::int64_t y1 = std::min<std::int64_t>(d[1] - 1, std::int64_t(std::ceil(s.cy + s.ry + reach)));
    const std::int64_t z0 = std::max<std::int64_t>(0, std::int64_t(std::floor(s.cz - s.rz - reach)));
    const std::int64_t z1 = std::min<std::int64_t>(d[2] - 1, std::int64_t(std::ceil(s.cz + s.rz + reach)));
    const double meanR = (s.rx + s.ry + s.rz) / 3.0;
    for (std::int64_t z = z0; z <= z1; ++z)
        for (std::int64_t y = y0; y <= y1; ++y)
            for (std::int64_t x = x0; x <= x1; ++x) {
                const double u = (x - s.cx) / s.rx, w = (y - s.cy) / s.ry, t = (z - s.cz) / s.rz;
                const double r = std::sqrt(u * u + w * w + t * t);  // 1 on the outer surface
                if (r > 1.0) continue;
                if (s.shell > 0 && r < 1.0 - s.shell / meanR) continue;
                v[std::size_t(x + d[0] * (y + d[1] * z))] = s.label;
            }
}

void makeVolumes(const Dims3& d, std::uint64_t seed, std::vector<Label>& reference, std::vector<Label>& labels) {
    std::mt19937_64 rng(seed);
    auto uniform = [&](double a, double b) { return a + (b - a) * double(rng() >> 11) * 0x1.0p-53; };
    std::vector<Shape> shapes;
    // Class 1: membrane-like ellipsoidal shells; class 2: solid blobs (painted after).
    for (int k = 0; k < 24; ++k) {
        const double r = uniform(25, 70);
        shapes.push_back({uniform(0, double(d[0])), uniform(0, double(d[1])), uniform(0, double(d[2])),
                          r * uniform(0.8, 1.2), r * uniform(0.8, 1.2), r * uniform(0.5, 0.9), uniform(3, 6), 1});
    }
    for (int k = 0; k < 80; ++k) {
        const double r = uniform(4, 18);
        shapes.push_back({uniform(0, double(d[0])), uniform(0, double(d[1])), uniform(0, double(d[2])),
                          r * uniform(0.7, 1.3), r * uniform(0.7, 1.3), r * uniform(0.7, 1.3), 0, 2});
    }
    reference.assign(std::size_t(d[0] * d[1] * d[2]), 0);
    labels.assign(reference.size(), 0);
    for (const Shape& s : shapes) paint(reference, d, s);
    // The "segmentation": every shape moved and resized a little, a few missed, a few extra.
    for (const Shape& s : shapes) {
        if (uniform(0, 1) < 0.05) continue;
        Shape p = s;
        p.cx += uniform(-2, 2), p.cy += uniform(-2, 2), p.cz += uniform(-2, 2);
        const double scale = uniform(0.92, 1.08);
        p.rx *= scale, p.ry *= scale, p.rz *= scale;
        if (p.shell > 0) p.shell *= uniform(0.8, 1.25);
        paint(labels, d, p);
    }
    for (int k = 0; k < 6; ++k) {
        const double r = uniform(4, 12);
        paint(labels, d, {uniform(0, double(d[0])), uniform(0, double(d[1])), uniform(0, double(d[2])), r, r, r, 0, 2});
    }
}

bool writeRaw(const std::string& path, const std::vector<Label>& v) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(Label)));
    return bool(f);
}

double seconds(std::chrono::steady_clock::time_point a) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

// Processor time of the whole process (all threads), robust to a busy machine.
double cpuSeconds(std::clock_t a) { return double(std::clock() - a) / CLOCKS_PER_SEC; }

void printNumber(double v) {
    if (std::isfinite(v))
        std::printf("%.17g", v);
    else
        std::printf("null");
}

}  // namespace

int main(int argc, char** argv) {
    std::string out;
    Dims3 dims{512, 512, 200};
    Spacing3 voxel{8.0, 8.0, 10.0};
    int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    std::uint64_t seed = 20240611;
    int repeat = 1;
    bool write = true;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--out")
            out = next();
        else if (a == "--dims")
            for (auto& v : dims) v = std::stoll(next());
        else if (a == "--voxel")
            for (auto& v : voxel) v = std::stod(next());
        else if (a == "--threads")
            threads = std::stoi(next());
        else if (a == "--seed")
            seed = std::stoull(next());
        else if (a == "--repeat")
            repeat = std::max(1, std::stoi(next()));
        else if (a == "--no-write")
            write = false;
        else {
            std::cerr << "unknown argument " << a << "\n";
            return 2;
        }
    }
    if (write && out.empty()) {
        std::cerr << "--out DIR is needed to write the volumes (or --no-write)\n";
        return 2;
    }

    auto t0 = std::chrono::steady_clock::now();
    std::vector<Label> reference, labels;
    makeVolumes(dims, seed, reference, labels);
    const double makeSeconds = seconds(t0);
    if (write && (!writeRaw(out + "/reference.raw", reference) || !writeRaw(out + "/labels.raw", labels))) {
        std::cerr << "cannot write the raw files into " << out << "\n";
        return 1;
    }

    LabelGrid a{labels.data(), dims, voxel}, b{reference.data(), dims, voxel};
    cellforge::RunControl control;
    control.threads = threads;
    // Best of `repeat` runs of each measurement.
    double diceSeconds = 1e300, sliceSeconds = 1e300, surfaceSeconds = 1e300;
    double diceCpu = 1e300, sliceCpu = 1e300, surfaceCpu = 1e300;
    OverlapResult overlap, slices;
    std::vector<SurfaceDistanceScores> surfaces;
    for (int r = 0; r < repeat; ++r) {
        OverlapOptions o;
        o.perSlice = false;
        t0 = std::chrono::steady_clock::now();
        std::clock_t c0 = std::clock();
        overlap = computeOverlap(a, b, o, control);
        diceSeconds = std::min(diceSeconds, seconds(t0));
        diceCpu = std::min(diceCpu, cpuSeconds(c0));
        o.perSlice = true;
        o.axis = 2;
        t0 = std::chrono::steady_clock::now();
        c0 = std::clock();
        slices = computeOverlap(a, b, o, control);
        sliceSeconds = std::min(sliceSeconds, seconds(t0));
        sliceCpu = std::min(sliceCpu, cpuSeconds(c0));
        t0 = std::chrono::steady_clock::now();
        c0 = std::clock();
        surfaces = computeSurfaceDistances(a, b, ClassSelection::parse("all"), control);
        surfaceSeconds = std::min(surfaceSeconds, seconds(t0));
        surfaceCpu = std::min(surfaceCpu, cpuSeconds(c0));
    }

    std::printf("{\"dims\": [%lld, %lld, %lld], \"voxel_size\": [%g, %g, %g], \"threads\": %d, \"seed\": %llu,\n",
                (long long)dims[0], (long long)dims[1], (long long)dims[2], voxel[0], voxel[1], voxel[2], threads,
                (unsigned long long)seed);
    std::printf(" \"seconds\": {\"make\": %.4f, \"dice\": %.4f, \"dice_per_slice\": %.4f, \"surface\": %.4f},\n",
                makeSeconds, diceSeconds, sliceSeconds, surfaceSeconds);
    std::printf(" \"cpu_seconds\": {\"dice\": %.4f, \"dice_per_slice\": %.4f, \"surface\": %.4f},\n", diceCpu, sliceCpu,
                surfaceCpu);
    std::printf(" \"classes\": [");
    for (std::size_t k = 0; k < overlap.summary.size(); ++k) {
        const auto& s = overlap.summary[k];
        const auto it = std::find_if(surfaces.begin(), surfaces.end(), [&](auto& x) { return x.label == s.label; });
        std::printf("%s\n  {\"class\": %d, \"voxels_labels\": %lld, \"voxels_reference\": %lld, \"dice\": ",
                    k ? "," : "", int(s.label), (long long)s.voxelsLabels, (long long)s.voxelsReference);
        printNumber(s.dice);
        std::printf(", \"hausdorff\": ");
        printNumber(it->hausdorff);
        std::printf(", \"hausdorff95\": ");
        printNumber(it->hausdorff95);
        std::printf(", \"assd\": ");
        printNumber(it->meanSurfaceDistance);
        std::printf(", \"dice_per_slice\": [");
        bool first = true;
        for (const auto& row : slices.perSlice) {
            if (row.scores.label != s.label) continue;
            std::printf("%s[%lld, ", first ? "" : ", ", (long long)row.slice);
            printNumber(row.scores.dice);
            std::printf("]");
            first = false;
        }
        std::printf("]}");
    }
    std::printf("]}\n");
    return 0;
}
