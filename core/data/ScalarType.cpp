#include "core/data/ScalarType.h"

#include "core/base/Errors.h"

namespace cellforge {

std::size_t scalarSize(ScalarType type) {
    switch (type) {
        case ScalarType::UInt8:
        case ScalarType::Int8:
            return 1;
        case ScalarType::Int16:
        case ScalarType::UInt16:
            return 2;
        case ScalarType::Float32:
            return 4;
    }
    return 4;
}

std::string scalarTypeName(ScalarType type) {
    switch (type) {
        case ScalarType::UInt8:
            return "uint8";
        case ScalarType::Int8:
            return "int8";
        case ScalarType::Int16:
            return "int16";
        case ScalarType::UInt16:
            return "uint16";
        case ScalarType::Float32:
            return "float32";
    }
    return "float32";
}

ScalarType scalarTypeFromName(const std::string& name) {
    for (ScalarType t :
         {ScalarType::UInt8, ScalarType::Int8, ScalarType::Int16, ScalarType::UInt16, ScalarType::Float32})
        if (scalarTypeName(t) == name) return t;
    throw InputError("unknown scalar type '" + name + "': expected uint8, int8, int16, uint16 or float32");
}

}  // namespace cellforge
