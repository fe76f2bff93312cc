#include <vtk_glew.h>  // before any Qt OpenGL header (STACK.md #5)

#include "app/render/SliceView.h"

#include "app/render/ShaderSources.h"
#include "app/render/SliceExtractor.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCoordinate.h>
#include <vtkImageData.h>
#include <vtkLineSource.h>
#include <vtkPlaneSource.h>
#include <vtkPointData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRegularPolygonSource.h>
#include <vtkRenderer.h>
#include <vtkShaderProperty.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkTexture.h>
#include <vtkUniforms.h>
#include <vtkUnsignedCharArray.h>

#include <QElapsedTimer>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <cmath>

namespace cellforge {

namespace {
using Vec3 = std::array<double, 3>;

// Slicer's plane colours: red = XY (axial), green = XZ (coronal), yellow = YZ (sagittal).
std::array<double, 3> axisColor(SliceAxis axis) {
    switch (axis) {
        case SliceAxis::XY:
            return {0.95, 0.33, 0.33};
        case SliceAxis::XZ:
            return {0.43, 0.76, 0.35};
        case SliceAxis::YZ:
            return {0.93, 0.84, 0.31};
    }
    return {1, 1, 1};
}

const Volume* volumeOf(const LayerDisplay& layer) {
    if (!layer.data) return nullptr;
    const DataKind k = layer.data->kind();
    if (k != DataKind::Volume && k != DataKind::LabelVolume) return nullptr;
    return static_cast<const Volume*>(layer.data.get());
}
}  // namespace

// One layer's slice: a textured quad in view coordinates (u right, v up, in Å).
struct SliceView::LayerActor {
    LayerDisplay layer;
    const Volume* volume = nullptr;
    vtkSmartPointer<vtkImageData> image;
    vtkSmartPointer<vtkTexture> texture;
    vtkSmartPointer<vtkPlaneSource> quad;
    vtkSmartPointer<vtkPolyDataMapper> mapper;
    vtkSmartPointer<vtkActor> actor;
    std::int64_t sliceIndex = -1;
    std::uint64_t revision = 0;
    int components = 0;
    ColorTable colors{};
    std::string colorsName;
    LabelLut labelLut;
    std::uint64_t lutRevision = ~std::uint64_t(0);
    LabelId lutHighlight = 0;
    bool outlineShader = false;
};

struct SliceView::Overlay {
    vtkSmartPointer<vtkLineSource> lineU, lineV;  // lineU: constant u (vertical line)
    vtkSmartPointer<vtkActor> actorU, actorV;
    vtkSmartPointer<vtkRegularPolygonSource> brush;
    vtkSmartPointer<vtkActor> brushActor;
    vtkSmartPointer<vtkTextActor> text;
};

SliceView::SliceView(SliceAxis axis, SliceViewLink* link, QWidget* parent)
    : VtkWidget(parent), axis_(axis), link_(link), overlay_(std::make_unique<Overlay>()) {
    setObjectName(QStringLiteral("slice%1").arg(sliceAxisName(axis)));
    renderer()->SetBackground(0.06, 0.06, 0.07);
    vtkCamera* cam = renderer()->GetActiveCamera();
    cam->ParallelProjectionOn();
    cam->SetViewUp(0, 1, 0);

    const auto color = axisColor(axis);
    auto makeLine = [&](vtkSmartPointer<vtkLineSource>& src, vtkSmartPointer<vtkActor>& actor,
                        const std::array<double, 3>& c) {
        src = vtkSmartPointer<vtkLineSource>::New();
        auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
        mapper->SetInputConnection(src->GetOutputPort());
        actor = vtkSmartPointer<vtkActor>::New();
        actor->SetMapper(mapper);
        actor->GetProperty()->SetColor(c[0], c[1], c[2]);
        actor->GetProperty()->LightingOff();
        actor->GetProperty()->SetOpacity(0.75);
        actor->ForceOpaqueOn();  // drawn last, blended (see applyStyle)
        actor->PickableOff();
        renderer()->AddActor(actor);
    };
    // The vertical line marks the plane of the view whose normal is this view's u axis.
    const SliceAxes a = sliceAxes(axis);
    auto viewWithNormal = [](int axisIndex) {
        return axisIndex == 0 ? SliceAxis::YZ : (axisIndex == 1 ? SliceAxis::XZ : SliceAxis::XY);
    };
    makeLine(overlay_->lineU, overlay_->actorU, axisColor(viewWithNormal(a.u)));
    makeLine(overlay_->lineV, overlay_->actorV, axisColor(viewWithNormal(a.v)));

    overlay_->brush = vtkSmartPointer<vtkRegularPolygonSource>::New();
    overlay_->brush->SetNumberOfSides(48);
    overlay_->brush->GeneratePolygonOff();
    auto brushMapper = vtkSmartPointer<vtkPolyDataMapper>::New();
    brushMapper->SetInputConnection(overlay_->brush->GetOutputPort());
    overlay_->brushActor = vtkSmartPointer<vtkActor>::New();
    overlay_->brushActor->SetMapper(brushMapper);
    overlay_->brushActor->GetProperty()->SetColor(1, 1, 1);
    overlay_->brushActor->GetProperty()->LightingOff();
    overlay_->brushActor->VisibilityOff();
    renderer()->AddActor(overlay_->brushActor);

    // A plain text actor: its texture is rebuilt only when the text changes (a corner
    // annotation refits its font on every frame, which costs more than the slice).
    overlay_->text = vtkSmartPointer<vtkTextActor>::New();
    overlay_->text->GetTextProperty()->SetFontSize(int(14 * devicePixelRatioF()));
    overlay_->text->GetTextProperty()->SetColor(color[0], color[1], color[2]);
    overlay_->text->GetTextProperty()->SetVerticalJustificationToTop();
    overlay_->text->GetTextProperty()->SetBold(true);
    overlay_->text->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
    overlay_->text->SetPosition(0.01, 0.985);
    renderer()->AddViewProp(overlay_->text);

    connect(link_, &SliceViewLink::cursorChanged, this, &SliceView::onCursorChanged);
    connect(link_, &SliceViewLink::viewChanged, this, &SliceView::onViewChanged);
    updateCamera();
    updateCrosshair();
    updateAnnotation();
}

SliceView::~SliceView() = default;

void SliceView::onContextReady() { updateCamera(); }

void SliceView::resizeGL(int w, int h) {
    VtkWidget::resizeGL(w, h);
    updateCamera();
}

std::unique_ptr<SliceView::LayerActor> SliceView::makeActor(const LayerDisplay& layer) {
    auto la = std::make_unique<LayerActor>();
    la->layer = layer;
    la->volume = volumeOf(layer);
    if (!la->volume || la->volume->empty()) return nullptr;
    const SliceAxes a = sliceAxes(axis_);
    const SliceSize size = sliceSize(la->volume->dims(), axis_);
    la->image = vtkSmartPointer<vtkImageData>::New();
    la->image->SetDimensions(size.width, size.height, 1);
    la->texture = vtkSmartPointer<vtkTexture>::New();
    la->texture->SetInputData(la->image);
    la->texture->InterpolateOff();  // voxels stay crisp squares, as in 3dmod and napari
    la->texture->RepeatOff();
    la->texture->EdgeClampOn();
    la->texture->MipmapOff();
    la->texture->SetColorModeToDirectScalars();

    const Vec3& o = la->volume->origin();
    const Vec3& s = la->volume->voxelSize();
    const double u0 = o[a.u], v0 = o[a.v];
    const double u1 = u0 + double(size.width) * s[a.u], v1 = v0 + double(size.height) * s[a.v];
    la->quad = vtkSmartPointer<vtkPlaneSource>::New();
    la->quad->SetOrigin(u0, v0, 0);
    la->quad->SetPoint1(u1, v0, 0);
    la->quad->SetPoint2(u0, v1, 0);
    la->mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
    la->mapper->SetInputConnection(la->quad->GetOutputPort());
    la->mapper->ScalarVisibilityOff();
    la->actor = vtkSmartPointer<vtkActor>::New();
    la->actor->SetMapper(la->mapper);
    la->actor->SetTexture(la->texture);
    la->actor->GetProperty()->LightingOff();
    la->actor->GetProperty()->SetColor(1, 1, 1);
    la->actor->PickableOff();
    if (layer.style == LayerStyle::Labels) {
        // Filled regions and outlines from one texture of label colours.
        vtkShaderProperty* sp = la->actor->GetShaderProperty();
        sp->AddFragmentShaderReplacement("//VTK::TCoord::Impl", true, labelOutlineShaderImpl(), false);
        la->outlineShader = true;
    }
    return la;
}

void SliceView::applyStyle(LayerActor& la) {
    const LayerDisplay& l = la.layer;
    la.actor->SetVisibility(l.visible);
    la.actor->GetProperty()->SetOpacity(std::clamp(l.opacity, 0.0, 1.0));
    // Every layer is drawn in the opaque pass, bottom first, with ordinary alpha
    // blending (VTK keeps blending on there). VTK 9.1's translucent pass uses
    // order-independent translucency, which washes out opaque outline colours.
    la.actor->ForceOpaqueOn();
    la.actor->ForceTranslucentOff();
    if (la.outlineShader) {
        vtkUniforms* u = la.actor->GetShaderProperty()->GetFragmentCustomUniforms();
        u->SetUniformf("cfFillOpacity", l.labelFill ? float(l.fillOpacity) : 0.f);
        u->SetUniformf("cfOutlineOpacity", l.labelOutline ? 1.f : 0.f);
        u->SetUniformf("cfOutlineWidth", 1.5f);
    }
}

void SliceView::setLayers(const std::vector<LayerDisplay>& layers) {
    std::vector<std::unique_ptr<LayerActor>> next;
    for (const LayerDisplay& l : layers) {
        if (l.style != LayerStyle::Grayscale && l.style != LayerStyle::Labels && l.style != LayerStyle::Probability)
            continue;
        std::unique_ptr<LayerActor> found;
        for (auto& a : actors_)
            if (a && a->layer.name == l.name && a->layer.data == l.data && a->layer.style == l.style) {
                found = std::move(a);
                break;
            }
        if (!found) {
            found = makeActor(l);
            if (!found) continue;
        }
        found->layer = l;
        next.push_back(std::move(found));
    }
    for (auto& a : actors_)
        if (a) renderer()->RemoveActor(a->actor);
    for (auto& a : next) renderer()->RemoveActor(a->actor);  // AddActor keeps a present prop's place
    for (vtkActor* o : {overlay_->actorU.Get(), overlay_->actorV.Get(), overlay_->brushActor.Get()})
        renderer()->RemoveActor(o);
    actors_ = std::move(next);
    // All of them draw in the opaque pass in the renderer's order, so the order must be
    // the layers' (bottom first), then the cursor lines and the brush on top. Each layer
    // also sits a little closer to the camera than the one below it.
    for (auto& a : actors_) renderer()->AddActor(a->actor);
    for (vtkActor* o : {overlay_->actorU.Get(), overlay_->actorV.Get(), overlay_->brushActor.Get()})
        renderer()->AddActor(o);
    double z = 0;
    for (auto& a : actors_) {
        a->actor->SetPosition(0, 0, z);
        z += 1.0;
        applyStyle(*a);
        updateLayerSlice(*a);
    }
    updateCrosshair();
    updateAnnotation();
    update();
}

void SliceView::refreshLayer(const LayerDisplay& layer) {
    for (auto& a : actors_)
        if (a->layer.name == layer.name) {
            if (a->layer.data != layer.data || a->layer.style != layer.style) break;
            a->layer = layer;
            applyStyle(*a);
            updateLayerSlice(*a);
            update();
            return;
        }
    // Not shown yet, or its data was replaced (copy on write): rebuild that actor.
    std::vector<LayerDisplay> all;
    for (auto& a : actors_) all.push_back(a->layer.name == layer.name ? layer : a->layer);
    setLayers(all);
}

void SliceView::updateSlices() {
    QElapsedTimer t;
    t.start();
    for (auto& a : actors_) updateLayerSlice(*a);
    lastSliceMs_ = double(t.nsecsElapsed()) / 1e6;
}

void SliceView::updateLayerSlice(LayerActor& la) {
    const Volume& vol = *la.volume;
    const SliceAxes a = sliceAxes(axis_);
    const SliceSize size = sliceSize(vol.dims(), axis_);
    const double pos = link_->cursor()[std::size_t(a.normal)];
    const double idx = std::floor((pos - vol.origin()[a.normal]) / vol.voxelSize()[a.normal]);
    const bool inside = idx >= 0 && idx < double(size.depth);
    la.actor->SetVisibility(la.layer.visible && inside);
    if (!inside || !la.layer.visible) return;
    const auto index = std::int64_t(idx);
    const LayerDisplay& l = la.layer;

    int components = 4;
    if (l.style == LayerStyle::Grayscale) components = l.colorMap == "gray" ? 1 : 3;
    if (l.style != LayerStyle::Labels && la.colorsName != l.colorMap) {
        la.colors = makeColorTable(l.colorMap);
        la.colorsName = l.colorMap;
    }
    if (l.style == LayerStyle::Labels && (la.lutRevision != l.revision || la.lutHighlight != l.highlighted)) {
        la.labelLut = makeLabelLut(static_cast<const LabelVolume&>(vol).table(), l.highlighted);
        la.lutRevision = l.revision;
        la.lutHighlight = l.highlighted;
    }
    if (components != la.components) {
        auto array = vtkSmartPointer<vtkUnsignedCharArray>::New();
        array->SetNumberOfComponents(components);
        array->SetNumberOfTuples(vtkIdType(size.width) * size.height);
        la.image->GetPointData()->SetScalars(array);
        la.components = components;
    }
    auto* array = vtkUnsignedCharArray::SafeDownCast(la.image->GetPointData()->GetScalars());
    std::uint8_t* out = array->GetPointer(0);
    switch (l.style) {
        case LayerStyle::Grayscale:
            scalarSliceToPixels(vol, axis_, index, l.low, l.high, &la.colors, components, out);
            break;
        case LayerStyle::Probability:
            probabilitySliceToRgba(vol, axis_, index, l.low, l.high, l.threshold, la.colors, out);
            break;
        case LayerStyle::Labels:
            labelSliceToRgba(static_cast<const LabelVolume&>(vol), axis_, index, la.labelLut, out);
            break;
        default:
            break;
    }
    array->Modified();
    la.image->Modified();
    la.sliceIndex = index;
    la.revision = l.revision;
}

void SliceView::onCursorChanged() {
    QElapsedTimer t;
    t.start();
    for (auto& a : actors_) {
        const SliceAxes ax = sliceAxes(axis_);
        const Volume& vol = *a->volume;
        const double idx = std::floor((link_->cursor()[std::size_t(ax.normal)] - vol.origin()[ax.normal]) /
                                      vol.voxelSize()[ax.normal]);
        if (std::int64_t(idx) != a->sliceIndex) updateLayerSlice(*a);
    }
    lastSliceMs_ = double(t.nsecsElapsed()) / 1e6;
    updateCrosshair();
    updateAnnotation();
    update();
}

void SliceView::onViewChanged() {
    updateCamera();
    updateCrosshair();
    update();
}

void SliceView::updateCamera() {
    const SliceAxes a = sliceAxes(axis_);
    const Vec3& c = link_->center();
    const double cu = c[std::size_t(a.u)], cv = c[std::size_t(a.v)];
    const qreal dpr = devicePixelRatioF();
    const double hDevice = std::max(1.0, height() * dpr);
    vtkCamera* cam = renderer()->GetActiveCamera();
    cam->SetFocalPoint(cu, cv, 0);
    cam->SetPosition(cu, cv, 1e4);
    cam->SetViewUp(0, 1, 0);
    cam->SetParallelScale(0.5 * hDevice * link_->scale());
    cam->SetClippingRange(1.0, 2e4);
}

void SliceView::updateCrosshair() {
    const SliceAxes a = sliceAxes(axis_);
    const Vec3& cur = link_->cursor();
    const double u = cur[std::size_t(a.u)], v = cur[std::size_t(a.v)];
    double umin = u - 1e6, umax = u + 1e6, vmin = v - 1e6, vmax = v + 1e6;
    if (link_->hasGrid()) {
        const auto& o = link_->gridOrigin();
        const auto& s = link_->gridSpacing();
        const auto& d = link_->gridDims();
        umin = o[std::size_t(a.u)];
        umax = umin + double(d[std::size_t(a.u)]) * s[std::size_t(a.u)];
        vmin = o[std::size_t(a.v)];
        vmax = vmin + double(d[std::size_t(a.v)]) * s[std::size_t(a.v)];
    }
    const double z = 100.0;
    overlay_->lineU->SetPoint1(u, vmin, z);
    overlay_->lineU->SetPoint2(u, vmax, z);
    overlay_->lineV->SetPoint1(umin, v, z);
    overlay_->lineV->SetPoint2(umax, v, z);
    overlay_->actorU->SetVisibility(cursorVisible_ && link_->hasGrid());
    overlay_->actorV->SetVisibility(cursorVisible_ && link_->hasGrid());
}

void SliceView::updateAnnotation() {
    const SliceAxes a = sliceAxes(axis_);
    const char* names = "xyz";
    std::string text = sliceAxisName(axis_);
    if (link_->hasGrid()) {
        const auto v = link_->cursorVoxel();
        text += "   " + std::string(1, names[a.normal]) + " " + std::to_string(v[std::size_t(a.normal)] + 1) + " / " +
                std::to_string(link_->gridDims()[std::size_t(a.normal)]);
    }
    overlay_->text->SetInput(text.c_str());
}

void SliceView::setBrushRadius(double voxels) {
    brushRadius_ = voxels;
    if (voxels <= 0) overlay_->brushActor->VisibilityOff();
    update();
}

void SliceView::setCursorVisible(bool visible) {
    cursorVisible_ = visible;
    updateCrosshair();
    update();
}

std::array<double, 3> SliceView::worldAt(const QPointF& p) const {
    const SliceAxes a = sliceAxes(axis_);
    const qreal dpr = devicePixelRatioF();
    const double px = p.x() * dpr, py = (height() - p.y()) * dpr;
    const double wDev = width() * dpr, hDev = height() * dpr;
    const Vec3& c = link_->center();
    Vec3 w = link_->cursor();
    w[std::size_t(a.u)] = c[std::size_t(a.u)] + (px - 0.5 * wDev) * link_->scale();
    w[std::size_t(a.v)] = c[std::size_t(a.v)] + (py - 0.5 * hDev) * link_->scale();
    return w;
}

void SliceView::mousePressEvent(QMouseEvent* e) {
    dragButton_ = e->button();
    lastMouse_ = e->position();
    setFocus();
    const Vec3 w = worldAt(e->position());
    if (e->button() == Qt::LeftButton) {
        if (mode_ == Mode::Edit && !(e->modifiers() & Qt::AltModifier)) {
            Q_EMIT editPressed(axis_, w, e->modifiers());
        } else {
            link_->setCursor(w);
        }
    } else if (e->button() == Qt::RightButton) {
        Q_EMIT windowLevelDragStarted();
    }
    e->accept();
}

void SliceView::mouseMoveEvent(QMouseEvent* e) {
    const Vec3 w = worldAt(e->position());
    Q_EMIT hovered(w);
    const QPointF d = e->position() - lastMouse_;
    if (mode_ == Mode::Edit && brushRadius_ > 0) {
        const SliceAxes a = sliceAxes(axis_);
        overlay_->brush->SetCenter(w[std::size_t(a.u)], w[std::size_t(a.v)], 110.0);
        overlay_->brush->SetRadius(brushRadius_ * (link_->hasGrid() ? link_->gridSpacing()[std::size_t(a.u)] : 1.0));
        overlay_->brushActor->VisibilityOn();
        update();
    } else if (overlay_->brushActor->GetVisibility()) {
        overlay_->brushActor->VisibilityOff();
        update();
    }
    if (dragButton_ == Qt::LeftButton) {
        if (mode_ == Mode::Edit && !(e->modifiers() & Qt::AltModifier))
            Q_EMIT editDragged(axis_, w, e->modifiers());
        else
            link_->setCursor(w);
    } else if (dragButton_ == Qt::MiddleButton) {
        const SliceAxes a = sliceAxes(axis_);
        const qreal dpr = devicePixelRatioF();
        Vec3 c = link_->center();
        c[std::size_t(a.u)] -= d.x() * dpr * link_->scale();
        c[std::size_t(a.v)] += d.y() * dpr * link_->scale();
        link_->setCenter(c);
    } else if (dragButton_ == Qt::RightButton) {
        Q_EMIT windowLevelDragged(d.x() / std::max(1, width()), -d.y() / std::max(1, height()));
    }
    lastMouse_ = e->position();
    e->accept();
}

void SliceView::mouseReleaseEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton && mode_ == Mode::Edit && dragButton_ == Qt::LeftButton &&
        !(e->modifiers() & Qt::AltModifier))
        Q_EMIT editReleased(axis_, worldAt(e->position()), e->modifiers());
    dragButton_ = Qt::NoButton;
    e->accept();
}

void SliceView::wheelEvent(QWheelEvent* e) {
    const int delta = e->angleDelta().y();
    if (delta == 0) return e->ignore();
    const int notches = delta > 0 ? std::max(1, delta / 120) : std::min(-1, delta / 120);
    if (e->modifiers() & Qt::ControlModifier) {
        // Zoom about the point under the mouse.
        const Vec3 p = worldAt(e->position());
        const double factor = std::pow(1.0 / 1.2, notches);
        const SliceAxes a = sliceAxes(axis_);
        Vec3 c = link_->center();
        c[std::size_t(a.u)] = p[std::size_t(a.u)] + (c[std::size_t(a.u)] - p[std::size_t(a.u)]) * factor;
        c[std::size_t(a.v)] = p[std::size_t(a.v)] + (c[std::size_t(a.v)] - p[std::size_t(a.v)]) * factor;
        link_->setCenter(c);
        link_->setScale(link_->scale() * factor);
    } else {
        const int step = (e->modifiers() & Qt::ShiftModifier) ? 10 : 1;
        link_->step(sliceAxes(axis_).normal, notches * step);
    }
    e->accept();
}

void SliceView::keyPressEvent(QKeyEvent* e) {
    const int normal = sliceAxes(axis_).normal;
    const int big = (e->modifiers() & Qt::ShiftModifier) ? 10 : 1;
    switch (e->key()) {
        case Qt::Key_PageUp:
        case Qt::Key_Up:
            link_->step(normal, big);
            break;
        case Qt::Key_PageDown:
        case Qt::Key_Down:
            link_->step(normal, -big);
            break;
        case Qt::Key_Plus:
        case Qt::Key_Equal:
            link_->setScale(link_->scale() / 1.25);
            break;
        case Qt::Key_Minus:
            link_->setScale(link_->scale() * 1.25);
            break;
        default:
            return VtkWidget::keyPressEvent(e);
    }
    e->accept();
}

}  // namespace cellforge
