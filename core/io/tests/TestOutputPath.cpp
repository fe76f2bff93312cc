// The output path rule (core/io/OutputPath.h): every hostile form of a name is refused,
// ordinary names and subfolders pass, and links that lead out of the folder are seen.
#include "core/base/Errors.h"
#include "core/io/OutputPath.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace cellforge;

namespace {

class OutputPathTest : public ::testing::Test {
protected:
    void SetUp() override {
        root = fs::temp_directory_path() /
               ("cf_outpath_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
                std::to_string(::getpid()));
        fs::remove_all(root);
        fs::create_directories(root / "out");
        fs::create_directories(root / "elsewhere");
    }
    void TearDown() override { fs::remove_all(root); }
    std::string out() const { return (root / "out").string(); }
    // The message of the InputError that resolving `name` throws, or "" if none.
    std::string refusal(const std::string& name) {
        try {
            io::resolveOutputPath(out(), name, "output");
        } catch (const InputError& e) {
            return e.what();
        }
        return {};
    }
    fs::path root;
};

}  // namespace

TEST_F(OutputPathTest, HostileNamesAreRefused) {
    const std::vector<std::string> hostile = {
        "",                      // empty
        "/home/user/.bashrc",    // absolute
        "/",                     // the root
        "../x.mrc",              // up one
        "../../x.mrc",           // up two
        "a/../../x.mrc",         // up, hidden behind a subfolder
        "a/..",                  // ends going up
        "..",                    // only up
        ".",                     // reserved
        "./x.mrc",               // reserved component
        "a/./x.mrc",             // reserved component inside
        "a//x.mrc",              // empty component
        "a/",                    // a folder, not a file
        "..\\..\\x.mrc",         // Windows separators
        "a\\x.mrc",              // a backslash at all
        "C:x.mrc",               // a drive
        "c:/Windows/x.mrc",      // a drive and a path
        "~/x.mrc",               // a home folder
        "~",                     // the home folder
        std::string("a\0b", 3),  // NUL
        "a\nb.mrc",              // newline
        "a\tb.mrc",              // tab
        "x\x7f.mrc",             // DEL
        std::string(256, 'x'),   // longer than a file name can be
        "a/" + std::string(300, 'y') + "/b",
    };
    for (const std::string& name : hostile) {
        EXPECT_FALSE(io::outputNameProblem(name).empty()) << io::printableName(name);
        const std::string message = refusal(name);
        EXPECT_FALSE(message.empty()) << io::printableName(name);
        // The message names the entry and the name (control characters made visible).
        EXPECT_EQ(message.rfind("output '" + io::printableName(name) + "'", 0), 0u) << message;
    }
    EXPECT_NE(refusal("../../x.mrc").find(".."), std::string::npos);
    EXPECT_NE(refusal("/home/user/.bashrc").find("absolute"), std::string::npos);
    EXPECT_NE(refusal(std::string("a\0b", 3)).find("a\\x00b"), std::string::npos);
    EXPECT_NE(refusal("").find("empty"), std::string::npos);
    // Nothing was created by any refusal.
    EXPECT_TRUE(fs::is_empty(root / "out"));
    EXPECT_TRUE(fs::is_empty(root / "elsewhere"));
}

TEST_F(OutputPathTest, OrdinaryNamesAndSubfoldersPass) {
    for (const std::string& name :
         std::vector<std::string>{"labels.mrc", "labels", "meshes/cell 7.stl", "a..b.mrc", ".hidden.csv", "...mrc",
                                  "zelle_ä.mrc", "deep/er/still/x.vtp", std::string(255, 'x')}) {
        EXPECT_EQ(io::outputNameProblem(name), "") << name;
        EXPECT_EQ(io::resolveOutputPath(out(), name, "output"), (fs::path(out()) / name).string());
    }
    // The folder need not exist yet.
    EXPECT_EQ(io::resolveOutputPath((root / "new").string(), "x.mrc", "output"), (root / "new" / "x.mrc").string());
    EXPECT_THROW(io::resolveOutputPath("", "x.mrc", "output"), InputError);
}

TEST_F(OutputPathTest, LinksLeadingOutOfTheFolderAreRefused) {
    // A subfolder that is a link to elsewhere.
    fs::create_directory_symlink(root / "elsewhere", root / "out" / "sub");
    std::string message = refusal("sub/x.mrc");
    EXPECT_NE(message.find("outside the output folder"), std::string::npos) << message;
    EXPECT_NE(message.find("output 'sub/x.mrc'"), std::string::npos) << message;
    // A link to "..".
    fs::create_directory_symlink("..", root / "out" / "up");
    EXPECT_NE(refusal("up/x.mrc").find("outside the output folder"), std::string::npos);
    // The file itself is a link (to a file outside): never written through or replaced.
    std::ofstream(root / "elsewhere" / "target.mrc") << "precious";
    fs::create_symlink(root / "elsewhere" / "target.mrc", root / "out" / "x.mrc");
    EXPECT_NE(refusal("x.mrc").find("symbolic link"), std::string::npos);
    // A dangling link too.
    fs::create_symlink(root / "nowhere.mrc", root / "out" / "dangling.mrc");
    EXPECT_NE(refusal("dangling.mrc").find("symbolic link"), std::string::npos);
    // A folder where the file should go.
    fs::create_directory(root / "out" / "folder.mrc");
    EXPECT_NE(refusal("folder.mrc").find("folder"), std::string::npos);
    // A link that stays inside is fine.
    fs::create_directory(root / "out" / "real");
    fs::create_directory_symlink(root / "out" / "real", root / "out" / "alias");
    EXPECT_EQ(refusal("alias/x.mrc"), "");
    // The output folder itself may be a link (e.g. /scratch -> /mnt/scratch).
    fs::create_directory_symlink(root / "out", root / "outlink");
    EXPECT_NO_THROW(io::resolveOutputPath((root / "outlink").string(), "y.mrc", "output"));
    std::ifstream precious(root / "elsewhere" / "target.mrc");
    std::string text;
    precious >> text;
    EXPECT_EQ(text, "precious");
}

TEST_F(OutputPathTest, LiesInsideFolder) {
    EXPECT_TRUE(io::liesInsideFolder(out(), out() + "/a.mrc"));
    EXPECT_TRUE(io::liesInsideFolder(out(), out() + "/x/../a.mrc"));
    EXPECT_TRUE(io::liesInsideFolder(out(), out()));
    EXPECT_FALSE(io::liesInsideFolder(out(), out() + "/../elsewhere/a.mrc"));
    EXPECT_FALSE(io::liesInsideFolder(out(), "/etc/passwd"));
    EXPECT_FALSE(io::liesInsideFolder(out(), out() + "side/a.mrc"));  // "/tmp/out" is not "/tmp/outside"
    fs::create_directory_symlink(root / "elsewhere", root / "out" / "link");
    EXPECT_FALSE(io::liesInsideFolder(out(), out() + "/link/a.mrc"));
}
