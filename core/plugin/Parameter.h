// Parameter schemas: one description of a stage's parameters drives the GUI forms,
// the CLI's --set, pipeline JSON and validation before anything runs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cellforge {

enum class ParamType { Int, Float, Bool, String, Enum, Path };
std::string paramTypeName(ParamType type);  // "int", "float", "bool", "string", "enum", "path"

// Int → int64_t, Float → double, Bool → bool, String/Enum/Path → std::string.
using ParamValue = std::variant<bool, std::int64_t, double, std::string>;
std::string paramValueToString(const ParamValue& value);

struct ParameterSpec {
    std::string name;
    ParamType type = ParamType::Float;
    ParamValue defaultValue;
    std::optional<double> minimum;  // Int and Float: inclusive bounds
    std::optional<double> maximum;
    std::vector<std::string> choices;  // Enum only
    std::string unit;                  // "voxels", "Å", "iterations", ...
    std::string help;
    // Path only: the stage writes this file. Pipeline files are untrusted, so in a pipeline
    // a value must be a plain relative name (core/io/OutputPath.h), placed in the run's
    // output folder; a stage that reads a path the user gives (a model file) leaves it false.
    bool writesFile = false;

    // Builders, so a stage declares a parameter on one line.
    static ParameterSpec integer(std::string name, std::int64_t def, std::optional<double> min,
                                 std::optional<double> max, std::string unit, std::string help);
    static ParameterSpec real(std::string name, double def, std::optional<double> min, std::optional<double> max,
                              std::string unit, std::string help);
    static ParameterSpec boolean(std::string name, bool def, std::string help);
    static ParameterSpec text(std::string name, std::string def, std::string help);
    static ParameterSpec choice(std::string name, std::string def, std::vector<std::string> choices, std::string help);
    static ParameterSpec path(std::string name, std::string def, std::string help);
    static ParameterSpec outputPath(std::string name, std::string def, std::string help);  // writesFile
};

// Validated parameter values, every parameter of the schema present.
class ParameterValues {
public:
    std::int64_t getInt(const std::string& name) const;
    double getFloat(const std::string& name) const;  // also accepts Int values
    bool getBool(const std::string& name) const;
    const std::string& getString(const std::string& name) const;  // String, Enum and Path
    bool contains(const std::string& name) const { return values_.count(name) != 0; }
    const std::map<std::string, ParamValue>& all() const { return values_; }
    void set(const std::string& name, ParamValue v) { values_[name] = std::move(v); }

private:
    const ParamValue& at(const std::string& name) const;
    std::map<std::string, ParamValue> values_;
};

using ParameterSchema = std::vector<ParameterSpec>;

// Converts text (from --set or a form) to the spec's type. Throws InputError that names
// the parameter, the text and the expected type.
ParamValue parseParamValue(const ParameterSpec& spec, const std::string& text);

// Checks given values against the schema and fills in defaults. `context` prefixes
// messages (e.g. "stage 'smooth' (filters.gaussian)"). Throws InputError for an unknown
// name, a wrong type, a value out of range or not among the choices.
// Ints are accepted where floats are expected; whole floats where ints are.
ParameterValues validateParameters(const ParameterSchema& schema, const std::map<std::string, ParamValue>& given,
                                   const std::string& context);

}  // namespace cellforge
