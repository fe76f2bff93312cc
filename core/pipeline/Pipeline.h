// A pipeline: stages by id, their parameters, and which output feeds which input.
// The JSON format is public (users write it by hand); see DESIGN.md and
// resources/pipelines/ for examples. `$name` refers to a pipeline input,
// `stage.port` to an output of an earlier stage.
#pragma once

#include "core/data/DataObject.h"
#include "core/plugin/Parameter.h"
#include "core/plugin/StageRegistry.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cellforge {

struct PipelineStage {
    std::string id;                                           // unique within the pipeline
    std::string stage;                                        // registry id, e.g. "filters.gaussian"
    std::vector<std::pair<std::string, std::string>> inputs;  // port -> "$input" or "stage.port"
    std::map<std::string, ParamValue> params;                 // as written (validated later)
};

struct PipelineRef {  // a parsed "$name" or "stage.port"
    bool isPipelineInput = false;
    std::string stageId;                                // empty for pipeline inputs
    std::string name;                                   // input name or port name
    static PipelineRef parse(const std::string& text);  // throws InputError
};

struct Pipeline {
    std::string name;
    std::string description;
    std::vector<std::pair<std::string, DataKind>> inputs;
    std::vector<PipelineStage> stages;
    std::vector<std::pair<std::string, std::string>> outputs;  // file name -> "stage.port"
    std::string source;  // where fromJson read it (the file), for messages; not saved

    // Throws InputError naming `sourceName`, the field and what was expected.
    static Pipeline fromJson(const std::string& text, const std::string& sourceName);
    static Pipeline load(const std::string& path);
    std::string toJson() const;
    void save(const std::string& path) const;  // atomic

    const PipelineStage* findStage(const std::string& id) const;
    PipelineStage* findStage(const std::string& id);
    // Applies "STAGE.PARAM=VALUE" overrides (the CLI's --set); throws InputError.
    void applyOverride(const std::string& assignment);
};

// Checks the pipeline against the registry before anything runs: unknown stage, unknown
// port, wrong port type, missing or dangling input, a reference to a later stage,
// duplicate ids, bad parameters. Throws InputError with every problem found, one a line.
void validatePipeline(const Pipeline& pipeline, const StageRegistry& registry);

}  // namespace cellforge
