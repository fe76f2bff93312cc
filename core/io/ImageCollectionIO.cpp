#include "core/io/ImageCollectionIO.h"

#include "core/base/AtomicFile.h"
#include "core/base/Errors.h"
#include "core/io/FileFormat.h"
#include "core/io/VolumeIO.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cctype>

namespace cellforge::io {

namespace {
constexpr const char* kChannelsFormat = "cellforge-channels";
constexpr const char* kImageSetFormat = "cellforge-imageset";

// (name, absolute file) pairs of a manifest whose list is under `listKey`.
std::vector<std::pair<std::string, std::string>> readManifest(const std::string& path, const char* format,
                                                              const char* listKey) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) throw InputError(path + ": cannot open");
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (doc.isNull()) throw InputError(path + ": not JSON (" + error.errorString().toStdString() + ")");
    const QJsonObject root = doc.object();
    if (root.value("format").toString() != QLatin1String(format))
        throw InputError(path + ": \"format\" must be \"" + format + "\"");
    if (!root.value(listKey).isArray()) throw InputError(path + ": \"" + listKey + "\" must be a list");
    const QDir dir = QFileInfo(f).absoluteDir();
    std::vector<std::pair<std::string, std::string>> out;
    int i = 0;
    for (const QJsonValue& v : root.value(listKey).toArray()) {
        const QJsonObject o = v.toObject();
        const std::string where = path + ": " + listKey + "[" + std::to_string(i++) + "]";
        if (!o.value("name").isString() || !o.value("file").isString())
            throw InputError(where + " needs a \"name\" and a \"file\" (strings)");
        out.emplace_back(o.value("name").toString().toStdString(),
                         dir.absoluteFilePath(o.value("file").toString()).toStdString());
    }
    return out;
}

std::string safePart(const std::string& name) {
    std::string s;
    for (char c : name) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
    return s.empty() ? std::string("image") : s;
}

// Writes one MRC per item beside the manifest, then the manifest (atomically, last).
void writeManifest(const std::string& path, const char* format, const char* listKey, const char* suffix,
                   const std::vector<std::pair<std::string, const Volume*>>& items) {
    const QFileInfo info(QString::fromStdString(path));
    std::string stem = info.fileName().toStdString();
    if (pathHasExtension(stem, suffix)) stem = stem.substr(0, stem.size() - std::string(suffix).size());
    QJsonArray list;
    for (const auto& [name, volume] : items) {
        const QString file = QString::fromStdString(stem + "_" + safePart(name) + ".mrc");
        writeVolume(info.absoluteDir().absoluteFilePath(file).toStdString(), *volume);
        list.append(QJsonObject{{"name", QString::fromStdString(name)}, {"file", file}});
    }
    QJsonObject root{{"format", format}, {"version", 1}, {listKey, list}};
    const QByteArray text = QJsonDocument(root).toJson();
    writeAtomically(path, [&](std::ofstream& out) { out.write(text.constData(), text.size()); });
}
}  // namespace

bool isChannelsManifest(const std::string& path) { return pathHasExtension(path, ".channels.json"); }
bool isImageSetManifest(const std::string& path) { return pathHasExtension(path, ".imageset.json"); }

MultiChannelImage readMultiChannelImage(const std::string& path) {
    MultiChannelImage image;
    if (isChannelsManifest(path)) {
        for (const auto& [name, file] : readManifest(path, kChannelsFormat, "channels"))
            image.addChannel(name, std::make_shared<Volume>(readVolume(file)));
    } else if (isVolumeFile(path)) {
        image.addChannel(QFileInfo(QString::fromStdString(path)).completeBaseName().toStdString(),
                         std::make_shared<Volume>(readVolume(path)));
    } else {
        throw InputError(path + ": a MultiChannelImage is read from a .channels.json manifest or a volume file");
    }
    if (image.channelCount() == 0) throw InputError(path + ": no channels");
    return image;
}

void writeMultiChannelImage(const std::string& path, const MultiChannelImage& image) {
    if (!isChannelsManifest(path))
        throw InputError(path + ": a MultiChannelImage is written as a .channels.json manifest (one MRC per channel)");
    std::vector<std::pair<std::string, const Volume*>> items;
    for (const auto& c : image.channels()) items.emplace_back(c.name, c.image.get());
    writeManifest(path, kChannelsFormat, "channels", ".channels.json", items);
}

ImageSet readImageSet(const std::string& path) {
    ImageSet set;
    const QFileInfo info(QString::fromStdString(path));
    if (info.isDir()) {
        for (const QFileInfo& f : QDir(info.absoluteFilePath()).entryInfoList(QDir::Files, QDir::Name)) {
            const std::string file = f.absoluteFilePath().toStdString();
            if (isVolumeFile(file))
                set.add(f.completeBaseName().toStdString(), std::make_shared<Volume>(readVolume(file)));
        }
        if (set.empty()) throw InputError(path + ": the folder holds no volume files");
    } else if (isImageSetManifest(path)) {
        for (const auto& [name, file] : readManifest(path, kImageSetFormat, "images"))
            set.add(name, std::make_shared<Volume>(readVolume(file)));
    } else {
        throw InputError(path + ": an ImageSet is read from a .imageset.json manifest or a folder of volumes");
    }
    return set;
}

void writeImageSet(const std::string& path, const ImageSet& set) {
    if (!isImageSetManifest(path))
        throw InputError(path + ": an ImageSet is written as a .imageset.json manifest (one MRC per image)");
    std::vector<std::pair<std::string, const Volume*>> items;
    for (const auto& e : set.entries()) items.emplace_back(e.name, e.image.get());
    writeManifest(path, kImageSetFormat, "images", ".imageset.json", items);
}

}  // namespace cellforge::io
