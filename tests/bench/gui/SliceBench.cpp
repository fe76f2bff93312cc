// Benchmark of the desktop program (the figures):
//  1. time to show a new slice (cut from the volume, upload, render) in the XY view of a
//     1024 x 1024 x 300 float32 tomogram with a label overlay, median over many slices,
//     in software GL under Xvfb (goal: 20 ms or less), beside VTK's own image-slice path
//     (vtkImageSliceMapper on the same buffer, as vtkImageViewer2 does) as the peer;
//  2. memory after opening that tomogram from an MRC file (goal: 1.3 x its data size).
// Run by run_bench.sh under xvfb-run; not a test.
#include <iostream>

#include "app/gui/MainWindow.h"
#include "app/render/SliceView.h"
#include "app/render/VolumeView3D.h"
#include "core/data/VtkView.h"
#include "core/io/VolumeIO.h"

#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkLookupTable.h>
#include <vtkRenderer.h>
#include <vtkCamera.h>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using namespace cellforge;

namespace {
double statusMiB(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) return std::stod(line.substr(std::strlen(key))) / 1024.0;  // kB
    return 0;
}
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}
double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}
void waitIdle(MainWindow& w) {
    while (w.isLoading() || w.view3D()->busy()) QTest::qWait(50);
    QTest::qWait(200);
}
}  // namespace

int main(int argc, char** argv) {
    VtkWidget::setDefaultSurfaceFormat();
    QApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QApplication app(argc, argv);
    QApplication::setApplicationName("CellForgeBench");
    Index3 dims{1024, 1024, 300};
    int slices = 100;
    QString workdir = QDir::tempPath() + "/cellforge-bench";
    bool keep = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--dims" && i + 1 < argc) {
            std::sscanf(argv[++i], "%ld,%ld,%ld", &dims[0], &dims[1], &dims[2]);
        } else if (a == "--slices" && i + 1 < argc) {
            slices = std::atoi(argv[++i]);
        } else if (a == "--workdir" && i + 1 < argc) {
            workdir = argv[++i];
        } else if (a == "--keep") {
            keep = true;
        } else {
            std::fprintf(stderr, "usage: %s [--dims NX,NY,NZ] [--slices N] [--workdir DIR] [--keep]\n", argv[0]);
            return 2;
        }
    }
    QDir().mkpath(workdir);
    const std::string tomoPath = (workdir + "/bench_tomogram.mrc").toStdString();
    const std::string labelPath = (workdir + "/bench_labels.mrc").toStdString();
    const double dataMiB = double(dims[0]) * dims[1] * dims[2] * 4 / (1024.0 * 1024.0);
    {
        // Noise plus dense slabs, and labels on the slabs: written once, then freed.
        Volume tomo(dims, ScalarType::Float32);
        tomo.setVoxelSize({8, 8, 8});
        LabelVolume labels(dims);
        labels.setVoxelSize({8, 8, 8});
        float* p = tomo.data<float>();
        LabelId* l = labels.labels();
        std::uint32_t s = 2463534242u;
        for (std::int64_t z = 0; z < dims[2]; ++z)
            for (std::int64_t y = 0; y < dims[1]; ++y)
                for (std::int64_t x = 0; x < dims[0]; ++x) {
                    s ^= s << 13;
                    s ^= s >> 17;
                    s ^= s << 5;
                    const bool membrane = ((x + 2 * y + 3 * z) / 7) % 40 == 0;
                    const std::int64_t i = tomo.index(x, y, z);
                    p[i] = float(s & 0xffff) / 65535.0f - (membrane ? 0.8f : 0.0f);
                    l[i] = membrane ? 2 : ((x / 64 + y / 64 + z / 32) % 11 == 0 ? LabelId(3 + (x / 64) % 5) : 0);
                }
        io::writeVolume(tomoPath, tomo);
        io::writeVolume(labelPath, labels);
    }

    MainWindow window;
    window.setInteractive(false);
    window.resize(1600, 1000);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window)) {
        std::cerr << "the window was never shown (no display?)\n";
        return 1;
    }
    QTest::qWait(300);
    const double baseMiB = statusMiB("VmRSS:");

    QElapsedTimer openTimer;
    openTimer.start();
    window.openFiles({QString::fromStdString(tomoPath)});
    waitIdle(window);
    const double openSeconds = openTimer.elapsed() / 1000.0;
    const double afterOpenMiB = statusMiB("VmRSS:");
    const double peakOpenMiB = statusMiB("VmHWM:");

    window.openFiles({QString::fromStdString(labelPath)});
    waitIdle(window);
    const double afterLabelsMiB = statusMiB("VmRSS:");

    SliceView* xy = window.sliceView(SliceAxis::XY);
    xy->setFinishEachFrame(true);
    SliceViewLink& link = window.link();
    std::vector<double> showMs, cutMs, allViewsMs, renderMs, composeMs;
    link.step(2, -int(dims[2]));  // first slice
    QTest::qWait(100);
    for (int k = 0; k < slices; ++k) {
        QElapsedTimer t;
        t.start();
        link.step(2, (k / int(dims[2] - 1)) % 2 == 0 ? 1 : -1);  // a new slice each time
        xy->renderNow();  // upload and render into the view's framebuffer, synchronously
        showMs.push_back(double(t.nsecsElapsed()) / 1e6);
        cutMs.push_back(xy->lastSliceMilliseconds());
        renderMs.push_back(xy->lastRenderMilliseconds());
        QElapsedTimer c;
        c.start();
        xy->repaint();  // Qt paints the widget again and composes the window on screen
        composeMs.push_back(double(c.nsecsElapsed()) / 1e6);
        QApplication::processEvents();  // the other views follow (crosshair, 3D planes)
        allViewsMs.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    // Qt's composition alone: nothing else dirty, the XY view repainted with no new slice.
    std::vector<double> composeOnlyMs;
    for (int k = 0; k < 10; ++k) {
        QTest::qWait(150);
        QElapsedTimer t;
        t.start();
        xy->repaint();
        composeOnlyMs.push_back(double(t.nsecsElapsed()) / 1e6 - xy->lastRenderMilliseconds());
    }
    const QSize viewPx = xy->size() * xy->devicePixelRatioF();
    const QImage shot = xy->renderToImage();
    shot.save(workdir + "/bench_xy.png");

    // Peer: VTK's own path on the same buffers (no copy), as vtkImageViewer2 does it.
    std::vector<double> peerMs;
    {
        const auto tomo = std::dynamic_pointer_cast<const Volume>(window.session().layer("bench_tomogram")->data);
        const auto labels = std::dynamic_pointer_cast<const LabelVolume>(window.session().layer("bench_labels")->data);
        VtkWidget peer;
        peer.resize(xy->size());
        peer.setFinishEachFrame(true);
        peer.show();
        if (!QTest::qWaitForWindowExposed(&peer)) {
            std::cerr << "the peer window was never shown (no display?)\n";
            return 1;
        }
        const LayerDisplay* d = window.session().display("bench_tomogram");
        auto tomoMapper = vtkSmartPointer<vtkImageSliceMapper>::New();
        tomoMapper->SetInputData(vtkImageView(*tomo));
        tomoMapper->SetOrientationToZ();
        auto tomoSlice = vtkSmartPointer<vtkImageSlice>::New();
        tomoSlice->SetMapper(tomoMapper);
        tomoSlice->GetProperty()->SetColorWindow(d->high - d->low);
        tomoSlice->GetProperty()->SetColorLevel(0.5 * (d->high + d->low));
        tomoSlice->GetProperty()->SetInterpolationTypeToNearest();
        auto lut = vtkSmartPointer<vtkLookupTable>::New();
        lut->SetNumberOfTableValues(65536);
        lut->SetTableRange(0, 65535);
        for (int i = 0; i < 65536; ++i) {
            const auto c = LabelTable::defaultColor(LabelId(i));
            lut->SetTableValue(i, c[0] / 255.0, c[1] / 255.0, c[2] / 255.0, i == 0 ? 0.0 : 1.0);
        }
        lut->Build();
        auto labelMapper = vtkSmartPointer<vtkImageSliceMapper>::New();
        labelMapper->SetInputData(vtkImageView(*labels));
        labelMapper->SetOrientationToZ();
        auto labelSlice = vtkSmartPointer<vtkImageSlice>::New();
        labelSlice->SetMapper(labelMapper);
        labelSlice->GetProperty()->SetLookupTable(lut);
        labelSlice->GetProperty()->UseLookupTableScalarRangeOn();
        labelSlice->GetProperty()->SetInterpolationTypeToNearest();
        labelSlice->GetProperty()->SetOpacity(0.5);
        peer.renderer()->AddViewProp(tomoSlice);
        peer.renderer()->AddViewProp(labelSlice);
        peer.renderer()->GetActiveCamera()->ParallelProjectionOn();
        peer.renderer()->ResetCamera();
        peer.repaint();
        for (int k = 0; k < slices; ++k) {
            const int z = 1 + k % int(dims[2] - 1);
            QElapsedTimer t;
            t.start();
            tomoMapper->SetSliceNumber(z);
            labelMapper->SetSliceNumber(z);
            peer.renderNow();
            peerMs.push_back(double(t.nsecsElapsed()) / 1e6);
        }
        peer.renderToImage().save(workdir + "/bench_peer.png");
    }

    std::printf("CellForge GUI benchmark, %ldx%ldx%ld float32 tomogram + uint16 labels, XY view %dx%d px, %d slices\n",
                dims[0], dims[1], dims[2], viewPx.width(), viewPx.height(), slices);
    std::printf("show a new slice (cut + upload + render, XY view): median %.1f ms, p90 %.1f ms (goal <= 20 ms)\n",
                median(showMs), percentile(showMs, 0.9));
    std::printf("  of which cutting both layers' slices: median %.2f ms\n", median(cutMs));
    std::printf("  of which VTK render + blit (GPU finished): median %.1f ms\n", median(renderMs));
    std::printf("  Qt's repaint and composition of the window on screen, after that: median %.1f ms\n",
                median(composeMs));
    std::printf("  with the XZ, YZ and 3D views following: median %.1f ms\n", median(allViewsMs));
    std::printf("  Qt's composition of the window alone (no other view dirty): median %.1f ms\n",
                median(composeOnlyMs));
    std::printf("peer vtkImageSliceMapper (VTK's image-viewer path, same buffers): median %.1f ms, p90 %.1f ms\n",
                median(peerMs), percentile(peerMs, 0.9));
    std::printf("ratio peer / CellForge: %.2f\n", median(peerMs) / std::max(1e-9, median(showMs)));
    std::printf(
        "memory: program before opening %.0f MiB; after opening the tomogram %.0f MiB (peak %.0f MiB), "
        "opened in %.1f s\n",
        baseMiB, afterOpenMiB, peakOpenMiB, openSeconds);
    std::printf(
        "tomogram data %.0f MiB: resident after opening / data = %.2f (goal <= 1.3); added by opening / data = %.2f\n",
        dataMiB, afterOpenMiB / dataMiB, (afterOpenMiB - baseMiB) / dataMiB);
    std::printf("after also opening the labels (%.0f MiB of data): %.0f MiB\n", dataMiB / 2, afterLabelsMiB);
    if (!keep) {
        QFile::remove(QString::fromStdString(tomoPath));
        QFile::remove(QString::fromStdString(labelPath));
    }
    return 0;
}
