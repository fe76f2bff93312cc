#include "core/jobs/JobQueue.h"

#include "core/base/Errors.h"

#include <algorithm>
#include <exception>

namespace cellforge {

std::string jobStateName(JobState state) {
    switch (state) {
        case JobState::Queued:
            return "queued";
        case JobState::Running:
            return "running";
        case JobState::Cancelling:
            return "cancelling";
        case JobState::Cancelled:
            return "cancelled";
        case JobState::Completing:
            return "completing";
        case JobState::Completed:
            return "completed";
        case JobState::Failed:
            return "failed";
    }
    return "?";
}

struct JobQueue::Job {
    JobId id = 0;
    std::string name;
    StageLane lane = StageLane::Cpu;
    JobWork work;
    JobState state = JobState::Queued;
    std::string message, error, laneName;
    bool badInput = false;
    std::chrono::steady_clock::time_point started{}, ended{};
    PortData result;
    JobContext context;
};

struct JobQueue::Lane {
    std::string name;  // "cpu" or "cuda:N"
    std::deque<std::shared_ptr<Job>> pending;
    std::condition_variable wake;
    std::vector<std::thread> threads;
    int running = 0;
};

JobQueue::JobQueue(ThreadBudget budget, std::vector<std::string> deviceNames, QObject* parent)
    : QObject(parent), budget_(budget), deviceNames_(std::move(deviceNames)) {
    budget_.applyToLibraries();
    auto cpu = std::make_unique<Lane>();
    cpu->name = "cpu";
    lanes_.push_back(std::move(cpu));
    for (const auto& d : deviceNames_) {
        auto lane = std::make_unique<Lane>();
        lane->name = d;
        lanes_.push_back(std::move(lane));
    }
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
        Lane* lane = lanes_[i].get();
        // One long-lived thread per device lane (it owns the device's stream).
        const int workers = i == 0 ? std::max(1, budget_.cpuLaneWorkers) : 1;
        for (int w = 0; w < workers; ++w) lane->threads.emplace_back([this, lane] { workerLoop(lane); });
    }
}

JobQueue::~JobQueue() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        for (auto& [id, job] : jobs_)
            if (!isFinished(job->state)) job->context.requestCancel();
    }
    for (auto& lane : lanes_) lane->wake.notify_all();
    for (auto& lane : lanes_)
        for (auto& t : lane->threads) t.join();
}

JobId JobQueue::submit(std::string name, StageLane laneKind, JobWork work, JobObserver observer) {
    auto job = std::make_shared<Job>();
    Lane* lane = lanes_[0].get();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        job->id = nextId_++;
        job->name = std::move(name);
        job->lane = laneKind;
        job->work = std::move(work);
        if (laneKind == StageLane::Device && lanes_.size() > 1) {
            // The least busy device lane.
            lane = lanes_[1].get();
            for (std::size_t i = 2; i < lanes_.size(); ++i)
                if (lanes_[i]->pending.size() + lanes_[i]->running < lane->pending.size() + lane->running)
                    lane = lanes_[i].get();
        }
        job->laneName = lane->name;
        job->context.setDevice(DeviceSpec{lane->name});
        const JobId id = job->id;
        job->context.setProgressSink([this, id, onProgress = observer.progress](double f, const std::string& m) {
            if (onProgress) onProgress(f, m);
            {
                std::lock_guard<std::mutex> l(mutex_);
                auto it = jobs_.find(id);
                if (it != jobs_.end()) it->second->message = m;
            }
            Q_EMIT jobProgress(id, f, QString::fromStdString(m));
        });
        job->context.setLogSink([this, id, onLog = observer.log](const std::string& line) {
            if (onLog) onLog(line);
            Q_EMIT jobLog(id, QString::fromStdString(line));
        });
        jobs_[job->id] = job;
        lane->pending.push_back(job);
    }
    Q_EMIT jobStateChanged(job->id, int(JobState::Queued));
    lane->wake.notify_one();
    return job->id;
}

void JobQueue::workerLoop(Lane* lane) {
    for (;;) {
        std::shared_ptr<Job> job;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            lane->wake.wait(lock, [&] { return stopping_ || !lane->pending.empty(); });
            if (lane->pending.empty()) return;  // stopping, nothing left
            job = lane->pending.front();
            lane->pending.pop_front();
            ++lane->running;
            // Divide the thread budget among the CPU jobs now running.
            const int share =
                lane == lanes_[0].get() ? std::max(1, budget_.total / lane->running) : budget_.threadsPerJob;
            job->context.setThreadBudget(std::min(share, budget_.threadsPerJob));
        }
        runJob(*job, lane->name);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            --lane->running;
        }
    }
}

void JobQueue::setState(Job& job, JobState state) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        // A cancel that arrived while the job was being picked up stays visible.
        if (state == JobState::Running && job.state == JobState::Cancelling) return;
        job.state = state;
        if (isFinished(state)) job.ended = std::chrono::steady_clock::now();
    }
    Q_EMIT jobStateChanged(job.id, int(state));
    if (isFinished(state)) {
        finishedCv_.notify_all();
        Q_EMIT jobFinished(job.id, int(state));
    }
}

void JobQueue::runJob(Job& job, const std::string& laneName) {
    (void)laneName;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (job.context.isCancelled()) {
            job.state = JobState::Cancelled;
        }
    }
    if (job.state == JobState::Cancelled) {
        setState(job, JobState::Cancelled);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        job.started = std::chrono::steady_clock::now();
    }
    setState(job, JobState::Running);
    PortData result;
    JobState final = JobState::Completed;
    std::string error;
    try {
        result = job.work(job.context);
        // Work that ignored the flag still ends Cancelled: its result is dropped.
        if (job.context.isCancelled()) final = JobState::Cancelled;
    } catch (const CancelledError&) {
        final = JobState::Cancelled;
    } catch (const InputError& e) {
        final = job.context.isCancelled() ? JobState::Cancelled : JobState::Failed;
        error = e.what();
        job.badInput = true;
    } catch (const std::exception& e) {
        final = job.context.isCancelled() ? JobState::Cancelled : JobState::Failed;
        error = e.what();
    } catch (...) {
        final = JobState::Failed;
        error = "unknown exception";
    }
    if (final == JobState::Completed) {
        setState(job, JobState::Completing);
        job.context.setProgress(1.0, "done");
        std::lock_guard<std::mutex> lock(mutex_);
        job.result = std::move(result);
    } else {
        result.clear();  // a cancelled or failed job delivers nothing
        std::lock_guard<std::mutex> lock(mutex_);
        job.error = error;
    }
    if (!error.empty()) job.context.log("error: " + error);
    setState(job, final);
}

void JobQueue::cancel(JobId id) {
    std::shared_ptr<Job> job;
    bool wasQueued = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = jobs_.find(id);
        if (it == jobs_.end() || isFinished(it->second->state)) return;
        job = it->second;
        job->context.requestCancel();
        if (job->state == JobState::Queued) {
            // Not started: remove it from its lane now.
            for (auto& lane : lanes_) {
                auto& q = lane->pending;
                auto pos = std::find(q.begin(), q.end(), job);
                if (pos != q.end()) {
                    q.erase(pos);
                    wasQueued = true;
                }
            }
        } else {
            job->state = JobState::Cancelling;
        }
    }
    if (wasQueued)
        setState(*job, JobState::Cancelled);
    else
        Q_EMIT jobStateChanged(id, int(JobState::Cancelling));
}

void JobQueue::cancelAll() {
    std::vector<JobId> ids;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& [id, job] : jobs_)
            if (!isFinished(job->state)) ids.push_back(id);
    }
    for (JobId id : ids) cancel(id);
}

JobSnapshot JobQueue::snapshot(JobId id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    JobSnapshot s;
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return s;
    const Job& j = *it->second;
    s.id = j.id;
    s.name = j.name;
    s.state = j.state;
    s.progress = j.context.progress();
    s.message = j.message;
    s.error = j.error;
    s.badInput = j.badInput;
    s.lane = j.laneName;
    if (j.started != std::chrono::steady_clock::time_point{}) {
        const auto end = isFinished(j.state) ? j.ended : std::chrono::steady_clock::now();
        s.elapsedSeconds = std::chrono::duration<double>(end - j.started).count();
    }
    return s;
}

std::vector<JobSnapshot> JobQueue::snapshots() const {
    std::vector<JobId> ids;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& [id, job] : jobs_) ids.push_back(id);
    }
    std::vector<JobSnapshot> out;
    for (JobId id : ids) out.push_back(snapshot(id));
    return out;
}

PortData JobQueue::takeResult(JobId id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second->state != JobState::Completed) return {};
    return std::move(it->second->result);
}

std::vector<std::string> JobQueue::log(JobId id) const {
    std::shared_ptr<Job> job;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = jobs_.find(id);
        if (it == jobs_.end()) return {};
        job = it->second;
    }
    return job->context.logLines();
}

JobState JobQueue::wait(JobId id) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return JobState::Failed;
    auto job = it->second;
    finishedCv_.wait(lock, [&] { return isFinished(job->state); });
    return job->state;
}

void JobQueue::waitAll() {
    std::unique_lock<std::mutex> lock(mutex_);
    finishedCv_.wait(lock, [&] {
        return std::all_of(jobs_.begin(), jobs_.end(), [](auto& p) { return isFinished(p.second->state); });
    });
}

}  // namespace cellforge
