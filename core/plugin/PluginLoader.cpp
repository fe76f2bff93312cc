#include "core/plugin/PluginLoader.h"

#include "core/base/Errors.h"
#include "core/io/FileFormat.h"
#include "core/plugin/PluginInterface.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QLibrary>
#include <QPluginLoader>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
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

std::vector<std::string> PluginLoader::capabilityNames() { return {"qt", "itk", "vtk", "eigen", "cgal", "libtorch"}; }

bool PluginLoader::hasCapability(const std::string& name) {
    if (name == "qt" || name == "itk" || name == "vtk" || name == "eigen" || name == "cgal") return true;
    if (name == "libtorch" || name == "torch") {
        static const bool present = [] {
            for (const char* lib : {"torch_cpu", "torch"}) {
                QLibrary l(QString::fromLatin1(lib));
                if (l.load()) return true;  // stays loaded: the plugin needs it next
            }
            return false;
        }();
        return present;
    }
    return false;
}

namespace {

// A library found in a folder whose metadata was accepted, waiting for its requirements.
struct Candidate {
    std::size_t record;  // index into the records
    std::unique_ptr<QPluginLoader> loader;
};

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

}  // namespace

void PluginLoader::loadFrom(const std::vector<std::string>& folders, StageRegistry& registry, GuiModules gui) {
    std::set<QString> seenFiles;
    std::vector<Candidate> pending;
    std::map<std::string, std::unique_ptr<QPluginLoader>> guiModules;  // plugin id -> its GUI module
    std::map<std::string, std::string> guiModulePaths;
    const std::size_t firstRecord = records_.size();

    // 1. Metadata only: nothing is loaded (run) yet.
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
            const QJsonObject meta = loader->metaData();
            const QString iid = meta.value("IID").toString();
            const QJsonObject data = meta.value("MetaData").toObject();
            if (iid == CellForgeGuiPluginInterface_iid) {
                // A plugin's GUI module: handled with its plugin, below.
                const std::string id = data.value("id").toString().toStdString();
                if (!id.empty() && !guiModules.count(id)) {
                    guiModulePaths[id] = rec.file;
                    guiModules[id] = std::move(loader);
                }
                continue;
            }
            if (meta.isEmpty() || iid != CellForgePluginInterface_iid) {
                rec.refusal = "not a CellForge plugin (no plugin metadata with IID " +
                              std::string(CellForgePluginInterface_iid) + ")";
                records_.push_back(rec);
                continue;
            }
            rec.id = data.value("id").toString().toStdString();
            rec.name = data.value("name").toString().toStdString();
            rec.version = data.value("version").toString().toStdString();
            rec.description = data.value("description").toString().toStdString();
            rec.apiVersion = data.value("apiVersion").toInt(0);
            const QJsonValue requiresValue = data.value("requires");
            if (requiresValue.isArray()) {
                for (const QJsonValue& r : requiresValue.toArray())
                    if (r.isString() && !r.toString().isEmpty()) rec.requirements.push_back(r.toString().toStdString());
            }
            const bool idTaken = std::any_of(pending.begin(), pending.end(),
                                             [&](const Candidate& c) { return records_[c.record].id == rec.id; });
            if (rec.id.empty()) {
                rec.refusal = "metadata has no \"id\"";
            } else if (rec.apiVersion != kPluginApiVersion) {
                rec.refusal = "plugin API version " + std::to_string(rec.apiVersion) +
                              ", but this CellForge needs API version " + std::to_string(kPluginApiVersion);
            } else if (!requiresValue.isUndefined() && !requiresValue.isArray()) {
                rec.refusal = "metadata \"requires\" must be a list of names";
            } else if (idTaken) {
                rec.refusal = "a plugin with id '" + rec.id + "' is already loaded from an earlier folder";
            }
            records_.push_back(rec);
            if (rec.refusal.empty()) pending.push_back({records_.size() - 1, std::move(loader)});
        }
    }

    // 2. Load in the order the requirements allow.
    std::set<std::string> loadedIds;
    for (std::size_t i = 0; i < firstRecord; ++i)
        if (records_[i].loaded) loadedIds.insert(records_[i].id);
    auto isPending = [&](const std::string& id) {
        return std::any_of(pending.begin(), pending.end(),
                           [&](const Candidate& c) { return c.loader && records_[c.record].id == id; });
    };
    auto load = [&](Candidate& c) {
        PluginRecord& rec = records_[c.record];
        auto loader = std::move(c.loader);
        QObject* instance = loader->instance();  // loads the library
        if (!instance) {
            rec.refusal = "could not load: " + loader->errorString().toStdString();
            return;
        }
        auto* plugin = qobject_cast<PluginInterface*>(instance);
        if (!plugin) {
            rec.refusal = "the library does not implement " + std::string(CellForgePluginInterface_iid);
            loader->unload();
            return;
        }
        // Register into scratch registries first, so a plugin that fails halfway adds nothing.
        StageRegistry scratch;
        std::vector<io::FileFormatPtr> formats;
        std::vector<EditingToolPtr> tools;
        try {
            plugin->registerStages(scratch);
            for (const auto& id : scratch.stageIds()) {
                if (registry.find(id))
                    throw InputError("stage '" + id + "' is already provided by plugin '" + registry.pluginOf(id) +
                                     "'");
            }
            formats = plugin->fileFormats();
            io::FileFormatRegistry check = io::pluginFileFormats();
            for (const auto& f : formats) check.add(f, rec.id);
            tools = plugin->editingTools();
            for (const auto& t : tools) {
                if (!t || t->id().empty()) throw InputError("an editing tool without an id");
                for (const auto& other : tools_)
                    if (other.tool->id() == t->id() && other.pluginId != rec.id)
                        throw InputError("editing tool '" + t->id() + "' is already provided by plugin '" +
                                         other.pluginId + "'");
            }
        } catch (const std::exception& e) {
            rec.refusal = std::string("registration failed: ") + e.what();
            return;
        }
        for (const auto& id : scratch.stageIds()) {
            registry.add(scratch.find(id), rec.id);
            rec.stageIds.push_back(id);
        }
        for (const auto& f : formats) {
            io::pluginFileFormats().add(f, rec.id);
            rec.fileFormats.push_back(f->name());
        }
        for (const auto& t : tools) {
            tools_.push_back({rec.id, t});
            rec.editingTools.push_back(t->id());
        }
        rec.loaded = true;
        loadedIds.insert(rec.id);
        loader.release();  // keep the library loaded for the life of the process
    };

    for (bool progress = true; progress;) {
        progress = false;
        for (Candidate& c : pending) {
            if (!c.loader) continue;
            PluginRecord& rec = records_[c.record];
            std::vector<std::string> missing;
            bool waiting = false;
            for (const auto& req : rec.requirements) {
                if (loadedIds.count(req) || hasCapability(req)) continue;
                if (req != rec.id && isPending(req))
                    waiting = true;
                else
                    missing.push_back(req);
            }
            if (!missing.empty()) {
                std::string why;
                for (const auto& m : missing) {
                    const bool refusedPlugin = std::any_of(
                        records_.begin(), records_.end(),
                        [&](const PluginRecord& r) { return r.id == m && !r.loaded && !r.refusal.empty(); });
                    why += (why.empty() ? "" : "; ") + std::string("'") + m + "' " +
                           (refusedPlugin ? "(that plugin was refused)"
                                          : "(no plugin with that id was found, and it is not a capability of this "
                                            "CellForge: " +
                                                joined(capabilityNames()) + ")");
                }
                rec.refusal = "requires " + why;
                c.loader.reset();
                progress = true;
                continue;
            }
            if (waiting) continue;
            load(c);
            c.loader.reset();
            progress = true;
        }
    }
    for (Candidate& c : pending) {
        if (!c.loader) continue;
        records_[c.record].refusal =
            "requires " + joined(records_[c.record].requirements) + ", which require it in turn (a cycle)";
        c.loader.reset();
    }

    // 3. GUI modules (panels), only for the GUI and only of loaded plugins.
    for (auto& [id, loader] : guiModules) {
        auto rec = std::find_if(records_.begin() + std::ptrdiff_t(firstRecord), records_.end(),
                                [&](const PluginRecord& r) { return r.id == id; });
        if (rec == records_.end()) {
            PluginRecord orphan;
            orphan.file = guiModulePaths[id];
            orphan.id = id;
            orphan.refusal = "a GUI module of plugin '" + id + "', which was not found";
            records_.push_back(orphan);
            continue;
        }
        rec->guiModule = guiModulePaths[id];
        if (!rec->loaded) {
            rec->guiRefusal = "its plugin was refused";
            continue;
        }
        if (gui == GuiModules::Skip) continue;
        QObject* instance = loader->instance();
        auto* module = instance ? qobject_cast<GuiPluginInterface*>(instance) : nullptr;
        if (!module) {
            rec->guiRefusal = instance
                                  ? "the GUI module does not implement " + std::string(CellForgeGuiPluginInterface_iid)
                                  : "could not load: " + loader->errorString().toStdString();
            continue;
        }
        try {
            for (const auto& p : module->panels()) {
                if (!p || p->id().empty()) throw InputError("a panel without an id");
                panels_.push_back({id, p});
                rec->panels.push_back(p->id());
            }
        } catch (const std::exception& e) {
            rec->guiRefusal = std::string("panels failed: ") + e.what();
            continue;
        }
        loader.release();
    }
}

}  // namespace cellforge
