#include "core/jobs/ThreadBudget.h"

#include <itkMultiThreaderBase.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace cellforge {

ThreadBudget ThreadBudget::fromEnvironment() {
    ThreadBudget b;
    int n = int(std::thread::hardware_concurrency());
    if (const char* env = std::getenv("CELLFORGE_THREADS")) {
        const int v = std::atoi(env);
        if (v > 0) n = v;
    }
    b.total = std::max(1, n);
    b.cpuLaneWorkers = std::min(2, b.total);
    b.threadsPerJob = b.total;
    return b;
}

void ThreadBudget::applyToLibraries() const {
    itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(unsigned(std::max(1, threadsPerJob)));
}

}  // namespace cellforge
