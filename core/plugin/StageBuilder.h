// Declares a stage in one place: its ports, and each parameter written once (name,
// range, unit, help) and bound to a field of the algorithm's settings struct, whose
// default-constructed value is the parameter's default. The built stage fills a
// Settings from the validated parameters and calls the run function with typed inputs.
//
//   struct BlurSettings { double sigma = 1.0; FilterMode mode = FilterMode::Volume3D; };
//   StagePtr s = StageBuilder<BlurSettings>("filters.gaussian", "Gaussian smoothing")
//       .group("Filtering").description("...")
//       .input("image", DataKind::Volume, "Image to smooth")
//       .output("image", DataKind::Volume, "Smoothed image")
//       .param("sigma", &BlurSettings::sigma, {0, 100}, "voxels", "Standard deviation")
//       .choice("mode", &BlurSettings::mode, {{"3d", FilterMode::Volume3D}, {"2d-slices", FilterMode::Slices2D}},
//               "Neighbourhood")
//       .run([](const StageInputs& in, const BlurSettings& s, JobContext& job) -> PortData { ... });
#pragma once

#include "core/base/Errors.h"
#include "core/data/DataObject.h"
#include "core/plugin/Stage.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace cellforge {

class JobContext;
class Volume;

// A stage's inputs as run() sees them (checked by invokeStage), with typed access.
class StageInputs {
public:
    explicit StageInputs(const PortData& data) : data_(data) {}
    // The input on `port` as a T; InputError naming the port if it is absent or another kind.
    template <typename T>
    std::shared_ptr<const T> get(const std::string& port) const {
        auto it = data_.find(port);
        return dataAs<T>(it == data_.end() ? nullptr : it->second, "input '" + port + "'");
    }
    // The same for an optional input: null when it is absent.
    template <typename T>
    std::shared_ptr<const T> optional(const std::string& port) const {
        auto it = data_.find(port);
        if (it == data_.end() || !it->second) return nullptr;
        return dataAs<T>(it->second, "input '" + port + "'");
    }
    // An optional volume that must lie on the grid of `grid` (the input on `gridPort`), as
    // float32 (converted if stored otherwise): null when absent, InputError naming both
    // ports when the sizes differ. For per-voxel maps such as probabilities.
    std::shared_ptr<const Volume> optionalFloat32On(const std::string& port, const Volume& grid,
                                                    const std::string& gridPort) const;
    bool has(const std::string& port) const {
        auto it = data_.find(port);
        return it != data_.end() && it->second;
    }
    const PortData& all() const { return data_; }

private:
    const PortData& data_;
};

// Inclusive bounds of a numeric parameter; either may be left open.
struct ParamRange {
    std::optional<double> minimum;
    std::optional<double> maximum;
};

template <typename Settings>
class StageBuilder {
public:
    using RunFunction = std::function<PortData(const StageInputs&, const Settings&, JobContext&)>;

    StageBuilder(std::string id, std::string name) {
        info_.id = std::move(id);
        info_.name = std::move(name);
    }

    StageBuilder& group(std::string text) { return set(info_.group, std::move(text)); }
    StageBuilder& description(std::string text) { return set(info_.description, std::move(text)); }
    StageBuilder& lane(StageLane lane) { return set(info_.lane, lane); }
    // A former id of this stage (a renamed stage keeps old pipelines working).
    StageBuilder& alias(std::string formerId) {
        info_.aliases.push_back(std::move(formerId));
        return *this;
    }

    StageBuilder& input(std::string name, DataKind kind, std::string help) {
        info_.inputs.push_back({std::move(name), kind, false, std::move(help)});
        return *this;
    }
    StageBuilder& optionalInput(std::string name, DataKind kind, std::string help) {
        info_.inputs.push_back({std::move(name), kind, true, std::move(help)});
        return *this;
    }
    StageBuilder& output(std::string name, DataKind kind, std::string help) {
        info_.outputs.push_back({std::move(name), kind, false, std::move(help)});
        return *this;
    }
    StageBuilder& optionalOutput(std::string name, DataKind kind, std::string help) {
        info_.outputs.push_back({std::move(name), kind, true, std::move(help)});
        return *this;
    }

    // A numeric parameter (any integer or floating-point field).
    template <typename T, typename Owner>
    StageBuilder& param(std::string name, T Owner::*field, ParamRange range, std::string unit, std::string help) {
        static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, "param(): numeric fields only");
        static_assert(std::is_base_of_v<Owner, Settings>, "param(): a field of the settings (or of a base)");
        const T def = Settings{}.*field;
        if constexpr (std::is_integral_v<T>) {
            info_.parameters.push_back(ParameterSpec::integer(name, std::int64_t(def), range.minimum, range.maximum,
                                                              std::move(unit), std::move(help)));
            binders_.push_back([field, name](const ParameterValues& v, Settings& s) { s.*field = T(v.getInt(name)); });
        } else {
            info_.parameters.push_back(
                ParameterSpec::real(name, double(def), range.minimum, range.maximum, std::move(unit), std::move(help)));
            binders_.push_back(
                [field, name](const ParameterValues& v, Settings& s) { s.*field = T(v.getFloat(name)); });
        }
        return *this;
    }
    // A yes/no parameter.
    template <typename Owner>
    StageBuilder& flag(std::string name, bool Owner::*field, std::string help) {
        info_.parameters.push_back(ParameterSpec::boolean(name, Settings{}.*field, std::move(help)));
        binders_.push_back([field, name](const ParameterValues& v, Settings& s) { s.*field = v.getBool(name); });
        return *this;
    }
    // A free-text parameter.
    template <typename Owner>
    StageBuilder& text(std::string name, std::string Owner::*field, std::string help) {
        info_.parameters.push_back(ParameterSpec::text(name, Settings{}.*field, std::move(help)));
        binders_.push_back([field, name](const ParameterValues& v, Settings& s) { s.*field = v.getString(name); });
        return *this;
    }
    // A file path parameter the stage reads (checked by the path rules of the caller).
    template <typename Owner>
    StageBuilder& path(std::string name, std::string Owner::*field, std::string help) {
        info_.parameters.push_back(ParameterSpec::path(name, Settings{}.*field, std::move(help)));
        binders_.push_back([field, name](const ParameterValues& v, Settings& s) { s.*field = v.getString(name); });
        return *this;
    }
    // A file the stage writes: a name relative to the run's output folder, where the
    // pipeline runner places it (core/io/OutputPath.h); the field gets the full path.
    template <typename Owner>
    StageBuilder& outputPath(std::string name, std::string Owner::*field, std::string help) {
        info_.parameters.push_back(ParameterSpec::outputPath(name, Settings{}.*field, std::move(help)));
        binders_.push_back([field, name](const ParameterValues& v, Settings& s) { s.*field = v.getString(name); });
        return *this;
    }
    // A choice among named values of any type (an enum, a string): the names are the
    // schema's choices, the field's default must be one of the values.
    template <typename T, typename Owner>
    StageBuilder& choice(std::string name, T Owner::*field, std::vector<std::pair<std::string, T>> options,
                         std::string help) {
        std::vector<std::string> names;
        std::string def;
        const T current = Settings{}.*field;
        for (const auto& [n, value] : options) {
            names.push_back(n);
            if (value == current && def.empty()) def = n;
        }
        if (def.empty()) throw std::logic_error("stage " + info_.id + ": the default of '" + name + "' is no choice");
        info_.parameters.push_back(ParameterSpec::choice(name, def, std::move(names), std::move(help)));
        binders_.push_back([field, name, options](const ParameterValues& v, Settings& s) {
            const std::string& chosen = v.getString(name);
            for (const auto& [n, value] : options)
                if (n == chosen) s.*field = value;
        });
        return *this;
    }
    // A choice whose value is its name, bound to a string field (its default must be one
    // of `names`): for choices the logic takes as text.
    template <typename Owner>
    StageBuilder& textChoice(std::string name, std::string Owner::*field, std::vector<std::string> names,
                             std::string help) {
        std::vector<std::pair<std::string, std::string>> options;
        for (const auto& n : names) options.emplace_back(n, n);
        return choice(std::move(name), field, std::move(options), std::move(help));
    }
    // Lets a helper declare what several stages share (a group of parameters, ports):
    // calls `declare(*this)`.
    template <typename Declare>
    StageBuilder& with(Declare&& declare) {
        std::forward<Declare>(declare)(*this);
        return *this;
    }
    // A check across parameters, run before the stage (throw InputError naming them).
    StageBuilder& check(std::function<void(const Settings&)> validate) {
        checks_.push_back(std::move(validate));
        return *this;
    }

    // Finishes the stage.
    StagePtr run(RunFunction body) const {
        return std::make_shared<BuiltStage>(info_, binders_, checks_, std::move(body));
    }

private:
    using Binder = std::function<void(const ParameterValues&, Settings&)>;

    class BuiltStage : public Stage {
    public:
        BuiltStage(StageInfo info, std::vector<Binder> binders,
                   std::vector<std::function<void(const Settings&)>> checks, RunFunction body)
            : info_(std::move(info)),
              binders_(std::move(binders)),
              checks_(std::move(checks)),
              body_(std::move(body)) {}
        StageInfo info() const override { return info_; }
        PortData run(const PortData& inputs, const ParameterValues& params, JobContext& context) const override {
            Settings settings{};
            for (const auto& bind : binders_) bind(params, settings);
            for (const auto& check : checks_) check(settings);
            return body_(StageInputs(inputs), settings, context);
        }

    private:
        StageInfo info_;
        std::vector<Binder> binders_;
        std::vector<std::function<void(const Settings&)>> checks_;
        RunFunction body_;
    };

    template <typename T, typename V>
    StageBuilder& set(T& field, V&& value) {
        field = std::forward<V>(value);
        return *this;
    }

    StageInfo info_;
    std::vector<Binder> binders_;
    std::vector<std::function<void(const Settings&)>> checks_;
};

}  // namespace cellforge
