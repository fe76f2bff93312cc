// The common base of every kind of data a layer, a port or a file can hold.
#pragma once

#include <memory>
#include <string>

namespace cellforge {

enum class DataKind { Volume, LabelVolume, Mesh, PointSet, Table, Model };

std::string dataKindName(DataKind kind);       // "Volume", "LabelVolume", ...
DataKind dataKindFromName(const std::string&);  // throws InputError naming the valid kinds
// A LabelVolume may be given where a Volume is expected; nothing else converts.
bool dataKindAccepts(DataKind expected, DataKind given);

class DataObject {
public:
    virtual ~DataObject() = default;
    virtual DataKind kind() const = 0;
};

using DataPtr = std::shared_ptr<const DataObject>;

// Casts a DataPtr to the concrete type; throws InputError if the kind differs.
template <typename T>
std::shared_ptr<const T> dataAs(const DataPtr& data, const std::string& what);

}  // namespace cellforge

#include "core/data/DataObject.inl"
