#include "CliCommands.h"

#include "core/base/Errors.h"
#include "core/base/Resources.h"
#include "core/data/LabelVolume.h"
#include "core/data/Mesh.h"
#include "core/data/Table.h"
#include "core/base/AtomicFile.h"
#include "core/io/DataIO.h"
#include "core/io/FileFormat.h"
#include "core/io/MeshIO.h"
#include "core/io/OutputPath.h"
#include "core/io/TableIO.h"
#include "core/io/VolumeIO.h"
#include "core/jobs/JobQueue.h"
#include "core/pipeline/PipelineRunner.h"
#include "core/plugin/PluginLoader.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <atomic>
#include <csignal>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

namespace cellforge::cli {

namespace fs = std::filesystem;

std::string usage() {
    return "CellForge command line " CELLFORGE_VERSION
           "\n"
           "usage:\n"
           "  cellforge-cli --version\n"
           "  cellforge-cli plugins [--json]                 stages with ports and parameter schemas\n"
           "  cellforge-cli info FILE [--json] [--voxel-size Å]\n"
           "                                                 dims, mode/dtype, voxel size (Å), origin, statistics\n"
           "  cellforge-cli convert IN OUT [--voxel-size Å] [--mode N]\n"
           "  cellforge-cli run PIPELINE.json --input NAME=PATH ... --output DIR\n"
           "                [--set STAGE.PARAM=VALUE ...] [--device cpu|cuda[:N]] [--progress json]\n"
           "exit codes: 0 done, 2 bad input or parameters, 3 a stage failed, 130 cancelled\n";
}

namespace {

// Parses "--voxel-size 10" or "10,10,12" (Å).
Vec3 parseVoxelSize(const std::string& text) {
    std::vector<double> v;
    std::stringstream ss(text);
    std::string part;
    while (std::getline(ss, part, ',')) {
        try {
            std::size_t used = 0;
            v.push_back(std::stod(part, &used));
            if (used != part.size()) throw std::invalid_argument(part);
        } catch (const std::exception&) {
            throw InputError("--voxel-size '" + text + "': expected a number of Å or three numbers X,Y,Z");
        }
    }
    if (v.size() == 1) v = {v[0], v[0], v[0]};
    if (v.size() != 3) throw InputError("--voxel-size '" + text + "': expected one value or three (X,Y,Z)");
    for (double d : v)
        if (!(d > 0) || !std::isfinite(d)) throw InputError("--voxel-size '" + text + "': values must be positive");
    return {v[0], v[1], v[2]};
}

struct Args {
    std::vector<std::string> positional;
    std::vector<std::pair<std::string, std::string>> options;  // in order, repeated allowed
    std::vector<std::string> flags;
    bool has(const std::string& flag) const { return std::find(flags.begin(), flags.end(), flag) != flags.end(); }
    std::string value(const std::string& name) const {
        for (const auto& [k, v] : options)
            if (k == name) return v;
        return {};
    }
    std::vector<std::string> values(const std::string& name) const {
        std::vector<std::string> out;
        for (const auto& [k, v] : options)
            if (k == name) out.push_back(v);
        return out;
    }
};

Args parseArgs(const std::vector<std::string>& args, const std::vector<std::string>& withValue,
               const std::vector<std::string>& flags) {
    Args out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.rfind("--", 0) == 0) {
            std::string name = a, value;
            bool inlineValue = false;
            if (auto eq = a.find('='); eq != std::string::npos) {
                name = a.substr(0, eq);
                value = a.substr(eq + 1);
                inlineValue = true;
            }
            if (std::find(withValue.begin(), withValue.end(), name) != withValue.end()) {
                if (!inlineValue) {
                    if (i + 1 >= args.size()) throw InputError("option " + name + " needs a value");
                    value = args[++i];
                }
                out.options.push_back({name, value});
            } else if (std::find(flags.begin(), flags.end(), name) != flags.end() && !inlineValue) {
                out.flags.push_back(name);
            } else {
                throw InputError("unknown option '" + a + "'");
            }
        } else {
            out.positional.push_back(a);
        }
    }
    return out;
}

QJsonValue paramJson(const ParamValue& v) {
    if (auto b = std::get_if<bool>(&v)) return *b;
    if (auto i = std::get_if<std::int64_t>(&v)) return double(*i);
    if (auto d = std::get_if<double>(&v)) return *d;
    return QString::fromStdString(std::get<std::string>(v));
}

QJsonArray vec3Json(const Vec3& v) { return QJsonArray{v[0], v[1], v[2]}; }

void printJson(const QJsonValue& value) {
    QJsonDocument doc = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    std::cout << doc.toJson(QJsonDocument::Indented).toStdString();
}

struct LoadedPlugins {
    StageRegistry registry;
    PluginLoader loader;
};

std::unique_ptr<LoadedPlugins> loadPlugins(bool reportRefusals) {
    auto p = std::make_unique<LoadedPlugins>();
    p->loader.loadFrom(PluginLoader::defaultSearchPaths(), p->registry);
    if (reportRefusals)
        for (const auto& r : p->loader.records())
            if (!r.loaded)
                std::cerr << "cellforge-cli: plugin "
                          << QFileInfo(QString::fromStdString(r.file)).fileName().toStdString()
                          << " not loaded: " << r.refusal << "\n";
    return p;
}

QJsonObject portJson(const PortSpec& p) {
    QJsonObject o;
    o["name"] = QString::fromStdString(p.name);
    o["type"] = QString::fromStdString(dataKindName(p.kind));
    if (p.optional) o["optional"] = true;
    if (!p.help.empty()) o["help"] = QString::fromStdString(p.help);
    return o;
}

QJsonObject paramSpecJson(const ParameterSpec& s) {
    QJsonObject o;
    o["name"] = QString::fromStdString(s.name);
    o["type"] = QString::fromStdString(paramTypeName(s.type));
    o["default"] = paramJson(s.defaultValue);
    if (s.minimum || s.maximum) {
        o["range"] = QJsonArray{s.minimum ? QJsonValue(*s.minimum) : QJsonValue(QJsonValue::Null),
                                s.maximum ? QJsonValue(*s.maximum) : QJsonValue(QJsonValue::Null)};
    }
    if (s.minimum) o["min"] = *s.minimum;
    if (s.maximum) o["max"] = *s.maximum;
    if (!s.choices.empty()) {
        QJsonArray c;
        for (const auto& x : s.choices) c.append(QString::fromStdString(x));
        o["choices"] = c;
    }
    if (!s.unit.empty()) o["unit"] = QString::fromStdString(s.unit);
    if (!s.help.empty()) o["help"] = QString::fromStdString(s.help);
    if (s.writesFile) o["writes"] = true;  // a file name inside --output
    return o;
}

QJsonObject tableJson(const Table& table) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(io::tableToJson(table))).object();
}

}  // namespace

int commandPlugins(const std::vector<std::string>& rawArgs) {
    const Args args = parseArgs(rawArgs, {}, {"--json"});
    if (!args.positional.empty()) throw InputError("plugins takes no arguments besides --json");
    auto plugins = loadPlugins(!args.has("--json"));
    if (args.has("--json")) {
        QJsonArray stages;
        for (const auto& id : plugins->registry.stageIds()) {
            const StageInfo info = plugins->registry.find(id)->info();
            QJsonObject o;
            o["id"] = QString::fromStdString(info.id);
            o["plugin"] = QString::fromStdString(plugins->registry.pluginOf(id));
            o["name"] = QString::fromStdString(info.name);
            o["group"] = QString::fromStdString(info.group);
            o["description"] = QString::fromStdString(info.description);
            o["lane"] = info.lane == StageLane::Device ? "device" : "cpu";
            QJsonArray in, out, params;
            for (const auto& p : info.inputs) in.append(portJson(p));
            for (const auto& p : info.outputs) out.append(portJson(p));
            for (const auto& s : info.parameters) params.append(paramSpecJson(s));
            o["inputs"] = in;
            o["outputs"] = out;
            o["params"] = params;
            stages.append(o);
        }
        printJson(stages);
        return kOk;
    }
    for (const auto& r : plugins->loader.records()) {
        std::cout << (r.loaded ? "loaded  " : "REFUSED ") << (r.id.empty() ? r.file : r.id) << " " << r.version
                  << (r.loaded ? "" : "  (" + r.refusal + ")") << "\n";
        auto list = [](const std::vector<std::string>& items) {
            std::string out;
            for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
            return out;
        };
        if (!r.requirements.empty()) std::cout << "    requires: " << list(r.requirements) << "\n";
        if (!r.fileFormats.empty()) std::cout << "    file formats: " << list(r.fileFormats) << "\n";
        if (!r.editingTools.empty()) std::cout << "    editing tools (GUI): " << list(r.editingTools) << "\n";
        if (!r.guiModule.empty()) std::cout << "    GUI module (panels, loaded by the GUI only)\n";
        for (const auto& id : r.stageIds) {
            const StageInfo info = plugins->registry.find(id)->info();
            std::cout << "    " << std::left << std::setw(42) << id << " " << info.name << "\n";
            for (const auto& s : info.parameters) {
                std::cout << "        " << std::setw(22) << s.name << paramTypeName(s.type) << " = "
                          << paramValueToString(s.defaultValue) << (s.unit.empty() ? "" : " " + s.unit) << "\n";
            }
        }
    }
    if (plugins->loader.records().empty())
        std::cout << "no plugins found (searched CELLFORGE_PLUGIN_PATH and <install>/lib/cellforge/plugins)\n";
    return kOk;
}

int commandInfo(const std::vector<std::string>& rawArgs) {
    const Args args = parseArgs(rawArgs, {"--voxel-size"}, {"--json"});
    if (args.positional.size() != 1) throw InputError("info needs exactly one FILE");
    const std::string path = args.positional[0];
    if (!fs::exists(path)) throw InputError(path + ": no such file");
    io::VolumeReadOptions options;
    if (!args.value("--voxel-size").empty()) options.voxelSizeOverride = parseVoxelSize(args.value("--voxel-size"));

    if (io::isMeshFile(path) && !io::isVolumeFile(path)) {
        const Mesh mesh = io::readMesh(path);
        if (args.has("--json")) {
            QJsonObject o;
            o["file"] = QString::fromStdString(path);
            o["points"] = double(mesh.points.size());
            o["triangles"] = double(mesh.triangles.size());
            o["tetrahedra"] = double(mesh.tetrahedra.size());
            printJson(o);
        } else {
            std::cout << path << "\n  points " << mesh.points.size() << "\n  triangles " << mesh.triangles.size()
                      << "\n  tetrahedra " << mesh.tetrahedra.size() << "\n";
        }
        return kOk;
    }
    const io::VolumeInfo info = io::readVolumeInfo(path, options);
    if (args.has("--json")) {
        QJsonObject o;
        o["file"] = QString::fromStdString(path);
        o["format"] = QString::fromStdString(info.format);
        o["dims"] = QJsonArray{double(info.dims[0]), double(info.dims[1]), double(info.dims[2])};
        o["mode"] = info.mrcMode ? QJsonValue(*info.mrcMode) : QJsonValue(QJsonValue::Null);
        o["dtype"] = QString::fromStdString(info.dtype);
        o["voxel_size"] = vec3Json(info.voxelSize);
        o["origin"] = vec3Json(info.origin);
        o["min"] = info.statistics.min;
        o["max"] = info.statistics.max;
        o["mean"] = info.statistics.mean;
        o["rms"] = info.statistics.rms;
        printJson(o);
    } else {
        std::cout << path << " (" << info.format << ")\n"
                  << "  dims        " << info.dims[0] << " x " << info.dims[1] << " x " << info.dims[2] << "\n"
                  << "  mode        " << (info.mrcMode ? std::to_string(*info.mrcMode) : std::string("-")) << "\n"
                  << "  dtype       " << info.dtype << "\n"
                  << "  voxel size  " << info.voxelSize[0] << ", " << info.voxelSize[1] << ", " << info.voxelSize[2]
                  << " Å\n"
                  << "  origin      " << info.origin[0] << ", " << info.origin[1] << ", " << info.origin[2] << " Å\n"
                  << "  min / max   " << info.statistics.min << " / " << info.statistics.max << "\n"
                  << "  mean / rms  " << info.statistics.mean << " / " << info.statistics.rms << "\n";
    }
    return kOk;
}

int commandConvert(const std::vector<std::string>& rawArgs) {
    const Args args = parseArgs(rawArgs, {"--voxel-size", "--mode"}, {});
    if (args.positional.size() != 2) throw InputError("convert needs IN and OUT");
    const std::string in = args.positional[0], out = args.positional[1];
    if (!fs::exists(in)) throw InputError(in + ": no such file");
    if (io::isVolumeFile(in)) {
        if (!io::isVolumeFile(out)) throw InputError(out + ": not a volume format (use .mrc, .tif, .nrrd, .mha, .nii)");
        io::VolumeReadOptions ro;
        io::VolumeWriteOptions wo;
        if (!args.value("--voxel-size").empty()) ro.voxelSizeOverride = parseVoxelSize(args.value("--voxel-size"));
        if (!args.value("--mode").empty()) {
            const std::string m = args.value("--mode");
            if (m != "0" && m != "1" && m != "2" && m != "6" && m != "12")
                throw InputError("--mode '" + m + "': expected an MRC mode 0, 1, 2, 6 or 12");
            wo.mrcMode = std::stoi(m);
        }
        const Volume volume = io::readVolume(in, ro);
        io::writeVolume(out, volume, wo);
        return kOk;
    }
    if (io::isMeshFile(in)) {
        if (!io::isMeshFile(out)) throw InputError(out + ": not a mesh format");
        io::writeMesh(out, io::readMesh(in));
        return kOk;
    }
    // Formats the plugins add: read as the first kind the input's format reads, written
    // by whatever format (built-in or a plugin's) takes the output's extension.
    auto plugins = loadPlugins(true);
    for (const auto& format : io::pluginFileFormats().formats()) {
        for (DataKind kind : format->kinds()) {
            if (io::pluginFileFormats().findReader(in, kind) != format) continue;
            io::writeData(out, *io::readData(in, kind));
            return kOk;
        }
    }
    throw InputError(in + ": unknown file type '" + fileExtension(in) + "'");
}

namespace {

const std::string kReportFile = "report.json";

std::atomic<bool> gInterrupted{false};
extern "C" void onInterrupt(int) { gInterrupted.store(true); }

// "membranes" or "membranes.json" → a shipped default pipeline, if no such file exists.
std::string resolvePipelinePath(const std::string& given) {
    if (fs::exists(given)) return given;
    for (const std::string& name : {given, given + ".json"}) {
        const std::string found = findResource("pipelines/" + name);
        if (!found.empty()) return found;
    }
    throw InputError(given + ": no such pipeline file (nor a shipped pipeline of that name)");
}

// The file name of each pipeline output in the output folder (with the default extension
// of its kind added, as writeData does), checked to resolve inside the folder; throws
// InputError naming the output. The run report's own name is taken.
std::map<std::string, std::string> placeOutputs(const Pipeline& pipeline, const StageRegistry& registry,
                                                const std::string& outputDir) {
    std::map<std::string, std::string> placed;
    for (const auto& [file, refText] : pipeline.outputs) {
        const PipelineRef ref = PipelineRef::parse(refText);
        const StageInfo info = registry.require(pipeline.findStage(ref.stageId)->stage)->info();
        std::string name = file;
        for (const PortSpec& port : info.outputs)
            if (port.name == ref.name && fileExtension(name).empty()) name += io::defaultExtension(port.kind);
        if (name == kReportFile)
            throw InputError("output '" + file + "': " + kReportFile +
                             " is the name of the run report; choose another");
        io::resolveOutputPath(outputDir, name, "output");
        placed[file] = name;
    }
    return placed;
}

std::string fileFingerprint(const std::string& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    const auto time = fs::last_write_time(path, ec).time_since_epoch().count();
    return fs::absolute(path).string() + "|" + std::to_string(size) + "|" + std::to_string(time);
}

}  // namespace

int commandRun(const std::vector<std::string>& rawArgs) {
    const Args args =
        parseArgs(rawArgs, {"--input", "--output", "--set", "--device", "--progress", "--voxel-size"}, {});
    if (args.positional.size() != 1) throw InputError("run needs exactly one PIPELINE file");
    const std::string outputDir = args.value("--output");
    if (outputDir.empty()) throw InputError("run needs --output DIR");
    const std::string progressMode = args.value("--progress");
    if (!progressMode.empty() && progressMode != "json" && progressMode != "text")
        throw InputError("--progress '" + progressMode + "': expected json or text");
    const bool jsonProgress = progressMode == "json";
    std::string device = args.value("--device").empty() ? "cpu" : args.value("--device");
    if (device == "cuda") device = "cuda:0";
    if (device != "cpu" && device.rfind("cuda:", 0) != 0)
        throw InputError("--device '" + device + "': expected cpu, cuda or cuda:N");

    const std::string pipelinePath = resolvePipelinePath(args.positional[0]);
    Pipeline pipeline = Pipeline::load(pipelinePath);
    for (const auto& s : args.values("--set")) pipeline.applyOverride(s);

    auto plugins = loadPlugins(true);
    validatePipeline(pipeline, plugins->registry);

    io::VolumeReadOptions readOptions;
    if (!args.value("--voxel-size").empty()) readOptions.voxelSizeOverride = parseVoxelSize(args.value("--voxel-size"));
    std::map<std::string, DataPtr> inputs;
    std::map<std::string, std::string> inputKeys, inputPaths;
    for (const auto& assignment : args.values("--input")) {
        const auto eq = assignment.find('=');
        if (eq == std::string::npos || eq == 0) throw InputError("--input '" + assignment + "': expected NAME=PATH");
        const std::string name = assignment.substr(0, eq), path = assignment.substr(eq + 1);
        auto decl =
            std::find_if(pipeline.inputs.begin(), pipeline.inputs.end(), [&](auto& p) { return p.first == name; });
        if (decl == pipeline.inputs.end()) {
            std::string known;
            for (const auto& [n, k] : pipeline.inputs) known += (known.empty() ? "" : ", ") + n;
            throw InputError("--input '" + name + "': the pipeline has no input of that name (inputs: " + known + ")");
        }
        if (!fs::exists(path)) throw InputError("--input " + name + ": " + path + ": no such file");
        inputs[name] = io::readData(path, decl->second, readOptions);
        inputKeys[name] = fileFingerprint(path);
        inputPaths[name] = path;
    }
    for (const auto& [name, kind] : pipeline.inputs)
        if (!inputs.count(name))
            throw InputError("pipeline input '" + name + "' (" + dataKindName(kind) + ") not given: add --input " +
                             name + "=PATH");

    // Outputs are placed before anything runs or is created: a name that would land
    // outside --output is refused here (exit 2), as are files that stages write.
    const std::map<std::string, std::string> outputNames = placeOutputs(pipeline, plugins->registry, outputDir);

    std::error_code ec;
    fs::create_directories(outputDir, ec);
    if (ec) throw InputError("--output " + outputDir + ": cannot create folder: " + ec.message());

    std::vector<std::string> deviceLanes;
    if (device != "cpu") deviceLanes.push_back(device);
    JobQueue queue(ThreadBudget::fromEnvironment(), deviceLanes);
    ResultCache cache;
    PipelineRunner runner(plugins->registry, queue, cache);
    runner.setOutputFolder(outputDir);

    std::mutex printMutex;
    auto emit = [&](const QJsonObject& o) {
        std::lock_guard<std::mutex> lock(printMutex);
        std::cerr << QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString() << std::endl;
    };
    PipelineRunner::Callbacks callbacks;
    callbacks.stageState = [&](const std::string& stage, const std::string& state) {
        if (jsonProgress) {
            emit(QJsonObject{{"event", "stage"},
                             {"stage", QString::fromStdString(stage)},
                             {"state", QString::fromStdString(state)}});
        } else {
            std::lock_guard<std::mutex> lock(printMutex);
            std::cerr << "[" << stage << "] " << state << std::endl;
        }
    };
    callbacks.progress = [&](const std::string& stage, double overall, const std::string& message) {
        if (jsonProgress)
            emit(QJsonObject{{"event", "progress"},
                             {"stage", QString::fromStdString(stage)},
                             {"fraction", overall},
                             {"message", QString::fromStdString(message)}});
    };
    callbacks.log = [&](const std::string& stage, const std::string& line) {
        if (jsonProgress) {
            emit(QJsonObject{
                {"event", "log"}, {"stage", QString::fromStdString(stage)}, {"message", QString::fromStdString(line)}});
        } else {
            std::lock_guard<std::mutex> lock(printMutex);
            std::cerr << "[" << stage << "] " << line << std::endl;
        }
    };

    // Ctrl-C (or SIGTERM from a batch engine) cancels the running stage cleanly.
    gInterrupted.store(false);
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    std::atomic<bool> done{false};
    std::thread watcher([&] {
        while (!done.load()) {
            if (gInterrupted.load()) {
                runner.cancel();
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
    PipelineRunResult result;
    try {
        result = runner.run(pipeline, inputs, inputKeys, callbacks);
    } catch (...) {
        done.store(true);
        watcher.join();
        throw;
    }
    done.store(true);
    watcher.join();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

    // Outputs are written only when every stage completed: a failed or cancelled run
    // leaves the output folder as it was (apart from its report).
    QJsonObject writtenOutputs;
    if (result.state == JobState::Completed) {
        for (const auto& [file, data] : result.outputs) {
            // Checked again as it is written: the folder may have changed during the run.
            const std::string path = io::resolveOutputPath(outputDir, outputNames.at(file), "output");
            fs::create_directories(fs::path(path).parent_path(), ec);
            const std::string written = io::writeData(path, *data);
            writtenOutputs[QString::fromStdString(file)] = QString::fromStdString(written);
        }
    }

    QJsonObject report;
    report["pipeline"] = QString::fromStdString(fs::absolute(pipelinePath).string());
    report["name"] = QString::fromStdString(pipeline.name);
    report["state"] = QString::fromStdString(jobStateName(result.state));
    report["seconds"] = result.seconds;
    report["device"] = QString::fromStdString(device);
    report["cellforge_version"] = CELLFORGE_VERSION;
    report["finished"] = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    if (!result.error.empty()) report["error"] = QString::fromStdString(result.error);
    QJsonObject inputsJson;
    for (const auto& [n, p] : inputPaths) inputsJson[QString::fromStdString(n)] = QString::fromStdString(p);
    report["inputs"] = inputsJson;
    QJsonArray stagesJson;
    QJsonObject metrics;
    for (const auto& s : result.stages) {
        QJsonObject o;
        o["id"] = QString::fromStdString(s.id);
        o["stage"] = QString::fromStdString(s.stage);
        o["state"] = QString::fromStdString(s.state);
        o["seconds"] = s.seconds;
        o["cached"] = s.cached;
        QJsonObject params;
        for (const auto& [k, v] : s.params) params[QString::fromStdString(k)] = paramJson(v);
        o["params"] = params;
        if (!s.error.empty()) o["error"] = QString::fromStdString(s.error);
        stagesJson.append(o);
        for (const auto& [port, data] : s.outputs)
            if (data && data->kind() == DataKind::Table)
                metrics[QString::fromStdString(s.id + "." + port)] = tableJson(static_cast<const Table&>(*data));
    }
    report["stages"] = stagesJson;
    report["outputs"] = writtenOutputs;
    report["metrics"] = metrics;
    const std::string reportText = QJsonDocument(report).toJson(QJsonDocument::Indented).toStdString();
    writeAtomically((fs::path(outputDir) / kReportFile).string(), [&](std::ofstream& out) { out << reportText; });

    if (jsonProgress)
        emit(QJsonObject{{"event", "finished"},
                         {"state", QString::fromStdString(jobStateName(result.state))},
                         {"seconds", result.seconds}});
    if (result.state == JobState::Cancelled) {
        std::cerr << "cellforge-cli: cancelled\n";
        return kCancelled;
    }
    if (result.state == JobState::Failed) {
        std::cerr << "cellforge-cli: " << result.error << "\n";
        return result.badInput ? kBadInput : kStageFailed;
    }
    return kOk;
}

}  // namespace cellforge::cli
