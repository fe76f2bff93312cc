#pragma once
#include "core/base/Errors.h"

namespace cellforge {

template <typename T>
std::shared_ptr<const T> dataAs(const DataPtr& data, const std::string& what) {
    auto typed = std::dynamic_pointer_cast<const T>(data);
    if (!typed)
        throw InputError(what + ": expected " + dataKindName(T::staticKind) + ", got " +
                         (data ? dataKindName(data->kind()) : std::string("nothing")));
    return typed;
}

}  // namespace cellforge
