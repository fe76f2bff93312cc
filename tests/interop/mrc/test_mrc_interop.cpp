// MRC interop with python3-mrcfile, an independent MRC2014 implementation: CellForge
// reads what mrcfile writes (every mode, both byte orders), and mrcfile validates and
// reads back what CellForge writes. The mrcfile side is mrc_peer.py beside this file.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "core/base/Errors.h"
#include "core/io/JsonText.h"
#include "core/io/VolumeIO.h"

using namespace cellforge;
using namespace cellforge::io;

namespace {

const std::string kPeer = std::string(CELLFORGE_SOURCE_DIR) + "/tests/interop/mrc/mrc_peer.py";

struct PeerRun {
    int status = -1;
    std::string output;
};

PeerRun runPeer(const std::string& command, const std::string& folder) {
    const std::string line = std::string(CELLFORGE_PYTHON) + " '" + kPeer + "' " + command + " '" + folder + "' 2>&1";
    PeerRun run;
    FILE* pipe = ::popen(line.c_str(), "r");
    if (!pipe) return run;
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), int(buffer.size()), pipe)) run.output += buffer.data();
    const int rc = ::pclose(pipe);
    run.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return run;
}

class ScratchDir {
public:
    ScratchDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "cellforge-interop-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

Volume pattern(ScalarType type, double lo, double hi, Index3 dims = {7, 5, 3}) {
    Volume v(dims, type);
    dispatchScalar(type, [&](auto tag) {
        using T = decltype(tag);
        T* p = v.data<T>();
        for (std::int64_t z = 0; z < dims[2]; ++z)
            for (std::int64_t y = 0; y < dims[1]; ++y)
                for (std::int64_t x = 0; x < dims[0]; ++x) {
                    double value =
                        lo + std::fmod(0.37 * double(x) + 1.91 * double(y) + 7.3 * double(z), 1.0) * (hi - lo);
                    if constexpr (!std::is_floating_point_v<T>) value = std::round(value);
                    p[v.index(x, y, z)] = T(value);
                }
    });
    v.setVoxelSize({1.5, 2.25, 4.0});
    v.setOrigin({-30.0, 12.5, 0.75});
    return v;
}

std::string vec(const Vec3& v) {
    return "[" + json::number(v[0]) + ", " + json::number(v[1]) + ", " + json::number(v[2]) + "]";
}

}  // namespace

TEST(MrcInterop, CellForgeReadsWhatMrcfileWrites) {
    ScratchDir dir;
    const PeerRun run = runPeer("write", dir.path());
    ASSERT_EQ(run.status, 0) << run.output;
    std::ifstream in(dir.file("peer_manifest.json"));
    std::stringstream text;
    text << in.rdbuf();
    const json::Value manifest = json::parse(text.str(), "peer_manifest.json");
    ASSERT_TRUE(manifest.isArray());
    ASSERT_EQ(manifest.array.size(), 12u);
    for (const json::Value& entry : manifest.array) {
        const std::string name = entry.find("file")->string;
        SCOPED_TRACE(name);
        const int mode = int(entry.find("mode")->number);
        const Volume v = readVolume(dir.file(name));
        const auto& dims = entry.find("dims")->array;
        ASSERT_EQ(v.dims(),
                  (Index3{std::int64_t(dims[0].number), std::int64_t(dims[1].number), std::int64_t(dims[2].number)}));
        const ScalarType expectedType = mode == 0   ? ScalarType::Int8
                                        : mode == 1 ? ScalarType::Int16
                                        : mode == 6 ? ScalarType::UInt16
                                                    : ScalarType::Float32;
        EXPECT_EQ(v.scalarType(), expectedType);
        const auto& values = entry.find("values")->array;
        ASSERT_EQ(values.size(), std::size_t(v.voxelCount()));
        for (std::int64_t i = 0; i < v.voxelCount(); ++i)
            ASSERT_EQ(v.valueAt(i % v.nx(), (i / v.nx()) % v.ny(), i / (v.nx() * v.ny())),
                      values[std::size_t(i)].number)
                << "voxel " << i;
        for (int a = 0; a < 3; ++a) {
            EXPECT_NEAR(v.voxelSize()[a], entry.find("voxel_size")->array[std::size_t(a)].number, 1e-5);
            EXPECT_NEAR(v.origin()[a], entry.find("origin")->array[std::size_t(a)].number, 1e-4);
        }
    }
}

TEST(MrcInterop, MrcfileValidatesAndReadsWhatCellForgeWrites) {
    ScratchDir dir;
    struct Case {
        std::string file;
        Volume volume;
        std::optional<int> mode;
        int expectedMode;
    };
    std::vector<Case> cases;
    cases.push_back({"int8.mrc", pattern(ScalarType::Int8, -128, 127), std::nullopt, 0});
    cases.push_back({"uint8_low.mrc", pattern(ScalarType::UInt8, 0, 127), std::nullopt, 0});
    cases.push_back({"uint8_high.mrc", pattern(ScalarType::UInt8, 0, 255), std::nullopt, 6});
    cases.push_back({"int16.mrc", pattern(ScalarType::Int16, -32768, 32767), std::nullopt, 1});
    cases.push_back({"uint16.mrc", pattern(ScalarType::UInt16, 0, 65535), std::nullopt, 6});
    cases.push_back({"float32.mrc", pattern(ScalarType::Float32, -1e4, 5e5), std::nullopt, 2});
    // mrcfile.validate sums squared deviations in float16 itself, which overflows past
    // 65504: the validated float16 file keeps its values small; a second one with a
    // wide range is only read back (its name tells mrc_peer.py not to validate it).
    cases.push_back({"float16.mrc", pattern(ScalarType::Float32, -20, 20), 12, 12});
    cases.push_back({"float16_wide_novalidate.mrc", pattern(ScalarType::Float32, -30000, 60000), 12, 12});
    cases.push_back({"float_as_mode0.mrc", pattern(ScalarType::Int8, -100, 100).toFloat32(), 0, 0});
    cases.push_back({"float_as_mode1.mrc", pattern(ScalarType::Int16, -3000, 3000).toFloat32(), 1, 1});
    cases.push_back({"float_as_mode6.mrc", pattern(ScalarType::UInt16, 0, 3000).toFloat32(), 6, 6});
    cases.push_back({"single_slice.mrc", pattern(ScalarType::Float32, 0, 1, {9, 4, 1}), std::nullopt, 2});
    LabelVolume labels = LabelVolume::fromVolume(pattern(ScalarType::UInt16, 0, 5));
    labels.table() = LabelTable::semanticDefault();
    cases.push_back({"labels.mrc", labels, std::nullopt, 6});
    // Real files written back: a symmetry extended header, IMOD's labels and bytes.
    cases.push_back(
        {"emd3001.mrc", readVolume(std::string(CELLFORGE_SHARED_DATA) + "/real/EMD-3001.map"), std::nullopt, 2});
    cases.push_back({"mrc3d.mrc", readVolume(std::string(CELLFORGE_SHARED_DATA) + "/real/mrc3D.mrc"), std::nullopt, 6});

    std::string manifest = "[";
    for (std::size_t i = 0; i < cases.size(); ++i) {
        Case& c = cases[i];
        VolumeWriteOptions options;
        options.mrcMode = c.mode;
        writeVolume(dir.file(c.file), c.volume, options);
        // What mrcfile must read: the values as stored (float16-rounded for mode 12).
        const Volume stored = readVolume(dir.file(c.file));
        std::string values;
        for (std::int64_t k = 0; k < stored.voxelCount(); ++k) {
            const double v =
                stored.valueAt(k % stored.nx(), (k / stored.nx()) % stored.ny(), k / (stored.nx() * stored.ny()));
            if (c.mode != 12) {
                ASSERT_EQ(v, c.volume.valueAt(k % stored.nx(), (k / stored.nx()) % stored.ny(),
                                              k / (stored.nx() * stored.ny())))
                    << c.file << " voxel " << k;
            }
            values += (k ? "," : "") + json::number(v);
        }
        manifest += std::string(i ? ",\n" : "\n") + "{\"file\": " + json::quote(c.file) +
                    ", \"mode\": " + std::to_string(c.expectedMode) + ", \"dims\": [" + std::to_string(stored.nx()) +
                    ", " + std::to_string(stored.ny()) + ", " + std::to_string(stored.nz()) +
                    "], \"voxel_size\": " + vec(c.volume.voxelSize()) + ", \"origin\": " + vec(c.volume.origin()) +
                    ", \"extended_header_bytes\": " + std::to_string(c.volume.sourceHeader().extendedHeader.size()) +
                    ", \"values\": [" + values + "]}";
    }
    manifest += "\n]\n";
    std::ofstream(dir.file("cellforge_manifest.json")) << manifest;
    const PeerRun run = runPeer("check", dir.path());
    std::cout << run.output;
    EXPECT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find(std::to_string(cases.size()) + " files ok, 0 with problems"), std::string::npos);
}
