#include "core/base/Resources.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace cellforge {

namespace fs = std::filesystem;

std::vector<std::string> resourceSearchPaths() {
    std::vector<std::string> paths;
    if (const char* env = std::getenv("CELLFORGE_RESOURCES")) paths.push_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) paths.push_back((exe.parent_path() / ".." / "share" / "cellforge").lexically_normal().string());
#ifdef CELLFORGE_SOURCE_RESOURCES
    paths.push_back(CELLFORGE_SOURCE_RESOURCES);
#endif
    return paths;
}

std::string findResource(const std::string& relativePath) {
    for (const auto& folder : resourceSearchPaths()) {
        const fs::path candidate = fs::path(folder) / relativePath;
        std::error_code ec;
        if (fs::exists(candidate, ec)) return candidate.string();
    }
    return {};
}

}  // namespace cellforge
