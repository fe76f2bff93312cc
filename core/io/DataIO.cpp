#include "core/io/DataIO.h"

#include "core/base/AtomicFile.h"
#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Mesh.h"
#include "core/data/Model.h"
#include "core/data/PointSet.h"
#include "core/data/Table.h"
#include "core/io/FileFormat.h"
#include "core/io/ImageCollectionIO.h"
#include "core/io/MeshIO.h"
#include "core/io/TableIO.h"

#include <QFileInfo>

#include <fstream>
#include <iterator>

namespace cellforge::io {

std::string defaultExtension(DataKind kind) {
    switch (kind) {
        case DataKind::Volume:
        case DataKind::LabelVolume:
            return ".mrc";
        case DataKind::Mesh:
            return ".vtp";
        case DataKind::Table:
            return ".csv";
        case DataKind::Model:
            return ".cfunet";  // CellForge's own model file (see resources/models)
        case DataKind::PointSet:
            return ".csv";
        case DataKind::MultiChannelImage:
            return ".channels.json";
        case DataKind::ImageSet:
            return ".imageset.json";
    }
    return "";
}

bool builtinFormatHandles(const std::string& path, DataKind kind) {
    switch (kind) {
        case DataKind::Volume:
        case DataKind::LabelVolume:
            return isVolumeFile(path);
        case DataKind::Mesh:
            return isMeshFile(path);
        case DataKind::Table:
        case DataKind::PointSet:
            return isTableFile(path);
        case DataKind::Model:
            return true;  // any file: its bytes are kept as they are
        case DataKind::MultiChannelImage:
            return isChannelsManifest(path) || isVolumeFile(path);
        case DataKind::ImageSet:
            return isImageSetManifest(path) || QFileInfo(QString::fromStdString(path)).isDir();
    }
    return false;
}

namespace {

DataPtr readBuiltin(const std::string& path, DataKind kind, const VolumeReadOptions& options) {
    switch (kind) {
        case DataKind::Volume:
            return std::make_shared<Volume>(readVolume(path, options));
        case DataKind::LabelVolume:
            return std::make_shared<LabelVolume>(readLabelVolume(path, options));
        case DataKind::Mesh:
            return std::make_shared<Mesh>(readMesh(path));
        case DataKind::Table:
            return std::make_shared<Table>(readTable(path));
        case DataKind::Model: {
            std::ifstream in(path, std::ios::binary);
            if (!in) throw InputError(path + ": cannot open model file");
            auto model = std::make_shared<Model>();
            model->bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
            const std::string ext = fileExtension(path);
            model->format = ext.empty() ? std::string() : ext.substr(1);
            return model;
        }
        case DataKind::MultiChannelImage:
            return std::make_shared<MultiChannelImage>(readMultiChannelImage(path));
        case DataKind::ImageSet:
            return std::make_shared<ImageSet>(readImageSet(path));
        case DataKind::PointSet:
            break;  // written as a table; no reader yet
    }
    return nullptr;
}

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

std::string noFormatMessage(const std::string& path, DataKind kind, const char* verb) {
    std::string msg = path + ": no format " + verb + " " + dataKindName(kind) + " files like this (built-in default " +
                      defaultExtension(kind) + ")";
    if (!pluginFileFormats().empty()) msg += "; plugins' formats: " + pluginFileFormats().describe();
    return msg;
}

}  // namespace

DataPtr readData(const std::string& path, DataKind kind, const VolumeReadOptions& options) {
    // Built-in formats first; a plugin's format reads the extensions they do not know.
    if (!builtinFormatHandles(path, kind)) {
        if (const FileFormatPtr plugin = pluginFileFormats().findReader(path, kind)) {
            DataPtr data = plugin->read(path, kind);
            if (!data || !dataKindAccepts(kind, data->kind()))
                throw InputError(path + ": the " + plugin->name() + " format did not give a " + dataKindName(kind));
            return data;
        }
    }
    // The built-in readers name the formats they know when the extension is not one.
    if (DataPtr data = readBuiltin(path, kind, options)) return data;
    throw InputError(noFormatMessage(path, kind, "reads"));
}

std::string writeData(const std::string& requestedPath, const DataObject& data) {
    std::string path = requestedPath;
    if (fileExtension(path).empty()) path += defaultExtension(data.kind());
    if (!builtinFormatHandles(path, data.kind()) || data.kind() == DataKind::PointSet) {
        if (const FileFormatPtr plugin = pluginFileFormats().findWriter(path, data.kind())) {
            plugin->write(path, data);
            return path;
        }
    }
    switch (data.kind()) {
        case DataKind::Volume:
        case DataKind::LabelVolume:
            writeVolume(path, static_cast<const Volume&>(data));
            break;
        case DataKind::Mesh:
            writeMesh(path, static_cast<const Mesh&>(data));
            break;
        case DataKind::Table:
            writeTable(path, static_cast<const Table&>(data));
            break;
        case DataKind::PointSet:
            writePointSet(path, static_cast<const PointSet&>(data));
            break;
        case DataKind::Model: {
            const auto& model = static_cast<const Model&>(data);
            writeAtomically(path, [&](std::ofstream& out) {
                out.write(reinterpret_cast<const char*>(model.bytes.data()), std::streamsize(model.bytes.size()));
            });
            break;
        }
        case DataKind::MultiChannelImage:
            writeMultiChannelImage(path, static_cast<const MultiChannelImage&>(data));
            break;
        case DataKind::ImageSet:
            writeImageSet(path, static_cast<const ImageSet&>(data));
            break;
    }
    return path;
}

}  // namespace cellforge::io
