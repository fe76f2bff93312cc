#include <vtk_glew.h>  // before any Qt OpenGL header (STACK.md #5)

#include "app/render/VolumeView3D.h"

#include "app/render/SliceExtractor.h"
#include "core/data/VtkView.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellData.h>
#include <vtkColorTransferFunction.h>
#include <vtkDecimatePro.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkPolyDataConnectivityFilter.h>
#include <vtkGPUVolumeRayCastMapper.h>
#include <vtkImageData.h>
#include <vtkLookupTable.h>
#include <vtkPiecewiseFunction.h>
#include <vtkPlaneSource.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkTexture.h>
#include <vtkUnsignedCharArray.h>
#include <vtkUnsignedShortArray.h>
#include <vtkVertexGlyphFilter.h>
#include <vtkVolume.h>
#include <vtkVolumeProperty.h>
#include <vtkWindowedSincPolyDataFilter.h>
#include <vtkPoints.h>

#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

namespace cellforge {

namespace {
using Vec3 = std::array<double, 3>;

// Nearest-neighbour subsampling factors so that the largest edge is at most maxEdge.
std::array<std::int64_t, 3> strides(const Index3& dims, int maxEdge) {
    std::array<std::int64_t, 3> s{1, 1, 1};
    for (int a = 0; a < 3; ++a) s[a] = std::max<std::int64_t>(1, (dims[a] + maxEdge - 1) / maxEdge);
    return s;
}

// An 8-bit copy of a tomogram for volume rendering: values in [lo, hi] map to 0..255.
vtkSmartPointer<vtkImageData> renderCopy(const Volume& v, double lo, double hi, int maxEdge) {
    const auto st = strides(v.dims(), maxEdge);
    const int nx = int((v.nx() + st[0] - 1) / st[0]), ny = int((v.ny() + st[1] - 1) / st[1]),
              nz = int((v.nz() + st[2] - 1) / st[2]);
    auto image = vtkSmartPointer<vtkImageData>::New();
    image->SetDimensions(nx, ny, nz);
    const Vec3& vs = v.voxelSize();
    image->SetSpacing(vs[0] * double(st[0]), vs[1] * double(st[1]), vs[2] * double(st[2]));
    image->SetOrigin(v.origin()[0] + 0.5 * vs[0] * double(st[0]), v.origin()[1] + 0.5 * vs[1] * double(st[1]),
                     v.origin()[2] + 0.5 * vs[2] * double(st[2]));
    auto array = vtkSmartPointer<vtkUnsignedCharArray>::New();
    array->SetNumberOfTuples(vtkIdType(nx) * ny * nz);
    std::uint8_t* out = array->GetPointer(0);
    const double scale = 255.0 / (hi > lo ? hi - lo : 1.0);
    dispatchScalar(v.scalarType(), [&](auto t) {
        using T = decltype(t);
        const T* p = v.data<T>();
        std::size_t o = 0;
        for (std::int64_t z = 0; z < v.nz(); z += st[2])
            for (std::int64_t y = 0; y < v.ny(); y += st[1]) {
                const T* row = p + v.nx() * (y + v.ny() * z);
                for (std::int64_t x = 0; x < v.nx(); x += st[0])
                    out[o++] = std::uint8_t(std::clamp((double(row[x]) - lo) * scale, 0.0, 255.0));
            }
    });
    image->GetPointData()->SetScalars(array);
    return image;
}

// Label surfaces (one per label value present), smoothed; runs on a worker thread.
vtkSmartPointer<vtkPolyData> labelSurfaces(std::shared_ptr<const LabelVolume> labels, bool perInstance) {
    const std::int64_t n = labels->voxelCount();
    const std::int64_t budget = 24'000'000;  // voxels given to the contouring
    const auto f = std::max<std::int64_t>(1, std::int64_t(std::ceil(std::cbrt(double(n) / double(budget)))));
    const int nx = int((labels->nx() + f - 1) / f), ny = int((labels->ny() + f - 1) / f),
              nz = int((labels->nz() + f - 1) / f);
    auto image = vtkSmartPointer<vtkImageData>::New();
    image->SetDimensions(nx, ny, nz);
    const Vec3& vs = labels->voxelSize();
    image->SetSpacing(vs[0] * double(f), vs[1] * double(f), vs[2] * double(f));
    image->SetOrigin(labels->origin()[0] + 0.5 * vs[0] * double(f), labels->origin()[1] + 0.5 * vs[1] * double(f),
                     labels->origin()[2] + 0.5 * vs[2] * double(f));
    auto array = vtkSmartPointer<vtkUnsignedShortArray>::New();
    array->SetNumberOfTuples(vtkIdType(nx) * ny * nz);
    std::uint16_t* out = array->GetPointer(0);
    std::vector<bool> present(65536, false);
    std::size_t o = 0;
    const LabelId* p = labels->labels();
    for (std::int64_t z = 0; z < labels->nz(); z += f)
        for (std::int64_t y = 0; y < labels->ny(); y += f) {
            const LabelId* row = p + labels->nx() * (y + labels->ny() * z);
            for (std::int64_t x = 0; x < labels->nx(); x += f) {
                out[o] = row[x];
                present[row[x]] = true;
                ++o;
            }
        }
    image->GetPointData()->SetScalars(array);
    auto contour = vtkSmartPointer<vtkDiscreteFlyingEdges3D>::New();
    contour->SetInputData(image);
    int k = 0;
    for (int id = 1; id < 65536; ++id)
        if (present[std::size_t(id)]) contour->SetValue(k++, id);
    if (k == 0) return vtkSmartPointer<vtkPolyData>::New();
    contour->ComputeNormalsOff();
    contour->ComputeGradientsOff();
    contour->ComputeScalarsOn();
    auto smooth = vtkSmartPointer<vtkWindowedSincPolyDataFilter>::New();
    smooth->SetInputConnection(contour->GetOutputPort());
    smooth->SetNumberOfIterations(12);
    smooth->SetPassBand(0.08);
    smooth->NonManifoldSmoothingOn();
    smooth->NormalizeCoordinatesOn();
    smooth->BoundarySmoothingOff();
    smooth->Update();
    vtkSmartPointer<vtkPolyData> surface = smooth->GetOutput();
    // Software GL draws a few hundred thousand triangles interactively; more would make
    // every 3D frame pause the program. Decimation keeps each point's label value.
    constexpr vtkIdType kMaxTriangles = 200'000;
    if (surface->GetNumberOfPolys() > kMaxTriangles) {
        auto decimate = vtkSmartPointer<vtkDecimatePro>::New();
        decimate->SetInputData(surface);
        decimate->SetTargetReduction(1.0 - double(kMaxTriangles) / double(surface->GetNumberOfPolys()));
        decimate->PreserveTopologyOff();
        decimate->SplittingOff();
        decimate->BoundaryVertexDeletionOn();
        decimate->Update();
        surface = decimate->GetOutput();
    }
    auto normals = vtkSmartPointer<vtkPolyDataNormals>::New();
    normals->SetInputData(surface);
    normals->SplittingOff();
    normals->ConsistencyOn();
    normals->Update();
    vtkSmartPointer<vtkPolyData> result = normals->GetOutput();
    if (perInstance) {
        // Each connected piece of surface (one membrane, one particle) gets its own id,
        // stored as the point scalars the mapper colours by.
        auto pieces = vtkSmartPointer<vtkPolyDataConnectivityFilter>::New();
        pieces->SetInputData(result);
        pieces->SetExtractionModeToAllRegions();
        pieces->ColorRegionsOn();
        pieces->Update();
        result = pieces->GetOutput();
        result->GetPointData()->SetActiveScalars("RegionId");
    }
    return result;
}

vtkSmartPointer<vtkLookupTable> labelLookup(const LabelTable& table) {
    auto lut = vtkSmartPointer<vtkLookupTable>::New();
    lut->SetNumberOfTableValues(65536);
    lut->SetTableRange(0, 65535);
    for (int id = 0; id < 65536; ++id) {
        const auto c = LabelTable::defaultColor(LabelId(id));
        lut->SetTableValue(id, c[0] / 255.0, c[1] / 255.0, c[2] / 255.0, 1.0);
    }
    for (const auto& e : table.entries())
        lut->SetTableValue(e.id, e.color[0] / 255.0, e.color[1] / 255.0, e.color[2] / 255.0, 1.0);
    lut->Build();
    return lut;
}

// Colours for surface pieces numbered from 0: piece k looks like label k + 1.
vtkSmartPointer<vtkLookupTable> instanceLookup() {
    auto lut = vtkSmartPointer<vtkLookupTable>::New();
    lut->SetNumberOfTableValues(65536);
    lut->SetTableRange(0, 65535);
    for (int k = 0; k < 65536; ++k) {
        const auto c = LabelTable::defaultColor(LabelId(k == 65535 ? 1 : k + 1));
        lut->SetTableValue(k, c[0] / 255.0, c[1] / 255.0, c[2] / 255.0, 1.0);
    }
    lut->Build();
    return lut;
}

void applyTransferPreset(vtkVolumeProperty* prop, vtkGPUVolumeRayCastMapper* mapper, const std::string& preset,
                         double low8, double high8, const ColorTable& colors, bool probability, double threshold8) {
    auto color = vtkSmartPointer<vtkColorTransferFunction>::New();
    auto opacity = vtkSmartPointer<vtkPiecewiseFunction>::New();
    const double lo = std::clamp(low8, 0.0, 254.0), hi = std::clamp(high8, lo + 1.0, 255.0);
    for (int i = 0; i <= 8; ++i) {
        const double f = i / 8.0;
        const auto& c = colors[std::size_t(std::lround(f * 255))];
        color->AddRGBPoint(lo + f * (hi - lo), c[0] / 255.0, c[1] / 255.0, c[2] / 255.0);
    }
    mapper->SetBlendModeToComposite();
    if (probability) {
        opacity->AddPoint(0, 0);
        opacity->AddPoint(std::max(0.0, threshold8 - 1), 0);
        opacity->AddPoint(threshold8, 0.15);
        opacity->AddPoint(255, 0.5);
    } else if (preset == "MIP") {
        mapper->SetBlendModeToMaximumIntensity();
        opacity->AddPoint(lo, 0.0);
        opacity->AddPoint(hi, 1.0);
    } else if (preset == "bright = dense") {
        opacity->AddPoint(0, 0);
        opacity->AddPoint(lo + 0.55 * (hi - lo), 0);
        opacity->AddPoint(hi, 0.35);
        opacity->AddPoint(255, 0.35);
    } else {  // "cryo-ET (dark = dense)": dense matter is dark in cryo-EM
        opacity->AddPoint(0, 0.35);
        opacity->AddPoint(lo, 0.35);
        opacity->AddPoint(lo + 0.45 * (hi - lo), 0);
        opacity->AddPoint(255, 0);
        // Dark voxels would render black: colour them bright so structure shows.
        color->RemoveAllPoints();
        color->AddRGBPoint(lo, 0.95, 0.9, 0.8);
        color->AddRGBPoint(hi, 0.3, 0.3, 0.35);
    }
    prop->SetColor(color);
    prop->SetScalarOpacity(opacity);
    prop->SetInterpolationTypeToLinear();
    prop->ShadeOff();
}
}  // namespace

struct VolumeView3D::Item {
    LayerDisplay layer;
    // Volume rendering
    vtkSmartPointer<vtkImageData> copy;
    double copyLow = 0, copyHigh = 1;  // data window the 8-bit copy was made with
    vtkSmartPointer<vtkGPUVolumeRayCastMapper> volumeMapper;
    vtkSmartPointer<vtkVolume> volume;
    // Surfaces and meshes
    vtkSmartPointer<vtkPolyDataMapper> mapper;
    vtkSmartPointer<vtkActor> actor;
    std::unique_ptr<QFutureWatcher<vtkSmartPointer<vtkPolyData>>> watcher;
    std::uint64_t surfaceRevision = ~std::uint64_t(0);
    bool surfacePerInstance = false;  // the mode the current surfaces were made in
    bool surfaceStale = false;
};

struct VolumeView3D::Planes {
    LayerDisplay layer;
    const Volume* volume = nullptr;
    std::array<vtkSmartPointer<vtkImageData>, 3> images;
    std::array<vtkSmartPointer<vtkPlaneSource>, 3> quads;
    std::array<vtkSmartPointer<vtkActor>, 3> actors;
    std::array<std::int64_t, 3> index{-1, -1, -1};
};

const std::vector<std::string>& VolumeView3D::transferPresetNames() {
    static const std::vector<std::string> names{"cryo-ET (dark = dense)", "bright = dense", "MIP", "off"};
    return names;
}

VolumeView3D::VolumeView3D(SliceViewLink* link, QWidget* parent)
    : VtkWidget(parent), link_(link), planes_(std::make_unique<Planes>()) {
    setObjectName(QStringLiteral("view3D"));
    enableInteractor();
    renderer()->SetBackground(0.10, 0.11, 0.13);
    renderer()->SetBackground2(0.22, 0.24, 0.28);
    renderer()->GradientBackgroundOn();
    for (int k = 0; k < 3; ++k) {
        auto& img = planes_->images[std::size_t(k)];
        img = vtkSmartPointer<vtkImageData>::New();
        auto tex = vtkSmartPointer<vtkTexture>::New();
        tex->SetInputData(img);
        tex->InterpolateOn();
        tex->SetColorModeToDirectScalars();
        planes_->quads[std::size_t(k)] = vtkSmartPointer<vtkPlaneSource>::New();
        auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
        mapper->SetInputConnection(planes_->quads[std::size_t(k)]->GetOutputPort());
        auto actor = vtkSmartPointer<vtkActor>::New();
        actor->SetMapper(mapper);
        actor->SetTexture(tex);
        actor->GetProperty()->LightingOff();
        actor->VisibilityOff();
        planes_->actors[std::size_t(k)] = actor;
        renderer()->AddActor(actor);
    }
    // While slices scroll, the 3D view waits until the scrolling pauses: its render
    // (volume, surfaces) costs more than a slice and must not hold the slice views up.
    planeTimer_ = new QTimer(this);
    planeTimer_->setSingleShot(true);
    planeTimer_->setInterval(150);
    connect(planeTimer_, &QTimer::timeout, this, [this] {
        updatePlanes();
        update();
    });
    connect(link_, &SliceViewLink::cursorChanged, this, &VolumeView3D::onCursorChanged);
}

VolumeView3D::~VolumeView3D() {
    for (auto& item : items_)
        if (item->watcher) item->watcher->waitForFinished();
}

bool VolumeView3D::busy() const {
    for (const auto& item : items_)
        if (item->watcher && item->watcher->isRunning()) return true;
    return false;
}

void VolumeView3D::setLayers(const std::vector<LayerDisplay>& layers) {
    std::vector<std::unique_ptr<Item>> next;
    for (const LayerDisplay& l : layers) {
        std::unique_ptr<Item> found;
        for (auto& it : items_)
            if (it && it->layer.name == l.name && it->layer.data == l.data && it->layer.style == l.style) {
                found = std::move(it);
                break;
            }
        const bool isNew = !found;
        if (isNew) found = std::make_unique<Item>();
        const LayerDisplay previous = found->layer;
        found->layer = l;
        if (isNew)
            rebuildItem(*found);
        else if (l.style == LayerStyle::Labels &&
                 (l.revision != found->surfaceRevision || l.surfacePerInstance != found->surfacePerInstance))
            startSurfaceJob(*found);
        applyItemStyle(*found);
        next.push_back(std::move(found));
    }
    for (auto& it : items_) {
        if (!it) continue;
        if (it->volume) renderer()->RemoveVolume(it->volume);
        if (it->actor) renderer()->RemoveActor(it->actor);
        if (it->watcher) it->watcher->waitForFinished();
    }
    items_ = std::move(next);

    // Slice planes show the first visible tomogram.
    planes_->volume = nullptr;
    for (const auto& it : items_)
        if (it->layer.style == LayerStyle::Grayscale && it->layer.visible) {
            planes_->layer = it->layer;
            planes_->volume = static_cast<const Volume*>(it->layer.data.get());
            break;
        }
    planes_->index = {-1, -1, -1};
    updatePlanes();
    if (!cameraInitialised_ && !items_.empty()) {
        setCameraPreset(CameraPreset::Reset);
        cameraInitialised_ = true;
    }
    update();
}

void VolumeView3D::rebuildItem(Item& item) {
    const LayerDisplay& l = item.layer;
    if (!l.data) return;
    if (l.style == LayerStyle::Grayscale || l.style == LayerStyle::Probability) {
        const auto& v = static_cast<const Volume&>(*l.data);
        // A wide window, fixed at creation: later window/level changes move the
        // transfer function instead of recomputing the copy.
        const auto w = percentileWindow(v, 0.001, 0.999);
        item.copyLow = std::min(w.first, l.low);
        item.copyHigh = std::max(w.second, l.high);
        item.copy = renderCopy(v, item.copyLow, item.copyHigh, kMaxRenderEdge);
        item.volumeMapper = vtkSmartPointer<vtkGPUVolumeRayCastMapper>::New();
        item.volumeMapper->SetInputData(item.copy);
        item.volumeMapper->SetAutoAdjustSampleDistances(1);
        item.volume = vtkSmartPointer<vtkVolume>::New();
        item.volume->SetMapper(item.volumeMapper);
        item.volume->SetProperty(vtkSmartPointer<vtkVolumeProperty>::New());
        renderer()->AddVolume(item.volume);
    } else if (l.style == LayerStyle::Labels) {
        item.mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
        item.mapper->SetScalarModeToUsePointData();
        item.mapper->SetColorModeToMapScalars();
        item.mapper->ScalarVisibilityOn();
        item.mapper->SetInputData(vtkSmartPointer<vtkPolyData>::New());
        item.actor = vtkSmartPointer<vtkActor>::New();
        item.actor->SetMapper(item.mapper);
        item.actor->GetProperty()->SetSpecular(0.2);
        renderer()->AddActor(item.actor);
        startSurfaceJob(item);
    } else if (l.style == LayerStyle::Mesh) {
        const auto& mesh = static_cast<const Mesh&>(*l.data);
        vtkSmartPointer<vtkPolyData> poly = toVtkPolyData(mesh);
        item.mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
        auto normals = vtkSmartPointer<vtkPolyDataNormals>::New();
        normals->SetInputData(poly);
        normals->SplittingOff();
        normals->Update();
        item.mapper->SetInputData(normals->GetOutput());
        if (poly->GetCellData()->GetArray("region")) {
            // Per-region colours, the same golden-ratio palette as labels.
            double range[2];
            poly->GetCellData()->GetArray("region")->GetRange(range);
            auto lut = labelLookup(LabelTable{});
            item.mapper->SetLookupTable(lut);
            item.mapper->SetScalarModeToUseCellFieldData();
            item.mapper->SelectColorArray("region");
            item.mapper->SetScalarRange(0, 65535);
            item.mapper->ScalarVisibilityOn();
        } else {
            item.mapper->ScalarVisibilityOff();
        }
        item.actor = vtkSmartPointer<vtkActor>::New();
        item.actor->SetMapper(item.mapper);
        item.actor->GetProperty()->SetColor(0.85, 0.75, 0.55);
        item.actor->GetProperty()->SetSpecular(0.25);
        renderer()->AddActor(item.actor);
    } else if (l.style == LayerStyle::Points) {
        const auto& ps = static_cast<const PointSet&>(*l.data);
        auto points = vtkSmartPointer<vtkPoints>::New();
        for (const auto& p : ps.points) points->InsertNextPoint(p.data());
        auto poly = vtkSmartPointer<vtkPolyData>::New();
        poly->SetPoints(points);
        auto glyphs = vtkSmartPointer<vtkVertexGlyphFilter>::New();
        glyphs->SetInputData(poly);
        glyphs->Update();
        item.mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
        item.mapper->SetInputData(glyphs->GetOutput());
        item.actor = vtkSmartPointer<vtkActor>::New();
        item.actor->SetMapper(item.mapper);
        item.actor->GetProperty()->SetPointSize(7);
        item.actor->GetProperty()->RenderPointsAsSpheresOn();
        item.actor->GetProperty()->SetColor(1.0, 0.6, 0.1);
        renderer()->AddActor(item.actor);
    }
}

void VolumeView3D::applyItemStyle(Item& item) {
    const LayerDisplay& l = item.layer;
    if (item.volume) {
        const bool on = l.visible && l.show3D && l.transferPreset != "off";
        item.volume->SetVisibility(on);
        if (on) {
            const double scale = 255.0 / (item.copyHigh > item.copyLow ? item.copyHigh - item.copyLow : 1.0);
            const double lo8 = (l.low - item.copyLow) * scale, hi8 = (l.high - item.copyLow) * scale;
            const double th8 = (l.threshold - item.copyLow) * scale;
            applyTransferPreset(item.volume->GetProperty(), item.volumeMapper, l.transferPreset, lo8, hi8,
                                makeColorTable(l.style == LayerStyle::Probability ? l.colorMap : "gray"),
                                l.style == LayerStyle::Probability, th8);
            item.volume->GetProperty()->SetScalarOpacityUnitDistance(
                static_cast<const Volume&>(*l.data).voxelSize()[0] * 2.0);
        }
    }
    if (item.actor) {
        if (l.style == LayerStyle::Labels) {
            const auto& labels = static_cast<const LabelVolume&>(*l.data);
            // Per instance: piece k gets the palette colour of id k + 1, whatever its label.
            item.mapper->SetLookupTable(item.surfacePerInstance ? instanceLookup() : labelLookup(labels.table()));
            item.mapper->SetScalarRange(0, 65535);
            item.mapper->UseLookupTableScalarRangeOn();
        }
        item.actor->SetVisibility(l.visible && l.show3D);
        item.actor->GetProperty()->SetOpacity(std::clamp(l.opacity, 0.0, 1.0));
    }
}

void VolumeView3D::refreshLayer(const std::string& name) {
    for (auto& it : items_)
        if (it->layer.name == name && it->layer.style == LayerStyle::Labels) startSurfaceJob(*it);
}

void VolumeView3D::startSurfaceJob(Item& item) {
    if (!item.mapper) return;
    if (item.watcher && item.watcher->isRunning()) {
        item.surfaceStale = true;  // run again when the current job ends
        return;
    }
    auto labels = std::dynamic_pointer_cast<const LabelVolume>(item.layer.data);
    if (!labels) return;
    item.surfaceRevision = item.layer.revision;
    item.surfacePerInstance = item.layer.surfacePerInstance;
    const bool perInstance = item.layer.surfacePerInstance;
    item.surfaceStale = false;
    item.watcher = std::make_unique<QFutureWatcher<vtkSmartPointer<vtkPolyData>>>();
    Item* raw = &item;
    connect(item.watcher.get(), &QFutureWatcherBase::finished, this, [this, raw] {
        // The item may have been dropped by setLayers meanwhile (it waits for us then).
        for (auto& it : items_)
            if (it.get() == raw) {
                raw->mapper->SetInputData(raw->watcher->result());
                if (raw->surfaceStale)
                    QTimer::singleShot(0, this, [this, raw] {
                        for (auto& i2 : items_)
                            if (i2.get() == raw) startSurfaceJob(*raw);
                    });
                update();
                Q_EMIT surfacesReady();
                return;
            }
    });
    // Note: the labels may be edited on the GUI thread while this runs; a torn read
    // only affects this preview, and a refresh follows every edit.
    item.watcher->setFuture(QtConcurrent::run([labels, perInstance] { return labelSurfaces(labels, perInstance); }));
}

void VolumeView3D::onCursorChanged() { planeTimer_->start(); }

void VolumeView3D::setSlicePlanesVisible(bool visible) {
    planesVisible_ = visible;
    updatePlanes();
    update();
}

void VolumeView3D::updatePlanes() {
    const Volume* v = planes_->volume;
    for (int k = 0; k < 3; ++k) planes_->actors[std::size_t(k)]->SetVisibility(v && planesVisible_);
    if (!v || !planesVisible_) return;
    const SliceAxis axes[3] = {SliceAxis::XY, SliceAxis::XZ, SliceAxis::YZ};
    const Vec3& o = v->origin();
    const Vec3& s = v->voxelSize();
    const Vec3 extent{double(v->nx()) * s[0], double(v->ny()) * s[1], double(v->nz()) * s[2]};
    const ColorTable table = makeColorTable(planes_->layer.colorMap);
    for (int k = 0; k < 3; ++k) {
        const SliceAxes a = sliceAxes(axes[k]);
        const SliceSize size = sliceSize(v->dims(), axes[k]);
        const double pos = link_->cursor()[std::size_t(a.normal)];
        const auto index =
            std::int64_t(std::clamp(std::floor((pos - o[a.normal]) / s[a.normal]), 0.0, double(size.depth - 1)));
        vtkImageData* img = planes_->images[std::size_t(k)];
        if (index != planes_->index[std::size_t(k)]) {
            img->SetDimensions(size.width, size.height, 1);
            auto array = vtkSmartPointer<vtkUnsignedCharArray>::New();
            array->SetNumberOfComponents(3);
            array->SetNumberOfTuples(vtkIdType(size.width) * size.height);
            scalarSliceToPixels(*v, axes[k], index, planes_->layer.low, planes_->layer.high, &table, 3,
                                array->GetPointer(0));
            img->GetPointData()->SetScalars(array);
            img->Modified();
            planes_->index[std::size_t(k)] = index;
        }
        const double p = o[a.normal] + (double(index) + 0.5) * s[a.normal];
        Vec3 origin = o, p1 = o, p2 = o;
        origin[a.normal] = p1[a.normal] = p2[a.normal] = p;
        p1[a.u] += extent[a.u];
        p2[a.v] += extent[a.v];
        planes_->quads[std::size_t(k)]->SetOrigin(origin.data());
        planes_->quads[std::size_t(k)]->SetPoint1(p1.data());
        planes_->quads[std::size_t(k)]->SetPoint2(p2.data());
    }
}

void VolumeView3D::setCameraPreset(CameraPreset preset) {
    vtkCamera* cam = renderer()->GetActiveCamera();
    cam->SetFocalPoint(0, 0, 0);
    switch (preset) {
        case CameraPreset::Reset:
            cam->SetPosition(0.9, -1.4, 1.6);
            cam->SetViewUp(0, 0, 1);
            break;
        case CameraPreset::Top:
            cam->SetPosition(0, 0, 1);
            cam->SetViewUp(0, 1, 0);
            break;
        case CameraPreset::Bottom:
            cam->SetPosition(0, 0, -1);
            cam->SetViewUp(0, 1, 0);
            break;
        case CameraPreset::Front:
            cam->SetPosition(0, -1, 0);
            cam->SetViewUp(0, 0, 1);
            break;
        case CameraPreset::Back:
            cam->SetPosition(0, 1, 0);
            cam->SetViewUp(0, 0, 1);
            break;
        case CameraPreset::Left:
            cam->SetPosition(-1, 0, 0);
            cam->SetViewUp(0, 0, 1);
            break;
        case CameraPreset::Right:
            cam->SetPosition(1, 0, 0);
            cam->SetViewUp(0, 0, 1);
            break;
    }
    renderer()->ResetCamera();
    update();
}

}  // namespace cellforge
