#include "core/plugin/Parameter.h"

#include "core/base/Errors.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace cellforge {

std::string paramTypeName(ParamType type) {
    switch (type) {
        case ParamType::Int:
            return "int";
        case ParamType::Float:
            return "float";
        case ParamType::Bool:
            return "bool";
        case ParamType::String:
            return "string";
        case ParamType::Enum:
            return "enum";
        case ParamType::Path:
            return "path";
    }
    return "?";
}

std::string paramValueToString(const ParamValue& value) {
    if (auto b = std::get_if<bool>(&value)) return *b ? "true" : "false";
    if (auto i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
    if (auto d = std::get_if<double>(&value)) {
        // The shortest text that reads back as the same double (0.7, not 0.69999999999999996).
        std::string text;
        for (int precision = 6; precision <= 17; ++precision) {
            std::ostringstream s;
            s.precision(precision);
            s << *d;
            text = s.str();
            if (std::stod(text) == *d) break;
        }
        return text;
    }
    return std::get<std::string>(value);
}

ParameterSpec ParameterSpec::integer(std::string name, std::int64_t def, std::optional<double> min,
                                     std::optional<double> max, std::string unit, std::string help) {
    ParameterSpec s;
    s.name = std::move(name);
    s.type = ParamType::Int;
    s.defaultValue = def;
    s.minimum = min;
    s.maximum = max;
    s.unit = std::move(unit);
    s.help = std::move(help);
    return s;
}

ParameterSpec ParameterSpec::real(std::string name, double def, std::optional<double> min, std::optional<double> max,
                                  std::string unit, std::string help) {
    ParameterSpec s = integer(std::move(name), 0, min, max, std::move(unit), std::move(help));
    s.type = ParamType::Float;
    s.defaultValue = def;
    return s;
}

ParameterSpec ParameterSpec::boolean(std::string name, bool def, std::string help) {
    ParameterSpec s;
    s.name = std::move(name);
    s.type = ParamType::Bool;
    s.defaultValue = def;
    s.help = std::move(help);
    return s;
}

ParameterSpec ParameterSpec::text(std::string name, std::string def, std::string help) {
    ParameterSpec s;
    s.name = std::move(name);
    s.type = ParamType::String;
    s.defaultValue = std::move(def);
    s.help = std::move(help);
    return s;
}

ParameterSpec ParameterSpec::choice(std::string name, std::string def, std::vector<std::string> choices,
                                    std::string help) {
    ParameterSpec s = text(std::move(name), std::move(def), std::move(help));
    s.type = ParamType::Enum;
    s.choices = std::move(choices);
    return s;
}

ParameterSpec ParameterSpec::path(std::string name, std::string def, std::string help) {
    ParameterSpec s = text(std::move(name), std::move(def), std::move(help));
    s.type = ParamType::Path;
    return s;
}

ParameterSpec ParameterSpec::outputPath(std::string name, std::string def, std::string help) {
    ParameterSpec s = path(std::move(name), std::move(def), std::move(help));
    s.writesFile = true;
    return s;
}

const ParamValue& ParameterValues::at(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) throw std::logic_error("parameter '" + name + "' is not in the schema");
    return it->second;
}

std::int64_t ParameterValues::getInt(const std::string& name) const {
    const ParamValue& v = at(name);
    if (auto i = std::get_if<std::int64_t>(&v)) return *i;
    throw std::logic_error("parameter '" + name + "' is not an int");
}

double ParameterValues::getFloat(const std::string& name) const {
    const ParamValue& v = at(name);
    if (auto d = std::get_if<double>(&v)) return *d;
    if (auto i = std::get_if<std::int64_t>(&v)) return double(*i);
    throw std::logic_error("parameter '" + name + "' is not a number");
}

bool ParameterValues::getBool(const std::string& name) const {
    const ParamValue& v = at(name);
    if (auto b = std::get_if<bool>(&v)) return *b;
    throw std::logic_error("parameter '" + name + "' is not a bool");
}

const std::string& ParameterValues::getString(const std::string& name) const {
    const ParamValue& v = at(name);
    if (auto s = std::get_if<std::string>(&v)) return *s;
    throw std::logic_error("parameter '" + name + "' is not text");
}

namespace {

std::string expectation(const ParameterSpec& spec) {
    std::string e = paramTypeName(spec.type);
    if (spec.type == ParamType::Enum) {
        e = "one of";
        for (std::size_t i = 0; i < spec.choices.size(); ++i) e += (i ? ", " : " ") + spec.choices[i];
    }
    if (spec.minimum || spec.maximum) {
        e += " in [" + (spec.minimum ? paramValueToString(*spec.minimum) : std::string("-inf")) + ", " +
             (spec.maximum ? paramValueToString(*spec.maximum) : std::string("inf")) + "]";
    }
    if (!spec.unit.empty()) e += " " + spec.unit;
    return e;
}

[[noreturn]] void reject(const std::string& context, const ParameterSpec& spec, const std::string& found) {
    throw InputError(context + ": parameter '" + spec.name + "' is " + found + ", expected " + expectation(spec));
}

std::string describe(const ParamValue& v) {
    if (std::holds_alternative<std::string>(v)) return "'" + std::get<std::string>(v) + "'";
    return paramValueToString(v);
}

}  // namespace

ParamValue parseParamValue(const ParameterSpec& spec, const std::string& text) {
    const std::string context = "value";
    switch (spec.type) {
        case ParamType::Int: {
            std::size_t used = 0;
            try {
                const double d = std::stod(text, &used);
                if (used == text.size() && std::isfinite(d) && d == std::floor(d)) return std::int64_t(d);
            } catch (const std::exception&) {
            }
            reject(context, spec, "'" + text + "'");
        }
        case ParamType::Float: {
            std::size_t used = 0;
            try {
                const double d = std::stod(text, &used);
                if (used == text.size()) return d;
            } catch (const std::exception&) {
            }
            reject(context, spec, "'" + text + "'");
        }
        case ParamType::Bool: {
            std::string t = text;
            std::transform(t.begin(), t.end(), t.begin(), ::tolower);
            if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
            if (t == "false" || t == "0" || t == "no" || t == "off") return false;
            reject(context, spec, "'" + text + "'");
        }
        case ParamType::String:
        case ParamType::Enum:
        case ParamType::Path:
            return text;
    }
    return text;
}

ParameterValues validateParameters(const ParameterSchema& schema, const std::map<std::string, ParamValue>& given,
                                   const std::string& context) {
    for (const auto& [name, value] : given) {
        (void)value;
        if (std::none_of(schema.begin(), schema.end(), [&](const ParameterSpec& s) { return s.name == name; })) {
            std::string known;
            for (const auto& s : schema) known += (known.empty() ? "" : ", ") + s.name;
            throw InputError(
                context + ": unknown parameter '" + name + "'" +
                (known.empty() ? std::string(" (this stage has no parameters)") : " (known: " + known + ")"));
        }
    }
    ParameterValues out;
    for (const auto& spec : schema) {
        auto it = given.find(spec.name);
        ParamValue v = it == given.end() ? spec.defaultValue : it->second;
        // Text given for a typed parameter (from JSON strings or forms) is parsed.
        if (std::holds_alternative<std::string>(v) && spec.type != ParamType::String && spec.type != ParamType::Enum &&
            spec.type != ParamType::Path) {
            try {
                v = parseParamValue(spec, std::get<std::string>(v));
            } catch (const InputError&) {
                reject(context, spec, describe(v));
            }
        }
        switch (spec.type) {
            case ParamType::Int:
                if (auto d = std::get_if<double>(&v)) {
                    if (*d != std::floor(*d) || !std::isfinite(*d)) reject(context, spec, describe(v));
                    v = std::int64_t(*d);
                }
                if (!std::holds_alternative<std::int64_t>(v)) reject(context, spec, describe(v));
                break;
            case ParamType::Float:
                if (auto i = std::get_if<std::int64_t>(&v)) v = double(*i);
                if (!std::holds_alternative<double>(v) || !std::isfinite(std::get<double>(v)))
                    reject(context, spec, describe(v));
                break;
            case ParamType::Bool:
                if (!std::holds_alternative<bool>(v)) reject(context, spec, describe(v));
                break;
            case ParamType::Enum:
                if (!std::holds_alternative<std::string>(v) ||
                    std::find(spec.choices.begin(), spec.choices.end(), std::get<std::string>(v)) == spec.choices.end())
                    reject(context, spec, describe(v));
                break;
            case ParamType::String:
            case ParamType::Path:
                if (!std::holds_alternative<std::string>(v)) reject(context, spec, describe(v));
                break;
        }
        if (spec.type == ParamType::Int || spec.type == ParamType::Float) {
            const double d =
                std::holds_alternative<double>(v) ? std::get<double>(v) : double(std::get<std::int64_t>(v));
            if ((spec.minimum && d < *spec.minimum) || (spec.maximum && d > *spec.maximum))
                reject(context, spec, describe(v));
        }
        out.set(spec.name, v);
    }
    return out;
}

}  // namespace cellforge
