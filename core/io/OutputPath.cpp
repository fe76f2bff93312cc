#include "core/io/OutputPath.h"

#include "core/base/Errors.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <system_error>

namespace cellforge::io {

namespace fs = std::filesystem;

namespace {

// Both absolute and with their links resolved as far as they exist.
fs::path resolved(const fs::path& p) {
    std::error_code ec;
    fs::path abs = fs::absolute(p, ec);
    if (ec) return p.lexically_normal();
    fs::path canonical = fs::weakly_canonical(abs, ec);
    return ec ? abs.lexically_normal() : canonical;
}

bool within(const fs::path& folder, const fs::path& path) {
    auto f = folder.begin(), p = path.begin();
    for (; f != folder.end(); ++f, ++p) {
        if (f->empty()) continue;  // a trailing separator gives an empty last element
        if (p == path.end() || *p != *f) return false;
    }
    return true;
}

}  // namespace

std::string printableName(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (c < 0x20 || c == 0x7f) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\x%02x", unsigned(c));
            out += buffer;
        } else {
            out += char(c);
        }
    }
    return out;
}

std::string outputNameProblem(const std::string& name) {
    if (name.empty()) return "the name is empty";
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7f) return "contains a control character (NUL, tab, newline, ...)";
    if (name.find('\\') != std::string::npos) return "contains a backslash; use '/' between folders";
    if (name[0] == '/') return "is an absolute path; give a name relative to the output folder";
    if (name.size() >= 2 && std::isalpha(static_cast<unsigned char>(name[0])) && name[1] == ':')
        return "starts with a drive ('" + name.substr(0, 2) + "'); give a name relative to the output folder";
    if (name[0] == '~') return "starts with '~' (a home folder); give a name relative to the output folder";
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = name.find('/', start);
        const std::string part = name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part.empty())
            return slash == std::string::npos ? "ends with '/' (a folder, not a file)"
                                              : "has an empty folder name ('//')";
        if (part == "..") return "contains '..', which leads out of the output folder";
        if (part == ".") return "has a '.' component (a reserved name)";
        if (part.size() > 255) return "has a name longer than 255 bytes";
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return {};
}

std::string resolveOutputPath(const std::string& folder, const std::string& name, const std::string& what) {
    auto refuse = [&](const std::string& why) { throw InputError(what + " '" + printableName(name) + "': " + why); };
    if (const std::string problem = outputNameProblem(name); !problem.empty()) refuse(problem);
    if (folder.empty()) refuse("there is no output folder to write it in");
    const fs::path base = resolved(folder);
    const fs::path target = fs::path(folder) / name;
    const fs::path parent = resolved(target.parent_path());
    if (!within(base, parent))
        refuse("would land outside the output folder " + base.string() + " (a symbolic link leads to " +
               parent.string() + ")");
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(target, ec);
    if (fs::is_symlink(status)) refuse("is a symbolic link; CellForge does not write through links");
    if (fs::is_directory(status)) refuse("is a folder, not a file");
    return target.string();
}

bool liesInsideFolder(const std::string& folder, const std::string& path) {
    return within(resolved(folder), resolved(path));
}

}  // namespace cellforge::io
