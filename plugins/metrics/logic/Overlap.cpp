#include "plugins/metrics/logic/Overlap.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "core/base/Errors.h"
#include "core/base/Parallel.h"

namespace cellforge::metrics {

const char* emptyCaseName(EmptyCase c) {
    switch (c) {
        case EmptyCase::None:
            return "";
        case EmptyCase::Both:
            return "both_empty";
        case EmptyCase::LabelsEmpty:
            return "labels_empty";
        case EmptyCase::ReferenceEmpty:
            return "reference_empty";
    }
    return "";
}

EmptyRule emptyRuleFromName(const std::string& name) {
    if (name == "one") return EmptyRule::One;
    if (name == "nan") return EmptyRule::NaN;
    throw InputError("empty-class rule '" + name + "' is not known, expected one or nan");
}

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

long parseLabelNumber(const std::string& item, const std::string& whole) {
    std::size_t used = 0;
    long v = -1;
    try {
        v = std::stol(item, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (item.empty() || used != item.size() || v < 0 || v > 65535)
        throw InputError(
            "classes '" + whole + "': '" + item +
            "' is not a label, expected 'all' or labels 0..65535 and ranges like 1-3, separated by commas");
    return v;
}

}  // namespace

ClassSelection ClassSelection::parse(const std::string& text) {
    const std::string t = trim(text);
    if (t.empty() || t == "all") return {};
    ClassSelection sel;
    sel.all = false;
    std::size_t start = 0;
    while (start <= t.size()) {
        const std::size_t comma = t.find(',', start);
        const std::string item = trim(t.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        const std::size_t dash = item.find('-', 1);
        if (dash != std::string::npos) {
            const long lo = parseLabelNumber(trim(item.substr(0, dash)), t);
            const long hi = parseLabelNumber(trim(item.substr(dash + 1)), t);
            if (hi < lo)
                throw InputError("classes '" + t + "': range '" + item + "' is empty (its end is below its start)");
            for (long v = lo; v <= hi; ++v) sel.ids.push_back(Label(v));
        } else {
            sel.ids.push_back(Label(parseLabelNumber(item, t)));
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    std::sort(sel.ids.begin(), sel.ids.end());
    sel.ids.erase(std::unique(sel.ids.begin(), sel.ids.end()), sel.ids.end());
    return sel;
}

ClassSelection ClassSelection::only(std::vector<Label> ids) {
    ClassSelection sel;
    sel.all = false;
    sel.ids = std::move(ids);
    std::sort(sel.ids.begin(), sel.ids.end());
    sel.ids.erase(std::unique(sel.ids.begin(), sel.ids.end()), sel.ids.end());
    return sel;
}

OverlapScores scoreOverlap(Label label, std::int64_t nl, std::int64_t nr, std::int64_t inter, EmptyRule rule) {
    OverlapScores s;
    s.label = label;
    s.voxelsLabels = nl;
    s.voxelsReference = nr;
    s.intersection = inter;
    if (nl == 0 && nr == 0) {
        s.status = EmptyCase::Both;
        const double v = rule == EmptyRule::One ? 1.0 : std::numeric_limits<double>::quiet_NaN();
        s.dice = s.jaccard = s.precision = s.recall = v;
        return s;
    }
    if (nl == 0 || nr == 0) {
        s.status = nl == 0 ? EmptyCase::LabelsEmpty : EmptyCase::ReferenceEmpty;
        return s;  // no overlap possible: all scores 0
    }
    s.dice = 2.0 * double(inter) / double(nl + nr);
    s.jaccard = double(inter) / double(nl + nr - inter);
    s.precision = double(inter) / double(nl);
    s.recall = double(inter) / double(nr);
    return s;
}

namespace {

// Per-label voxel counts of both volumes and of their agreement, over the whole volume.
struct LabelHistograms {
    std::vector<std::int64_t> labels, reference, intersection;
    LabelHistograms() : labels(65536, 0), reference(65536, 0), intersection(65536, 0) {}
};

LabelHistograms countLabels(const LabelGrid& a, const LabelGrid& b, const RunControl& control, double progressEnd) {
    LabelHistograms total;
    std::mutex mutex;
    const std::int64_t n = a.voxelCount();
    const std::int64_t grain = std::int64_t(1) << 22;
    std::atomic<std::int64_t> done{0};
    parallelForBlocks(n, control,
                      [&](std::int64_t begin, std::int64_t end, int) {
                          LabelHistograms local;
                          const Label* pa = a.labels;
                          const Label* pb = b.labels;
                          for (std::int64_t i = begin; i < end; ++i) {
                              const Label la = pa[i], lb = pb[i];
                              ++local.labels[la];
                              ++local.reference[lb];
                              local.intersection[la] += la == lb;
                          }
                          std::lock_guard<std::mutex> lock(mutex);
                          for (std::size_t k = 0; k < 65536; ++k) {
                              total.labels[k] += local.labels[k];
                              total.reference[k] += local.reference[k];
                              total.intersection[k] += local.intersection[k];
                          }
                          control.report(progressEnd * double(done += end - begin) / double(n));
                      },
                      {grain, false});
    return total;
}

}  // namespace

OverlapResult computeOverlap(const LabelGrid& labels, const LabelGrid& reference, const OverlapOptions& options,
                             const RunControl& control) {
    requireSameGeometry(labels, "labels", reference, "reference");
    if (options.axis < 0 || options.axis > 2) throw InputError("axis must be x, y or z");
    const double histogramShare = options.perSlice ? 0.4 : 1.0;
    const LabelHistograms h = countLabels(labels, reference, control, histogramShare);

    std::vector<Label> classes;
    if (options.classes.all) {
        for (std::size_t k = 1; k < 65536; ++k)
            if (h.labels[k] || h.reference[k]) classes.push_back(Label(k));
    } else {
        classes = options.classes.ids;
    }

    OverlapResult result;
    for (Label c : classes)
        result.summary.push_back(scoreOverlap(c, h.labels[c], h.reference[c], h.intersection[c], options.bothEmpty));
    if (!options.perSlice || classes.empty()) {
        control.report(1.0);
        return result;
    }

    // Per slice: counts [slice][class][3] for the chosen classes only, one pass over z
    // planes (contiguous memory) whatever the axis.
    std::vector<int> classIndex(65536, -1);
    for (std::size_t k = 0; k < classes.size(); ++k) classIndex[classes[k]] = int(k);
    const std::int64_t K = std::int64_t(classes.size());
    const Dims3 d = labels.dims;
    const std::int64_t slices = d[options.axis];
    std::vector<std::int64_t> counts(std::size_t(slices * K * 3), 0);
    std::mutex mutex;
    std::atomic<std::int64_t> planesDone{0};
    const int axis = options.axis;
    const std::int64_t grain = axis == 2 ? 1 : std::max<std::int64_t>(1, d[2] / (2 * std::max(1, control.threads)));
    parallelForBlocks(
        d[2], control,
        [&](std::int64_t z0, std::int64_t z1, int) {
            // Along z each plane is one slice; along x or y a plane touches every slice, so
            // a thread-local array is used and merged.
            std::vector<std::int64_t> local(axis == 2 ? 0 : counts.size(), 0);
            std::vector<std::int64_t> plane(axis == 2 ? std::size_t(K * 3) : 0, 0);
            for (std::int64_t z = z0; z < z1; ++z) {
                if (axis == 2) std::fill(plane.begin(), plane.end(), 0);
                for (std::int64_t y = 0; y < d[1]; ++y) {
                    const Label* pa = labels.labels + labels.index(0, y, z);
                    const Label* pb = reference.labels + reference.index(0, y, z);
                    for (std::int64_t x = 0; x < d[0]; ++x) {
                        const Label la = pa[x], lb = pb[x];
                        const int ia = classIndex[la], ib = classIndex[lb];
                        if (ia < 0 && ib < 0) continue;
                        std::int64_t* base;
                        if (axis == 2) {
                            base = plane.data();
                        } else {
                            const std::int64_t s = axis == 0 ? x : y;
                            base = local.data() + s * K * 3;
                        }
                        if (ia >= 0) ++base[ia * 3 + 0];
                        if (ib >= 0) ++base[ib * 3 + 1];
                        if (ia >= 0 && la == lb) ++base[ia * 3 + 2];
                    }
                }
                if (axis == 2) std::copy(plane.begin(), plane.end(), counts.begin() + z * K * 3);
                control.report(histogramShare + (0.95 - histogramShare) * double(++planesDone) / double(d[2]));
            }
            if (axis != 2) {
                std::lock_guard<std::mutex> lock(mutex);
                for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += local[i];
            }
        },
        {grain, false});

    for (std::int64_t s = 0; s < slices; ++s) {
        for (std::int64_t k = 0; k < K; ++k) {
            const std::int64_t* c = counts.data() + (s * K + k) * 3;
            if (!options.includeEmptySlices && c[0] == 0 && c[1] == 0) continue;
            result.perSlice.push_back({s, scoreOverlap(classes[std::size_t(k)], c[0], c[1], c[2], options.bothEmpty)});
        }
    }
    control.report(1.0);
    return result;
}

double diceCoefficient(const LabelGrid& labels, const LabelGrid& reference, Label label, EmptyRule rule) {
    OverlapOptions o;
    o.classes = ClassSelection::only({label});
    o.bothEmpty = rule;
    o.perSlice = false;
    return computeOverlap(labels, reference, o).summary.front().dice;
}

std::vector<double> diceBySlice(const LabelGrid& labels, const LabelGrid& reference, Label label, int axis,
                                EmptyRule rule) {
    OverlapOptions o;
    o.classes = ClassSelection::only({label});
    o.bothEmpty = rule;
    o.axis = axis;
    o.includeEmptySlices = true;
    const OverlapResult r = computeOverlap(labels, reference, o);
    std::vector<double> out(r.perSlice.size());
    for (const auto& s : r.perSlice) out[std::size_t(s.slice)] = s.scores.dice;
    return out;
}

}  // namespace cellforge::metrics
