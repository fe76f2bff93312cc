#include "core/imaging/LabelGrid.h"

#include <cmath>
#include <sstream>

#include "core/base/Errors.h"

namespace cellforge::imaging {

namespace {

std::string dimsText(const Dims3& d) {
    std::ostringstream s;
    s << d[0] << "×" << d[1] << "×" << d[2] << " voxels";
    return s.str();
}

std::string spacingText(const Spacing3& v) {
    std::ostringstream s;
    s << v[0] << "×" << v[1] << "×" << v[2] << " Å";
    return s.str();
}

}  // namespace

void requireValidGrid(const LabelGrid& grid, const std::string& name) {
    if (!grid.labels) throw InputError("'" + name + "' has no voxel data");
    for (int a = 0; a < 3; ++a) {
        if (grid.dims[a] <= 0)
            throw InputError("'" + name + "' has size " + dimsText(grid.dims) + ", expected every dimension > 0");
        if (!(grid.voxelSize[a] > 0) || !std::isfinite(grid.voxelSize[a]))
            throw InputError("'" + name + "' has voxel size " + spacingText(grid.voxelSize) +
                             ", expected positive finite values");
    }
}

void requireSameGeometry(const LabelGrid& a, const std::string& nameA, const LabelGrid& b, const std::string& nameB) {
    requireValidGrid(a, nameA);
    requireValidGrid(b, nameB);
    if (a.dims != b.dims)
        throw InputError("'" + nameA + "' is " + dimsText(a.dims) + " but '" + nameB + "' is " + dimsText(b.dims) +
                         ": both must have the same size (resample or crop one of them first)");
    for (int i = 0; i < 3; ++i) {
        const double scale = std::max(a.voxelSize[i], b.voxelSize[i]);
        if (std::abs(a.voxelSize[i] - b.voxelSize[i]) > 1e-4 * scale)
            throw InputError("'" + nameA + "' has voxel size " + spacingText(a.voxelSize) + " but '" + nameB +
                             "' has " + spacingText(b.voxelSize) +
                             ": both must have the same voxel size (set the voxel size when reading, or resample)");
    }
}

int axisFromName(const std::string& name) {
    if (name == "x" || name == "X") return 0;
    if (name == "y" || name == "Y") return 1;
    if (name == "z" || name == "Z") return 2;
    throw InputError("axis '" + name + "' is not known, expected x, y or z");
}

const char* axisName(int axis) {
    static const char* names[] = {"x", "y", "z"};
    return axis >= 0 && axis < 3 ? names[axis] : "?";
}

}  // namespace cellforge::imaging
