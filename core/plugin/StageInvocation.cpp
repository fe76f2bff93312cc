#include "core/plugin/StageInvocation.h"

#include "core/base/Errors.h"
#include "core/data/Volume.h"
#include "core/jobs/JobContext.h"
#include "core/plugin/StageBuilder.h"

#include <algorithm>

namespace cellforge {

namespace {
const PortSpec* findPort(const std::vector<PortSpec>& ports, const std::string& name) {
    auto it = std::find_if(ports.begin(), ports.end(), [&](const PortSpec& p) { return p.name == name; });
    return it == ports.end() ? nullptr : &*it;
}

std::string portList(const std::vector<PortSpec>& ports) {
    std::string s;
    for (const auto& p : ports) s += (s.empty() ? "" : ", ") + p.name;
    return s.empty() ? "none" : s;
}
}  // namespace

void checkStageInputs(const StageInfo& info, const PortData& inputs, const std::string& where) {
    for (const auto& [name, data] : inputs) {
        const PortSpec* port = findPort(info.inputs, name);
        if (!port)
            throw InputError(where + ": '" + name + "' is not an input of " + info.id +
                             " (its inputs: " + portList(info.inputs) + ")");
        if (data && !dataKindAccepts(port->kind, data->kind()))
            throw InputError(where + ": input '" + name + "' needs " + dataKindName(port->kind) + ", got " +
                             dataKindName(data->kind()));
    }
    for (const PortSpec& port : info.inputs) {
        if (port.optional) continue;
        auto it = inputs.find(port.name);
        if (it == inputs.end() || !it->second)
            throw InputError(where + ": required input '" + port.name + "' (" + dataKindName(port.kind) +
                             ") is missing");
    }
}

void checkStageOutputs(const StageInfo& info, const PortData& outputs, const std::string& where) {
    for (const PortSpec& port : info.outputs) {
        auto it = outputs.find(port.name);
        if (it == outputs.end() || !it->second) {
            if (port.optional) continue;
            throw StageError(where + " produced no output '" + port.name + "'");
        }
        if (!dataKindAccepts(port.kind, it->second->kind()))
            throw StageError(where + " output '" + port.name + "' is " + dataKindName(it->second->kind()) +
                             ", declared " + dataKindName(port.kind));
    }
}

PortData invokeStage(const Stage& stage, const StageInfo& info, const PortData& inputs, const ParameterValues& params,
                     JobContext& context, const std::string& where) {
    checkStageInputs(info, inputs, where);
    context.throwIfCancelled();
    PortData outputs = stage.run(inputs, params, context);
    checkStageOutputs(info, outputs, where);
    context.setProgress(1.0);
    return outputs;
}

PortData invokeStage(const Stage& stage, const PortData& inputs, const std::map<std::string, ParamValue>& given,
                     JobContext& context, const std::string& where) {
    const StageInfo info = stage.info();
    const ParameterValues params = validateParameters(info.parameters, given, where);
    return invokeStage(stage, info, inputs, params, context, where);
}

std::shared_ptr<const Volume> StageInputs::optionalFloat32On(const std::string& port, const Volume& grid,
                                                             const std::string& gridPort) const {
    std::shared_ptr<const Volume> volume = optional<Volume>(port);
    if (!volume) return nullptr;
    auto sizeText = [](const Index3& d) {
        return std::to_string(d[0]) + " x " + std::to_string(d[1]) + " x " + std::to_string(d[2]);
    };
    if (volume->dims() != grid.dims())
        throw InputError("input '" + port + "' (" + sizeText(volume->dims()) + ") and '" + gridPort + "' (" +
                         sizeText(grid.dims()) + ") differ in size");
    if (volume->scalarType() != ScalarType::Float32) volume = std::make_shared<Volume>(volume->toFloat32());
    return volume;
}

}  // namespace cellforge
