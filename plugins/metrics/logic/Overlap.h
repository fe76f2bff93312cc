// Voxel overlap between a label volume and a reference: Dice (Sørensen), Jaccard,
// precision and recall per class, over the whole volume and slice by slice along an
// axis (the slice-by-slice Dice used to validate segmentations against manual ones).
//
// Empty classes: when a class is absent from both volumes, every score is 1 (perfect
// agreement, as in Metrics Reloaded and most evaluation tools) or NaN if the caller asks
// (EmptyRule::NaN, to leave such cases out of averages); its status says "both_empty".
// When it is absent from exactly one volume there is no overlap and every score is 0
// (status "labels_empty" or "reference_empty"). No case divides by zero.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plugins/metrics/logic/MetricsTypes.h"

namespace cellforge::metrics {

enum class EmptyRule { One, NaN };  // what the scores are when a class is absent from both
enum class EmptyCase { None, Both, LabelsEmpty, ReferenceEmpty };
// "", "both_empty", "labels_empty", "reference_empty"
const char* emptyCaseName(EmptyCase c);
// "one" / "nan"; throws InputError for anything else.
EmptyRule emptyRuleFromName(const std::string& name);

// Which classes to score: every non-zero label present in either volume, or a list.
struct ClassSelection {
    bool all = true;
    std::vector<Label> ids;  // sorted, unique; used when !all

    // "all", or ids and ranges separated by commas ("1,2", "1-3,7"). Label 0 (the
    // background) may be listed explicitly. Throws InputError naming the bad item.
    static ClassSelection parse(const std::string& text);
    static ClassSelection only(std::vector<Label> ids);
};

struct OverlapScores {
    Label label = 0;
    std::int64_t voxelsLabels = 0;     // |L|
    std::int64_t voxelsReference = 0;  // |R|
    std::int64_t intersection = 0;     // |L ∩ R| (true positives)
    double dice = 0, jaccard = 0, precision = 0, recall = 0;
    EmptyCase status = EmptyCase::None;
};

// Scores from counts, applying the empty-class rule above.
OverlapScores scoreOverlap(Label label, std::int64_t voxelsLabels, std::int64_t voxelsReference,
                           std::int64_t intersection, EmptyRule rule);

struct SliceOverlapScores {
    std::int64_t slice = 0;  // index along the axis
    OverlapScores scores;
};

struct OverlapOptions {
    ClassSelection classes;
    EmptyRule bothEmpty = EmptyRule::One;
    bool perSlice = true;
    int axis = 2;                     // 0 x, 1 y, 2 z: slices are planes of constant index
    bool includeEmptySlices = false;  // also list slices where the class is in neither volume
};

struct OverlapResult {
    std::vector<OverlapScores> summary;        // one per class, ascending label
    std::vector<SliceOverlapScores> perSlice;  // by slice, then by label
};

// Throws InputError if the grids differ in size or voxel size.
OverlapResult computeOverlap(const LabelGrid& labels, const LabelGrid& reference, const OverlapOptions& options,
                             const RunControl& control = {});

// Shortcuts for callers that need one figure (training curves, tests).
double diceCoefficient(const LabelGrid& labels, const LabelGrid& reference, Label label,
                       EmptyRule rule = EmptyRule::One);
// Dice of one class on every slice along `axis` (index = slice).
std::vector<double> diceBySlice(const LabelGrid& labels, const LabelGrid& reference, Label label, int axis,
                                EmptyRule rule = EmptyRule::One);

}  // namespace cellforge::metrics
