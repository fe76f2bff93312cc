// Test support for plugin suites: the plugins of a folder loaded into a registry, and
// running one stage as a job would (its parameters validated against its schema first).
#pragma once

#include "core/jobs/JobContext.h"
#include "core/plugin/PluginLoader.h"

#include <map>
#include <string>

namespace cellforge::test_support {

class LoadedPlugins {
public:
    explicit LoadedPlugins(const std::string& folder) { loader.loadFrom({folder}, registry); }

    // `context` may be given to cancel or watch progress; otherwise a fresh one with
    // `threads` threads is used.
    PortData run(const std::string& stageId, const PortData& inputs, const std::map<std::string, ParamValue>& given,
                 JobContext* context = nullptr, int threads = 1) const {
        const StagePtr stage = registry.require(stageId);
        const ParameterValues params = validateParameters(stage->info().parameters, given, stageId);
        JobContext own;
        own.setThreadBudget(threads);
        return stage->run(inputs, params, context ? *context : own);
    }

    StageRegistry registry;
    PluginLoader loader;
};

}  // namespace cellforge::test_support
