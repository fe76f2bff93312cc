// The job queue: a CPU lane (a pool of worker threads) and one device lane per GPU
// (a long-lived thread each, owning its device). Without a GPU, device-lane work runs
// on the CPU lane. A job never touches the Document: its result is handed to the
// completion callback, which the owner applies (the GUI connects it queued, so it runs
// on the GUI thread). A cancelled or failed job delivers no result.
#pragma once

#include "core/jobs/JobContext.h"
#include "core/jobs/ThreadBudget.h"
#include "core/plugin/Stage.h"

#include <QObject>

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cellforge {

enum class JobState { Queued, Running, Cancelling, Cancelled, Completing, Completed, Failed };
std::string jobStateName(JobState state);
inline bool isFinished(JobState s) {
    return s == JobState::Cancelled || s == JobState::Completed || s == JobState::Failed;
}

using JobId = int;
using JobWork = std::function<PortData(JobContext&)>;

// Optional per-job listeners, installed before the job can start, so none of its
// reports is missed. Called on the worker thread, progress throttled as for signals.
struct JobObserver {
    std::function<void(double fraction, const std::string& message)> progress;
    std::function<void(const std::string& line)> log;
};

struct JobSnapshot {
    JobId id = 0;
    std::string name;
    JobState state = JobState::Queued;
    double progress = 0;
    std::string message;
    std::string error;      // when Failed
    bool badInput = false;  // when Failed by an InputError (the CLI exits 2, not 3)
    std::string lane;       // "cpu" or "cuda:N"
    double elapsedSeconds = 0;
};

class JobQueue : public QObject {
    Q_OBJECT
public:
    // `deviceNames`: one device lane per entry ("cuda:0", ...); empty on CPU-only builds.
    explicit JobQueue(ThreadBudget budget = ThreadBudget::fromEnvironment(), std::vector<std::string> deviceNames = {},
                      QObject* parent = nullptr);
    ~JobQueue() override;  // cancels what is queued or running and joins the threads

    // Queues work. `lane` Device goes to the least busy device lane, or the CPU lane if
    // there is none. Connect to jobFinished to learn when it ends; results are then
    // taken with takeResult (on the owner's thread).
    JobId submit(std::string name, StageLane lane, JobWork work, JobObserver observer = {});

    void cancel(JobId id);
    void cancelAll();
    JobSnapshot snapshot(JobId id) const;
    std::vector<JobSnapshot> snapshots() const;
    // The outputs of a Completed job (empty otherwise); taken once.
    PortData takeResult(JobId id);
    std::vector<std::string> log(JobId id) const;
    // Blocks until the job has finished; returns its final state.
    JobState wait(JobId id);
    void waitAll();
    const ThreadBudget& budget() const { return budget_; }
    const std::vector<std::string>& deviceLanes() const { return deviceNames_; }

Q_SIGNALS:
    void jobStateChanged(int id, int state);
    void jobProgress(int id, double fraction, QString message);
    void jobLog(int id, QString line);
    // Emitted once per job when it ends (Completed, Failed or Cancelled).
    void jobFinished(int id, int state);

private:
    struct Job;
    struct Lane;
    void workerLoop(Lane* lane);
    void runJob(Job& job, const std::string& laneName);
    void setState(Job& job, JobState state);

    ThreadBudget budget_;
    std::vector<std::string> deviceNames_;
    mutable std::mutex mutex_;
    std::condition_variable finishedCv_;
    std::map<JobId, std::shared_ptr<Job>> jobs_;
    std::vector<std::unique_ptr<Lane>> lanes_;  // [0] is the CPU lane
    JobId nextId_ = 1;
    bool stopping_ = false;
};

}  // namespace cellforge
