// cellforge: the desktop program.
//   cellforge [FILE...] [--demo] [--pipeline JSON] [--voxel-size Å] [--labels FILE...]
//             [--screenshot PNG]
#include "app/gui/MainWindow.h"
#include "app/gui/PipelinePanel.h"
#include "app/render/VolumeView3D.h"
#include "app/render/VtkWidget.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>

int main(int argc, char** argv) {
    // VTK needs an OpenGL 3.2 core context: the default format must be set before the
    // application object exists (STACK.md, the Qt 6 + VTK bridge).
    cellforge::VtkWidget::setDefaultSurfaceFormat();
    QApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QApplication app(argc, argv);
    QApplication::setApplicationName("CellForge");
    QApplication::setOrganizationName("CellForge");
    QApplication::setApplicationVersion(QStringLiteral(CELLFORGE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription("CellForge: cryo-electron tomograms to simulation-ready geometry.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("files", "Volumes, label volumes, meshes, projects or pipelines to open.",
                                 "[FILE...]");
    QCommandLineOption demo("demo", "Open the bundled demo data with the default pipeline.");
    QCommandLineOption voxel("voxel-size", "Voxel size override in Å for the volumes opened.", "Å");
    QCommandLineOption labels("labels", "Open FILE as a label volume.", "FILE");
    QCommandLineOption shot("screenshot", "Save a PNG of the window once everything is shown, then quit.", "PNG");
    QCommandLineOption noRecovery("no-recovery", "Do not offer to recover an autosave.");
    QCommandLineOption pipeline("pipeline", "Open this pipeline in the pipeline panel (default: the shipped one).",
                                "JSON");
    parser.addOptions({demo, voxel, labels, shot, noRecovery, pipeline});
    parser.process(app);

    cellforge::MainWindow window;
    const bool scripted = parser.isSet(shot);
    window.setInteractive(!scripted);
    window.show();
    if (!parser.isSet(noRecovery) && !scripted) window.checkForRecovery();

    std::optional<std::array<double, 3>> voxelSize;
    if (parser.isSet(voxel)) {
        bool ok = false;
        const double v = parser.value(voxel).toDouble(&ok);
        if (!ok || !(v > 0)) {
            std::fprintf(stderr, "cellforge: --voxel-size must be a positive number of Å, got '%s'\n",
                         qPrintable(parser.value(voxel)));
            return 2;
        }
        voxelSize = std::array<double, 3>{v, v, v};
    }
    if (parser.isSet(demo))
        window.openDemo();
    else if (!parser.isSet(pipeline))
        window.loadDefaultPipeline();
    if (parser.isSet(pipeline) && !window.pipelinePanel()->openFile(parser.value(pipeline)))
        std::fprintf(stderr, "cellforge: %s\n", qPrintable(window.pipelinePanel()->lastError()));
    window.openFiles(parser.positionalArguments(), voxelSize);
    if (parser.isSet(labels)) window.openFiles(parser.values(labels), voxelSize, true);

    if (scripted) {
        const QString path = parser.value(shot);
        auto finish = [&window, path] {
            const bool ok = window.saveScreenshot(path);
            if (!window.lastError().isEmpty()) std::fprintf(stderr, "cellforge: %s\n", qPrintable(window.lastError()));
            QApplication::exit(ok ? 0 : 1);
        };
        auto* poll = new QTimer(&window);
        QObject::connect(poll, &QTimer::timeout, &window, [&window, poll, finish] {
            if (window.isLoading() || window.view3D()->busy()) return;
            poll->stop();
            QTimer::singleShot(800, &window, finish);  // let the views and 3D surfaces settle
        });
        poll->start(100);
    }
    return app.exec();
}
