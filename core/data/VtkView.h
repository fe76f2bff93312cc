// VTK data objects over CellForge data: vtkImageData sharing a Volume's voxels
// (no copy), and conversions between Mesh and vtkPolyData / vtkUnstructuredGrid.
#pragma once

#include "core/data/Mesh.h"
#include "core/data/Volume.h"

#include <vtkSmartPointer.h>

class vtkImageData;
class vtkPolyData;
class vtkUnstructuredGrid;
class vtkDataSet;

namespace cellforge {

// Shares the voxel buffer: the returned image keeps a reference to the storage, so
// it stays valid even if the Volume is destroyed. Spacing in Å; VTK's origin is the
// centre of voxel (0,0,0). The scalar array is named "scalars".
vtkSmartPointer<vtkImageData> vtkImageView(const Volume& volume);

// Triangles (with "region" cell data) to vtkPolyData; tetrahedra are ignored.
vtkSmartPointer<vtkPolyData> toVtkPolyData(const Mesh& mesh);
// Tetrahedra (and triangles) to vtkUnstructuredGrid with "region" cell data.
vtkSmartPointer<vtkUnstructuredGrid> toVtkUnstructuredGrid(const Mesh& mesh);
// Triangles, tetrahedra and an integer cell array named "region" if present.
// Polygons with more than 3 points are triangulated; other cells are skipped.
Mesh meshFromVtk(vtkDataSet* data);

}  // namespace cellforge
