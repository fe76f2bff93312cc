// ITK images over a Volume's buffer, without copying: itk::ImportImageFilter with
// "the filter does not own the buffer". The view must not outlive the Volume.
#pragma once

#include "core/data/Volume.h"

#include <itkImage.h>
#include <itkImportImageFilter.h>

namespace cellforge {

// A 3D ITK image sharing `volume`'s voxels. Spacing and origin are in Å; ITK's origin
// is the centre of voxel (0,0,0), so it is shifted by half a voxel from Volume::origin.
template <typename T>
typename itk::Image<T, 3>::Pointer itkView(const Volume& volume) {
    using Import = itk::ImportImageFilter<T, 3>;
    auto import = Import::New();
    typename Import::SizeType size;
    typename Import::IndexType start;
    start.Fill(0);
    double spacing[3], origin[3];
    for (int a = 0; a < 3; ++a) {
        size[a] = static_cast<itk::SizeValueType>(volume.dims()[a]);
        spacing[a] = volume.voxelSize()[a];
        origin[a] = volume.origin()[a] + 0.5 * volume.voxelSize()[a];
    }
    typename Import::RegionType region;
    region.SetIndex(start);
    region.SetSize(size);
    import->SetRegion(region);
    import->SetSpacing(spacing);
    import->SetOrigin(origin);
    // ITK's API is non-const; the view is used read-only by convention unless the caller owns it.
    T* buffer = const_cast<T*>(volume.data<T>());
    import->SetImportPointer(buffer, static_cast<itk::SizeValueType>(volume.voxelCount()),
                             /*LetImageContainerManageMemory=*/false);
    import->Update();
    typename itk::Image<T, 3>::Pointer image = import->GetOutput();
    image->DisconnectPipeline();
    return image;
}

// A Volume that takes over the pixel buffer of an ITK image (no copy): the image's
// container is told to release ownership, and the Volume frees it with delete[].
template <typename T>
Volume volumeFromItk(itk::Image<T, 3>* image) {
    auto size = image->GetLargestPossibleRegion().GetSize();
    Index3 dims{std::int64_t(size[0]), std::int64_t(size[1]), std::int64_t(size[2])};
    auto* container = image->GetPixelContainer();
    T* raw = container->GetBufferPointer();
    bool owned = container->GetContainerManageMemory();
    std::shared_ptr<std::byte> storage;
    if (owned) {
        container->SetContainerManageMemory(false);
        storage = std::shared_ptr<std::byte>(reinterpret_cast<std::byte*>(raw),
                                             [](std::byte* p) { delete[] reinterpret_cast<T*>(p); });
    } else {
        // The image does not own its buffer (it is itself a view): copy.
        Volume copy(dims, ScalarTypeOf<T>::value);
        std::copy(raw, raw + copy.voxelCount(), copy.template data<T>());
        storage = std::shared_ptr<std::byte>(copy.bytes(), [keep = copy](std::byte*) {});
    }
    Volume result(dims, ScalarTypeOf<T>::value, storage);
    Vec3 spacing, origin;
    for (int a = 0; a < 3; ++a) {
        spacing[a] = image->GetSpacing()[a];
        origin[a] = image->GetOrigin()[a] - 0.5 * spacing[a];
    }
    result.setVoxelSize(spacing);
    result.setOrigin(origin);
    return result;
}

}  // namespace cellforge
