// A small parallel loop over std::thread for the metrics (no OpenMP, no Qt): blocks of
// an index range are handed out dynamically so uneven work stays balanced.
#pragma once

#include <cstdint>
#include <functional>

#include "plugins/metrics/logic/LabelGrid.h"

namespace cellforge::metrics {

// Calls body(begin, end) on consecutive blocks of [0, count) of at most `grain` indices,
// from up to control.threads threads (the caller's thread is one of them). Checks the
// cancel flag between blocks; the first exception thrown by a body (or CancelledError)
// stops the loop and is rethrown here once all threads have finished.
void parallelFor(std::int64_t count, std::int64_t grain, const RunControl& control,
                 const std::function<void(std::int64_t begin, std::int64_t end)>& body);

}  // namespace cellforge::metrics
