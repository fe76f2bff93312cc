// What every filter of the filters plugin shares: the 3D / slice-by-slice mode, the
// float32 working copy of an input, and parameter checks that name the field. Every
// filter takes a cellforge::RunControl (progress into the caller's range, cancel flag,
// thread budget), so the logic needs neither Qt nor the job system.
#pragma once

#include <string>
#include <vector>

#include "core/base/Parallel.h"
#include "core/base/RunControl.h"
#include "core/data/Volume.h"

namespace cellforge::filters {

// Volume3D: the neighbourhood is a 3D box. Slices2D: every z-slice is filtered on its
// own with a 2D neighbourhood (what one does on tomograms with a strong missing wedge).
enum class FilterMode { Volume3D, Slices2D };

// "3d" and "2d-slices", the names used in parameter schemas.
const std::vector<std::string>& filterModeNames();
std::string filterModeName(FilterMode mode);
// Throws InputError naming the valid names.
FilterMode filterModeFromName(const std::string& name);

// The voxels of `volume` as float32: the volume itself (shared storage, no copy) when it
// already is float32, otherwise a converted copy. Geometry is kept.
Volume asFloat32(const Volume& volume);

// A zero-filled float32 volume with the geometry (dims, voxel size, origin) of `like`.
Volume float32Like(const Volume& like);
// The same, for outputs that a filter writes whole. Both come from allocateLargeBuffer:
// large buffers are fresh mappings (zero without a pass over them) backed by 2 MB pages,
// since on a virtual machine touching 200 MB in 4 KB pages costs more than a Gaussian pass.
Volume uninitializedFloat32Like(const Volume& like);
Volume uninitializedFloat32(const Index3& dims);

// How the filters' own kernels run over rows, slices or blocks: one item at a time, with
// the progress (items finished / all) reported to the control and 1.0 at the end.
inline constexpr ParallelOptions kReportEachItem{1, true};

// Parameter checks: throw InputError "<name> must be ..., got <value>".
void requireFinite(const std::string& name, double value);
void requirePositive(const std::string& name, double value);                       // > 0
void requireNonNegative(const std::string& name, double value);                    // >= 0
void requireInRange(const std::string& name, double value, double lo, double hi);  // [lo, hi]
void requireNotEmpty(const Volume& volume, const std::string& what);

// Reflect (half-sample symmetric, scipy.ndimage's mode 'reflect': d c b a | a b c d |
// d c b a) of index i into [0, n). Works for any i, also when the window is wider than n.
inline std::int64_t reflectIndex(std::int64_t i, std::int64_t n) {
    if (i >= 0 && i < n) return i;
    const std::int64_t period = 2 * n;
    std::int64_t m = i % period;
    if (m < 0) m += period;
    return m < n ? m : period - 1 - m;
}

}  // namespace cellforge::filters
