// The one way a stage is run, for the pipeline runner, the stage browser and the tests
// alike: inputs checked against the stage's ports, parameters against its schema, the
// stage run, its outputs checked against what it declares, progress ended at 1.
#pragma once

#include "core/plugin/Stage.h"

#include <map>
#include <string>

namespace cellforge {

class JobContext;

// Throws InputError naming `where` and the port when an input is not a port of the
// stage, a required input is missing (or null), or an input is of a kind the port does
// not accept. An optional input may be absent or null.
void checkStageInputs(const StageInfo& info, const PortData& inputs, const std::string& where);

// Throws StageError naming `where` and the port when a declared output is missing or of
// another kind than declared.
void checkStageOutputs(const StageInfo& info, const PortData& outputs, const std::string& where);

// Checks the inputs, runs the stage with `params` (validated by validateParameters
// against info.parameters), checks its outputs and sets the job's progress to 1.
// Stages may leave progress short of 1: this call finishes it. Exceptions of the stage
// (InputError, StageError, CancelledError) pass through unchanged.
PortData invokeStage(const Stage& stage, const StageInfo& info, const PortData& inputs, const ParameterValues& params,
                     JobContext& context, const std::string& where);

// The same from raw parameter values: validated against the schema first.
PortData invokeStage(const Stage& stage, const PortData& inputs, const std::map<std::string, ParamValue>& given,
                     JobContext& context, const std::string& where);

}  // namespace cellforge
