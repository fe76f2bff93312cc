#include "core/io/DataIO.h"

#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Mesh.h"
#include "core/data/Table.h"
#include "core/base/AtomicFile.h"
#include "core/io/MeshIO.h"
#include "core/io/TableIO.h"

#include <fstream>
#include <iterator>

namespace cellforge::io {

std::string defaultExtension(DataKind kind) {
    switch (kind) {
    case DataKind::Volume:
    case DataKind::LabelVolume: return ".mrc";
    case DataKind::Mesh: return ".vtp";
    case DataKind::Table: return ".csv";
    case DataKind::Model: return ".cfunet";  // CellForge's own model file (see resources/models)
    case DataKind::PointSet: return ".csv";
    }
    return "";
}

DataPtr readData(const std::string& path, DataKind kind, const VolumeReadOptions& options) {
    switch (kind) {
    case DataKind::Volume: return std::make_shared<Volume>(readVolume(path, options));
    case DataKind::LabelVolume: return std::make_shared<LabelVolume>(readLabelVolume(path, options));
    case DataKind::Mesh: return std::make_shared<Mesh>(readMesh(path));
    case DataKind::Table: return std::make_shared<Table>(readTable(path));
    case DataKind::Model: {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw InputError(path + ": cannot open model file");
        auto model = std::make_shared<Model>();
        model->bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        const std::string ext = fileExtension(path);
        model->format = ext.empty() ? std::string() : ext.substr(1);
        return model;
    }
    case DataKind::PointSet: break;
    }
    throw InputError(path + ": reading " + dataKindName(kind) + " from a file is not supported");
}

namespace {

void writePointSet(const std::string& path, const PointSet& points) {
    Table table([&] {
        std::vector<std::string> cols{"x", "y", "z"};
        cols.insert(cols.end(), points.scalarNames.begin(), points.scalarNames.end());
        return cols;
    }());
    for (std::size_t i = 0; i < points.points.size(); ++i) {
        std::vector<TableValue> row{points.points[i][0], points.points[i][1], points.points[i][2]};
        for (const auto& s : points.scalars) row.emplace_back(std::in_place_type<double>, i < s.size() ? s[i] : 0.0);
        table.addRow(std::move(row));
    }
    table.notes.push_back({"units", "Å"});
    writeTable(path, table);
}

}  // namespace

std::string writeData(const std::string& requestedPath, const DataObject& data) {
    std::string path = requestedPath;
    if (fileExtension(path).empty()) path += defaultExtension(data.kind());
    switch (data.kind()) {
    case DataKind::Volume:
    case DataKind::LabelVolume: writeVolume(path, static_cast<const Volume&>(data)); break;
    case DataKind::Mesh: writeMesh(path, static_cast<const Mesh&>(data)); break;
    case DataKind::Table: writeTable(path, static_cast<const Table&>(data)); break;
    case DataKind::PointSet: writePointSet(path, static_cast<const PointSet&>(data)); break;
    case DataKind::Model: {
        const auto& model = static_cast<const Model&>(data);
        writeAtomically(path, [&](std::ofstream& out) {
            out.write(reinterpret_cast<const char*>(model.bytes.data()), std::streamsize(model.bytes.size()));
        });
        break;
    }
    }
    return path;
}

}  // namespace cellforge::io
