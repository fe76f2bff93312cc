#include "tests/fuzz/Mutator.h"

#include "core/ml/ModelFile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace cellforge::fuzz {

namespace {

std::size_t below(Rng& rng, std::size_t n) { return n == 0 ? 0 : std::size_t(rng() % n); }
bool chance(Rng& rng, int percent) { return int(rng() % 100) < percent; }

// Headers hold most of what a reader trusts: half the byte edits land in the first 1 KiB.
std::size_t position(Rng& rng, const std::string& s) {
    if (s.empty()) return 0;
    if (chance(rng, 50)) return below(rng, std::min<std::size_t>(s.size(), 1024));
    return below(rng, s.size());
}

const std::int64_t kInterestingIntegers[] = {0,
                                             1,
                                             -1,
                                             2,
                                             255,
                                             256,
                                             65535,
                                             65536,
                                             -32768,
                                             0x7fffffff,
                                             -0x7fffffff - 1,
                                             0x40000000,
                                             0x7fffffffffffffffLL,
                                             1000000000,
                                             3,
                                             4,
                                             1 << 24,
                                             -2};
const double kInterestingDoubles[] = {std::numeric_limits<double>::quiet_NaN(),
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(),
                                      1e308,
                                      -1e308,
                                      0.0,
                                      -0.0,
                                      1e-308,
                                      4e9,
                                      -1.0};
const char* const kInterestingNumberTexts[] = {
    "NaN",        "nan",         "inf",        "-inf", "1e999", "-1e999", "99999999999999999999", "-1",  "0", "1e-400",
    "2147483648", "-2147483649", "4294967296", "1.5",  "0x10",  "",       "00000000000000000001", "9e18"};

void overwrite(std::string& s, std::size_t at, const void* data, std::size_t n) {
    if (s.size() < n) return;
    at = std::min(at, s.size() - n);
    std::memcpy(&s[at], data, n);
}

void replaceNumberText(std::string& s, Rng& rng) {
    // A run of digits somewhere becomes a hostile number.
    std::size_t start = position(rng, s);
    while (start < s.size() && !(std::isdigit(static_cast<unsigned char>(s[start])))) ++start;
    if (start >= s.size()) return;
    std::size_t end = start;
    while (end < s.size() && (std::isdigit(static_cast<unsigned char>(s[end])) || s[end] == '.' || s[end] == 'e'))
        ++end;
    s.replace(start, end - start, kInterestingNumberTexts[below(rng, std::size(kInterestingNumberTexts))]);
}

void mutateOnce(std::string& s, Rng& rng, const std::vector<std::string>& seeds) {
    switch (rng() % 11) {
        case 0:  // flip a bit
            if (!s.empty()) s[position(rng, s)] ^= char(1u << (rng() % 8));
            break;
        case 1: {  // an interesting byte
            const unsigned char bytes[] = {0, 1, 0x7f, 0x80, 0xff, 0x20, '\n', '"', '{', '-'};
            if (!s.empty()) s[position(rng, s)] = char(chance(rng, 30) ? rng() : bytes[below(rng, std::size(bytes))]);
            break;
        }
        case 2: {  // an interesting 16, 32 or 64-bit integer, either byte order
            std::int64_t v = kInterestingIntegers[below(rng, std::size(kInterestingIntegers))];
            if (chance(rng, 20)) v = std::int64_t(rng());
            const std::size_t width = std::size_t(2) << (rng() % 3);
            unsigned char b[8];
            for (std::size_t i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(std::uint64_t(v) >> (8 * i));
            if (chance(rng, 30)) std::reverse(b, b + width);
            // Aligned to the width half the time: header fields are.
            std::size_t at = position(rng, s);
            if (chance(rng, 50)) at -= at % width;
            overwrite(s, at, b, width);
            break;
        }
        case 3: {  // an interesting float or double
            const double d = kInterestingDoubles[below(rng, std::size(kInterestingDoubles))];
            std::size_t at = position(rng, s);
            if (chance(rng, 50)) {
                const float f = float(d);
                overwrite(s, at - at % 4, &f, 4);
            } else {
                overwrite(s, at, &d, 8);
            }
            break;
        }
        case 4: {  // cut a range
            if (s.empty()) break;
            const std::size_t at = position(rng, s);
            s.erase(at, 1 + below(rng, std::min<std::size_t>(256, s.size() - at)));
            break;
        }
        case 5: {  // insert random bytes
            std::string extra(1 + below(rng, 64), '\0');
            for (char& c : extra) c = char(rng());
            s.insert(std::min(position(rng, s), s.size()), extra);
            break;
        }
        case 6: {  // repeat a range (lists longer than their counts say)
            if (s.empty()) break;
            const std::size_t at = below(rng, s.size());
            const std::string chunk = s.substr(at, 1 + below(rng, std::min<std::size_t>(512, s.size() - at)));
            s.insert(below(rng, s.size() + 1), chunk);
            break;
        }
        case 7:  // truncate
            s.resize(below(rng, s.size() + 1));
            break;
        case 8: {  // splice with another seed
            const std::string& other = seeds[below(rng, seeds.size())];
            const std::size_t cut = below(rng, s.size() + 1);
            s = s.substr(0, cut) + other.substr(std::min(other.size(), below(rng, other.size() + 1)));
            break;
        }
        case 9:
            replaceNumberText(s, rng);
            break;
        default:  // a large block of one byte value (huge counts in text, zero runs in binary)
            s.insert(std::min(position(rng, s), s.size()),
                     std::string(1 + below(rng, 4096), chance(rng, 50) ? '9' : '\0'));
            break;
    }
}

// ---------------------------------------------------------------- JSON tree mutations

QJsonValue hostileValue(Rng& rng) {
    switch (rng() % 9) {
        case 0:
            return QJsonValue(QJsonValue::Null);
        case 1:
            return QJsonValue(chance(rng, 50));
        case 2:
            return QJsonValue(1e308);
        case 3:
            return QJsonValue(-1);
        case 4:
            return QJsonValue(double(std::numeric_limits<std::int64_t>::max()));
        case 5:
            return QJsonValue(QStringLiteral("../../../../etc/passwd"));
        case 6:
            return QJsonValue(QJsonArray{1, "x", QJsonObject{}});
        case 7:
            return QJsonValue(QJsonObject{{"", 0}});
        default:
            return QJsonValue(QString(int(1 + below(rng, 300)), QChar('a' + int(rng() % 26))));
    }
}

// Every stage id of a pipeline-like document (for self-references and cycles).
QStringList stageIds(const QJsonObject& root) {
    QStringList ids;
    for (const QJsonValue& s : root.value("stages").toArray()) ids << s.toObject().value("id").toString();
    return ids;
}

QJsonValue mutateTree(const QJsonValue& value, Rng& rng, int depth, const QStringList& ids) {
    if (value.isObject()) {
        QJsonObject o = value.toObject();
        if (o.isEmpty() || chance(rng, 10)) {
            o.insert(QStringLiteral("unexpected"), hostileValue(rng));
            return o;
        }
        const QStringList keys = o.keys();
        const QString key = keys[int(below(rng, std::size_t(keys.size())))];
        const int action = int(rng() % 10);
        if (action == 0) {
            o.remove(key);
        } else if (action == 1) {
            o.insert(key, hostileValue(rng));  // type swapped
        } else if (action == 2 && !ids.isEmpty() && o.value(key).isString()) {
            // A reference to a stage's own output, or to a later stage's (a cycle).
            const QString id = ids[int(below(rng, std::size_t(ids.size())))];
            o.insert(key, id + QStringLiteral(".") + (chance(rng, 50) ? "labels" : "image"));
        } else if (action == 3 && depth < 64) {
            o.insert(key, QJsonArray{o.value(key)});  // nested one level deeper
        } else {
            o.insert(key, mutateTree(o.value(key), rng, depth + 1, ids));
        }
        return o;
    }
    if (value.isArray()) {
        QJsonArray a = value.toArray();
        if (a.isEmpty() || chance(rng, 10)) {
            a.append(hostileValue(rng));
            return a;
        }
        const int i = int(below(rng, std::size_t(a.size())));
        switch (rng() % 5) {
            case 0:
                a.removeAt(i);
                break;
            case 1:
                a.append(a.at(i));
                break;  // a duplicate (same stage id twice)
            case 2:
                a.replace(i, hostileValue(rng));
                break;
            default:
                a.replace(i, mutateTree(a.at(i), rng, depth + 1, ids));
                break;
        }
        return a;
    }
    if (value.isDouble()) {
        const double choices[] = {0, -1, 1e308, -1e308, 4294967296.0, 1e-300, 2147483648.0, 0.5};
        return chance(rng, 70) ? QJsonValue(choices[below(rng, std::size(choices))]) : hostileValue(rng);
    }
    if (value.isString() && chance(rng, 50)) {
        QString s = value.toString();
        const char* const tails[] = {"/..", "\n", "$", ".", "\\", "\x01", ""};
        return s.left(int(below(rng, std::size_t(s.size()) + 1))) +
               QString::fromUtf8(tails[below(rng, std::size(tails))]);
    }
    return hostileValue(rng);
}

}  // namespace

Rng inputRng(std::uint64_t runSeed, std::uint64_t index) {
    std::seed_seq seq{std::uint32_t(runSeed), std::uint32_t(runSeed >> 32), std::uint32_t(index),
                      std::uint32_t(index >> 32), 0x9e3779b9u};
    return Rng(seq);
}

std::string mutateBytes(std::string bytes, Rng& rng, const std::vector<std::string>& seeds) {
    const int n = 1 + int(rng() % 8);
    for (int k = 0; k < n; ++k) mutateOnce(bytes, rng, seeds);
    return bytes;
}

std::string mutateJson(const std::string& text, Rng& rng, const std::vector<std::string>& seeds) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(text), &error);
    if (error.error != QJsonParseError::NoError || chance(rng, 15)) return mutateBytes(text, rng, seeds);
    QJsonValue root = doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
    const QStringList ids = doc.isObject() ? stageIds(doc.object()) : QStringList{};
    const int n = 1 + int(rng() % 4);
    for (int k = 0; k < n; ++k) root = mutateTree(root, rng, 0, ids);
    std::string out = (root.isObject() ? QJsonDocument(root.toObject()) : QJsonDocument(root.toArray()))
                          .toJson(QJsonDocument::Compact)
                          .toStdString();
    // Numbers JSON cannot hold (NaN, 1e999) and deep nesting only exist as text.
    if (chance(rng, 25)) replaceNumberText(out, rng);
    if (chance(rng, 5)) out = std::string(100000, '[') + out;
    if (chance(rng, 10)) mutateOnce(out, rng, seeds);
    return out;
}

std::string gzipBytes(const std::string& bytes) {
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, uLong(bytes.size())) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = uInt(bytes.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = uInt(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::string gunzipBytes(const std::string& bytes) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) return {};
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = uInt(bytes.size());
    std::string out;
    char buffer[65536];
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(buffer);
        z.avail_out = sizeof(buffer);
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buffer, sizeof(buffer) - z.avail_out);
    }
    inflateEnd(&z);
    return rc == Z_STREAM_END ? out : std::string();
}

std::string mutateInput(const std::vector<std::string>& seeds, MutationKind kind, std::uint64_t runSeed,
                        std::uint64_t index) {
    Rng rng = inputRng(runSeed, index);
    const std::string& seed = seeds[below(rng, seeds.size())];
    switch (kind) {
        case MutationKind::Bytes:
            return mutateBytes(seed, rng, seeds);
        case MutationKind::Json:
            return mutateJson(seed, rng, seeds);
        case MutationKind::Gzip: {
            if (chance(rng, 50)) return mutateBytes(seed, rng, seeds);
            const std::string inner = gunzipBytes(seed);
            return gzipBytes(inner.empty() ? mutateBytes(seed, rng, seeds) : mutateBytes(inner, rng, seeds));
        }
        case MutationKind::ModelChecksum: {
            std::string s = mutateBytes(seed, rng, seeds);
            if (s.size() >= 4 && chance(rng, 80)) {
                const std::uint32_t crc = ml::crc32(reinterpret_cast<const unsigned char*>(s.data()), s.size() - 4);
                for (int i = 0; i < 4; ++i) s[s.size() - 4 + i] = char((crc >> (8 * i)) & 0xff);
            }
            return s;
        }
    }
    return seed;
}

}  // namespace cellforge::fuzz
