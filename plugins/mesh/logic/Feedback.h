// Progress and cancellation for the meshing algorithms, without depending on the job
// system: the adapter wires these to JobContext, tests leave them empty.
#pragma once

#include "core/base/Errors.h"

#include <atomic>
#include <functional>
#include <string>

namespace cellforge::mesh {

struct Feedback {
    std::function<void(double fraction, const std::string& message)> progress;  // may be empty
    const std::atomic<bool>* cancel = nullptr;                                  // may be null
    std::function<void(const std::string& line)> log;                           // may be empty

    void report(double fraction, const std::string& message = {}) const {
        if (progress) progress(fraction, message);
    }
    bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
    void throwIfCancelled() const {
        if (cancelled()) throw CancelledError();
    }
    void note(const std::string& line) const {
        if (log) log(line);
    }
    // A feedback whose progress maps [0, 1] onto [begin, end] of this one.
    Feedback slice(double begin, double end) const {
        Feedback sub = *this;
        if (progress) {
            auto parent = progress;
            sub.progress = [parent, begin, end](double f, const std::string& m) { parent(begin + (end - begin) * f, m); };
        }
        return sub;
    }
};

}  // namespace cellforge::mesh
