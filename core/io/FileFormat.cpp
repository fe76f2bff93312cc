#include "core/io/FileFormat.h"

#include "core/base/Errors.h"

#include <algorithm>
#include <cctype>

namespace cellforge::io {

void FileFormat::write(const std::string& path, const DataObject& data) const {
    throw InputError(path + ": the " + name() + " format cannot write " + dataKindName(data.kind()) +
                     " (it is read-only)");
}

bool pathHasExtension(const std::string& path, const std::string& extension) {
    if (extension.empty() || path.size() < extension.size()) return false;
    return std::equal(extension.rbegin(), extension.rend(), path.rbegin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
}

void FileFormatRegistry::add(FileFormatPtr format, const std::string& pluginId) {
    if (!format) throw InputError("plugin '" + pluginId + "' registered a null file format");
    const std::string name = format->name();
    if (name.empty()) throw InputError("plugin '" + pluginId + "' registered a file format without a name");
    if (auto it = formats_.find(name); it != formats_.end() && it->second.pluginId != pluginId)
        throw InputError("file format '" + name + "' is already provided by plugin '" + it->second.pluginId + "'");
    formats_[name] = {std::move(format), pluginId};
}

namespace {
bool handles(const FileFormat& f, const std::string& path, DataKind kind) {
    const auto kinds = f.kinds();
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) return false;
    for (const auto& ext : f.extensions())
        if (pathHasExtension(path, ext)) return true;
    return false;
}
}  // namespace

FileFormatPtr FileFormatRegistry::findReader(const std::string& path, DataKind kind) const {
    std::vector<FileFormatPtr> matches;
    for (const auto& [name, e] : formats_)
        if (handles(*e.format, path, kind)) matches.push_back(e.format);
    if (matches.size() == 1) return matches.front();
    for (const auto& f : matches)
        if (f->sniff(path)) return f;
    return nullptr;
}

FileFormatPtr FileFormatRegistry::findWriter(const std::string& path, DataKind kind) const {
    for (const auto& [name, e] : formats_)
        if (handles(*e.format, path, kind)) return e.format;
    return nullptr;
}

std::vector<FileFormatPtr> FileFormatRegistry::formats() const {
    std::vector<FileFormatPtr> out;
    for (const auto& [name, e] : formats_) out.push_back(e.format);
    return out;
}

std::string FileFormatRegistry::pluginOf(const std::string& formatName) const {
    auto it = formats_.find(formatName);
    return it == formats_.end() ? std::string() : it->second.pluginId;
}

std::string FileFormatRegistry::describe() const {
    std::string out;
    for (const auto& [name, e] : formats_) {
        std::string exts;
        for (const auto& x : e.format->extensions()) exts += (exts.empty() ? "" : " ") + x;
        out += (out.empty() ? "" : ", ") + name + " (" + exts + ")";
    }
    return out;
}

FileFormatRegistry& pluginFileFormats() {
    static FileFormatRegistry registry;
    return registry;
}

}  // namespace cellforge::io
