#include "core/data/Table.h"

#include "core/base/Errors.h"

#include <cmath>
#include <stdexcept>

namespace cellforge {

void Table::addRow(std::vector<TableValue> values) {
    if (values.size() != columns_.size())
        throw std::invalid_argument("Table::addRow: " + std::to_string(values.size()) + " values for " +
                                    std::to_string(columns_.size()) + " columns");
    rows_.push_back(std::move(values));
}

std::size_t Table::columnIndex(const std::string& name) const {
    for (std::size_t i = 0; i < columns_.size(); ++i)
        if (columns_[i] == name) return i;
    throw InputError("table has no column '" + name + "'");
}

std::vector<double> Table::numericColumn(const std::string& name) const {
    const std::size_t c = columnIndex(name);
    std::vector<double> out;
    out.reserve(rows_.size());
    for (const auto& r : rows_)
        out.push_back(std::holds_alternative<double>(r[c]) ? std::get<double>(r[c]) : std::nan(""));
    return out;
}

}  // namespace cellforge
