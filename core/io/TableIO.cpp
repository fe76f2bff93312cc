// Tables as CSV and JSON.
//
// CSV (RFC 4180): the first record holds the column names; fields containing a comma,
// a quote, CR or LF are quoted with quotes doubled. Text cells are always written
// quoted, numbers never, so that a text cell that looks like a number ("007") reads
// back as text: on reading, a quoted field is text, an unquoted field is a number when
// the whole field parses as one ("nan", "inf" included), an empty unquoted field is NaN
// (a missing value), and anything else is text. CSV has no place for the table's notes;
// JSON keeps them.
//
// JSON: {"columns": [...], "rows": [[...], ...], "notes": {"key": "value", ...}};
// NaN and infinities, which JSON lacks, are written as null and read back as NaN.
#include "core/io/TableIO.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/base/Errors.h"
#include "core/base/AtomicFile.h"
#include "core/io/JsonText.h"

namespace cellforge::io {

namespace {

bool needsQuotes(const std::string& s) {
    return s.empty() || s.find_first_of(",\"\r\n") != std::string::npos || s.front() == ' ' || s.back() == ' ';
}

std::string csvQuote(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string csvNumber(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, result.ptr);
}

std::string tableToCsv(const Table& table) {
    std::string out;
    const auto& columns = table.columns();
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (c) out += ',';
        out += needsQuotes(columns[c]) ? csvQuote(columns[c]) : columns[c];
    }
    out += "\r\n";
    for (std::size_t r = 0; r < table.rowCount(); ++r) {
        const auto& row = table.row(r);
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (c) out += ',';
            if (const double* d = std::get_if<double>(&row[c]))
                out += csvNumber(*d);
            else
                out += csvQuote(std::get<std::string>(row[c]));
        }
        out += "\r\n";
    }
    return out;
}

bool parseNumber(const std::string& s, double& value) {
    if (s.empty()) return false;
    const char* begin = s.data();
    const char* end = s.data() + s.size();
    if (*begin == '+') ++begin;  // from_chars refuses a leading '+', spreadsheets write it
    if (begin == end) return false;
    const auto result = std::from_chars(begin, end, value);
    if (result.ec == std::errc::result_out_of_range) {
        value = std::strtod(s.c_str(), nullptr);
        return true;
    }
    return result.ec == std::errc() && result.ptr == end;
}

struct CsvField {
    std::string text;
    bool quoted = false;
};

// Splits RFC 4180 text into records of fields. Accepts LF or CRLF line ends.
std::vector<std::vector<CsvField>> parseCsv(const std::string& text, const std::string& path) {
    std::vector<std::vector<CsvField>> records;
    std::vector<CsvField> record;
    CsvField field;
    std::size_t i = 0, line = 1;
    bool fieldStarted = false;
    auto endField = [&] {
        record.push_back(std::move(field));
        field = CsvField{};
        fieldStarted = false;
    };
    auto endRecord = [&] {
        endField();
        records.push_back(std::move(record));
        record.clear();
    };
    // A UTF-8 byte order mark (Excel writes one) is not part of the first name.
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '"' && !fieldStarted) {
            field.quoted = true;
            fieldStarted = true;
            ++i;
            for (;;) {
                if (i >= text.size())
                    throw InputError(path + ": line " + std::to_string(line) +
                                     ": a quoted field is not closed (expected a closing '\"')");
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        field.text += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                if (text[i] == '\n') ++line;
                field.text += text[i++];
            }
            if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                throw InputError(path + ": line " + std::to_string(line) + ": unexpected '" + std::string(1, text[i]) +
                                 "' after a closing quote (expected ',' or a line end)");
            continue;
        }
        if (c == ',') {
            endField();
            ++i;
            continue;
        }
        if (c == '\r' || c == '\n') {
            endRecord();
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            ++i;
            ++line;
            continue;
        }
        if (c == '"' && fieldStarted && !field.quoted)
            throw InputError(
                path + ": line " + std::to_string(line) +
                ": a quote inside an unquoted field (RFC 4180 expects the field quoted and the quote doubled)");
        field.text += c;
        fieldStarted = true;
        ++i;
    }
    if (fieldStarted || !record.empty()) endRecord();
    return records;
}

Table tableFromCsv(const std::string& text, const std::string& path) {
    auto records = parseCsv(text, path);
    // Blank lines (a lone empty field) carry nothing.
    std::vector<std::vector<CsvField>> kept;
    for (auto& r : records)
        if (!(r.size() == 1 && r[0].text.empty() && !r[0].quoted)) kept.push_back(std::move(r));
    if (kept.empty()) throw InputError(path + ": empty CSV file, expected a header line with column names");
    std::vector<std::string> columns;
    for (auto& f : kept[0]) columns.push_back(f.text);
    Table table(columns);
    for (std::size_t r = 1; r < kept.size(); ++r) {
        if (kept[r].size() != columns.size())
            throw InputError(path + ": record " + std::to_string(r + 1) + " has " + std::to_string(kept[r].size()) +
                             " fields, expected " + std::to_string(columns.size()) + " (one per column)");
        std::vector<TableValue> values;
        values.reserve(columns.size());
        for (auto& f : kept[r]) {
            double d = 0;
            if (f.quoted)
                values.emplace_back(std::move(f.text));
            else if (f.text.empty())
                values.emplace_back(std::nan(""));
            else if (parseNumber(f.text, d))
                values.emplace_back(d);
            else
                values.emplace_back(std::move(f.text));
        }
        table.addRow(std::move(values));
    }
    return table;
}

Table tableFromJson(const std::string& text, const std::string& path) {
    const json::Value doc = json::parse(text, path);
    if (!doc.isObject())
        throw InputError(path + ": expected a JSON object with \"columns\" and \"rows\", found " +
                         json::typeName(doc.type));
    const json::Value* columns = doc.find("columns");
    if (!columns || !columns->isArray())
        throw InputError(path + ": field \"columns\" is " + (columns ? json::typeName(columns->type) : "missing") +
                         ", expected an array of column names");
    std::vector<std::string> names;
    for (const auto& c : columns->array) {
        if (!c.isString())
            throw InputError(path + ": \"columns\" holds " + json::typeName(c.type) +
                             ", expected column names (strings)");
        names.push_back(c.string);
    }
    Table table(names);
    const json::Value* rows = doc.find("rows");
    if (rows && !rows->isNull()) {
        if (!rows->isArray())
            throw InputError(path + ": field \"rows\" is " + json::typeName(rows->type) +
                             ", expected an array of rows");
        for (std::size_t r = 0; r < rows->array.size(); ++r) {
            const json::Value& row = rows->array[r];
            if (!row.isArray() || row.array.size() != names.size())
                throw InputError(path + ": row " + std::to_string(r) + " is " +
                                 (row.isArray() ? "an array of " + std::to_string(row.array.size()) + " values"
                                                : json::typeName(row.type)) +
                                 ", expected an array of " + std::to_string(names.size()) + " values");
            std::vector<TableValue> values;
            for (std::size_t c = 0; c < row.array.size(); ++c) {
                const json::Value& cell = row.array[c];
                if (cell.isNumber())
                    values.emplace_back(cell.number);
                else if (cell.isNull())
                    values.emplace_back(std::nan(""));
                else if (cell.isString())
                    values.emplace_back(cell.string);
                else
                    throw InputError(path + ": row " + std::to_string(r) + ", column \"" + names[c] + "\" holds " +
                                     json::typeName(cell.type) + ", expected a number, a string or null");
            }
            table.addRow(std::move(values));
        }
    }
    if (const json::Value* notes = doc.find("notes"); notes && !notes->isNull()) {
        if (!notes->isObject())
            throw InputError(path + ": field \"notes\" is " + json::typeName(notes->type) +
                             ", expected an object of strings");
        for (const auto& [key, value] : notes->object) {
            if (value.isString())
                table.notes.emplace_back(key, value.string);
            else if (value.isNumber())
                table.notes.emplace_back(key, json::number(value.number));
            else
                throw InputError(path + ": note \"" + key + "\" is " + json::typeName(value.type) +
                                 ", expected a string");
        }
    }
    return table;
}

std::string readWholeFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError("cannot open '" + path + "': no such file or not readable");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

}  // namespace

bool isTableFile(const std::string& path) {
    const std::string ext = fileExtension(path);
    return ext == ".csv" || ext == ".json";
}

std::string tableToJson(const Table& table) {
    std::string out = "{\n  \"columns\": [";
    const auto& columns = table.columns();
    for (std::size_t c = 0; c < columns.size(); ++c) out += (c ? ", " : "") + json::quote(columns[c]);
    out += "],\n  \"rows\": [";
    for (std::size_t r = 0; r < table.rowCount(); ++r) {
        out += r ? ",\n    [" : "\n    [";
        const auto& row = table.row(r);
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (c) out += ", ";
            if (const double* d = std::get_if<double>(&row[c]))
                out += json::number(*d);
            else
                out += json::quote(std::get<std::string>(row[c]));
        }
        out += ']';
    }
    out += table.rowCount() ? "\n  ],\n  \"notes\": {" : "],\n  \"notes\": {";
    for (std::size_t i = 0; i < table.notes.size(); ++i)
        out +=
            (i ? ",\n    " : "\n    ") + json::quote(table.notes[i].first) + ": " + json::quote(table.notes[i].second);
    out += table.notes.empty() ? "}\n}\n" : "\n  }\n}\n";
    return out;
}

void writeTable(const std::string& path, const Table& table) {
    const std::string ext = fileExtension(path);
    std::string text;
    if (ext == ".csv")
        text = tableToCsv(table);
    else if (ext == ".json")
        text = tableToJson(table);
    else
        throw InputError("cannot write table '" + path + "': extension '" + ext +
                         "' is not a table format (expected .csv or .json)");
    writeAtomically(path, [&](std::ofstream& out) { out.write(text.data(), std::streamsize(text.size())); });
}

Table readTable(const std::string& path) {
    const std::string ext = fileExtension(path);
    if (ext != ".csv" && ext != ".json")
        throw InputError("cannot read table '" + path + "': extension '" + ext +
                         "' is not a table format (expected .csv or .json)");
    const std::string text = readWholeFile(path);
    return ext == ".csv" ? tableFromCsv(text, path) : tableFromJson(text, path);
}

}  // namespace cellforge::io
