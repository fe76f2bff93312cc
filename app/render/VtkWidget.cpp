#include "app/render/VtkWidget.h"

#include "app/render/VtkFrame.h"

#include <vtkCallbackCommand.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkRenderer.h>

#include <QElapsedTimer>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QSurfaceFormat>
#include <QWheelEvent>

namespace cellforge {

void VtkWidget::setDefaultSurfaceFormat() {
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 2);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setDepthBufferSize(24);
    format.setStencilBufferSize(8);
    format.setRedBufferSize(8);
    format.setGreenBufferSize(8);
    format.setBlueBufferSize(8);
    format.setAlphaBufferSize(8);
    format.setSamples(0);  // VTK multisamples in its own framebuffer if asked
    format.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
    QSurfaceFormat::setDefaultFormat(format);
}

VtkWidget::VtkWidget(QWidget* parent) : QOpenGLWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setMinimumSize(64, 64);

    window_ = vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New();
    window_->SetOwnContext(false);
    window_->SetFrameBlitModeToNoBlit();
    window_->SetReadyForRendering(false);
    window_->SetMultiSamples(0);
    renderer_ = vtkSmartPointer<vtkRenderer>::New();
    // Opaque background: Qt composites the widget with its alpha channel.
    renderer_->SetBackgroundAlpha(1.0);
    window_->AddRenderer(renderer_);

    auto callback = vtkSmartPointer<vtkCallbackCommand>::New();
    callback->SetClientData(this);
    callback->SetCallback(&VtkWidget::vtkCallback);
    observerTags_[0] = window_->AddObserver(vtkCommand::WindowMakeCurrentEvent, callback);
    observerTags_[1] = window_->AddObserver(vtkCommand::WindowIsCurrentEvent, callback);
    observerTags_[2] = window_->AddObserver(vtkCommand::WindowFrameEvent, callback);
}

VtkWidget::~VtkWidget() {
    // Release GL resources while our context can still be made current.
    if (contextReady_) {
        makeCurrent();
        releaseContext();
        doneCurrent();
    }
    for (unsigned long tag : observerTags_) window_->RemoveObserver(tag);
}

void VtkWidget::vtkCallback(vtkObject* caller, unsigned long event, void* clientData, void* callData) {
    static_cast<VtkWidget*>(clientData)->onVtkEvent(caller, event, callData);
}

vtkGenericOpenGLRenderWindow* VtkWidget::renderWindow() const { return window_; }
vtkRenderer* VtkWidget::renderer() const { return renderer_; }
vtkGenericRenderWindowInteractor* VtkWidget::interactor() const { return interactor_; }

void VtkWidget::enableInteractor() {
    if (interactor_) return;
    interactor_ = vtkSmartPointer<vtkGenericRenderWindowInteractor>::New();
    interactor_->SetRenderWindow(window_);
    auto style = vtkSmartPointer<vtkInteractorStyleTrackballCamera>::New();
    interactor_->SetInteractorStyle(style);
    interactor_->Initialize();
}

void VtkWidget::onVtkEvent(vtkObject*, unsigned long event, void* callData) {
    switch (event) {
        case vtkCommand::WindowMakeCurrentEvent:
            // Not QOpenGLWidget::makeCurrent(): that rebinds Qt's framebuffer behind VTK's
            // state cache and gives a black image (STACK.md).
            if (context()) context()->makeCurrent(context()->surface());
            break;
        case vtkCommand::WindowIsCurrentEvent: {
            bool* current = static_cast<bool*>(callData);
            *current = context() && QOpenGLContext::currentContext() == context();
            break;
        }
        case vtkCommand::WindowFrameEvent:
            // VTK finished a frame; outside paintGL this means someone asked for a render.
            break;
        default:
            break;
    }
}

void VtkWidget::initializeGL() {
    window_->SetOwnContext(false);
    window_->OpenGLInitContext();
    contextReady_ = true;
    connect(
        context(), &QOpenGLContext::aboutToBeDestroyed, this,
        [this] {
            makeCurrent();
            releaseContext();
        },
        Qt::DirectConnection);
    const qreal dpr = devicePixelRatioF();
    window_->SetSize(int(width() * dpr), int(height() * dpr));
    onContextReady();
}

void VtkWidget::releaseContext() {
    if (!contextReady_) return;
    window_->Finalize();
    contextReady_ = false;
}

void VtkWidget::resizeGL(int, int) {
    const qreal dpr = devicePixelRatioF();
    const int w = int(width() * dpr), h = int(height() * dpr);
    window_->SetSize(w, h);
    if (interactor_) interactor_->SetSize(w, h);
}

void VtkWidget::paintGL() {
    if (!contextReady_) return;
    QElapsedTimer timer;
    timer.start();
    drawVtkFrame(*window_, defaultFramebufferObject(), finishEachFrame_);
    lastRenderMs_ = double(timer.nsecsElapsed()) / 1e6;
}

QImage VtkWidget::renderToImage() { return grabFramebuffer(); }

void VtkWidget::renderNow() {
    if (!contextReady_) return;
    makeCurrent();  // Qt's own call is right here: we are outside VTK's render
    paintGL();
    doneCurrent();
}

QPointF VtkWidget::toDisplay(const QPointF& p) const {
    const qreal dpr = devicePixelRatioF();
    return {p.x() * dpr, (height() - p.y() - 1) * dpr};
}

void VtkWidget::setInteractorEventInfo(const QPointF& pos, Qt::KeyboardModifiers mods, int repeat) {
    const QPointF d = toDisplay(pos);
    interactor_->SetEventInformation(int(d.x()), int(d.y()), (mods & Qt::ControlModifier) ? 1 : 0,
                                     (mods & Qt::ShiftModifier) ? 1 : 0, 0, repeat);
    interactor_->SetAltKey((mods & Qt::AltModifier) ? 1 : 0);
}

void VtkWidget::mousePressEvent(QMouseEvent* e) {
    if (!interactor_) return QOpenGLWidget::mousePressEvent(e);
    setInteractorEventInfo(e->position(), e->modifiers(), e->type() == QEvent::MouseButtonDblClick);
    switch (e->button()) {
        case Qt::LeftButton:
            interactor_->InvokeEvent(vtkCommand::LeftButtonPressEvent, e);
            break;
        case Qt::MiddleButton:
            interactor_->InvokeEvent(vtkCommand::MiddleButtonPressEvent, e);
            break;
        case Qt::RightButton:
            interactor_->InvokeEvent(vtkCommand::RightButtonPressEvent, e);
            break;
        default:
            break;
    }
    update();
}

void VtkWidget::mouseReleaseEvent(QMouseEvent* e) {
    if (!interactor_) return QOpenGLWidget::mouseReleaseEvent(e);
    setInteractorEventInfo(e->position(), e->modifiers());
    switch (e->button()) {
        case Qt::LeftButton:
            interactor_->InvokeEvent(vtkCommand::LeftButtonReleaseEvent, e);
            break;
        case Qt::MiddleButton:
            interactor_->InvokeEvent(vtkCommand::MiddleButtonReleaseEvent, e);
            break;
        case Qt::RightButton:
            interactor_->InvokeEvent(vtkCommand::RightButtonReleaseEvent, e);
            break;
        default:
            break;
    }
    update();
}

void VtkWidget::mouseMoveEvent(QMouseEvent* e) {
    if (!interactor_) return QOpenGLWidget::mouseMoveEvent(e);
    setInteractorEventInfo(e->position(), e->modifiers());
    interactor_->InvokeEvent(vtkCommand::MouseMoveEvent, e);
    if (e->buttons() != Qt::NoButton) update();
}

void VtkWidget::wheelEvent(QWheelEvent* e) {
    if (!interactor_) return QOpenGLWidget::wheelEvent(e);
    setInteractorEventInfo(e->position(), e->modifiers());
    const int dy = e->angleDelta().y();
    if (dy > 0)
        interactor_->InvokeEvent(vtkCommand::MouseWheelForwardEvent, e);
    else if (dy < 0)
        interactor_->InvokeEvent(vtkCommand::MouseWheelBackwardEvent, e);
    e->accept();
    update();
}

// Keys stay with the application (shortcuts); VTK's own key bindings (e.g. 'e' = exit,
// 'w' = wireframe) would surprise users.
void VtkWidget::keyPressEvent(QKeyEvent* e) { QOpenGLWidget::keyPressEvent(e); }
void VtkWidget::keyReleaseEvent(QKeyEvent* e) { QOpenGLWidget::keyReleaseEvent(e); }

void VtkWidget::enterEvent(QEnterEvent* e) {
    if (interactor_) interactor_->InvokeEvent(vtkCommand::EnterEvent, e);
    QOpenGLWidget::enterEvent(e);
}
void VtkWidget::leaveEvent(QEvent* e) {
    if (interactor_) interactor_->InvokeEvent(vtkCommand::LeaveEvent, e);
    QOpenGLWidget::leaveEvent(e);
}

}  // namespace cellforge
