// What every long computation in CellForge is handed by its caller: a progress sink
// (fractions of this computation's own range), a cancel flag polled between blocks of
// work, a log, and how many threads it may use. Plain C++: algorithms that take it need
// neither Qt nor the job system. JobContext::control() makes one for a running job;
// tests leave the sinks empty.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "core/base/Errors.h"  // CancelledError, thrown by throwIfCancelled()

namespace cellforge {

class RunControl {
public:
    using ProgressSink = std::function<void(double fraction, const std::string& message)>;
    using LogSink = std::function<void(const std::string& line)>;

    ProgressSink progress;                      // may be empty: progress is dropped
    const std::atomic<bool>* cancel = nullptr;  // may be null: never cancelled
    LogSink log;                                // may be empty: lines are dropped
    int threads = 1;                            // the thread budget, at least 1

    // Reports `fraction` in [0, 1] of this computation (mapped into the caller's range).
    void report(double fraction, const std::string& message = {}) const {
        if (progress) progress(fraction, message);
    }
    void note(const std::string& line) const {
        if (log) log(line);
    }
    bool isCancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
    // Throws cellforge::CancelledError once the caller asked to stop.
    void throwIfCancelled() const;
    int threadCount() const { return threads < 1 ? 1 : threads; }

    // A control for a step whose progress [0, 1] maps onto [begin, end] of this one.
    RunControl sub(double begin, double end) const;
    // The same control with `message` reported wherever a step reports none.
    RunControl withMessage(const std::string& message) const;
    // The same control with another thread budget (at least 1).
    RunControl withThreads(int count) const;
};

}  // namespace cellforge
