// Mesh reading and writing by extension (see MeshIO.h). VTK's own formats go through
// VTK's readers and writers; the others through core/io/MeshFormats*.cpp.
#include "core/io/MeshIO.h"

#include "core/base/Errors.h"
#include "core/data/VtkView.h"
#include "core/base/AtomicFile.h"
#include "core/io/MeshFormats.h"

#include <vtkCommand.h>
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
#include <type_traits>
#include <filesystem>

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

template <typename Reader>
Mesh readWithVtk(const std::string& path) {
    auto reader = vtkSmartPointer<Reader>::New();
    auto catcher = vtkSmartPointer<VtkErrorCatcher>::New();
    reader->AddObserver(vtkCommand::ErrorEvent, catcher);
    reader->SetFileName(path.c_str());
    reader->Update();
    if (catcher->failed || !reader->GetOutput())
        throw InputError(path + ": VTK could not read the file" +
                         (catcher->message.empty() ? std::string() : ": " + catcher->message));
    return meshFromVtk(reader->GetOutput());
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
        mesh = readWithVtk<vtkXMLPolyDataReader>(path);
    } else if (ext == ".vtu") {
        mesh = readWithVtk<vtkXMLUnstructuredGridReader>(path);
    } else if (ext == ".vtk") {
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
