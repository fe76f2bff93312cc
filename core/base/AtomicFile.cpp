#include "core/base/AtomicFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

#include "core/base/Errors.h"

namespace cellforge {

namespace {

std::string errnoText(int err) { return std::strerror(err); }

std::string folderOf(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string fileNameOf(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The process umask without changing it (umask() is process-wide and racy): Linux
// reports it in /proc/self/status; 022 when that is unavailable.
mode_t currentUmask() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("Umask:", 0) == 0) return mode_t(std::strtol(line.c_str() + 6, nullptr, 8));
    return 022;
}

// A new file gets the permissions an ordinary open(O_CREAT, 0666) would give; an
// overwritten file keeps its own.
mode_t permissionsFor(const std::string& target) {
    struct stat st {};
    if (::stat(target.c_str(), &st) == 0) return st.st_mode & 07777;
    return 0666 & ~currentUmask();
}

void fsyncFolder(const std::string& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;  // durability of the rename is best effort; the data is synced
    ::fsync(fd);
    ::close(fd);
}

// Creates an empty temporary file beside `path` whose name ends with the target's
// extension (ITK and VTK choose their writer by it). Returns the open descriptor.
int createTemporary(const std::string& path, std::string& tempPath) {
    const std::string folder = folderOf(path);
    const std::string ext = fileExtension(path);
    std::string pattern = folder + "/." + fileNameOf(path).substr(0, 40) + ".cftmp-XXXXXX" + ext;
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    const int fd = ::mkostemps(buffer.data(), int(ext.size()), O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        throw InputError("cannot write '" + path + "': folder '" + folder + "' is not writable (" + errnoText(err) +
                         ")");
    }
    tempPath.assign(buffer.data());
    ::fchmod(fd, permissionsFor(path));
    return fd;
}

void syncAndRename(const std::string& tempPath, const std::string& path) {
    const int fd = ::open(tempPath.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        throw InputError("cannot write '" + path + "': the temporary file '" + tempPath + "' disappeared (" +
                         errnoText(err) + ")");
    }
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        throw InputError("cannot write '" + path + "': fsync failed (" + errnoText(err) + ")");
    }
    ::close(fd);
    if (::rename(tempPath.c_str(), path.c_str()) != 0) {
        const int err = errno;
        throw InputError("cannot write '" + path + "': rename from '" + tempPath + "' failed (" + errnoText(err) + ")");
    }
    fsyncFolder(folderOf(path));
}

}  // namespace

void writeAtomically(const std::string& path, const std::function<void(std::ofstream&)>& write) {
    writeAtomicallyByName(path, [&](const std::string& tempPath) {
        std::ofstream out(tempPath, std::ios::binary | std::ios::trunc);
        if (!out) throw InputError("cannot write '" + path + "': cannot open the temporary file '" + tempPath + "'");
        write(out);
        out.flush();
        if (!out) {
            throw InputError("cannot write '" + path + "': writing failed (" + errnoText(errno) +
                             "; is the disk full?)");
        }
        out.close();
        if (out.fail()) throw InputError("cannot write '" + path + "': closing the file failed");
    });
}

void writeAtomicallyByName(const std::string& path, const std::function<void(const std::string& tempPath)>& write) {
    if (path.empty()) throw InputError("cannot write a file with an empty name");
    std::string tempPath;
    const int fd = createTemporary(path, tempPath);
    ::close(fd);
    try {
        write(tempPath);
        syncAndRename(tempPath, path);
    } catch (...) {
        ::unlink(tempPath.c_str());
        throw;
    }
}

std::string fileExtension(const std::string& path) {
    std::string name = fileNameOf(path);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    // A leading dot marks a hidden file, not an extension.
    const auto lastDot = name.find_last_of('.');
    if (lastDot == std::string::npos || lastDot == 0) return "";
    std::string ext = name.substr(lastDot);
    if (ext == ".gz" || ext == ".bz2" || ext == ".xz") {
        const auto previous = name.find_last_of('.', lastDot - 1);
        if (previous != std::string::npos && previous != 0 && previous + 1 < lastDot) ext = name.substr(previous);
    }
    return ext;
}

}  // namespace cellforge
