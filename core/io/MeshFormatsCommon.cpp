// Helpers shared by the mesh format readers and writers (see MeshFormats.h).
#include "core/io/MeshFormats.h"

#include "core/base/Errors.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

namespace cellforge::io::meshformat {

SurfaceView surfaceOf(const Mesh& mesh) {
    SurfaceView view;
    if (!mesh.triangles.empty() || mesh.tetrahedra.empty()) {
        view.triangles = mesh.triangles;
        view.regions = mesh.triangleRegions;
        return view;
    }
    // Faces of the tetrahedra that belong to exactly one tetrahedron, oriented outward.
    static const int kFaces[4][3] = {{1, 2, 3}, {0, 3, 2}, {0, 1, 3}, {0, 2, 1}};
    std::map<std::array<std::int32_t, 3>, std::pair<int, std::size_t>> faces;  // sorted key -> (count, first)
    std::vector<std::array<std::int32_t, 3>> oriented;
    std::vector<std::int32_t> regions;
    for (std::size_t t = 0; t < mesh.tetrahedra.size(); ++t) {
        auto tet = mesh.tetrahedra[t];
        // Orient the tetrahedron positively so that kFaces point outward.
        const auto& a = mesh.points[std::size_t(tet[0])];
        const auto& b = mesh.points[std::size_t(tet[1])];
        const auto& c = mesh.points[std::size_t(tet[2])];
        const auto& d = mesh.points[std::size_t(tet[3])];
        const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
        const double v[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
        const double w[3] = {d[0] - a[0], d[1] - a[1], d[2] - a[2]};
        const double det = u[0] * (v[1] * w[2] - v[2] * w[1]) - u[1] * (v[0] * w[2] - v[2] * w[0]) +
                           u[2] * (v[0] * w[1] - v[1] * w[0]);
        if (det < 0) std::swap(tet[0], tet[1]);
        for (const auto& f : kFaces) {
            std::array<std::int32_t, 3> face{tet[std::size_t(f[0])], tet[std::size_t(f[1])], tet[std::size_t(f[2])]};
            auto key = face;
            std::sort(key.begin(), key.end());
            auto [it, inserted] = faces.try_emplace(key, 0, oriented.size());
            if (inserted) {
                oriented.push_back(face);
                regions.push_back(mesh.tetrahedronRegions.empty() ? 0 : mesh.tetrahedronRegions[t]);
            }
            ++it->second.first;
        }
    }
    for (const auto& [key, entry] : faces) {
        if (entry.first != 1) continue;
        view.triangles.push_back(oriented[entry.second]);
        if (!mesh.tetrahedronRegions.empty()) view.regions.push_back(regions[entry.second]);
    }
    return view;
}

std::string formatNumber(double value) {
    char buffer[32];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

std::string readFileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open the file for reading");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw InputError(path + ": error while reading the file");
    return buffer.str();
}

void TextCursor::skipSpace() {
    while (pos_ < text_.size()) {
        const char c = text_[pos_];
        if (c == '\n') {
            ++line_;
        } else if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v') {
            break;
        }
        ++pos_;
    }
}

std::string_view TextCursor::next() {
    skipSpace();
    const std::size_t start = pos_;
    while (pos_ < text_.size()) {
        const char c = text_[pos_];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') break;
        ++pos_;
    }
    return text_.substr(start, pos_ - start);
}

std::string_view TextCursor::peek() {
    const std::size_t savedPos = pos_;
    const int savedLine = line_;
    auto token = next();
    pos_ = savedPos;
    line_ = savedLine;
    return token;
}

bool TextCursor::atEnd() {
    skipSpace();
    return pos_ >= text_.size();
}

std::string_view TextCursor::restOfLine() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    auto rest = text_.substr(start, pos_ - start);
    while (!rest.empty() && (rest.back() == '\r' || rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    return rest;
}

double TextCursor::nextDouble(const char* what) {
    auto token = next();
    if (token.empty()) fail(std::string("unexpected end of file, expected ") + what);
    double value = 0;
    const char* begin = token.data();
    if (*begin == '+') ++begin;
    auto result = std::from_chars(begin, token.data() + token.size(), value);
    if (result.ec != std::errc() || result.ptr != token.data() + token.size())
        fail("expected " + std::string(what) + " (a number), found '" + std::string(token) + "'");
    return value;
}

std::int64_t TextCursor::nextInt(const char* what) {
    auto token = next();
    if (token.empty()) fail(std::string("unexpected end of file, expected ") + what);
    std::int64_t value = 0;
    const char* begin = token.data();
    if (*begin == '+') ++begin;
    auto result = std::from_chars(begin, token.data() + token.size(), value);
    if (result.ec != std::errc() || result.ptr != token.data() + token.size())
        fail("expected " + std::string(what) + " (an integer), found '" + std::string(token) + "'");
    return value;
}

void TextCursor::fail(const std::string& message) const {
    throw InputError(path_ + ", line " + std::to_string(line_) + ": " + message);
}

void TextCursor::seek(std::size_t pos) {
    // Recount lines up to the new position so messages stay right.
    line_ = 1 + int(std::count(text_.begin(), text_.begin() + std::ptrdiff_t(std::min(pos, text_.size())), '\n'));
    pos_ = pos;
}

}  // namespace cellforge::io::meshformat
