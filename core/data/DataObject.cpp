#include "core/data/DataObject.h"

#include "core/base/Errors.h"

#include <algorithm>

namespace cellforge {

namespace {
// The kind table: every kind's name (as pipelines, plugins' ports and projects spell it)
// and the other kinds that may be given where it is expected.
struct KindRow {
    DataKind kind;
    const char* name;
    std::vector<DataKind> alsoAccepts;
};

const std::vector<KindRow>& kindTable() {
    static const std::vector<KindRow> rows = {
        {DataKind::Volume, "Volume", {DataKind::LabelVolume}},
        {DataKind::LabelVolume, "LabelVolume", {}},
        {DataKind::Mesh, "Mesh", {}},
        {DataKind::PointSet, "PointSet", {}},
        {DataKind::Table, "Table", {}},
        {DataKind::Model, "Model", {}},
        {DataKind::MultiChannelImage, "MultiChannelImage", {}},
        {DataKind::ImageSet, "ImageSet", {}},
    };
    return rows;
}
}  // namespace

std::string dataKindName(DataKind kind) {
    for (const auto& row : kindTable())
        if (row.kind == kind) return row.name;
    return "?";
}

DataKind dataKindFromName(const std::string& name) {
    std::string valid;
    for (const auto& row : kindTable()) {
        if (name == row.name) return row.kind;
        valid += (valid.empty() ? "" : ", ") + std::string(row.name);
    }
    throw InputError("unknown data type '" + name + "': expected one of " + valid);
}

std::vector<DataKind> allDataKinds() {
    std::vector<DataKind> kinds;
    for (const auto& row : kindTable()) kinds.push_back(row.kind);
    return kinds;
}

bool dataKindAccepts(DataKind expected, DataKind given) {
    if (expected == given) return true;
    for (const auto& row : kindTable())
        if (row.kind == expected)
            return std::find(row.alsoAccepts.begin(), row.alsoAccepts.end(), given) != row.alsoAccepts.end();
    return false;
}

}  // namespace cellforge
