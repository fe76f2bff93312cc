#include "app/gui/PipelinePanel.h"

#include "app/gui/ParameterForm.h"
#include "core/base/Errors.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QStandardPaths>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace cellforge {

namespace {
enum { ColId, ColStage, ColState, ColTime };

QColor stateColor(const QString& s) {
    if (s == "completed") return {80, 170, 90};
    if (s == "cached") return {90, 140, 200};
    if (s == "running") return {230, 170, 40};
    if (s == "failed") return {220, 70, 60};
    if (s == "cancelled") return {150, 150, 150};
    return {180, 180, 180};
}
}  // namespace

std::string PipelinePanel::outputFolder() const {
    // Files that stages write (plot_path, checkpoint_path) go beside the project when one
    // is saved, otherwise into the user's documents: never where the pipeline file says.
    if (!session_.projectPath().empty())
        return (QFileInfo(QString::fromStdString(session_.projectPath())).absoluteDir().filePath("pipeline-files"))
            .toStdString();
    QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (docs.isEmpty()) docs = QDir::homePath();
    return QDir(docs).filePath("CellForge/pipeline-files").toStdString();
}

PipelinePanel::PipelinePanel(Session& session, QWidget* parent) : QWidget(parent), session_(session) {
    setObjectName("pipelinePanel");
    runner_ = std::make_unique<PipelineRunner>(session_.registry(), session_.jobs(), session_.cache());
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    auto* top = new QHBoxLayout;
    auto* openButton = new QPushButton(tr("Open…"));
    auto* saveButton = new QPushButton(tr("Save…"));
    runButton_ = new QPushButton(tr("Run pipeline"));
    runButton_->setObjectName("runPipeline");
    cancelButton_ = new QPushButton(tr("Cancel"));
    cancelButton_->setEnabled(false);
    top->addWidget(openButton);
    top->addWidget(saveButton);
    top->addStretch();
    top->addWidget(runButton_);
    top->addWidget(cancelButton_);
    layout->addLayout(top);
    title_ = new QLabel(tr("No pipeline open."));
    title_->setWordWrap(true);
    layout->addWidget(title_);
    auto* inputsGroup = new QGroupBox(tr("Inputs"));
    inputsLayout_ = new QFormLayout(inputsGroup);
    inputsBox_ = inputsGroup;
    layout->addWidget(inputsGroup);
    auto* split = new QSplitter(Qt::Vertical);
    stages_ = new QTreeWidget;
    stages_->setObjectName("pipelineStages");
    stages_->setRootIsDecorated(false);
    stages_->setHeaderLabels({tr("Step"), tr("Stage"), tr("Status"), tr("Time")});
    stages_->header()->setSectionResizeMode(ColStage, QHeaderView::Stretch);
    split->addWidget(stages_);
    auto* formBox = new QWidget;
    auto* fl = new QVBoxLayout(formBox);
    fl->setContentsMargins(0, 0, 0, 0);
    formTitle_ = new QLabel;
    formTitle_->setStyleSheet("font-weight: bold;");
    form_ = new ParameterForm;
    fl->addWidget(formTitle_);
    fl->addWidget(form_);
    fl->addStretch();
    auto* scroll = new QScrollArea;
    scroll->setWidget(formBox);
    scroll->setWidgetResizable(true);
    split->addWidget(scroll);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);
    status_ = new QLabel;
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    status_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    auto* statusScroll = new QScrollArea;
    statusScroll->setWidget(status_);
    statusScroll->setWidgetResizable(true);
    statusScroll->setFrameShape(QFrame::NoFrame);
    statusScroll->setMaximumHeight(110);
    layout->addWidget(statusScroll);

    connect(openButton, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Open pipeline"), path_, tr("Pipelines (*.json)"));
        if (!f.isEmpty()) openFile(f);
    });
    connect(saveButton, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getSaveFileName(this, tr("Save pipeline"), path_, tr("Pipelines (*.json)"));
        if (!f.isEmpty()) saveFile(f);
    });
    connect(runButton_, &QPushButton::clicked, this, [this] { run(); });
    connect(cancelButton_, &QPushButton::clicked, this, &PipelinePanel::cancel);
    connect(stages_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item) showStage(item->text(ColId).toStdString());
    });
    connect(form_, &ParameterForm::edited, this, [this] {
        if (PipelineStage* s = pipeline_.findStage(editing_)) {
            s->params = form_->values();
            status_->setText(tr("Parameters of '%1' changed: it and the steps after it will run again.")
                                 .arg(QString::fromStdString(editing_)));
        }
    });
    connect(&session_, &Session::layersChanged, this, &PipelinePanel::refreshInputs);
    connect(&watcher_, &QFutureWatcherBase::finished, this, &PipelinePanel::onFinished);
}

PipelinePanel::~PipelinePanel() {
    if (watcher_.isRunning()) {
        runner_->cancel();
        watcher_.waitForFinished();
    }
}

bool PipelinePanel::openFile(const QString& path) {
    try {
        Pipeline p = Pipeline::load(path.toStdString());
        pipeline_ = std::move(p);
        path_ = path;
        lastError_.clear();
        rebuild();
        status_->clear();
        try {
            validatePipeline(pipeline_, session_.registry());
        } catch (const InputError& e) {
            // Shown, not fatal: the plugins it needs may be missing on this machine.
            status_->setText(QStringLiteral("<span style='color:#d9534f'>%1</span>")
                                 .arg(QString::fromStdString(e.what()).toHtmlEscaped().replace("\n", "<br>")));
        }
        Q_EMIT pipelineLoaded(path);
        return true;
    } catch (const std::exception& e) {
        lastError_ = QString::fromStdString(e.what());
        status_->setText(QStringLiteral("<span style='color:#d9534f'>%1</span>").arg(lastError_.toHtmlEscaped()));
        return false;
    }
}

bool PipelinePanel::saveFile(const QString& path) {
    try {
        pipeline_.save(path.toStdString());
        path_ = path;
        status_->setText(tr("Saved %1").arg(path));
        return true;
    } catch (const std::exception& e) {
        lastError_ = QString::fromStdString(e.what());
        status_->setText(QStringLiteral("<span style='color:#d9534f'>%1</span>").arg(lastError_.toHtmlEscaped()));
        return false;
    }
}

void PipelinePanel::rebuild() {
    title_->setText(QStringLiteral("<b>%1</b> — %2<br><small>%3</small>")
                        .arg(QString::fromStdString(pipeline_.name).toHtmlEscaped(),
                             QString::fromStdString(pipeline_.description).toHtmlEscaped(), path_.toHtmlEscaped()));
    stages_->clear();
    for (const PipelineStage& s : pipeline_.stages) {
        auto* item = new QTreeWidgetItem(
            stages_, {QString::fromStdString(s.id), QString::fromStdString(s.stage), tr("ready"), QString()});
        const StagePtr st = session_.registry().find(s.stage);
        if (!st) {
            item->setText(ColState, tr("missing"));
            item->setToolTip(ColState, tr("No loaded plugin provides '%1'.").arg(QString::fromStdString(s.stage)));
            item->setForeground(ColState, stateColor("failed"));
        }
    }
    refreshInputs();
    if (stages_->topLevelItemCount() > 0) stages_->setCurrentItem(stages_->topLevelItem(0));
}

void PipelinePanel::refreshInputs() {
    std::map<std::string, QString> previous;
    for (auto& [n, combo] : inputPickers_) previous[n] = combo->currentText();
    while (inputsLayout_->rowCount() > 0) inputsLayout_->removeRow(0);
    inputPickers_.clear();
    for (const auto& [name, kind] : pipeline_.inputs) {
        auto* combo = new QComboBox;
        combo->setObjectName(QString::fromStdString("pipelineInput_" + name));
        for (const LayerDisplay& d : session_.displays())
            if (d.data && dataKindAccepts(kind, d.data->kind())) combo->addItem(QString::fromStdString(d.name));
        auto it = previous.find(name);
        if (it != previous.end() && combo->findText(it->second) >= 0) combo->setCurrentText(it->second);
        inputsLayout_->addRow(QString::fromStdString(name + " (" + dataKindName(kind) + ")"), combo);
        inputPickers_[name] = combo;
    }
}

bool PipelinePanel::setInput(const std::string& input, const std::string& layerName) {
    auto it = inputPickers_.find(input);
    if (it == inputPickers_.end()) return false;
    const int i = it->second->findText(QString::fromStdString(layerName));
    if (i < 0) return false;
    it->second->setCurrentIndex(i);
    return true;
}

bool PipelinePanel::selectStage(const std::string& id) {
    for (int i = 0; i < stages_->topLevelItemCount(); ++i)
        if (stages_->topLevelItem(i)->text(ColId).toStdString() == id) {
            stages_->setCurrentItem(stages_->topLevelItem(i));
            return true;
        }
    return false;
}

void PipelinePanel::showStage(const std::string& id) {
    editing_ = id;
    const PipelineStage* s = pipeline_.findStage(id);
    const StagePtr st = s ? session_.registry().find(s->stage) : nullptr;
    if (!s || !st) {
        formTitle_->setText(s ? tr("'%1' is not available (plugin missing)").arg(QString::fromStdString(s->stage))
                              : QString());
        form_->setSchema({});
        return;
    }
    const StageInfo info = st->info();
    formTitle_->setText(QString::fromStdString(s->id + ": " + info.name));
    const QSignalBlocker block(form_);
    form_->setSchema(info.parameters);
    form_->setValues(s->params);
}

bool PipelinePanel::isRunning() const { return running_; }
int PipelinePanel::executedStageCount() const { return runner_->executedStageCount(); }

QString PipelinePanel::stageStatus(const std::string& id) const {
    for (int i = 0; i < stages_->topLevelItemCount(); ++i)
        if (stages_->topLevelItem(i)->text(ColId).toStdString() == id) return stages_->topLevelItem(i)->text(ColState);
    return {};
}

void PipelinePanel::setStageState(const QString& id, const QString& state) {
    for (int i = 0; i < stages_->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = stages_->topLevelItem(i);
        if (item->text(ColId) != id) continue;
        item->setText(ColState, state);
        item->setForeground(ColState, stateColor(state));
    }
}

bool PipelinePanel::run() {
    lastError_.clear();
    if (running_) return false;
    try {
        if (pipeline_.stages.empty()) throw InputError("open a pipeline first");
        validatePipeline(pipeline_, session_.registry());
        std::map<std::string, DataPtr> inputs;
        std::map<std::string, std::string> keys;
        for (const auto& [name, kind] : pipeline_.inputs) {
            QComboBox* combo = inputPickers_[name];
            const std::string layerName = combo ? combo->currentText().toStdString() : std::string();
            const Layer* layer = session_.layer(layerName);
            if (!layer) throw InputError("pipeline input '" + name + "': choose a " + dataKindName(kind) + " layer");
            inputs[name] = layer->data;
            session_.markShared(layerName);
            const LayerDisplay* d = session_.display(layerName);
            // The cache key changes when the layer's voxels change (edits bump the revision).
            keys[name] = layer->sourcePath + "#" + layerName + "#" + std::to_string(d ? d->revision : 0) + "#" +
                         std::to_string(reinterpret_cast<std::uintptr_t>(layer->data.get()));
        }
        for (const PipelineStage& s : pipeline_.stages) setStageState(QString::fromStdString(s.id), tr("waiting"));
        PipelineRunner::Callbacks cb;
        cb.stageState = [this](const std::string& id, const std::string& state) {
            QMetaObject::invokeMethod(
                this,
                [this, id = QString::fromStdString(id), s = QString::fromStdString(state)] { setStageState(id, s); },
                Qt::QueuedConnection);
        };
        cb.progress = [this](const std::string& id, double overall, const std::string& msg) {
            QMetaObject::invokeMethod(
                this,
                [this, id = QString::fromStdString(id), overall, m = QString::fromStdString(msg)] {
                    status_->setText(tr("Running %1: %2% %3").arg(id).arg(int(overall * 100)).arg(m));
                },
                Qt::QueuedConnection);
        };
        runner_->setOutputFolder(outputFolder());
        const Pipeline copy = pipeline_;
        PipelineRunner* runner = runner_.get();
        watcher_.setFuture(QtConcurrent::run([runner, copy, inputs, keys, cb] {
            try {
                return runner->run(copy, inputs, keys, cb);
            } catch (const std::exception& e) {
                PipelineRunResult r;
                r.state = JobState::Failed;
                r.error = e.what();
                return r;
            }
        }));
        running_ = true;
        runButton_->setEnabled(false);
        cancelButton_->setEnabled(true);
        status_->setText(tr("Running…"));
        return true;
    } catch (const std::exception& e) {
        lastError_ = QString::fromStdString(e.what());
        status_->setText(QStringLiteral("<span style='color:#d9534f'>%1</span>")
                             .arg(lastError_.toHtmlEscaped().replace("\n", "<br>")));
        return false;
    }
}

void PipelinePanel::cancel() {
    if (watcher_.isRunning()) runner_->cancel();
}

void PipelinePanel::onFinished() {
    runButton_->setEnabled(true);
    cancelButton_->setEnabled(false);
    const PipelineRunResult r = watcher_.result();
    for (const StageRunRecord& s : r.stages) {
        const QString state = s.cached ? QStringLiteral("cached") : QString::fromStdString(s.state);
        setStageState(QString::fromStdString(s.id), state);
        for (int i = 0; i < stages_->topLevelItemCount(); ++i) {
            QTreeWidgetItem* item = stages_->topLevelItem(i);
            if (item->text(ColId).toStdString() != s.id) continue;
            item->setText(ColTime, s.cached ? QString() : QStringLiteral("%1 s").arg(s.seconds, 0, 'f', 2));
            if (!s.error.empty()) item->setToolTip(ColState, QString::fromStdString(s.error));
        }
    }
    if (r.state == JobState::Completed) {
        int n = 0;
        for (const auto& [file, data] : r.outputs) {
            if (!data) continue;
            QString name = QFileInfo(QString::fromStdString(file)).completeBaseName();
            if (name.isEmpty()) name = QString::fromStdString(file);
            session_.addLayer(data, pipeline_.name + ": " + name.toStdString(), {}, std::nullopt, true);
            ++n;
        }
        status_->setText(tr("Pipeline finished in %1 s: %2 output layer(s).").arg(r.seconds, 0, 'f', 1).arg(n));
    } else if (r.state == JobState::Cancelled) {
        status_->setText(tr("Pipeline cancelled."));
    } else {
        lastError_ = QString::fromStdString(r.error);
        status_->setText(QStringLiteral("<span style='color:#d9534f'>%1</span>").arg(lastError_.toHtmlEscaped()));
    }
    running_ = false;
    Q_EMIT runFinished(r.state == JobState::Completed);
}

}  // namespace cellforge
