#include "plugins/metrics/logic/InstanceMatching.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <tuple>
#include <unordered_map>

#include "core/base/Errors.h"
#include "core/imaging/ConnectedComponents.h"

namespace cellforge::metrics {

InstanceSource instanceSourceFromName(const std::string& name) {
    if (name == "components") return InstanceSource::Components;
    if (name == "labels") return InstanceSource::Labels;
    throw InputError("instance source '" + name + "' is not known, expected components or labels");
}

InstanceIds instancesOf(const LabelGrid& grid, const InstanceOptions& options, const RunControl& control) {
    InstanceIds out;
    const std::int64_t n = grid.voxelCount();
    if (options.source == InstanceSource::Labels) {
        out.ids.resize(std::size_t(n));
        out.sizes.assign(65536, 0);
        for (std::int64_t i = 0; i < n; ++i) {
            out.ids[std::size_t(i)] = grid.labels[i];
            ++out.sizes[grid.labels[i]];
        }
    } else {
        std::vector<std::uint8_t> mask(static_cast<std::size_t>(n));
        for (std::int64_t i = 0; i < n; ++i)
            mask[std::size_t(i)] = options.label == 0 ? grid.labels[i] != 0 : grid.labels[i] == options.label;
        Components c = connectedComponents(mask.data(), grid.dims, options.connectivity, control);
        out.ids = std::move(c.ids);
        out.sizes = std::move(c.sizes);
    }
    for (std::size_t id = 1; id < out.sizes.size(); ++id)
        if (out.sizes[id]) out.present.push_back(std::uint32_t(id));
    return out;
}

InstanceResult matchInstances(const LabelGrid& labels, const LabelGrid& reference, const InstanceOptions& options,
                              const RunControl& control) {
    requireSameGeometry(labels, "labels", reference, "reference");
    if (!(options.iouThreshold > 0 && options.iouThreshold <= 1))
        throw InputError("iou_threshold " + std::to_string(options.iouThreshold) + " is outside (0, 1]");
    if (!(options.majorityFraction >= 0.5 && options.majorityFraction < 1))
        throw InputError("majority fraction " + std::to_string(options.majorityFraction) + " is outside [0.5, 1)");

    const InstanceIds A = instancesOf(labels, options, control.sub(0.0, 0.35));
    const InstanceIds B = instancesOf(reference, options, control.sub(0.35, 0.7));
    control.throwIfCancelled();

    // Intersections of every overlapping pair, accumulated over runs of equal pairs.
    std::unordered_map<std::uint64_t, std::int64_t> pairs;
    {
        const std::int64_t n = labels.voxelCount();
        std::uint64_t runKey = 0;
        std::int64_t runLength = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            const std::uint32_t a = A.ids[std::size_t(i)], b = B.ids[std::size_t(i)];
            if (!a || !b) continue;
            const std::uint64_t key = (std::uint64_t(a) << 32) | b;
            if (key != runKey) {
                if (runLength) pairs[runKey] += runLength;
                runKey = key;
                runLength = 0;
            }
            ++runLength;
        }
        if (runLength) pairs[runKey] += runLength;
    }
    control.report(0.85);

    InstanceResult r;
    std::unordered_map<std::uint32_t, std::size_t> rowA, rowB;
    for (std::uint32_t id : A.present) {
        rowA[id] = r.labels.size();
        InstanceRecord rec;
        rec.id = id;
        rec.voxels = A.sizes[id];
        r.labels.push_back(rec);
    }
    for (std::uint32_t id : B.present) {
        rowB[id] = r.reference.size();
        InstanceRecord rec;
        rec.id = id;
        rec.voxels = B.sizes[id];
        r.reference.push_back(rec);
    }

    struct Candidate {
        double iou;
        std::uint32_t a, b;
    };
    std::vector<Candidate> candidates;
    std::vector<int> majorityInA(r.labels.size(), 0), majorityInB(r.reference.size(), 0);
    for (const auto& [key, inter] : pairs) {
        const std::uint32_t a = std::uint32_t(key >> 32), b = std::uint32_t(key & 0xffffffffu);
        InstanceRecord& ra = r.labels[rowA.at(a)];
        InstanceRecord& rb = r.reference[rowB.at(b)];
        const double iou = double(inter) / double(ra.voxels + rb.voxels - inter);
        ++ra.overlapping;
        ++rb.overlapping;
        if (iou > ra.bestIou) ra.bestIou = iou;
        if (iou > rb.bestIou) rb.bestIou = iou;
        if (iou >= options.iouThreshold) candidates.push_back({iou, a, b});
        // Most of reference instance b lies in a: evidence that a merges b with others.
        if (double(inter) > options.majorityFraction * double(rb.voxels)) ++majorityInA[rowA.at(a)];
        if (double(inter) > options.majorityFraction * double(ra.voxels)) ++majorityInB[rowB.at(b)];
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) {
        return std::tie(y.iou, x.a, x.b) < std::tie(x.iou, y.a, y.b);
    });
    double iouSum = 0;
    InstanceSummary& s = r.summary;
    for (const Candidate& c : candidates) {
        InstanceRecord& ra = r.labels[rowA.at(c.a)];
        InstanceRecord& rb = r.reference[rowB.at(c.b)];
        if (ra.matchedId || rb.matchedId) continue;
        ra.matchedId = c.b;
        rb.matchedId = c.a;
        ra.matchedIou = rb.matchedIou = c.iou;
        iouSum += c.iou;
        ++s.truePositives;
    }
    for (std::size_t i = 0; i < r.labels.size(); ++i) {
        r.labels[i].merge = majorityInA[i] >= 2;
        s.merges += r.labels[i].merge;
    }
    for (std::size_t i = 0; i < r.reference.size(); ++i) {
        r.reference[i].split = majorityInB[i] >= 2;
        s.splits += r.reference[i].split;
    }
    s.instancesLabels = std::int64_t(r.labels.size());
    s.instancesReference = std::int64_t(r.reference.size());
    s.falsePositives = s.instancesLabels - s.truePositives;
    s.falseNegatives = s.instancesReference - s.truePositives;
    auto ratio = [](double num, double den) { return den > 0 ? num / den : 0.0; };
    if (s.instancesLabels == 0 && s.instancesReference == 0) {
        s.precision = s.recall = s.f1 = s.panopticQuality = 1.0;
    } else {
        s.precision = ratio(double(s.truePositives), double(s.instancesLabels));
        s.recall = ratio(double(s.truePositives), double(s.instancesReference));
        s.f1 = ratio(2.0 * double(s.truePositives), double(s.instancesLabels + s.instancesReference));
        s.panopticQuality = ratio(iouSum, double(s.truePositives) + 0.5 * double(s.falsePositives + s.falseNegatives));
    }
    s.meanMatchedIou = s.truePositives ? iouSum / double(s.truePositives) : std::numeric_limits<double>::quiet_NaN();
    control.report(1.0);
    return r;
}

}  // namespace cellforge::metrics
