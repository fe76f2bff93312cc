#include "core/base/Errors.h"
#include "core/data/Volume.h"
#include "core/jobs/JobQueue.h"

#include <gtest/gtest.h>

#include <QCoreApplication>

#include <atomic>
#include <thread>

using namespace cellforge;
using namespace std::chrono_literals;

namespace {

ThreadBudget twoWorkers() {
    ThreadBudget b;
    b.total = 2;
    b.cpuLaneWorkers = 2;
    b.threadsPerJob = 2;
    return b;
}

PortData oneVolume() { return {{"image", std::make_shared<Volume>(Index3{2, 2, 2}, ScalarType::Float32)}}; }

// Waits for a condition with a generous limit (the machine is shared and slow).
template <typename F>
bool eventually(F f) {
    for (int i = 0; i < 2000; ++i) {
        if (f()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return false;
}

}  // namespace

TEST(JobQueue, CompletedJobDeliversItsResultOnce) {
    JobQueue queue(twoWorkers());
    const JobId id = queue.submit("make", StageLane::Cpu, [](JobContext&) { return oneVolume(); });
    EXPECT_EQ(queue.wait(id), JobState::Completed);
    PortData r = queue.takeResult(id);
    ASSERT_EQ(r.count("image"), 1u);
    EXPECT_EQ(queue.takeResult(id).size(), 0u);
    EXPECT_DOUBLE_EQ(queue.snapshot(id).progress, 1.0);
}

TEST(JobQueue, CancelledRunningJobLeavesNoOutput) {
    JobQueue queue(twoWorkers());
    std::atomic<bool> started{false};
    const JobId id = queue.submit("loop", StageLane::Cpu, [&](JobContext& ctx) {
        started = true;
        for (;;) {
            ctx.throwIfCancelled();
            std::this_thread::sleep_for(1ms);
        }
        return oneVolume();
    });
    ASSERT_TRUE(eventually([&] { return started.load(); }));
    queue.cancel(id);
    EXPECT_EQ(queue.wait(id), JobState::Cancelled);
    EXPECT_TRUE(queue.takeResult(id).empty());
}

TEST(JobQueue, WorkThatIgnoresCancelStillDeliversNothing) {
    JobQueue queue(twoWorkers());
    std::atomic<bool> started{false}, release{false};
    const JobId id = queue.submit("stubborn", StageLane::Cpu, [&](JobContext&) {
        started = true;
        while (!release) std::this_thread::sleep_for(1ms);
        return oneVolume();
    });
    ASSERT_TRUE(eventually([&] { return started.load(); }));
    queue.cancel(id);
    EXPECT_EQ(queue.snapshot(id).state, JobState::Cancelling);
    release = true;
    EXPECT_EQ(queue.wait(id), JobState::Cancelled);
    EXPECT_TRUE(queue.takeResult(id).empty());
}

TEST(JobQueue, CancelledQueuedJobNeverRuns) {
    ThreadBudget one = twoWorkers();
    one.cpuLaneWorkers = 1;
    JobQueue queue(one);
    std::atomic<bool> release{false}, secondRan{false};
    const JobId first = queue.submit("blocker", StageLane::Cpu, [&](JobContext&) {
        while (!release) std::this_thread::sleep_for(1ms);
        return oneVolume();
    });
    const JobId second = queue.submit("queued", StageLane::Cpu, [&](JobContext&) {
        secondRan = true;
        return oneVolume();
    });
    queue.cancel(second);
    release = true;
    EXPECT_EQ(queue.wait(first), JobState::Completed);
    EXPECT_EQ(queue.wait(second), JobState::Cancelled);
    EXPECT_FALSE(secondRan.load());
}

TEST(JobQueue, ThrowingStageFailsItsJobWithItsMessageAndTheQueueGoesOn) {
    JobQueue queue(twoWorkers());
    const JobId bad = queue.submit("bad", StageLane::Cpu,
                                   [](JobContext&) -> PortData { throw StageError("the membrane is too thin"); });
    EXPECT_EQ(queue.wait(bad), JobState::Failed);
    EXPECT_EQ(queue.snapshot(bad).error, "the membrane is too thin");
    EXPECT_FALSE(queue.snapshot(bad).badInput);
    const JobId input =
        queue.submit("input", StageLane::Cpu, [](JobContext&) -> PortData { throw InputError("sizes differ"); });
    EXPECT_EQ(queue.wait(input), JobState::Failed);
    EXPECT_TRUE(queue.snapshot(input).badInput);
    const JobId good = queue.submit("good", StageLane::Cpu, [](JobContext&) { return oneVolume(); });
    EXPECT_EQ(queue.wait(good), JobState::Completed);
}

TEST(JobQueue, CpuJobAndDeviceLaneJobRunAtTheSameTime) {
    ThreadBudget one = twoWorkers();
    one.cpuLaneWorkers = 1;  // so concurrency can only come from the device lane
    JobQueue queue(one, {"cuda:0"});
    std::atomic<int> running{0}, maxRunning{0};
    auto work = [&](JobContext& ctx) {
        const int now = ++running;
        int prev = maxRunning.load();
        while (now > prev && !maxRunning.compare_exchange_weak(prev, now)) {
        }
        // Hold until both have started (or give up after a while).
        for (int i = 0; i < 2000 && maxRunning.load() < 2; ++i) std::this_thread::sleep_for(1ms);
        --running;
        (void)ctx;
        return oneVolume();
    };
    const JobId cpu = queue.submit("cpu", StageLane::Cpu, work);
    const JobId dev = queue.submit("device", StageLane::Device, work);
    EXPECT_EQ(queue.wait(cpu), JobState::Completed);
    EXPECT_EQ(queue.wait(dev), JobState::Completed);
    EXPECT_EQ(maxRunning.load(), 2);
    EXPECT_EQ(queue.snapshot(dev).lane, "cuda:0");
    EXPECT_EQ(queue.snapshot(cpu).lane, "cpu");
}

TEST(JobQueue, WithoutADeviceDeviceWorkRunsOnTheCpuLane) {
    JobQueue queue(twoWorkers());
    std::string device;
    const JobId id = queue.submit("torch", StageLane::Device, [&](JobContext& ctx) {
        device = ctx.device().name;
        return oneVolume();
    });
    EXPECT_EQ(queue.wait(id), JobState::Completed);
    EXPECT_EQ(device, "cpu");
}

TEST(JobQueue, ProgressNeverGoesBackwardsAndIsThrottled) {
    JobQueue queue(twoWorkers());
    std::vector<double> seen;
    std::mutex m;
    QObject::connect(&queue, &JobQueue::jobProgress, [&](int, double f, QString) {
        std::lock_guard<std::mutex> lock(m);
        seen.push_back(f);
    });
    const JobId id = queue.submit("progress", StageLane::Cpu, [](JobContext& ctx) {
        for (int i = 0; i <= 2000; ++i) {
            ctx.setProgress(i / 2000.0);
            ctx.setProgress(i / 4000.0);  // a step backwards must not show
        }
        return oneVolume();
    });
    EXPECT_EQ(queue.wait(id), JobState::Completed);
    std::lock_guard<std::mutex> lock(m);
    ASSERT_FALSE(seen.empty());
    for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i], seen[i - 1]);
    EXPECT_DOUBLE_EQ(seen.back(), 1.0);
    EXPECT_LT(seen.size(), 200u);  // 4000 calls, forwarded at most ~10 per second (plus the first and last)
}

TEST(JobQueue, ThreadBudgetIsSharedAmongRunningCpuJobs) {
    JobQueue queue(twoWorkers());
    const JobId alone = queue.submit(
        "alone", StageLane::Cpu, [](JobContext& ctx) { return ctx.threadBudget() == 2 ? oneVolume() : PortData{}; });
    EXPECT_EQ(queue.wait(alone), JobState::Completed);
    EXPECT_EQ(queue.takeResult(alone).size(), 1u) << "a job running alone gets the whole budget";

    std::atomic<int> started{0};
    std::atomic<int> secondBudget{0};
    auto work = [&](JobContext& ctx) {
        if (++started == 2) secondBudget = ctx.threadBudget();
        for (int k = 0; k < 4000 && started.load() < 2; ++k) std::this_thread::sleep_for(1ms);
        return oneVolume();
    };
    const JobId a = queue.submit("a", StageLane::Cpu, work);
    const JobId b = queue.submit("b", StageLane::Cpu, work);
    queue.wait(a);
    queue.wait(b);
    EXPECT_EQ(secondBudget.load(), 1) << "two jobs at once share the two threads";
}
