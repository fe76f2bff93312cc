#include "app/gui/JobMonitor.h"

#include <QHeaderView>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cellforge {

namespace {
enum Column { ColName, ColState, ColProgress, ColMessage, ColElapsed, ColLeft, ColCancel };

QString formatSeconds(double s) {
    if (s < 0) return QStringLiteral("–");
    if (s < 60) return QStringLiteral("%1 s").arg(s, 0, 'f', 1);
    const int m = int(s) / 60;
    return QStringLiteral("%1 min %2 s").arg(m).arg(int(s) % 60);
}
}  // namespace

JobMonitor::JobMonitor(JobQueue& queue, QWidget* parent) : QWidget(parent), queue_(queue) {
    setObjectName("jobMonitor");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    auto* split = new QSplitter(Qt::Horizontal);
    tree_ = new QTreeWidget;
    tree_->setObjectName("jobTree");
    tree_->setRootIsDecorated(false);
    tree_->setHeaderLabels(
        {tr("Job"), tr("State"), tr("Progress"), tr("Message"), tr("Elapsed"), tr("Left"), QString()});
    tree_->header()->setSectionResizeMode(ColMessage, QHeaderView::Stretch);
    tree_->header()->setStretchLastSection(false);
    tree_->setColumnWidth(ColName, 200);
    tree_->setColumnWidth(ColProgress, 140);
    log_ = new QPlainTextEdit;
    log_->setObjectName("jobLog");
    log_->setReadOnly(true);
    log_->setPlaceholderText(tr("Select a job to see its log."));
    split->addWidget(tree_);
    split->addWidget(log_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split);
    connect(tree_, &QTreeWidget::currentItemChanged, this, &JobMonitor::showLog);

    connect(&queue_, &JobQueue::jobStateChanged, this, &JobMonitor::onState, Qt::QueuedConnection);
    connect(&queue_, &JobQueue::jobProgress, this, &JobMonitor::onProgress, Qt::QueuedConnection);
    connect(&queue_, &JobQueue::jobLog, this, &JobMonitor::onLog, Qt::QueuedConnection);
    connect(&queue_, &JobQueue::jobFinished, this, &JobMonitor::onFinished, Qt::QueuedConnection);
    timer_ = new QTimer(this);
    timer_->setInterval(250);
    connect(timer_, &QTimer::timeout, this, &JobMonitor::tick);
    timer_->start();
}

int JobMonitor::rowCount() const { return tree_->topLevelItemCount(); }

QString JobMonitor::stateText(int id) const {
    auto it = rows_.find(id);
    return it == rows_.end() ? QString() : it->second.item->text(ColState);
}

JobMonitor::Row& JobMonitor::row(int id) {
    auto it = rows_.find(id);
    if (it != rows_.end()) return it->second;
    Row& r = rows_[id];
    r.item = new QTreeWidgetItem;
    r.item->setData(ColName, Qt::UserRole, id);
    const JobSnapshot snap = queue_.snapshot(id);
    r.item->setText(ColName, QString::fromStdString(snap.name));
    r.item->setToolTip(ColName,
                       QString::fromStdString(snap.name + " (job " + std::to_string(id) + ", " + snap.lane + ")"));
    tree_->insertTopLevelItem(0, r.item);
    auto* bar = new QProgressBar;
    bar->setRange(0, 1000);
    bar->setTextVisible(true);
    bar->setFormat("%p%");
    tree_->setItemWidget(r.item, ColProgress, bar);
    auto* cancel = new QPushButton(tr("Cancel"));
    cancel->setObjectName(QStringLiteral("cancelJob%1").arg(id));
    connect(cancel, &QPushButton::clicked, this, [this, id] { cancelJob(id); });
    tree_->setItemWidget(r.item, ColCancel, cancel);
    r.started.start();
    return r;
}

void JobMonitor::cancelJob(int id) { queue_.cancel(id); }

void JobMonitor::onState(int id, int state) {
    Row& r = row(id);
    const auto s = JobState(state);
    r.item->setText(ColState, QString::fromStdString(jobStateName(s)));
    if (s == JobState::Running && !r.running) {
        r.running = true;
        r.started.restart();
    }
}

void JobMonitor::onProgress(int id, double fraction, const QString& message) {
    Row& r = row(id);
    r.progress = fraction;
    if (auto* bar = qobject_cast<QProgressBar*>(tree_->itemWidget(r.item, ColProgress)))
        bar->setValue(int(fraction * 1000));
    if (!message.isEmpty()) r.item->setText(ColMessage, message);
}

void JobMonitor::onLog(int id, const QString& line) {
    row(id);
    if (tree_->currentItem() && tree_->currentItem()->data(ColName, Qt::UserRole).toInt() == id)
        log_->appendPlainText(line);
}

void JobMonitor::onFinished(int id, int state) {
    Row& r = row(id);
    const JobSnapshot snap = queue_.snapshot(id);
    const auto s = JobState(state);
    r.running = false;
    r.seconds = snap.elapsedSeconds;
    r.item->setText(ColState, QString::fromStdString(jobStateName(s)));
    r.item->setText(ColElapsed, formatSeconds(snap.elapsedSeconds));
    r.item->setText(ColLeft, QString());
    if (auto* w = tree_->itemWidget(r.item, ColCancel)) w->setEnabled(false);
    if (auto* bar = qobject_cast<QProgressBar*>(tree_->itemWidget(r.item, ColProgress)))
        if (s == JobState::Completed) bar->setValue(1000);
    if (s == JobState::Failed) {
        // The error is shown where it happened: on the job's own row, in red.
        const QString error = QString::fromStdString(snap.error);
        r.item->setText(ColMessage, error);
        r.item->setToolTip(ColMessage, error);
        for (int c = 0; c < ColCancel; ++c) r.item->setForeground(c, QColor(220, 70, 60));
    } else if (s == JobState::Cancelled) {
        r.item->setText(ColMessage, tr("cancelled"));
        for (int c = 0; c < ColCancel; ++c) r.item->setForeground(c, QColor(150, 150, 150));
    }
    if (tree_->currentItem() == r.item) showLog();
}

void JobMonitor::tick() {
    for (auto& [id, r] : rows_) {
        if (!r.running) continue;
        const double elapsed = double(r.started.elapsed()) / 1000.0;
        r.item->setText(ColElapsed, formatSeconds(elapsed));
        // Linear estimate from progress so far, once there is enough to go on.
        const double left = r.progress > 0.02 ? elapsed * (1.0 - r.progress) / r.progress : -1.0;
        r.item->setText(ColLeft, formatSeconds(left));
    }
}

void JobMonitor::showLog() {
    log_->clear();
    QTreeWidgetItem* item = tree_->currentItem();
    if (!item) return;
    const int id = item->data(ColName, Qt::UserRole).toInt();
    QStringList lines;
    for (const auto& l : queue_.log(id)) lines << QString::fromStdString(l);
    const JobSnapshot snap = queue_.snapshot(id);
    if (!snap.error.empty()) lines << tr("ERROR: %1").arg(QString::fromStdString(snap.error));
    log_->setPlainText(lines.join('\n'));
}

}  // namespace cellforge
