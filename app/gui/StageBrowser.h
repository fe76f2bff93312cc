// The stage browser: every stage of every loaded plugin, grouped and searchable; the
// chosen stage's description, input pickers filled from the layers, and a parameter form
// generated from its schema. Run submits a job; its outputs come back as new layers.
#pragma once

#include "app/gui/Session.h"

#include <QWidget>

#include <map>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace cellforge {

class ParameterForm;

class StageBrowser : public QWidget {
    Q_OBJECT
public:
    explicit StageBrowser(Session& session, QWidget* parent = nullptr);

    void rebuild();  // after plugins load
    bool selectStage(const std::string& stageId);
    std::string currentStage() const { return current_; }
    ParameterForm* form() const { return form_; }
    // Picks the layer for an input port (tests).
    bool setInput(const std::string& port, const std::string& layerName);
    // Validates and submits the current stage; returns the job id, or 0 with an error shown.
    int run();
    QString lastError() const { return lastError_; }

Q_SIGNALS:
    void jobSubmitted(int jobId, QString stageName);
    void outputsAdded(QStringList layerNames);

private:
    void filter(const QString& text);
    void showStage(const std::string& id);
    void refreshInputs();
    void onJobFinished(int id, int state);

    Session& session_;
    QLineEdit* search_;
    QTreeWidget* tree_;
    QLabel* title_;
    QLabel* description_;
    QWidget* inputsBox_;
    QFormLayout* inputsLayout_;
    std::map<std::string, QComboBox*> inputPickers_;
    ParameterForm* form_;
    QPushButton* runButton_;
    QPushButton* defaultsButton_;
    QLabel* status_;
    std::string current_;
    QString lastError_;
    struct Pending {
        std::string stageId;
        std::string stageName;
    };
    std::map<int, Pending> pending_;
};

}  // namespace cellforge
