// Comparator networks for the median filter: Batcher's odd-even merge for lists of any
// length, and pruning to the comparators that one output (the median) depends on.
// A network is a list of compare-exchanges on numbered wires; it runs branch-free, so
// the same instructions sort many windows at once (one SIMD lane per voxel).
#pragma once

#include <cstdint>
#include <vector>

namespace cellforge::filters {

// Wire lo ← min(lo, hi), wire hi ← max(lo, hi).
struct CompareExchange {
    std::uint32_t lo = 0, hi = 0;
};

struct ComparatorNetwork {
    std::vector<CompareExchange> ops;
    // order[k]: the wire that holds the k-th smallest value once the ops have run.
    std::vector<std::uint32_t> order;
};

// Merges the sorted lists `a` and `b` (wire numbers in ascending order of value) by
// appending compare-exchanges to `ops`; returns the wires of the merged list in order.
std::vector<std::uint32_t> appendOddEvenMerge(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b,
                                              std::vector<CompareExchange>& ops);

// A network that sorts wires 0..n-1.
ComparatorNetwork sortingNetwork(std::uint32_t n);

// A network that merges `lists` sorted lists of `length` wires each (list p holds wires
// p*length .. p*length+length-1, ascending), pairing neighbouring lists level by level.
ComparatorNetwork mergingNetwork(std::uint32_t lists, std::uint32_t length);

// Keeps only the comparators that the value on wire `output` depends on (for the
// median of 125 values from 5 sorted lists of 25: 569 of 840). `inputsUsed` (if given)
// receives, per wire, whether the pruned network reads its initial value.
std::vector<CompareExchange> pruneForOutput(const std::vector<CompareExchange>& ops, std::uint32_t wireCount,
                                            std::uint32_t output, std::vector<bool>* inputsUsed = nullptr);

}  // namespace cellforge::filters
