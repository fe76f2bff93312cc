#include "core/jobs/JobContext.h"

#include "core/base/Errors.h"

#include <algorithm>

namespace cellforge {

void JobContext::setProgress(double fraction, const std::string& message) {
    fraction = std::clamp(fraction, 0.0, 1.0);
    // Never backwards: keep the maximum seen so far.
    double previous = progress_.load();
    while (fraction > previous && !progress_.compare_exchange_weak(previous, fraction)) {
    }
    const double current = std::max(previous, fraction);
    if (!progressSink_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    const bool first = lastForward_ == std::chrono::steady_clock::time_point{};
    if (first || current >= 1.0 || now - lastForward_ >= std::chrono::milliseconds(100)) {
        lastForward_ = now;
        progressSink_(current, message);
    }
}

void JobContext::throwIfCancelled() const {
    if (isCancelled()) throw CancelledError();
}

void JobContext::log(const std::string& line) {
    {
        std::lock_guard<std::mutex> lock(logMutex_);
        log_.push_back(line);
    }
    if (logSink_) logSink_(line);
}

std::vector<std::string> JobContext::logLines() const {
    std::lock_guard<std::mutex> lock(logMutex_);
    return log_;
}

RunControl JobContext::control(double begin, double end) {
    RunControl c;
    c.progress = [this, begin, end](double fraction, const std::string& message) {
        setProgress(begin + (end - begin) * fraction, message);
    };
    c.cancel = &cancelled_;
    c.log = [this](const std::string& line) { log(line); };
    c.threads = threads_;
    return c;
}

}  // namespace cellforge
