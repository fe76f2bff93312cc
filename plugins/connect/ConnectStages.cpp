#include "plugins/connect/ConnectStages.h"

#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/StageBuilder.h"
#include "plugins/connect/logic/RegionMerge.h"

namespace cellforge::connect {

namespace {

PortData runRegionMerge(const StageInputs& in, const RegionMergeSettings& s, JobContext& context) {
    const auto labels = in.get<LabelVolume>("labels");
    const std::shared_ptr<const Volume> probability = in.optionalFloat32On("probabilities", *labels, "labels");
    auto instances = std::make_shared<LabelVolume>(labels->dims());
    instances->setVoxelSize(labels->voxelSize());
    instances->setOrigin(labels->origin());
    const RegionMergeResult r =
        mergeRegions(labels->labels(), probability ? probability->data<float>() : nullptr, labels->dims(), s,
                     instances->labels(), context.control().withMessage("merging membrane fragments"));

    auto merges = std::make_shared<Table>(std::vector<std::string>{
        "fragment_a", "fragment_b", "instance", "gap_voxels", "orientation_difference_deg", "bend_deg", "tilt_deg",
        "probability_difference", "confidence", "a_x", "a_y", "a_z", "b_x", "b_y", "b_z"});
    for (const FragmentMerge& m : r.merges)
        merges->addRow({double(m.fragmentA), double(m.fragmentB), double(m.instance), m.gap, m.angle, m.bend, m.tilt,
                        m.probabilityDifference, m.confidence, double(m.pointA[0]), double(m.pointA[1]),
                        double(m.pointA[2]), double(m.pointB[0]), double(m.pointB[1]), double(m.pointB[2])});
    const std::int64_t count = std::int64_t(r.instanceSizes.size()) - 1;
    merges->notes = {{"membrane_voxels", std::to_string(r.membraneVoxels)},
                     {"fragments", std::to_string(r.fragments)},
                     {"contacts", std::to_string(r.contacts)},
                     {"candidate_pairs", std::to_string(r.candidatePairs)},
                     {"merges", std::to_string(r.merges.size())},
                     {"rejected_by_statistics", std::to_string(r.rejectedByStatistics)},
                     {"instances", std::to_string(count)},
                     {"dropped_small", std::to_string(r.droppedSmall)},
                     {"dropped_over_65535", std::to_string(r.droppedOverflow)},
                     {"fragment_ids",
                      "fragment ids are the 26-connected components of the membrane voxels "
                      "(8-connected per slice in 2d mode), numbered in raster order"},
                     {"units",
                      "gap in voxels between the closest voxel centres; angles in degrees; a_*, b_* the closest "
                      "voxels (x, y, z)"}};
    context.log("joined " + std::to_string(r.fragments) + " membrane fragments into " + std::to_string(count) +
                " instances (" + std::to_string(r.merges.size()) + " merges, " + std::to_string(r.droppedSmall) +
                " below min_size dropped)");
    if (r.droppedOverflow > 0)
        context.log("warning: " + std::to_string(r.droppedOverflow) +
                    " small instances beyond the 65535 ids of a label volume were dropped");
    return {{"instances", instances}, {"merges", merges}};
}

}  // namespace

std::vector<StagePtr> makeStages() {
    using S = RegionMergeSettings;
    return {StageBuilder<S>("connect.region_merge", "Membrane instances (region merging)")
                .group("Connecting")
                .description(
                    "One instance per membrane from a membrane segmentation left in pieces (arcs broken where the "
                    "missing wedge hides the membrane, caps missing, stray blobs). Statistical region merging after "
                    "Nock & Nielsen (2004) on fragments (26-connected components, or 8-connected per slice): pairs "
                    "whose voxels come within max_gap are joined, least dissimilar first, when the two pieces "
                    "continue one surface — the gap runs along their tangent planes (within max_tilt) and their "
                    "normals at the closest points agree within max_angle beyond the bend the pieces' own curvature "
                    "explains — and, with probabilities, when their mean "
                    "probabilities differ by less than Nock–Nielsen's bound. Parallel membranes a few voxels apart "
                    "(double membranes, stacked cisternae) stay apart. Instances are numbered 1..N by size, "
                    "largest first; instances under min_size are dropped.")
                .input("labels", DataKind::LabelVolume, "Segmentation (e.g. unet.infer's labels)")
                .optionalInput("probabilities", DataKind::Volume,
                               "Membrane probability on the same grid (unet.infer's): the statistics of the merge")
                .output("instances", DataKind::LabelVolume, "0 where there is no membrane, one id per membrane")
                .output("merges", DataKind::Table,
                        "Each join: fragments, instance, gap, orientation difference, tilt, confidence, end points")
                .param("membrane_label", &S::membraneLabel, {1, 65535}, "", "Label of the membrane class")
                .choice("mode", &S::mode, {{"3d", MergeMode::Volume3D}, {"2d", MergeMode::Slices2D}},
                        "3d: fragments and gaps in the volume; 2d: per xy slice (instances are per slice)")
                .param("max_gap", &S::maxGap, {1, 30}, "voxels",
                       "Largest distance between the closest voxels of two fragments that may be joined")
                .param("max_angle", &S::maxAngle, {0, 90}, "degrees",
                       "Largest angle between the two fragments' normals at their closest points, beyond the bend "
                       "their own curvature explains")
                .param("max_tilt", &S::maxTilt, {0, 90}, "degrees",
                       "Largest angle between the gap and either tangent plane (larger: the gap crosses the "
                       "membranes, as between two parallel membranes)")
                .param("normal_radius", &S::normalRadius, {1.5, 20}, "voxels",
                       "Radius of the neighbourhood a normal is estimated from (at least twice the fragment's "
                       "thickness is used)")
                .param("min_planarity", &S::minPlanarity, {0, 1}, "",
                       "How sheet-like (per slice: curve-like) both ends of a join must be; blobs score near 0")
                .param("complexity", &S::complexity, {1e-3, 1e6}, "",
                       "Nock–Nielsen's Q for the bound on mean probabilities (with probabilities); smaller merges "
                       "more")
                .param("min_size", &S::minSize, {0, std::nullopt}, "voxels",
                       "Instances with fewer voxels are dropped (stray blobs); 0 keeps all")
                .choice("normals", &S::normals,
                        {{"moments", NormalEstimate::Moments}, {"structure_tensor", NormalEstimate::StructureTensor}},
                        "Normal at a fragment's end: the second moments of its voxels within normal_radius (robust "
                        "at rims), or the gradient structure tensor of its mask")
                .run(runRegionMerge)};
}

}  // namespace cellforge::connect
