// Bad input is refused with an InputError that names the file, the field, what was
// found and what was expected; nothing crashes and nothing huge is allocated.
#include <zlib.h>

#include "IoTestUtil.h"
#include "core/base/Errors.h"
#include "core/io/MrcFormat.h"
#include "core/io/VolumeIO.h"

using namespace cellforge;
using namespace cellforge::io;
using namespace cellforge::iotest;

namespace {

// The message of the InputError that reading `path` throws (fails the test if none).
std::string readError(const std::string& path) {
    try {
        readVolume(path);
    } catch (const InputError& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong exception type: " << e.what();
        return "";
    }
    ADD_FAILURE() << "no error reading " << path;
    return "";
}

std::string corruptCopy(const ScratchDir& dir, const std::string& name,
                        const std::function<void(std::vector<std::uint8_t>&)>& change) {
    auto bytes = readBytes(realData("EMD-3197.map"));
    change(bytes);
    const std::string path = dir.file(name);
    writeBytes(path, bytes);
    return path;
}

void writeGzip(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), unsigned(bytes.size()));
    gzclose(f);
}

}  // namespace

#define EXPECT_CONTAINS(text, word) EXPECT_NE(std::string(text).find(word), std::string::npos) << (text)

TEST(MrcCorrupt, TruncatedData) {
    ScratchDir dir;
    const auto path = corruptCopy(dir, "truncated.mrc", [](auto& b) { b.resize(b.size() - 1000); });
    const std::string m = readError(path);
    EXPECT_CONTAINS(m, path);
    EXPECT_CONTAINS(m, "truncated");
    EXPECT_CONTAINS(m, "20 x 20 x 20");
    EXPECT_CONTAINS(m, "32000");  // bytes of data expected
    EXPECT_CONTAINS(m, "31000");  // bytes found
}

TEST(MrcCorrupt, ShorterThanTheHeader) {
    ScratchDir dir;
    const auto path = corruptCopy(dir, "short.mrc", [](auto& b) { b.resize(500); });
    const std::string m = readError(path);
    EXPECT_CONTAINS(m, "500 bytes");
    EXPECT_CONTAINS(m, "1024-byte");
}

TEST(MrcCorrupt, UnknownMode) {
    ScratchDir dir;
    const auto path = corruptCopy(dir, "mode7.mrc", [](auto& b) { poke<std::int32_t>(b, 12, 7); });
    const std::string m = readError(path);
    EXPECT_CONTAINS(m, path);
    EXPECT_CONTAINS(m, "MODE is 7");
    EXPECT_CONTAINS(m, "expected");
    EXPECT_CONTAINS(m, "12");
}

TEST(MrcCorrupt, ComplexModeIsRefusedByName) {
    ScratchDir dir;
    const auto path = corruptCopy(dir, "mode4.mrc", [](auto& b) { poke<std::int32_t>(b, 12, 4); });
    const std::string m = readError(path);
    EXPECT_CONTAINS(m, "MODE is 4");
    EXPECT_CONTAINS(m, "complex");
}

TEST(MrcCorrupt, ExtendedHeaderPastTheEnd) {
    ScratchDir dir;
    const auto path = corruptCopy(dir, "nsymbt.mrc", [](auto& b) { poke<std::int32_t>(b, 92, 1000000); });
    const std::string m = readError(path);
    EXPECT_CONTAINS(m, "NSYMBT is 1000000");
    EXPECT_CONTAINS(m, "extended header runs past the end");
    EXPECT_CONTAINS(m, "32000");  // what follows the header
}

TEST(MrcCorrupt, NegativeExtendedHeader) {
    ScratchDir dir;
    const auto path = corruptCopy(dir, "nsymbt-neg.mrc", [](auto& b) { poke<std::int32_t>(b, 92, -16); });
    EXPECT_CONTAINS(readError(path), "NSYMBT is -16");
}

TEST(MrcCorrupt, NegativeDimension) {
    ScratchDir dir;
    const auto path = corruptCopy(dir, "nx.mrc", [](auto& b) { poke<std::int32_t>(b, 0, -5); });
    const std::string m = readError(path);
    EXPECT_CONTAINS(m, path);
    EXPECT_CONTAINS(m, "NX is -5");
    EXPECT_CONTAINS(m, "expected a positive");
}

TEST(MrcCorrupt, ZeroDimension) {
    ScratchDir dir;
    const auto path = corruptCopy(dir, "nz.mrc", [](auto& b) { poke<std::int32_t>(b, 8, 0); });
    EXPECT_CONTAINS(readError(path), "NZ is 0");
}

TEST(MrcCorrupt, DimensionProductOverflows) {
    ScratchDir dir;
    // 2^21 cubed voxels of 4 bytes is 2^65 bytes: must be refused before any allocation.
    const auto path = corruptCopy(dir, "overflow.mrc", [](auto& b) {
        for (int o : {0, 4, 8}) poke<std::int32_t>(b, std::size_t(o), 1 << 21);
    });
    const std::string m = readError(path);
    EXPECT_CONTAINS(m, "overflow");
    EXPECT_CONTAINS(m, "2097152 x 2097152 x 2097152");
}

TEST(MrcCorrupt, HugeButRepresentableDimensionsAreCheckedAgainstTheFileSize) {
    ScratchDir dir;
    const auto path = corruptCopy(dir, "huge.mrc", [](auto& b) {
        for (int o : {0, 4, 8}) poke<std::int32_t>(b, std::size_t(o), 100000);
    });
    const std::string m = readError(path);
    EXPECT_CONTAINS(m, "truncated");
    EXPECT_CONTAINS(m, "100000 x 100000 x 100000");
}

TEST(MrcCorrupt, BadAxisMapping) {
    ScratchDir dir;
    const auto path = corruptCopy(dir, "axes.mrc", [](auto& b) { poke<std::int32_t>(b, 68, 1); });
    const std::string m = readError(path);
    EXPECT_CONTAINS(m, "MAPC/MAPR/MAPS are 1/1/3");
    EXPECT_CONTAINS(m, "permutation");
}

TEST(MrcCorrupt, MissingFile) {
    ScratchDir dir;
    const std::string m = readError(dir.file("absent.mrc"));
    EXPECT_CONTAINS(m, "absent.mrc");
    EXPECT_CONTAINS(m, "No such file");
    EXPECT_THROW(readVolume(dir.file("absent.tif")), InputError);
    EXPECT_THROW(readVolumeInfo(dir.file("absent.mrc")), InputError);
}

TEST(MrcCorrupt, GzipThatIsNotGzip) {
    ScratchDir dir;
    const auto path = corruptCopy(dir, "plain.mrc.gz", [](auto&) {});
    const std::string m = readError(path);
    EXPECT_CONTAINS(m, "not a gzip file");
    EXPECT_CONTAINS(m, "1f 8b");
}

TEST(MrcCorrupt, TruncatedGzip) {
    ScratchDir dir;
    auto bytes = readBytes(realData("EMD-3197.map"));
    bytes.resize(bytes.size() - 4000);
    writeGzip(dir.file("short.map.gz"), bytes);
    const std::string m = readError(dir.file("short.map.gz"));
    EXPECT_CONTAINS(m, "truncated");
    EXPECT_CONTAINS(m, "29024");  // decompressed bytes found
}

TEST(MrcCorrupt, CutGzipStream) {
    ScratchDir dir;
    auto gz = readBytes(realData("emd_3197.map.gz"));
    gz.resize(gz.size() / 2);
    writeBytes(dir.file("cut.map.gz"), gz);
    const std::string m = readError(dir.file("cut.map.gz"));
    EXPECT_TRUE(m.find("truncated") != std::string::npos || m.find("corrupt gzip") != std::string::npos) << m;
}

TEST(MrcCorrupt, GzipHeaderAskingForMoreThanDeflateCanHold) {
    ScratchDir dir;
    auto bytes = readBytes(realData("EMD-3197.map"));
    for (int o : {0, 4, 8}) poke<std::int32_t>(bytes, std::size_t(o), 20000);  // 32 TB
    writeGzip(dir.file("bomb.map.gz"), bytes);
    const std::string m = readError(dir.file("bomb.map.gz"));
    EXPECT_CONTAINS(m, "more than a gzip file");
}

TEST(MrcCorrupt, UnknownExtension) {
    ScratchDir dir;
    writeBytes(dir.file("a.xyz"), {1, 2, 3});
    try {
        readVolume(dir.file("a.xyz"));
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_CONTAINS(e.what(), ".xyz");
        EXPECT_CONTAINS(e.what(), "expected");
    }
}

TEST(MrcCorrupt, TiffThatIsNotATiff) {
    ScratchDir dir;
    writeBytes(dir.file("fake.tif"), std::vector<std::uint8_t>(300, 7));
    EXPECT_THROW(readVolume(dir.file("fake.tif")), InputError);
}

TEST(MrcCorrupt, GzipExtendedHeaderPastTheEnd) {
    ScratchDir dir;
    auto bytes = readBytes(realData("EMD-3197.map"));
    poke<std::int32_t>(bytes, 92, 5000000);  // within what deflate could hold, not there
    writeGzip(dir.file("ext.map.gz"), bytes);
    const std::string m = readError(dir.file("ext.map.gz"));
    EXPECT_CONTAINS(m, "truncated");
    EXPECT_CONTAINS(m, "NSYMBT 5000000");
}
