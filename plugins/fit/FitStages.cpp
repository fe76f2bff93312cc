#include "plugins/fit/FitStages.h"

#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Table.h"
#include "core/jobs/JobContext.h"
#include "plugins/fit/logic/VesicleFit.h"
#include "plugins/metrics/logic/CoreViews.h"

namespace cellforge::fit {

namespace {

class CloseVesiclesStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "fit.vesicles";
        i.name = "Close vesicles (ellipsoid fit)";
        i.group = "Fitting";
        i.description =
            "A 3D shape prior for a membrane segmentation made slice by slice: fits an ellipsoid to each connected "
            "membrane component (26-connected; refitted to its inliers), and where the fit is good and the "
            "segmentation covers enough of its shell, redraws the component's membrane as that shell — adding the "
            "caps the missing wedge hides and faint walls, dropping what lies beyond the vesicle along z (the "
            "wedge's smear of its caps). Other components are left as they are; only background becomes membrane.";
        i.inputs = {{"labels", DataKind::LabelVolume, false, "Segmentation (e.g. unet.infer's labels)"},
                    {"probabilities", DataKind::Volume, true,
                     "Membrane probability on the same grid (unet.infer's): only confident voxels are fitted"}};
        i.outputs = {{"labels", DataKind::LabelVolume, false, "The segmentation with vesicles closed"},
                     {"vesicles", DataKind::Table, false,
                      "Per component: centre, semi-axes, thickness, residual, inliers, coverage, verdict"}};
        const VesicleFitSettings d;
        i.parameters = {
            ParameterSpec::integer("membrane_label", d.membraneLabel, 1, 65535, "", "Label of the membrane class"),
            ParameterSpec::integer("min_voxels", d.minVoxels, 20, std::nullopt, "voxels",
                                   "Components with fewer voxels are left as they are"),
            ParameterSpec::real("confidence", d.confidence, 0, 0.999, "",
                                "Membrane probability a voxel needs to be fitted (with probabilities)"),
            ParameterSpec::real("inlier_distance", d.inlierDistance, 0.5, 50, "voxels",
                                "Voxels this close to the fitted surface are its inliers"),
            ParameterSpec::real("max_residual", d.maxResidual, 0.1, 50, "voxels",
                                "Largest median distance of the inliers to the surface"),
            ParameterSpec::real("min_inliers", d.minInlierShare, 0, 1, "", "Smallest share of inliers"),
            ParameterSpec::real("min_coverage", d.minCoverage, 0, 1, "",
                                "Smallest share of the shell to draw that is labelled membrane already"),
            ParameterSpec::real("radius_min", d.radiusMin, 0.5, 10000, "voxels", "Smallest semi-axis"),
            ParameterSpec::real("radius_max", d.radiusMax, 0.5, 10000, "voxels", "Largest semi-axis"),
            ParameterSpec::real("thickness_min", d.thicknessMin, 0.5, 100, "voxels", "Thinnest shell drawn"),
            ParameterSpec::real("thickness_max", d.thicknessMax, 0.5, 100, "voxels",
                                "Thickest shell drawn (the thickness is measured from the inliers)")};
        return i;
    }

    PortData run(const PortData& inputs, const ParameterValues& v, JobContext& context) const override {
        const auto labelsIn = dataAs<LabelVolume>(inputs.at("labels"), "input 'labels'");
        const auto it = inputs.find("probabilities");
        std::shared_ptr<const Volume> probability;
        if (it != inputs.end() && it->second) {
            probability = dataAs<Volume>(it->second, "input 'probabilities'");
            if (probability->dims() != labelsIn->dims())
                throw InputError("input 'probabilities' (" + std::to_string(probability->nx()) + " x " +
                                 std::to_string(probability->ny()) + " x " + std::to_string(probability->nz()) +
                                 ") and 'labels' (" + std::to_string(labelsIn->nx()) + " x " +
                                 std::to_string(labelsIn->ny()) + " x " + std::to_string(labelsIn->nz()) +
                                 ") differ in size");
            if (probability->scalarType() != ScalarType::Float32)
                probability = std::make_shared<Volume>(probability->toFloat32());
        }
        VesicleFitSettings s;
        s.membraneLabel = std::uint16_t(v.getInt("membrane_label"));
        s.minVoxels = v.getInt("min_voxels");
        s.confidence = v.getFloat("confidence");
        s.inlierDistance = v.getFloat("inlier_distance");
        s.maxResidual = v.getFloat("max_residual");
        s.minInlierShare = v.getFloat("min_inliers");
        s.minCoverage = v.getFloat("min_coverage");
        s.radiusMin = v.getFloat("radius_min");
        s.radiusMax = v.getFloat("radius_max");
        s.thicknessMin = v.getFloat("thickness_min");
        s.thicknessMax = v.getFloat("thickness_max");

        auto out = std::make_shared<LabelVolume>(labelsIn->deepCopyLabels());
        const VesicleFitResult r = closeVesicles(out->labels(), probability ? probability->data<float>() : nullptr,
                                                 metrics::gridOf(*out).dims, s,
                                                 metrics::controlFor(context, "fitting vesicles"));

        auto table = std::make_shared<Table>(std::vector<std::string>{
            "component", "voxels", "centre_x", "centre_y", "centre_z", "semi_axis_1", "semi_axis_2", "semi_axis_3",
            "thickness", "residual", "inlier_share", "coverage", "closed", "verdict"});
        std::int64_t closed = 0;
        for (const auto& f : r.vesicles) {
            closed += f.accepted;
            table->addRow({double(f.component), double(f.voxels), f.centre[0], f.centre[1], f.centre[2],
                           f.semiAxes[0], f.semiAxes[1], f.semiAxes[2], f.thickness, f.residual, f.inlierShare,
                           f.coverage, f.accepted ? 1.0 : 0.0, f.verdict});
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
};

}  // namespace

std::vector<StagePtr> makeStages() { return {std::make_shared<CloseVesiclesStage>()}; }

}  // namespace cellforge::fit
