// One budget of threads for the whole process, shared by the job pool, ITK,
// OpenMP and LibTorch: on a 2-core machine, oversubscription slows everything.
#pragma once

namespace cellforge {

struct ThreadBudget {
    int total = 1;           // hardware threads available to CellForge
    int cpuLaneWorkers = 1;  // jobs run at once on the CPU lane
    int threadsPerJob = 1;   // most threads one job may use internally

    // From the hardware (or CELLFORGE_THREADS if set): with N cores, min(2, N) jobs at
    // once; a job alone may use all N threads, and when several run the queue divides
    // N among them as each starts (see JobQueue).
    static ThreadBudget fromEnvironment();
    // Applies the per-job thread count to ITK's global default (the pool a job uses
    // unless it sets its own); LibTorch stages set at::set_num_threads themselves.
    void applyToLibraries() const;
};

}  // namespace cellforge
