// A trained network or other opaque model, kept as the bytes of its file. The plugin
// that made it knows the format; `format` names it (e.g. "cellforge-unet").
#pragma once

#include "core/data/DataObject.h"

#include <string>
#include <vector>

namespace cellforge {

class Model : public DataObject {
public:
    static constexpr DataKind staticKind = DataKind::Model;
    DataKind kind() const override { return DataKind::Model; }

    std::string format;
    std::vector<unsigned char> bytes;
};

}  // namespace cellforge
