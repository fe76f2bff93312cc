// The ITK and VTK views must share the Volume's voxels: no copy is made.
#include "core/data/ItkView.h"
#include "core/data/VtkView.h"

#include <gtest/gtest.h>

#include <vtkDataArray.h>
#include <vtkImageData.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkUnstructuredGrid.h>

using namespace cellforge;

TEST(ItkView, SharesTheBufferAndGeometry) {
    Volume v({5, 4, 3}, ScalarType::Float32);
    v.setVoxelSize({2, 3, 4});
    v.setOrigin({10, 20, 30});
    auto image = itkView<float>(v);
    EXPECT_EQ(static_cast<void*>(image->GetBufferPointer()), static_cast<void*>(v.bytes()));
    // A write through the view is seen by the Volume: same memory.
    itk::Index<3> idx{{4, 3, 2}};
    image->SetPixel(idx, 42.0f);
    EXPECT_FLOAT_EQ(v.data<float>()[v.index(4, 3, 2)], 42.0f);
    EXPECT_DOUBLE_EQ(image->GetSpacing()[1], 3.0);
    EXPECT_DOUBLE_EQ(image->GetOrigin()[0], 11.0);  // centre of voxel 0
}

TEST(ItkView, VolumeFromItkTakesOverTheBuffer) {
    using Image = itk::Image<float, 3>;
    auto image = Image::New();
    Image::RegionType region;
    region.SetSize({{3, 2, 1}});
    image->SetRegions(region);
    image->Allocate();
    image->FillBuffer(1.5f);
    const float* raw = image->GetBufferPointer();
    Volume v = volumeFromItk<float>(image.GetPointer());
    image = nullptr;  // the Volume now owns the memory
    EXPECT_EQ(static_cast<const void*>(v.bytes()), static_cast<const void*>(raw));
    EXPECT_FLOAT_EQ(v.data<float>()[5], 1.5f);
}

TEST(VtkView, SharesTheBufferAndOutlivesTheVolume) {
    vtkSmartPointer<vtkImageData> image;
    const void* raw = nullptr;
    {
        Volume v({6, 5, 4}, ScalarType::UInt16);
        v.setVoxelSize({1.5, 1.5, 2});
        v.data<std::uint16_t>()[v.index(1, 2, 3)] = 321;
        raw = v.bytes();
        image = vtkImageView(v);
    }
    EXPECT_EQ(image->GetPointData()->GetScalars()->GetVoidPointer(0), raw);
    EXPECT_EQ(image->GetScalarComponentAsDouble(1, 2, 3, 0), 321.0);
    EXPECT_DOUBLE_EQ(image->GetSpacing()[2], 2.0);
}

TEST(VtkView, MeshRoundTripKeepsRegions) {
    Mesh m;
    m.points = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    m.triangles = {{0, 1, 2}, {0, 1, 3}};
    m.triangleRegions = {4, 5};
    m.tetrahedra = {{0, 1, 2, 3}};
    m.tetrahedronRegions = {7};
    const Mesh fromPoly = meshFromVtk(toVtkPolyData(m));
    EXPECT_EQ(fromPoly.triangles, m.triangles);
    EXPECT_EQ(fromPoly.triangleRegions, m.triangleRegions);
    const Mesh fromGrid = meshFromVtk(toVtkUnstructuredGrid(m));
    EXPECT_EQ(fromGrid.tetrahedra, m.tetrahedra);
    EXPECT_EQ(fromGrid.tetrahedronRegions, m.tetrahedronRegions);
    EXPECT_EQ(fromGrid.triangleRegions, m.triangleRegions);
}
