#include "core/pipeline/PipelineRunner.h"

#include "core/plugin/StageInvocation.h"

#include "core/base/Errors.h"
#include "core/io/OutputPath.h"

#include <QCryptographicHash>

#include <chrono>
#include <sstream>

namespace cellforge {

bool ResultCache::lookup(const std::string& key, PortData& out) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return false;
    out = it->second;
    return true;
}

void ResultCache::store(const std::string& key, const PortData& outputs) {
    std::lock_guard<std::mutex> lock(mutex_);
    entries_[key] = outputs;
}

void ResultCache::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    entries_.clear();
}

std::size_t ResultCache::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
}

namespace {

std::string sha1(const std::string& text) {
    return QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Sha1).toHex().toStdString();
}

// The identity of one stage's result: its stage id, validated parameters (types made
// exact, defaults filled in) and the identities of everything that feeds it.
std::string stageKey(const std::string& stageId, const ParameterValues& params,
                     const std::vector<std::pair<std::string, std::string>>& inputKeys) {
    std::ostringstream s;
    s << "stage=" << stageId << '\n';
    for (const auto& [name, value] : params.all())
        s << "param:" << name << '=' << value.index() << ':' << paramValueToString(value) << '\n';
    for (const auto& [port, key] : inputKeys) s << "input:" << port << '=' << key << '\n';
    return sha1(s.str());
}

}  // namespace

void PipelineRunner::cancel() {
    std::lock_guard<std::mutex> lock(mutex_);
    cancelRequested_ = true;
    if (current_) queue_.cancel(current_);
}

PipelineRunResult PipelineRunner::run(const Pipeline& pipeline, const std::map<std::string, DataPtr>& inputs,
                                      const std::map<std::string, std::string>& inputKeys, const Callbacks& callbacks) {
    validatePipeline(pipeline, registry_);
    for (const auto& [name, kind] : pipeline.inputs) {
        auto it = inputs.find(name);
        if (it == inputs.end() || !it->second)
            throw InputError("pipeline '" + pipeline.name + "': input '" + name + "' (" + dataKindName(kind) +
                             ") was not given");
        if (!dataKindAccepts(kind, it->second->kind()))
            throw InputError("pipeline '" + pipeline.name + "': input '" + name + "' must be " + dataKindName(kind) +
                             ", got " + dataKindName(it->second->kind()));
    }
    // Files that stages write are placed (and refused) before the first stage runs.
    std::vector<std::map<std::string, std::string>> writtenFiles(pipeline.stages.size());
    for (std::size_t index = 0; index < pipeline.stages.size(); ++index) {
        const PipelineStage& ps = pipeline.stages[index];
        const std::string where = "stage '" + ps.id + "' (" + ps.stage + ")";
        const StageInfo info = registry_.require(ps.stage)->info();
        const ParameterValues params = validateParameters(info.parameters, ps.params, where);
        for (const ParameterSpec& spec : info.parameters) {
            if (!spec.writesFile || params.getString(spec.name).empty()) continue;
            const std::string what = where + ": parameter '" + spec.name + "'";
            if (outputFolder_.empty())
                throw InputError(what + " writes the file '" + io::printableName(params.getString(spec.name)) +
                                 "', but this run has no output folder to put it in");
            writtenFiles[index][spec.name] = io::resolveOutputPath(outputFolder_, params.getString(spec.name), what);
        }
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        cancelRequested_ = false;
    }

    const auto runStart = std::chrono::steady_clock::now();
    PipelineRunResult result;
    std::map<std::string, PortData> produced;  // stage id -> outputs
    std::map<std::string, std::string> keys;   // stage id -> cache key
    const double n = double(pipeline.stages.size());

    auto keyOfInput = [&](const std::string& name) {
        auto it = inputKeys.find(name);
        if (it != inputKeys.end()) return "file:" + it->second;
        std::ostringstream s;
        s << "memory:" << static_cast<const void*>(inputs.at(name).get());
        return s.str();
    };

    for (std::size_t index = 0; index < pipeline.stages.size(); ++index) {
        const PipelineStage& ps = pipeline.stages[index];
        StageRunRecord rec;
        rec.id = ps.id;
        rec.stage = ps.stage;
        if (result.state != JobState::Completed) {
            rec.state = "skipped";
            result.stages.push_back(rec);
            if (callbacks.stageState) callbacks.stageState(ps.id, rec.state);
            continue;
        }
        StagePtr stage = registry_.require(ps.stage);
        const StageInfo info = stage->info();
        ParameterValues params =
            validateParameters(info.parameters, ps.params, "stage '" + ps.id + "' (" + ps.stage + ")");
        for (const auto& [name, path] : writtenFiles[index]) params.set(name, path);
        rec.params = params.all();

        PortData stageInputs;
        std::vector<std::pair<std::string, std::string>> inputIdentity;
        for (const auto& [port, refText] : ps.inputs) {
            const PipelineRef ref = PipelineRef::parse(refText);
            if (ref.isPipelineInput) {
                stageInputs[port] = inputs.at(ref.name);
                inputIdentity.push_back({port, keyOfInput(ref.name)});
            } else {
                auto out = produced.at(ref.stageId).find(ref.name);
                stageInputs[port] = out == produced.at(ref.stageId).end() ? nullptr : out->second;
                inputIdentity.push_back({port, keys.at(ref.stageId) + "." + ref.name});
            }
        }
        const std::string key = stageKey(ps.stage, params, inputIdentity);
        keys[ps.id] = key;

        PortData outputs;
        if (cache_.lookup(key, outputs)) {
            rec.cached = true;
            rec.state = "completed";
            rec.outputs = outputs;
            produced[ps.id] = outputs;
            result.stages.push_back(rec);
            if (callbacks.stageState) callbacks.stageState(ps.id, "cached");
            if (callbacks.progress) callbacks.progress(ps.id, double(index + 1) / n, "cached");
            continue;
        }

        if (callbacks.stageState) callbacks.stageState(ps.id, "running");
        if (callbacks.progress) callbacks.progress(ps.id, double(index) / n, "starting");
        const auto started = std::chrono::steady_clock::now();
        JobObserver observer;
        if (callbacks.progress)
            observer.progress = [&](double f, const std::string& m) {
                callbacks.progress(ps.id, (double(index) + f) / n, m);
            };
        if (callbacks.log) observer.log = [&](const std::string& line) { callbacks.log(ps.id, line); };
        JobId job = 0;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (cancelRequested_) {
                result.state = JobState::Cancelled;
                rec.state = "cancelled";
                result.stages.push_back(rec);
                if (callbacks.stageState) callbacks.stageState(ps.id, rec.state);
                continue;
            }
            job = queue_.submit(
                ps.id + " (" + ps.stage + ")", info.lane,
                [stage, stageInputs, params, info, id = ps.id](JobContext& context) {
                    return invokeStage(*stage, info, stageInputs, params, context, "stage '" + id + "'");
                },
                observer);
            current_ = job;
        }
        const JobState state = queue_.wait(job);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            current_ = 0;
        }
        rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (state == JobState::Completed) {
            outputs = queue_.takeResult(job);
            ++executed_;
            if (callbacks.progress) callbacks.progress(ps.id, double(index + 1) / n, "done");
            cache_.store(key, outputs);
            produced[ps.id] = outputs;
            rec.outputs = outputs;
            rec.state = "completed";
        } else if (state == JobState::Cancelled) {
            result.state = JobState::Cancelled;
            rec.state = "cancelled";
        } else {
            result.state = JobState::Failed;
            rec.state = "failed";
            const JobSnapshot snap = queue_.snapshot(job);
            rec.error = snap.error;
            result.badInput = snap.badInput;
            result.error = "stage '" + ps.id + "' (" + ps.stage + ") failed: " + rec.error;
        }
        if (callbacks.stageState) callbacks.stageState(ps.id, rec.state);
        result.stages.push_back(rec);
    }

    if (result.state == JobState::Completed) {
        for (const auto& [file, refText] : pipeline.outputs) {
            const PipelineRef ref = PipelineRef::parse(refText);
            result.outputs[file] = produced.at(ref.stageId).at(ref.name);
        }
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - runStart).count();
    return result;
}

}  // namespace cellforge
