// Test support for plugin suites: the plugins of a folder loaded into a registry, and
// running one stage as a job would (through invokeStage: inputs, parameters and outputs checked).
#pragma once

#include "core/jobs/JobContext.h"
#include "core/plugin/PluginLoader.h"
#include "core/plugin/StageInvocation.h"

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
        JobContext own;
        own.setThreadBudget(threads);
        return invokeStage(*stage, inputs, given, context ? *context : own, stageId);
    }

    StageRegistry registry;
    PluginLoader loader;
};

}  // namespace cellforge::test_support
