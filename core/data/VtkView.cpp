#include "core/data/VtkView.h"

#include <vtkCallbackCommand.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkCellType.h>
#include <vtkDataSet.h>
#include <vtkFloatArray.h>
#include <vtkGenericCell.h>
#include <vtkImageData.h>
#include <vtkIntArray.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkShortArray.h>
#include <vtkSignedCharArray.h>
#include <vtkUnsignedCharArray.h>
#include <vtkUnsignedShortArray.h>
#include <vtkUnstructuredGrid.h>

namespace cellforge {

namespace {

// Keeps the Volume's storage alive for as long as the VTK array uses it: the array
// does not free the buffer (save = 1); a DeleteEvent observer releases our reference.
void releaseOwner(vtkObject*, unsigned long, void* clientData, void*) { delete static_cast<Volume*>(clientData); }

template <typename ArrayT, typename T>
vtkSmartPointer<vtkDataArray> shareArray(const Volume& volume) {
    auto array = vtkSmartPointer<ArrayT>::New();
    T* ptr = const_cast<T*>(volume.data<T>());
    array->SetArray(ptr, volume.voxelCount(), /*save=*/1);
    auto release = vtkSmartPointer<vtkCallbackCommand>::New();
    release->SetClientData(new Volume(volume));  // shallow copy: shares the storage
    release->SetCallback(releaseOwner);
    array->AddObserver(vtkCommand::DeleteEvent, release);
    return array;
}

}  // namespace

vtkSmartPointer<vtkImageData> vtkImageView(const Volume& volume) {
    auto image = vtkSmartPointer<vtkImageData>::New();
    image->SetDimensions(int(volume.nx()), int(volume.ny()), int(volume.nz()));
    image->SetSpacing(volume.voxelSize().data());
    image->SetOrigin(volume.origin()[0] + 0.5 * volume.voxelSize()[0], volume.origin()[1] + 0.5 * volume.voxelSize()[1],
                     volume.origin()[2] + 0.5 * volume.voxelSize()[2]);
    vtkSmartPointer<vtkDataArray> array;
    switch (volume.scalarType()) {
        case ScalarType::UInt8:
            array = shareArray<vtkUnsignedCharArray, std::uint8_t>(volume);
            break;
        case ScalarType::Int8:
            array = shareArray<vtkSignedCharArray, std::int8_t>(volume);
            break;
        case ScalarType::Int16:
            array = shareArray<vtkShortArray, std::int16_t>(volume);
            break;
        case ScalarType::UInt16:
            array = shareArray<vtkUnsignedShortArray, std::uint16_t>(volume);
            break;
        case ScalarType::Float32:
            array = shareArray<vtkFloatArray, float>(volume);
            break;
    }
    array->SetName("scalars");
    image->GetPointData()->SetScalars(array);
    return image;
}

vtkSmartPointer<vtkPolyData> toVtkPolyData(const Mesh& mesh) {
    auto poly = vtkSmartPointer<vtkPolyData>::New();
    auto points = vtkSmartPointer<vtkPoints>::New();
    points->SetDataTypeToDouble();
    points->SetNumberOfPoints(vtkIdType(mesh.points.size()));
    for (std::size_t i = 0; i < mesh.points.size(); ++i) points->SetPoint(vtkIdType(i), mesh.points[i].data());
    auto cells = vtkSmartPointer<vtkCellArray>::New();
    cells->AllocateExact(vtkIdType(mesh.triangles.size()), vtkIdType(mesh.triangles.size() * 3));
    for (const auto& t : mesh.triangles) {
        const vtkIdType ids[3] = {t[0], t[1], t[2]};
        cells->InsertNextCell(3, ids);
    }
    poly->SetPoints(points);
    poly->SetPolys(cells);
    if (!mesh.triangleRegions.empty()) {
        auto regions = vtkSmartPointer<vtkIntArray>::New();
        regions->SetName("region");
        regions->SetNumberOfValues(vtkIdType(mesh.triangleRegions.size()));
        for (std::size_t i = 0; i < mesh.triangleRegions.size(); ++i)
            regions->SetValue(vtkIdType(i), mesh.triangleRegions[i]);
        poly->GetCellData()->AddArray(regions);
    }
    return poly;
}

vtkSmartPointer<vtkUnstructuredGrid> toVtkUnstructuredGrid(const Mesh& mesh) {
    auto grid = vtkSmartPointer<vtkUnstructuredGrid>::New();
    auto points = vtkSmartPointer<vtkPoints>::New();
    points->SetDataTypeToDouble();
    points->SetNumberOfPoints(vtkIdType(mesh.points.size()));
    for (std::size_t i = 0; i < mesh.points.size(); ++i) points->SetPoint(vtkIdType(i), mesh.points[i].data());
    grid->SetPoints(points);
    grid->Allocate(vtkIdType(mesh.tetrahedra.size() + mesh.triangles.size()));
    auto regions = vtkSmartPointer<vtkIntArray>::New();
    regions->SetName("region");
    const bool hasRegions = !mesh.tetrahedronRegions.empty() || !mesh.triangleRegions.empty();
    for (std::size_t i = 0; i < mesh.tetrahedra.size(); ++i) {
        const auto& t = mesh.tetrahedra[i];
        const vtkIdType ids[4] = {t[0], t[1], t[2], t[3]};
        grid->InsertNextCell(VTK_TETRA, 4, ids);
        regions->InsertNextValue(mesh.tetrahedronRegions.empty() ? 0 : mesh.tetrahedronRegions[i]);
    }
    for (std::size_t i = 0; i < mesh.triangles.size(); ++i) {
        const auto& t = mesh.triangles[i];
        const vtkIdType ids[3] = {t[0], t[1], t[2]};
        grid->InsertNextCell(VTK_TRIANGLE, 3, ids);
        regions->InsertNextValue(mesh.triangleRegions.empty() ? 0 : mesh.triangleRegions[i]);
    }
    if (hasRegions) grid->GetCellData()->AddArray(regions);
    return grid;
}

Mesh meshFromVtk(vtkDataSet* data) {
    Mesh mesh;
    if (!data) return mesh;
    const vtkIdType np = data->GetNumberOfPoints();
    mesh.points.resize(std::size_t(np));
    for (vtkIdType i = 0; i < np; ++i) data->GetPoint(i, mesh.points[std::size_t(i)].data());
    vtkDataArray* regionArray = data->GetCellData()->GetArray("region");
    bool anyRegion = regionArray != nullptr;
    auto cell = vtkSmartPointer<vtkGenericCell>::New();
    for (vtkIdType c = 0; c < data->GetNumberOfCells(); ++c) {
        data->GetCell(c, cell);
        const int type = cell->GetCellType();
        const std::int32_t region = regionArray ? std::int32_t(regionArray->GetTuple1(c)) : 0;
        vtkIdList* ids = cell->GetPointIds();
        if (type == VTK_TETRA) {
            mesh.tetrahedra.push_back({std::int32_t(ids->GetId(0)), std::int32_t(ids->GetId(1)),
                                       std::int32_t(ids->GetId(2)), std::int32_t(ids->GetId(3))});
            mesh.tetrahedronRegions.push_back(region);
        } else if (type == VTK_TRIANGLE || type == VTK_POLYGON || type == VTK_QUAD) {
            for (vtkIdType k = 1; k + 1 < ids->GetNumberOfIds(); ++k) {  // fan triangulation
                mesh.triangles.push_back(
                    {std::int32_t(ids->GetId(0)), std::int32_t(ids->GetId(k)), std::int32_t(ids->GetId(k + 1))});
                mesh.triangleRegions.push_back(region);
            }
        } else if (type == VTK_TRIANGLE_STRIP) {
            for (vtkIdType k = 0; k + 2 < ids->GetNumberOfIds(); ++k) {
                auto a = std::int32_t(ids->GetId(k)), b = std::int32_t(ids->GetId(k + 1)),
                     d = std::int32_t(ids->GetId(k + 2));
                if (k % 2) std::swap(a, b);
                mesh.triangles.push_back({a, b, d});
                mesh.triangleRegions.push_back(region);
            }
        }
    }
    if (!anyRegion) {
        mesh.triangleRegions.clear();
        mesh.tetrahedronRegions.clear();
    }
    return mesh;
}

}  // namespace cellforge
