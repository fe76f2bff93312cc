// The Qt 6 <-> VTK bridge and the views, under Xvfb: a cone renders (not black), a
// slice view shows a tomogram with its label overlay the right way up, and scrolling
// changes the slice. Screenshots are kept in test-artifacts/gui.
#include "GuiTestUtil.h"

#include "app/render/SliceView.h"
#include "app/render/VolumeView3D.h"
#include "app/render/VtkWidget.h"

#include <vtkActor.h>
#include <vtkConeSource.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>

#include <QApplication>
#include <QSet>
#include <QTest>

using namespace cellforge;
using namespace cellforge::testutil;

class RenderTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void coneRendersThroughTheBridge();
    void sliceViewShowsTomogramAndOverlay();
    void view3DRendersVolumeAndSurfaces();
};

void RenderTest::coneRendersThroughTheBridge() {
    VtkWidget w;
    w.resize(320, 240);
    auto cone = vtkSmartPointer<vtkConeSource>::New();
    cone->SetResolution(32);
    auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
    mapper->SetInputConnection(cone->GetOutputPort());
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    actor->GetProperty()->SetColor(1.0, 0.5, 0.1);
    w.renderer()->AddActor(actor);
    w.renderer()->SetBackground(0.1, 0.2, 0.4);
    w.renderer()->ResetCamera();
    w.enableInteractor();
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QImage image = w.renderToImage();
    QVERIFY(!image.isNull());
    image.save(artifactPath("bridge_cone.png"));
    // Background (0.1, 0.2, 0.4) and an orange-ish cone must both be there: not black.
    QVERIFY2(fractionNear(image, qRgb(26, 51, 102), 3) > 0.3, "background colour missing");
    int orange = 0;
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) {
            const QRgb c = img.pixel(x, y);
            if (qRed(c) > 2 * qBlue(c) + 20 && qRed(c) > 60) ++orange;
        }
    QVERIFY2(orange > img.width() * img.height() / 50, "the cone is not visible");
    // A mouse drag rotates the camera: the picture changes.
    QTest::mousePress(&w, Qt::LeftButton, {}, QPoint(160, 120));
    QMouseEvent move(QEvent::MouseMove, QPointF(220, 140), QPointF(220, 140), QPointF(220, 140), Qt::NoButton,
                     Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &move);
    QTest::mouseRelease(&w, Qt::LeftButton, {}, QPoint(220, 140));
    const QImage rotated = w.renderToImage();
    rotated.save(artifactPath("bridge_cone_rotated.png"));
    QVERIFY(rotated != image);
}

void RenderTest::sliceViewShowsTomogramAndOverlay() {
    auto tomo = makeTomogram();
    auto labels = makeLabels(*tomo);
    SliceViewLink link;
    link.setReferenceGrid(tomo->origin(), tomo->voxelSize(), tomo->dims());
    SliceView view(SliceAxis::XY, &link);
    view.resize(480, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    link.setCursor({480, 400, 200});  // the middle (Å)
    link.fitToGrid(480 * view.devicePixelRatioF(), 400 * view.devicePixelRatioF());
    LayerDisplay t;
    t.name = "tomogram";
    t.data = tomo;
    t.low = -1.0;
    t.high = 1.0;
    LayerDisplay l;
    l.name = "labels";
    l.data = labels;
    l.style = LayerStyle::Labels;
    l.fillOpacity = 0.5;
    view.setLayers({t, l});
    const QImage image = view.renderToImage();
    image.save(artifactPath("slice_xy_overlay.png"));
    QVERIFY2(distinctGreys(image) > 40, "the tomogram's grey levels are missing");
    // The membrane label's outline is drawn in its own colour (opaque).
    const auto c2 = LabelTable::semanticDefault().find(2)->color;
    QVERIFY2(fractionNear(image, qRgb(c2[0], c2[1], c2[2]), 10) > 0.002, "label outline colour missing");
    // The block of label 1 is at small x and small y: bottom-left of the picture (3dmod's way up).
    const auto c1 = LabelTable::semanticDefault().find(1)->color;
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    const QImage bottomLeft = img.copy(0, img.height() / 2, img.width() / 2, img.height() / 2);
    const QImage topLeft = img.copy(0, 0, img.width() / 2, img.height() / 2);
    QVERIFY2(fractionNear(bottomLeft, qRgb(c1[0], c1[1], c1[2]), 12) > 0.002, "label 1 not at the bottom left");
    QCOMPARE(fractionNear(topLeft, qRgb(c1[0], c1[1], c1[2]), 12), 0.0);

    // Outlines only: the label colour shrinks to the edges, the interior shows grey.
    l.labelFill = false;
    view.setLayers({t, l});
    const QImage outlines = view.renderToImage();
    outlines.save(artifactPath("slice_xy_outlines.png"));
    // Inside the label-1 block the tomogram's own grey shows again (no tint).
    auto greyShare = [](const QImage& im) {
        const QImage q = im.convertToFormat(QImage::Format_RGB32);
        // Well inside the block of label 1 (x < 16, y < 13 voxels of 96 x 80).
        const QImage corner = q.copy(q.width() * 5 / 100, q.height() * 87 / 100, q.width() / 10, q.height() * 8 / 100);
        int n = 0;
        for (int y = 0; y < corner.height(); ++y)
            for (int x = 0; x < corner.width(); ++x) {
                const QRgb c = corner.pixel(x, y);
                n += qRed(c) == qGreen(c) && qGreen(c) == qBlue(c);
            }
        return double(n) / (corner.width() * corner.height());
    };
    QVERIFY2(greyShare(image) < 0.2, "filled label 1 should tint the corner");
    QVERIFY2(greyShare(outlines) > 0.6, "with outlines only, the corner should show grey");

    // Changing the bottom layer's style re-creates its actor: it must still be drawn
    // first, so the tomogram's noise shows through the filled label (drawn the other
    // way round, the fill would blend with the background: one flat colour).
    auto cornerColours = [](const QImage& im) {
        const QImage q = im.convertToFormat(QImage::Format_RGB32);
        const QImage corner = q.copy(q.width() * 5 / 100, q.height() * 87 / 100, q.width() / 10, q.height() * 8 / 100);
        QSet<QRgb> colours;
        for (int y = 0; y < corner.height(); ++y)
            for (int x = 0; x < corner.width(); ++x) colours.insert(corner.pixel(x, y));
        return colours.size();
    };
    l.labelFill = true;
    t.style = LayerStyle::Probability;
    view.setLayers({t, l});
    t.style = LayerStyle::Grayscale;
    view.setLayers({t, l});
    const QImage restyled = view.renderToImage();
    restyled.save(artifactPath("slice_xy_restyled.png"));
    QVERIFY2(cornerColours(restyled) > 10, "the tomogram was drawn after the labels");

    // Scrolling with the wheel moves to another slice: the picture changes.
    const auto before = link.cursorVoxel();
    QWheelEvent wheel(QPointF(100, 100), view.mapToGlobal(QPointF(100, 100)), QPoint(), QPoint(0, 120 * 5),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &wheel);
    QCOMPARE(link.cursorVoxel()[2], before[2] + 5);
    QVERIFY(view.renderToImage() != outlines);
}

void RenderTest::view3DRendersVolumeAndSurfaces() {
    auto tomo = makeTomogram();
    auto labels = makeLabels(*tomo);
    SliceViewLink link;
    link.setReferenceGrid(tomo->origin(), tomo->voxelSize(), tomo->dims());
    link.setCursor({480, 400, 200});
    VolumeView3D view(&link);
    view.resize(400, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    LayerDisplay t;
    t.name = "tomogram";
    t.data = tomo;
    t.low = -1.0;
    t.high = 1.0;
    t.transferPreset = "cryo-ET (dark = dense)";
    LayerDisplay l;
    l.name = "labels";
    l.data = labels;
    l.style = LayerStyle::Labels;
    view.setLayers({t, l});
    QTRY_VERIFY_WITH_TIMEOUT(!view.busy(), 60000);
    QTest::qWait(50);
    const QImage image = view.renderToImage();
    image.save(artifactPath("view3d.png"));
    // Membrane surface colour present (lit, so a range of shades): look for reddish-blue hue.
    const auto c2 = LabelTable::semanticDefault().find(2)->color;
    int close = 0;
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) {
            const QRgb c = img.pixel(x, y);
            const int dr = qRed(c) - c2[0], dg = qGreen(c) - c2[1], db = qBlue(c) - c2[2];
            if (std::abs(dr) + std::abs(dg) + std::abs(db) < 90) ++close;
        }
    QVERIFY2(close > 200, "no label surface visible in 3D");

    // Per instance: the two pieces (ring shell and corner block) get palette colours 1
    // and 2 instead of the table's, so the membrane's table colour disappears.
    l.surfacePerInstance = true;
    view.setLayers({t, l});
    QTRY_VERIFY_WITH_TIMEOUT(!view.busy(), 60000);
    QTest::qWait(50);
    const QImage perInstance = view.renderToImage();
    perInstance.save(artifactPath("view3d_per_instance.png"));
    int stillTable = 0;
    const QImage pi = perInstance.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < pi.height(); ++y)
        for (int x = 0; x < pi.width(); ++x) {
            const QRgb c = pi.pixel(x, y);
            const int dr = qRed(c) - c2[0], dg = qGreen(c) - c2[1], db = qBlue(c) - c2[2];
            if (std::abs(dr) + std::abs(dg) + std::abs(db) < 90) ++stillTable;
        }
    QVERIFY2(stillTable < close / 4, "per-instance colours were not applied");
}

int main(int argc, char** argv) {
    VtkWidget::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    RenderTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "RenderTest.moc"
