#include "plugins/filters/logic/FilterCommon.h"

#include "core/base/Errors.h"
#include "core/jobs/JobContext.h"

#include <cmath>
#include <sstream>

namespace cellforge::filters {

namespace {
std::string formatValue(double value) {
    std::ostringstream s;
    s.precision(10);
    s << value;
    return s.str();
}
}  // namespace

const std::vector<std::string>& filterModeNames() {
    static const std::vector<std::string> names{"3d", "2d-slices"};
    return names;
}

std::string filterModeName(FilterMode mode) {
    return mode == FilterMode::Volume3D ? "3d" : "2d-slices";
}

FilterMode filterModeFromName(const std::string& name) {
    if (name == "3d") return FilterMode::Volume3D;
    if (name == "2d-slices") return FilterMode::Slices2D;
    throw InputError("mode must be \"3d\" or \"2d-slices\", got \"" + name + "\"");
}

Volume asFloat32(const Volume& volume) {
    if (volume.scalarType() == ScalarType::Float32) return volume;  // shares the storage
    return volume.toFloat32();
}

Volume float32Like(const Volume& like) {
    return like.emptyLike(ScalarType::Float32);
}

int threadCount(const JobContext& context) {
    return context.threadBudget() < 1 ? 1 : context.threadBudget();
}

void ProgressSpan::set(double fraction, const std::string& message) const {
    fraction = fraction < 0 ? 0 : (fraction > 1 ? 1 : fraction);
    context_->setProgress(begin_ + (end_ - begin_) * fraction, message);
}

void ProgressSpan::throwIfCancelled() const {
    context_->throwIfCancelled();
}

void requireFinite(const std::string& name, double value) {
    if (!std::isfinite(value)) throw InputError(name + " must be a finite number, got " + formatValue(value));
}

void requirePositive(const std::string& name, double value) {
    requireFinite(name, value);
    if (!(value > 0)) throw InputError(name + " must be greater than 0, got " + formatValue(value));
}

void requireNonNegative(const std::string& name, double value) {
    requireFinite(name, value);
    if (value < 0) throw InputError(name + " must not be negative, got " + formatValue(value));
}

void requireInRange(const std::string& name, double value, double lo, double hi) {
    requireFinite(name, value);
    if (value < lo || value > hi)
        throw InputError(name + " must be in [" + formatValue(lo) + ", " + formatValue(hi) + "], got " +
                         formatValue(value));
}

void requireNotEmpty(const Volume& volume, const std::string& what) {
    if (volume.empty()) throw InputError(what + " is empty (no voxels)");
}

}  // namespace cellforge::filters
