// Helpers shared by the core/io tests: scratch folders, raw file bytes, header patches.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace cellforge::iotest {

inline std::string realData(const std::string& name) { return std::string(CELLFORGE_SHARED_DATA) + "/real/" + name; }

// A fresh folder removed when the object goes away.
class ScratchDir {
public:
    ScratchDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "cellforge-io-XXXXXX").string();
        std::vector<char> buffer(pattern.begin(), pattern.end());
        buffer.push_back('\0');
        if (!::mkdtemp(buffer.data())) throw std::runtime_error("mkdtemp failed");
        path_ = buffer.data();
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    const std::string& path() const { return path_; }
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(path_)) names.push_back(e.path().filename().string());
        return names;
    }

private:
    std::string path_;
};

inline std::vector<std::uint8_t> readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void writeBytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

template <typename T>
void poke(std::vector<std::uint8_t>& bytes, std::size_t offset, T value) {
    std::memcpy(bytes.data() + offset, &value, sizeof value);
}
template <typename T>
T peek(const std::vector<std::uint8_t>& bytes, std::size_t offset) {
    T value;
    std::memcpy(&value, bytes.data() + offset, sizeof value);
    return value;
}

// A minimal little-endian MRC header written independently of the code under test.
inline std::vector<std::uint8_t> makeHeader(std::int32_t nx, std::int32_t ny, std::int32_t nz, std::int32_t mode,
                                            float voxel = 2.0f, bool mrc2014 = true) {
    std::vector<std::uint8_t> h(1024, 0);
    poke<std::int32_t>(h, 0, nx);
    poke<std::int32_t>(h, 4, ny);
    poke<std::int32_t>(h, 8, nz);
    poke<std::int32_t>(h, 12, mode);
    poke<std::int32_t>(h, 28, nx);
    poke<std::int32_t>(h, 32, ny);
    poke<std::int32_t>(h, 36, nz);
    poke<float>(h, 40, float(nx) * voxel);
    poke<float>(h, 44, float(ny) * voxel);
    poke<float>(h, 48, float(nz) * voxel);
    for (int i = 0; i < 3; ++i) {
        poke<float>(h, 52 + 4 * i, 90.0f);
        poke<std::int32_t>(h, 64 + 4 * i, i + 1);
    }
    poke<float>(h, 76, 0.0f);
    poke<float>(h, 80, -1.0f);  // DMAX < DMIN: statistics not computed
    poke<float>(h, 84, -2.0f);
    poke<float>(h, 216, -1.0f);
    poke<std::int32_t>(h, 88, nz > 1 ? 1 : 0);
    if (mrc2014) {
        std::memcpy(h.data() + 208, "MAP ", 4);
        h[212] = 0x44;
        h[213] = 0x44;
        poke<std::int32_t>(h, 108, 20140);
    }
    return h;
}

}  // namespace cellforge::iotest
