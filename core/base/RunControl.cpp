#include "core/base/RunControl.h"

#include "core/base/Errors.h"

namespace cellforge {

void RunControl::throwIfCancelled() const {
    if (isCancelled()) throw CancelledError();
}

RunControl RunControl::sub(double begin, double end) const {
    RunControl child = *this;
    if (progress) {
        child.progress = [parent = progress, begin, end](double f, const std::string& m) {
            parent(begin + (end - begin) * f, m);
        };
    }
    return child;
}

RunControl RunControl::withMessage(const std::string& message) const {
    RunControl child = *this;
    if (progress) {
        child.progress = [parent = progress, message](double f, const std::string& m) {
            parent(f, m.empty() ? message : m);
        };
    }
    return child;
}

RunControl RunControl::withThreads(int count) const {
    RunControl child = *this;
    child.threads = count < 1 ? 1 : count;
    return child;
}

}  // namespace cellforge
