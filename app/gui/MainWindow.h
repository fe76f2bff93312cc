// The CellForge main window: four linked views (XY, XZ, YZ and 3D), the layers panel,
// stage browser, pipeline panel and job monitor, the hand-correction tools with undo
// and redo, projects with autosave and crash recovery, and opening files by menu, by
// drag and drop or from the command line.
#pragma once

#include "app/gui/Session.h"
#include "app/gui/project/ProjectManifest.h"
#include "app/render/SceneModel.h"
#include "app/render/SliceGeometry.h"

#include <QFutureWatcher>
#include <QMainWindow>

#include <array>
#include <memory>
#include <optional>
#include <vector>

class QAction;
class QActionGroup;
class QCheckBox;
class QLabel;
class QSpinBox;
class QSplitter;
class QTimer;
class QMenu;
class QDockWidget;

namespace cellforge {

class EditToolController;
class JobMonitor;
class TablePanel;
class LayersPanel;
class PipelinePanel;
class SliceView;
class StageBrowser;
class VolumeView3D;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum class Tool { Navigate, Brush, Eraser, Fill, Picker, Select, Delete, Merge, Split };
    using Vec3 = std::array<double, 3>;

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Dialogs (errors, questions) are shown only when interactive; tests turn it off
    // and read lastError() instead.
    void setInteractive(bool on) { interactive_ = on; }
    QString lastError() const { return lastError_; }

    // Opens volumes, label volumes, meshes, projects or pipelines, reading in the
    // background. `asLabels` forces label volumes. Returns how many were queued.
    int openFiles(const QStringList& paths, std::optional<Vec3> voxelSize = std::nullopt, bool asLabels = false);
    bool isLoading() const { return pendingReads_ > 0; }
    bool loadDefaultPipeline();
    // Opens every file of the bundled demo folder, and the default pipeline.
    bool openDemo();

    bool saveProject(const QString& path);
    // Layers whose files lie outside the project folder are listed and asked about (a
    // dialog when interactive, else the answer set below); those not agreed to are left out.
    bool loadProject(const QString& path);
    void setOutsideLayerAnswer(OutsideLayerAnswer answer) { outsideLayerAnswer_ = answer; }
    // The layers outside the project folder that the last loadProject asked about.
    const std::vector<OutsideProjectLayer>& lastOutsideLayers() const { return lastOutsideLayers_; }
    // Autosaves now; returns the recovery manifest path, empty if nothing to save. With
    // `wait` false (the timer's way) the files are written by a worker thread from a
    // snapshot, so the window does not pause on large label volumes.
    QString autosaveNow(bool wait = true);
    QString recoveryManifestPath() const;
    bool recoverFrom(const QString& manifestPath);
    // At start-up: offers a recovery left by a crashed session (dialog when interactive).
    bool checkForRecovery();

    // The built-in tools by enum; every tool (plugins' too) by id ("brush", "stamp.cross").
    void setTool(Tool tool);
    Tool tool() const;  // Navigate while a plugin's tool is active
    bool setTool(const std::string& toolId);
    std::string toolId() const;
    void setCurrentLabel(int label);
    int currentLabel() const;
    void setBrushRadius(double voxels);
    void setBrush3D(bool on);
    bool undo();
    bool redo();
    // The label layer the tools edit (created on first paint if there is none).
    std::string activeLabelLayer() const;
    void setActiveLabelLayer(const std::string& name);
    EditToolController& editTools() { return *editTools_; }
    // The toolbar action of a tool (object name "tool_<id>"), nullptr if unknown.
    QAction* toolAction(const std::string& toolId) const;
    // The dock of a plugin's panel (object name "panel.<id>"), nullptr if none.
    QDockWidget* panelDock(const std::string& panelId) const;

    Session& session() { return *session_; }
    SliceViewLink& link() { return *link_; }
    SliceView* sliceView(SliceAxis axis) const;
    VolumeView3D* view3D() const { return view3D_; }
    StageBrowser* stageBrowser() const { return stageBrowser_; }
    PipelinePanel* pipelinePanel() const { return pipelinePanel_; }
    JobMonitor* jobMonitor() const { return jobMonitor_; }
    TablePanel* tablePanel() const { return tablePanel_; }
    LayersPanel* layersPanel() const { return layersPanel_; }
    // A picture of the whole window, views included (PNG export and tests).
    QImage grabWindowImage();
    bool saveScreenshot(const QString& path, QWidget* what = nullptr);

    static QString findResourceDir(const QString& sub);  // "pipelines", "demo", ...

Q_SIGNALS:
    void fileOpened(QString path);
    void loadingFinished();

protected:
    void closeEvent(QCloseEvent* e) override;
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;

private:
    void buildViews();
    void buildDocks();
    void buildMenus();
    void buildToolBar();
    void buildPluginPanels();
    void onToolChanged();
    void pushLayersToViews();
    void pushLayerDisplay(const QString& name);
    void onVoxelsChanged(const QString& name);
    void updateReferenceGrid();
    void updateUndoActions();
    void updateTitle();
    // `trusted`: our own recovery manifest, whose layers may lie anywhere.
    bool loadProject(const QString& path, bool trusted);
    OutsideLayerAnswer askAboutOutsideLayers(const QString& path, const std::vector<OutsideProjectLayer>& layers);
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void showError(const QString& title, const QString& message);
    void showPluginDialog();
    void showShortcuts();
    void openDialog(bool withVoxelSize, bool asLabels);
    bool saveProjectAs();
    bool maybeSave();
    void setLayout4(int which);  // 0 four views, 1 XY only, 2 3D only

    void onHovered(Vec3 world);
    void onWindowLevelDrag(double dx, double dy);
    void onCurrentLabelChanged(int label);
    std::array<double, 3> toVoxel(const Volume& v, const Vec3& world) const;

    std::unique_ptr<Session> session_;
    SliceViewLink* link_;
    std::array<SliceView*, 3> views_{};
    VolumeView3D* view3D_ = nullptr;
    QSplitter* rows_ = nullptr;
    std::array<QSplitter*, 2> cols_{};
    LayersPanel* layersPanel_ = nullptr;
    StageBrowser* stageBrowser_ = nullptr;
    PipelinePanel* pipelinePanel_ = nullptr;
    JobMonitor* jobMonitor_ = nullptr;
    TablePanel* tablePanel_ = nullptr;
    QLabel* statusPosition_ = nullptr;
    QLabel* statusTool_ = nullptr;

    EditToolController* editTools_ = nullptr;
    double wlStartLow_ = 0, wlStartHigh_ = 0;
    std::string wlLayer_;

    QActionGroup* toolGroup_ = nullptr;
    std::map<std::string, QAction*> toolActions_;  // by tool id
    std::map<std::string, QDockWidget*> panelDocks_;
    QAction* undoAction_ = nullptr;
    QAction* redoAction_ = nullptr;
    QAction* brush3DAction_ = nullptr;
    QSpinBox* labelSpin_ = nullptr;
    QSpinBox* radiusSpin_ = nullptr;
    QLabel* labelSwatch_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QTimer* autosaveTimer_ = nullptr;
    QTimer* surfaceTimer_ = nullptr;
    int pendingReads_ = 0;
    bool interactive_ = true;
    OutsideLayerAnswer outsideLayerAnswer_ = OutsideLayerAnswer::LeaveOut;
    std::vector<OutsideProjectLayer> lastOutsideLayers_;
    std::vector<ProjectLayer> leftOutLayers_;  // of the open project: kept in it on save, unread
    bool otherInstanceRunning_ = false;
    bool autosaving_ = false;
    QString lastError_;
    std::string lastGridKey_;
};

}  // namespace cellforge
