// Turns one slice of a volume into display pixels, reading the Volume's own buffer (no
// VTK reslice, no copy of the volume): greyscale or colour-mapped tomograms, label
// overlays and thresholded probability maps. Plain C++, unit-tested without a display.
// Output rows go bottom to top: pixel (u, v) is at out[(u + width * v) * components].
#pragma once

#include "app/render/ColorMaps.h"
#include "app/render/SliceGeometry.h"
#include "core/data/LabelVolume.h"
#include "core/data/Volume.h"

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace cellforge {

struct SliceSize {
    int width = 0;           // along the view's u axis
    int height = 0;          // along the view's v axis
    std::int64_t depth = 0;  // number of slices along the normal
};
SliceSize sliceSize(const Index3& dims, SliceAxis axis);

// Window [low, high] maps to 0..255. components = 1: the index itself (grey);
// 3: RGB through `table`; 4: RGBA with alpha 255.
void scalarSliceToPixels(const Volume& volume, SliceAxis axis, std::int64_t index, double low, double high,
                         const ColorTable* table, int components, std::uint8_t* out);

// Probability maps: values below `threshold` are transparent; others are coloured by
// `table` over [low, high]. RGBA output.
void probabilitySliceToRgba(const Volume& volume, SliceAxis axis, std::int64_t index, double low, double high,
                            double threshold, const ColorTable& table, std::uint8_t* out);

// RGBA per label id (65536 entries); alpha 0 hides a label. Background 0 is transparent.
using LabelLut = std::vector<std::array<std::uint8_t, 4>>;
LabelLut makeLabelLut(const LabelTable& table, LabelId highlighted = 0);
void labelSliceToRgba(const LabelVolume& labels, SliceAxis axis, std::int64_t index, const LabelLut& lut,
                      std::uint8_t* out);
// Raw label ids of one slice (used by the picker and for outlines computed on the CPU).
void labelSlice(const LabelVolume& labels, SliceAxis axis, std::int64_t index, LabelId* out);

// Window from percentiles of the values (a strided sample of at most ~2 million voxels),
// as 3dmod's and napari's automatic contrast: e.g. (0.005, 0.995).
std::pair<double, double> percentileWindow(const Volume& volume, double lowFraction, double highFraction);

}  // namespace cellforge
