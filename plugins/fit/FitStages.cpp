#include "plugins/fit/FitStages.h"

#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/imaging/Views.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/StageBuilder.h"
#include "plugins/fit/logic/VesicleFit.h"

namespace cellforge::fit {

namespace {

PortData runCloseVesicles(const StageInputs& in, const VesicleFitSettings& s, JobContext& context) {
    const auto labelsIn = in.get<LabelVolume>("labels");
    const std::shared_ptr<const Volume> probability = in.optionalFloat32On("probabilities", *labelsIn, "labels");
    auto out = std::make_shared<LabelVolume>(labelsIn->deepCopyLabels());
    const VesicleFitResult r =
        fit::closeVesicles(out->labels(), probability ? probability->data<float>() : nullptr,
                           imaging::gridOf(*out).dims, s, context.control().withMessage("fitting vesicles"));

    auto table = std::make_shared<Table>(std::vector<std::string>{
        "component", "voxels", "centre_x", "centre_y", "centre_z", "semi_axis_1", "semi_axis_2", "semi_axis_3",
        "thickness", "residual", "inlier_share", "coverage", "closed", "verdict"});
    std::int64_t closed = 0;
    for (const auto& f : r.vesicles) {
        closed += f.accepted;
        table->addRow({double(f.component), double(f.voxels), f.centre[0], f.centre[1], f.centre[2], f.semiAxes[0],
                       f.semiAxes[1], f.semiAxes[2], f.thickness, f.residual, f.inlierShare, f.coverage,
                       f.accepted ? 1.0 : 0.0, f.verdict});
    }
    table->notes = {{"components_considered", std::to_string(r.vesicles.size())},
                    {"vesicles_closed", std::to_string(closed)},
                    {"voxels_added", std::to_string(r.voxelsAdded)},
                    {"voxels_removed", std::to_string(r.voxelsRemoved)}};
    context.log("closed " + std::to_string(closed) + " of " + std::to_string(r.vesicles.size()) +
                " membrane components; " + std::to_string(r.voxelsAdded) + " voxels added, " +
                std::to_string(r.voxelsRemoved) + " removed");
    return {{"labels", out}, {"vesicles", table}};
}

}  // namespace

std::vector<StagePtr> makeStages() {
    using S = VesicleFitSettings;
    return {StageBuilder<S>("fit.close_vesicles", "Close vesicles (ellipsoid fit)")
                .alias("fit.vesicles")
                .group("Fitting")
                .description(
                    "A 3D shape prior for a membrane segmentation made slice by slice: fits an ellipsoid to each "
                    "connected membrane component (26-connected; refitted to its inliers), and where the fit is good "
                    "and the segmentation covers enough of its shell, redraws the component's membrane as that shell "
                    "— adding the caps the missing wedge hides and faint walls, dropping what lies beyond the vesicle "
                    "along z (the wedge's smear of its caps). Other components are left as they are; only background "
                    "becomes membrane.")
                .input("labels", DataKind::LabelVolume, "Segmentation (e.g. unet.infer's labels)")
                .optionalInput("probabilities", DataKind::Volume,
                               "Membrane probability on the same grid (unet.infer's): only confident voxels are fitted")
                .output("labels", DataKind::LabelVolume, "The segmentation with vesicles closed")
                .output("vesicles", DataKind::Table,
                        "Per component: centre, semi-axes, thickness, residual, inliers, coverage, verdict")
                .param("membrane_label", &S::membraneLabel, {1, 65535}, "", "Label of the membrane class")
                .param("min_voxels", &S::minVoxels, {20, std::nullopt}, "voxels",
                       "Components with fewer voxels are left as they are")
                .param("confidence", &S::confidence, {0, 0.999}, "",
                       "Membrane probability a voxel needs to be fitted (with probabilities)")
                .param("inlier_distance", &S::inlierDistance, {0.5, 50}, "voxels",
                       "Voxels this close to the fitted surface are its inliers")
                .param("max_residual", &S::maxResidual, {0.1, 50}, "voxels",
                       "Largest median distance of the inliers to the surface")
                .param("min_inliers", &S::minInlierShare, {0, 1}, "", "Smallest share of inliers")
                .param("min_coverage", &S::minCoverage, {0, 1}, "",
                       "Smallest share of the shell to draw that is labelled membrane already")
                .param("radius_min", &S::radiusMin, {0.5, 10000}, "voxels", "Smallest semi-axis")
                .param("radius_max", &S::radiusMax, {0.5, 10000}, "voxels", "Largest semi-axis")
                .param("thickness_min", &S::thicknessMin, {0.5, 100}, "voxels", "Thinnest shell drawn")
                .param("thickness_max", &S::thicknessMax, {0.5, 100}, "voxels",
                       "Thickest shell drawn (the thickness is measured from the inliers)")
                .run(runCloseVesicles)};
}

}  // namespace cellforge::fit
