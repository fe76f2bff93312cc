// Reads whole MRC files with cellforge::io::readVolume and prints the time, the
// throughput and the peak resident memory. run_bench.sh runs it beside `cat` and
// python3-mrcfile on the same file and prints the ratios.
//
//   bench_mrc_read FILE [REPEATS]
//
// Prints one line per read and a summary line with the best time:
//   cellforge best_s=0.123 gb_per_s=8.7 peak_rss_mib=1030 data_mib=1024
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "core/base/Errors.h"
#include "core/io/VolumeIO.h"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE.mrc [REPEATS]\n", argv[0]);
        return 2;
    }
    const std::string path = argv[1];
    const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
    double best = 1e30;
    std::size_t bytes = 0;
    double checksum = 0;
    try {
        for (int r = 0; r < repeats; ++r) {
            const auto start = std::chrono::steady_clock::now();
            const cellforge::Volume volume = cellforge::io::readVolume(path);
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            bytes = volume.byteSize();
            // Touch a value in every page so nothing could have been left unread (not timed).
            const auto* p = reinterpret_cast<const unsigned char*>(volume.bytes());
            for (std::size_t i = 0; i < bytes; i += 4096) checksum += p[i];
            best = std::min(best, seconds);
            std::printf("read %d: %.4f s, %.2f GB/s\n", r + 1, seconds, double(bytes) / seconds / 1e9);
        }
    } catch (const cellforge::InputError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("cellforge best_s=%.4f gb_per_s=%.3f peak_rss_mib=%.0f data_mib=%.0f checksum=%.0f\n", best,
                double(bytes) / best / 1e9, double(usage.ru_maxrss) / 1024.0, double(bytes) / 1048576.0, checksum);
    return 0;
}
