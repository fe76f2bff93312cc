// Atomic writes, file extensions, and tables as CSV and JSON.
#include <sys/stat.h>

#include <cmath>

#include "IoTestUtil.h"
#include "core/base/Errors.h"
#include "core/base/AtomicFile.h"
#include "core/io/JsonText.h"
#include "core/io/TableIO.h"
#include "core/io/VolumeIO.h"

using namespace cellforge;
using namespace cellforge::io;
using namespace cellforge::iotest;

namespace {
std::string slurp(const std::string& path) {
    const auto b = readBytes(path);
    return std::string(b.begin(), b.end());
}
}  // namespace

TEST(AtomicFile, WriterThatThrowsLeavesTheOldFileIntact) {
    ScratchDir dir;
    const std::string path = dir.file("keep.txt");
    writeAtomically(path, [](std::ofstream& out) { out << "old contents"; });
    EXPECT_EQ(slurp(path), "old contents");
    EXPECT_THROW(writeAtomically(path,
                                 [](std::ofstream& out) {
                                     out << "half of the new";
                                     out.flush();
                                     throw std::runtime_error("writer failed");
                                 }),
                 std::runtime_error);
    EXPECT_EQ(slurp(path), "old contents");
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"keep.txt"});  // the temporary is gone
    EXPECT_THROW(writeAtomicallyByName(path,
                                       [](const std::string& temp) {
                                           std::ofstream(temp) << "partial";
                                           throw InputError("by name failed");
                                       }),
                 InputError);
    EXPECT_EQ(slurp(path), "old contents");
    EXPECT_EQ(dir.entries().size(), 1u);
}

TEST(AtomicFile, VolumeWriteThatFailsKeepsTheOldVolume) {
    ScratchDir dir;
    const std::string path = dir.file("v.mrc");
    Volume small({2, 2, 2}, ScalarType::Float32);
    small.data<float>()[0] = 1000.0f;
    writeVolume(path, small);
    const auto before = readBytes(path);
    VolumeWriteOptions options;
    options.mrcMode = 0;  // 1000 does not fit in int8: the writer throws half-way
    EXPECT_THROW(writeVolume(path, small, options), InputError);
    EXPECT_EQ(readBytes(path), before);
    EXPECT_EQ(dir.entries().size(), 1u);
}

TEST(AtomicFile, TemporaryKeepsTheExtensionAndPermissions) {
    ScratchDir dir;
    std::string seen;
    writeAtomicallyByName(dir.file("x.nii.gz"), [&](const std::string& temp) {
        seen = temp;
        std::ofstream(temp) << "data";
    });
    EXPECT_EQ(fileExtension(seen), ".nii.gz");
    EXPECT_EQ(seen.substr(0, dir.path().size()), dir.path());  // same folder
    struct stat st {};
    ASSERT_EQ(::stat(dir.file("x.nii.gz").c_str(), &st), 0);
    EXPECT_NE(st.st_mode & 0044, 0u);  // not mkstemp's 0600
}

TEST(AtomicFile, UnwritableFolderIsAnInputError) {
    try {
        writeAtomically("/nonexistent-folder-cellforge/x.txt", [](std::ofstream& out) { out << "x"; });
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent-folder-cellforge"), std::string::npos) << e.what();
    }
}

TEST(AtomicFile, FileExtension) {
    EXPECT_EQ(fileExtension("a.MRC"), ".mrc");
    EXPECT_EQ(fileExtension("dir.d/a.mrc.gz"), ".mrc.gz");
    EXPECT_EQ(fileExtension("/x/y/brain.nii.gz"), ".nii.gz");
    EXPECT_EQ(fileExtension("noext"), "");
    EXPECT_EQ(fileExtension("dir.d/noext"), "");
    EXPECT_EQ(fileExtension(".hidden"), "");
    EXPECT_EQ(fileExtension("a.tif"), ".tif");
    EXPECT_EQ(fileExtension("file.gz"), ".gz");
}

namespace {
Table sampleTable() {
    Table t({"name", "value, Å", "quote\"d", "n"});
    t.addRow({std::string("plain"), 1.5, std::string("a \"quoted\" word"), 1e-300});
    t.addRow({std::string("007"), -0.0, std::string("line\nbreak, comma"), std::nan("")});
    t.addRow({std::string(""), 3.0e22, std::string(" padded "), HUGE_VAL});
    t.addRow({std::string("ünïcödé"), 0.1, std::string("x"), 42.0});
    t.notes = {{"units", "Å"}, {"a-source", "test \"notes\""}, {"0", "zero"}};
    return t;
}

// `infinityIsNaN`: JSON has no infinity; it is written as null and read back as NaN.
void expectSameCells(const Table& a, const Table& b, bool infinityIsNaN = false) {
    ASSERT_EQ(a.columns(), b.columns());
    ASSERT_EQ(a.rowCount(), b.rowCount());
    for (std::size_t r = 0; r < a.rowCount(); ++r)
        for (std::size_t c = 0; c < a.columns().size(); ++c) {
            const TableValue& x = a.row(r)[c];
            const TableValue& y = b.row(r)[c];
            ASSERT_EQ(x.index(), y.index()) << r << "," << c;
            if (const double* d = std::get_if<double>(&x)) {
                const double e = std::get<double>(y);
                if (std::isnan(*d) || (infinityIsNaN && std::isinf(*d)))
                    EXPECT_TRUE(std::isnan(e)) << r << "," << c;
                else
                    EXPECT_EQ(*d, e) << r << "," << c;
            } else {
                EXPECT_EQ(std::get<std::string>(x), std::get<std::string>(y)) << r << "," << c;
            }
        }
}
}  // namespace

TEST(TableIO, CsvRoundTripWithQuoting) {
    ScratchDir dir;
    const Table t = sampleTable();
    writeTable(dir.file("t.csv"), t);
    const std::string text = slurp(dir.file("t.csv"));
    EXPECT_NE(text.find("\"value, Å\""), std::string::npos);
    EXPECT_NE(text.find("\"quote\"\"d\""), std::string::npos);
    EXPECT_NE(text.find("\"a \"\"quoted\"\" word\""), std::string::npos);
    EXPECT_NE(text.find("\r\n"), std::string::npos);
    expectSameCells(t, readTable(dir.file("t.csv")));
}

TEST(TableIO, CsvFromOtherProgramsAndErrors) {
    ScratchDir dir;
    writeBytes(dir.file("x.csv"), {});
    EXPECT_THROW(readTable(dir.file("x.csv")), InputError);
    const std::string text = "\xEF\xBB\xBFid,label\n1,+2.5\n2,\n3,abc\n\n";
    writeBytes(dir.file("y.csv"), std::vector<std::uint8_t>(text.begin(), text.end()));
    const Table t = readTable(dir.file("y.csv"));
    ASSERT_EQ(t.columns(), (std::vector<std::string>{"id", "label"}));
    ASSERT_EQ(t.rowCount(), 3u);
    EXPECT_EQ(std::get<double>(t.row(0)[1]), 2.5);
    EXPECT_TRUE(std::isnan(std::get<double>(t.row(1)[1])));
    EXPECT_EQ(std::get<std::string>(t.row(2)[1]), "abc");
    const std::string ragged = "a,b\n1,2,3\n";
    writeBytes(dir.file("r.csv"), std::vector<std::uint8_t>(ragged.begin(), ragged.end()));
    try {
        readTable(dir.file("r.csv"));
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("3 fields, expected 2"), std::string::npos) << e.what();
    }
    const std::string open = "a\n\"never closed\n";
    writeBytes(dir.file("o.csv"), std::vector<std::uint8_t>(open.begin(), open.end()));
    EXPECT_THROW(readTable(dir.file("o.csv")), InputError);
    EXPECT_THROW(readTable(dir.file("missing.csv")), InputError);
    EXPECT_THROW(readTable(dir.file("t.txt")), InputError);
}

TEST(TableIO, JsonRoundTripKeepsNotesInOrder) {
    ScratchDir dir;
    const Table t = sampleTable();
    writeTable(dir.file("t.json"), t);
    const Table back = readTable(dir.file("t.json"));
    expectSameCells(t, back, true);
    EXPECT_EQ(back.notes, t.notes);
    // The text is standard JSON: NaN and infinity become null.
    const json::Value doc = json::parse(tableToJson(t), "table");
    ASSERT_TRUE(doc.isObject());
    EXPECT_TRUE(doc.find("rows")->array[1].array[3].isNull());
    EXPECT_EQ(doc.object[0].first, "columns");
}

TEST(TableIO, JsonErrorsNameThePlace) {
    ScratchDir dir;
    const std::string bad = "{\n  \"columns\": [\"a\", \"b\"],\n  \"rows\": [[1, 2], [3]]\n}\n";
    writeBytes(dir.file("b.json"), std::vector<std::uint8_t>(bad.begin(), bad.end()));
    try {
        readTable(dir.file("b.json"));
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("row 1"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("expected an array of 2 values"), std::string::npos) << e.what();
    }
    const std::string syntax = "{\n  \"columns\": [\"a\",]\n}";
    writeBytes(dir.file("s.json"), std::vector<std::uint8_t>(syntax.begin(), syntax.end()));
    try {
        readTable(dir.file("s.json"));
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
    }
}

TEST(TableIO, EmptyTable) {
    ScratchDir dir;
    const Table t({"only"});
    writeTable(dir.file("e.json"), t);
    writeTable(dir.file("e.csv"), t);
    EXPECT_EQ(readTable(dir.file("e.json")).columns(), t.columns());
    EXPECT_EQ(readTable(dir.file("e.csv")).rowCount(), 0u);
}
