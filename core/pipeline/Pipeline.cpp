#include "core/pipeline/Pipeline.h"

#include "core/base/Errors.h"
#include "core/base/AtomicFile.h"
#include "core/io/OutputPath.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace cellforge {

PipelineRef PipelineRef::parse(const std::string& text) {
    PipelineRef ref;
    if (!text.empty() && text[0] == '$') {
        ref.isPipelineInput = true;
        ref.name = text.substr(1);
        if (ref.name.empty()) throw InputError("reference '$' names no pipeline input");
        return ref;
    }
    const auto dot = text.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == text.size())
        throw InputError("reference '" + text + "' is neither '$input' nor 'stage.port'");
    ref.stageId = text.substr(0, dot);
    ref.name = text.substr(dot + 1);
    return ref;
}

namespace {

ParamValue paramFromJson(const QJsonValue& v, const std::string& where) {
    switch (v.type()) {
        case QJsonValue::Bool:
            return v.toBool();
        case QJsonValue::Double: {
            const double d = v.toDouble();
            if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return std::int64_t(d);
            return d;
        }
        case QJsonValue::String:
            return v.toString().toStdString();
        default:
            throw InputError(where + ": expected a number, a boolean or a string");
    }
}

QJsonValue paramToJson(const ParamValue& v) {
    if (auto b = std::get_if<bool>(&v)) return *b;
    if (auto i = std::get_if<std::int64_t>(&v)) return double(*i);
    if (auto d = std::get_if<double>(&v)) return *d;
    return QString::fromStdString(std::get<std::string>(v));
}

QJsonObject requireObject(const QJsonObject& parent, const char* key, const std::string& where, bool required) {
    const QJsonValue v = parent.value(key);
    if (v.isUndefined()) {
        if (required) throw InputError(where + ": missing \"" + key + "\"");
        return {};
    }
    if (!v.isObject()) throw InputError(where + ": \"" + key + "\" must be an object");
    return v.toObject();
}

}  // namespace

Pipeline Pipeline::fromJson(const std::string& text, const std::string& sourceName) {
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(text), &err);
    if (err.error != QJsonParseError::NoError) {
        // Report line and column, as a person editing the file needs.
        int line = 1, col = 1;
        for (int i = 0; i < err.offset && i < int(text.size()); ++i) {
            if (text[std::size_t(i)] == '\n')
                ++line, col = 1;
            else
                ++col;
        }
        throw InputError(sourceName + ":" + std::to_string(line) + ":" + std::to_string(col) +
                         ": invalid JSON: " + err.errorString().toStdString());
    }
    if (!doc.isObject()) throw InputError(sourceName + ": a pipeline must be a JSON object");
    const QJsonObject root = doc.object();
    Pipeline p;
    p.source = sourceName;
    p.name = root.value("name").toString().toStdString();
    p.description = root.value("description").toString().toStdString();

    const QJsonObject inputs = requireObject(root, "inputs", sourceName, false);
    for (auto it = inputs.begin(); it != inputs.end(); ++it) {
        if (!it.value().isString())
            throw InputError(sourceName + ": inputs." + it.key().toStdString() +
                             " must be a type name such as \"Volume\"");
        try {
            p.inputs.push_back({it.key().toStdString(), dataKindFromName(it.value().toString().toStdString())});
        } catch (const InputError& e) {
            throw InputError(sourceName + ": inputs." + it.key().toStdString() + ": " + e.what());
        }
    }

    const QJsonValue stages = root.value("stages");
    if (!stages.isArray() || stages.toArray().isEmpty())
        throw InputError(sourceName + ": \"stages\" must be a non-empty array");
    int index = 0;
    for (const QJsonValue& sv : stages.toArray()) {
        const std::string where = sourceName + ": stages[" + std::to_string(index++) + "]";
        if (!sv.isObject()) throw InputError(where + " must be an object");
        const QJsonObject so = sv.toObject();
        PipelineStage st;
        st.id = so.value("id").toString().toStdString();
        st.stage = so.value("stage").toString().toStdString();
        if (st.id.empty()) throw InputError(where + ": missing \"id\"");
        if (st.id.find('.') != std::string::npos || st.id[0] == '$')
            throw InputError(where + ": id '" + st.id + "' may not contain '.' or start with '$'");
        if (st.stage.empty()) throw InputError(where + " ('" + st.id + "'): missing \"stage\"");
        const QJsonObject in = requireObject(so, "inputs", where, false);
        for (auto it = in.begin(); it != in.end(); ++it) {
            if (!it.value().isString())
                throw InputError(where + " ('" + st.id + "'): inputs." + it.key().toStdString() +
                                 " must be a string like \"$tomogram\" or \"stage.port\"");
            st.inputs.push_back({it.key().toStdString(), it.value().toString().toStdString()});
        }
        const QJsonObject params = requireObject(so, "params", where, false);
        for (auto it = params.begin(); it != params.end(); ++it)
            st.params[it.key().toStdString()] =
                paramFromJson(it.value(), where + " ('" + st.id + "'): params." + it.key().toStdString());
        p.stages.push_back(std::move(st));
    }

    const QJsonObject outputs = requireObject(root, "outputs", sourceName, false);
    for (auto it = outputs.begin(); it != outputs.end(); ++it) {
        if (!it.value().isString())
            throw InputError(sourceName + ": outputs." + it.key().toStdString() + " must be a string \"stage.port\"");
        p.outputs.push_back({it.key().toStdString(), it.value().toString().toStdString()});
    }
    return p;
}

Pipeline Pipeline::load(const std::string& path) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly))
        throw InputError(path + ": cannot open pipeline: " + f.errorString().toStdString());
    return fromJson(f.readAll().toStdString(), path);
}

std::string Pipeline::toJson() const {
    QJsonObject root;
    root["name"] = QString::fromStdString(name);
    if (!description.empty()) root["description"] = QString::fromStdString(description);
    QJsonObject in;
    for (const auto& [n, k] : inputs) in[QString::fromStdString(n)] = QString::fromStdString(dataKindName(k));
    root["inputs"] = in;
    QJsonArray st;
    for (const auto& s : stages) {
        QJsonObject so;
        so["id"] = QString::fromStdString(s.id);
        so["stage"] = QString::fromStdString(s.stage);
        QJsonObject si;
        for (const auto& [port, ref] : s.inputs) si[QString::fromStdString(port)] = QString::fromStdString(ref);
        so["inputs"] = si;
        QJsonObject sp;
        for (const auto& [k, v] : s.params) sp[QString::fromStdString(k)] = paramToJson(v);
        so["params"] = sp;
        st.append(so);
    }
    root["stages"] = st;
    QJsonObject out;
    for (const auto& [file, ref] : outputs) out[QString::fromStdString(file)] = QString::fromStdString(ref);
    root["outputs"] = out;
    return QJsonDocument(root).toJson(QJsonDocument::Indented).toStdString();
}

void Pipeline::save(const std::string& path) const {
    const std::string text = toJson();
    writeAtomically(path, [&](std::ofstream& out) { out << text; });
}

const PipelineStage* Pipeline::findStage(const std::string& id) const {
    for (const auto& s : stages)
        if (s.id == id) return &s;
    return nullptr;
}

PipelineStage* Pipeline::findStage(const std::string& id) {
    for (auto& s : stages)
        if (s.id == id) return &s;
    return nullptr;
}

void Pipeline::applyOverride(const std::string& assignment) {
    const auto eq = assignment.find('=');
    const auto dot = assignment.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot > eq || dot == 0 || dot + 1 == eq)
        throw InputError("--set '" + assignment + "': expected STAGE.PARAM=VALUE");
    const std::string stageId = assignment.substr(0, dot);
    const std::string param = assignment.substr(dot + 1, eq - dot - 1);
    PipelineStage* st = findStage(stageId);
    if (!st) {
        std::string known;
        for (const auto& s : stages) known += (known.empty() ? "" : ", ") + s.id;
        throw InputError("--set '" + assignment + "': no stage '" + stageId + "' in the pipeline (stages: " + known +
                         ")");
    }
    // Kept as text; validation converts it to the parameter's type and checks it.
    st->params[param] = assignment.substr(eq + 1);
}

void validatePipeline(const Pipeline& pipeline, const StageRegistry& registry) {
    std::vector<std::string> problems;
    std::map<std::string, DataKind> pipelineInputs(pipeline.inputs.begin(), pipeline.inputs.end());
    std::map<std::string, std::map<std::string, DataKind>> available;  // stage id -> port -> kind
    std::set<std::string> seenIds;

    auto resolve = [&](const std::string& refText, const std::string& where, DataKind* kind) -> bool {
        PipelineRef ref;
        try {
            ref = PipelineRef::parse(refText);
        } catch (const InputError& e) {
            problems.push_back(where + ": " + e.what());
            return false;
        }
        if (ref.isPipelineInput) {
            auto it = pipelineInputs.find(ref.name);
            if (it == pipelineInputs.end()) {
                problems.push_back(where + ": '" + refText + "' is not a pipeline input (declare it in \"inputs\")");
                return false;
            }
            *kind = it->second;
            return true;
        }
        auto st = available.find(ref.stageId);
        if (st == available.end()) {
            const bool later = pipeline.findStage(ref.stageId) != nullptr;
            problems.push_back(where + ": '" + refText + "' refers to " +
                               (later ? "stage '" + ref.stageId + "', which comes later (or is itself)"
                                      : "an unknown stage '" + ref.stageId + "'"));
            return false;
        }
        auto port = st->second.find(ref.name);
        if (port == st->second.end()) {
            std::string ports;
            for (const auto& [n, k] : st->second) ports += (ports.empty() ? "" : ", ") + n;
            problems.push_back(where + ": stage '" + ref.stageId + "' has no output '" + ref.name +
                               "' (outputs: " + ports + ")");
            return false;
        }
        *kind = port->second;
        return true;
    };

    for (const auto& st : pipeline.stages) {
        const std::string where = "stage '" + st.id + "' (" + st.stage + ")";
        if (!seenIds.insert(st.id).second) problems.push_back(where + ": duplicate stage id '" + st.id + "'");
        StagePtr stage = registry.find(st.stage);
        if (!stage) {
            try {
                registry.require(st.stage);
            } catch (const InputError& e) {
                problems.push_back("stage '" + st.id + "': " + e.what());
            }
            continue;
        }
        const StageInfo info = stage->info();
        std::set<std::string> given;
        for (const auto& [port, ref] : st.inputs) {
            given.insert(port);
            auto spec = std::find_if(info.inputs.begin(), info.inputs.end(), [&](auto& p) { return p.name == port; });
            if (spec == info.inputs.end()) {
                std::string ports;
                for (const auto& p : info.inputs) ports += (ports.empty() ? "" : ", ") + p.name;
                problems.push_back(where + ": unknown input port '" + port + "' (inputs: " + ports + ")");
                continue;
            }
            DataKind kind;
            if (resolve(ref, where + ": input '" + port + "'", &kind) && !dataKindAccepts(spec->kind, kind))
                problems.push_back(where + ": input '" + port + "' needs " + dataKindName(spec->kind) + ", but '" +
                                   ref + "' is " + dataKindName(kind));
        }
        for (const auto& p : info.inputs)
            if (!p.optional && !given.count(p.name))
                problems.push_back(where + ": required input '" + p.name + "' (" + dataKindName(p.kind) +
                                   ") is not connected");
        try {
            const ParameterValues values = validateParameters(info.parameters, st.params, where);
            for (const ParameterSpec& spec : info.parameters) {
                if (!spec.writesFile || values.getString(spec.name).empty()) continue;
                const std::string& file = values.getString(spec.name);
                if (const std::string why = io::outputNameProblem(file); !why.empty())
                    problems.push_back(where + ": parameter '" + spec.name + "' names the file '" +
                                       io::printableName(file) + "' that the stage writes, which " + why +
                                       " (a file a stage writes goes in the output folder, by a relative name)");
            }
        } catch (const InputError& e) {
            problems.push_back(e.what());
        }
        auto& ports = available[st.id];
        for (const auto& p : info.outputs) ports[p.name] = p.kind;
    }
    for (const auto& [file, ref] : pipeline.outputs) {
        DataKind kind;
        const std::string where = "output '" + io::printableName(file) + "'";
        if (const std::string why = io::outputNameProblem(file); !why.empty())
            problems.push_back(where + ": " + why +
                               " (an output is written inside the output folder, by a relative name)");
        if (!ref.empty() && ref[0] == '$')  // a "$input" (parsing "$" alone would throw)
            problems.push_back(where + ": must name a stage output 'stage.port', not '" + ref + "'");
        else
            resolve(ref, where, &kind);
    }
    if (!problems.empty()) {
        std::ostringstream msg;
        // The file first: a name may hold anything (a NUL would end the message).
        if (!pipeline.source.empty()) msg << pipeline.source << ": ";
        msg << "pipeline '" << io::printableName(pipeline.name) << "' is invalid:";
        for (const auto& p : problems) msg << "\n  " << p;
        throw InputError(msg.str());
    }
}

}  // namespace cellforge
