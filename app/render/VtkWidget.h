// The project's Qt 6 widget around a vtkGenericOpenGLRenderWindow (Debian's VTK Qt
// widget is Qt 5 only). Renders VTK into the QOpenGLWidget's framebuffer and, when an
// interactor is attached, forwards mouse and key events to it. Subclasses (the slice
// views) may instead handle the events themselves.
#pragma once

#include <QOpenGLWidget>

#include <vtkSmartPointer.h>

class vtkGenericOpenGLRenderWindow;
class vtkRenderer;
class vtkGenericRenderWindowInteractor;
class vtkObject;

namespace cellforge {

class VtkWidget : public QOpenGLWidget {
    Q_OBJECT
public:
    explicit VtkWidget(QWidget* parent = nullptr);
    ~VtkWidget() override;

    // The OpenGL 3.2 core format VTK needs; call before QApplication is constructed.
    static void setDefaultSurfaceFormat();

    vtkGenericOpenGLRenderWindow* renderWindow() const;
    vtkRenderer* renderer() const;
    // Creates a vtkGenericRenderWindowInteractor with a trackball-camera style; mouse
    // and key events then go to it (the 3D view uses this).
    void enableInteractor();
    vtkGenericRenderWindowInteractor* interactor() const;

    // Schedules a repaint (cheap: several calls before the next frame render once).
    void requestRender() { update(); }
    // Renders now into the widget's framebuffer, without waiting for Qt's next frame
    // (benchmarks; the picture reaches the screen with the next composition).
    void renderNow();
    // Renders now and returns the image at device resolution (for tests and screenshots).
    QImage renderToImage();
    // Milliseconds the last paintGL took (VTK render plus blit), for benchmarks.
    double lastRenderMilliseconds() const { return lastRenderMs_; }
    // Waits for the GPU at the end of each frame so that timings include the drawing
    // itself (benchmarks only: it costs throughput).
    void setFinishEachFrame(bool on) { finishEachFrame_ = on; }

protected:
    void initializeGL() override;
    void paintGL() override;
    void resizeGL(int w, int h) override;

    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    void keyReleaseEvent(QKeyEvent* e) override;
    void enterEvent(QEnterEvent* e) override;
    void leaveEvent(QEvent* e) override;

    // Widget (logical) position to VTK display position (device pixels, y up).
    QPointF toDisplay(const QPointF& widgetPos) const;
    // Called once the GL context exists (add renderer-dependent state here).
    virtual void onContextReady() {}

private:
    static void vtkCallback(vtkObject* caller, unsigned long event, void* clientData, void* callData);
    void onVtkEvent(vtkObject* caller, unsigned long event, void* callData);
    void releaseContext();
    void setInteractorEventInfo(const QPointF& pos, Qt::KeyboardModifiers mods, int repeat = 0);

    vtkSmartPointer<vtkGenericOpenGLRenderWindow> window_;
    vtkSmartPointer<vtkRenderer> renderer_;
    vtkSmartPointer<vtkGenericRenderWindowInteractor> interactor_;
    unsigned long observerTags_[3] = {0, 0, 0};
    bool contextReady_ = false;
    double lastRenderMs_ = 0;
    bool finishEachFrame_ = false;
};

}  // namespace cellforge
