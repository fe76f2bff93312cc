#include "plugins/filters/logic/SortingNetwork.h"

#include <algorithm>

namespace cellforge::filters {

using Wires = std::vector<std::uint32_t>;

Wires appendOddEvenMerge(const Wires& a, const Wires& b, std::vector<CompareExchange>& ops) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    if (a.size() == 1 && b.size() == 1) {
        ops.push_back({a[0], b[0]});
        return {a[0], b[0]};
    }
    // Merge the even- and the odd-indexed elements separately, interleave, then one
    // rank of compare-exchanges fixes the order. By the 0-1 principle the evens hold
    // 0, 1 or 2 more zeros than the odds, which leaves at most one pair out of place;
    // this holds for lists of any length.
    Wires aEven, aOdd, bEven, bOdd;
    for (std::size_t i = 0; i < a.size(); ++i) (i % 2 ? aOdd : aEven).push_back(a[i]);
    for (std::size_t i = 0; i < b.size(); ++i) (i % 2 ? bOdd : bEven).push_back(b[i]);
    const Wires even = appendOddEvenMerge(aEven, bEven, ops);
    const Wires odd = appendOddEvenMerge(aOdd, bOdd, ops);
    Wires merged;
    merged.reserve(a.size() + b.size());
    std::size_t k = 0;
    for (; k < odd.size(); ++k) {
        merged.push_back(even[k]);
        merged.push_back(odd[k]);
    }
    for (; k < even.size(); ++k) merged.push_back(even[k]);
    for (std::size_t i = 1; i + 1 < merged.size(); i += 2) ops.push_back({merged[i], merged[i + 1]});
    return merged;
}

namespace {
Wires appendSort(const Wires& wires, std::vector<CompareExchange>& ops) {
    if (wires.size() <= 1) return wires;
    const std::size_t half = (wires.size() + 1) / 2;
    const Wires left = appendSort(Wires(wires.begin(), wires.begin() + std::ptrdiff_t(half)), ops);
    const Wires right = appendSort(Wires(wires.begin() + std::ptrdiff_t(half), wires.end()), ops);
    return appendOddEvenMerge(left, right, ops);
}
}  // namespace

ComparatorNetwork sortingNetwork(std::uint32_t n) {
    Wires wires(n);
    for (std::uint32_t i = 0; i < n; ++i) wires[i] = i;
    ComparatorNetwork net;
    net.order = appendSort(wires, net.ops);
    return net;
}

ComparatorNetwork mergingNetwork(std::uint32_t lists, std::uint32_t length) {
    std::vector<Wires> level(lists);
    for (std::uint32_t p = 0; p < lists; ++p)
        for (std::uint32_t k = 0; k < length; ++k) level[p].push_back(p * length + k);
    ComparatorNetwork net;
    if (lists == 0) return net;
    while (level.size() > 1) {
        std::vector<Wires> next;
        for (std::size_t i = 0; i + 1 < level.size(); i += 2)
            next.push_back(appendOddEvenMerge(level[i], level[i + 1], net.ops));
        // An odd list out joins the last merge of this level (for 5 lists of 25 this
        // leaves fewer comparators after pruning to the median than merging it last).
        if (level.size() % 2) next.back() = appendOddEvenMerge(next.back(), level.back(), net.ops);
        level.swap(next);
    }
    net.order = level[0];
    return net;
}

std::vector<CompareExchange> pruneForOutput(const std::vector<CompareExchange>& ops, std::uint32_t wireCount,
                                            std::uint32_t output, std::vector<bool>* inputsUsed) {
    std::vector<bool> needed(wireCount, false);
    needed[output] = true;
    std::vector<CompareExchange> kept;
    for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
        if (!needed[it->lo] && !needed[it->hi]) continue;
        kept.push_back(*it);
        needed[it->lo] = needed[it->hi] = true;
    }
    std::reverse(kept.begin(), kept.end());
    if (inputsUsed) *inputsUsed = needed;
    return kept;
}

}  // namespace cellforge::filters
