// Running ITK filters under a RunControl: its thread budget as the filter's work units,
// progress forwarded and cancellation turned into ITK's abort flag (an observer on
// ProgressEvent, and a watcher thread for filters that report progress rarely), and
// the 3D / slice-by-slice modes over a Volume without copying its voxels.
#pragma once

#include <itkImage.h>
#include <itkProcessObject.h>

#include <algorithm>
#include <cstring>

#include "core/data/ItkView.h"
#include "plugins/filters/logic/FilterCommon.h"

namespace cellforge::filters {

using FloatImage2 = itk::Image<float, 2>;
using FloatImage3 = itk::Image<float, 3>;

// Updates `filter` with control.threadCount() work units, reporting its progress to
// `control` (1.0 at the end). Throws CancelledError if the control is cancelled (ITK's
// ProcessAborted), StageError with ITK's description if the filter fails.
void runItkFilter(itk::ProcessObject* filter, const RunControl& control);

// A 2D ITK image over slice z of a float32 volume, without copying; spacing and origin
// from the volume's x and y. Must not outlive the volume; used read-only.
FloatImage2::Pointer itkSliceView(const Volume& volume, std::int64_t z);

// How a 3D ITK filter is run: in one Update, or in slabs of z-planes (the output's
// requested region), each its own Update, so that a cancel takes effect between slabs
// whatever the filter's own abort checks. Iterative filters (diffusion) need Whole.
enum class ItkExecution { Whole, Slabs };

// Updates a 3D filter slab by slab and copies each slab of its float output into `out`
// (whose dims must be the filter output's size).
template <typename Filter>
void runItkFilterInSlabs(Filter* filter, Volume& out, const RunControl& control) {
    filter->UpdateOutputInformation();
    auto* output = filter->GetOutput();
    const auto whole = output->GetLargestPossibleRegion();
    const std::int64_t nz = std::int64_t(whole.GetSize(2));
    const std::int64_t plane = std::int64_t(whole.GetSize(0) * whole.GetSize(1));
    // About 2^18 voxels a slab (one plane of 512²): slow filters (3D CLAHE, bilateral)
    // take well under a second per slab on two cores.
    const std::int64_t planesPerSlab =
        std::max<std::int64_t>(1, (std::int64_t(1) << 18) / std::max<std::int64_t>(1, plane));
    for (std::int64_t z0 = 0; z0 < nz; z0 += planesPerSlab) {
        const std::int64_t z1 = std::min(nz, z0 + planesPerSlab);
        auto slab = whole;
        slab.SetIndex(2, whole.GetIndex(2) + z0);
        slab.SetSize(2, itk::SizeValueType(z1 - z0));
        output->SetRequestedRegion(slab);
        runItkFilter(filter, control.sub(double(z0) / double(nz), double(z1) / double(nz)));
        std::memcpy(out.data<float>() + z0 * plane, output->GetBufferPointer(),
                    std::size_t((z1 - z0) * plane) * sizeof(float));
    }
}

// Applies the filter that make(image) builds to `input` (any scalar type, converted to
// float32 once), in 3D or slice by slice. make is called with a FloatImage3* or a
// FloatImage2* and returns the filter's smart pointer; the filter's output must be a
// float image of the same size. Returns float32 with the input's voxel size and origin.
template <typename MakeFilter>
Volume filterWithItk(const Volume& input, FilterMode mode, ItkExecution execution, const RunControl& control,
                     MakeFilter&& make) {
    requireNotEmpty(input, "input image");
    control.throwIfCancelled();
    const Volume source = asFloat32(input);
    if (mode == FilterMode::Volume3D) {
        auto image = itkView<float>(source);
        auto filter = make(image.GetPointer());
        if (execution == ItkExecution::Slabs) {
            Volume out = uninitializedFloat32Like(input);
            runItkFilterInSlabs(filter.GetPointer(), out, control);
            return out;
        }
        runItkFilter(filter.GetPointer(), control);
        Volume out = volumeFromItk<float>(filter->GetOutput());
        out.setVoxelSize(input.voxelSize());
        out.setOrigin(input.origin());
        return out;
    }
    Volume out = uninitializedFloat32Like(input);
    const std::int64_t nz = input.nz();
    const std::size_t sliceBytes = std::size_t(input.nx() * input.ny()) * sizeof(float);
    for (std::int64_t z = 0; z < nz; ++z) {
        auto slice = itkSliceView(source, z);
        auto filter = make(slice.GetPointer());
        runItkFilter(filter.GetPointer(), control.sub(double(z) / double(nz), double(z + 1) / double(nz)));
        std::memcpy(out.bytes() + std::size_t(z) * sliceBytes, filter->GetOutput()->GetBufferPointer(), sliceBytes);
    }
    return out;
}

}  // namespace cellforge::filters
