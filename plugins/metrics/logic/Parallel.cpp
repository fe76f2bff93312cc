#include "plugins/metrics/logic/Parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/base/Errors.h"

namespace cellforge::metrics {

void parallelFor(std::int64_t count, std::int64_t grain, const RunControl& control,
                 const std::function<void(std::int64_t, std::int64_t)>& body) {
    if (count <= 0) return;
    grain = std::max<std::int64_t>(1, grain);
    const std::int64_t blocks = (count + grain - 1) / grain;
    const int threads = int(std::clamp<std::int64_t>(control.threads, 1, blocks));
    std::atomic<std::int64_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex errorMutex;

    auto work = [&] {
        try {
            while (!failed.load(std::memory_order_relaxed)) {
                control.throwIfCancelled();
                const std::int64_t block = next.fetch_add(1);
                if (block >= blocks) break;
                const std::int64_t begin = block * grain;
                body(begin, std::min(count, begin + grain));
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(errorMutex);
            if (!error) error = std::current_exception();
            failed.store(true);
        }
    };

    std::vector<std::thread> pool;
    pool.reserve(std::size_t(threads - 1));
    for (int t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace cellforge::metrics
