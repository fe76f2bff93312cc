// The pipeline panel: open a pipeline JSON, pick its inputs from the layers, edit any
// stage's parameters (forms from the schemas), run it in the background with per-stage
// status (cached stages are not re-run), cancel, and save the JSON back.
#pragma once

#include "app/gui/Session.h"
#include "core/pipeline/Pipeline.h"
#include "core/pipeline/PipelineRunner.h"

#include <QFutureWatcher>
#include <QWidget>

#include <map>
#include <memory>

class QComboBox;
class QFormLayout;
class QLabel;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace cellforge {

class ParameterForm;

class PipelinePanel : public QWidget {
    Q_OBJECT
public:
    explicit PipelinePanel(Session& session, QWidget* parent = nullptr);
    ~PipelinePanel() override;

    // Loads a pipeline file; shows the reason in the panel and returns false if it is bad.
    bool openFile(const QString& path);
    bool saveFile(const QString& path);
    const Pipeline& pipeline() const { return pipeline_; }
    QString filePath() const { return path_; }
    bool setInput(const std::string& input, const std::string& layerName);
    // Starts a run in the background; false (with the reason shown) if it cannot start.
    bool run();
    void cancel();
    bool isRunning() const;
    QString stageStatus(const std::string& stageId) const;
    QString lastError() const { return lastError_; }
    int executedStageCount() const;
    // Selects a stage in the list and shows its parameter form (tests).
    bool selectStage(const std::string& stageId);
    ParameterForm* form() const { return form_; }
    // Where files named by write-path parameters go: <project folder>/pipeline-files, or
    // Documents/CellForge/pipeline-files before a project is saved.
    std::string outputFolder() const;

Q_SIGNALS:
    void runFinished(bool ok);
    void pipelineLoaded(QString path);

private:
    void rebuild();
    void refreshInputs();
    void showStage(const std::string& stageId);
    void setStageState(const QString& stageId, const QString& state);
    void onFinished();

    Session& session_;
    Pipeline pipeline_;
    QString path_;
    QLabel* title_;
    QWidget* inputsBox_;
    QFormLayout* inputsLayout_;
    std::map<std::string, QComboBox*> inputPickers_;
    QTreeWidget* stages_;
    ParameterForm* form_;
    QLabel* formTitle_;
    QLabel* status_;
    QPushButton* runButton_;
    QPushButton* cancelButton_;
    std::string editing_;
    std::unique_ptr<PipelineRunner> runner_;
    QFutureWatcher<PipelineRunResult> watcher_;
    QString lastError_;
    bool running_ = false;  // from run() until the results are applied
};

}  // namespace cellforge
