// A reader and writer of one file format that a plugin adds. DataIO (readData,
// writeData) tries its built-in formats first and then these, by extension and kind,
// and with `sniff` when two formats share an extension.
#pragma once

#include "core/data/DataObject.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cellforge::io {

class FileFormat {
public:
    virtual ~FileFormat() = default;
    // A short unique name ("points-text"); shown by `cellforge-cli plugins`.
    virtual std::string name() const = 0;
    // Lower-case extensions with the dot (".pts"); a path matches if it ends with one.
    virtual std::vector<std::string> extensions() const = 0;
    // The kinds this format reads and writes.
    virtual std::vector<DataKind> kinds() const = 0;
    // Called before read() when several formats match the extension: true if the
    // file's first bytes look like this format. The default trusts the extension.
    virtual bool sniff(const std::string& path) const {
        (void)path;
        return true;
    }
    // Reads `path` as `kind` (one of kinds()); throws InputError naming the file and what is wrong.
    virtual DataPtr read(const std::string& path, DataKind kind) const = 0;
    // Writes `data` (of one of kinds()) to `path`; throws on failure. The default
    // refuses: a format may be read-only.
    virtual void write(const std::string& path, const DataObject& data) const;
};

using FileFormatPtr = std::shared_ptr<const FileFormat>;

class FileFormatRegistry {
public:
    // Throws InputError if another plugin already registered a format of that name; the
    // same plugin registering it again replaces it.
    void add(FileFormatPtr format, const std::string& pluginId);
    // The formats whose extensions match `path` and that handle `kind`, sniffed ones first.
    // nullptr if none.
    FileFormatPtr findReader(const std::string& path, DataKind kind) const;
    FileFormatPtr findWriter(const std::string& path, DataKind kind) const;
    std::vector<FileFormatPtr> formats() const;
    std::string pluginOf(const std::string& formatName) const;
    // "points-text (.pts)" for each format, for error messages.
    std::string describe() const;
    bool empty() const { return formats_.empty(); }
    void clear() { formats_.clear(); }

private:
    struct Entry {
        FileFormatPtr format;
        std::string pluginId;
    };
    std::map<std::string, Entry> formats_;  // by name
};

// The formats of the loaded plugins: the PluginLoader fills it, readData/writeData
// consult it. Process-wide like the plugins themselves are (STYLE.md's one exception).
FileFormatRegistry& pluginFileFormats();

// True if `path` ends with `extension` (case-insensitive; ".tar.gz" style works).
bool pathHasExtension(const std::string& path, const std::string& extension);

}  // namespace cellforge::io
