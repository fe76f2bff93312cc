// Mesh reading and writing by extension (see MeshIO.h). VTK's own formats go through
// VTK's readers and writers; the others through core/io/MeshFormats*.cpp.
#include "core/io/MeshIO.h"

#include "core/base/Errors.h"
#include "core/data/VtkView.h"
#include "core/base/AtomicFile.h"
#include "core/io/MeshFormats.h"
#include "core/io/OutputPath.h"

#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkCommand.h>
#include <vtkDataArray.h>
#include <vtkUnsignedCharArray.h>
#include <vtkDataSetReader.h>
#include <vtkUnstructuredGridWriter.h>
#include <vtkPolyData.h>
#include <vtkSmartPointer.h>
#include <vtkUnstructuredGrid.h>
#include <vtkXMLPolyDataReader.h>
#include <vtkXMLPolyDataWriter.h>
#include <vtkXMLUnstructuredGridReader.h>
#include <vtkXMLUnstructuredGridWriter.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>
#include <string_view>
#include <type_traits>
#include <filesystem>
#include <limits>

namespace cellforge::io {

namespace {

const char* const kExtensions[] = {".stl", ".obj",  ".ply",  ".off",  ".vtk", ".vtp", ".vtu",
                                   ".msh", ".msh2", ".mesh", ".xdmf", ".xmf", ".mdl"};

std::string meshExtension(const std::string& path) {
    auto ext = fileExtension(path);
    // fileExtension keeps compound suffixes ("a.b.stl" is still ".stl" for us).
    const auto dot = ext.rfind('.');
    if (dot != std::string::npos && dot > 0) ext = ext.substr(dot);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

std::string supportedList() {
    std::string list;
    for (const char* e : kExtensions) list += (list.empty() ? "" : " ") + std::string(e);
    return list;
}

// Collects VTK's error messages, which VTK readers and writers report through events.
class VtkErrorCatcher : public vtkCommand {
public:
    static VtkErrorCatcher* New() { return new VtkErrorCatcher; }
    void Execute(vtkObject*, unsigned long, void* callData) override {
        if (message.empty() && callData) message = static_cast<const char*>(callData);
        failed = true;
    }
    bool failed = false;
    std::string message;
};

// VTK's readers take counts and offsets from the file as they are: a file whose cells
// point past its points, whose offsets run backwards or whose cell types or "region"
// array are shorter than its cells reads "successfully" and crashes whoever walks it.
void checkCells(vtkCellArray* cells, vtkIdType pointCount, const std::string& path, const char* what) {
    if (!cells) return;
    if (!cells->IsValid())
        throw InputError(path + ": the " + what + " list is inconsistent (offsets out of order or past its end)");
    const vtkIdType n = cells->GetNumberOfCells();
    for (vtkIdType c = 0; c < n; ++c) {
        const vtkIdType begin = cells->GetOffsetsArray()->GetComponent(c, 0);
        const vtkIdType end = cells->GetOffsetsArray()->GetComponent(c + 1, 0);
        for (vtkIdType k = begin; k < end; ++k) {
            const vtkIdType id = vtkIdType(cells->GetConnectivityArray()->GetComponent(k, 0));
            if (id < 0 || id >= pointCount)
                throw InputError(path + ": " + what + " " + std::to_string(c) + " names point " + std::to_string(id) +
                                 ", but the file has " + std::to_string(pointCount) + " points");
        }
    }
}

void checkVtkData(vtkDataSet* data, const std::string& path) {
    const vtkIdType np = data->GetNumberOfPoints();
    if (np > std::numeric_limits<std::int32_t>::max())
        throw InputError(path + ": " + std::to_string(np) + " points are more than CellForge's meshes hold");
    if (auto* grid = vtkUnstructuredGrid::SafeDownCast(data)) {
        checkCells(grid->GetCells(), np, path, "cell");
        const vtkIdType types = grid->GetCellTypesArray() ? grid->GetCellTypesArray()->GetNumberOfTuples() : 0;
        if (grid->GetCells() && types != grid->GetCells()->GetNumberOfCells())
            throw InputError(path + ": " + std::to_string(grid->GetCells()->GetNumberOfCells()) + " cells but " +
                             std::to_string(types) + " cell types");
    } else if (auto* poly = vtkPolyData::SafeDownCast(data)) {
        checkCells(poly->GetVerts(), np, path, "vertex");
        checkCells(poly->GetLines(), np, path, "line");
        checkCells(poly->GetPolys(), np, path, "polygon");
        checkCells(poly->GetStrips(), np, path, "triangle strip");
    } else if (data->GetNumberOfCells() > 0) {
        throw InputError(path + ": a " + std::string(data->GetClassName()) +
                         " is not a mesh (expected an unstructured grid or polygon data)");
    }
    if (vtkDataArray* regions = data->GetCellData()->GetArray("region"))
        if (regions->GetNumberOfTuples() < data->GetNumberOfCells())
            throw InputError(path + ": the 'region' array has " + std::to_string(regions->GetNumberOfTuples()) +
                             " values for " + std::to_string(data->GetNumberOfCells()) + " cells");
}

// VTK's legacy reader (9.1) walks a cell list by the counts in it and writes past its
// buffers when they disagree with the list's declared size (heap corruption, found by
// tests/fuzz). Files of format 4 and older are checked first, up to their attributes:
// every cell list's counts must add up to its size, with point ids inside POINTS, and
// the sizes must fit in the file.
void checkLegacyVtkFile(const std::string& path) {
    const std::string bytes = meshformat::readFileBytes(path);
    std::size_t pos = 0;
    auto line = [&]() -> std::string_view {
        const std::size_t end = std::min(bytes.find('\n', pos), bytes.size());
        std::string_view l(bytes.data() + pos, end - pos);
        pos = std::min(end + 1, bytes.size());
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        return l;
    };
    auto fail = [&](const std::string& why) { throw InputError(path + ": legacy VTK file: " + why); };
    const std::string_view version = line();
    if (version.rfind("# vtk DataFile Version ", 0) != 0) fail("the first line is not '# vtk DataFile Version N'");
    if (version.size() > 23 && version[23] >= '5') return;  // offsets and connectivity arrays: VTK checks them
    line();                                                 // title
    const std::string_view encoding = line();
    const bool binary = encoding.rfind("BINARY", 0) == 0;
    if (!binary && encoding.rfind("ASCII", 0) != 0) fail("line 3 must be ASCII or BINARY");
    std::string_view dataset = line();
    while (!dataset.empty() && std::isspace(static_cast<unsigned char>(dataset.back()))) dataset.remove_suffix(1);
    const bool grid = dataset == "DATASET UNSTRUCTURED_GRID";
    if (!grid && dataset != "DATASET POLYDATA")
        fail("line 4 must be 'DATASET UNSTRUCTURED_GRID' or 'DATASET POLYDATA' (a mesh)");
    bool sawCells = false, sawTypes = false;
    // Binary blocks end with a line break: anything else means the block is not the
    // declared length, and VTK's tokens would no longer be where this check looks.
    auto endOfBlock = [&](const char* section) {
        if (binary && pos < bytes.size() && bytes[pos] != '\n')
            fail(std::string(section) + ": its data is not the declared length");
    };
    std::int64_t points = -1, cellCount = 0, polyCells = 0, attributeCount = -1;
    std::set<std::string> seen;
    auto words = [](std::string_view l) {
        std::vector<std::string> w;
        std::istringstream in{std::string(l)};
        for (std::string t; in >> t;) w.push_back(t);
        return w;
    };
    auto number = [&](const std::string& text, const char* what) {
        char* end = nullptr;
        errno = 0;
        const long long v = std::strtoll(text.c_str(), &end, 10);
        if (errno || *end || v < 0) fail(std::string(what) + " '" + text + "' is not a count");
        return std::int64_t(v);
    };
    auto sizeOf = [&](const std::string& type) -> std::int64_t {
        if (type == "float" || type == "int" || type == "unsigned_int") return 4;
        if (type == "double" || type == "long" || type == "unsigned_long" || type == "vtktypeint64") return 8;
        if (type == "short" || type == "unsigned_short") return 2;
        if (type == "char" || type == "unsigned_char" || type == "bit") return 1;
        fail("unknown data type '" + type + "'");
        return 0;
    };
    // Values of a section: binary ones are skipped by their size, text ones read.
    auto readInts = [&](std::int64_t count, const char* section) {
        std::vector<std::int64_t> v;
        if (binary) {
            if (count > std::int64_t((bytes.size() - pos) / 4)) fail(std::string(section) + " runs past the end");
            v.resize(std::size_t(count));
            for (std::int64_t i = 0; i < count; ++i) {
                std::uint32_t be;
                std::memcpy(&be, bytes.data() + pos + 4 * std::size_t(i), 4);
                v[std::size_t(i)] = std::int32_t(__builtin_bswap32(be));
            }
            pos += 4 * std::size_t(count);
            endOfBlock(section);
        } else {
            if (count > std::int64_t((bytes.size() - pos) / 2)) fail(std::string(section) + " runs past the end");
            v.reserve(std::size_t(count));
            const char* p = bytes.data() + pos;
            const char* end = bytes.data() + bytes.size();
            for (std::int64_t i = 0; i < count; ++i) {
                while (p < end && std::isspace(static_cast<unsigned char>(*p))) ++p;
                char* next = nullptr;
                errno = 0;
                const long long x = std::strtoll(p, &next, 10);
                if (next == p || errno)
                    fail(std::string(section) + ": value " + std::to_string(i) + " is not an integer");
                v.push_back(x);
                p = next;
            }
            pos = std::size_t(p - bytes.data());
        }
        return v;
    };
    // `count` tuples of `components` values of `size` bytes: skipped by size (binary) or
    // by tokens (text).
    auto skipValues = [&](std::int64_t count, std::int64_t components, std::int64_t size, const char* section) {
        if (components <= 0 || components > 1 << 20) fail(std::string(section) + ": bad number of components");
        if (count > std::int64_t(bytes.size()) / components) fail(std::string(section) + " runs past the end");
        const std::int64_t values = count * components;
        if (binary) {
            if (values > std::int64_t((bytes.size() - pos) / std::size_t(size)))
                fail(std::string(section) + " runs past the end");
            pos += std::size_t(values * size);
            endOfBlock(section);
            return;
        }
        for (std::int64_t i = 0; i < values; ++i) {
            while (pos < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[pos]))) ++pos;
            if (pos >= bytes.size()) fail(std::string(section) + " runs past the end");
            while (pos < bytes.size() && !std::isspace(static_cast<unsigned char>(bytes[pos]))) ++pos;
        }
    };
    while (pos < bytes.size()) {
        const std::vector<std::string> w = words(line());
        if (w.empty()) continue;
        const std::string& key = w[0];
        // VTK appends a repeated section to the first, with the first one's sizes.
        static const std::set<std::string> once = {"POINTS",          "CELLS",    "CELL_TYPES", "POLYGONS", "LINES",
                                                   "TRIANGLE_STRIPS", "VERTICES", "POINT_DATA", "CELL_DATA"};
        if (once.count(key) && !seen.insert(key).second) fail("a second " + key + " section");
        if (key == "POINT_DATA" || key == "CELL_DATA") {
            if (w.size() < 2) fail(key + " needs a count");
            attributeCount = number(w[1], (key + " count").c_str());
            const std::int64_t expected = key == "POINT_DATA" ? points : (grid ? cellCount : polyCells);
            if (attributeCount != expected)
                fail(key + " " + std::to_string(attributeCount) + " for " + std::to_string(expected) +
                     (key == "POINT_DATA" ? " points" : " cells"));
            continue;
        }
        if (attributeCount >= 0 && key != "FIELD") {  // an attribute of the points or cells
            const std::int64_t n = attributeCount;
            if (key == "SCALARS") {
                if (w.size() < 3) fail("SCALARS needs a name and a type");
                const std::int64_t components = w.size() > 3 ? number(w[3], "SCALARS components") : 1;
                const std::vector<std::string> table = words(line());
                if (table.size() < 2 || table[0] != "LOOKUP_TABLE") fail("SCALARS must be followed by LOOKUP_TABLE");
                skipValues(n, components, sizeOf(w[2]), "SCALARS");
            } else if (key == "VECTORS" || key == "NORMALS" || key == "TENSORS") {
                if (w.size() < 3) fail(key + " needs a name and a type");
                skipValues(n, key == "TENSORS" ? 9 : 3, sizeOf(w[2]), key.c_str());
            } else if (key == "TEXTURE_COORDINATES") {
                if (w.size() < 4) fail("TEXTURE_COORDINATES needs a name, a dimension and a type");
                skipValues(n, number(w[2], "TEXTURE_COORDINATES dimension"), sizeOf(w[3]), key.c_str());
            } else if (key == "COLOR_SCALARS") {
                if (w.size() < 3) fail("COLOR_SCALARS needs a name and a component count");
                skipValues(n, number(w[2], "COLOR_SCALARS components"), 1, key.c_str());
            } else if (key == "LOOKUP_TABLE") {
                if (w.size() < 3) fail("LOOKUP_TABLE needs a name and a size");
                skipValues(number(w[2], "LOOKUP_TABLE size"), 4, 1, key.c_str());
            } else if (key != "METADATA" && key != "INFORMATION" && key != "NAME" && key != "DATA") {
                fail("unexpected '" + io::printableName(key.substr(0, 40)) + "' among the attributes");
            }
            continue;
        }
        if (key == "POINTS") {
            if (w.size() < 3) fail("POINTS needs a count and a type");
            points = number(w[1], "POINTS count");
            skipValues(points, 3, sizeOf(w[2]), "POINTS");
        } else if (key == "FIELD") {  // field data of the whole data set, before the cells
            if (w.size() < 3) fail("FIELD needs a name and an array count");
            const std::int64_t arrays = number(w[2], "FIELD array count");
            for (std::int64_t a = 0; a < arrays && pos < bytes.size(); ++a) {
                const std::vector<std::string> f = words(line());
                if (f.size() == 1 && f[0] == "NULL_ARRAY") continue;
                if (f.size() < 4)
                    fail("FIELD array " + std::to_string(a) + " needs a name, components, tuples and a type");
                skipValues(number(f[2], "FIELD tuples"), number(f[1], "FIELD components"), sizeOf(f[3]), "FIELD");
            }
        } else if (key == "CELLS" || key == "POLYGONS" || key == "TRIANGLE_STRIPS" || key == "LINES" ||
                   key == "VERTICES") {
            if (w.size() < 3) fail(key + " needs a cell count and a size");
            if (points < 0) fail(key + " comes before POINTS");
            if (grid != (key == "CELLS")) fail(key + " in a " + std::string(dataset.substr(8)) + " data set");
            sawCells = sawCells || key == "CELLS";
            const std::int64_t cells = number(w[1], (key + " count").c_str());
            if (key == "CELLS") cellCount = cells;
            if (key != "CELLS") polyCells += cells;
            const std::int64_t size = number(w[2], (key + " size").c_str());
            const std::vector<std::int64_t> list = readInts(size, key.c_str());
            std::int64_t i = 0;
            for (std::int64_t c = 0; c < cells; ++c) {
                if (i >= size)
                    fail(key + ": " + std::to_string(cells) + " cells do not fit in size " + std::to_string(size));
                const std::int64_t k = list[std::size_t(i)];
                if (k < 0 || k > size - i - 1)
                    fail(key + ": cell " + std::to_string(c) + " claims " + std::to_string(k) +
                         " points, past the list's end");
                for (std::int64_t j = i + 1; j <= i + k; ++j)
                    if (list[std::size_t(j)] < 0 || (points >= 0 && list[std::size_t(j)] >= points))
                        fail(key + ": cell " + std::to_string(c) + " names point " +
                             std::to_string(list[std::size_t(j)]) + " of " + std::to_string(points));
                i += k + 1;
            }
            if (i != size)
                fail(key + ": the cells fill " + std::to_string(i) + " of the declared size " + std::to_string(size));
        } else if (key == "CELL_TYPES") {
            if (w.size() < 2) fail("CELL_TYPES needs a count");
            sawTypes = true;
            const std::int64_t types = number(w[1], "CELL_TYPES count");
            if (types != cellCount)
                fail("CELL_TYPES gives " + std::to_string(types) + " types for " + std::to_string(cellCount) +
                     " cells");
            readInts(types, "CELL_TYPES");
        } else if (key != "METADATA" && key != "INFORMATION" && key != "NAME" && key != "DATA") {
            fail("unexpected '" + io::printableName(key.substr(0, 40)) +
                 "' where a section (POINTS, CELLS, ...) belongs");
        }
    }
    if (points < 0) fail("no POINTS section");
    if (grid && sawCells != sawTypes) fail(sawCells ? "CELLS without CELL_TYPES" : "CELL_TYPES without CELLS");
}

// VTK's XML readers allocate what NumberOfPoints and NumberOfCells say before reading
// a byte of data: counts that the file cannot hold (12 bytes a point at 1032:1, zlib's
// largest expansion) are refused first.
void checkXmlVtkCounts(const std::string& path) {
    const std::string bytes = meshformat::readFileBytes(path);
    const double most = (double(bytes.size()) * 1032.0 + 1048576.0) / 12.0;
    for (std::size_t at = bytes.find("NumberOf"); at != std::string::npos; at = bytes.find("NumberOf", at + 8)) {
        const std::size_t quote = bytes.find('"', at);
        if (quote == std::string::npos || quote > at + 40) continue;
        const double n = std::strtod(bytes.c_str() + quote + 1, nullptr);
        if (!(n <= most))
            throw InputError(path + ": " + bytes.substr(at, quote - at) + " " +
                             bytes.substr(quote + 1, std::min<std::size_t>(24, bytes.size() - quote - 1)) +
                             "... is more than a file of " + std::to_string(bytes.size()) + " bytes can hold");
    }
}

template <typename Reader>
Mesh readWithVtk(const std::string& path) {
    auto reader = vtkSmartPointer<Reader>::New();
    auto catcher = vtkSmartPointer<VtkErrorCatcher>::New();
    reader->AddObserver(vtkCommand::ErrorEvent, catcher);
    reader->SetFileName(path.c_str());
    try {
        reader->Update();
    } catch (const std::bad_alloc&) {
        throw InputError(path + ": VTK could not read the file: not enough memory for what it declares");
    } catch (const std::length_error&) {  // a size VTK takes from the file
        throw InputError(path + ": VTK could not read the file: it declares an impossible size");
    }
    if (catcher->failed || !reader->GetOutput())
        throw InputError(path + ": VTK could not read the file" +
                         (catcher->message.empty() ? std::string() : ": " + catcher->message));
    vtkDataSet* data = vtkDataSet::SafeDownCast(reader->GetOutputDataObject(0));
    if (!data) throw InputError(path + ": VTK read no data set from the file");
    checkVtkData(data, path);
    return meshFromVtk(data);
}

template <typename Writer, typename Data>
void writeWithVtk(const std::string& path, Data* data) {
    writeAtomicallyByName(path, [&](const std::string& tempPath) {
        auto writer = vtkSmartPointer<Writer>::New();
        auto catcher = vtkSmartPointer<VtkErrorCatcher>::New();
        writer->AddObserver(vtkCommand::ErrorEvent, catcher);
        writer->SetInputData(data);
        writer->SetFileName(tempPath.c_str());
        if constexpr (std::is_base_of_v<vtkDataWriter, Writer>) {
            writer->SetFileTypeToBinary();
            // Legacy format 4.2, which every legacy reader knows; meshio 5 (Debian 12)
            // misreads integer arrays of VTK 9's default 5.1 format.
            writer->SetFileVersion(vtkDataWriter::VTK_LEGACY_READER_VERSION_4_2);
        }
        if (writer->Write() != 1 || catcher->failed)
            throw InputError(path + ": VTK could not write the file" +
                             (catcher->message.empty() ? std::string() : ": " + catcher->message));
    });
}

// MCell object names are identifiers: letters, digits and underscores, not starting with a digit.
std::string mdlObjectName(const std::string& path) {
    std::string name = std::filesystem::path(path).stem().string();
    for (auto& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) name = "mesh_" + name;
    return name;
}

}  // namespace

bool isMeshFile(const std::string& path) {
    const auto ext = meshExtension(path);
    return std::find(std::begin(kExtensions), std::end(kExtensions), ext) != std::end(kExtensions);
}

Mesh readMesh(const std::string& path) {
    const auto ext = meshExtension(path);
    if (!isMeshFile(path))
        throw InputError(path + ": '" + ext + "' is not a mesh format CellForge reads (expected one of " +
                         supportedList() + ")");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw InputError(path + ": no such file");
    Mesh mesh;
    if (ext == ".vtp") {
        checkXmlVtkCounts(path);
        mesh = readWithVtk<vtkXMLPolyDataReader>(path);
    } else if (ext == ".vtu") {
        checkXmlVtkCounts(path);
        mesh = readWithVtk<vtkXMLUnstructuredGridReader>(path);
    } else if (ext == ".vtk") {
        checkLegacyVtkFile(path);
        mesh = readWithVtk<vtkDataSetReader>(path);
    } else if (ext == ".xdmf" || ext == ".xmf") {
        mesh = meshformat::readXdmf(path);
    } else {
        const std::string bytes = meshformat::readFileBytes(path);
        if (ext == ".stl")
            mesh = meshformat::readStl(bytes, path);
        else if (ext == ".obj")
            mesh = meshformat::readObj(bytes, path);
        else if (ext == ".ply")
            mesh = meshformat::readPly(bytes, path);
        else if (ext == ".off")
            mesh = meshformat::readOff(bytes, path);
        else if (ext == ".msh" || ext == ".msh2")
            mesh = meshformat::readGmsh(bytes, path);
        else if (ext == ".mesh")
            mesh = meshformat::readMedit(bytes, path);
        else if (ext == ".mdl")
            mesh = meshformat::readMdl(bytes, path);
    }
    try {
        mesh.validate();
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    }
    if (mesh.triangles.empty() && mesh.tetrahedra.empty())
        throw InputError(path + ": the file holds no triangles or tetrahedra (found " +
                         std::to_string(mesh.points.size()) + " points and no cells)");
    return mesh;
}

void writeMesh(const std::string& path, const Mesh& mesh, const std::string& formatVersion) {
    const auto ext = meshExtension(path);
    if (!isMeshFile(path))
        throw InputError(path + ": '" + ext + "' is not a mesh format CellForge writes (expected one of " +
                         supportedList() + ")");
    try {
        mesh.validate();
    } catch (const InputError& e) {
        throw InputError("cannot write " + path + ": " + e.what());
    }
    if (mesh.triangles.empty() && mesh.tetrahedra.empty())
        throw InputError("cannot write " + path + ": the mesh has no triangles or tetrahedra");
    const bool isMsh = ext == ".msh" || ext == ".msh2";
    std::string version = formatVersion.empty() ? (ext == ".msh2" ? "2.2" : "4.1") : formatVersion;
    if (isMsh && version != "2.2" && version != "4.1")
        throw InputError("cannot write " + path + ": Gmsh format version '" + formatVersion +
                         "' is not supported (expected 2.2 or 4.1)");

    using namespace meshformat;
    if (ext == ".vtp") {
        auto poly = toVtkPolyData(mesh.triangles.empty() ? [&] {
            Mesh surface;
            surface.points = mesh.points;
            auto view = surfaceOf(mesh);
            surface.triangles = std::move(view.triangles);
            surface.triangleRegions = std::move(view.regions);
            return surface;
        }() : mesh);
        writeWithVtk<vtkXMLPolyDataWriter>(path, poly.Get());
    } else if (ext == ".vtu") {
        auto grid = toVtkUnstructuredGrid(mesh);
        writeWithVtk<vtkXMLUnstructuredGridWriter>(path, grid.Get());
    } else if (ext == ".vtk") {
        // Always an unstructured grid (triangles and tetrahedra as cells): meshio and
        // other legacy readers do not all read POLYDATA.
        auto grid = toVtkUnstructuredGrid(mesh);
        writeWithVtk<vtkUnstructuredGridWriter>(path, grid.Get());
    } else if (ext == ".xdmf" || ext == ".xmf") {
        const bool tets = !mesh.tetrahedra.empty();
        if (tets && !mesh.triangles.empty()) {
            const auto facets = xdmfFacetsPath(path);
            const auto text = xdmfText(mesh, false);
            writeAtomically(facets, [&](std::ofstream& out) { out << text; });
        }
        const auto text = xdmfText(mesh, tets);
        writeAtomically(path, [&](std::ofstream& out) { out << text; });
    } else {
        writeAtomically(path, [&](std::ofstream& out) {
            if (ext == ".stl")
                writeStl(out, mesh);
            else if (ext == ".obj")
                writeObj(out, mesh);
            else if (ext == ".ply")
                writePly(out, mesh);
            else if (ext == ".off")
                writeOff(out, mesh);
            else if (isMsh && version == "2.2")
                writeGmsh22(out, mesh);
            else if (isMsh)
                writeGmsh41(out, mesh);
            else if (ext == ".mesh")
                writeMedit(out, mesh);
            else if (ext == ".mdl")
                writeMdl(out, mesh, mdlObjectName(path));
            if (!out) throw InputError("cannot write " + path + ": the disk refused the data (full?)");
        });
    }
}

}  // namespace cellforge::io
