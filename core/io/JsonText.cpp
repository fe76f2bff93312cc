#include "core/io/JsonText.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "core/base/Errors.h"

namespace cellforge::io::json {

const Value* Value::find(const std::string& key) const {
    for (const auto& member : object)
        if (member.first == key) return &member.second;
    return nullptr;
}

std::string typeName(Value::Type type) {
    switch (type) {
        case Value::Type::Null:
            return "null";
        case Value::Type::Bool:
            return "a boolean";
        case Value::Type::Number:
            return "a number";
        case Value::Type::String:
            return "a string";
        case Value::Type::Array:
            return "an array";
        case Value::Type::Object:
            return "an object";
    }
    return "?";
}

namespace {

class Parser {
public:
    Parser(const std::string& text, const std::string& what) : text_(text), what_(what) {}

    Value document() {
        skipSpace();
        Value v = value(0);
        skipSpace();
        if (pos_ != text_.size()) fail("unexpected text after the end of the document");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& message) const {
        std::size_t line = 1, column = 1;
        for (std::size_t i = 0; i < pos_ && i < text_.size(); ++i) {
            if (text_[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        throw InputError(what_ + ": line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
                         message);
    }

    void skipSpace() {
        while (pos_ < text_.size() &&
               (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
            ++pos_;
    }

    bool consume(const char* word) {
        std::size_t n = 0;
        while (word[n]) ++n;
        if (text_.compare(pos_, n, word) == 0) {
            pos_ += n;
            return true;
        }
        return false;
    }

    Value value(int depth) {
        if (depth > 512) fail("nesting deeper than 512 levels");
        if (pos_ >= text_.size()) fail("unexpected end of the document, expected a value");
        const char c = text_[pos_];
        Value v;
        if (c == '{') {
            v.type = Value::Type::Object;
            ++pos_;
            skipSpace();
            if (pos_ < text_.size() && text_[pos_] == '}') {
                ++pos_;
                return v;
            }
            for (;;) {
                skipSpace();
                if (pos_ >= text_.size() || text_[pos_] != '"') fail("expected a quoted key");
                std::string key = string();
                skipSpace();
                if (pos_ >= text_.size() || text_[pos_] != ':') fail("expected ':' after the key \"" + key + "\"");
                ++pos_;
                skipSpace();
                v.object.emplace_back(std::move(key), value(depth + 1));
                skipSpace();
                if (pos_ < text_.size() && text_[pos_] == ',') {
                    ++pos_;
                    continue;
                }
                if (pos_ < text_.size() && text_[pos_] == '}') {
                    ++pos_;
                    return v;
                }
                fail("expected ',' or '}' in an object");
            }
        }
        if (c == '[') {
            v.type = Value::Type::Array;
            ++pos_;
            skipSpace();
            if (pos_ < text_.size() && text_[pos_] == ']') {
                ++pos_;
                return v;
            }
            for (;;) {
                skipSpace();
                v.array.push_back(value(depth + 1));
                skipSpace();
                if (pos_ < text_.size() && text_[pos_] == ',') {
                    ++pos_;
                    continue;
                }
                if (pos_ < text_.size() && text_[pos_] == ']') {
                    ++pos_;
                    return v;
                }
                fail("expected ',' or ']' in an array");
            }
        }
        if (c == '"') {
            v.type = Value::Type::String;
            v.string = string();
            return v;
        }
        if (consume("true")) {
            v.type = Value::Type::Bool;
            v.boolean = true;
            return v;
        }
        if (consume("false")) {
            v.type = Value::Type::Bool;
            return v;
        }
        if (consume("null")) return v;
        if (c == '-' || (c >= '0' && c <= '9')) {
            const char* begin = text_.data() + pos_;
            const char* end = text_.data() + text_.size();
            double d = 0;
            const auto result = std::from_chars(begin, end, d);
            if (result.ec == std::errc::invalid_argument) fail("malformed number");
            // Out-of-range numbers (1e999) become infinities rather than errors.
            if (result.ec == std::errc::result_out_of_range) d = (*begin == '-') ? -HUGE_VAL : HUGE_VAL;
            pos_ += std::size_t(result.ptr - begin);
            v.type = Value::Type::Number;
            v.number = d;
            return v;
        }
        fail(std::string("unexpected character '") + c + "', expected a value");
    }

    static void appendUtf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }

    std::uint32_t hex4() {
        if (pos_ + 4 > text_.size()) fail("truncated \\u escape");
        std::uint32_t cp = 0;
        for (int i = 0; i < 4; ++i) {
            const char h = text_[pos_++];
            cp <<= 4;
            if (h >= '0' && h <= '9')
                cp |= std::uint32_t(h - '0');
            else if (h >= 'a' && h <= 'f')
                cp |= std::uint32_t(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
                cp |= std::uint32_t(h - 'A' + 10);
            else
                fail("bad hex digit in a \\u escape");
        }
        return cp;
    }

    std::string string() {
        ++pos_;  // opening quote
        std::string out;
        for (;;) {
            if (pos_ >= text_.size()) fail("unterminated string");
            const char c = text_[pos_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) fail("control character inside a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= text_.size()) fail("unterminated escape");
            const char e = text_[pos_++];
            switch (e) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    std::uint32_t cp = hex4();
                    if (cp >= 0xD800 && cp < 0xDC00 && text_.compare(pos_, 2, "\\u") == 0) {
                        pos_ += 2;
                        const std::uint32_t low = hex4();
                        if (low < 0xDC00 || low > 0xDFFF) fail("bad surrogate pair in a \\u escape");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    }
                    appendUtf8(out, cp);
                    break;
                }
                default:
                    fail(std::string("unknown escape '\\") + e + "'");
            }
        }
    }

    const std::string& text_;
    const std::string& what_;
    std::size_t pos_ = 0;
};

}  // namespace

Value parse(const std::string& text, const std::string& what) { return Parser(text, what).document(); }

std::string quote(const std::string& text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (const char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buffer[8];
                    std::snprintf(buffer, sizeof buffer, "\\u%04x", unsigned(static_cast<unsigned char>(c)));
                    out += buffer;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
    return out;
}

std::string number(double value) {
    if (!std::isfinite(value)) return "null";
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

}  // namespace cellforge::io::json
