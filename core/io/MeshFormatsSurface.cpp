// Surface-only mesh formats: STL (ASCII and binary), Wavefront OBJ, PLY, OFF.
// Region markers travel as OBJ groups "region_<id>" and as the PLY face property
// "region"; STL and OFF carry none.
#include "core/io/MeshFormats.h"

#include "core/base/Errors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <unordered_map>

namespace cellforge::io::meshformat {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

// Merges bit-identical points (STL stores each triangle's corners separately).
class PointMerger {
public:
    explicit PointMerger(Mesh& mesh) : mesh_(mesh) {}
    std::int32_t add(const std::array<double, 3>& p) {
        Key key{};
        std::memcpy(key.data(), p.data(), sizeof key);
        auto [it, inserted] = index_.try_emplace(key, std::int32_t(mesh_.points.size()));
        if (inserted) mesh_.points.push_back(p);
        return it->second;
    }

private:
    using Key = std::array<std::uint64_t, 3>;
    struct KeyHash {
        std::size_t operator()(const Key& k) const {
            std::size_t h = k[0] * 0x9E3779B97F4A7C15ull;
            h ^= k[1] + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
            h ^= k[2] + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
            return h;
        }
    };
    Mesh& mesh_;
    std::unordered_map<Key, std::int32_t, KeyHash> index_;
};

// Adds a polygon as a fan of triangles, dropping degenerate ones (a repeated corner).
void addPolygon(Mesh& mesh, const std::vector<std::int32_t>& corners, std::int32_t region, bool withRegion) {
    for (std::size_t k = 1; k + 1 < corners.size(); ++k) {
        const std::array<std::int32_t, 3> t{corners[0], corners[k], corners[k + 1]};
        if (t[0] == t[1] || t[1] == t[2] || t[0] == t[2]) continue;
        mesh.triangles.push_back(t);
        if (withRegion) mesh.triangleRegions.push_back(region);
    }
}

void checkIndices(const Mesh& mesh, const std::string& path) {
    try {
        mesh.validate();
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    }
}

template <typename T>
void putLE(std::ostream& out, T value) {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));  // x86/ARM hosts are little-endian
    out.write(reinterpret_cast<const char*>(bytes), sizeof(T));
}

}  // namespace

// ---------------------------------------------------------------- STL

Mesh readStl(const std::string& bytes, const std::string& path) {
    Mesh mesh;
    PointMerger merger(mesh);
    bool binary = false;
    if (bytes.size() >= 84) {
        std::uint32_t count = 0;
        std::memcpy(&count, bytes.data() + 80, 4);
        binary = 84 + 50ull * count == bytes.size();
    }
    if (binary) {
        std::uint32_t count = 0;
        std::memcpy(&count, bytes.data() + 80, 4);
        const char* p = bytes.data() + 84;
        for (std::uint32_t i = 0; i < count; ++i, p += 50) {
            std::vector<std::int32_t> corner(3);
            for (int k = 0; k < 3; ++k) {
                float xyz[3];
                std::memcpy(xyz, p + 12 + 12 * k, 12);
                corner[std::size_t(k)] = merger.add({double(xyz[0]), double(xyz[1]), double(xyz[2])});
            }
            addPolygon(mesh, corner, 0, false);
        }
        return mesh;
    }
    const std::size_t head = bytes.find_first_not_of(" \t\r\n");
    if (head == std::string::npos || lower(bytes.substr(head, 5)) != "solid")
        throw InputError(path +
                         ": not an STL file: neither ASCII (starting with 'solid') nor binary "
                         "(size 84 + 50 × triangle count; found " +
                         std::to_string(bytes.size()) + " bytes)");
    TextCursor cursor(bytes, path);
    std::vector<std::int32_t> corners;
    while (!cursor.atEnd()) {
        const auto token = lower(cursor.next());
        if (token == "vertex") {
            const double x = cursor.nextDouble("vertex x");
            const double y = cursor.nextDouble("vertex y");
            const double z = cursor.nextDouble("vertex z");
            corners.push_back(merger.add({x, y, z}));
        } else if (token == "endloop") {
            if (corners.size() < 3)
                cursor.fail("a facet loop has " + std::to_string(corners.size()) + " vertices, expected 3");
            addPolygon(mesh, corners, 0, false);
            corners.clear();
        }
    }
    if (mesh.triangles.empty()) throw InputError(path + ": the ASCII STL file contains no facets");
    return mesh;
}

void writeStl(std::ostream& out, const Mesh& mesh) {
    const auto surface = surfaceOf(mesh);
    char header[80] = {};
    std::snprintf(header, sizeof header, "CellForge binary STL, coordinates in Angstrom");
    out.write(header, 80);
    putLE<std::uint32_t>(out, std::uint32_t(surface.triangles.size()));
    for (const auto& t : surface.triangles) {
        const auto& a = mesh.points[std::size_t(t[0])];
        const auto& b = mesh.points[std::size_t(t[1])];
        const auto& c = mesh.points[std::size_t(t[2])];
        double n[3] = {(b[1] - a[1]) * (c[2] - a[2]) - (b[2] - a[2]) * (c[1] - a[1]),
                       (b[2] - a[2]) * (c[0] - a[0]) - (b[0] - a[0]) * (c[2] - a[2]),
                       (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])};
        const double len = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        for (double& v : n) {
            v = len > 0 ? v / len : 0.0;
            putLE<float>(out, float(v));
        }
        for (const auto* p : {&a, &b, &c})
            for (double v : *p) putLE<float>(out, float(v));
        putLE<std::uint16_t>(out, 0);
    }
}

// ---------------------------------------------------------------- OBJ

Mesh readObj(const std::string& bytes, const std::string& path) {
    Mesh mesh;
    TextCursor cursor(bytes, path);
    std::map<std::string, std::int32_t> groupIds;
    bool anyGroup = false;
    std::int32_t region = 0;
    std::vector<std::int32_t> corners;
    while (!cursor.atEnd()) {
        const auto keyword = cursor.next();
        if (keyword == "v") {
            const double x = cursor.nextDouble("vertex x");
            const double y = cursor.nextDouble("vertex y");
            const double z = cursor.nextDouble("vertex z");
            cursor.restOfLine();  // optional w or colour
            mesh.points.push_back({x, y, z});
        } else if (keyword == "f") {
            corners.clear();
            const auto rest = cursor.restOfLine();
            std::size_t pos = 0;
            while (pos < rest.size()) {
                while (pos < rest.size() && (rest[pos] == ' ' || rest[pos] == '\t')) ++pos;
                if (pos >= rest.size()) break;
                std::size_t end = pos;
                while (end < rest.size() && rest[end] != ' ' && rest[end] != '\t') ++end;
                const auto item = rest.substr(pos, end - pos);
                const auto slash = item.find('/');
                const std::string number(item.substr(0, slash));
                char* tail = nullptr;
                const long index = std::strtol(number.c_str(), &tail, 10);
                if (number.empty() || *tail != '\0' || index == 0)
                    cursor.fail("bad face corner '" + std::string(item) + "': expected a vertex number (1-based)");
                // Negative indices count back from the last vertex read.
                const long resolved = index > 0 ? index - 1 : long(mesh.points.size()) + index;
                if (resolved < 0 || resolved >= long(mesh.points.size()))
                    cursor.fail("face refers to vertex " + std::to_string(index) + ", but only " +
                                std::to_string(mesh.points.size()) + " vertices are defined before it");
                corners.push_back(std::int32_t(resolved));
                pos = end;
            }
            if (corners.size() < 3) cursor.fail("a face has fewer than 3 corners");
            if (anyGroup) {
                addPolygon(mesh, corners, region, true);
            } else {
                addPolygon(mesh, corners, 0, false);
            }
        } else if (keyword == "g" || keyword == "o") {
            const std::string name(cursor.restOfLine());
            if (!anyGroup) {
                anyGroup = true;
                mesh.triangleRegions.assign(mesh.triangles.size(), 0);
            }
            std::int32_t id = 0;
            const std::string digits = name.rfind("region_", 0) == 0 ? name.substr(7) : name;
            char* tail = nullptr;
            const long parsed = digits.empty() ? 0 : std::strtol(digits.c_str(), &tail, 10);
            if (!digits.empty() && *tail == '\0') {
                id = std::int32_t(parsed);
            } else {
                auto [it, inserted] = groupIds.try_emplace(name, std::int32_t(groupIds.size() + 1));
                id = it->second;
            }
            region = id;
        } else {
            cursor.restOfLine();  // vt, vn, s, usemtl, mtllib, comments: not needed
        }
    }
    checkIndices(mesh, path);
    return mesh;
}

void writeObj(std::ostream& out, const Mesh& mesh) {
    const auto surface = surfaceOf(mesh);
    out << "# CellForge mesh: " << mesh.points.size() << " points, " << surface.triangles.size()
        << " triangles; coordinates in Angstrom\n";
    for (const auto& p : mesh.points)
        out << "v " << formatNumber(p[0]) << ' ' << formatNumber(p[1]) << ' ' << formatNumber(p[2]) << '\n';
    bool first = true;
    std::int32_t current = 0;
    for (std::size_t i = 0; i < surface.triangles.size(); ++i) {
        if (!surface.regions.empty() && (first || surface.regions[i] != current)) {
            current = surface.regions[i];
            out << "g region_" << current << '\n';
        }
        first = false;
        const auto& t = surface.triangles[i];
        out << "f " << t[0] + 1 << ' ' << t[1] + 1 << ' ' << t[2] + 1 << '\n';
    }
}

// ---------------------------------------------------------------- PLY

namespace {

enum class PlyFormat { Ascii, BinaryLE, BinaryBE };

struct PlyProperty {
    std::string name;
    std::string type;       // scalar type, or the item type of a list
    std::string countType;  // non-empty for lists
};

struct PlyElement {
    std::string name;
    std::int64_t count = 0;
    std::vector<PlyProperty> properties;
};

int plySize(const std::string& type) {
    if (type == "char" || type == "uchar" || type == "int8" || type == "uint8") return 1;
    if (type == "short" || type == "ushort" || type == "int16" || type == "uint16") return 2;
    if (type == "int" || type == "uint" || type == "int32" || type == "uint32" || type == "float" || type == "float32")
        return 4;
    if (type == "double" || type == "float64") return 8;
    return 0;
}

// Reads one binary value of a PLY type as double.
class PlyBinaryReader {
public:
    PlyBinaryReader(const std::string& bytes, std::size_t pos, bool bigEndian, const std::string& path)
        : bytes_(bytes), pos_(pos), big_(bigEndian), path_(path) {}
    double read(const std::string& type) {
        const int size = plySize(type);
        if (pos_ + std::size_t(size) > bytes_.size())
            throw InputError(path_ + ": the binary PLY data ends early (truncated file)");
        unsigned char raw[8];
        std::memcpy(raw, bytes_.data() + pos_, std::size_t(size));
        if (big_) std::reverse(raw, raw + size);
        pos_ += std::size_t(size);
        if (type == "char" || type == "int8") return double(std::int8_t(raw[0]));
        if (type == "uchar" || type == "uint8") return double(raw[0]);
        if (type == "short" || type == "int16") {
            std::int16_t v;
            std::memcpy(&v, raw, 2);
            return v;
        }
        if (type == "ushort" || type == "uint16") {
            std::uint16_t v;
            std::memcpy(&v, raw, 2);
            return v;
        }
        if (type == "int" || type == "int32") {
            std::int32_t v;
            std::memcpy(&v, raw, 4);
            return v;
        }
        if (type == "uint" || type == "uint32") {
            std::uint32_t v;
            std::memcpy(&v, raw, 4);
            return v;
        }
        if (type == "float" || type == "float32") {
            float v;
            std::memcpy(&v, raw, 4);
            return double(v);
        }
        double v;
        std::memcpy(&v, raw, 8);
        return v;
    }

private:
    const std::string& bytes_;
    std::size_t pos_;
    bool big_;
    const std::string& path_;
};

}  // namespace

Mesh readPly(const std::string& bytes, const std::string& path) {
    const std::size_t headerEnd = bytes.find("end_header");
    if (bytes.rfind("ply", 0) != 0 || headerEnd == std::string::npos)
        throw InputError(path + ": not a PLY file (expected 'ply' on the first line and an 'end_header' line)");
    std::size_t dataStart = bytes.find('\n', headerEnd);
    dataStart = dataStart == std::string::npos ? bytes.size() : dataStart + 1;

    TextCursor header(std::string_view(bytes).substr(0, headerEnd), path);
    header.next();  // "ply"
    PlyFormat format = PlyFormat::Ascii;
    std::vector<PlyElement> elements;
    while (!header.atEnd()) {
        const auto keyword = header.next();
        if (keyword == "format") {
            const auto name = header.next();
            header.restOfLine();
            if (name == "ascii")
                format = PlyFormat::Ascii;
            else if (name == "binary_little_endian")
                format = PlyFormat::BinaryLE;
            else if (name == "binary_big_endian")
                format = PlyFormat::BinaryBE;
            else
                header.fail("unknown PLY format '" + std::string(name) + "'");
        } else if (keyword == "element") {
            PlyElement e;
            e.name = std::string(header.next());
            e.count = header.nextInt("element count");
            elements.push_back(e);
        } else if (keyword == "property") {
            if (elements.empty()) header.fail("a property comes before any element");
            PlyProperty p;
            const auto type = header.next();
            if (type == "list") {
                p.countType = std::string(header.next());
                p.type = std::string(header.next());
            } else {
                p.type = std::string(type);
            }
            p.name = std::string(header.next());
            if (plySize(p.type) == 0 || (!p.countType.empty() && plySize(p.countType) == 0))
                header.fail("unknown PLY property type in '" + p.name + "'");
            elements.back().properties.push_back(p);
        } else {
            header.restOfLine();  // comment, obj_info
        }
    }

    Mesh mesh;
    bool hasRegion = false;
    TextCursor ascii(bytes, path);
    ascii.seek(dataStart);
    PlyBinaryReader binary(bytes, dataStart, format == PlyFormat::BinaryBE, path);
    auto value = [&](const std::string& type) {
        return format == PlyFormat::Ascii ? ascii.nextDouble("a PLY value") : binary.read(type);
    };
    std::vector<std::int32_t> corners;
    for (const auto& e : elements) {
        const bool isVertex = e.name == "vertex";
        const bool isFace = e.name == "face";
        if (isFace)
            for (const auto& p : e.properties)
                if (p.name == "region" && p.countType.empty()) hasRegion = true;
        for (std::int64_t i = 0; i < e.count; ++i) {
            std::array<double, 3> xyz{0, 0, 0};
            std::int32_t region = 0;
            corners.clear();
            for (const auto& p : e.properties) {
                if (!p.countType.empty()) {
                    const auto n = std::int64_t(value(p.countType));
                    for (std::int64_t k = 0; k < n; ++k) {
                        const double v = value(p.type);
                        if (isFace && (p.name == "vertex_indices" || p.name == "vertex_index"))
                            corners.push_back(std::int32_t(v));
                    }
                } else {
                    const double v = value(p.type);
                    if (isVertex && p.name == "x") xyz[0] = v;
                    if (isVertex && p.name == "y") xyz[1] = v;
                    if (isVertex && p.name == "z") xyz[2] = v;
                    if (isFace && p.name == "region") region = std::int32_t(v);
                }
            }
            if (isVertex) mesh.points.push_back(xyz);
            if (isFace) addPolygon(mesh, corners, region, hasRegion);
        }
    }
    checkIndices(mesh, path);
    return mesh;
}

// ASCII, not binary: meshio 5 (Debian 12) misreads binary PLY files whose faces carry
// any property besides vertex_indices, and simulators' users run meshio on these files.
void writePly(std::ostream& out, const Mesh& mesh) {
    const auto surface = surfaceOf(mesh);
    const bool withRegion = !surface.regions.empty();
    out << "ply\nformat ascii 1.0\ncomment CellForge mesh, coordinates in Angstrom\n"
        << "element vertex " << mesh.points.size() << "\nproperty double x\nproperty double y\nproperty double z\n"
        << "element face " << surface.triangles.size() << "\nproperty list uchar int vertex_indices\n";
    if (withRegion) out << "property int region\n";
    out << "end_header\n";
    for (const auto& p : mesh.points)
        out << formatNumber(p[0]) << ' ' << formatNumber(p[1]) << ' ' << formatNumber(p[2]) << '\n';
    for (std::size_t i = 0; i < surface.triangles.size(); ++i) {
        const auto& t = surface.triangles[i];
        out << "3 " << t[0] << ' ' << t[1] << ' ' << t[2];
        if (withRegion) out << ' ' << surface.regions[i];
        out << '\n';
    }
}

// ---------------------------------------------------------------- OFF

Mesh readOff(const std::string& bytes, const std::string& path) {
    // Comments start with '#'; strip them by reading line-wise where they can occur.
    std::string text;
    text.reserve(bytes.size());
    for (std::size_t pos = 0; pos < bytes.size();) {
        std::size_t end = bytes.find('\n', pos);
        if (end == std::string::npos) end = bytes.size();
        std::string_view line(bytes.data() + pos, end - pos);
        const auto hash = line.find('#');
        text.append(line.substr(0, hash));
        text.push_back('\n');
        pos = end + 1;
    }
    TextCursor c(text, path);
    const auto magic = c.next();
    if (magic.size() < 3 || magic.substr(magic.size() - 3) != "OFF")
        c.fail("not an OFF file: expected 'OFF' first, found '" + std::string(magic) + "'");
    const bool hasColours = magic.find('C') != std::string_view::npos;
    const auto nv = c.nextInt("vertex count");
    const auto nf = c.nextInt("face count");
    c.nextInt("edge count");
    if (nv < 0 || nf < 0) c.fail("negative vertex or face count");
    Mesh mesh;
    // A vertex takes at least 6 characters: a count above that is refused when the text
    // runs out, never allocated from the header.
    mesh.points.reserve(std::min<std::size_t>(std::size_t(nv), text.size() / 6));
    for (std::int64_t i = 0; i < nv; ++i) {
        const double x = c.nextDouble("vertex x");
        const double y = c.nextDouble("vertex y");
        const double z = c.nextDouble("vertex z");
        if (hasColours) c.restOfLine();
        mesh.points.push_back({x, y, z});
    }
    std::vector<std::int32_t> corners;
    for (std::int64_t i = 0; i < nf; ++i) {
        const auto n = c.nextInt("face corner count");
        corners.clear();
        for (std::int64_t k = 0; k < n; ++k) corners.push_back(std::int32_t(c.nextInt("face corner")));
        c.restOfLine();  // optional colour
        addPolygon(mesh, corners, 0, false);
    }
    checkIndices(mesh, path);
    return mesh;
}

void writeOff(std::ostream& out, const Mesh& mesh) {
    const auto surface = surfaceOf(mesh);
    out << "OFF\n# CellForge mesh, coordinates in Angstrom\n"
        << mesh.points.size() << ' ' << surface.triangles.size() << " 0\n";
    for (const auto& p : mesh.points)
        out << formatNumber(p[0]) << ' ' << formatNumber(p[1]) << ' ' << formatNumber(p[2]) << '\n';
    for (const auto& t : surface.triangles) out << "3 " << t[0] << ' ' << t[1] << ' ' << t[2] << '\n';
}

}  // namespace cellforge::io::meshformat
