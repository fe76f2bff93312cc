#include "plugins/filters/logic/Parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/base/Errors.h"
#include "core/jobs/JobContext.h"

namespace cellforge::filters {

void parallelFor(std::int64_t count, int threads, const ProgressSpan& progress,
                 const std::function<void(std::int64_t, int)>& body) {
    JobContext& context = progress.context();
    context.throwIfCancelled();
    if (count <= 0) {
        progress.set(1.0);
        return;
    }
    const int workers = int(std::max<std::int64_t>(1, std::min<std::int64_t>(threads, count)));
    std::atomic<std::int64_t> next{0};
    std::atomic<std::int64_t> done{0};
    std::atomic<bool> stop{false};
    std::exception_ptr failure;
    std::mutex failureMutex;

    auto work = [&](int worker) {
        const bool reporter = worker == 0;
        while (!stop.load(std::memory_order_relaxed)) {
            if (context.isCancelled()) {
                stop = true;
                break;
            }
            const std::int64_t item = next.fetch_add(1);
            if (item >= count) break;
            try {
                body(item, worker);
            } catch (...) {
                std::lock_guard<std::mutex> lock(failureMutex);
                if (!failure) failure = std::current_exception();
                stop = true;
                break;
            }
            const std::int64_t finished = done.fetch_add(1) + 1;
            if (reporter) progress.set(double(finished) / double(count));
        }
    };

    std::vector<std::thread> pool;
    pool.reserve(std::size_t(workers - 1));
    for (int w = 1; w < workers; ++w) pool.emplace_back(work, w);
    work(0);
    for (auto& t : pool) t.join();

    if (failure) std::rethrow_exception(failure);
    context.throwIfCancelled();
    progress.set(1.0);
}

}  // namespace cellforge::filters
