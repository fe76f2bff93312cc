#include "tests/fuzz/FuzzTargets.h"

#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Mesh.h"
#include "core/data/Table.h"
#include "core/data/Volume.h"
#include "core/io/MeshIO.h"
#include "core/io/TableIO.h"
#include "core/io/VolumeIO.h"
#include "core/ml/ModelFile.h"
#include "core/pipeline/Pipeline.h"
#include "core/plugin/StageRegistry.h"
#if CELLFORGE_FUZZ_PROJECTS
#include "app/gui/project/ProjectManifest.h"
#endif

#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>

namespace fs = std::filesystem;

namespace cellforge::fuzz {

namespace {

std::string fileText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void copyInto(const std::string& folder, const fs::path& source) {
    std::error_code ec;
    if (fs::exists(source)) fs::copy_file(source, fs::path(folder) / source.filename(), ec);
}

Volume sampleVolume(ScalarType type, Index3 dims) {
    Volume v(dims, type);
    v.setVoxelSize({11.4, 11.4, 12.0});
    auto fill = [&](auto* data) {
        for (std::int64_t i = 0; i < v.voxelCount(); ++i)
            data[i] =
                decltype(+data[0])((i * 37) % 101 - 30 * !std::is_unsigned_v<std::remove_pointer_t<decltype(data)>>);
    };
    if (type == ScalarType::Float32) fill(v.data<float>());
    if (type == ScalarType::UInt8) fill(v.data<std::uint8_t>());
    if (type == ScalarType::Int16) fill(v.data<std::int16_t>());
    return v;
}

LabelVolume sampleLabels() {
    LabelVolume l(Index3{9, 7, 4});
    for (std::int64_t i = 0; i < l.voxelCount(); ++i) l.labels()[i] = std::uint16_t((i / 5) % 4);
    return l;
}

// Volumes of several types and shapes in the target's format, plus the real files.
std::function<void(const std::string&)> volumeSeeds(std::string extension, bool withRealMrc) {
    return [extension, withRealMrc](const std::string& folder) {
        int k = 0;
        for (ScalarType type : {ScalarType::Float32, ScalarType::UInt8, ScalarType::Int16})
            io::writeVolume(folder + "/seed" + std::to_string(k++) + extension, sampleVolume(type, {7, 5, 3}));
        io::writeVolume(folder + "/flat" + extension, sampleVolume(ScalarType::Float32, {6, 4, 1}));
        io::writeVolume(folder + "/labels" + extension, sampleLabels());
        if (withRealMrc) {
            const fs::path real = fs::path(CELLFORGE_SHARED_DATA) / "real";
            for (const char* f : {"EMD-3197.map", "EMD-3001.map", "mrc2D.mrc"}) copyInto(folder, real / f);
        }
    };
}

void readVolumeFile(const std::string& path) {
    io::readVolumeInfo(path);
    io::readVolume(path);
    io::readLabelVolume(path);
}

Mesh sampleMesh(bool withTetrahedra) {
    Mesh m;
    m.points = {{0, 0, 0}, {10, 0, 0}, {0, 10, 0}, {0, 0, 10}, {10, 10, 10}};
    m.triangles = {{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 2, 3}};
    m.triangleRegions = {1, 1, 2, 2};
    if (withTetrahedra) {
        m.tetrahedra = {{0, 1, 2, 3}, {1, 2, 3, 4}};
        m.tetrahedronRegions = {5, 6};
    }
    return m;
}

std::function<void(const std::string&)> meshSeeds(std::string extension) {
    return [extension](const std::string& folder) {
        io::writeMesh(folder + "/surface" + extension, sampleMesh(false));
        try {
            io::writeMesh(folder + "/volume" + extension, sampleMesh(true));
        } catch (const std::exception&) {
            // a surface-only format
        }
        if (extension == ".msh") io::writeMesh(folder + "/v2" + extension, sampleMesh(true), "2.2");
    };
}

void tableSeeds(const std::string& folder, const std::string& extension) {
    Table t({"id", "name", "value, Å", "quote\"d"});
    t.addRow({1.0, std::string("vesicle"), 3.5, std::string("a,b")});
    t.addRow({2.0, std::string("line\nbreak"), -1e-3, std::string("")});
    io::writeTable(folder + "/table" + extension, t);
}

void writeText(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

const char* kProject = R"({"format":"cellforge-project","version":1,"name":"cell","cursor":[3,4,5],
 "activeLabelLayer":"labels","pipeline":"../pipelines/membranes.json",
 "layers":[{"name":"tomogram","kind":"Volume","file":"cell_data/tomogram.mrc","style":"grayscale",
            "visible":true,"opacity":0.8,"window":[0,1],"colormap":"gray"},
           {"name":"labels","kind":"LabelVolume","file":"cell_data/labels.mrc","style":"labels","visible":false},
           {"name":"mesh","kind":"Mesh","file":"cell_data/m.stl","style":"surface","transferPreset":"ct"}]})";

}  // namespace

std::vector<FuzzTarget> allTargets() {
    std::vector<FuzzTarget> t;
    t.push_back({"mrc", ".mrc", MutationKind::Bytes, volumeSeeds(".mrc", true), readVolumeFile});
    t.push_back({"mrc.gz", ".mrc.gz", MutationKind::Gzip,
                 [](const std::string& folder) {
                     volumeSeeds(".mrc.gz", false)(folder);
                     copyInto(folder, fs::path(CELLFORGE_SHARED_DATA) / "real" / "emd_3197.map.gz");
                 },
                 readVolumeFile});
    t.push_back({"tiff", ".tif", MutationKind::Bytes,
                 [](const std::string& folder) {
                     volumeSeeds(".tif", false)(folder);
                     copyInto(folder, fs::path(CELLFORGE_SHARED_DATA) / "real" / "tif3D.tif");
                 },
                 readVolumeFile});
    t.push_back({"nrrd", ".nrrd", MutationKind::Bytes, volumeSeeds(".nrrd", false), readVolumeFile});
    t.push_back({"mha", ".mha", MutationKind::Bytes, volumeSeeds(".mha", false), readVolumeFile});
    t.push_back({"nifti", ".nii", MutationKind::Bytes, volumeSeeds(".nii", false), readVolumeFile});
    t.push_back({"nifti.gz", ".nii.gz", MutationKind::Gzip, volumeSeeds(".nii.gz", false), readVolumeFile});
    for (const char* ext : {".stl", ".obj", ".ply", ".off", ".vtk", ".vtp", ".vtu", ".msh", ".mesh", ".xdmf", ".mdl"})
        t.push_back({std::string(ext + 1), ext, MutationKind::Bytes, meshSeeds(ext),
                     [](const std::string& path) { io::readMesh(path); }});
    t.push_back({"csv", ".csv", MutationKind::Bytes, [](const std::string& f) { tableSeeds(f, ".csv"); },
                 [](const std::string& path) { io::readTable(path); }});
    t.push_back({"table.json", ".json", MutationKind::Json, [](const std::string& f) { tableSeeds(f, ".json"); },
                 [](const std::string& path) { io::readTable(path); }});
    t.push_back({"pipeline", ".json", MutationKind::Json,
                 [](const std::string& folder) {
                     for (const auto& e :
                          fs::directory_iterator(fs::path(CELLFORGE_SOURCE_DIR) / "resources/pipelines"))
                         copyInto(folder, e.path());
                 },
                 [](const std::string& path) {
                     const Pipeline p = Pipeline::fromJson(fileText(path), path);
                     // The structure check the runner does before any stage, against an
                     // empty registry: every stage is then unknown, so it must be refused
                     // with its name, never crash (cycles and self-references included).
                     StageRegistry registry;
                     validatePipeline(p, registry);
                 }});
#if CELLFORGE_FUZZ_PROJECTS
    t.push_back({"project", ".cellforge.json", MutationKind::Json,
                 [](const std::string& folder) { writeText(folder + "/cell.cellforge.json", kProject); },
                 [](const std::string& path) { ProjectManifest::fromJson(fileText(path), path); }});
#endif
    t.push_back({"model", ".cfmodel", MutationKind::ModelChecksum,
                 [](const std::string& folder) {
                     ml::ModelFileContents c;
                     c.kind = "unet";
                     c.architecture.set("depth", 2.0);
                     c.architecture.set("channels", std::vector<double>{4, 8});
                     c.architecture.set("activation", std::string("relu"));
                     c.metadata = {{"voxel_size", "10"}, {"note.trainer", "fuzz"}};
                     ml::NamedArray a;
                     a.name = "conv.weight";
                     a.shape = {2, 3};
                     a.values = {1, 2, 3, 4, 5, 6};
                     c.arrays = {a, a};
                     c.arrays[1].name = "conv.bias";
                     c.arrays[1].shape = {6};
                     ml::writeFileAtomically(folder + "/small.cfmodel", ml::encodeModelFile(c));
                 },
                 [](const std::string& path) {
                     const std::vector<unsigned char> bytes = ml::readFileBytes(path);
                     ml::decodeModelFile(bytes.data(), bytes.size(), path);
                 }});
    return t;
}

}  // namespace cellforge::fuzz
