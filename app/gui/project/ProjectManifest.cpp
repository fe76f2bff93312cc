#include "app/gui/project/ProjectManifest.h"

#include "core/base/Errors.h"
#include "core/base/AtomicFile.h"
#include "core/io/DataIO.h"
#include "core/io/OutputPath.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace cellforge {

std::string styleName(LayerStyle style) {
    switch (style) {
        case LayerStyle::Grayscale:
            return "grayscale";
        case LayerStyle::Labels:
            return "labels";
        case LayerStyle::Probability:
            return "probability";
        case LayerStyle::Mesh:
            return "mesh";
        case LayerStyle::Points:
            return "points";
        case LayerStyle::Table:
            return "table";
    }
    return "grayscale";
}

LayerStyle styleFromName(const std::string& n) {
    if (n == "labels") return LayerStyle::Labels;
    if (n == "probability") return LayerStyle::Probability;
    if (n == "mesh") return LayerStyle::Mesh;
    if (n == "points") return LayerStyle::Points;
    if (n == "table") return LayerStyle::Table;
    return LayerStyle::Grayscale;
}

std::string safeFileName(const std::string& name) {
    std::string out;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.';
        out += ok ? c : '_';
    }
    while (!out.empty() && out.front() == '.') out.erase(out.begin());
    return out.empty() ? std::string("layer") : out;
}

std::string ProjectManifest::toJson() const {
    QJsonObject root;
    root["format"] = "cellforge-project";
    root["version"] = kFormatVersion;
    root["name"] = QString::fromStdString(name);
    root["cursor"] = QJsonArray{cursor[0], cursor[1], cursor[2]};
    if (!pipelineFile.empty()) root["pipeline"] = QString::fromStdString(pipelineFile);
    if (!activeLabelLayer.empty()) root["activeLabelLayer"] = QString::fromStdString(activeLabelLayer);
    QJsonArray layerArray;
    for (const ProjectLayer& l : layers) {
        const LayerDisplay& d = l.display;
        QJsonObject o;
        o["name"] = QString::fromStdString(d.name);
        o["kind"] = QString::fromStdString(l.kind);
        o["file"] = QString::fromStdString(l.file);
        o["style"] = QString::fromStdString(styleName(d.style));
        o["visible"] = d.visible;
        o["opacity"] = d.opacity;
        o["colorMap"] = QString::fromStdString(d.colorMap);
        o["window"] = QJsonArray{d.low, d.high};
        o["threshold"] = d.threshold;
        o["labelFill"] = d.labelFill;
        o["labelOutline"] = d.labelOutline;
        o["fillOpacity"] = d.fillOpacity;
        o["show3D"] = d.show3D;
        o["surfacePerInstance"] = d.surfacePerInstance;
        o["transferPreset"] = QString::fromStdString(d.transferPreset);
        layerArray.append(o);
    }
    root["layers"] = layerArray;
    return QJsonDocument(root).toJson(QJsonDocument::Indented).toStdString();
}

ProjectManifest ProjectManifest::fromJson(const std::string& text, const std::string& source) {
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(text), &err);
    if (doc.isNull() || !doc.isObject())
        throw InputError(source + ": not a JSON object (" + err.errorString().toStdString() + " at offset " +
                         std::to_string(err.offset) + ")");
    const QJsonObject root = doc.object();
    if (root.value("format").toString() != "cellforge-project")
        throw InputError(source + ": field 'format' is '" + root.value("format").toString().toStdString() +
                         "', expected 'cellforge-project'");
    const int version = root.value("version").toInt(0);
    if (version < 1 || version > kFormatVersion)
        throw InputError(source + ": field 'version' is " + std::to_string(version) + ", expected 1 to " +
                         std::to_string(kFormatVersion));
    ProjectManifest m;
    m.name = root.value("name").toString().toStdString();
    const QJsonArray c = root.value("cursor").toArray();
    if (c.size() == 3)
        for (int a = 0; a < 3; ++a) m.cursor[std::size_t(a)] = c[a].toDouble();
    m.pipelineFile = root.value("pipeline").toString().toStdString();
    m.activeLabelLayer = root.value("activeLabelLayer").toString().toStdString();
    if (!root.value("layers").isArray()) throw InputError(source + ": field 'layers' is missing or not a list");
    int i = 0;
    for (const QJsonValue& v : root.value("layers").toArray()) {
        const QJsonObject o = v.toObject();
        ProjectLayer l;
        l.display.name = o.value("name").toString().toStdString();
        l.kind = o.value("kind").toString().toStdString();
        l.file = o.value("file").toString().toStdString();
        const std::string where = source + ": layers[" + std::to_string(i) + "]";
        if (l.display.name.empty()) throw InputError(where + ": field 'name' is missing");
        if (l.file.empty()) throw InputError(where + " ('" + l.display.name + "'): field 'file' is missing");
        try {
            dataKindFromName(l.kind);  // throws naming the valid kinds
        } catch (const InputError& e) {
            throw InputError(where + " ('" + l.display.name + "'): field 'kind': " + e.what());
        }
        LayerDisplay& d = l.display;
        d.style = styleFromName(o.value("style").toString().toStdString());
        d.visible = o.value("visible").toBool(true);
        d.opacity = o.value("opacity").toDouble(1.0);
        d.colorMap = o.value("colorMap").toString("gray").toStdString();
        const QJsonArray w = o.value("window").toArray();
        if (w.size() == 2) {
            d.low = w[0].toDouble();
            d.high = w[1].toDouble();
        }
        d.threshold = o.value("threshold").toDouble(0.5);
        d.labelFill = o.value("labelFill").toBool(true);
        d.labelOutline = o.value("labelOutline").toBool(true);
        d.fillOpacity = o.value("fillOpacity").toDouble(0.45);
        d.show3D = o.value("show3D").toBool(true);
        d.surfacePerInstance = o.value("surfacePerInstance").toBool(false);
        d.transferPreset = o.value("transferPreset").toString(QString::fromStdString(d.transferPreset)).toStdString();
        m.layers.push_back(std::move(l));
        ++i;
    }
    return m;
}

namespace {
std::string relativeTo(const QDir& dir, const std::string& absolute) {
    return QDir::fromNativeSeparators(dir.relativeFilePath(QString::fromStdString(absolute))).toStdString();
}
}  // namespace

ProjectSaveResult saveProject(const std::string& manifestPath, ProjectManifest manifest,
                              const std::vector<ProjectLayerSource>& layers,
                              const std::vector<ProjectLayer>& unreadLayers) {
    const QFileInfo info(QString::fromStdString(manifestPath));
    const QDir dir = info.absoluteDir();
    if (!dir.exists()) throw InputError(manifestPath + ": folder does not exist");
    QString base = info.fileName();
    if (base.endsWith(".cellforge.json"))
        base.chop(int(std::string(".cellforge.json").size()));
    else if (base.endsWith(".json"))
        base.chop(5);
    const QString dataDirName = base + "_data";
    ProjectSaveResult result;
    manifest.layers.clear();
    if (manifest.name.empty()) manifest.name = base.toStdString();
    std::vector<std::string> usedNames;
    for (const ProjectLayerSource& src : layers) {
        if (!src.display.data) continue;
        const DataKind kind = src.display.data->kind();
        if (kind == DataKind::PointSet) continue;  // no file format for point sets yet
        std::string path = src.sourcePath;
        const bool exists = !path.empty() && QFileInfo::exists(QString::fromStdString(path));
        if (src.dirty || !exists) {
            if (!dir.exists(dataDirName) && !dir.mkpath(dataDirName))
                throw InputError(manifestPath + ": cannot create the data folder '" + dataDirName.toStdString() + "'");
            std::string stem = safeFileName(src.display.name);
            std::string unique = stem;
            for (int k = 2; std::find(usedNames.begin(), usedNames.end(), unique) != usedNames.end(); ++k)
                unique = stem + "_" + std::to_string(k);
            usedNames.push_back(unique);
            std::string fileName = unique;
            // A layer named "cell.v2" or "a..b" gets the default extension too.
            if (!io::builtinFormatHandles(fileName, kind)) fileName += io::defaultExtension(kind);
            const std::string target =
                io::resolveOutputPath(dir.absolutePath().toStdString(), dataDirName.toStdString() + "/" + fileName,
                                      manifestPath + ": layer '" + src.display.name + "': data file");
            path = io::writeData(target, *src.display.data);  // atomic
            result.writtenFiles.push_back(path);
        }
        ProjectLayer entry;
        entry.display = src.display;
        entry.display.data.reset();
        entry.kind = dataKindName(kind);
        entry.file = relativeTo(dir, QFileInfo(QString::fromStdString(path)).absoluteFilePath().toStdString());
        manifest.layers.push_back(entry);
        result.layerPaths.push_back(QFileInfo(QString::fromStdString(path)).absoluteFilePath().toStdString());
    }
    for (ProjectLayer entry : unreadLayers) {
        entry.file = relativeTo(dir, entry.file);
        manifest.layers.push_back(std::move(entry));
    }
    const std::string json = manifest.toJson();
    writeAtomically(manifestPath, [&](std::ofstream& out) { out << json; });
    return result;
}

ProjectManifest loadProject(const std::string& manifestPath,
                            const std::function<void(LayerDisplay, const std::string&)>& onLayer,
                            const OutsideLayerQuestion& askOutside, std::vector<ProjectLayer>* leftOut) {
    std::ifstream in(manifestPath, std::ios::binary);
    if (!in) throw InputError(manifestPath + ": cannot open the project file");
    std::stringstream ss;
    ss << in.rdbuf();
    ProjectManifest m = ProjectManifest::fromJson(ss.str(), manifestPath);
    const QDir dir = QFileInfo(QString::fromStdString(manifestPath)).absoluteDir();
    auto absolutePathOf = [&](const ProjectLayer& l) {
        return QDir::cleanPath(dir.absoluteFilePath(QString::fromStdString(l.file))).toStdString();
    };
    std::vector<OutsideProjectLayer> outside;
    for (const ProjectLayer& l : m.layers)
        if (!io::liesInsideFolder(dir.absolutePath().toStdString(), absolutePathOf(l)))
            outside.push_back({l.display.name, l.file, absolutePathOf(l)});
    const bool openOutside = !outside.empty() && askOutside && askOutside(outside) == OutsideLayerAnswer::Open;
    for (const ProjectLayer& l : m.layers) {
        const std::string abs = absolutePathOf(l);
        const bool isOutside = std::any_of(outside.begin(), outside.end(),
                                           [&](const OutsideProjectLayer& o) { return o.absolutePath == abs; });
        if (isOutside && !openOutside) {
            if (leftOut) {
                ProjectLayer kept = l;
                kept.file = abs;
                leftOut->push_back(std::move(kept));
            }
            continue;
        }
        if (!QFileInfo::exists(QString::fromStdString(abs)))
            throw InputError(manifestPath + ": layer '" + l.display.name + "' names file '" + l.file +
                             "', which does not exist");
        LayerDisplay d = l.display;
        try {
            d.data = io::readData(abs, dataKindFromName(l.kind));
        } catch (const InputError& e) {
            throw InputError(manifestPath + ": layer '" + l.display.name + "': " + e.what());
        }
        onLayer(d, abs);
    }
    return m;
}

}  // namespace cellforge
