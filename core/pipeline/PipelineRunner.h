// Runs a validated pipeline through the job queue, stage by stage in dependency order,
// with a result cache keyed by a hash of each stage's inputs and parameters: changing a
// late stage's parameter re-runs only what depends on it.
#pragma once

#include "core/jobs/JobQueue.h"
#include "core/pipeline/Pipeline.h"

#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace cellforge {

// Results of earlier runs, by content key. Owned by the caller (the GUI keeps one per
// document, the CLI one per process) so it survives between runs.
class ResultCache {
public:
    bool lookup(const std::string& key, PortData& out) const;
    void store(const std::string& key, const PortData& outputs);
    void clear();
    std::size_t size() const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, PortData> entries_;
};

struct StageRunRecord {
    std::string id, stage;
    std::map<std::string, ParamValue> params;  // validated, defaults filled in
    double seconds = 0;
    bool cached = false;
    std::string state;  // "completed", "failed", "cancelled", "skipped"
    std::string error;
    PortData outputs;
};

struct PipelineRunResult {
    JobState state = JobState::Completed;  // Completed, Failed or Cancelled
    std::string error;                     // first failure's message
    bool badInput = false;                 // the failure was an InputError (bad data or parameters)
    std::vector<StageRunRecord> stages;
    std::map<std::string, DataPtr> outputs;  // pipeline output file name -> data
    double seconds = 0;
};

class PipelineRunner {
public:
    struct Callbacks {
        std::function<void(const std::string& stageId, const std::string& state)> stageState;
        // Overall fraction across stages, and the current stage's message.
        std::function<void(const std::string& stageId, double overall, const std::string& msg)> progress;
        std::function<void(const std::string& stageId, const std::string& line)> log;
    };

    PipelineRunner(const StageRegistry& registry, JobQueue& queue, ResultCache& cache)
        : registry_(registry), queue_(queue), cache_(cache) {}

    // Blocks until the pipeline ends. `inputs` maps pipeline input names to data;
    // `inputKeys` gives each a stable fingerprint for the cache (e.g. path, size, mtime);
    // without one, the data's address is used. Validates first (throws InputError).
    PipelineRunResult run(const Pipeline& pipeline, const std::map<std::string, DataPtr>& inputs,
                          const std::map<std::string, std::string>& inputKeys, const Callbacks& callbacks = {});
    // The folder where stages put the files their write-path parameters name (plot_path,
    // checkpoint_path): each is resolved inside it before the first stage runs
    // (core/io/OutputPath.h). Without one, a run that sets such a parameter is refused.
    void setOutputFolder(std::string folder) { outputFolder_ = std::move(folder); }
    // Cancels the stage job now running, if any; the run then ends Cancelled.
    void cancel();
    // Number of stages actually executed (not cached) since construction.
    int executedStageCount() const { return executed_; }

private:
    const StageRegistry& registry_;
    JobQueue& queue_;
    ResultCache& cache_;
    std::mutex mutex_;
    JobId current_ = 0;
    bool cancelRequested_ = false;
    int executed_ = 0;
    std::string outputFolder_;
};

}  // namespace cellforge
