// The metrics plugin's stages: metrics.overlap, metrics.surface_distance,
// metrics.instances and metrics.membrane_thickness_and_closure. The algorithms are in logic/.
#include <algorithm>
#include <sstream>

#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/imaging/Views.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/StageBuilder.h"
#include "plugins/metrics/logic/InstanceMatching.h"
#include "plugins/metrics/logic/MembraneMeasures.h"
#include "plugins/metrics/logic/Overlap.h"
#include "plugins/metrics/logic/SurfaceDistance.h"

namespace cellforge {

namespace {

using namespace cellforge::metrics;

const char* kEmptyNote =
    "A class absent from both volumes scores 1 (both_empty rule 'one', the default) or NaN (rule 'nan'); "
    "absent from one volume it scores 0 (status labels_empty or reference_empty).";

// A label input: a LabelVolume as is, any integer-valued Volume converted.
std::shared_ptr<const LabelVolume> labelInput(const StageInputs& inputs, const std::string& port) {
    const auto volume = inputs.get<Volume>(port);
    if (auto labels = std::dynamic_pointer_cast<const LabelVolume>(volume)) return labels;
    try {
        return std::make_shared<LabelVolume>(LabelVolume::fromVolume(*volume));
    } catch (const InputError& e) {
        throw InputError("input '" + port + "': " + e.what());
    }
}

std::string className(const LabelVolume& a, const LabelVolume& b, Label id) {
    if (const LabelEntry* e = b.table().find(id); e && !e->name.empty()) return e->name;
    if (const LabelEntry* e = a.table().find(id); e && !e->name.empty()) return e->name;
    return {};
}

std::string voxelSizeText(const Volume& v) {
    std::ostringstream s;
    s << v.voxelSize()[0] << " " << v.voxelSize()[1] << " " << v.voxelSize()[2];
    return s.str();
}

const std::string kLabelHelp = " (a LabelVolume, or an integer-valued Volume that is converted to labels)";
const std::string kClassesHelp =
    "'all' (every non-zero label present in either volume) or labels and ranges, e.g. '1,2' or '1-3'";
const std::vector<std::pair<std::string, int>> kConnectivities{{"6", 6}, {"18", 18}, {"26", 26}};
const char* kConnectivityHelp =
    "Voxel neighbourhood that joins voxels into one instance: 6 faces, 18 faces and edges, 26 faces, edges and "
    "corners (components only)";
const std::vector<std::pair<std::string, InstanceSource>> kSources{{"components", InstanceSource::Components},
                                                                   {"labels", InstanceSource::Labels}};

// ---------------------------------------------------------------------------------
// metrics.overlap

struct OverlapSettings {
    std::string classes = "all";
    int axis = 2;
    EmptyRule bothEmpty = EmptyRule::One;
    bool emptySlices = false;
};

PortData runOverlap(const StageInputs& in, const OverlapSettings& s, JobContext& context) {
    const auto labels = labelInput(in, "labels");
    const auto reference = labelInput(in, "reference");
    OverlapOptions o;
    o.classes = ClassSelection::parse(s.classes);
    o.axis = s.axis;
    o.bothEmpty = s.bothEmpty;
    o.includeEmptySlices = s.emptySlices;
    const OverlapResult r = computeOverlap(imaging::gridOf(*labels), imaging::gridOf(*reference), o,
                                           context.control().withMessage("overlap"));

    auto summary = std::make_shared<Table>(std::vector<std::string>{
        "class", "name", "dice", "jaccard", "precision", "recall", "voxels_labels", "voxels_reference",
        "voxels_intersection", "status", "mean_slice_dice", "slices_scored"});
    for (const auto& c : r.summary) {
        // The mean over slices of the per-slice Dice (slices where the class is in
        // either volume), as segmentations are validated against manual ones.
        double sliceSum = 0;
        std::int64_t sliceCount = 0;
        for (const auto& row : r.perSlice)
            if (row.scores.label == c.label && row.scores.status != EmptyCase::Both) {
                sliceSum += row.scores.dice;
                ++sliceCount;
            }
        const double meanSlice = sliceCount ? sliceSum / double(sliceCount) : c.dice;
        summary->addRow({double(c.label), className(*labels, *reference, c.label), c.dice, c.jaccard, c.precision,
                         c.recall, double(c.voxelsLabels), double(c.voxelsReference), double(c.intersection),
                         std::string(emptyCaseName(c.status)), meanSlice, double(sliceCount)});
    }
    auto perSlice = std::make_shared<Table>(std::vector<std::string>{"slice", "class", "dice", "jaccard", "precision",
                                                                     "recall", "voxels_labels", "voxels_reference",
                                                                     "voxels_intersection", "status"});
    for (const auto& row : r.perSlice) {
        const auto& c = row.scores;
        perSlice->addRow({double(row.slice), double(c.label), c.dice, c.jaccard, c.precision, c.recall,
                          double(c.voxelsLabels), double(c.voxelsReference), double(c.intersection),
                          std::string(emptyCaseName(c.status))});
    }
    const std::string bothEmpty = s.bothEmpty == EmptyRule::One ? "one" : "nan";
    for (Table* t : {summary.get(), perSlice.get()}) {
        t->notes = {{"metric", "overlap"},
                    {"definitions",
                     "dice = 2|L∩R|/(|L|+|R|), jaccard = |L∩R|/|L∪R|, precision = |L∩R|/|L|, "
                     "recall = |L∩R|/|R| (L labels, R reference, counted in voxels)"},
                    {"empty_classes", kEmptyNote},
                    {"both_empty", bothEmpty},
                    {"voxel_size_A", voxelSizeText(*labels)}};
    }
    perSlice->notes.push_back({"axis", axisName(s.axis)});
    perSlice->notes.push_back({"slices", o.includeEmptySlices ? "all" : "slices where the class is in either volume"});
    return {{"summary", summary}, {"per_slice", perSlice}};
}

StagePtr makeOverlapStage() {
    using S = OverlapSettings;
    return StageBuilder<S>("metrics.overlap", "Overlap (Dice, Jaccard)")
        .group("Metrics")
        .description(
            "Voxel overlap of a segmentation with a reference, per class: Dice (Sørensen), Jaccard, precision and "
            "recall over the whole volume and slice by slice along an axis, and the mean over slices of the "
            "per-slice Dice (mean_slice_dice: slices where the class is in either volume).")
        .input("labels", DataKind::Volume, "The segmentation to score" + kLabelHelp)
        .input("reference", DataKind::Volume, "The reference (e.g. manual) segmentation" + kLabelHelp)
        .output("summary", DataKind::Table, "One row per class")
        .output("per_slice", DataKind::Table, "One row per slice and class")
        .text("classes", &S::classes, "Classes to score: " + kClassesHelp)
        .choice("axis", &S::axis, {{"x", 0}, {"y", 1}, {"z", 2}},
                "Slices for the per-slice table are planes normal to this axis")
        .choice("both_empty", &S::bothEmpty, {{"one", EmptyRule::One}, {"nan", EmptyRule::NaN}},
                "Scores of a class absent from both volumes: 1 (agreement) or NaN (left out of averages)")
        .flag("empty_slices", &S::emptySlices,
              "Also list slices where the class is in neither volume (scored by both_empty)")
        .run(runOverlap);
}

// ---------------------------------------------------------------------------------
// metrics.surface_distance

struct SurfaceDistanceSettings {
    std::string classes = "all";
};

PortData runSurfaceDistance(const StageInputs& in, const SurfaceDistanceSettings& s, JobContext& context) {
    const auto labels = labelInput(in, "labels");
    const auto reference = labelInput(in, "reference");
    const auto rows =
        computeSurfaceDistances(imaging::gridOf(*labels), imaging::gridOf(*reference), ClassSelection::parse(s.classes),
                                context.control().withMessage("surface distances"));
    auto t = std::make_shared<Table>(std::vector<std::string>{
        "class", "name", "hausdorff", "hausdorff95", "mean_surface_distance", "max_labels_to_reference",
        "max_reference_to_labels", "mean_labels_to_reference", "mean_reference_to_labels", "surface_voxels_labels",
        "surface_voxels_reference", "status"});
    for (const auto& d : rows)
        t->addRow({double(d.label), className(*labels, *reference, d.label), d.hausdorff, d.hausdorff95,
                   d.meanSurfaceDistance, d.maxLabelsToReference, d.maxReferenceToLabels, d.meanLabelsToReference,
                   d.meanReferenceToLabels, double(d.surfaceVoxelsLabels), double(d.surfaceVoxelsReference),
                   std::string(emptyCaseName(d.status))});
    t->notes = {{"metric", "surface_distance"},
                {"unit", "Å"},
                {"surface",
                 "voxels of the class with a face neighbour (6-neighbourhood) outside the class or outside the volume"},
                {"definitions",
                 "hausdorff = max of both directed maxima; hausdorff95 = 95th percentile of both directions' "
                 "distances pooled (numpy linear); mean_surface_distance = mean of the two directed means (ASSD)"},
                {"empty_classes", "absent from both volumes: distances 0 (both_empty); absent from one: NaN"},
                {"voxel_size_A", voxelSizeText(*labels)}};
    return {{"summary", t}};
}

StagePtr makeSurfaceDistanceStage() {
    using S = SurfaceDistanceSettings;
    return StageBuilder<S>("metrics.surface_distance", "Surface distance (Hausdorff)")
        .group("Metrics")
        .description(
            "Distances between the surfaces of a segmentation and a reference, per class, in Å: symmetric "
            "Hausdorff distance, its 95th percentile and the mean surface distance, from exact Euclidean "
            "distance transforms with the voxel size of the data.")
        .input("labels", DataKind::Volume, "The segmentation to score" + kLabelHelp)
        .input("reference", DataKind::Volume, "The reference segmentation" + kLabelHelp)
        .output("summary", DataKind::Table, "One row per class")
        .text("classes", &S::classes, "Classes to measure: " + kClassesHelp)
        .run(runSurfaceDistance);
}

// ---------------------------------------------------------------------------------
// metrics.instances

PortData runInstances(const StageInputs& in, const InstanceOptions& o, JobContext& context) {
    const auto labels = labelInput(in, "labels");
    const auto reference = labelInput(in, "reference");
    const InstanceResult r = matchInstances(imaging::gridOf(*labels), imaging::gridOf(*reference), o,
                                            context.control().withMessage("instance matching"));
    const InstanceSummary& s = r.summary;
    auto summary = std::make_shared<Table>(std::vector<std::string>{
        "instances_labels", "instances_reference", "true_positives", "false_positives", "false_negatives", "merges",
        "splits", "precision", "recall", "f1", "mean_matched_iou", "panoptic_quality"});
    summary->addRow({double(s.instancesLabels), double(s.instancesReference), double(s.truePositives),
                     double(s.falsePositives), double(s.falseNegatives), double(s.merges), double(s.splits),
                     s.precision, s.recall, s.f1, s.meanMatchedIou, s.panopticQuality});
    auto table = std::make_shared<Table>(std::vector<std::string>{
        "side", "id", "voxels", "matched_id", "matched_iou", "best_iou", "overlapping", "outcome", "merge", "split"});
    for (const auto& rec : r.labels)
        table->addRow({std::string("labels"), double(rec.id), double(rec.voxels), double(rec.matchedId), rec.matchedIou,
                       rec.bestIou, double(rec.overlapping),
                       std::string(rec.matchedId ? "true_positive" : "false_positive"), double(rec.merge), 0.0});
    for (const auto& rec : r.reference)
        table->addRow({std::string("reference"), double(rec.id), double(rec.voxels), double(rec.matchedId),
                       rec.matchedIou, rec.bestIou, double(rec.overlapping),
                       std::string(rec.matchedId ? "true_positive" : "false_negative"), 0.0, double(rec.split)});
    for (Table* t : {summary.get(), table.get()})
        t->notes = {{"metric", "instances"},
                    {"source", o.source == InstanceSource::Components ? "components" : "labels"},
                    {"matching", "one-to-one, greedy by decreasing IoU among pairs with IoU >= iou_threshold"},
                    {"iou_threshold", paramValueToString(o.iouThreshold)},
                    {"merge", "a labels instance holding more than 'majority' of each of >= 2 reference instances"},
                    {"split", "a reference instance holding more than 'majority' of each of >= 2 labels instances"},
                    {"empty", "no instance on either side: precision, recall, f1 and panoptic_quality are 1"}};
    return {{"summary", summary}, {"instances", table}};
}

StagePtr makeInstancesStage() {
    using S = InstanceOptions;
    return StageBuilder<S>("metrics.instances", "Instance matching (IoU)")
        .group("Metrics")
        .description(
            "Matches the instances of a segmentation to those of a reference by intersection over union, and "
            "counts true positives, false positives, false negatives, merges and splits.")
        .input("labels", DataKind::Volume, "The segmentation to score" + kLabelHelp)
        .input("reference", DataKind::Volume, "The reference segmentation" + kLabelHelp)
        .output("summary", DataKind::Table, "One row of counts and scores")
        .output("instances", DataKind::Table, "One row per instance of either volume")
        .choice("source", &S::source, kSources,
                "Instances are the connected components of 'class', or the label values themselves (an instance "
                "label volume)")
        .param("class", &S::label, {0, 65535}, "label",
               "Components only: the class whose components are instances; 0 = every non-zero voxel")
        .choice("connectivity", &S::connectivity, kConnectivities, kConnectivityHelp)
        .param("iou_threshold", &S::iouThreshold, {0.01, 1.0}, "",
               "Least intersection over union for a match (above 0.5 matches are unique)")
        .param("majority", &S::majorityFraction, {0.5, 0.99}, "",
               "Fraction of an instance that must lie inside another to count towards a merge or split")
        .run(runInstances);
}

// ---------------------------------------------------------------------------------
// metrics.membrane_thickness_and_closure

struct MembraneStageSettings : MembraneOptions {
    double binWidth = 0.0;  // Å; 0 = the smallest voxel size
};

PortData runMembranes(const StageInputs& in, const MembraneStageSettings& o, JobContext& context) {
    const auto labels = labelInput(in, "labels");
    const MembraneResult r = measureMembranes(imaging::gridOf(*labels), o, context.control().withMessage("membranes"));
    auto t = std::make_shared<Table>(std::vector<std::string>{
        "id", "voxels", "medial_voxels", "thickness_mean", "thickness_median", "thickness_std", "thickness_min",
        "thickness_max", "closed", "enclosed_regions", "enclosed_voxels", "enclosed_volume"});
    for (const auto& m : r.membranes)
        t->addRow({double(m.id), double(m.voxels), double(m.medialVoxels), m.thicknessMean, m.thicknessMedian,
                   m.thicknessStd, m.thicknessMin, m.thicknessMax, double(m.closed), double(m.enclosedRegions),
                   double(m.enclosedVoxels), m.enclosedVolume});
    t->notes = {{"metric", "membranes"},
                {"unit", "thickness in Å, enclosed_volume in Å³"},
                {"thickness",
                 "2·d − s on medial voxels (d: distance to the nearest non-membrane voxel inside the volume; s: voxel "
                 "size across), 2·d for an even number of voxels across"},
                {"closed",
                 "1 when the membrane's complement has a region that does not reach the volume's faces (a membrane "
                 "cut by the volume border is open)"},
                {"voxel_size_A", voxelSizeText(*labels)}};
    double width = o.binWidth;
    if (width <= 0) {
        const auto& v = labels->voxelSize();
        width = std::min({v[0], v[1], v[2]});
    }
    const Histogram h = histogramOf(r.thicknessSamples, width);
    auto hist = std::make_shared<Table>(std::vector<std::string>{"bin_start", "bin_end", "count", "fraction"});
    const double total = double(r.thicknessSamples.size());
    for (std::size_t k = 0; k < h.counts.size(); ++k)
        hist->addRow({h.binStart[k], h.binStart[k] + width, double(h.counts[k]), double(h.counts[k]) / total});
    hist->notes = {{"metric", "membrane thickness"}, {"unit", "Å"}, {"bin_width", paramValueToString(width)}};
    return {{"membranes", t}, {"thickness_histogram", hist}};
}

StagePtr makeMembranesStage() {
    using S = MembraneStageSettings;
    return StageBuilder<S>("metrics.membrane_thickness_and_closure", "Membrane thickness and closure")
        .alias("metrics.membranes")
        .group("Metrics")
        .description(
            "For each membrane instance: thickness along its medial surface (twice the distance to the nearest "
            "non-membrane voxel, in Å) and whether it is closed, i.e. encloses a compartment inside the volume; "
            "plus a histogram of all thicknesses.")
        .input("labels", DataKind::Volume, "A segmentation with a membrane class, or membrane instances" + kLabelHelp)
        .output("membranes", DataKind::Table, "One row per membrane instance")
        .output("thickness_histogram", DataKind::Table, "Thickness distribution over all membranes")
        .choice("source", &S::source, kSources,
                "Membrane instances are the connected components of 'class', or the label values themselves")
        .param("class", &S::label, {0, 65535}, "label", "Components only: the membrane class; 0 = every non-zero voxel")
        .choice("connectivity", &S::connectivity, kConnectivities, kConnectivityHelp)
        .param("min_voxels", &S::minimumVoxels, {1, std::nullopt}, "voxels", "Smaller instances are left out")
        .param("bin_width", &S::binWidth, {0.0, std::nullopt}, "Å", "Histogram bin width; 0 = the smallest voxel size")
        .run(runMembranes);
}

}  // namespace

namespace metrics {

std::vector<StagePtr> makeStages() {
    return {makeOverlapStage(), makeSurfaceDistanceStage(), makeInstancesStage(), makeMembranesStage()};
}

}  // namespace metrics

}  // namespace cellforge
