// cellforge_unet_bench: trains the default membrane model, measures accuracy on 3D
// phantoms from held-out seeds (shipped and adapted model), and times tiled inference
// for comparison with PyTorch (unet_peer.py). Uses only the U-Net model library's torch-free API, so it
// builds against LibTorch alone (see CMakeLists.txt). Run through run_bench.sh.
#include "core/simulation/Phantoms.h"
#include "core/simulation/TrainingImages.h"
#include "plugins/unet/model/SegmentationNetwork.h"
#include "plugins/unet/model/TiledSliceInference.h"
#include "plugins/unet/model/UNetTrainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace cellforge;
using namespace cellforge::simulation;
using namespace cellforge::unet;

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
    std::string command;
    std::map<std::string, std::string> values;
    std::string get(const std::string& key, const std::string& def) const {
        auto it = values.find(key);
        return it == values.end() ? def : it->second;
    }
    int integer(const std::string& key, int def) const { return std::stoi(get(key, std::to_string(def))); }
    double real(const std::string& key, double def) const {
        auto it = values.find(key);
        return it == values.end() ? def : std::stod(it->second);
    }
    bool flag(const std::string& key) const { return values.count(key) != 0; }
};

Args parse(int argc, char** argv) {
    Args a;
    if (argc < 2) throw InputError("usage: cellforge_unet_bench train|accuracy|speed|phantom [--key value ...]");
    a.command = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string key = argv[i];
        if (key.rfind("--", 0) != 0) throw InputError("unexpected argument '" + key + "'");
        key = key.substr(2);
        if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0)
            a.values[key] = argv[++i];
        else
            a.values[key] = "1";
    }
    return a;
}

RunControl consoleControl(const std::string& prefix) {
    RunControl c;
    auto last = std::make_shared<Clock::time_point>(Clock::now());
    c.progress = [prefix, last](double f, const std::string& m) {
        if (Clock::now() - *last < std::chrono::seconds(20) && f < 1.0) return;
        *last = Clock::now();
        std::fprintf(stderr, "[%s] %5.1f%% %s\n", prefix.c_str(), 100 * f, m.c_str());
    };
    c.log = [prefix](const std::string& line) { std::fprintf(stderr, "[%s] %s\n", prefix.c_str(), line.c_str()); };
    return c;
}

ImageSimulatorSettings trainingSimulator(const Args& a) {
    ImageSimulatorSettings s;
    s.size = a.integer("image-size", 128);
    s.contextSlices = a.integer("context", 1);
    s.snrMin = a.real("snr-min", s.snrMin);
    s.snrMax = a.real("snr-max", s.snrMax);
    s.missingWedge = !a.flag("no-wedge");
    s.tiltRangeMin = a.real("tilt-min", s.tiltRangeMin);
    s.tiltRangeMax = a.real("tilt-max", s.tiltRangeMax);
    // Smaller images hold fewer, smaller membranes.
    const double scale = s.size / 256.0;
    s.radiusMax = std::max(s.radiusMin * 2, s.radiusMax * std::max(0.5, scale));
    s.membranesMin = std::max(1, int(std::lround(s.membranesMin * std::max(0.5, scale))));
    s.membranesMax = std::max(s.membranesMin, int(std::lround(s.membranesMax * std::max(0.5, scale))));
    return s;
}

void writeCurves(const std::string& path, const std::vector<EpochRecord>& epochs) {
    std::ofstream out(path);
    out << "epoch,train_loss,test_loss,test_dice_background,test_dice_protein,test_dice_membrane,test_pixel_accuracy,"
           "validation_dice_membrane,validation_pixel_accuracy,learning_rate,seconds\n";
    for (const auto& r : epochs)
        out << r.epoch << ',' << r.trainLoss << ',' << r.test.loss << ',' << r.test.dice[0] << ',' << r.test.dice[1]
            << ',' << r.test.dice[2] << ',' << r.test.pixelAccuracy << ',' << r.validation.dice[2] << ','
            << r.validation.pixelAccuracy << ',' << r.learningRate << ',' << r.seconds << '\n';
}

int commandTrain(const Args& a) {
    const std::string out = a.get("out", "");
    if (out.empty()) throw InputError("train: --out FILE is required");
    SegmentationNetwork net;
    if (a.flag("init")) {
        net = SegmentationNetwork::fromFile(a.get("init", ""));
    } else {
        ModelMetadata meta;
        meta.architecture.depth = a.integer("depth", 4);
        meta.architecture.baseChannels = a.integer("base-channels", 8);
        meta.architecture.contextSlices = a.integer("context", 1);
        meta.architecture.normalization = a.get("norm", "batch");
        meta.architecture.dropout = a.real("dropout", 0.0);
        meta.voxelSize = a.real("voxel-size", 10.0);
        net = SegmentationNetwork::create(meta, std::uint64_t(a.integer("seed", 1)));
    }
    const auto sim = trainingSimulator(a);
    SimulatedSamples samples(sim, std::uint64_t(a.integer("seed", 1)), a.integer("train-images", 2000),
                             a.integer("test-images", 200), a.integer("validation-images", 10));
    TrainingOptions o;
    o.epochs = a.integer("epochs", 8);
    o.batchSize = a.integer("batch", 8);
    o.learningRate = a.real("lr", 1e-3);
    o.threads = a.integer("threads", 2);
    o.seed = std::uint64_t(a.integer("seed", 1));
    o.checkpointPath = a.get("checkpoint", "");
    o.resume = a.flag("resume");
    std::fprintf(stderr, "training %s (%lld parameters) on %d simulated %dx%d images, %d epochs, %d threads\n",
                 net.metadata().architecture.describe().c_str(), (long long)net.parameterCount(), samples.trainCount(),
                 sim.size, sim.size, o.epochs, o.threads);
    const auto t0 = Clock::now();
    const auto report = trainSegmentationNetwork(net, samples, o, consoleControl("train"));
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    auto& notes = net.metadata().notes;
    notes["trainer"] = "cellforge_unet_bench train (core/ml UNetTrainer)";
    notes["command"] = a.get("command-line", "");
    notes["simulator"] = "image_size=" + std::to_string(sim.size) + " snr=" + std::to_string(sim.snrMin) + ".." +
                         std::to_string(sim.snrMax) +
                         (sim.missingWedge ? " missing_wedge=" + std::to_string(sim.tiltRangeMin) + ".." +
                                                 std::to_string(sim.tiltRangeMax)
                                           : std::string());
    notes["training_images"] = std::to_string(samples.trainCount());
    notes["seed"] = std::to_string(o.seed);
    notes["training_seconds"] = std::to_string(int(seconds));
    notes.erase("history");
    net.saveFile(out);
    if (a.flag("curves")) writeCurves(a.get("curves", ""), report.epochs);
    const auto& last = report.epochs.back();
    std::printf(
        "trained in %.1f s (%.1f min); test Dice background %.3f protein %.3f membrane %.3f, pixel accuracy %.3f\n",
        seconds, seconds / 60, last.test.dice[0], last.test.dice[1], last.test.dice[2], last.test.pixelAccuracy);
    std::printf("model written to %s\n", out.c_str());
    return 0;
}

struct SliceDice {
    double membrane = 0, protein = 0;              // mean over slices
    double volumeMembrane = 0, volumeProtein = 0;  // over the whole volume
};

// Mean over slices of the per-slice Dice of one class; slices where the class is in
// neither the truth nor the prediction are left out (Dice undefined there).
SliceDice sliceDice(const Phantom& p, const std::vector<std::uint8_t>& predicted) {
    SliceDice d;
    const std::size_t area = std::size_t(p.nx * p.ny);
    for (int cls : {int(kMembrane), int(kProtein)}) {
        double sum = 0;
        int slices = 0;
        double tpAll = 0, denomAll = 0;
        for (std::int64_t z = 0; z < p.nz; ++z) {
            double tp = 0, t = 0, q = 0;
            for (std::size_t i = z * area; i < (z + 1) * area; ++i) {
                const bool a = p.labels[i] == cls, b = predicted[i] == cls;
                tp += a && b;
                t += a;
                q += b;
            }
            tpAll += tp;
            denomAll += t + q;
            if (t + q == 0) continue;
            sum += 2 * tp / (t + q);
            ++slices;
        }
        const double mean = slices ? sum / slices : 1.0, vol = denomAll > 0 ? 2 * tpAll / denomAll : 1.0;
        if (cls == kMembrane) {
            d.membrane = mean;
            d.volumeMembrane = vol;
        } else {
            d.protein = mean;
            d.volumeProtein = vol;
        }
    }
    return d;
}

std::vector<std::uint8_t> segment(const SegmentationNetwork& net, const Phantom& p, const InferenceOptions& o,
                                  const RunControl& control) {
    std::vector<std::uint8_t> labels(p.labels.size());
    const std::size_t area = std::size_t(p.nx * p.ny);
    SliceVolume v{p.nx, p.ny, p.nz, [&](std::int64_t z, float* out) {
                      std::memcpy(out, p.image.data() + z * area, area * sizeof(float));
                  }};
    const int classes = net.metadata().architecture.classes;
    runTiledSliceInference(
        net, v, o,
        [&](std::int64_t z, const float* probs) {
            for (std::size_t i = 0; i < area; ++i) {
                int best = 0;
                for (int c = 1; c < classes; ++c)
                    if (probs[c * area + i] > probs[best * area + i]) best = c;
                labels[z * area + i] = std::uint8_t(best);
            }
        },
        control);
    return labels;
}

std::vector<std::uint64_t> seedList(const std::string& text) {
    std::vector<std::uint64_t> seeds;
    std::istringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) seeds.push_back(std::stoull(item));
    return seeds;
}

int commandAccuracy(const Args& a) {
    const SegmentationNetwork shipped = SegmentationNetwork::fromFile(a.get("model", ""));
    const auto seeds = seedList(a.get("seeds", "1001,1002,1003"));
    InferenceOptions o;
    o.tileSize = a.integer("tile", 256);
    o.overlap = a.integer("overlap", 32);
    o.batchSize = a.integer("batch", 4);
    o.threads = a.integer("threads", 2);
    o.flipTta = a.flag("tta");
    PhantomSettings ps;
    ps.snr = a.real("snr", ps.snr);
    std::printf("phantoms %lldx%lldx%lld, snr %.2f (simulator default %.2f), missing wedge +-%.0f deg, seeds %s\n",
                (long long)ps.nx, (long long)ps.ny, (long long)ps.nz, ps.snr, PhantomSettings{}.snr,
                ps.tiltRangeDegrees, a.get("seeds", "1001,1002,1003").c_str());
    std::printf("%-8s %-8s %14s %14s %14s %14s %9s\n", "seed", "model", "membrane(sl)", "protein(sl)", "membrane(vol)",
                "protein(vol)", "seconds");
    SliceDice sumShipped, sumAdapted;
    for (std::uint64_t seed : seeds) {
        const Phantom p = simulatePhantom(ps, seed);
        auto t0 = Clock::now();
        const SliceDice d = sliceDice(p, segment(shipped, p, o, {}));
        std::printf("%-8llu %-8s %14.3f %14.3f %14.3f %14.3f %9.1f\n", (unsigned long long)seed, "shipped", d.membrane,
                    d.protein, d.volumeMembrane, d.volumeProtein,
                    std::chrono::duration<double>(Clock::now() - t0).count());
        std::fflush(stdout);
        sumShipped.membrane += d.membrane;
        sumShipped.protein += d.protein;
        sumShipped.volumeMembrane += d.volumeMembrane;
        sumShipped.volumeProtein += d.volumeProtein;
        if (!a.flag("adapt")) continue;
        // Adaptation sees only the tomogram (its statistics), never its labels.
        t0 = Clock::now();
        const std::size_t area = std::size_t(p.nx * p.ny);
        ImageSimulatorSettings sim = trainingSimulator(a);
        sim.matchTomogram = true;
        sim.match = measureTomogram(p.nx, p.ny, p.nz, [&](std::int64_t z, float* out) {
            std::memcpy(out, p.image.data() + z * area, area * sizeof(float));
        });
        // The tilt axis as the slices show it (as unet.train's tilt_axis 'auto').
        const char axis = followTiltAxis(sim, sim.match);
        std::printf("         (measured: axis power ratio %.3f, tilt axis %c)\n", sim.match.axisPowerRatio,
                    axis ? axis : '-');
        SimulatedSamples samples(sim, seed * 7919, a.integer("adapt-images", 320), a.integer("adapt-test-images", 32),
                                 4);
        TrainingOptions to;
        to.epochs = a.integer("adapt-epochs", 3);
        to.learningRate = a.real("adapt-lr", 3e-4);
        to.threads = o.threads;
        SegmentationNetwork adapted = shipped.clone();
        trainSegmentationNetwork(adapted, samples, to, a.flag("verbose") ? consoleControl("adapt") : RunControl{});
        const double trainSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
        const SliceDice e = sliceDice(p, segment(adapted, p, o, {}));
        std::printf("%-8llu %-8s %14.3f %14.3f %14.3f %14.3f %9.1f\n", (unsigned long long)seed, "adapted", e.membrane,
                    e.protein, e.volumeMembrane, e.volumeProtein,
                    std::chrono::duration<double>(Clock::now() - t0).count());
        std::printf("         (adaptation: %d matched images x %d epochs, %.1f s)\n", samples.trainCount(), to.epochs,
                    trainSeconds);
        std::fflush(stdout);
        sumAdapted.membrane += e.membrane;
        sumAdapted.protein += e.protein;
        sumAdapted.volumeMembrane += e.volumeMembrane;
        sumAdapted.volumeProtein += e.volumeProtein;
    }
    const double n = double(seeds.size());
    std::printf("MEAN     shipped  %14.3f %14.3f %14.3f %14.3f\n", sumShipped.membrane / n, sumShipped.protein / n,
                sumShipped.volumeMembrane / n, sumShipped.volumeProtein / n);
    if (a.flag("adapt"))
        std::printf("MEAN     adapted  %14.3f %14.3f %14.3f %14.3f\n", sumAdapted.membrane / n, sumAdapted.protein / n,
                    sumAdapted.volumeMembrane / n, sumAdapted.volumeProtein / n);
    return 0;
}

// The speed benchmark's tomogram: a phantom repeated (mirrored) to the requested size.
std::vector<float> benchmarkTomogram(std::int64_t nx, std::int64_t ny, std::int64_t nz) {
    PhantomSettings ps;
    const Phantom p = simulatePhantom(ps, 7);
    std::vector<float> v(std::size_t(nx * ny * nz));
    auto mirror = [](std::int64_t i, std::int64_t n) {
        const std::int64_t period = 2 * n;
        i %= period;
        return i < n ? i : period - 1 - i;
    };
    for (std::int64_t z = 0; z < nz; ++z)
        for (std::int64_t y = 0; y < ny; ++y)
            for (std::int64_t x = 0; x < nx; ++x)
                v[std::size_t((z * ny + y) * nx + x)] =
                    p.image[std::size_t((mirror(z, p.nz) * p.ny + mirror(y, p.ny)) * p.nx + mirror(x, p.nx))];
    return v;
}

int commandSpeed(const Args& a) {
    const SegmentationNetwork net = SegmentationNetwork::fromFile(a.get("model", ""));
    const std::int64_t nx = a.integer("nx", 512), ny = a.integer("ny", 512), nz = a.integer("nz", 100);
    std::vector<float> volume;
    if (a.flag("input")) {
        volume.resize(std::size_t(nx * ny * nz));
        std::ifstream in(a.get("input", ""), std::ios::binary);
        in.read(reinterpret_cast<char*>(volume.data()), std::streamsize(volume.size() * sizeof(float)));
        if (!in)
            throw InputError("cannot read " + std::to_string(volume.size()) + " floats from " + a.get("input", ""));
    } else {
        volume = benchmarkTomogram(nx, ny, nz);
    }
    if (a.flag("write-input")) {
        std::ofstream out(a.get("write-input", ""), std::ios::binary);
        out.write(reinterpret_cast<const char*>(volume.data()), std::streamsize(volume.size() * sizeof(float)));
    }
    InferenceOptions o;
    o.tileSize = a.integer("tile", 256);
    o.overlap = a.integer("overlap", 32);
    o.batchSize = a.integer("batch", 4);
    o.threads = a.integer("threads", 2);
    o.flipTta = a.flag("tta");
    o.foldBatchNorm = !a.flag("no-fold");
    o.device = a.get("device", "cpu");
    const std::size_t area = std::size_t(nx * ny);
    const int dumpSlices = a.integer("dump-slices", 0);
    std::vector<float> dump;
    SliceVolume v{nx, ny, nz, [&](std::int64_t z, float* out) {
                      std::memcpy(out, volume.data() + std::size_t(z) * area, area * sizeof(float));
                  }};
    double checksum = 0;
    const int repeats = a.integer("repeat", 1);
    double best = 1e30;
    for (int r = 0; r < repeats; ++r) {
        dump.clear();
        const auto t0 = Clock::now();
        runTiledSliceInference(net, v, o, [&](std::int64_t z, const float* probs) {
            checksum += probs[2 * area + area / 2];
            if (z < dumpSlices) dump.insert(dump.end(), probs + 2 * area, probs + 3 * area);  // membrane
        });
        best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
    }
    if (a.flag("dump")) {
        std::ofstream out(a.get("dump", ""), std::ios::binary);
        out.write(reinterpret_cast<const char*>(dump.data()), std::streamsize(dump.size() * sizeof(float)));
    }
    std::printf(
        "cellforge (LibTorch) %lldx%lldx%lld tile %d overlap %d batch %d threads %d fold_bn %d tta %d: "
        "%.2f s, %.2f slices/s (checksum %.4f)\n",
        (long long)nx, (long long)ny, (long long)nz, o.tileSize, o.overlap, o.batchSize, o.threads,
        int(o.foldBatchNorm), int(o.flipTta), best, double(nz) / best, checksum);
    return 0;
}

int commandPhantom(const Args& a) {
    PhantomSettings ps;
    ps.nx = a.integer("nx", 160);
    ps.ny = a.integer("ny", 160);
    ps.nz = a.integer("nz", 48);
    ps.snr = a.real("snr", ps.snr);
    const Phantom p = simulatePhantom(ps, std::uint64_t(a.integer("seed", 1)));
    const std::string prefix = a.get("out", "phantom");
    std::ofstream(prefix + ".image.f32", std::ios::binary)
        .write(reinterpret_cast<const char*>(p.image.data()), std::streamsize(p.image.size() * sizeof(float)));
    std::ofstream(prefix + ".labels.u8", std::ios::binary)
        .write(reinterpret_cast<const char*>(p.labels.data()), std::streamsize(p.labels.size()));
    std::printf("%lld %lld %lld\n", (long long)p.nx, (long long)p.ny, (long long)p.nz);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        Args a = parse(argc, argv);
        std::string line;
        for (int i = 1; i < argc; ++i) line += std::string(i > 1 ? " " : "") + argv[i];
        a.values["command-line"] = line;
        if (a.command == "train") return commandTrain(a);
        if (a.command == "accuracy") return commandAccuracy(a);
        if (a.command == "speed") return commandSpeed(a);
        if (a.command == "phantom") return commandPhantom(a);
        throw InputError("unknown command '" + a.command + "'; expected train, accuracy, speed or phantom");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cellforge_unet_bench: %s\n", e.what());
        return 2;
    }
}
