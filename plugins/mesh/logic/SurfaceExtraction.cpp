#include "plugins/mesh/logic/SurfaceExtraction.h"

#include "core/base/Errors.h"
#include "core/base/LargeBuffer.h"
#include "core/base/Parallel.h"
#include "core/data/VtkView.h"
#include "plugins/mesh/logic/BinaryMarchingCubes.h"
#include "plugins/mesh/logic/SurfaceNets.h"

#include <vtkCellArray.h>
#include <vtkFlyingEdges3D.h>
#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkSmartPointer.h>
#include <vtkWindowedSincPolyDataFilter.h>

#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>

namespace cellforge::mesh {

namespace {

// Appends the triangles of `poly` to `mesh` with one region marker.
void appendPolyData(Mesh& mesh, vtkPolyData* poly, std::int32_t region) {
    const auto offset = std::int32_t(mesh.points.size());
    const vtkIdType np = poly->GetNumberOfPoints();
    for (vtkIdType i = 0; i < np; ++i) {
        std::array<double, 3> p;
        poly->GetPoint(i, p.data());
        mesh.points.push_back(p);
    }
    vtkCellArray* polys = poly->GetPolys();
    vtkIdType n = 0;
    const vtkIdType* ids = nullptr;
    for (polys->InitTraversal(); polys->GetNextCell(n, ids);) {
        for (vtkIdType k = 1; k + 1 < n; ++k) {
            mesh.triangles.push_back(
                {offset + std::int32_t(ids[0]), offset + std::int32_t(ids[k]), offset + std::int32_t(ids[k + 1])});
            mesh.triangleRegions.push_back(region);
        }
    }
}

// A binary mask of a box of the volume with one voxel of 0 around it, so that every
// surface closes. `writeRow(y, z, out)` writes the mask values of voxels lo[0]..hi[0]
// of row (y, z) of the volume.
struct OwnedMask {
    std::unique_ptr<std::uint8_t[]> voxels;
    BinaryMask view;
};

template <typename RowWriter>
OwnedMask makeMask(const Volume& volume, const Index3& lo, const Index3& hi, RowWriter writeRow) {
    OwnedMask m;
    const std::int64_t d0 = hi[0] - lo[0] + 3, d1 = hi[1] - lo[1] + 3, d2 = hi[2] - lo[2] + 3;
    m.voxels.reset(new std::uint8_t[std::size_t(d0 * d1 * d2)]);  // every byte is written below
    for (std::int64_t z = 0; z < d2; ++z)
        for (std::int64_t y = 0; y < d1; ++y) {
            std::uint8_t* row = m.voxels.get() + d0 * (y + d1 * z);
            if (z == 0 || z == d2 - 1 || y == 0 || y == d1 - 1) {
                std::memset(row, 0, std::size_t(d0));
                continue;
            }
            row[0] = row[d0 - 1] = 0;
            writeRow(y - 1 + lo[1], z - 1 + lo[2], row + 1);
        }
    m.view.voxels = m.voxels.get();
    m.view.nx = d0, m.view.ny = d1, m.view.nz = d2;
    for (std::size_t a = 0; a < 3; ++a) {
        m.view.spacing[a] = volume.voxelSize()[a];
        // Voxel centre of mask voxel 0 = volume voxel lo - 1.
        m.view.origin[a] = volume.origin()[a] + (double(lo[a] - 1) + 0.5) * volume.voxelSize()[a];
    }
    return m;
}

// Runs a VTK filter's Update() on at most `threads` threads. VTK's threaded filters
// (flying edges, windowed-sinc smoothing) run on TBB, VTK's SMP backend here, and take
// every core unless told otherwise; vtkSMPTools' own thread setting is process-wide and
// not thread-safe, so concurrent jobs cannot each set theirs. A TBB arena bounds only
// the work started inside it: the filter runs in one sized to the budget. (This assumes
// nothing in the process calls vtkSMPTools::Initialize, whose arena VTK would use instead.)
template <typename Filter>
void updateWithThreads(Filter* filter, int threads) {
    tbb::task_arena arena(std::max(1, threads));
    arena.execute([&] { filter->Update(); });
}

vtkSmartPointer<vtkPolyData> windowedSinc(vtkPolyData* input, const WindowedSincOptions& options, int threads) {
    auto smoother = vtkSmartPointer<vtkWindowedSincPolyDataFilter>::New();
    smoother->SetInputData(input);
    smoother->SetNumberOfIterations(options.iterations);
    smoother->SetPassBand(options.passBand);
    smoother->NormalizeCoordinatesOn();  // pass band independent of the size in Å
    smoother->NonManifoldSmoothingOn();
    smoother->SetBoundarySmoothing(options.smoothBoundary);
    if (options.featureAngle > 0) {
        smoother->FeatureEdgeSmoothingOn();
        smoother->SetFeatureAngle(options.featureAngle);
        smoother->SetEdgeAngle(options.featureAngle);
    } else {
        smoother->FeatureEdgeSmoothingOff();
    }
    updateWithThreads(smoother.Get(), threads);
    vtkSmartPointer<vtkPolyData> out = smoother->GetOutput();
    return out;
}

// Whether a marching-cubes surface of `mask` faces into it. The case table orients every
// triangle the same way relative to the inside, so a vote over a few triangles decides
// for the whole surface, cavities included: step a third of a voxel along each normal
// and look at the mask there.
bool facesInward(const std::array<double, 3>* points, std::int32_t firstPoint,
                 const std::array<std::int32_t, 3>* triangles, std::size_t count, const BinaryMask& mask) {
    int inward = 0, outward = 0;
    const std::size_t stride = std::max<std::size_t>(1, count / 63);
    for (std::size_t k = 0; k < count; k += stride) {
        const auto& t = triangles[k];
        const auto& a = points[t[0] - firstPoint];
        const auto& b = points[t[1] - firstPoint];
        const auto& c = points[t[2] - firstPoint];
        const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]}, v[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
        const double n[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
        const double len = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        if (len <= 0) continue;
        std::int64_t index[3];
        const std::int64_t dims[3] = {mask.nx, mask.ny, mask.nz};
        bool inside = true;
        for (std::size_t d = 0; d < 3; ++d) {
            const double probe = (a[d] + b[d] + c[d]) / 3.0 + mask.spacing[d] / 3.0 * n[d] / len;
            index[d] = std::int64_t(std::floor((probe - mask.origin[d]) / mask.spacing[d] + 0.5));
            inside = inside && index[d] >= 0 && index[d] < dims[d];
        }
        const bool inMask = inside && mask.voxels[index[0] + mask.nx * (index[1] + mask.ny * index[2])] != 0;
        (inMask ? inward : outward) += 1;
    }
    return inward > outward;
}

// Windowed-sinc smoothing of one piece of a mesh in place (its points and triangles are
// contiguous ranges of the mesh's arrays).
void smoothPiece(Mesh& mesh, std::size_t firstPoint, std::size_t points, std::size_t firstTriangle,
                 std::size_t triangles, const WindowedSincOptions& smoothing, int threads) {
    auto poly = vtkSmartPointer<vtkPolyData>::New();
    auto pts = vtkSmartPointer<vtkPoints>::New();
    pts->SetDataTypeToDouble();
    pts->SetNumberOfPoints(vtkIdType(points));
    for (std::size_t i = 0; i < points; ++i) pts->SetPoint(vtkIdType(i), mesh.points[firstPoint + i].data());
    auto cells = vtkSmartPointer<vtkCellArray>::New();
    cells->AllocateExact(vtkIdType(triangles), vtkIdType(3 * triangles));
    for (std::size_t t = 0; t < triangles; ++t) {
        const auto& tri = mesh.triangles[firstTriangle + t];
        const vtkIdType ids[3] = {tri[0] - vtkIdType(firstPoint), tri[1] - vtkIdType(firstPoint),
                                  tri[2] - vtkIdType(firstPoint)};
        cells->InsertNextCell(3, ids);
    }
    poly->SetPoints(pts);
    poly->SetPolys(cells);
    auto smoothed = windowedSinc(poly, smoothing, threads);
    for (std::size_t i = 0; i < points; ++i) smoothed->GetPoint(vtkIdType(i), mesh.points[firstPoint + i].data());
}

void checkSmoothing(const WindowedSincOptions& s) {
    if (s.iterations < 0) throw InputError("smoothing iterations must be >= 0, got " + std::to_string(s.iterations));
    if (s.iterations > 0 && !(s.passBand > 0 && s.passBand < 2))
        throw InputError("smoothing pass band must be in (0, 2), got " + std::to_string(s.passBand));
}

}  // namespace

SurfaceResult extractLabelSurfaces(const LabelVolume& labels, const LabelSurfaceOptions& options,
                                   const RunControl& control) {
    checkSmoothing(options.smoothing);
    SurfaceResult result;
    if (options.mode == SurfaceMode::MultiLabel) {
        SurfaceNetsOptions nets;
        nets.labels = options.labels;
        nets.smoothingIterations = options.netsIterations;
        auto r = extractSurfaceNets(labels, nets, control);
        result.mesh = std::move(r.mesh);
        std::map<std::int32_t, std::size_t> count;
        for (auto m : result.mesh.triangleRegions) ++count[m];
        for (const auto& e : r.interfaces) result.regions.push_back({e.marker, e.labelB, e.labelA, 0, count[e.marker]});
        for (const auto& e : selectLabels(labels, options.labels, "labels", control))
            if (e.thin)
                result.warnings.push_back("label " + std::to_string(e.label) +
                                          " is at most one voxel thick everywhere (a sheet, line or dot)");
        return result;
    }

    const auto extents = selectLabels(labels, options.labels, "labels", control);
    // Progress: the pieces of the labels (mode components) up to 0.1, counting the
    // surfaces up to 0.3, writing them up to 0.95.
    const double piecesEnd = options.mode == SurfaceMode::Components ? 0.1 : 0.0;
    // One job per closed surface: a label, or a 26-connected piece of a label.
    struct Job {
        std::int32_t region;
        LabelId label;
        std::int64_t voxels;
        Index3 lo, hi;
        const LabelComponents* components;  // null: the whole label
        std::uint32_t component;
    };
    std::vector<Job> jobs;
    std::vector<std::unique_ptr<LabelComponents>> allComponents;
    std::int32_t nextPiece = 1;
    for (std::size_t k = 0; k < extents.size(); ++k) {
        const auto& e = extents[k];
        if (e.thin)
            result.warnings.push_back("label " + std::to_string(e.label) +
                                      " is at most one voxel thick everywhere (a sheet, line or dot): its closed "
                                      "surface is a thin shell that smoothing may collapse; consider dilating it");
        if (options.mode == SurfaceMode::Labels) {
            jobs.push_back({std::int32_t(e.label), e.label, e.voxels, e.lo, e.hi, nullptr, 0});
            continue;
        }
        const auto pieces =
            control
                .sub(piecesEnd * double(k) / double(extents.size()), piecesEnd * double(k + 1) / double(extents.size()))
                .withMessage("surfaces: pieces of label " + std::to_string(e.label));
        allComponents.push_back(std::make_unique<LabelComponents>(labelComponents(labels, e, pieces)));
        const auto& components = *allComponents.back();
        std::vector<std::size_t> order(components.voxels.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return components.voxels[a] > components.voxels[b]; });
        std::size_t dropped = 0;
        for (auto c : order) {
            if (components.voxels[c] < options.minComponentVoxels) {
                ++dropped;
                continue;
            }
            jobs.push_back({nextPiece++, e.label, components.voxels[c], components.boxes[c][0], components.boxes[c][1],
                            &components, std::uint32_t(c + 1)});
        }
        if (dropped)
            control.note("label " + std::to_string(e.label) + ": dropped " + std::to_string(dropped) +
                         " piece(s) smaller than " + std::to_string(options.minComponentVoxels) + " voxels");
    }

    // The surfaces are independent: build each one's mask and count its marching-cubes
    // output in parallel (on the control's threads, a surface per block since their sizes
    // differ by orders of magnitude), size the mesh once, then write each surface straight
    // into its part of the mesh. The masks (the labels' boxes, one byte per voxel) are
    // kept between the two passes.
    std::vector<std::vector<std::int32_t>> scratch(std::size_t(control.threadCount()));  // per worker
    const LabelId* data = labels.labels();
    const auto nx = labels.nx(), ny = labels.ny();
    std::vector<OwnedMask> masks(jobs.size());
    auto maskOf = [&](std::size_t j) {
        const Job& job = jobs[j];
        const auto width = job.hi[0] - job.lo[0] + 1;
        if (!job.components)
            return makeMask(labels, job.lo, job.hi, [&](std::int64_t y, std::int64_t z, std::uint8_t* out) {
                const LabelId* in = data + nx * (y + ny * z) + job.lo[0];
                for (std::int64_t x = 0; x < width; ++x) out[x] = in[x] == job.label;
            });
        const auto& c = *job.components;
        return makeMask(labels, job.lo, job.hi, [&](std::int64_t y, std::int64_t z, std::uint8_t* out) {
            const std::uint32_t* in =
                c.ids.data() + (job.lo[0] - c.lo[0]) + c.dims[0] * ((y - c.lo[1]) + c.dims[1] * (z - c.lo[2]));
            for (std::int64_t x = 0; x < width; ++x) out[x] = in[x] == job.component;
        });
    };
    // Progress is reported per finished surface, from the calling thread only.
    const ParallelOptions perSurface{1, true};
    std::vector<MarchingCubesCount> counts(jobs.size());
    parallelFor(
        std::int64_t(jobs.size()), control.sub(piecesEnd, 0.3).withMessage("surfaces: counting"),
        [&](std::int64_t j, int) {
            masks[std::size_t(j)] = maskOf(std::size_t(j));
            counts[std::size_t(j)] = countMarchingCubes(masks[std::size_t(j)].view);
        },
        perSurface);
    std::vector<std::size_t> pointOffset(jobs.size() + 1, 0), triangleOffset(jobs.size() + 1, 0);
    for (std::size_t j = 0; j < jobs.size(); ++j) {
        pointOffset[j + 1] = pointOffset[j] + counts[j].points;
        triangleOffset[j + 1] = triangleOffset[j] + counts[j].triangles;
        result.regions.push_back({jobs[j].region, jobs[j].label, 0, jobs[j].voxels, counts[j].triangles});
    }
    if (triangleOffset.back() > std::size_t(std::numeric_limits<std::int32_t>::max()) ||
        pointOffset.back() > std::size_t(std::numeric_limits<std::int32_t>::max()))
        throw StageError("the surfaces have more than 2^31 points or triangles; select fewer labels");
    // Zeroing tens of MB is a serial cost worth splitting between threads: the points in
    // one part, the triangles and their markers (about as many bytes) in the other.
    parallelFor(2, control, [&](std::int64_t part, int) {
        if (part == 0) {
            resizeForWriting(result.mesh.points, pointOffset.back());
        } else {
            resizeForWriting(result.mesh.triangles, triangleOffset.back());
            resizeForWriting(result.mesh.triangleRegions, triangleOffset.back());
        }
    });
    // The largest surfaces first, so that no thread is left with a large one at the end.
    std::vector<std::size_t> bySize(jobs.size());
    std::iota(bySize.begin(), bySize.end(), 0);
    std::stable_sort(bySize.begin(), bySize.end(),
                     [&](std::size_t a, std::size_t b) { return counts[a].triangles > counts[b].triangles; });
    // Each surface's smoothing gets its share of the budget: all of it when there is one
    // surface, one thread each when there are as many surfaces as threads.
    const int threads = control.threadCount();
    const int busy = int(std::clamp<std::size_t>(jobs.size(), 1, std::size_t(threads)));
    const int smoothingThreads = std::max(1, threads / busy);
    parallelFor(
        std::int64_t(jobs.size()), control.sub(0.3, 0.95).withMessage("surfaces"),
        [&](std::int64_t item, int worker) {
            const auto j = bySize[std::size_t(item)];
            const auto& binary = masks[j].view;
            auto* points = result.mesh.points.data() + pointOffset[j];
            auto* triangles = result.mesh.triangles.data() + triangleOffset[j];
            const auto first = std::int32_t(pointOffset[j]);
            generateMarchingCubes(binary, points, triangles, first, scratch[std::size_t(worker)]);
            const std::size_t n = counts[j].triangles;
            if (facesInward(points, first, triangles, n, binary))
                for (std::size_t t = 0; t < n; ++t) std::swap(triangles[t][1], triangles[t][2]);
            std::fill(result.mesh.triangleRegions.begin() + std::ptrdiff_t(triangleOffset[j]),
                      result.mesh.triangleRegions.begin() + std::ptrdiff_t(triangleOffset[j + 1]), jobs[j].region);
            masks[j] = OwnedMask();
            if (options.smoothing.iterations > 0 && n > 0)
                smoothPiece(result.mesh, pointOffset[j], counts[j].points, triangleOffset[j], n, options.smoothing,
                            smoothingThreads);
        },
        perSurface);
    if (result.mesh.triangles.empty())
        throw InputError(
            "labels: no surface was produced (every selected piece was smaller than min_component_voxels)");
    control.report(1.0, "surfaces done");
    return result;
}

Mesh extractIsosurface(const Volume& field, double level, const WindowedSincOptions& smoothing, bool closeAtBorder,
                       const RunControl& control) {
    checkSmoothing(smoothing);
    if (!std::isfinite(level)) throw InputError("level: must be a finite number");
    const auto stats = computeStatistics(field);
    if (stats.max < level)
        throw InputError("level: no voxel reaches the level " + std::to_string(level) + " (the field's maximum is " +
                         std::to_string(stats.max) + ")");
    if (stats.min >= level)
        throw InputError("level: every voxel is at or above the level " + std::to_string(level) +
                         " (the field's minimum is " + std::to_string(stats.min) + "); there is no surface");
    control.report(0.05, "isosurface");
    vtkSmartPointer<vtkImageData> image;
    std::vector<float> padded;
    if (closeAtBorder) {
        const Index3 d{field.nx() + 2, field.ny() + 2, field.nz() + 2};
        const float below = float(std::min(level, stats.min) - 1.0);
        padded.assign(std::size_t(d[0] * d[1] * d[2]), below);
        for (std::int64_t z = 0; z < field.nz(); ++z)
            for (std::int64_t y = 0; y < field.ny(); ++y)
                for (std::int64_t x = 0; x < field.nx(); ++x)
                    padded[std::size_t((x + 1) + d[0] * ((y + 1) + d[1] * (z + 1)))] = float(field.valueAt(x, y, z));
        image = vtkSmartPointer<vtkImageData>::New();
        image->SetDimensions(int(d[0]), int(d[1]), int(d[2]));
        image->SetSpacing(field.voxelSize().data());
        image->SetOrigin(field.origin()[0] - 0.5 * field.voxelSize()[0], field.origin()[1] - 0.5 * field.voxelSize()[1],
                         field.origin()[2] - 0.5 * field.voxelSize()[2]);
        auto array = vtkSmartPointer<vtkFloatArray>::New();
        array->SetArray(padded.data(), vtkIdType(padded.size()), 1);
        image->GetPointData()->SetScalars(array);
    } else {
        image = vtkImageView(field);
    }
    control.throwIfCancelled();
    auto fe = vtkSmartPointer<vtkFlyingEdges3D>::New();
    fe->SetInputData(image);
    fe->SetValue(0, level);
    fe->ComputeNormalsOff();
    fe->ComputeGradientsOff();
    fe->ComputeScalarsOff();
    updateWithThreads(fe.Get(), control.threadCount());
    vtkSmartPointer<vtkPolyData> surface = fe->GetOutput();
    control.report(0.5, "isosurface: smoothing");
    control.throwIfCancelled();
    if (smoothing.iterations > 0) surface = windowedSinc(surface, smoothing, control.threadCount());
    Mesh mesh;
    appendPolyData(mesh, surface, 1);
    if (mesh.triangles.empty()) throw StageError("the isosurface is empty");

    // Orientation: normals point toward lower values. Vote on a few triangles by
    // sampling the field a little way along each normal.
    const auto& vs = field.voxelSize();
    auto sample = [&](const std::array<double, 3>& p) {
        std::int64_t i[3];
        for (int a = 0; a < 3; ++a) {
            i[a] = std::int64_t(std::floor((p[std::size_t(a)] - field.origin()[std::size_t(a)]) / vs[std::size_t(a)]));
            if (i[a] < 0 || i[a] >= field.dims()[std::size_t(a)]) return -HUGE_VAL;  // outside counts as below
        }
        return field.valueAt(i[0], i[1], i[2]);
    };
    int outward = 0, inward = 0;
    const std::size_t stride = std::max<std::size_t>(1, mesh.triangles.size() / 101);
    for (std::size_t k = 0; k < mesh.triangles.size(); k += stride) {
        const auto& t = mesh.triangles[k];
        const auto& a = mesh.points[std::size_t(t[0])];
        const auto& b = mesh.points[std::size_t(t[1])];
        const auto& c = mesh.points[std::size_t(t[2])];
        std::array<double, 3> u{b[0] - a[0], b[1] - a[1], b[2] - a[2]}, v{c[0] - a[0], c[1] - a[1], c[2] - a[2]};
        std::array<double, 3> n{u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
        const double len = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        if (len <= 0) continue;
        const double step = 1.5 * std::max({vs[0], vs[1], vs[2]});
        std::array<double, 3> front, back;
        for (int d = 0; d < 3; ++d) {
            const double centre = (a[std::size_t(d)] + b[std::size_t(d)] + c[std::size_t(d)]) / 3.0;
            front[std::size_t(d)] = centre + step * n[std::size_t(d)] / len;
            back[std::size_t(d)] = centre - step * n[std::size_t(d)] / len;
        }
        const double f = sample(front), r = sample(back);
        if (f < r)
            ++outward;
        else if (f > r)
            ++inward;
    }
    if (inward > outward)
        for (auto& t : mesh.triangles) std::swap(t[1], t[2]);
    control.report(1.0, "isosurface done");
    return mesh;
}

void smoothWindowedSinc(Mesh& mesh, const WindowedSincOptions& options, const RunControl& control) {
    checkSmoothing(options);
    if (options.iterations == 0 || mesh.triangles.empty()) return;
    Mesh surface;
    surface.points = mesh.points;
    surface.triangles = mesh.triangles;
    auto poly = toVtkPolyData(surface);
    control.throwIfCancelled();
    auto smoothed = windowedSinc(poly, options, control.threadCount());
    if (smoothed->GetNumberOfPoints() != vtkIdType(mesh.points.size()))
        throw StageError("windowed-sinc smoothing changed the number of points (" + std::to_string(mesh.points.size()) +
                         " -> " + std::to_string(smoothed->GetNumberOfPoints()) + ")");
    for (std::size_t i = 0; i < mesh.points.size(); ++i) smoothed->GetPoint(vtkIdType(i), mesh.points[i].data());
}

}  // namespace cellforge::mesh
