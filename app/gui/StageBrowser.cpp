#include "app/gui/StageBrowser.h"

#include "app/gui/ParameterForm.h"
#include "core/base/Errors.h"
#include "core/plugin/StageInvocation.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <set>

namespace cellforge {

StageBrowser::StageBrowser(Session& session, QWidget* parent) : QWidget(parent), session_(session) {
    setObjectName("stageBrowser");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    search_ = new QLineEdit;
    search_->setObjectName("stageSearch");
    search_->setPlaceholderText(tr("Search stages…"));
    search_->setClearButtonEnabled(true);
    layout->addWidget(search_);
    auto* split = new QSplitter(Qt::Vertical);
    tree_ = new QTreeWidget;
    tree_->setObjectName("stageTree");
    tree_->setHeaderHidden(true);
    split->addWidget(tree_);

    auto* detail = new QWidget;
    auto* dl = new QVBoxLayout(detail);
    dl->setContentsMargins(0, 0, 0, 0);
    title_ = new QLabel;
    title_->setStyleSheet("font-weight: bold;");
    description_ = new QLabel;
    description_->setWordWrap(true);
    dl->addWidget(title_);
    dl->addWidget(description_);
    auto* inputsGroup = new QGroupBox(tr("Inputs"));
    inputsLayout_ = new QFormLayout(inputsGroup);
    inputsBox_ = inputsGroup;
    dl->addWidget(inputsGroup);
    auto* paramsGroup = new QGroupBox(tr("Parameters"));
    auto* pl = new QVBoxLayout(paramsGroup);
    form_ = new ParameterForm;
    pl->addWidget(form_);
    dl->addWidget(paramsGroup);
    auto* buttons = new QHBoxLayout;
    defaultsButton_ = new QPushButton(tr("Defaults"));
    runButton_ = new QPushButton(tr("Run"));
    runButton_->setObjectName("runStage");
    runButton_->setDefault(true);
    buttons->addWidget(defaultsButton_);
    buttons->addStretch();
    buttons->addWidget(runButton_);
    dl->addLayout(buttons);
    status_ = new QLabel;
    status_->setWordWrap(true);
    dl->addWidget(status_);
    dl->addStretch();
    auto* scroll = new QScrollArea;
    scroll->setWidget(detail);
    scroll->setWidgetResizable(true);
    split->addWidget(scroll);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    layout->addWidget(split);

    connect(search_, &QLineEdit::textChanged, this, &StageBrowser::filter);
    connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item && item->data(0, Qt::UserRole).isValid())
            showStage(item->data(0, Qt::UserRole).toString().toStdString());
    });
    connect(runButton_, &QPushButton::clicked, this, [this] { run(); });
    connect(defaultsButton_, &QPushButton::clicked, form_, &ParameterForm::resetToDefaults);
    connect(&session_, &Session::layersChanged, this, &StageBrowser::refreshInputs);
    connect(&session_.jobs(), &JobQueue::jobFinished, this, &StageBrowser::onJobFinished, Qt::QueuedConnection);
    rebuild();
}

void StageBrowser::rebuild() {
    tree_->clear();
    std::map<std::string, QTreeWidgetItem*> groups;
    const StageRegistry& reg = session_.registry();
    for (const std::string& id : reg.stageIds()) {
        const StagePtr stage = reg.find(id);
        if (!stage) continue;
        const StageInfo info = stage->info();
        const std::string group = info.group.empty() ? std::string("Other") : info.group;
        QTreeWidgetItem*& g = groups[group];
        if (!g) {
            g = new QTreeWidgetItem(tree_, {QString::fromStdString(group)});
            g->setFlags(Qt::ItemIsEnabled);
            g->setExpanded(true);
        }
        auto* item = new QTreeWidgetItem(g, {QString::fromStdString(info.name.empty() ? id : info.name)});
        item->setData(0, Qt::UserRole, QString::fromStdString(id));
        item->setToolTip(0, QString::fromStdString(id + "\n" + info.description));
    }
    tree_->sortItems(0, Qt::AscendingOrder);
    if (groups.empty()) {
        title_->setText(tr("No stages"));
        description_->setText(
            tr("No plugin was loaded. See Help ▸ Plugins for the folders searched and "
               "the reasons plugins were refused."));
        runButton_->setEnabled(false);
    }
    filter(search_->text());
}

void StageBrowser::filter(const QString& text) {
    for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
        QTreeWidgetItem* group = tree_->topLevelItem(g);
        int shown = 0;
        for (int i = 0; i < group->childCount(); ++i) {
            QTreeWidgetItem* item = group->child(i);
            const bool match = text.isEmpty() || item->text(0).contains(text, Qt::CaseInsensitive) ||
                               item->toolTip(0).contains(text, Qt::CaseInsensitive) ||
                               group->text(0).contains(text, Qt::CaseInsensitive);
            item->setHidden(!match);
            shown += match;
        }
        group->setHidden(shown == 0);
    }
}

bool StageBrowser::selectStage(const std::string& id) {
    for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
        QTreeWidgetItem* group = tree_->topLevelItem(g);
        for (int i = 0; i < group->childCount(); ++i)
            if (group->child(i)->data(0, Qt::UserRole).toString().toStdString() == id) {
                tree_->setCurrentItem(group->child(i));
                return true;
            }
    }
    return false;
}

void StageBrowser::showStage(const std::string& id) {
    const StagePtr stage = session_.registry().find(id);
    if (!stage) return;
    current_ = id;
    const StageInfo info = stage->info();
    title_->setText(QString::fromStdString(info.name + "  (" + info.id + ")"));
    description_->setText(QString::fromStdString(info.description));
    form_->setSchema(info.parameters);
    runButton_->setEnabled(true);
    status_->clear();
    refreshInputs();
}

void StageBrowser::refreshInputs() {
    std::map<std::string, QString> previous;
    for (auto& [port, combo] : inputPickers_) previous[port] = combo->currentText();
    while (inputsLayout_->rowCount() > 0) inputsLayout_->removeRow(0);
    inputPickers_.clear();
    const StagePtr stage = session_.registry().find(current_);
    if (!stage) return;
    const StageInfo info = stage->info();
    for (const PortSpec& port : info.inputs) {
        auto* combo = new QComboBox;
        combo->setObjectName(QString::fromStdString("input_" + port.name));
        if (port.optional) combo->addItem(tr("(none)"));
        for (const LayerDisplay& d : session_.displays())
            if (d.data && dataKindAccepts(port.kind, d.data->kind())) combo->addItem(QString::fromStdString(d.name));
        const auto it = previous.find(port.name);
        if (it != previous.end() && combo->findText(it->second) >= 0) combo->setCurrentText(it->second);
        const QString label = QString::fromStdString(port.name + " (" + dataKindName(port.kind) + ")");
        combo->setToolTip(QString::fromStdString(port.help));
        inputsLayout_->addRow(label, combo);
        inputPickers_[port.name] = combo;
    }
}

bool StageBrowser::setInput(const std::string& port, const std::string& layerName) {
    auto it = inputPickers_.find(port);
    if (it == inputPickers_.end()) return false;
    const int i = it->second->findText(QString::fromStdString(layerName));
    if (i < 0) return false;
    it->second->setCurrentIndex(i);
    return true;
}

int StageBrowser::run() {
    lastError_.clear();
    const StagePtr stage = session_.registry().find(current_);
    if (!stage) {
        lastError_ = tr("Choose a stage first.");
        status_->setText(lastError_);
        return 0;
    }
    const StageInfo info = stage->info();
    try {
        PortData inputs;
        std::vector<std::string> used;
        for (const PortSpec& port : info.inputs) {
            QComboBox* combo = inputPickers_[port.name];
            const std::string layerName = combo ? combo->currentText().toStdString() : std::string();
            const Layer* layer = session_.layer(layerName);
            if (!layer) {
                if (port.optional) continue;
                throw InputError("input '" + port.name + "': choose a " + dataKindName(port.kind) + " layer");
            }
            inputs[port.name] = layer->data;
            used.push_back(layerName);
        }
        const ParameterValues params = validateParameters(info.parameters, form_->values(), "stage " + info.id);
        checkStageInputs(info, inputs, "stage " + info.id);  // refused here, before a job exists
        for (const auto& n : used) session_.markShared(n);   // an edit during the job copies first
        const JobId id = session_.jobs().submit(
            info.name.empty() ? info.id : info.name, info.lane, [stage, info, inputs, params](JobContext& ctx) {
                return invokeStage(*stage, info, inputs, params, ctx, "stage " + info.id);
            });
        pending_[id] = {info.id, info.name.empty() ? info.id : info.name};
        status_->setText(tr("Submitted as job %1.").arg(id));
        Q_EMIT jobSubmitted(id, QString::fromStdString(info.name));
        return id;
    } catch (const std::exception& e) {
        lastError_ = QString::fromStdString(e.what());
        status_->setText(QStringLiteral("<span style='color:#d9534f'>%1</span>").arg(lastError_.toHtmlEscaped()));
        return 0;
    }
}

void StageBrowser::onJobFinished(int id, int state) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    const Pending p = it->second;
    pending_.erase(it);
    if (JobState(state) != JobState::Completed) {
        const JobSnapshot snap = session_.jobs().snapshot(id);
        status_->setText(
            JobState(state) == JobState::Failed
                ? QStringLiteral("<span style='color:#d9534f'>%1 failed: %2</span>")
                      .arg(QString::fromStdString(p.stageName), QString::fromStdString(snap.error).toHtmlEscaped())
                : tr("%1 was cancelled.").arg(QString::fromStdString(p.stageName)));
        return;
    }
    PortData outputs = session_.jobs().takeResult(id);
    QStringList added;
    for (const auto& [port, data] : outputs) {
        if (!data) continue;
        added << QString::fromStdString(session_.addLayer(data, p.stageName + " " + port, {}, std::nullopt, true));
    }
    status_->setText(tr("%1 finished: %2 new layer(s).").arg(QString::fromStdString(p.stageName)).arg(added.size()));
    Q_EMIT outputsAdded(added);
}

}  // namespace cellforge
