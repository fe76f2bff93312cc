#include "app/gui/MainWindow.h"

#include "app/gui/JobMonitor.h"
#include "app/gui/LayersPanel.h"
#include "app/gui/PipelinePanel.h"
#include "app/gui/StageBrowser.h"
#include "app/gui/TablePanel.h"
#include "app/gui/editing/LabelEditing.h"
#include "app/gui/tools/EditToolController.h"
#include "app/gui/project/ProjectManifest.h"
#include "app/render/SliceView.h"
#include "core/data/Table.h"
#include "app/render/VolumeView3D.h"
#include "core/base/Errors.h"
#include "core/base/AtomicFile.h"
#include "core/io/DataIO.h"
#include "core/io/MeshIO.h"
#include "core/io/VolumeIO.h"
#include "core/plugin/PanelFactory.h"
#include "core/pipeline/Pipeline.h"

#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QMimeData>
#include <QPainter>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableWidget>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <unistd.h>
#include <csignal>
#include <cmath>
#include <fstream>
#include <iterator>

namespace cellforge {

namespace {
// The built-in tools' ids, in the enum's order.
const char* const kBuiltinToolIds[] = {"navigate", "brush",  "eraser", "fill", "picker",
                                       "select",   "delete", "merge",  "split"};

// What a background read produces: the data and how to show it.
struct ReadResult {
    QString path;
    DataPtr data;
    QString error;
    bool isProject = false;
    bool isPipeline = false;
};

bool looksLikeLabels(const QString& path) {
    const QString base = QFileInfo(path).fileName().toLower();
    return base.contains("label") || base.contains("seg") || base.contains("mask");
}
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), session_(std::make_unique<Session>()) {
    setObjectName("mainWindow");
    setAcceptDrops(true);
    resize(1500, 950);
    link_ = new SliceViewLink(this);
    session_->loadPlugins(PluginLoader::defaultSearchPaths());
    buildViews();
    editTools_ = new EditToolController(*session_, views_, this);
    for (const ContributedTool& t : session_->plugins().editingTools()) editTools_->addTool(t.tool);
    connect(editTools_, &EditToolController::toolChanged, this, &MainWindow::onToolChanged);
    connect(editTools_, &EditToolController::currentLabelChanged, this, &MainWindow::onCurrentLabelChanged);
    connect(editTools_, &EditToolController::undoStateChanged, this, &MainWindow::updateUndoActions);
    connect(editTools_, &EditToolController::message, this,
            [this](const QString& text, int ms) { statusBar()->showMessage(text, ms); });
    connect(editTools_, &EditToolController::error, this, &MainWindow::showError);
    connect(editTools_, &EditToolController::brushChanged, this, [this] {
        if (radiusSpin_ && radiusSpin_->value() != int(editTools_->brushRadius())) {
            const QSignalBlocker b(radiusSpin_);
            radiusSpin_->setValue(int(editTools_->brushRadius()));
        }
        if (brush3DAction_ && brush3DAction_->isChecked() != editTools_->brush3D()) {
            const QSignalBlocker b(brush3DAction_);
            brush3DAction_->setChecked(editTools_->brush3D());
        }
    });
    buildDocks();
    buildMenus();
    buildToolBar();
    buildPluginPanels();
    statusPosition_ = new QLabel;
    statusTool_ = new QLabel;
    statusBar()->addWidget(statusPosition_, 1);
    statusBar()->addPermanentWidget(statusTool_);

    connect(session_.get(), &Session::layersChanged, this, [this] {
        updateReferenceGrid();
        pushLayersToViews();
        updateTitle();
    });
    connect(session_.get(), &Session::layerDisplayChanged, this, &MainWindow::pushLayerDisplay);
    connect(session_.get(), &Session::layerVoxelsChanged, this, &MainWindow::onVoxelsChanged);
    connect(session_.get(), &Session::modifiedChanged, this, &MainWindow::updateTitle);

    surfaceTimer_ = new QTimer(this);
    surfaceTimer_->setSingleShot(true);
    surfaceTimer_->setInterval(700);
    connect(surfaceTimer_, &QTimer::timeout, this, [this] { view3D_->setLayers(session_->displays()); });

    // Autosave every few minutes (CELLFORGE_AUTOSAVE_SECONDS overrides, for tests).
    autosaveTimer_ = new QTimer(this);
    bool ok = false;
    const int seconds = qEnvironmentVariableIntValue("CELLFORGE_AUTOSAVE_SECONDS", &ok);
    autosaveTimer_->setInterval((ok && seconds > 0 ? seconds : 180) * 1000);
    connect(autosaveTimer_, &QTimer::timeout, this, [this] { autosaveNow(false); });
    autosaveTimer_->start();
    // A lock with our process id tells the next start whether we ended cleanly.
    const QString recoveryDir = QFileInfo(recoveryManifestPath()).absolutePath();
    QDir().mkpath(recoveryDir);
    {
        // Another CellForge still running owns the recovery data: do not offer it.
        std::ifstream previous(recoveryDir.toStdString() + "/session.lock");
        long pid = 0;
        if (previous >> pid && pid > 0 && pid != long(QCoreApplication::applicationPid()) && ::kill(pid_t(pid), 0) == 0)
            otherInstanceRunning_ = true;
    }
    std::ofstream(recoveryDir.toStdString() + "/session.lock") << QCoreApplication::applicationPid();
    setTool(Tool::Navigate);
    updateTitle();
    updateUndoActions();
}

MainWindow::~MainWindow() {
    // The panels refer to the session (its queue, registry, cache): stop what runs and
    // delete them while the session still exists; the views go with QWidget's children.
    session_->jobs().cancelAll();
    delete pipelinePanel_;  // waits for a running pipeline to end (cancelled)
    delete stageBrowser_;
    delete jobMonitor_;
    delete layersPanel_;
}

// ---------------------------------------------------------------------------- layout

void MainWindow::buildViews() {
    views_[0] = new SliceView(SliceAxis::XY, link_);
    views_[1] = new SliceView(SliceAxis::XZ, link_);
    views_[2] = new SliceView(SliceAxis::YZ, link_);
    view3D_ = new VolumeView3D(link_);
    // 3dmod's arrangement: XZ above XY (sharing x), YZ beside XY (sharing y).
    rows_ = new QSplitter(Qt::Vertical);
    cols_[0] = new QSplitter(Qt::Horizontal);
    cols_[1] = new QSplitter(Qt::Horizontal);
    cols_[0]->addWidget(views_[1]);
    cols_[0]->addWidget(view3D_);
    cols_[1]->addWidget(views_[0]);
    cols_[1]->addWidget(views_[2]);
    rows_->addWidget(cols_[0]);
    rows_->addWidget(cols_[1]);
    rows_->setStretchFactor(0, 1);
    rows_->setStretchFactor(1, 2);
    for (auto* c : cols_) {
        c->setStretchFactor(0, 2);
        c->setStretchFactor(1, 1);
    }
    // XZ sits above XY and shares its x axis: keep the two columns the same width.
    connect(cols_[0], &QSplitter::splitterMoved, this, [this] { cols_[1]->setSizes(cols_[0]->sizes()); });
    connect(cols_[1], &QSplitter::splitterMoved, this, [this] { cols_[0]->setSizes(cols_[1]->sizes()); });
    setCentralWidget(rows_);
    for (SliceView* v : views_) {
        connect(v, &SliceView::editPressed, this,
                [this](SliceAxis a, Vec3 w, Qt::KeyboardModifiers m) { editTools_->press(a, w, m); });
        connect(v, &SliceView::editDragged, this,
                [this](SliceAxis a, Vec3 w, Qt::KeyboardModifiers m) { editTools_->drag(a, w, m); });
        connect(v, &SliceView::editReleased, this,
                [this](SliceAxis a, Vec3 w, Qt::KeyboardModifiers m) { editTools_->release(a, w, m); });
        connect(v, &SliceView::hovered, this, &MainWindow::onHovered);
        connect(v, &SliceView::windowLevelDragged, this, &MainWindow::onWindowLevelDrag);
        connect(v, &SliceView::windowLevelDragStarted, this, [this] {
            wlLayer_.clear();
            std::string cur = layersPanel_->currentLayer();
            const LayerDisplay* d = session_->display(cur);
            if (!d || (d->style != LayerStyle::Grayscale && d->style != LayerStyle::Probability)) {
                cur.clear();
                for (const auto& l : session_->displays())
                    if (l.style == LayerStyle::Grayscale && l.visible) {
                        cur = l.name;
                        break;
                    }
            }
            wlLayer_ = cur;
        });
    }
}

void MainWindow::buildDocks() {
    auto dock = [&](const QString& title, QWidget* w, Qt::DockWidgetArea area, const char* name) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(w);
        addDockWidget(area, d);
        return d;
    };
    layersPanel_ = new LayersPanel(*session_);
    dock(tr("Layers"), layersPanel_, Qt::LeftDockWidgetArea, "layersDock");
    stageBrowser_ = new StageBrowser(*session_);
    auto* stagesDock = dock(tr("Stages"), stageBrowser_, Qt::RightDockWidgetArea, "stagesDock");
    pipelinePanel_ = new PipelinePanel(*session_);
    auto* pipelineDock = dock(tr("Pipeline"), pipelinePanel_, Qt::RightDockWidgetArea, "pipelineDock");
    tabifyDockWidget(stagesDock, pipelineDock);
    pipelineDock->raise();
    jobMonitor_ = new JobMonitor(session_->jobs());
    auto* jobsDock = dock(tr("Jobs"), jobMonitor_, Qt::BottomDockWidgetArea, "jobsDock");
    tablePanel_ = new TablePanel;
    auto* tableDock = dock(tr("Table"), tablePanel_, Qt::BottomDockWidgetArea, "tableDock");
    tabifyDockWidget(jobsDock, tableDock);
    jobsDock->raise();
    resizeDocks({jobsDock}, {150}, Qt::Vertical);
    resizeDocks({layersPanel_->parentWidget() ? static_cast<QDockWidget*>(layersPanel_->parentWidget()) : jobsDock},
                {300}, Qt::Horizontal);

    connect(layersPanel_, &LayersPanel::currentLayerChanged, this, [this, tableDock](const QString& name) {
        const LayerDisplay* d = session_->display(name.toStdString());
        if (d && d->style == LayerStyle::Labels) setActiveLabelLayer(name.toStdString());
        const Layer* layer = session_->layer(name.toStdString());
        if (layer && layer->data && layer->data->kind() == DataKind::Table) {
            tablePanel_->showTable(std::static_pointer_cast<const Table>(layer->data), name);
            tableDock->raise();
        }
    });
    connect(layersPanel_, &LayersPanel::newLabelLayerRequested, this, [this] {
        try {
            const std::string n = session_->createLabelLayer("labels");
            setActiveLabelLayer(n);
            layersPanel_->setCurrentLayer(n);
        } catch (const std::exception& e) {
            showError(tr("New label layer"), QString::fromStdString(e.what()));
        }
    });
    connect(stageBrowser_, &StageBrowser::jobSubmitted, this,
            [this](int, const QString& name) { statusBar()->showMessage(tr("%1 submitted").arg(name), 4000); });
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open…"), QKeySequence::Open, this, [this] { openDialog(false, false); });
    file->addAction(tr("Open with &voxel size…"), QKeySequence(tr("Ctrl+Shift+O")), this,
                    [this] { openDialog(true, false); });
    file->addAction(tr("Open as &labels…"), this, [this] { openDialog(false, true); });
    recentMenu_ = file->addMenu(tr("Open &recent"));
    rebuildRecentMenu();
    file->addAction(tr("Open &demo"), this, [this] { openDemo(); });
    file->addSeparator();
    file->addAction(tr("Open &project…"), this, [this] {
        if (!maybeSave()) return;
        const QString f = QFileDialog::getOpenFileName(this, tr("Open project"), {},
                                                       tr("CellForge projects (*.cellforge.json *.json)"));
        if (!f.isEmpty()) loadProject(f);
    });
    file->addAction(tr("&Save project"), QKeySequence::Save, this, [this] {
        if (session_->projectPath().empty())
            saveProjectAs();
        else
            saveProject(QString::fromStdString(session_->projectPath()));
    });
    file->addAction(tr("Save project &as…"), QKeySequence::SaveAs, this, [this] { saveProjectAs(); });
    file->addAction(tr("&Export layer…"), QKeySequence(tr("Ctrl+E")), this, [this] {
        const std::string name = layersPanel_->currentLayer();
        const Layer* l = session_->layer(name);
        if (!l || !l->data) return;
        const QString f = QFileDialog::getSaveFileName(this, tr("Export %1").arg(QString::fromStdString(name)),
                                                       QString::fromStdString(safeFileName(name)));
        if (f.isEmpty()) return;
        try {
            const std::string written = io::writeData(f.toStdString(), *l->data);
            statusBar()->showMessage(tr("Wrote %1").arg(QString::fromStdString(written)), 5000);
        } catch (const std::exception& e) {
            showError(tr("Export"), QString::fromStdString(e.what()));
        }
    });
    file->addAction(tr("Export &screenshot (PNG)…"), QKeySequence(tr("Ctrl+Shift+S")), this, [this] {
        const QString f = QFileDialog::getSaveFileName(this, tr("Save screenshot"), "cellforge.png", tr("PNG (*.png)"));
        if (!f.isEmpty()) saveScreenshot(f);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    undoAction_ = edit->addAction(tr("&Undo"), QKeySequence::Undo, this, [this] { undo(); });
    redoAction_ = edit->addAction(tr("&Redo"), this, [this] { redo(); });
    redoAction_->setShortcuts({QKeySequence(tr("Ctrl+Shift+Z")), QKeySequence(tr("Ctrl+Y"))});
    edit->addSeparator();
    edit->addAction(tr("&New label"), QKeySequence(tr("M")), this, [this] { editTools_->newLabel(); });
    edit->addAction(tr("New label &layer"), this, [this] { Q_EMIT layersPanel_->newLabelLayerRequested(); });
    edit->addAction(tr("Larger brush"), QKeySequence(tr("]")), this,
                    [this] { setBrushRadius(editTools_->brushRadius() + 1); });
    edit->addAction(tr("Smaller brush"), QKeySequence(tr("[")), this,
                    [this] { setBrushRadius(std::max(0.5, editTools_->brushRadius() - 1)); });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Four views"), QKeySequence(tr("Ctrl+1")), this, [this] { setLayout4(0); });
    view->addAction(tr("XY view only"), QKeySequence(tr("Ctrl+2")), this, [this] { setLayout4(1); });
    view->addAction(tr("3D view only"), QKeySequence(tr("Ctrl+3")), this, [this] { setLayout4(2); });
    view->addSeparator();
    view->addAction(tr("Fit slices to window"), QKeySequence(tr("Home")), this, [this] {
        const qreal dpr = views_[0]->devicePixelRatioF();
        link_->fitToGrid(views_[0]->width() * dpr, views_[0]->height() * dpr);
    });
    view->addAction(tr("Zoom in"), QKeySequence::ZoomIn, this, [this] { link_->setScale(link_->scale() / 1.25); });
    view->addAction(tr("Zoom out"), QKeySequence::ZoomOut, this, [this] { link_->setScale(link_->scale() * 1.25); });
    auto* cursorAction = view->addAction(tr("Show cursor lines"));
    cursorAction->setCheckable(true);
    cursorAction->setChecked(true);
    connect(cursorAction, &QAction::toggled, this, [this](bool on) {
        for (auto* v : views_) v->setCursorVisible(on);
    });
    QMenu* camera = view->addMenu(tr("3D &camera"));
    const std::pair<QString, VolumeView3D::CameraPreset> presets[] = {
        {tr("Reset"), VolumeView3D::CameraPreset::Reset},   {tr("Top (down z)"), VolumeView3D::CameraPreset::Top},
        {tr("Bottom"), VolumeView3D::CameraPreset::Bottom}, {tr("Front (along y)"), VolumeView3D::CameraPreset::Front},
        {tr("Back"), VolumeView3D::CameraPreset::Back},     {tr("Left (along x)"), VolumeView3D::CameraPreset::Left},
        {tr("Right"), VolumeView3D::CameraPreset::Right}};
    for (const auto& [label, preset] : presets) {
        const auto p = preset;
        camera->addAction(label, this, [this, p] { view3D_->setCameraPreset(p); });
    }
    auto* planes = view->addAction(tr("Slice planes in 3D"));
    planes->setCheckable(true);
    planes->setChecked(true);
    connect(planes, &QAction::toggled, this, [this](bool on) { view3D_->setSlicePlanesVisible(on); });
    view->addAction(tr("Save 3D view as PNG…"), this, [this] {
        const QString f = QFileDialog::getSaveFileName(this, tr("Save 3D view"), "cellforge-3d.png", tr("PNG (*.png)"));
        if (!f.isEmpty()) saveScreenshot(f, view3D_);
    });

    QMenu* tools = menuBar()->addMenu(tr("&Tools"));
    toolGroup_ = new QActionGroup(this);
    // The built-in tools and those of the plugins, all EditingTools (app/gui/tools).
    for (const EditingToolPtr& t : editTools_->tools()) {
        QAction* a = tools->addAction(tr(t->name().c_str()));
        a->setCheckable(true);
        if (!t->shortcut().empty()) a->setShortcut(QKeySequence(QString::fromStdString(t->shortcut())));
        if (!t->icon().empty()) a->setIcon(QIcon::fromTheme(QString::fromStdString(t->icon())));
        a->setObjectName(QString::fromStdString("tool_" + t->id()));
        const std::string id = t->id();
        connect(a, &QAction::triggered, this, [this, id] { setTool(id); });
        toolGroup_->addAction(a);
        toolActions_[id] = a;
    }
    tools->addSeparator();
    brush3DAction_ = tools->addAction(tr("3D brush and fill (sphere)"));
    brush3DAction_->setCheckable(true);
    brush3DAction_->setShortcut(QKeySequence(tr("B")));
    connect(brush3DAction_, &QAction::toggled, this, [this](bool on) { setBrush3D(on); });

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(tr("Run &pipeline"), QKeySequence(tr("Ctrl+R")), this, [this] { pipelinePanel_->run(); });
    run->addAction(tr("Run selected &stage"), QKeySequence(tr("Ctrl+Shift+R")), this, [this] { stageBrowser_->run(); });
    run->addAction(tr("&Cancel all jobs"), QKeySequence(tr("Ctrl+.")), this, [this] {
        pipelinePanel_->cancel();
        session_->jobs().cancelAll();
    });
    run->addAction(tr("Open default pipeline"), this, [this] { loadDefaultPipeline(); });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Plugins…"), this, &MainWindow::showPluginDialog);
    help->addAction(tr("&Keyboard and mouse"), QKeySequence::HelpContents, this, &MainWindow::showShortcuts);
    help->addAction(tr("&About CellForge"), this, [this] {
        QMessageBox::about(this, tr("About CellForge"),
                           tr("CellForge %1\nFrom cryo-electron tomograms to simulation-ready geometry.")
                               .arg(QStringLiteral(CELLFORGE_VERSION)));
    });
}

void MainWindow::buildToolBar() {
    QToolBar* bar = addToolBar(tr("Tools"));
    bar->setObjectName("toolsBar");
    for (const EditingToolPtr& t : editTools_->tools()) bar->addAction(toolActions_.at(t->id()));
    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" Label ")));
    labelSpin_ = new QSpinBox;
    labelSpin_->setObjectName("currentLabel");
    labelSpin_->setRange(0, 65535);
    labelSpin_->setValue(editTools_->currentLabel());
    labelSpin_->setToolTip(tr("Label painted by the brush and fill (0 = background). M: a new label."));
    bar->addWidget(labelSpin_);
    labelSwatch_ = new QLabel;
    labelSwatch_->setFixedSize(18, 18);
    bar->addWidget(labelSwatch_);
    bar->addWidget(new QLabel(tr("  Radius ")));
    radiusSpin_ = new QSpinBox;
    radiusSpin_->setObjectName("brushRadius");
    radiusSpin_->setRange(1, 200);
    radiusSpin_->setSuffix(tr(" vox"));
    radiusSpin_->setValue(int(editTools_->brushRadius()));
    radiusSpin_->setToolTip(tr("Brush radius in voxels ( [ and ] )"));
    bar->addWidget(radiusSpin_);
    bar->addAction(brush3DAction_);
    connect(labelSpin_, &QSpinBox::valueChanged, this, [this](int v) { setCurrentLabel(v); });
    connect(radiusSpin_, &QSpinBox::valueChanged, this, [this](int v) { setBrushRadius(v); });
    bar->addSeparator();
    bar->addAction(undoAction_);
    bar->addAction(redoAction_);
    setCurrentLabel(editTools_->currentLabel());
}

void MainWindow::buildPluginPanels() {
    for (const ContributedPanel& p : session_->plugins().panels()) {
        QWidget* widget = nullptr;
        try {
            widget = p.factory->createPanel(this);
        } catch (const std::exception& e) {
            showError(tr("Plugin panel"),
                      tr("Plugin '%1': panel '%2' failed: %3")
                          .arg(QString::fromStdString(p.pluginId), QString::fromStdString(p.factory->id()), e.what()));
        }
        if (!widget) continue;
        auto* dock = new QDockWidget(QString::fromStdString(p.factory->title()), this);
        dock->setObjectName(QString::fromStdString("panel." + p.factory->id()));
        dock->setWidget(widget);
        const std::string area = p.factory->area();
        addDockWidget(area == "left"     ? Qt::LeftDockWidgetArea
                      : area == "bottom" ? Qt::BottomDockWidgetArea
                                         : Qt::RightDockWidgetArea,
                      dock);
        panelDocks_[p.factory->id()] = dock;
    }
}

QDockWidget* MainWindow::panelDock(const std::string& panelId) const {
    auto it = panelDocks_.find(panelId);
    return it == panelDocks_.end() ? nullptr : it->second;
}

QAction* MainWindow::toolAction(const std::string& toolId) const {
    auto it = toolActions_.find(toolId);
    return it == toolActions_.end() ? nullptr : it->second;
}

void MainWindow::setLayout4(int which) {
    views_[1]->setVisible(which == 0);
    views_[2]->setVisible(which == 0);
    views_[0]->setVisible(which != 2);
    view3D_->setVisible(which != 1);
    cols_[0]->setVisible(which != 1);
    cols_[1]->setVisible(which != 2);
}

// ---------------------------------------------------------------------------- layers → views

void MainWindow::pushLayersToViews() {
    const auto displays = session_->displays();
    for (SliceView* v : views_) v->setLayers(displays);
    view3D_->setLayers(displays);
    editTools_->layersChanged();  // the swatch colour follows the active table
}

void MainWindow::pushLayerDisplay(const QString&) {
    const auto displays = session_->displays();
    for (SliceView* v : views_) v->setLayers(displays);
    view3D_->setLayers(displays);
}

void MainWindow::onVoxelsChanged(const QString& name) {
    for (const LayerDisplay& d : session_->displays())
        if (d.name == name.toStdString())
            for (SliceView* v : views_) v->refreshLayer(d);
    surfaceTimer_->start();  // label surfaces follow once the edits pause
}

void MainWindow::updateReferenceGrid() {
    const Volume* ref = session_->referenceVolume();
    if (!ref) return;
    const std::string key = std::to_string(ref->nx()) + "x" + std::to_string(ref->ny()) + "x" +
                            std::to_string(ref->nz()) + "@" + std::to_string(ref->voxelSize()[0]) + "," +
                            std::to_string(ref->origin()[0]);
    link_->setReferenceGrid(ref->origin(), ref->voxelSize(), ref->dims());
    if (key == lastGridKey_) return;
    lastGridKey_ = key;
    Vec3 c;
    for (int a = 0; a < 3; ++a) c[a] = ref->origin()[a] + (double(ref->dims()[a] / 2) + 0.5) * ref->voxelSize()[a];
    link_->setCursor(c);
    const qreal dpr = views_[0]->devicePixelRatioF();
    link_->fitToGrid(std::max(200, views_[0]->width()) * dpr, std::max(200, views_[0]->height()) * dpr);
}

// ---------------------------------------------------------------------------- files

QString MainWindow::findResourceDir(const QString& sub) {
    QStringList candidates;
    if (qEnvironmentVariableIsSet("CELLFORGE_RESOURCE_DIR"))
        candidates << qEnvironmentVariable("CELLFORGE_RESOURCE_DIR") + "/" + sub;
    const QString exe = QCoreApplication::applicationDirPath();
    candidates << exe + "/../share/cellforge/" + sub << exe + "/../resources/" + sub;
#ifdef CELLFORGE_SOURCE_RESOURCES
    candidates << QStringLiteral(CELLFORGE_SOURCE_RESOURCES) + "/" + sub;
#endif
    for (const QString& c : candidates)
        if (QDir(c).exists() && !QDir(c).entryList(QDir::Files).isEmpty()) return QDir(c).absolutePath();
    return {};
}

bool MainWindow::loadDefaultPipeline() {
    const QString dir = findResourceDir("pipelines");
    if (dir.isEmpty()) return false;
    QDir d(dir);
    QString file;
    for (const char* preferred : {"default.json", "membranes.json"})
        if (file.isEmpty() && d.exists(preferred)) file = d.filePath(preferred);
    if (file.isEmpty()) {
        const QStringList all = d.entryList({"*.json"}, QDir::Files, QDir::Name);
        if (all.isEmpty()) return false;
        file = d.filePath(all.first());
    }
    return pipelinePanel_->openFile(file);
}

bool MainWindow::openDemo() {
    const QString dir = findResourceDir("demo");
    if (dir.isEmpty()) {
        showError(tr("Demo"), tr("The demo data was not found (resources/demo beside the program)."));
        return false;
    }
    QStringList files;
    for (const QFileInfo& f : QDir(dir).entryInfoList(QDir::Files, QDir::Name)) {
        const std::string p = f.absoluteFilePath().toStdString();
        if (io::isVolumeFile(p) || io::isMeshFile(p)) files << f.absoluteFilePath();
    }
    // Tomograms first, so that they set the grid and sit at the bottom.
    std::stable_sort(files.begin(), files.end(),
                     [](const QString& a, const QString& b) { return !looksLikeLabels(a) && looksLikeLabels(b); });
    loadDefaultPipeline();
    return openFiles(files) > 0;
}

int MainWindow::openFiles(const QStringList& paths, std::optional<Vec3> voxelSize, bool asLabels) {
    int queued = 0;
    struct Item {
        QString path;
        bool mesh, labels;
    };
    std::vector<Item> batch;
    for (const QString& rawPath : paths) {
        const QString path = QFileInfo(rawPath).absoluteFilePath();
        const std::string p = path.toStdString();
        if (!QFileInfo::exists(path)) {
            showError(tr("Open"), tr("%1: no such file").arg(rawPath));
            continue;
        }
        if (path.endsWith(".cellforge.json")) {
            loadProject(path);
            continue;
        }
        if (path.endsWith(".json")) {
            // A pipeline (or a project without the usual suffix).
            QFile f(path);
            if (f.open(QIODevice::ReadOnly) && f.readAll().contains("cellforge-project"))
                loadProject(path);
            else
                pipelinePanel_->openFile(path);
            continue;
        }
        const bool mesh = io::isMeshFile(p);
        if (!mesh && !io::isVolumeFile(p)) {
            showError(tr("Open"), tr("%1: not a format CellForge reads (volumes: MRC, TIFF, NRRD, MetaImage, NIfTI; "
                                     "meshes: OBJ, STL, PLY, VTP, VTU, …)")
                                      .arg(rawPath));
            continue;
        }
        const bool labels = asLabels || (!mesh && looksLikeLabels(path));
        batch.push_back({path, mesh, labels});
        ++queued;
    }
    if (batch.empty()) return 0;
    // One background task reads the batch in order, so layers stack as listed.
    ++pendingReads_;
    io::VolumeReadOptions options;
    options.voxelSizeOverride = voxelSize;
    auto* watcher = new QFutureWatcher<std::vector<ReadResult>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        const std::vector<ReadResult> results = watcher->result();
        watcher->deleteLater();
        // Viewing files is not unsaved work; adding them to an open project is.
        const bool keepClean = !session_->isModified() && session_->projectPath().empty();
        for (const ReadResult& r : results) {
            if (!r.error.isEmpty()) {
                showError(tr("Open"), r.error);
                continue;
            }
            const std::string name = QFileInfo(r.path).completeBaseName().toStdString();
            const std::string used = session_->addLayer(r.data, name, r.path.toStdString());
            if (r.data->kind() == DataKind::LabelVolume) setActiveLabelLayer(used);
            addRecentFile(r.path);
            statusBar()->showMessage(tr("Opened %1").arg(r.path), 4000);
            Q_EMIT fileOpened(r.path);
        }
        if (keepClean) session_->setModified(false);
        --pendingReads_;
        if (pendingReads_ == 0) Q_EMIT loadingFinished();
    });
    watcher->setFuture(QtConcurrent::run([batch, options] {
        std::vector<ReadResult> out;
        for (const auto& item : batch) {
            ReadResult r;
            r.path = item.path;
            const std::string p = item.path.toStdString();
            try {
                if (item.mesh) {
                    r.data = std::make_shared<Mesh>(io::readMesh(p));
                } else if (item.labels) {
                    try {
                        r.data = std::make_shared<LabelVolume>(io::readLabelVolume(p, options));
                    } catch (const InputError&) {
                        r.data = std::make_shared<Volume>(io::readVolume(p, options));  // not integer: a volume
                    }
                } else {
                    r.data = std::make_shared<Volume>(io::readVolume(p, options));
                }
            } catch (const std::exception& e) {
                r.error = QString::fromStdString(e.what());
            }
            out.push_back(std::move(r));
        }
        return out;
    }));
    return queued;
}

void MainWindow::openDialog(bool withVoxelSize, bool asLabels) {
    const QString filter =
        tr("All supported (*.mrc *.map *.rec *.st *.ali *.mrcs *.gz *.tif *.tiff *.nrrd *.nhdr *.mha *.mhd *.nii "
           "*.obj *.stl *.ply *.vtp *.vtu *.vtk *.off *.msh *.mesh *.json);;All files (*)");
    const QStringList files =
        QFileDialog::getOpenFileNames(this, tr("Open"), QSettings().value("lastDir").toString(), filter);
    if (files.isEmpty()) return;
    QSettings().setValue("lastDir", QFileInfo(files.first()).absolutePath());
    std::optional<Vec3> vs;
    if (withVoxelSize) {
        QDialog dialog(this);
        dialog.setWindowTitle(tr("Voxel size"));
        auto* form = new QFormLayout(&dialog);
        std::array<QDoubleSpinBox*, 3> boxes{};
        const char* axes[] = {"x", "y", "z"};
        for (int a = 0; a < 3; ++a) {
            boxes[a] = new QDoubleSpinBox;
            boxes[a]->setRange(0.001, 1e6);
            boxes[a]->setDecimals(3);
            boxes[a]->setValue(10.0);
            boxes[a]->setSuffix(" Å");
            form->addRow(tr("Voxel size %1").arg(axes[a]), boxes[a]);
        }
        auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
        form->addRow(buttons);
        connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
        if (dialog.exec() != QDialog::Accepted) return;
        vs = Vec3{boxes[0]->value(), boxes[1]->value(), boxes[2]->value()};
    }
    openFiles(files, vs, asLabels);
}

void MainWindow::addRecentFile(const QString& path) {
    QSettings s;
    QStringList recent = s.value("recentFiles").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > 12) recent.removeLast();
    s.setValue("recentFiles", recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList recent = QSettings().value("recentFiles").toStringList();
    for (const QString& f : recent) recentMenu_->addAction(f, this, [this, f] { openFiles({f}); });
    recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
    if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
    QStringList files;
    for (const QUrl& u : e->mimeData()->urls())
        if (u.isLocalFile()) files << u.toLocalFile();
    if (!files.isEmpty()) openFiles(files);
    e->acceptProposedAction();
}

void MainWindow::showError(const QString& title, const QString& message) {
    lastError_ = message;
    statusBar()->showMessage(message, 10000);
    if (interactive_) QMessageBox::warning(this, title, message);
}

// ---------------------------------------------------------------------------- projects

bool MainWindow::saveProject(const QString& path) {
    try {
        ProjectManifest m;
        m.cursor = link_->cursor();
        m.activeLabelLayer = editTools_->activeLabelLayer();
        if (!pipelinePanel_->filePath().isEmpty())
            m.pipelineFile = QFileInfo(path).absoluteDir().relativeFilePath(pipelinePanel_->filePath()).toStdString();
        std::vector<ProjectLayerSource> sources;
        for (const LayerDisplay& d : session_->displays()) {
            const Layer* l = session_->layer(d.name);
            sources.push_back({d, l ? l->sourcePath : std::string(), session_->layerDirty(d.name)});
        }
        // Layers left out when the project was opened stay in it, unread.
        const ProjectSaveResult r = cellforge::saveProject(path.toStdString(), m, sources, leftOutLayers_);
        std::size_t k = 0;
        for (const LayerDisplay& d : session_->displays()) {
            if (d.style == LayerStyle::Points) continue;
            if (k < r.layerPaths.size()) session_->setLayerClean(d.name, r.layerPaths[k++]);
        }
        session_->setProjectPath(path.toStdString());
        session_->setModified(false);
        addRecentFile(path);
        statusBar()->showMessage(tr("Saved project %1").arg(path), 5000);
        updateTitle();
        return true;
    } catch (const std::exception& e) {
        showError(tr("Save project"), QString::fromStdString(e.what()));
        return false;
    }
}

bool MainWindow::saveProjectAs() {
    QString f = QFileDialog::getSaveFileName(this, tr("Save project"), "project.cellforge.json",
                                             tr("CellForge projects (*.cellforge.json)"));
    if (f.isEmpty()) return false;
    if (!f.endsWith(".cellforge.json")) f += ".cellforge.json";
    return saveProject(f);
}

bool MainWindow::loadProject(const QString& path) { return loadProject(path, false); }

OutsideLayerAnswer MainWindow::askAboutOutsideLayers(const QString& path,
                                                     const std::vector<OutsideProjectLayer>& layers) {
    lastOutsideLayers_ = layers;
    if (!interactive_) return outsideLayerAnswer_;
    QString list;
    for (const OutsideProjectLayer& l : layers)
        list +=
            QStringLiteral("\n  %1: %2").arg(QString::fromStdString(l.name), QString::fromStdString(l.absolutePath));
    QMessageBox box(QMessageBox::Warning, tr("Files outside the project"),
                    tr("The project %1 names %n layer file(s) outside its folder:%2\n\nOpen them? Only do so if "
                       "you trust whoever made this project file.",
                       nullptr, int(layers.size()))
                        .arg(path, list),
                    QMessageBox::NoButton, this);
    QPushButton* open = box.addButton(tr("Open them"), QMessageBox::AcceptRole);
    box.setDefaultButton(box.addButton(tr("Leave them out"), QMessageBox::RejectRole));
    box.exec();
    return box.clickedButton() == open ? OutsideLayerAnswer::Open : OutsideLayerAnswer::LeaveOut;
}

bool MainWindow::loadProject(const QString& path, bool trusted) {
    session_->jobs().cancelAll();
    session_->clear();
    editTools_->clearHistory();
    lastGridKey_.clear();
    lastOutsideLayers_.clear();
    leftOutLayers_.clear();
    try {
        std::vector<ProjectLayer> leftOut;
        const ProjectManifest m = cellforge::loadProject(
            path.toStdString(),
            [this](LayerDisplay d, const std::string& abs) { session_->addLayerWithDisplay(std::move(d), abs, false); },
            [&](const std::vector<OutsideProjectLayer>& layers) {
                return trusted ? OutsideLayerAnswer::Open : askAboutOutsideLayers(path, layers);
            },
            &leftOut);
        session_->setProjectPath(path.toStdString());
        session_->setModified(false);
        if (!leftOut.empty())
            statusBar()->showMessage(tr("%n layer(s) outside the project folder left out (kept in the project file)",
                                        nullptr, int(leftOut.size())),
                                     10000);
        leftOutLayers_ = std::move(leftOut);
        link_->setCursor(m.cursor);
        if (!m.activeLabelLayer.empty()) setActiveLabelLayer(m.activeLabelLayer);
        if (!m.pipelineFile.empty())
            pipelinePanel_->openFile(
                QFileInfo(path).absoluteDir().absoluteFilePath(QString::fromStdString(m.pipelineFile)));
        addRecentFile(path);
        updateTitle();
        return true;
    } catch (const std::exception& e) {
        showError(tr("Open project"), QString::fromStdString(e.what()));
        return false;
    }
}

QString MainWindow::recoveryManifestPath() const {
    const QString base = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    return base + "/recovery/recovery.cellforge.json";
}

QString MainWindow::autosaveNow(bool wait) {
    if (!session_->isModified() || autosaving_) return {};
    const QString path = recoveryManifestPath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    ProjectManifest m;
    m.name = "recovery";
    m.cursor = link_->cursor();
    m.activeLabelLayer = editTools_->activeLabelLayer();
    std::vector<ProjectLayerSource> sources;
    for (LayerDisplay d : session_->displays()) {
        const Layer* l = session_->layer(d.name);
        const bool dirty = session_->layerDirty(d.name);
        // Label layers change in place while the user paints: write a snapshot.
        if (dirty && d.data && d.data->kind() == DataKind::LabelVolume)
            d.data = std::make_shared<LabelVolume>(static_cast<const LabelVolume&>(*d.data).deepCopyLabels());
        sources.push_back({d, l ? l->sourcePath : std::string(), dirty});
    }
    auto write = [path, m, sources]() -> QString {
        try {
            cellforge::saveProject(path.toStdString(), m, sources);
            return {};
        } catch (const std::exception& e) {
            return QString::fromStdString(e.what());
        }
    };
    auto report = [this](const QString& error) {
        if (error.isEmpty())
            statusBar()->showMessage(tr("Autosaved"), 2000);
        else
            statusBar()->showMessage(tr("Autosave failed: %1").arg(error), 8000);
    };
    if (wait) {
        const QString error = write();
        report(error);
        return error.isEmpty() ? path : QString();
    }
    autosaving_ = true;
    auto* watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, report] {
        autosaving_ = false;
        report(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run(write));
    return path;
}

bool MainWindow::recoverFrom(const QString& manifestPath) {
    if (!loadProject(manifestPath, true)) return false;
    // Layers read from the recovery folder must be written out on the next save: the
    // folder goes away when the program closes.
    const QString recoveryDir = QFileInfo(manifestPath).absolutePath();
    for (const std::string& name : session_->layerNames()) {
        const Layer* l = session_->layer(name);
        if (l && QString::fromStdString(l->sourcePath).startsWith(recoveryDir)) session_->markDirty(name);
    }
    // A recovered session is unsaved work: it belongs to no project file yet.
    session_->setProjectPath({});
    session_->setModified(true);
    updateTitle();
    return true;
}

bool MainWindow::checkForRecovery() {
    const QString manifest = recoveryManifestPath();
    if (!QFileInfo::exists(manifest)) return false;
    if (otherInstanceRunning_ || !interactive_) return false;
    const auto answer =
        QMessageBox::question(this, tr("Recover unsaved work?"),
                              tr("CellForge did not close normally last time. Recover the work autosaved at %1?")
                                  .arg(QFileInfo(manifest).lastModified().toString()),
                              QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    if (answer == QMessageBox::Yes) return recoverFrom(manifest);
    QDir(QFileInfo(manifest).absolutePath()).removeRecursively();
    QDir().mkpath(QFileInfo(manifest).absolutePath());
    return false;
}

bool MainWindow::maybeSave() {
    if (!session_->isModified() || !interactive_) return true;
    const auto answer =
        QMessageBox::warning(this, tr("Unsaved changes"), tr("The project has unsaved changes. Save them?"),
                             QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Cancel) return false;
    if (answer == QMessageBox::Save) {
        if (session_->projectPath().empty()) return saveProjectAs();
        return saveProject(QString::fromStdString(session_->projectPath()));
    }
    return true;
}

void MainWindow::closeEvent(QCloseEvent* e) {
    if (!maybeSave()) {
        e->ignore();
        return;
    }
    pipelinePanel_->cancel();
    session_->jobs().cancelAll();
    // A clean exit: the recovery data is no longer needed.
    QDir(QFileInfo(recoveryManifestPath()).absolutePath()).removeRecursively();
    e->accept();
}

void MainWindow::updateTitle() {
    QString name = session_->projectPath().empty()
                       ? tr("untitled")
                       : QFileInfo(QString::fromStdString(session_->projectPath())).fileName();
    setWindowTitle(QStringLiteral("%1%2 — CellForge").arg(name, session_->isModified() ? "*" : ""));
}

// ---------------------------------------------------------------------------- tools

void MainWindow::setTool(Tool tool) { setTool(kBuiltinToolIds[int(tool)]); }

bool MainWindow::setTool(const std::string& toolId) { return editTools_->setTool(toolId); }

MainWindow::Tool MainWindow::tool() const {
    for (int i = 0; i < int(std::size(kBuiltinToolIds)); ++i)
        if (editTools_->toolId() == kBuiltinToolIds[i]) return Tool(i);
    return Tool::Navigate;
}

std::string MainWindow::toolId() const { return editTools_->toolId(); }

void MainWindow::onToolChanged() {
    const std::string id = editTools_->toolId();
    if (QAction* a = toolAction(id)) a->setChecked(true);
    const bool scoped = id == "brush" || id == "eraser" || id == "fill";
    statusTool_->setText(tr("%1%2").arg(tr(editTools_->tool().name().c_str()),
                                        scoped ? (editTools_->brush3D() ? tr(" (3D)") : tr(" (2D)")) : QString()));
}

void MainWindow::setCurrentLabel(int label) { editTools_->setCurrentLabel(label); }

int MainWindow::currentLabel() const { return editTools_->currentLabel(); }

void MainWindow::onCurrentLabelChanged(int label) {
    if (labelSpin_ && labelSpin_->value() != label) {
        const QSignalBlocker b(labelSpin_);
        labelSpin_->setValue(label);
    }
    std::array<std::uint8_t, 3> c = LabelTable::defaultColor(LabelId(label));
    if (const Layer* l = session_->layer(editTools_->activeLabelLayer()))
        if (l->data && l->data->kind() == DataKind::LabelVolume)
            if (const LabelEntry* e = static_cast<const LabelVolume&>(*l->data).table().find(LabelId(label)))
                c = e->color;
    if (labelSwatch_)
        labelSwatch_->setStyleSheet(
            label == 0
                ? QStringLiteral("border:1px solid gray;")
                : QStringLiteral("background: rgb(%1,%2,%3); border:1px solid gray;").arg(c[0]).arg(c[1]).arg(c[2]));
}

void MainWindow::setBrushRadius(double voxels) { editTools_->setBrushRadius(voxels); }

void MainWindow::setBrush3D(bool on) { editTools_->setBrush3D(on); }

std::string MainWindow::activeLabelLayer() const { return editTools_->activeLabelLayer(); }

void MainWindow::setActiveLabelLayer(const std::string& name) { editTools_->setActiveLabelLayer(name); }

std::array<double, 3> MainWindow::toVoxel(const Volume& v, const Vec3& w) const {
    return {(w[0] - v.origin()[0]) / v.voxelSize()[0], (w[1] - v.origin()[1]) / v.voxelSize()[1],
            (w[2] - v.origin()[2]) / v.voxelSize()[2]};
}

bool MainWindow::undo() { return editTools_->undo(); }

bool MainWindow::redo() { return editTools_->redo(); }

void MainWindow::updateUndoActions() {
    const QString u = editTools_->undoText(), r = editTools_->redoText();
    undoAction_->setEnabled(editTools_->canUndo());
    redoAction_->setEnabled(editTools_->canRedo());
    undoAction_->setText(u.isEmpty() ? tr("&Undo") : tr("&Undo %1").arg(u));
    redoAction_->setText(r.isEmpty() ? tr("&Redo") : tr("&Redo %1").arg(r));
}

void MainWindow::onHovered(Vec3 world) {
    QString text;
    const Volume* ref = session_->referenceVolume();
    if (!ref) return;
    const auto c = toVoxel(*ref, world);
    const std::int64_t x = std::int64_t(std::floor(c[0])), y = std::int64_t(std::floor(c[1])),
                       z = std::int64_t(std::floor(c[2]));
    if (x < 0 || y < 0 || z < 0 || x >= ref->nx() || y >= ref->ny() || z >= ref->nz()) {
        statusPosition_->clear();
        return;
    }
    text = tr("x %1  y %2  z %3   (%4, %5, %6 Å)")
               .arg(x + 1)
               .arg(y + 1)
               .arg(z + 1)
               .arg(world[0], 0, 'f', 1)
               .arg(world[1], 0, 'f', 1)
               .arg(world[2], 0, 'f', 1);
    for (const LayerDisplay& d : session_->displays()) {
        if (!d.visible || !d.data) continue;
        if (d.style != LayerStyle::Grayscale && d.style != LayerStyle::Labels && d.style != LayerStyle::Probability)
            continue;
        const auto& v = static_cast<const Volume&>(*d.data);
        const auto vc = toVoxel(v, world);
        const std::int64_t vx = std::int64_t(std::floor(vc[0])), vy = std::int64_t(std::floor(vc[1])),
                           vz = std::int64_t(std::floor(vc[2]));
        if (vx < 0 || vy < 0 || vz < 0 || vx >= v.nx() || vy >= v.ny() || vz >= v.nz()) continue;
        if (d.style == LayerStyle::Labels) {
            const auto& lv = static_cast<const LabelVolume&>(v);
            const LabelId id = lv.labelAt(vx, vy, vz);
            const LabelEntry* e = lv.table().find(id);
            text += tr("   %1: %2%3")
                        .arg(QString::fromStdString(d.name))
                        .arg(id)
                        .arg(e && !e->name.empty() ? " (" + QString::fromStdString(e->name) + ")" : QString());
        } else {
            text += tr("   %1: %2").arg(QString::fromStdString(d.name)).arg(v.valueAt(vx, vy, vz), 0, 'g', 5);
        }
    }
    statusPosition_->setText(text);
}

void MainWindow::onWindowLevelDrag(double dx, double dy) {
    const LayerDisplay* d = session_->display(wlLayer_);
    const Layer* l = session_->layer(wlLayer_);
    if (!d || !l) return;
    LayerDisplay nd = *d;
    nd.visible = l->visible;
    nd.opacity = l->opacity;
    // Right to widen the window (less contrast), up to raise the level (darker).
    const double width = std::max(1e-9, d->high - d->low);
    const double centre = 0.5 * (d->high + d->low) - dy * width;
    const double newWidth = width * std::exp(2.0 * dx);
    nd.low = centre - 0.5 * newWidth;
    nd.high = centre + 0.5 * newWidth;
    session_->setDisplay(wlLayer_, nd);
}

// ---------------------------------------------------------------------------- dialogs

void MainWindow::showPluginDialog() {
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Plugins"));
    dialog.resize(900, 400);
    auto* layout = new QVBoxLayout(&dialog);
    auto* table = new QTableWidget(0, 5);
    table->setObjectName("pluginTable");
    table->setHorizontalHeaderLabels({tr("Plugin"), tr("Version"), tr("Status"), tr("Stages / reason"), tr("File")});
    table->horizontalHeader()->setSectionResizeMode(3, QHeaderView::Stretch);
    table->verticalHeader()->hide();
    for (const PluginRecord& r : session_->pluginRecords()) {
        const int row = table->rowCount();
        table->insertRow(row);
        table->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(r.name.empty() ? r.id : r.name)));
        table->setItem(row, 1, new QTableWidgetItem(QString::fromStdString(r.version)));
        auto* status = new QTableWidgetItem(r.loaded ? tr("loaded") : tr("refused"));
        status->setForeground(r.loaded ? QColor(80, 170, 90) : QColor(220, 70, 60));
        table->setItem(row, 2, status);
        QString detail;
        if (r.loaded) {
            QStringList ids;
            for (const auto& s : r.stageIds) ids << QString::fromStdString(s);
            for (const auto& f : r.fileFormats) ids << tr("format %1").arg(QString::fromStdString(f));
            for (const auto& t : r.editingTools) ids << tr("tool %1").arg(QString::fromStdString(t));
            for (const auto& p : r.panels) ids << tr("panel %1").arg(QString::fromStdString(p));
            if (!r.guiRefusal.empty()) ids << tr("GUI module: %1").arg(QString::fromStdString(r.guiRefusal));
            detail = ids.join(", ");
        } else {
            detail = QString::fromStdString(r.refusal);
        }
        table->setItem(row, 3, new QTableWidgetItem(detail));
        table->item(row, 3)->setToolTip(detail);
        table->setItem(row, 4, new QTableWidgetItem(QString::fromStdString(r.file)));
    }
    layout->addWidget(table);
    QStringList paths;
    for (const auto& p : PluginLoader::defaultSearchPaths()) paths << QString::fromStdString(p);
    auto* where = new QLabel(tr("Searched: %1").arg(paths.join("; ")));
    where->setWordWrap(true);
    layout->addWidget(where);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.exec();
}

void MainWindow::showShortcuts() {
    QMessageBox::information(
        this, tr("Keyboard and mouse"),
        tr("<b>Slices</b>: wheel or ↑/↓ (PageUp/PageDown) = next/previous slice, Shift = 10 slices; "
           "Ctrl+wheel = zoom at the mouse; +/− zoom; middle drag = pan; right drag = window (←→) and level (↑↓); "
           "left click = move the linked cursor (Alt+click in an edit tool too). Home = fit.<br>"
           "<b>Tools</b> (as in napari): Z navigate, P brush, E eraser, F fill, L pick label, M new label, "
           "[ ] brush size, B 3D brush/fill; C select, X delete, G merge (two clicks), K split component. "
           "Shift while painting keeps other labels.<br>"
           "<b>Edit</b>: Ctrl+Z undo, Ctrl+Shift+Z / Ctrl+Y redo.<br>"
           "<b>Run</b>: Ctrl+R pipeline, Ctrl+Shift+R selected stage, Ctrl+. cancel all.<br>"
           "<b>Views</b>: Ctrl+1 four views, Ctrl+2 XY only, Ctrl+3 3D only. 3D: left drag rotate, "
           "middle pan, right/wheel zoom."));
}

QImage MainWindow::grabWindowImage() {
    // QWidget::grab renders QOpenGLWidgets through their framebuffers.
    return grab().toImage();
}

bool MainWindow::saveScreenshot(const QString& path, QWidget* what) {
    QImage image;
    if (auto* vtk = qobject_cast<VtkWidget*>(what))
        image = vtk->renderToImage();
    else
        image = (what ? what->grab() : grab()).toImage();
    const QString tmp = path + ".part";
    if (image.isNull() || !image.save(tmp, "PNG")) {
        QFile::remove(tmp);
        showError(tr("Screenshot"), tr("%1: could not write the PNG").arg(path));
        return false;
    }
    QFile::remove(path);
    if (!QFile::rename(tmp, path)) {
        showError(tr("Screenshot"), tr("%1: could not write the PNG").arg(path));
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(path), 4000);
    return true;
}

SliceView* MainWindow::sliceView(SliceAxis axis) const {
    switch (axis) {
        case SliceAxis::XY:
            return views_[0];
        case SliceAxis::XZ:
            return views_[1];
        case SliceAxis::YZ:
            return views_[2];
    }
    return views_[0];
}

}  // namespace cellforge
