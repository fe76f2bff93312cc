// parallelFor: every index once, the thread budget respected, cancel and errors.
#include "core/base/Parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/base/Errors.h"

using namespace cellforge;

TEST(Parallel, EveryIndexExactlyOnce) {
    for (int threads : {1, 2, 4}) {
        std::vector<std::atomic<int>> hits(1000);
        RunControl c;
        c.threads = threads;
        parallelForBlocks(1000, c,
                          [&](std::int64_t b, std::int64_t e, int) {
                              for (std::int64_t i = b; i < e; ++i) ++hits[std::size_t(i)];
                          },
                          {37, false});
        for (auto& h : hits) ASSERT_EQ(h.load(), 1) << threads << " threads";
    }
}

TEST(Parallel, WorkersStayWithinTheBudget) {
    std::mutex m;
    std::set<int> workers;
    std::set<std::thread::id> ids;
    RunControl c;
    c.threads = 3;
    parallelFor(300, c, [&](std::int64_t, int worker) {
        std::lock_guard<std::mutex> lock(m);
        workers.insert(worker);
        ids.insert(std::this_thread::get_id());
    });
    EXPECT_LE(ids.size(), 3u);
    for (int w : workers) {
        EXPECT_GE(w, 0);
        EXPECT_LT(w, 3);
    }
}

TEST(Parallel, ProgressEndsAtOneAndNeverGoesBack) {
    std::vector<double> seen;
    RunControl c;
    c.threads = 2;
    c.progress = [&](double f, const std::string&) { seen.push_back(f); };  // caller's thread only
    parallelFor(50, c, [](std::int64_t, int) {}, {1, true});
    ASSERT_FALSE(seen.empty());
    EXPECT_DOUBLE_EQ(seen.back(), 1.0);
    for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i], seen[i - 1]);
}

TEST(Parallel, CancelMidRunStopsTakingWork) {
    std::atomic<bool> stop{false};
    std::atomic<int> done{0};
    RunControl c;
    c.threads = 2;
    c.cancel = &stop;
    EXPECT_THROW(parallelFor(100000, c,
                             [&](std::int64_t, int) {
                                 if (++done == 10) stop = true;
                             }),
                 CancelledError);
    EXPECT_LT(done.load(), 1000);
}

TEST(Parallel, FirstExceptionIsRethrown) {
    RunControl c;
    c.threads = 2;
    EXPECT_THROW(parallelFor(100, c,
                             [](std::int64_t i, int) {
                                 if (i == 17) throw std::runtime_error("item 17");
                             }),
                 std::runtime_error);
}

TEST(Parallel, EmptyRangeDoesNothing) {
    int calls = 0;
    parallelFor(0, RunControl{}, [&](std::int64_t, int) { ++calls; });
    EXPECT_EQ(calls, 0);
}
