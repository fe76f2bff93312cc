// The scalar types a Volume can hold in memory, with their sizes and names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace cellforge {

enum class ScalarType { UInt8, Int8, Int16, UInt16, Float32 };

std::size_t scalarSize(ScalarType type);
std::string scalarTypeName(ScalarType type);             // "uint8", "int8", "int16", "uint16", "float32"
ScalarType scalarTypeFromName(const std::string& name);  // throws InputError

template <typename T>
struct ScalarTypeOf;
template <>
struct ScalarTypeOf<std::uint8_t> {
    static constexpr ScalarType value = ScalarType::UInt8;
};
template <>
struct ScalarTypeOf<std::int8_t> {
    static constexpr ScalarType value = ScalarType::Int8;
};
template <>
struct ScalarTypeOf<std::int16_t> {
    static constexpr ScalarType value = ScalarType::Int16;
};
template <>
struct ScalarTypeOf<std::uint16_t> {
    static constexpr ScalarType value = ScalarType::UInt16;
};
template <>
struct ScalarTypeOf<float> {
    static constexpr ScalarType value = ScalarType::Float32;
};

// Calls f(T{}) with T the C++ type of `type`: dispatch without a switch in every caller.
template <typename F>
decltype(auto) dispatchScalar(ScalarType type, F&& f) {
    switch (type) {
        case ScalarType::UInt8:
            return f(std::uint8_t{});
        case ScalarType::Int8:
            return f(std::int8_t{});
        case ScalarType::Int16:
            return f(std::int16_t{});
        case ScalarType::UInt16:
            return f(std::uint16_t{});
        case ScalarType::Float32:
            break;
    }
    return f(float{});
}

}  // namespace cellforge
