// A stage is one processing step a plugin provides: typed input and output ports,
// a parameter schema, and run(). Stages are stateless and may run concurrently.
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
    bool optional = false;  // inputs only: the stage runs without it
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
};

using PortData = std::map<std::string, DataPtr>;

class Stage {
public:
    virtual ~Stage() = default;
    // Called once at registration and whenever a UI or validator needs the description.
    virtual StageInfo info() const = 0;
    // Called on a worker thread with every required input present and of the declared
    // kind, and `params` already validated against info().parameters. Returns one
    // entry per output port. Must not touch any Document; checks context.isCancelled()
    // (or calls context.throwIfCancelled()) in long loops; throws InputError or
    // StageError with a message on failure.
    virtual PortData run(const PortData& inputs, const ParameterValues& params,
                         JobContext& context) const = 0;
};

using StagePtr = std::shared_ptr<const Stage>;

}  // namespace cellforge
