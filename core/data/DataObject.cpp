#include "core/data/DataObject.h"

#include "core/base/Errors.h"

namespace cellforge {

namespace {
const std::pair<DataKind, const char*> kKindNames[] = {
    {DataKind::Volume, "Volume"}, {DataKind::LabelVolume, "LabelVolume"},
    {DataKind::Mesh, "Mesh"},     {DataKind::PointSet, "PointSet"},
    {DataKind::Table, "Table"},   {DataKind::Model, "Model"},
};
}

std::string dataKindName(DataKind kind) {
    for (const auto& [k, name] : kKindNames)
        if (k == kind) return name;
    return "?";
}

DataKind dataKindFromName(const std::string& name) {
    for (const auto& [k, n] : kKindNames)
        if (name == n) return k;
    throw InputError("unknown data type '" + name +
                     "': expected Volume, LabelVolume, Mesh, PointSet, Table or Model");
}

bool dataKindAccepts(DataKind expected, DataKind given) {
    return expected == given || (expected == DataKind::Volume && given == DataKind::LabelVolume);
}

}  // namespace cellforge
