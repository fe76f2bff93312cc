// A small JSON reader and writer for the text formats core/io writes (tables, label
// tables). Unlike QJsonObject it keeps the order of an object's keys, and its parse
// errors give the line and column, so a hand-edited file can be fixed.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cellforge::io::json {

struct Value {
    enum class Type { Null, Bool, Number, String, Array, Object };
    Type type = Type::Null;
    bool boolean = false;
    double number = 0;
    std::string string;
    std::vector<Value> array;
    std::vector<std::pair<std::string, Value>> object;  // in file order

    bool isNull() const { return type == Type::Null; }
    bool isNumber() const { return type == Type::Number; }
    bool isString() const { return type == Type::String; }
    bool isArray() const { return type == Type::Array; }
    bool isObject() const { return type == Type::Object; }
    // The member with this key, or nullptr.
    const Value* find(const std::string& key) const;
};

std::string typeName(Value::Type type);  // "null", "number", ...

// Parses a whole document; throws InputError "<what>: line L, column C: ..." on bad JSON.
Value parse(const std::string& text, const std::string& what);

// Writers for building documents by hand (keeps key order and number formatting
// under the caller's control).
std::string quote(const std::string& text);  // a JSON string literal, escaped
// The shortest text that reads back as the same double; "null" for NaN and infinities,
// which JSON cannot represent.
std::string number(double value);

}  // namespace cellforge::io::json
