// Instance-level agreement: instances of the label volume are matched one-to-one to
// reference instances by intersection over union (IoU), then counted as true positives,
// false positives (unmatched labels), false negatives (unmatched reference), merges and
// splits.
//
// Instances are either the connected components of one class (or of every non-zero
// voxel), or the label values themselves (an instance label volume).
// Matching: pairs with IoU ≥ threshold, taken greedily by decreasing IoU (ties by ids);
// for thresholds above 0.5 each instance can reach at most one partner, so the matching
// is the unique one. A label instance is a merge when more than `majorityFraction` of
// each of two or more reference instances lies inside it; a reference instance is split
// when more than that fraction of each of two or more label instances lies inside it.
// With no instance on either side, precision, recall, F1 and PQ are 1; otherwise a zero
// denominator gives 0.
#pragma once

#include <cstdint>
#include <vector>

#include "plugins/metrics/logic/MetricsTypes.h"

namespace cellforge::metrics {

enum class InstanceSource { Components, Labels };
InstanceSource instanceSourceFromName(const std::string& name);  // "components" / "labels"

struct InstanceOptions {
    InstanceSource source = InstanceSource::Components;
    Label label = 0;       // Components only: the class; 0 = every non-zero voxel
    int connectivity = 6;  // Components only: 6, 18 or 26
    double iouThreshold = 0.5;
    double majorityFraction = 0.5;
};

struct InstanceRecord {
    std::uint32_t id = 0;  // component number or label value
    std::int64_t voxels = 0;
    std::uint32_t matchedId = 0;  // partner on the other side, 0 when unmatched
    double matchedIou = 0;        // IoU with the partner (0 when unmatched)
    double bestIou = 0;           // largest IoU with any instance of the other side
    int overlapping = 0;          // instances of the other side it touches
    bool merge = false;           // labels side: covers most of ≥2 reference instances
    bool split = false;           // reference side: most of ≥2 label instances lie in it
};

struct InstanceSummary {
    std::int64_t instancesLabels = 0, instancesReference = 0;
    std::int64_t truePositives = 0, falsePositives = 0, falseNegatives = 0;
    std::int64_t merges = 0, splits = 0;
    double precision = 0, recall = 0, f1 = 0;
    double meanMatchedIou = 0;   // NaN when nothing matched
    double panopticQuality = 0;  // sum of matched IoU / (TP + FP/2 + FN/2)
};

struct InstanceResult {
    InstanceSummary summary;
    std::vector<InstanceRecord> labels, reference;  // by ascending id
};

// Instances of one volume as per-voxel ids (0 = none), with their count of voxels.
struct InstanceIds {
    std::vector<std::uint32_t> ids;
    std::vector<std::uint32_t> present;  // ids that occur, ascending
    std::vector<std::int64_t> sizes;     // indexed by id
};
InstanceIds instancesOf(const LabelGrid& grid, const InstanceOptions& options, const RunControl& control = {});

// Throws InputError if the grids differ in size or voxel size, or for a bad option.
InstanceResult matchInstances(const LabelGrid& labels, const LabelGrid& reference, const InstanceOptions& options,
                              const RunControl& control = {});

}  // namespace cellforge::metrics
