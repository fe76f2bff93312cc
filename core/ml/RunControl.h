// What a long machine-learning computation (simulation, training, inference) is given
// by its caller: a progress sink, a cancel test polled between batches, and a log.
// Plain std::function so that core/ml needs neither Qt nor the job system.
#pragma once

#include "core/base/Errors.h"

#include <functional>
#include <string>

namespace cellforge::ml {

struct RunControl {
    std::function<void(double fraction, const std::string& message)> progress;
    std::function<bool()> cancelled;
    std::function<void(const std::string& line)> log;

    void report(double fraction, const std::string& message) const {
        if (progress) progress(fraction, message);
    }
    void note(const std::string& line) const {
        if (log) log(line);
    }
    bool isCancelled() const { return cancelled && cancelled(); }
    // Throws cellforge::CancelledError when the caller asked to stop.
    void throwIfCancelled() const {
        if (isCancelled()) throw CancelledError();
    }
    // A control for a sub-step whose progress maps onto [begin, end] of this one.
    RunControl sub(double begin, double end) const {
        RunControl child = *this;
        if (progress) {
            auto parent = progress;
            child.progress = [parent, begin, end](double f, const std::string& m) {
                parent(begin + (end - begin) * f, m);
            };
        }
        return child;
    }
};

}  // namespace cellforge::ml
