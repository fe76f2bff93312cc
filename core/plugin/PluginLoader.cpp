#include "core/plugin/PluginLoader.h"

#include "core/base/Errors.h"
#include "core/plugin/PluginInterface.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QLibrary>
#include <QPluginLoader>

#include <cstdlib>
#include <set>

namespace cellforge {

std::vector<std::string> PluginLoader::defaultSearchPaths() {
    std::vector<std::string> paths;
    if (const char* env = std::getenv("CELLFORGE_PLUGIN_PATH")) {
        for (const QString& p : QString::fromLocal8Bit(env).split(':', Qt::SkipEmptyParts))
            paths.push_back(p.toStdString());
    }
    QString exeDir;
    if (QCoreApplication::instance()) {
        exeDir = QCoreApplication::applicationDirPath();
    } else {
        exeDir = QFileInfo(QStringLiteral("/proc/self/exe")).canonicalFilePath();
        exeDir = QFileInfo(exeDir).absolutePath();
    }
    paths.push_back(QDir(exeDir + "/../lib/cellforge/plugins").absolutePath().toStdString());
    return paths;
}

void PluginLoader::loadFrom(const std::vector<std::string>& folders, StageRegistry& registry) {
    std::set<QString> seenFiles;
    std::set<std::string> loadedIds;
    for (const auto& folder : folders) {
        QDir dir(QString::fromStdString(folder));
        if (!dir.exists()) continue;
        const auto entries = dir.entryInfoList(QDir::Files | QDir::NoDotAndDotDot, QDir::Name);
        for (const QFileInfo& fi : entries) {
            if (!QLibrary::isLibrary(fi.fileName())) continue;
            const QString path = fi.canonicalFilePath();
            if (!seenFiles.insert(path).second) continue;

            PluginRecord rec;
            rec.file = path.toStdString();
            auto loader = std::make_unique<QPluginLoader>(path);
            // Resolve every symbol at load: a missing one refuses the plugin now, not a crash later.
            loader->setLoadHints(QLibrary::ResolveAllSymbolsHint);
            // The metadata is read from the file without loading (running) the library.
            const QJsonObject meta = loader->metaData();
            if (meta.isEmpty() || meta.value("IID").toString() != CellForgePluginInterface_iid) {
                rec.refusal = "not a CellForge plugin (no plugin metadata with IID " +
                              std::string(CellForgePluginInterface_iid) + ")";
                records_.push_back(rec);
                continue;
            }
            const QJsonObject data = meta.value("MetaData").toObject();
            rec.id = data.value("id").toString().toStdString();
            rec.name = data.value("name").toString().toStdString();
            rec.version = data.value("version").toString().toStdString();
            rec.description = data.value("description").toString().toStdString();
            rec.apiVersion = data.value("apiVersion").toInt(0);
            if (rec.id.empty()) {
                rec.refusal = "metadata has no \"id\"";
            } else if (rec.apiVersion != kPluginApiVersion) {
                rec.refusal = "plugin API version " + std::to_string(rec.apiVersion) +
                              ", but this CellForge needs API version " + std::to_string(kPluginApiVersion);
            } else if (loadedIds.count(rec.id)) {
                rec.refusal = "a plugin with id '" + rec.id + "' is already loaded from an earlier folder";
            }
            if (!rec.refusal.empty()) {
                records_.push_back(rec);
                continue;
            }
            QObject* instance = loader->instance();  // loads the library
            if (!instance) {
                rec.refusal = "could not load: " + loader->errorString().toStdString();
                records_.push_back(rec);
                continue;
            }
            auto* plugin = qobject_cast<PluginInterface*>(instance);
            if (!plugin) {
                rec.refusal = "the library does not implement " + std::string(CellForgePluginInterface_iid);
                loader->unload();
                records_.push_back(rec);
                continue;
            }
            // Register into a scratch registry first, so a plugin that fails halfway adds nothing.
            StageRegistry scratch;
            try {
                plugin->registerStages(scratch);
                for (const auto& id : scratch.stageIds()) {
                    if (registry.find(id))
                        throw InputError("stage '" + id + "' is already provided by plugin '" +
                                         registry.pluginOf(id) + "'");
                }
            } catch (const std::exception& e) {
                rec.refusal = std::string("registration failed: ") + e.what();
                records_.push_back(rec);
                continue;
            }
            for (const auto& id : scratch.stageIds()) {
                registry.add(scratch.find(id), rec.id);
                rec.stageIds.push_back(id);
            }
            rec.loaded = true;
            loadedIds.insert(rec.id);
            records_.push_back(rec);
            loader.release();  // keep the library loaded for the life of the process
        }
    }
}

}  // namespace cellforge
