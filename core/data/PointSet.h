// A set of points in Å (picked particles, fitted centres, sampled surface points), with
// optional named per-point scalar values.
#pragma once

#include "core/data/DataObject.h"

#include <array>
#include <string>
#include <vector>

namespace cellforge {

class PointSet : public DataObject {
public:
    static constexpr DataKind staticKind = DataKind::PointSet;
    DataKind kind() const override { return DataKind::PointSet; }

    std::vector<std::array<double, 3>> points;
    std::vector<std::string> scalarNames;
    std::vector<std::vector<double>> scalars;  // scalars[k][i]: value k of point i
};

}  // namespace cellforge
