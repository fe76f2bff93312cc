// A stage is one processing step a plugin provides: typed input and output ports,
// a parameter schema, and run(). Stages are stateless and may run concurrently.
// Most stages are made with StageBuilder (core/plugin/StageBuilder.h); every caller runs
// them through invokeStage (core/plugin/StageInvocation.h).
#pragma once

#include "core/data/DataObject.h"
#include "core/plugin/Parameter.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cellforge {

class JobContext;

struct PortSpec {
    std::string name;
    DataKind kind = DataKind::Volume;
    // Inputs: the stage runs without it (the entry is then absent or null in run()'s
    // inputs). Outputs: the stage may leave it out (absent or null).
    bool optional = false;
    std::string help;
};

enum class StageLane { Cpu, Device };  // Device: prefers a GPU lane (LibTorch work)

struct StageInfo {
    std::string id;           // "filters.gaussian": plugin prefix, then the operation
    std::string name;         // "Gaussian smoothing"
    std::string group;        // for the stage browser: "Filtering", "Segmentation", ...
    std::string description;  // one paragraph for tooltips and `plugins`
    std::vector<PortSpec> inputs;
    std::vector<PortSpec> outputs;
    ParameterSchema parameters;
    StageLane lane = StageLane::Cpu;
    // Former ids of this stage: pipelines written with them keep working.
    std::vector<std::string> aliases;
};

using PortData = std::map<std::string, DataPtr>;

class Stage {
public:
    virtual ~Stage() = default;
    // Called once at registration and whenever a UI or validator needs the description.
    virtual StageInfo info() const = 0;
    // Called on a worker thread (through invokeStage) with every required input present,
    // non-null and of a kind its port accepts, no input that is not a port, and `params`
    // validated against info().parameters. Returns one entry per output port (optional
    // ones may be left out). Inputs are shared and must not be modified; an output may
    // share storage with an input only when it is that input unchanged. Must not touch
    // any Document; polls the cancel flag in long loops (context.control() hands it to
    // the logic); throws InputError or StageError with a message on failure. Progress
    // need not reach 1: invokeStage sets it when run() returns.
    virtual PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const = 0;
};

using StagePtr = std::shared_ptr<const Stage>;

}  // namespace cellforge
