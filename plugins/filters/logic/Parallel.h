// A small parallel-for for the filters' own kernels: items taken in order from a shared
// counter by `threads` threads (the calling thread is one of them), cancellation checked
// between items, progress reported from the calling thread only.
#pragma once

#include <cstdint>
#include <functional>

#include "plugins/filters/logic/FilterCommon.h"

namespace cellforge::filters {

// Calls body(item, worker) for every item in [0, count); `worker` in [0, threads) tells
// which thread runs it (to pick per-thread scratch buffers). Stops taking items once the
// job is cancelled and then throws CancelledError; an exception thrown by a body stops
// the others and is rethrown here. Progress goes to `progress` as items complete.
void parallelFor(std::int64_t count, int threads, const ProgressSpan& progress,
                 const std::function<void(std::int64_t item, int worker)>& body);

}  // namespace cellforge::filters
