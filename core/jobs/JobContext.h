// What a running job sees: progress reporting (throttled), an atomic cancel flag,
// the device to compute on, the thread budget and a log. Passed into Stage::run.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/base/RunControl.h"

namespace cellforge {

// "cpu", "cuda:0", ... LibTorch code maps it to a torch::Device.
struct DeviceSpec {
    std::string name = "cpu";
    bool isCuda() const { return name.rfind("cuda", 0) == 0; }
};

class JobContext {
public:
    using ProgressSink = std::function<void(double fraction, const std::string& message)>;
    using LogSink = std::function<void(const std::string& line)>;

    JobContext() = default;
    JobContext(const JobContext&) = delete;
    JobContext& operator=(const JobContext&) = delete;

    // Reports progress in [0, 1]. Values are clamped and never go backwards; calls are
    // forwarded at most ~10 times per second (the first and the final 1.0 always).
    void setProgress(double fraction, const std::string& message = {});
    double progress() const { return progress_.load(); }

    bool isCancelled() const { return cancelled_.load(std::memory_order_relaxed); }
    void throwIfCancelled() const;  // throws CancelledError
    void requestCancel() { cancelled_.store(true); }
    // The flag itself, for code that polls it (ITK/VTK abort observers, torch loops).
    const std::atomic<bool>& cancelFlag() const { return cancelled_; }

    void log(const std::string& line);
    std::vector<std::string> logLines() const;

    const DeviceSpec& device() const { return device_; }
    void setDevice(DeviceSpec d) { device_ = std::move(d); }
    // How many threads this job may use inside its algorithm (ITK, OpenMP, torch).
    int threadBudget() const { return threads_; }
    void setThreadBudget(int n) { threads_ = n < 1 ? 1 : n; }

    // What the job's algorithms are handed: progress into [begin, end] of this job's
    // progress, this job's cancel flag, log and thread budget. The control refers to
    // this context: use it only while the job runs.
    RunControl control(double begin = 0.0, double end = 1.0);

    void setProgressSink(ProgressSink sink) { progressSink_ = std::move(sink); }
    void setLogSink(LogSink sink) { logSink_ = std::move(sink); }

private:
    std::atomic<double> progress_{0.0};
    std::atomic<bool> cancelled_{false};
    std::chrono::steady_clock::time_point lastForward_{};
    std::mutex mutex_;
    mutable std::mutex logMutex_;
    std::vector<std::string> log_;
    DeviceSpec device_;
    int threads_ = 1;
    ProgressSink progressSink_;
    LogSink logSink_;
};

}  // namespace cellforge
