#include "core/base/Parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/base/Errors.h"

namespace cellforge {

void parallelForBlocks(std::int64_t count, const RunControl& control,
                       const std::function<void(std::int64_t, std::int64_t, int)>& body, ParallelOptions options) {
    control.throwIfCancelled();
    if (count <= 0) {
        if (options.reportProgress) control.report(1.0);
        return;
    }
    const std::int64_t grain = std::max<std::int64_t>(1, options.grain);
    const std::int64_t blocks = (count + grain - 1) / grain;
    const int threads = int(std::clamp<std::int64_t>(control.threadCount(), 1, blocks));
    std::atomic<std::int64_t> next{0};
    std::atomic<std::int64_t> done{0};
    std::atomic<bool> stop{false};
    std::exception_ptr failure;
    std::mutex failureMutex;
    std::mutex reportMutex;
    std::int64_t reported = 0;  // guarded by reportMutex

    auto work = [&](int worker) {
        try {
            while (!stop.load(std::memory_order_relaxed)) {
                if (control.isCancelled()) {
                    stop = true;
                    break;
                }
                const std::int64_t block = next.fetch_add(1);
                if (block >= blocks) break;
                const std::int64_t begin = block * grain;
                body(begin, std::min(count, begin + grain), worker);
                const std::int64_t finished = done.fetch_add(1) + 1;
                // Whichever worker finishes a block reports, one at a time and never backwards, so
                // progress moves even while the caller's thread is descheduled; progress sinks
                // are never called concurrently. A worker that finds the lock taken skips, and
                // none reports once the run is cancelled (a sink may cancel it).
                if (options.reportProgress) {
                    std::unique_lock<std::mutex> lock(reportMutex, std::try_to_lock);
                    if (lock.owns_lock() && finished > reported && !control.isCancelled()) {
                        reported = finished;
                        control.report(double(finished) / double(blocks));
                    }
                }
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(failureMutex);
            if (!failure) failure = std::current_exception();
            stop = true;
        }
    };

    std::vector<std::thread> pool;
    pool.reserve(std::size_t(threads - 1));
    for (int w = 1; w < threads; ++w) pool.emplace_back(work, w);
    work(0);
    for (auto& t : pool) t.join();

    if (failure) std::rethrow_exception(failure);
    control.throwIfCancelled();
    if (options.reportProgress) control.report(1.0);
}

void parallelFor(std::int64_t count, const RunControl& control, const std::function<void(std::int64_t, int)>& body,
                 ParallelOptions options) {
    parallelForBlocks(
        count, control,
        [&](std::int64_t begin, std::int64_t end, int worker) {
            for (std::int64_t i = begin; i < end; ++i) body(i, worker);
        },
        options);
}

}  // namespace cellforge
