// The main window as a user drives it, under Xvfb: open data, scroll, paint then undo
// and redo, run a stage and cancel a job, run a pipeline twice (cached the second
// time), save and reopen a project (asking about layers outside its folder), autosave and recovery, and a screenshot
// that shows the tomogram and the overlay. Screenshots are kept in test-artifacts/gui.
#include "GuiTestUtil.h"

#include "app/gui/JobMonitor.h"
#include "app/gui/LayersPanel.h"
#include "app/gui/MainWindow.h"
#include "app/gui/TablePanel.h"
#include "core/data/Table.h"
#include "app/gui/ParameterForm.h"
#include "app/gui/PipelinePanel.h"
#include "app/gui/StageBrowser.h"
#include "app/render/SliceView.h"
#include "app/render/VolumeView3D.h"
#include "core/base/Errors.h"
#include "core/io/VolumeIO.h"
#include "core/jobs/JobContext.h"

#include <QApplication>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <thread>

using namespace cellforge;
using namespace cellforge::testutil;

namespace {
// A stage the test controls: inverts a volume slowly, reporting progress and honouring
// cancellation, like a real filter.
class SlowInvertStage : public Stage {
public:
    StageInfo info() const override {
        StageInfo i;
        i.id = "test.slow_invert";
        i.name = "Slow invert";
        i.group = "Testing";
        i.description = "Negates every voxel, taking `seconds` to do it.";
        i.inputs = {{"image", DataKind::Volume, false, "the volume"}};
        i.outputs = {{"image", DataKind::Volume, false, "the negated volume"}};
        i.parameters = {ParameterSpec::real("seconds", 0.2, 0.0, 600.0, "s", "how long to take")};
        return i;
    }
    PortData run(const PortData& inputs, const ParameterValues& params, JobContext& ctx) const override {
        const auto in = dataAs<Volume>(inputs.at("image"), "image");
        const int steps = 50;
        const auto pause = std::chrono::duration<double>(params.getFloat("seconds") / steps);
        for (int k = 0; k < steps; ++k) {
            ctx.throwIfCancelled();
            std::this_thread::sleep_for(pause);
            ctx.setProgress(double(k + 1) / steps, "step " + std::to_string(k + 1));
        }
        auto out = std::make_shared<Volume>(in->toFloat32());
        for (std::int64_t i = 0; i < out->voxelCount(); ++i) out->data<float>()[i] = -out->data<float>()[i];
        return {{"image", out}};
    }
};

std::int64_t countNonZero(const LabelVolume& v) {
    std::int64_t n = 0;
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) n += v.labels()[i] != 0;
    return n;
}

const LabelVolume* labelsOf(MainWindow& w, const std::string& name) {
    const Layer* l = w.session().layer(name);
    return l ? dynamic_cast<const LabelVolume*>(l->data.get()) : nullptr;
}
}  // namespace

class MainWindowTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void opensFilesAndShowsTomogramAndOverlay();
    void changesHowAVolumeIsShown();
    void scrollsWithWheelAndKeys();
    void paintsThenUndoesAndRedoes();
    void runsAStageAndCancelsAJob();
    void runsAPipelineAndCachesIt();
    void runsARealPluginStage();
    void savesAndReopensAProject();
    void asksAboutProjectLayersOutsideItsFolder();
    void autosavesAndRecovers();
    void opensTheDemoWithTheDefaultPipeline();
    void plotsATableLayer();
    void cleanupTestCase();

private:
    void openTestData(MainWindow& w);
    QTemporaryDir dir_;
    QString tomoPath_, labelsPath_;
    std::unique_ptr<MainWindow> window_;
};

void MainWindowTest::initTestCase() {
    QVERIFY(dir_.isValid());
    auto tomo = makeTomogram({96, 80, 40});
    auto labels = makeLabels(*tomo);
    tomoPath_ = dir_.filePath("tomogram.mrc");
    labelsPath_ = dir_.filePath("tomogram_labels.mrc");
    io::writeVolume(tomoPath_.toStdString(), *tomo);
    io::writeVolume(labelsPath_.toStdString(), *labels);
    window_ = std::make_unique<MainWindow>();
    window_->setInteractive(false);
    window_->session().registerStage(std::make_shared<SlowInvertStage>(), "test");
    window_->stageBrowser()->rebuild();
    window_->resize(1500, 950);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    // Window shortcuts (Ctrl+Z, ...) need the window to be the active one.
    window_->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));
}

void MainWindowTest::openTestData(MainWindow& w) {
    QCOMPARE(w.openFiles({tomoPath_, labelsPath_}), 2);
    QTRY_VERIFY_WITH_TIMEOUT(!w.isLoading(), 30000);
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
}

void MainWindowTest::opensFilesAndShowsTomogramAndOverlay() {
    MainWindow& w = *window_;
    openTestData(w);
    const auto names = w.session().layerNames();
    QCOMPARE(int(names.size()), 2);
    QCOMPARE(QString::fromStdString(names[0]), QStringLiteral("tomogram"));
    QCOMPARE(w.session().display("tomogram_labels")->style, LayerStyle::Labels);
    QVERIFY(!w.session().isModified());  // viewing files is not unsaved work
    QCOMPARE(QString::fromStdString(w.activeLabelLayer()), QStringLiteral("tomogram_labels"));
    // The cursor starts in the middle of the tomogram.
    QCOMPARE(w.link().cursorVoxel()[2], std::int64_t(20));
    QTRY_VERIFY_WITH_TIMEOUT(!w.view3D()->busy(), 60000);
    QTest::qWait(300);
    const QImage shot = w.grabWindowImage();
    shot.save(artifactPath("main_window.png"));
    QVERIFY(shot.width() > 1000);
    QVERIFY2(distinctGreys(shot) > 60, "the tomogram is not visible in the window");
    const auto c2 = LabelTable::semanticDefault().find(2)->color;
    QVERIFY2(fractionNear(shot, qRgb(c2[0], c2[1], c2[2]), 10) > 0.001, "the label overlay is not visible");
    const QImage xy = w.sliceView(SliceAxis::XY)->renderToImage();
    xy.save(artifactPath("main_window_xy.png"));
    QVERIFY(distinctGreys(xy) > 60);
    // Unreadable input is refused with a message naming the file, and nothing crashes.
    const QString bad = dir_.filePath("broken.mrc");
    std::ofstream(bad.toStdString()) << "not an MRC file";
    w.openFiles({bad});
    QTRY_VERIFY_WITH_TIMEOUT(!w.isLoading(), 10000);
    QVERIFY(w.lastError().contains("broken.mrc"));
    QCOMPARE(int(w.session().layerNames().size()), 2);
}

void MainWindowTest::changesHowAVolumeIsShown() {
    MainWindow& w = *window_;
    SliceView* xy = w.sliceView(SliceAxis::XY);
    const int greysBefore = distinctGreys(xy->renderToImage());
    w.session().changeStyle("tomogram", LayerStyle::Probability);
    QCOMPARE(w.session().display("tomogram")->style, LayerStyle::Probability);
    const QImage prob = xy->renderToImage();
    prob.save(artifactPath("tomogram_as_probability.png"));
    QVERIFY(distinctGreys(prob) < greysBefore / 2);  // a colour map with a threshold, not grey
    // Float data with fractions cannot become labels: refused, naming the layer.
    try {
        w.session().changeStyle("tomogram", LayerStyle::Labels);
        QFAIL("expected InputError");
    } catch (const InputError& e) {
        QVERIFY(QString(e.what()).contains("tomogram"));
    }
    w.session().changeStyle("tomogram", LayerStyle::Grayscale);
    QVERIFY(distinctGreys(xy->renderToImage()) > 60);
    w.session().setModified(false);
}

void MainWindowTest::scrollsWithWheelAndKeys() {
    MainWindow& w = *window_;
    SliceView* xy = w.sliceView(SliceAxis::XY);
    const auto start = w.link().cursorVoxel();
    const QImage before = xy->renderToImage();
    QWheelEvent wheel(QPointF(50, 50), xy->mapToGlobal(QPointF(50, 50)), QPoint(), QPoint(0, 3 * 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(xy, &wheel);
    QCOMPARE(w.link().cursorVoxel()[2], start[2] + 3);
    QVERIFY(xy->renderToImage() != before);
    xy->setFocus();
    QTest::keyClick(xy, Qt::Key_PageDown);
    QCOMPARE(w.link().cursorVoxel()[2], start[2] + 2);
    QTest::keyClick(xy, Qt::Key_Down, Qt::ShiftModifier);
    QCOMPARE(w.link().cursorVoxel()[2], start[2] - 8);
    // Scrolling past the end stops at the last slice.
    for (int i = 0; i < 10; ++i) QTest::keyClick(xy, Qt::Key_PageUp, Qt::ShiftModifier);
    QCOMPARE(w.link().cursorVoxel()[2], std::int64_t(39));
    // The XZ view scrolls along y and the XY cursor line follows (linked cursor).
    SliceView* xz = w.sliceView(SliceAxis::XZ);
    const auto y0 = w.link().cursorVoxel()[1];
    QWheelEvent wheel2(QPointF(50, 50), xz->mapToGlobal(QPointF(50, 50)), QPoint(), QPoint(0, -120), Qt::NoButton,
                       Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(xz, &wheel2);
    QCOMPARE(w.link().cursorVoxel()[1], y0 - 1);
    // Ctrl+wheel zooms all slice views together.
    const double scale = w.link().scale();
    QWheelEvent zoom(QPointF(80, 80), xy->mapToGlobal(QPointF(80, 80)), QPoint(), QPoint(0, 120), Qt::NoButton,
                     Qt::ControlModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(xy, &zoom);
    QVERIFY(w.link().scale() < scale);
    QTest::keyClick(&w, Qt::Key_Home);  // fit again
    w.link().step(2, -19);              // back to the middle slice
    QCOMPARE(w.link().cursorVoxel()[2], std::int64_t(20));
}

void MainWindowTest::paintsThenUndoesAndRedoes() {
    MainWindow& w = *window_;
    const std::string name = w.activeLabelLayer();
    const LabelVolume* labels = labelsOf(w, name);
    QVERIFY(labels);
    const std::int64_t before = countNonZero(*labels);
    w.setTool(MainWindow::Tool::Brush);
    w.setCurrentLabel(5);
    w.setBrushRadius(3);
    SliceView* xy = w.sliceView(SliceAxis::XY);
    // A stroke across the middle of the XY view, as a mouse drag.
    const QPoint a(xy->width() / 2 - 40, xy->height() / 2 + 30), b(xy->width() / 2 + 40, xy->height() / 2 + 30);
    QTest::mousePress(xy, Qt::LeftButton, {}, a);
    for (int k = 1; k <= 8; ++k) {
        const QPointF p = a + (b - a) * (k / 8.0);
        QMouseEvent move(QEvent::MouseMove, p, xy->mapToGlobal(p), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(xy, &move);
    }
    QTest::mouseRelease(xy, Qt::LeftButton, {}, b);
    labels = labelsOf(w, name);
    const std::int64_t painted = countNonZero(*labels);
    QVERIFY2(painted > before + 50, qPrintable(QString("painted %1 voxels").arg(painted - before)));
    // Painted on the current slice only (2D brush).
    const std::int64_t z = w.link().cursorVoxel()[2];
    std::int64_t label5 = 0, label5Here = 0;
    for (std::int64_t i = 0; i < labels->voxelCount(); ++i)
        if (labels->labels()[i] == 5) {
            ++label5;
            label5Here += (i / (labels->nx() * labels->ny())) == z;
        }
    QVERIFY(label5 > 0);
    QCOMPARE(label5Here, label5);
    const QImage paintedShot = xy->renderToImage();
    paintedShot.save(artifactPath("paint_stroke.png"));

    QCOMPARE(int(w.session().undoStack(name).undoCount()), 1);  // one stroke, one undo step
    // Undo with the keyboard shortcut, redo with the menu's other shortcut.
    QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(countNonZero(*labelsOf(w, name)), before);
    QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(countNonZero(*labelsOf(w, name)), painted);
    QVERIFY(w.undo());
    QVERIFY(w.redo());
    QCOMPARE(countNonZero(*labelsOf(w, name)), painted);

    // Fill (2D) inside the ring, then undo it.
    w.setTool(MainWindow::Tool::Fill);
    w.setCurrentLabel(7);
    QTest::mouseClick(xy, Qt::LeftButton, {}, QPoint(xy->width() / 2 + 3, xy->height() / 2 - 5));
    const std::int64_t filled = countNonZero(*labelsOf(w, name));
    QVERIFY(filled > painted + 100);
    QVERIFY(w.undo());
    QCOMPARE(countNonZero(*labelsOf(w, name)), painted);
    // Picker reads the label under the mouse.
    w.setTool(MainWindow::Tool::Picker);
    QTest::mouseClick(xy, Qt::LeftButton, {}, a + QPoint(20, 0));
    QCOMPARE(w.currentLabel(), 5);
    w.setTool(MainWindow::Tool::Navigate);
    QVERIFY(w.session().isModified());
}

void MainWindowTest::runsAStageAndCancelsAJob() {
    MainWindow& w = *window_;
    StageBrowser* browser = w.stageBrowser();
    QVERIFY(browser->selectStage("test.slow_invert"));
    QVERIFY(browser->setInput("image", "tomogram"));
    auto* seconds = qobject_cast<QDoubleSpinBox*>(browser->form()->editorFor("seconds"));
    QVERIFY(seconds);
    QCOMPARE(seconds->suffix(), QStringLiteral(" s"));  // units from the schema
    seconds->setValue(0.3);
    const int layersBefore = int(w.session().layerNames().size());
    const int job = browser->run();
    QVERIFY2(job > 0, qPrintable(browser->lastError()));
    QTRY_COMPARE_WITH_TIMEOUT(int(w.session().layerNames().size()), layersBefore + 1, 30000);
    QCOMPARE(w.jobMonitor()->stateText(job), QStringLiteral("completed"));
    // The result is a tomogram: it goes below the label overlay, not over it.
    const auto names = w.session().layerNames();
    QCOMPARE(QString::fromStdString(names.back()), QStringLiteral("tomogram_labels"));
    QCOMPARE(QString::fromStdString(names[names.size() - 2]), QStringLiteral("Slow invert image"));

    // A long job: the window keeps responding while it runs, and Cancel stops it.
    seconds->setValue(120);
    const int slow = browser->run();
    QVERIFY(slow > 0);
    QTRY_COMPARE_WITH_TIMEOUT(w.jobMonitor()->stateText(slow), QStringLiteral("running"), 10000);
    QElapsedTimer t;
    t.start();
    QTest::qWait(200);  // the event loop runs: the GUI is not frozen
    w.link().step(2, 1);
    QVERIFY(t.elapsed() < 2000);
    w.jobMonitor()->cancelJob(slow);
    QTRY_COMPARE_WITH_TIMEOUT(w.jobMonitor()->stateText(slow), QStringLiteral("cancelled"), 10000);
    QTest::qWait(100);
    QCOMPARE(int(w.session().layerNames().size()), layersBefore + 1);  // nothing added
    w.grabWindowImage().save(artifactPath("job_monitor.png"));
    // A layer that does not exist cannot be chosen, and the previous choice stays.
    QVERIFY(!browser->setInput("image", "no such layer"));
    // A LabelVolume layer is accepted where a Volume is expected, and runs.
    seconds->setValue(0.1);
    QVERIFY(browser->setInput("image", "tomogram_labels"));
    QVERIFY(browser->run() > 0);
    QTRY_COMPARE_WITH_TIMEOUT(int(w.session().layerNames().size()), layersBefore + 2, 30000);
    QVERIFY(w.session().removeLayer("Slow invert image"));
    QVERIFY(w.session().removeLayer("Slow invert image (2)"));
}

void MainWindowTest::runsAPipelineAndCachesIt() {
    MainWindow& w = *window_;
    const QString path = dir_.filePath("invert_twice.json");
    std::ofstream(path.toStdString()) << R"({
      "name": "invert twice",
      "inputs": { "tomogram": "Volume" },
      "stages": [
        { "id": "first", "stage": "test.slow_invert", "inputs": { "image": "$tomogram" }, "params": { "seconds": 0.2 } },
        { "id": "second", "stage": "test.slow_invert", "inputs": { "image": "first.image" }, "params": { "seconds": 0.2 } }
      ],
      "outputs": { "restored.mrc": "second.image" }
    })";
    PipelinePanel* panel = w.pipelinePanel();
    QVERIFY2(panel->openFile(path), qPrintable(panel->lastError()));
    QVERIFY(panel->setInput("tomogram", "tomogram"));
    const int before = int(w.session().layerNames().size());
    QVERIFY2(panel->run(), qPrintable(panel->lastError()));
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 30000);
    QCOMPARE(panel->stageStatus("second"), QStringLiteral("completed"));
    QCOMPARE(int(w.session().layerNames().size()), before + 1);
    const Layer* out = w.session().layer("invert twice: restored");
    QVERIFY(out);
    const auto& restored = static_cast<const Volume&>(*out->data);
    const auto& tomo = static_cast<const Volume&>(*w.session().layer("tomogram")->data);
    QCOMPARE(restored.valueAt(7, 9, 11), tomo.valueAt(7, 9, 11));  // inverted twice
    const int executed = panel->executedStageCount();
    QCOMPARE(executed, 2);
    // Change the second stage's parameter in its form: only the second runs again.
    QVERIFY(panel->selectStage("second"));
    auto* seconds = qobject_cast<QDoubleSpinBox*>(panel->form()->editorFor("seconds"));
    QVERIFY(seconds);
    seconds->setValue(0.25);
    QVERIFY(panel->run());
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 30000);
    QCOMPARE(panel->executedStageCount(), executed + 1);
    QCOMPARE(panel->stageStatus("first"), QStringLiteral("cached"));
    // Saved pipelines keep the edit.
    const QString saved = dir_.filePath("saved_pipeline.json");
    QVERIFY(panel->saveFile(saved));
    std::ifstream in(saved.toStdString());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    QVERIFY(text.find("0.25") != std::string::npos);
    for (const auto& n : w.session().layerNames())
        if (n.rfind("invert twice", 0) == 0) w.session().removeLayer(n);
    QCOMPARE(int(w.session().layerNames().size()), before);
}

// With the filters plugin built (CELLFORGE_PLUGIN_PATH), its Gaussian stage runs from
// the browser like any user would run it: form from its schema, input from the layers.
void MainWindowTest::runsARealPluginStage() {
    MainWindow& w = *window_;
    if (!w.session().registry().find("filters.gaussian")) QSKIP("the filters plugin is not built in this tree");
    StageBrowser* browser = w.stageBrowser();
    QVERIFY(browser->selectStage("filters.gaussian"));
    QVERIFY(browser->setInput("image", "tomogram"));
    auto* sigma = qobject_cast<QDoubleSpinBox*>(browser->form()->editorFor("sigma"));
    QVERIFY(sigma);
    QCOMPARE(sigma->suffix(), QStringLiteral(" voxels"));
    QCOMPARE(sigma->maximum(), 100.0);
    sigma->setValue(2.0);
    if (auto* dock = w.findChild<QDockWidget*>("stagesDock")) dock->raise();
    QTest::qWait(50);
    w.grabWindowImage().save(artifactPath("stage_browser.png"));
    const int before = int(w.session().layerNames().size());
    const int job = browser->run();
    QVERIFY2(job > 0, qPrintable(browser->lastError()));
    QTRY_COMPARE_WITH_TIMEOUT(int(w.session().layerNames().size()), before + 1, 60000);
    QVERIFY(w.session().layer("Gaussian smoothing image"));
    const auto& smooth = static_cast<const Volume&>(*w.session().layer("Gaussian smoothing image")->data);
    const auto& tomo = static_cast<const Volume&>(*w.session().layer("tomogram")->data);
    // Smoothing lowers the noise: the smoothed slice varies less than the original.
    auto spread = [](const Volume& v) {
        double s = 0, s2 = 0;
        const std::int64_t z = v.nz() / 2, n = v.nx() * v.ny();
        for (std::int64_t y = 0; y < v.ny(); ++y)
            for (std::int64_t x = 0; x < v.nx(); ++x) {
                const double a = v.valueAt(x, y, z);
                s += a;
                s2 += a * a;
            }
        return s2 / double(n) - (s / double(n)) * (s / double(n));
    };
    QVERIFY(spread(smooth) < 0.5 * spread(tomo));
    QVERIFY(w.session().removeLayer("Gaussian smoothing image"));
}

void MainWindowTest::savesAndReopensAProject() {
    MainWindow& w = *window_;
    const std::string name = w.activeLabelLayer();
    const std::int64_t painted = countNonZero(*labelsOf(w, name));
    LayerDisplay d = *w.session().display("tomogram");
    d.colorMap = "inverted gray";
    d.low = -0.75;
    w.session().setDisplay("tomogram", d);
    const QString project = dir_.filePath("cell.cellforge.json");
    QVERIFY2(w.saveProject(project), qPrintable(w.lastError()));
    QVERIFY(!w.session().isModified());
    QVERIFY(QFile::exists(dir_.filePath("cell_data")));  // the edited labels were written there

    MainWindow other;
    other.setInteractive(false);
    other.show();
    QVERIFY(other.loadProject(project));
    QCOMPARE(int(other.session().layerNames().size()), 2);
    QCOMPARE(other.session().display("tomogram")->colorMap, std::string("inverted gray"));
    QCOMPARE(other.session().display("tomogram")->low, -0.75);
    const LabelVolume* reopened = labelsOf(other, name);
    QVERIFY(reopened);
    QCOMPARE(countNonZero(*reopened), painted);
    QCOMPARE(other.link().cursorVoxel(), w.link().cursorVoxel());
    QVERIFY(!other.session().isModified());
    other.grabWindowImage().save(artifactPath("reopened_project.png"));
}

void MainWindowTest::asksAboutProjectLayersOutsideItsFolder() {
    // A project file from someone else names a file outside its folder.
    QDir(dir_.path()).mkpath("shared");
    const QString project = dir_.filePath("shared/from-a-colleague.cellforge.json");
    std::ofstream(project.toStdString()) << R"({"format":"cellforge-project","version":1,"layers":[
        {"name":"tomogram","kind":"Volume","file":"../tomogram.mrc"}]})";
    MainWindow other;
    other.setInteractive(false);  // the question is answered by setOutsideLayerAnswer, no dialog
    QVERIFY(other.loadProject(project));
    QCOMPARE(int(other.lastOutsideLayers().size()), 1);
    QCOMPARE(other.lastOutsideLayers()[0].name, std::string("tomogram"));
    QVERIFY(other.session().layerNames().empty());  // not followed without a yes
    other.setOutsideLayerAnswer(OutsideLayerAnswer::Open);
    QVERIFY(other.loadProject(project));
    QCOMPARE(int(other.session().layerNames().size()), 1);
}

void MainWindowTest::autosavesAndRecovers() {
    MainWindow& w = *window_;
    QVERIFY(w.autosaveNow().isEmpty());  // nothing unsaved: nothing written
    // Paint once more so there is unsaved work.
    LabelVolume* labels = w.session().editableLabels(w.activeLabelLayer());
    labels->labels()[labels->index(1, 1, 1)] = 9;
    w.session().voxelsChanged(w.activeLabelLayer());
    const QString manifest = w.autosaveNow();
    QVERIFY(!manifest.isEmpty());
    QVERIFY(QFile::exists(manifest));
    MainWindow other;
    other.setInteractive(false);
    other.show();
    QVERIFY(other.recoverFrom(manifest));
    QVERIFY(other.session().isModified());                      // recovered work still needs saving
    QVERIFY(other.session().layerDirty(w.activeLabelLayer()));  // its file is in the recovery folder
    const LabelVolume* back = labelsOf(other, w.activeLabelLayer());
    QVERIFY(back);
    QCOMPARE(int(back->labelAt(1, 1, 1)), 9);
    // A clean exit removes the recovery data, so the next start offers nothing.
    w.close();
    QVERIFY(!QFile::exists(manifest));
}

void MainWindowTest::opensTheDemoWithTheDefaultPipeline() {
    if (MainWindow::findResourceDir("demo").isEmpty()) QSKIP("no demo data in resources/demo yet");
    MainWindow w;
    w.setInteractive(false);
    w.show();
    QVERIFY(w.openDemo());
    QTRY_VERIFY_WITH_TIMEOUT(!w.isLoading(), 60000);
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    QVERIFY(!w.session().layerNames().empty());
    if (!MainWindow::findResourceDir("pipelines").isEmpty()) QVERIFY(!w.pipelinePanel()->pipeline().stages.empty());
    QTest::qWait(500);
    w.grabWindowImage().save(artifactPath("demo_window.png"));
}

void MainWindowTest::plotsATableLayer() {
    MainWindow& w = *window_;
    // A per-slice Dice table as metrics.overlap writes it: one series per class.
    auto table = std::make_shared<Table>(std::vector<std::string>{"slice", "class", "dice", "voxels_labels"});
    for (int z = 0; z < 20; ++z) {
        table->addRow({double(z), 1.0, 0.5 + 0.01 * z, 100.0});
        table->addRow({double(z), 2.0, 0.8 - 0.01 * z, 200.0});
    }
    const std::string name = w.session().addLayer(table, "dice_per_slice");
    w.layersPanel()->setCurrentLayer(name);
    const QStringList series = w.tablePanel()->seriesNames();
    QCOMPARE(series, (QStringList{"dice (class 1)", "dice (class 2)"}));
    QTest::qWait(100);
    w.tablePanel()->grab().save(artifactPath("table_panel.png"));
    w.session().removeLayer(name);
}

void MainWindowTest::cleanupTestCase() { window_.reset(); }

int main(int argc, char** argv) {
    VtkWidget::setDefaultSurfaceFormat();
    QApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QApplication app(argc, argv);
    QApplication::setApplicationName("CellForgeTest");
    MainWindowTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "MainWindowTest.moc"
