// Which volume axes a slice view shows, and how they lie on the screen.
//
// Display convention (the same as IMOD's 3dmod, written down in app/render/README.md):
// voxel y = 0 is the bottom row of the XY view (MRC row 0 is drawn at the bottom), x
// grows to the right. The XZ view shares the XY view's x axis and shows z growing
// upwards; the YZ view shares the XY view's y axis and shows z growing to the right.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace cellforge {

enum class SliceAxis { XY, XZ, YZ };

struct SliceAxes {
    int u;       // volume axis shown left to right
    int v;       // volume axis shown bottom to top
    int normal;  // volume axis the view scrolls along
};

inline SliceAxes sliceAxes(SliceAxis axis) {
    switch (axis) {
        case SliceAxis::XY:
            return {0, 1, 2};
        case SliceAxis::XZ:
            return {0, 2, 1};
        case SliceAxis::YZ:
            return {2, 1, 0};
    }
    return {0, 1, 2};
}

inline const char* sliceAxisName(SliceAxis axis) {
    switch (axis) {
        case SliceAxis::XY:
            return "XY";
        case SliceAxis::XZ:
            return "XZ";
        case SliceAxis::YZ:
            return "YZ";
    }
    return "XY";
}

}  // namespace cellforge
