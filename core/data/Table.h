// A table of named columns (metrics, per-slice values, training curves).
#pragma once

#include "core/data/DataObject.h"
#include "core/data/Model.h"  // kept: Model lived here before

#include <string>
#include <variant>
#include <vector>

namespace cellforge {

using TableValue = std::variant<double, std::string>;

class Table : public DataObject {
public:
    static constexpr DataKind staticKind = DataKind::Table;
    DataKind kind() const override { return DataKind::Table; }

    Table() = default;
    explicit Table(std::vector<std::string> columns) : columns_(std::move(columns)) {}

    const std::vector<std::string>& columns() const { return columns_; }
    std::size_t rowCount() const { return rows_.size(); }
    const std::vector<TableValue>& row(std::size_t i) const { return rows_.at(i); }
    // Throws std::invalid_argument if the row's length differs from the column count.
    void addRow(std::vector<TableValue> values);
    // Index of a column; throws InputError naming the column if absent.
    std::size_t columnIndex(const std::string& name) const;
    // A numeric column's values (NaN for text cells).
    std::vector<double> numericColumn(const std::string& name) const;

    // Free-form key/value notes kept with the table (units, source, parameters).
    std::vector<std::pair<std::string, std::string>> notes;

private:
    std::vector<std::string> columns_;
    std::vector<std::vector<TableValue>> rows_;
};

}  // namespace cellforge
