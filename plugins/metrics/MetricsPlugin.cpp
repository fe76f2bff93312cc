#include "plugins/metrics/MetricsPlugin.h"

#include <algorithm>
#include <sstream>

#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/StageRegistry.h"
#include "plugins/metrics/logic/CoreViews.h"
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
std::shared_ptr<const LabelVolume> labelInput(const PortData& inputs, const std::string& port) {
    const auto it = inputs.find(port);
    if (it == inputs.end() || !it->second) throw InputError("input '" + port + "' is missing");
    if (auto labels = std::dynamic_pointer_cast<const LabelVolume>(it->second)) return labels;
    const auto volume = dataAs<Volume>(it->second, "input '" + port + "'");
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

PortSpec labelPort(const std::string& name, const std::string& help) {
    return {name, DataKind::Volume, false,
            help + " (a LabelVolume, or an integer-valued Volume that is converted to labels)"};
}

ParameterSpec connectivityParam(const std::string& def) {
    return ParameterSpec::choice("connectivity", def, {"6", "18", "26"},
                                 "Voxel neighbourhood that joins voxels into one instance: 6 faces, 18 faces and "
                                 "edges, 26 faces, edges and corners (components only)");
}

// ---------------------------------------------------------------------------------

class OverlapStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "metrics.overlap";
        i.name = "Overlap (Dice, Jaccard)";
        i.group = "Metrics";
        i.description =
            "Voxel overlap of a segmentation with a reference, per class: Dice (Sørensen), Jaccard, precision and "
            "recall over the whole volume and slice by slice along an axis, and the mean over slices of the per-slice "
            "Dice (mean_slice_dice: slices where the class is in either volume).";
        i.inputs = {labelPort("labels", "The segmentation to score"),
                    labelPort("reference", "The reference (e.g. manual) segmentation")};
        i.outputs = {{"summary", DataKind::Table, false, "One row per class"},
                     {"per_slice", DataKind::Table, false, "One row per slice and class"}};
        i.parameters = {
            ParameterSpec::text("classes", "all",
                                "Classes to score: 'all' (every non-zero label present in either volume) or labels "
                                "and ranges, e.g. '1,2' or '1-3'"),
            ParameterSpec::choice("axis", "z", {"x", "y", "z"},
                                  "Slices for the per-slice table are planes normal to this axis"),
            ParameterSpec::choice(
                "both_empty", "one", {"one", "nan"},
                "Scores of a class absent from both volumes: 1 (agreement) or NaN (left out of averages)"),
            ParameterSpec::boolean("empty_slices", false,
                                   "Also list slices where the class is in neither volume (scored by both_empty)")};
        return i;
    }

    PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const override {
        const auto labels = labelInput(inputs, "labels");
        const auto reference = labelInput(inputs, "reference");
        OverlapOptions o;
        o.classes = ClassSelection::parse(params.getString("classes"));
        o.axis = axisFromName(params.getString("axis"));
        o.bothEmpty = emptyRuleFromName(params.getString("both_empty"));
        o.includeEmptySlices = params.getBool("empty_slices");
        const OverlapResult r = computeOverlap(gridOf(*labels), gridOf(*reference), o, controlFor(context, "overlap"));

        auto summary = std::make_shared<Table>(std::vector<std::string>{"class", "name", "dice", "jaccard", "precision",
                                                                        "recall", "voxels_labels", "voxels_reference",
                                                                        "voxels_intersection", "status",
                                                                        "mean_slice_dice", "slices_scored"});
        for (const auto& s : r.summary) {
            // The mean over slices of the per-slice Dice (slices where the class is in
            // either volume), as segmentations are validated against manual ones.
            double sliceSum = 0;
            std::int64_t sliceCount = 0;
            for (const auto& row : r.perSlice)
                if (row.scores.label == s.label && row.scores.status != EmptyCase::Both) {
                    sliceSum += row.scores.dice;
                    ++sliceCount;
                }
            const double meanSlice = sliceCount ? sliceSum / double(sliceCount) : s.dice;
            summary->addRow({double(s.label), className(*labels, *reference, s.label), s.dice, s.jaccard, s.precision,
                             s.recall, double(s.voxelsLabels), double(s.voxelsReference), double(s.intersection),
                             std::string(emptyCaseName(s.status)), meanSlice, double(sliceCount)});
        }
        auto perSlice = std::make_shared<Table>(
            std::vector<std::string>{"slice", "class", "dice", "jaccard", "precision", "recall", "voxels_labels",
                                     "voxels_reference", "voxels_intersection", "status"});
        for (const auto& row : r.perSlice) {
            const auto& s = row.scores;
            perSlice->addRow({double(row.slice), double(s.label), s.dice, s.jaccard, s.precision, s.recall,
                              double(s.voxelsLabels), double(s.voxelsReference), double(s.intersection),
                              std::string(emptyCaseName(s.status))});
        }
        for (Table* t : {summary.get(), perSlice.get()}) {
            t->notes = {{"metric", "overlap"},
                        {"definitions",
                         "dice = 2|L∩R|/(|L|+|R|), jaccard = |L∩R|/|L∪R|, precision = |L∩R|/|L|, "
                         "recall = |L∩R|/|R| (L labels, R reference, counted in voxels)"},
                        {"empty_classes", kEmptyNote},
                        {"both_empty", params.getString("both_empty")},
                        {"voxel_size_A", voxelSizeText(*labels)}};
        }
        perSlice->notes.push_back({"axis", params.getString("axis")});
        perSlice->notes.push_back(
            {"slices", o.includeEmptySlices ? "all" : "slices where the class is in either volume"});
        context.setProgress(1.0, "overlap");
        return {{"summary", summary}, {"per_slice", perSlice}};
    }
};

// ---------------------------------------------------------------------------------

class SurfaceDistanceStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "metrics.surface_distance";
        i.name = "Surface distance (Hausdorff)";
        i.group = "Metrics";
        i.description =
            "Distances between the surfaces of a segmentation and a reference, per class, in Å: symmetric "
            "Hausdorff distance, its 95th percentile and the mean surface distance, from exact Euclidean "
            "distance transforms with the voxel size of the data.";
        i.inputs = {labelPort("labels", "The segmentation to score"),
                    labelPort("reference", "The reference segmentation")};
        i.outputs = {{"summary", DataKind::Table, false, "One row per class"}};
        i.parameters = {ParameterSpec::text("classes", "all",
                                            "Classes to measure: 'all' (every non-zero label present in either "
                                            "volume) or labels and ranges, e.g. '1,2' or '1-3'")};
        return i;
    }

    PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const override {
        const auto labels = labelInput(inputs, "labels");
        const auto reference = labelInput(inputs, "reference");
        const auto rows = computeSurfaceDistances(gridOf(*labels), gridOf(*reference),
                                                  ClassSelection::parse(params.getString("classes")),
                                                  controlFor(context, "surface distances"));
        auto t = std::make_shared<Table>(std::vector<std::string>{
            "class", "name", "hausdorff", "hausdorff95", "mean_surface_distance", "max_labels_to_reference",
            "max_reference_to_labels", "mean_labels_to_reference", "mean_reference_to_labels", "surface_voxels_labels",
            "surface_voxels_reference", "status"});
        for (const auto& s : rows)
            t->addRow({double(s.label), className(*labels, *reference, s.label), s.hausdorff, s.hausdorff95,
                       s.meanSurfaceDistance, s.maxLabelsToReference, s.maxReferenceToLabels, s.meanLabelsToReference,
                       s.meanReferenceToLabels, double(s.surfaceVoxelsLabels), double(s.surfaceVoxelsReference),
                       std::string(emptyCaseName(s.status))});
        t->notes = {{"metric", "surface_distance"},
                    {"unit", "Å"},
                    {"surface",
                     "voxels of the class with a face neighbour (6-neighbourhood) outside the class or "
                     "outside the volume"},
                    {"definitions",
                     "hausdorff = max of both directed maxima; hausdorff95 = 95th percentile of both "
                     "directions' distances pooled (numpy linear); mean_surface_distance = mean of "
                     "the two directed means (ASSD)"},
                    {"empty_classes", "absent from both volumes: distances 0 (both_empty); absent from one: NaN"},
                    {"voxel_size_A", voxelSizeText(*labels)}};
        context.setProgress(1.0, "surface distances");
        return {{"summary", t}};
    }
};

// ---------------------------------------------------------------------------------

class InstancesStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "metrics.instances";
        i.name = "Instance matching (IoU)";
        i.group = "Metrics";
        i.description =
            "Matches the instances of a segmentation to those of a reference by intersection over union, and "
            "counts true positives, false positives, false negatives, merges and splits.";
        i.inputs = {labelPort("labels", "The segmentation to score"),
                    labelPort("reference", "The reference segmentation")};
        i.outputs = {{"summary", DataKind::Table, false, "One row of counts and scores"},
                     {"instances", DataKind::Table, false, "One row per instance of either volume"}};
        i.parameters = {
            ParameterSpec::choice("source", "components", {"components", "labels"},
                                  "Instances are the connected components of 'class', or the label values themselves "
                                  "(an instance label volume)"),
            ParameterSpec::integer(
                "class", 0, 0, 65535, "label",
                "Components only: the class whose components are instances; 0 = every non-zero voxel"),
            connectivityParam("6"),
            ParameterSpec::real("iou_threshold", 0.5, 0.01, 1.0, "",
                                "Least intersection over union for a match (above 0.5 matches are unique)"),
            ParameterSpec::real(
                "majority", 0.5, 0.5, 0.99, "",
                "Fraction of an instance that must lie inside another to count towards a merge or split")};
        return i;
    }

    PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const override {
        const auto labels = labelInput(inputs, "labels");
        const auto reference = labelInput(inputs, "reference");
        InstanceOptions o;
        o.source = instanceSourceFromName(params.getString("source"));
        o.label = Label(params.getInt("class"));
        o.connectivity = std::stoi(params.getString("connectivity"));
        o.iouThreshold = params.getFloat("iou_threshold");
        o.majorityFraction = params.getFloat("majority");
        const InstanceResult r =
            matchInstances(gridOf(*labels), gridOf(*reference), o, controlFor(context, "instance matching"));
        const InstanceSummary& s = r.summary;
        auto summary = std::make_shared<Table>(std::vector<std::string>{
            "instances_labels", "instances_reference", "true_positives", "false_positives", "false_negatives", "merges",
            "splits", "precision", "recall", "f1", "mean_matched_iou", "panoptic_quality"});
        summary->addRow({double(s.instancesLabels), double(s.instancesReference), double(s.truePositives),
                         double(s.falsePositives), double(s.falseNegatives), double(s.merges), double(s.splits),
                         s.precision, s.recall, s.f1, s.meanMatchedIou, s.panopticQuality});
        auto table =
            std::make_shared<Table>(std::vector<std::string>{"side", "id", "voxels", "matched_id", "matched_iou",
                                                             "best_iou", "overlapping", "outcome", "merge", "split"});
        for (const auto& rec : r.labels)
            table->addRow({std::string("labels"), double(rec.id), double(rec.voxels), double(rec.matchedId),
                           rec.matchedIou, rec.bestIou, double(rec.overlapping),
                           std::string(rec.matchedId ? "true_positive" : "false_positive"), double(rec.merge), 0.0});
        for (const auto& rec : r.reference)
            table->addRow({std::string("reference"), double(rec.id), double(rec.voxels), double(rec.matchedId),
                           rec.matchedIou, rec.bestIou, double(rec.overlapping),
                           std::string(rec.matchedId ? "true_positive" : "false_negative"), 0.0, double(rec.split)});
        for (Table* t : {summary.get(), table.get()})
            t->notes = {{"metric", "instances"},
                        {"source", params.getString("source")},
                        {"matching", "one-to-one, greedy by decreasing IoU among pairs with IoU >= iou_threshold"},
                        {"iou_threshold", paramValueToString(params.getFloat("iou_threshold"))},
                        {"merge", "a labels instance holding more than 'majority' of each of >= 2 reference instances"},
                        {"split", "a reference instance holding more than 'majority' of each of >= 2 labels instances"},
                        {"empty", "no instance on either side: precision, recall, f1 and panoptic_quality are 1"}};
        context.setProgress(1.0, "instance matching");
        return {{"summary", summary}, {"instances", table}};
    }
};

// ---------------------------------------------------------------------------------

class MembranesStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "metrics.membranes";
        i.name = "Membrane thickness and closure";
        i.group = "Metrics";
        i.description =
            "For each membrane instance: thickness along its medial surface (twice the distance to the nearest "
            "non-membrane voxel, in Å) and whether it is closed, i.e. encloses a compartment inside the volume; "
            "plus a histogram of all thicknesses.";
        i.inputs = {labelPort("labels", "A segmentation with a membrane class, or membrane instances")};
        i.outputs = {{"membranes", DataKind::Table, false, "One row per membrane instance"},
                     {"thickness_histogram", DataKind::Table, false, "Thickness distribution over all membranes"}};
        i.parameters = {
            ParameterSpec::choice("source", "components", {"components", "labels"},
                                  "Membrane instances are the connected components of 'class', or the label values "
                                  "themselves"),
            ParameterSpec::integer("class", 2, 0, 65535, "label",
                                   "Components only: the membrane class; 0 = every non-zero voxel"),
            connectivityParam("26"),
            ParameterSpec::integer("min_voxels", 1, 1, std::nullopt, "voxels", "Smaller instances are left out"),
            ParameterSpec::real("bin_width", 0.0, 0.0, std::nullopt, "Å",
                                "Histogram bin width; 0 = the smallest voxel size")};
        return i;
    }

    PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const override {
        const auto labels = labelInput(inputs, "labels");
        MembraneOptions o;
        o.source = instanceSourceFromName(params.getString("source"));
        o.label = Label(params.getInt("class"));
        o.connectivity = std::stoi(params.getString("connectivity"));
        o.minimumVoxels = params.getInt("min_voxels");
        const MembraneResult r = measureMembranes(gridOf(*labels), o, controlFor(context, "membranes"));
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
                     "2·d − s on medial voxels (d: distance to the nearest non-membrane voxel inside "
                     "the volume; s: voxel size across), 2·d for an even number of voxels across"},
                    {"closed",
                     "1 when the membrane's complement has a region that does not reach the volume's "
                     "faces (a membrane cut by the volume border is open)"},
                    {"voxel_size_A", voxelSizeText(*labels)}};
        double width = params.getFloat("bin_width");
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
        context.setProgress(1.0, "membranes");
        return {{"membranes", t}, {"thickness_histogram", hist}};
    }
};

}  // namespace

void MetricsPlugin::registerStages(StageRegistry& registry) {
    registry.add(std::make_shared<OverlapStage>(), "metrics");
    registry.add(std::make_shared<SurfaceDistanceStage>(), "metrics");
    registry.add(std::make_shared<InstancesStage>(), "metrics");
    registry.add(std::make_shared<MembranesStage>(), "metrics");
}

}  // namespace cellforge
