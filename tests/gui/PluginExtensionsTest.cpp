// Plugins' editing tools and panels in the main window, loaded through the real
// PluginLoader from the test plugins of core/plugin/tests/fixtures/extensions: the
// tool is on the toolbar, a click with it changes labels as one undoable step, and the
// panel from the plugin's GUI module is a dock of the window. Screenshot kept in
// test-artifacts/gui/plugin_extensions.png.
#include "GuiTestUtil.h"
#include "app/gui/MainWindow.h"
#include "app/render/SliceView.h"
#include "core/io/VolumeIO.h"

#include <QApplication>
#include <QDockWidget>
#include <QPlainTextEdit>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>

using namespace cellforge;
using namespace cellforge::testutil;

namespace {
std::int64_t countLabel(const LabelVolume& v, LabelId id) {
    std::int64_t n = 0;
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) n += v.labels()[i] == id;
    return n;
}
}  // namespace

class PluginExtensionsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void thePluginToolIsOnTheToolbarAndEditsUndoably();
    void thePluginPanelIsADock();
    void cleanupTestCase() { window_.reset(); }

private:
    QTemporaryDir dir_;
    std::unique_ptr<MainWindow> window_;
};

void PluginExtensionsTest::initTestCase() {
    const QByteArray path = QByteArray(CELLFORGE_TEST_PLUGIN_DIR "/extensions:") + qgetenv("CELLFORGE_PLUGIN_PATH");
    qputenv("CELLFORGE_PLUGIN_PATH", path);
    auto tomo = makeTomogram({64, 48, 16});
    io::writeVolume(dir_.filePath("tomogram.mrc").toStdString(), *tomo);
    io::writeVolume(dir_.filePath("tomogram_labels.mrc").toStdString(), *makeLabels(*tomo));
    window_ = std::make_unique<MainWindow>();
    window_->setInteractive(false);
    window_->resize(1500, 950);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QCOMPARE(window_->openFiles({dir_.filePath("tomogram.mrc"), dir_.filePath("tomogram_labels.mrc")}), 2);
    QTRY_VERIFY_WITH_TIMEOUT(!window_->isLoading(), 30000);
    QVERIFY2(window_->lastError().isEmpty(), qPrintable(window_->lastError()));
}

void PluginExtensionsTest::thePluginToolIsOnTheToolbarAndEditsUndoably() {
    MainWindow& w = *window_;
    QAction* action = w.toolAction("stamp.cross");
    QVERIFY2(action, "the plugin's tool has no action");
    QCOMPARE(action->text(), QStringLiteral("Stamp cross"));
    auto* bar = w.findChild<QToolBar*>("toolsBar");
    QVERIFY(bar);
    QVERIFY(bar->actions().contains(action));

    const std::string name = w.activeLabelLayer();
    QCOMPARE(QString::fromStdString(name), QStringLiteral("tomogram_labels"));
    const auto* labels = dynamic_cast<const LabelVolume*>(w.session().layer(name)->data.get());
    QVERIFY(labels);
    const std::int64_t before = countLabel(*labels, 9);
    QCOMPARE(before, std::int64_t(0));

    action->trigger();  // as a click on the toolbar button
    QCOMPARE(QString::fromStdString(w.toolId()), QStringLiteral("stamp.cross"));
    w.setCurrentLabel(9);
    SliceView* xy = w.sliceView(SliceAxis::XY);
    QTest::mouseClick(xy, Qt::LeftButton, {}, QPoint(xy->width() / 2, xy->height() / 2));
    labels = dynamic_cast<const LabelVolume*>(w.session().layer(name)->data.get());
    QCOMPARE(countLabel(*labels, 9), std::int64_t(5));  // the cross: centre and four neighbours
    QCOMPARE(int(w.session().undoStack(name).undoCount()), 1);
    QCOMPARE(QString::fromStdString(w.session().undoStack(name).undoText()), QStringLiteral("Stamp cross"));
    QVERIFY(w.undo());
    QCOMPARE(countLabel(*labels, 9), std::int64_t(0));
    QVERIFY(w.redo());
    QCOMPARE(countLabel(*labels, 9), std::int64_t(5));
    // The built-in tools still work beside it.
    w.setTool(MainWindow::Tool::Navigate);
    QCOMPARE(QString::fromStdString(w.toolId()), QStringLiteral("navigate"));
}

void PluginExtensionsTest::thePluginPanelIsADock() {
    MainWindow& w = *window_;
    QDockWidget* dock = w.panelDock("notes");
    QVERIFY2(dock, "the plugin's panel is not a dock");
    QCOMPARE(dock->objectName(), QStringLiteral("panel.notes"));
    QCOMPARE(dock->windowTitle(), QStringLiteral("Notes"));
    QCOMPARE(w.dockWidgetArea(dock), Qt::LeftDockWidgetArea);
    QVERIFY(dock->isVisible());
    auto* text = dock->findChild<QPlainTextEdit*>("notesText");
    QVERIFY(text);
    text->setPlainText("a membrane bridge to check at z 8");
    QTest::qWait(200);
    QVERIFY(w.grab().save(artifactPath("plugin_extensions.png")));
}

int main(int argc, char** argv) {
    VtkWidget::setDefaultSurfaceFormat();
    QApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QApplication app(argc, argv);
    QApplication::setApplicationName("CellForgeExtensionsTest");
    PluginExtensionsTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "PluginExtensionsTest.moc"
