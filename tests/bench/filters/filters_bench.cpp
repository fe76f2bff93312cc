// Times the filters plugin's Gaussian (sigma 2) and median (radius 2, a 5³ window) on a
// raw float32 volume and writes the results beside it, for run_bench.sh to compare
// with scipy.ndimage on the same data in the same run.
//
//   filters_bench INPUT.raw NX NY NZ OUTPUT_PREFIX [THREADS] [REPEATS]
//
// Writes OUTPUT_PREFIX.gaussian.raw and OUTPUT_PREFIX.median.raw (float32, x fastest)
// and prints one line per filter: "<name> seconds=<wall, best of REPEATS>
// cpu_seconds=<process CPU time of that run, all threads> threads=<n>".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <thread>

#include "core/base/RunControl.h"
#include "plugins/filters/logic/GaussianFilter.h"
#include "plugins/filters/logic/MedianFilter.h"

using namespace cellforge;

namespace {

Volume readRaw(const std::string& path, Index3 dims) {
    Volume v(dims, ScalarType::Float32);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    in.read(reinterpret_cast<char*>(v.bytes()), std::streamsize(v.byteSize()));
    if (in.gcount() != std::streamsize(v.byteSize()))
        throw std::runtime_error(path + ": expected " + std::to_string(v.byteSize()) + " bytes");
    return v;
}

void writeRaw(const std::string& path, const Volume& v) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(v.bytes()), std::streamsize(v.byteSize()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

Volume timed(const char* name, int threads, int repeats, const std::function<Volume(const RunControl&)>& run) {
    double best = 1e300, bestCpu = 0;
    Volume result;
    for (int i = 0; i < repeats; ++i) {
        RunControl control;  // no progress sink: the timing is the filter's alone
        control.threads = threads;
        const std::clock_t c0 = std::clock();
        const auto t0 = std::chrono::steady_clock::now();
        result = run(control);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
        if (s < best) {
            best = s;
            bestCpu = cpu;
        }
    }
    std::printf("%s seconds=%.4f cpu_seconds=%.4f threads=%d\n", name, best, bestCpu, threads);
    std::fflush(stdout);
    return result;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 6) {
        std::cerr << "usage: filters_bench INPUT.raw NX NY NZ OUTPUT_PREFIX [THREADS] [REPEATS]\n";
        return 2;
    }
    try {
        const Index3 dims{std::atoll(argv[2]), std::atoll(argv[3]), std::atoll(argv[4])};
        const std::string prefix = argv[5];
        const int threads = argc > 6 ? std::atoi(argv[6]) : int(std::max(1u, std::thread::hardware_concurrency()));
        const int repeats = argc > 7 ? std::max(1, std::atoi(argv[7])) : 1;
        const Volume input = readRaw(argv[1], dims);

        const Volume gauss = timed("gaussian", threads, repeats, [&](const RunControl& c) {
            return filters::gaussianFilter(input, 2.0, filters::FilterMode::Volume3D, c);
        });
        writeRaw(prefix + ".gaussian.raw", gauss);
        const Volume median = timed("median", threads, repeats, [&](const RunControl& c) {
            return filters::medianFilter(input, 2, filters::FilterMode::Volume3D, c);
        });
        writeRaw(prefix + ".median.raw", median);
    } catch (const std::exception& e) {
        std::cerr << "filters_bench: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
