// The one parallel loop of CellForge: blocks of an index range handed out dynamically
// to at most control.threadCount() threads (the calling thread is one of them), so that
// every algorithm respects its job's thread budget and uneven work stays balanced.
#pragma once

#include <cstdint>
#include <functional>

#include "core/base/RunControl.h"

namespace cellforge {

struct ParallelOptions {
    std::int64_t grain = 1;  // indices per block, at least 1
    bool reportProgress =
        false;  // report finished blocks / all blocks to control (from any worker, serialized, monotonic)
};

// Calls body(begin, end, worker) on consecutive blocks [begin, end) of [0, count);
// `worker` in [0, threads) says which thread runs the block (to pick per-thread scratch
// buffers). The cancel flag is checked between blocks: once set, no block starts and
// CancelledError is thrown after all threads have stopped. The first exception thrown
// by a body stops the others and is rethrown here.
void parallelForBlocks(std::int64_t count, const RunControl& control,
                       const std::function<void(std::int64_t begin, std::int64_t end, int worker)>& body,
                       ParallelOptions options = {});

// The same over single items: body(item, worker).
void parallelFor(std::int64_t count, const RunControl& control,
                 const std::function<void(std::int64_t item, int worker)>& body, ParallelOptions options = {});

}  // namespace cellforge
