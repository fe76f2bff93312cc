// What every filter of the filters plugin shares: the 3D / slice-by-slice mode, the
// float32 working copy of an input, and parameter checks that name the field.
#pragma once

#include <string>
#include <vector>

#include "core/data/Volume.h"

namespace cellforge {
class JobContext;
}

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
// The same with its voxels left uninitialised, for outputs that a filter writes whole.
// Large buffers are asked to be backed by 2 MB pages: on a virtual machine, touching a
// fresh 200 MB buffer in 4 KB pages costs about a second, more than a Gaussian pass.
Volume uninitializedFloat32Like(const Volume& like);
Volume uninitializedFloat32(const Index3& dims);

// The number of threads a job may use, never less than one.
int threadCount(const JobContext& context);

// A part [begin, end] of a job's progress, split further for the steps of a filter so
// that a filter used inside another (the Gaussian inside resampling) reports its share.
class ProgressSpan {
public:
    explicit ProgressSpan(JobContext& context, double begin = 0.0, double end = 1.0)
        : context_(&context), begin_(begin), end_(end) {}
    // Reports `fraction` (0..1) of this span to the job.
    void set(double fraction, const std::string& message = {}) const;
    // The part [from, to] (fractions of this span) of this span.
    ProgressSpan sub(double from, double to) const {
        return ProgressSpan(*context_, begin_ + (end_ - begin_) * from, begin_ + (end_ - begin_) * to);
    }
    JobContext& context() const { return *context_; }
    int threads() const { return threadCount(*context_); }
    // Throws CancelledError once the job is cancelled.
    void throwIfCancelled() const;

private:
    JobContext* context_;
    double begin_, end_;
};

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
