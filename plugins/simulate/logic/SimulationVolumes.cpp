#include "plugins/simulate/logic/SimulationVolumes.h"

#include "core/base/Errors.h"

#include <algorithm>
#include <sstream>
#include <vector>

namespace cellforge::simulate {

simulation::TomogramStatistics measureVolume(const Volume& volume) {
    if (volume.empty()) throw InputError("input 'image' is empty");
    const Volume* source = &volume;
    const std::int64_t area = volume.nx() * volume.ny();
    return simulation::measureTomogram(volume.nx(), volume.ny(), volume.nz(),
                                       [source, area](std::int64_t z, float* out) {
                                           dispatchScalar(source->scalarType(), [&](auto tag) {
                                               using T = decltype(tag);
                                               const T* p = source->data<T>() + z * area;
                                               for (std::int64_t i = 0; i < area; ++i)
                                                   out[i] = static_cast<float>(p[i]);
                                           });
                                       });
}

std::shared_ptr<Table> statisticsTable(const simulation::TomogramStatistics& stats) {
    auto table = std::make_shared<Table>(std::vector<std::string>{"frequency", "power"});
    const std::size_t n = stats.spectrum.power.size();
    for (std::size_t i = 0; i < n; ++i)
        table->addRow({0.5 * double(i) / double(std::max<std::size_t>(1, n - 1)), stats.spectrum.power[i]});
    std::ostringstream mean, sd;
    mean.precision(10);
    sd.precision(10);
    mean << stats.mean;
    sd << stats.stddev;
    table->notes = {{"mean", mean.str()},
                    {"stddev", sd.str()},
                    {"slices_measured", std::to_string(stats.slicesMeasured)},
                    {"axis_power_ratio", std::to_string(stats.axisPowerRatio)},
                    {"tilt_axis_seen", stats.tiltAxis() ? std::string(1, stats.tiltAxis()) : std::string("none")},
                    {"frequency_unit", "cycles/voxel"},
                    {"power", "radially averaged power spectrum of windowed XY patches (arbitrary units)"}};
    return table;
}

namespace {
template <typename V>
void setGeometry(V& v, double voxelSize) {
    v.setVoxelSize({voxelSize, voxelSize, voxelSize});
}
}  // namespace

Simulated simulatePhantomVolume(const simulation::PhantomSettings& settings, std::uint64_t seed, double voxelSize) {
    const simulation::Phantom p = simulation::simulatePhantom(settings, seed);
    Simulated out;
    out.image = std::make_shared<Volume>(Index3{p.nx, p.ny, p.nz}, ScalarType::Float32);
    std::copy(p.image.begin(), p.image.end(), out.image->data<float>());
    out.labels = std::make_shared<LabelVolume>(Index3{p.nx, p.ny, p.nz});
    std::copy(p.labels.begin(), p.labels.end(), out.labels->labels());
    out.labels->table() = LabelTable::semanticDefault();
    setGeometry(*out.image, voxelSize);
    setGeometry(*out.labels, voxelSize);
    return out;
}

Simulated simulateDataset(const simulation::ImageSimulatorSettings& settings, std::uint64_t seed, int count,
                          double voxelSize, const RunControl& control) {
    simulation::validateSettings(settings);
    if (settings.contextSlices != 1)
        throw InputError(
            "a dataset stack holds 2D images (context slices 1); 2.5D training simulates on the fly in unet.train");
    if (count < 1 || count > 100000)
        throw InputError("count is " + std::to_string(count) + "; expected 1 to 100000 images");
    const std::int64_t n = settings.size;
    Simulated out;
    out.image = std::make_shared<Volume>(Index3{n, n, count}, ScalarType::Float32);
    out.labels = std::make_shared<LabelVolume>(Index3{n, n, count});
    out.labels->table() = LabelTable::semanticDefault();
    std::vector<std::uint8_t> lab(std::size_t(n * n));
    for (int i = 0; i < count; ++i) {
        control.throwIfCancelled();
        simulation::simulateMembraneImage(settings, simulation::mixSeed(seed, std::uint64_t(i)),
                                          out.image->data<float>() + i * n * n, lab.data());
        std::copy(lab.begin(), lab.end(), out.labels->labels() + i * n * n);
        control.report(double(i + 1) / count,
                       "simulated " + std::to_string(i + 1) + " of " + std::to_string(count) + " images");
    }
    setGeometry(*out.image, voxelSize);
    setGeometry(*out.labels, voxelSize);
    return out;
}

}  // namespace cellforge::simulate
