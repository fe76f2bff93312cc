// Benchmark program for connect.region_merge's logic: reads a raw uint16 label volume
// (and optionally raw float32 probabilities), merges its membrane fragments, writes the
// instances as raw uint16 and prints one JSON object with the timings of each phase, the
// peak memory and the counts. figures.py and run_bench.sh drive it beside their peers.
//
//   connect_bench --labels FILE --dims NX NY NZ [--probabilities FILE] [--out FILE] [--merges CSV]
//                 [--threads N] [--mode 3d|2d] [--max-gap G] [--max-angle A] [--max-tilt T]
//                 [--min-size S] [--normal-radius R] [--min-planarity P] [--complexity Q]
//                 [--normals moments|structure_tensor] [--label L]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/base/Errors.h"
#include "plugins/connect/logic/RegionMerge.h"

using namespace cellforge;
using namespace cellforge::connect;

namespace {

template <typename T>
std::vector<T> readRaw(const std::string& path, std::size_t count) {
    std::vector<T> v(count);
    std::ifstream in(path, std::ios::binary);
    if (!in.read(reinterpret_cast<char*>(v.data()), std::streamsize(count * sizeof(T))))
        throw InputError("cannot read " + std::to_string(count * sizeof(T)) + " bytes from " + path);
    return v;
}

// The peak resident memory (VmHWM): unlike getrusage's ru_maxrss it starts afresh at exec,
// so a parent's memory (a Python driver's) does not count.
double peakRssMiB() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0.0;
}

double cpuSeconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

}  // namespace

int main(int argc, char** argv) {
    std::string labelsPath, probabilityPath, outPath, mergesPath;
    imaging::Dims3 dims{0, 0, 0};
    int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    RegionMergeSettings s;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) throw InputError(a + " needs a value");
            return argv[++i];
        };
        if (a == "--labels")
            labelsPath = next();
        else if (a == "--probabilities")
            probabilityPath = next();
        else if (a == "--out")
            outPath = next();
        else if (a == "--merges")
            mergesPath = next();
        else if (a == "--dims")
            for (auto& d : dims) d = std::stoll(next());
        else if (a == "--threads")
            threads = std::stoi(next());
        else if (a == "--mode")
            s.mode = next() == "2d" ? MergeMode::Slices2D : MergeMode::Volume3D;
        else if (a == "--max-gap")
            s.maxGap = std::stod(next());
        else if (a == "--max-angle")
            s.maxAngle = std::stod(next());
        else if (a == "--max-tilt")
            s.maxTilt = std::stod(next());
        else if (a == "--min-size")
            s.minSize = std::stoll(next());
        else if (a == "--normal-radius")
            s.normalRadius = std::stod(next());
        else if (a == "--min-planarity")
            s.minPlanarity = std::stod(next());
        else if (a == "--complexity")
            s.complexity = std::stod(next());
        else if (a == "--label")
            s.membraneLabel = std::uint16_t(std::stoi(next()));
        else if (a == "--normals")
            s.normals = next() == "structure_tensor" ? NormalEstimate::StructureTensor : NormalEstimate::Moments;
        else {
            std::cerr << "unknown argument " << a << "\n";
            return 2;
        }
    }
    if (labelsPath.empty() || dims[0] <= 0) {
        std::cerr << "usage: connect_bench --labels FILE --dims NX NY NZ [options]\n";
        return 2;
    }
    const std::size_t count = std::size_t(dims[0] * dims[1] * dims[2]);
    try {
        const auto labels = readRaw<std::uint16_t>(labelsPath, count);
        std::vector<float> probability;
        if (!probabilityPath.empty()) probability = readRaw<float>(probabilityPath, count);
        const double rssBefore = peakRssMiB();

        // Phase timings from the progress messages: when each one first appears.
        using Clock = std::chrono::steady_clock;
        const auto start = Clock::now();
        std::vector<std::pair<std::string, double>> phases;
        RunControl control;
        control.threads = threads;
        control.progress = [&](double, const std::string& message) {
            if (phases.empty() || phases.back().first != message)
                phases.emplace_back(message, std::chrono::duration<double>(Clock::now() - start).count());
        };
        const double cpu0 = cpuSeconds();
        // As the stage does (a LabelVolume: calloc), the output's storage is fresh, first touched by the run.
        const std::unique_ptr<std::uint16_t, void (*)(void*)> storage(
            static_cast<std::uint16_t*>(std::calloc(count, sizeof(std::uint16_t))), std::free);
        if (!storage) throw std::bad_alloc();
        std::uint16_t* instances = storage.get();
        const RegionMergeResult r = mergeRegions(labels.data(), probability.empty() ? nullptr : probability.data(),
                                                 dims, s, instances, control);
        const double wall = std::chrono::duration<double>(Clock::now() - start).count();
        const double cpu = cpuSeconds() - cpu0;
        if (!outPath.empty()) {
            std::ofstream out(outPath, std::ios::binary);
            out.write(reinterpret_cast<const char*>(instances), std::streamsize(count * sizeof(std::uint16_t)));
        }
        if (!mergesPath.empty()) {
            std::ofstream csv(mergesPath);
            csv << "fragment_a,fragment_b,instance,gap,angle,bend,tilt,confidence,a_x,a_y,a_z,b_x,b_y,b_z\n";
            for (const FragmentMerge& m : r.merges)
                csv << m.fragmentA << ',' << m.fragmentB << ',' << m.instance << ',' << m.gap << ',' << m.angle << ','
                    << m.bend << ',' << m.tilt << ',' << m.confidence << ',' << m.pointA[0] << ',' << m.pointA[1] << ','
                    << m.pointA[2] << ',' << m.pointB[0] << ',' << m.pointB[1] << ',' << m.pointB[2] << '\n';
        }
        std::printf(
            "{\"wall_s\": %.4f, \"cpu_s\": %.4f, \"threads\": %d, \"peak_rss_mib\": %.1f, "
            "\"rss_before_run_mib\": %.1f, \"membrane_voxels\": %lld, \"fragments\": %u, \"contacts\": %lld, "
            "\"candidate_pairs\": %lld, \"merges\": %zu, \"instances\": %zu, \"dropped_small\": %lld, "
            "\"phases\": {",
            wall, cpu, threads, peakRssMiB(), rssBefore, (long long)r.membraneVoxels, r.fragments,
            (long long)r.contacts, (long long)r.candidatePairs, r.merges.size(), r.instanceSizes.size() - 1,
            (long long)r.droppedSmall);
        // Each phase's duration: until the next phase began (the last one until the end).
        for (std::size_t k = 0; k < phases.size(); ++k) {
            const double end = k + 1 < phases.size() ? phases[k + 1].second : wall;
            std::printf("%s\"%s\": %.4f", k ? ", " : "", phases[k].first.c_str(), end - phases[k].second);
        }
        std::printf("}}\n");
    } catch (const std::exception& e) {
        std::cerr << "connect_bench: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
