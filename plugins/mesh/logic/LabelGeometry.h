// What the meshing stages need to know about a label volume before meshing it: which
// labels are present, where (bounding boxes), how big, whether a label is too thin to
// have an interior, its connected pieces, and the markers of the surfaces between labels.
#pragma once

#include "core/base/RunControl.h"
#include "core/data/LabelVolume.h"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cellforge::mesh {

struct LabelExtent {
    LabelId label = 0;
    Index3 lo{0, 0, 0}, hi{0, 0, 0};  // inclusive voxel bounds
    std::int64_t voxels = 0;
    bool thin = false;  // no voxel has all six face neighbours in the label: a sheet, line or dot
};

// Every present non-zero label, sorted by id, with bounds, voxel counts and thinness.
// Scans blocks of slices on up to control.threadCount() threads (at most 8: the scan is
// bound by memory bandwidth, and each thread keeps a table of all 65536 label ids).
// Throws CancelledError when the control's cancel flag is raised.
std::vector<LabelExtent> labelExtents(const LabelVolume& labels, const RunControl& control = {});

// The labels to mesh: all present ones when `requested` is empty, else the requested
// ones. Throws InputError naming the field `what` when the volume has no labels, or a
// requested label is absent (listing those present).
std::vector<LabelExtent> selectLabels(const LabelVolume& labels, const std::vector<LabelId>& requested,
                                      const std::string& what, const RunControl& control = {});

// Parses "all", "" or a list such as "1, 3-5" into label ids (empty = all). Throws
// InputError naming `what` on bad text.
std::vector<LabelId> parseLabelList(const std::string& text, const std::string& what);

// 26-connected components of one label within its extent (imaging::connectedComponents
// on the label's mask in that box), numbered in raster order of their first voxel.
struct LabelComponents {
    Index3 lo{0, 0, 0}, dims{0, 0, 0};         // the extent's box
    std::vector<std::uint32_t> ids;            // per voxel of the box: component (1-based) or 0
    std::vector<std::int64_t> voxels;          // voxels[c - 1]
    std::vector<std::array<Index3, 2>> boxes;  // boxes[c - 1]: inclusive bounds (volume coordinates)
};
LabelComponents labelComponents(const LabelVolume& labels, const LabelExtent& extent, const RunControl& control = {});

// Facet markers for surfaces between two labels (a facet between labels a and b):
//   one side background (0): the other label's id (the surface of label 5 is marked 5);
//   both non-zero and both below 1000: 1000 * min + max (cytosol 1 | nucleus 2 -> 1002);
//   otherwise: 1000000 + n, numbered in order of first use (see table()).
class InterfaceMarkers {
public:
    std::int32_t marker(LabelId a, LabelId b);
    struct Entry {
        std::int32_t marker;
        LabelId labelA, labelB;  // labelA < labelB
    };
    // Every marker handed out, sorted by marker.
    std::vector<Entry> table() const;

private:
    std::map<std::pair<LabelId, LabelId>, std::int32_t> markers_;
    std::int32_t nextLarge_ = 1000000;
};

}  // namespace cellforge::mesh
