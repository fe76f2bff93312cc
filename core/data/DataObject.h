// The common base of every kind of data a layer, a port or a file can hold.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace cellforge {

// The kinds of data. The set grows: a new kind is one value here, one row of the kind
// table in DataObject.cpp (its name and what it accepts) and its class in a header of
// its own. The switches over DataKind have no `default:`, so -Wall (-Wswitch) names
// every place that must then decide what to do with it.
enum class DataKind {
    Volume,
    LabelVolume,
    Mesh,
    PointSet,
    Table,
    Model,
    MultiChannelImage,  // channels x z x y x on one grid (fluorescence)
    ImageSet,           // named 2D/3D images (training sets, generated cells)
};

std::string dataKindName(DataKind kind);        // "Volume", "LabelVolume", ...
DataKind dataKindFromName(const std::string&);  // throws InputError naming the valid kinds
std::vector<DataKind> allDataKinds();
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
