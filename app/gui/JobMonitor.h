// The job monitor: one row per job with a progress bar and message, elapsed time and an
// estimate of the time left, a cancel button, the job's log, and the error where a job
// failed. Follows the JobQueue's signals; never blocks the GUI thread.
#pragma once

#include "core/jobs/JobQueue.h"

#include <QElapsedTimer>
#include <QWidget>

#include <map>

class QTreeWidget;
class QTreeWidgetItem;
class QPlainTextEdit;
class QTimer;

namespace cellforge {

class JobMonitor : public QWidget {
    Q_OBJECT
public:
    explicit JobMonitor(JobQueue& queue, QWidget* parent = nullptr);
    int rowCount() const;
    // State name shown for a job (tests).
    QString stateText(int jobId) const;
    void cancelJob(int jobId);

private:
    struct Row {
        QTreeWidgetItem* item = nullptr;
        QElapsedTimer started;
        bool running = false;
        double progress = 0;
        double seconds = 0;
    };
    Row& row(int id);
    void onState(int id, int state);
    void onProgress(int id, double fraction, const QString& message);
    void onLog(int id, const QString& line);
    void onFinished(int id, int state);
    void tick();
    void showLog();

    JobQueue& queue_;
    QTreeWidget* tree_;
    QPlainTextEdit* log_;
    QTimer* timer_;
    std::map<int, Row> rows_;
};

}  // namespace cellforge
