// Tables as CSV (RFC 4180 quoting) or JSON (an object with "columns" and "rows").
#pragma once

#include "core/data/Table.h"

#include <string>

namespace cellforge::io {

bool isTableFile(const std::string& path);                     // .csv, .json
void writeTable(const std::string& path, const Table& table);  // atomic
Table readTable(const std::string& path);
std::string tableToJson(const Table& table);

}  // namespace cellforge::io
