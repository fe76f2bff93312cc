// Writing and reading MRC: every mode, both byte orders, IMOD's unsigned bytes,
// 4-bit data, slabs, extended headers, label sidecars.
#include <zlib.h>

#include <cmath>

#include "IoTestUtil.h"
#include "core/base/Errors.h"
#include "core/io/MrcFormat.h"
#include "core/io/VolumeIO.h"

using namespace cellforge;
using namespace cellforge::io;
using namespace cellforge::iotest;

namespace {

// A volume with a value pattern that differs along every axis (so transposes and flips
// show), within [lo, hi].
Volume patterned(ScalarType type, Index3 dims, double lo, double hi) {
    Volume v(dims, type);
    const double span = hi - lo;
    dispatchScalar(type, [&](auto tag) {
        using T = decltype(tag);
        T* p = v.data<T>();
        for (std::int64_t z = 0; z < dims[2]; ++z)
            for (std::int64_t y = 0; y < dims[1]; ++y)
                for (std::int64_t x = 0; x < dims[0]; ++x) {
                    const double t = std::fmod(0.37 * double(x) + 1.91 * double(y) + 7.3 * double(z), 1.0);
                    double value = lo + t * span;
                    if constexpr (!std::is_floating_point_v<T>) value = std::round(value);
                    p[v.index(x, y, z)] = T(value);
                }
    });
    v.setVoxelSize({1.5, 2.5, 3.5});
    v.setOrigin({-10.0, 20.0, 30.5});
    return v;
}

void expectSameValues(const Volume& a, const Volume& b) {
    ASSERT_EQ(a.dims(), b.dims());
    for (std::int64_t z = 0; z < a.nz(); ++z)
        for (std::int64_t y = 0; y < a.ny(); ++y)
            for (std::int64_t x = 0; x < a.nx(); ++x)
                ASSERT_EQ(a.valueAt(x, y, z), b.valueAt(x, y, z)) << x << "," << y << "," << z;
}

void expectGeometry(const Volume& written, const Volume& read) {
    for (int a = 0; a < 3; ++a) {
        EXPECT_NEAR(read.voxelSize()[a], written.voxelSize()[a], 1e-5);
        EXPECT_NEAR(read.origin()[a], written.origin()[a], 1e-4);
    }
}

std::int32_t headerInt(const std::string& path, int offset) {
    return peek<std::int32_t>(readBytes(path), std::size_t(offset));
}

// A byte-for-byte big-endian copy of a little-endian MRC file with 4-byte (or 2-byte) data.
std::vector<std::uint8_t> toBigEndian(std::vector<std::uint8_t> bytes, int dataElementSize) {
    auto swapWord = [&](std::size_t o) {
        std::swap(bytes[o], bytes[o + 3]);
        std::swap(bytes[o + 1], bytes[o + 2]);
    };
    for (std::size_t o = 0; o < 224; o += 4)
        if (o != 104 && o != 208 && o != 212) swapWord(o);
    bytes[212] = 0x11;
    bytes[213] = 0x11;
    const std::size_t begin = 1024 + std::size_t(peek<std::int32_t>(bytes, 92));
    for (std::size_t o = begin; o + std::size_t(dataElementSize) <= bytes.size(); o += std::size_t(dataElementSize)) {
        if (dataElementSize == 4)
            swapWord(o);
        else
            std::swap(bytes[o], bytes[o + 1]);
    }
    return bytes;
}

}  // namespace

TEST(MrcRoundTrip, DefaultModeFollowsTheDataType) {
    ScratchDir dir;
    struct Case {
        ScalarType type;
        double lo, hi;
        int mode;
        ScalarType readBack;
    };
    const Case cases[] = {
        {ScalarType::Int8, -128, 127, 0, ScalarType::Int8},
        {ScalarType::UInt8, 0, 127, 0, ScalarType::UInt8},
        {ScalarType::UInt8, 0, 255, 6, ScalarType::UInt16},  // widened: stays valid MRC2014
        {ScalarType::Int16, -32768, 32767, 1, ScalarType::Int16},
        {ScalarType::UInt16, 0, 65535, 6, ScalarType::UInt16},
        {ScalarType::Float32, -1e6, 3.5e7, 2, ScalarType::Float32},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(scalarTypeName(c.type) + " " + std::to_string(c.hi));
        const Volume v = patterned(c.type, {7, 5, 4}, c.lo, c.hi);
        const std::string path = dir.file("t.mrc");
        writeVolume(path, v);
        EXPECT_EQ(headerInt(path, 12), c.mode);
        const Volume back = readVolume(path);
        EXPECT_EQ(back.scalarType(), c.readBack);
        expectSameValues(v, back);
        expectGeometry(v, back);
        EXPECT_EQ(readBytes(path).size(), 1024u + std::size_t(7 * 5 * 4) * scalarSize(c.readBack));
    }
}

TEST(MrcRoundTrip, ExplicitModes) {
    ScratchDir dir;
    const Volume v = patterned(ScalarType::Float32, {9, 4, 3}, -100, 100);  // with fractions
    Volume integral = patterned(ScalarType::Int16, {9, 4, 3}, 0, 120).toFloat32();
    integral.setVoxelSize(v.voxelSize());
    integral.setOrigin(v.origin());
    const std::string path = dir.file("m.mrc");
    for (int mode : {0, 1, 2, 6, 12}) {
        SCOPED_TRACE(mode);
        VolumeWriteOptions options;
        options.mrcMode = mode;
        writeVolume(path, integral, options);
        EXPECT_EQ(headerInt(path, 12), mode);
        const Volume back = readVolume(path);
        expectSameValues(integral, back);  // integers <= 120 survive every mode exactly
        expectGeometry(integral, back);
    }
    // float16 rounds to 11 significant bits.
    VolumeWriteOptions half;
    half.mrcMode = 12;
    writeVolume(path, v, half);
    const Volume back = readVolume(path);
    ASSERT_EQ(back.scalarType(), ScalarType::Float32);
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) {
        const float a = v.data<float>()[i], b = back.data<float>()[i];
        EXPECT_NEAR(a, b, std::abs(a) / 1024 + 1e-3) << i;
        EXPECT_EQ(b, halfToFloat(floatToHalf(a)));
    }
    EXPECT_EQ(readBytes(path).size(), 1024u + 9 * 4 * 3 * 2);
}

TEST(MrcRoundTrip, ExplicitModeRefusesValuesOutOfRange) {
    ScratchDir dir;
    const Volume v = patterned(ScalarType::Float32, {4, 4, 4}, -1000, 1000);
    VolumeWriteOptions options;
    options.mrcMode = 0;
    try {
        writeVolume(dir.file("r.mrc"), v, options);
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("-128..127"), std::string::npos) << e.what();
    }
    options.mrcMode = 3;
    EXPECT_THROW(writeVolume(dir.file("r.mrc"), v, options), InputError);
    EXPECT_TRUE(dir.entries().empty());  // nothing left behind
}

TEST(MrcRoundTrip, HeaderFieldsAreMrc2014) {
    ScratchDir dir;
    const Volume v = patterned(ScalarType::Float32, {6, 5, 4}, -3, 9);
    const std::string path = dir.file("h.mrc");
    writeVolume(path, v);
    const auto b = readBytes(path);
    EXPECT_EQ(peek<std::int32_t>(b, 0), 6);
    EXPECT_EQ(peek<std::int32_t>(b, 28), 6);        // MX = NX
    EXPECT_EQ(peek<std::int32_t>(b, 36), 4);        // MZ = NZ
    EXPECT_FLOAT_EQ(peek<float>(b, 40), 6 * 1.5f);  // CELLA = dims * voxel size
    EXPECT_FLOAT_EQ(peek<float>(b, 48), 4 * 3.5f);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data()) + 208, 4), "MAP ");
    EXPECT_EQ(b[212], 0x44);
    EXPECT_EQ(b[213], 0x44);
    EXPECT_EQ(peek<std::int32_t>(b, 108), 20140);
    const VolumeStatistics s = computeStatistics(v);
    EXPECT_FLOAT_EQ(peek<float>(b, 76), float(s.min));
    EXPECT_FLOAT_EQ(peek<float>(b, 80), float(s.max));
    EXPECT_FLOAT_EQ(peek<float>(b, 84), float(s.mean));
    EXPECT_NEAR(peek<float>(b, 216), s.rms, 1e-5);
    EXPECT_FLOAT_EQ(peek<float>(b, 196), -10.0f);  // ORIGIN
    EXPECT_EQ(peek<std::int32_t>(b, 220), 1);      // one label
}

TEST(MrcRoundTrip, BothByteOrdersAndMissingStamps) {
    ScratchDir dir;
    const Volume reference = readVolume(realData("EMD-3197.map"));
    auto big = toBigEndian(readBytes(realData("EMD-3197.map")), 4);
    writeBytes(dir.file("be.mrc"), big);
    expectSameValues(reference, readVolume(dir.file("be.mrc")));
    EXPECT_NEAR(readVolume(dir.file("be.mrc")).voxelSize()[0], 11.4, 1e-5);
    // Stamp zeroed: the order is found from the dimensions.
    big[212] = big[213] = 0;
    writeBytes(dir.file("be0.mrc"), big);
    expectSameValues(reference, readVolume(dir.file("be0.mrc")));
    auto little = readBytes(realData("EMD-3197.map"));
    little[212] = little[213] = 0;
    std::memcpy(little.data() + 208, "\0\0\0\0", 4);  // and no "MAP "
    writeBytes(dir.file("le0.mrc"), little);
    expectSameValues(reference, readVolume(dir.file("le0.mrc")));
    // A stamp that lies (says big-endian on little-endian data) is overruled.
    little[212] = little[213] = 0x11;
    writeBytes(dir.file("liar.mrc"), little);
    expectSameValues(reference, readVolume(dir.file("liar.mrc")));
}

TEST(MrcRoundTrip, BigEndianInt16) {
    ScratchDir dir;
    const Volume v = patterned(ScalarType::Int16, {5, 3, 2}, -30000, 30000);
    writeVolume(dir.file("le.mrc"), v);
    writeBytes(dir.file("be.mrc"), toBigEndian(readBytes(dir.file("le.mrc")), 2));
    const Volume back = readVolume(dir.file("be.mrc"));
    EXPECT_EQ(back.scalarType(), ScalarType::Int16);
    expectSameValues(v, back);
}

TEST(MrcRoundTrip, Mode0SignednessRule) {
    ScratchDir dir;
    std::vector<std::uint8_t> data(4 * 3 * 2);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::uint8_t(250 - i);  // 227..250 unsigned
    auto write = [&](const std::string& name, std::vector<std::uint8_t> header) {
        header.insert(header.end(), data.begin(), data.end());
        writeBytes(dir.file(name), header);
        return readVolume(dir.file(name));
    };
    // MRC2014 without statistics: signed, as the standard says.
    Volume v = write("std.mrc", makeHeader(4, 3, 2, 0));
    EXPECT_EQ(v.scalarType(), ScalarType::Int8);
    EXPECT_EQ(v.valueAt(0, 0, 0), -6.0);
    // An old file (no "MAP ", no version): unsigned.
    v = write("old.mrc", makeHeader(4, 3, 2, 0, 2.0f, false));
    EXPECT_EQ(v.scalarType(), ScalarType::UInt8);
    EXPECT_EQ(v.valueAt(0, 0, 0), 250.0);
    // Statistics only an unsigned reading can give (DMAX > 127) decide even for MRC2014.
    auto h = makeHeader(4, 3, 2, 0);
    poke<float>(h, 76, 227.0f);
    poke<float>(h, 80, 250.0f);
    EXPECT_EQ(write("stats-u.mrc", h).scalarType(), ScalarType::UInt8);
    h = makeHeader(4, 3, 2, 0, 2.0f, false);
    poke<float>(h, 76, -29.0f);
    poke<float>(h, 80, -6.0f);
    EXPECT_EQ(write("stats-s.mrc", h).scalarType(), ScalarType::Int8);
    // The IMOD stamp decides by its flag, whatever else the header says.
    h = makeHeader(4, 3, 2, 0, 2.0f, false);
    poke<std::int32_t>(h, 152, kImodStamp);
    poke<std::int32_t>(h, 156, 1);
    EXPECT_EQ(write("imod-s.mrc", h).scalarType(), ScalarType::Int8);
    poke<std::int32_t>(h, 156, 0);
    EXPECT_EQ(write("imod-u.mrc", h).scalarType(), ScalarType::UInt8);
}

TEST(MrcRoundTrip, Uint8AboveSignedRangeAsImodMode0WhenAsked) {
    ScratchDir dir;
    const Volume v = readVolume(realData("mrc3D.mrc"));  // uint8 141..163
    VolumeWriteOptions options;
    options.mrcMode = 0;
    writeVolume(dir.file("imod.mrc"), v, options);
    EXPECT_EQ(headerInt(dir.file("imod.mrc"), 12), 0);
    EXPECT_EQ(headerInt(dir.file("imod.mrc"), 152), kImodStamp);
    EXPECT_EQ(headerInt(dir.file("imod.mrc"), 156) & 1, 0);  // unsigned
    const Volume back = readVolume(dir.file("imod.mrc"));
    EXPECT_EQ(back.scalarType(), ScalarType::UInt8);
    expectSameValues(v, back);
    // By default the same data go to mode 6, which every MRC2014 reader gets right.
    writeVolume(dir.file("std.mrc"), v);
    EXPECT_EQ(headerInt(dir.file("std.mrc"), 12), 6);
    expectSameValues(v, readVolume(dir.file("std.mrc")));
}

TEST(MrcRoundTrip, Mode101FourBitPacked) {
    ScratchDir dir;
    const int nx = 5, ny = 3, nz = 2;  // odd nx: each row padded to whole bytes
    auto bytes = makeHeader(nx, ny, nz, 101);
    std::vector<int> expected;
    for (int z = 0; z < nz; ++z)
        for (int y = 0; y < ny; ++y) {
            int row[nx];
            for (int x = 0; x < nx; ++x) {
                row[x] = (x * 3 + y * 5 + z * 7) % 16;
                expected.push_back(row[x]);
            }
            for (int x = 0; x < nx; x += 2)
                bytes.push_back(std::uint8_t(row[x] | ((x + 1 < nx ? row[x + 1] : 0) << 4)));
        }
    writeBytes(dir.file("p.mrc"), bytes);
    const Volume v = readVolume(dir.file("p.mrc"));
    ASSERT_EQ(v.dims(), (Index3{nx, ny, nz}));
    ASSERT_EQ(v.scalarType(), ScalarType::UInt8);
    for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(v.data<std::uint8_t>()[i], expected[i]) << i;
    MrcReader reader(dir.file("p.mrc"));
    const Volume slab = reader.readSlab(1, 1);
    for (int i = 0; i < nx * ny; ++i) EXPECT_EQ(slab.data<std::uint8_t>()[i], expected[std::size_t(nx * ny + i)]);
    // Truncated packed data are caught against the packed size (3 bytes a row).
    bytes.pop_back();
    writeBytes(dir.file("p-short.mrc"), bytes);
    EXPECT_THROW(readVolume(dir.file("p-short.mrc")), InputError);
}

TEST(MrcRoundTrip, SlabEqualsTheSameSlabOfAFullRead) {
    ScratchDir dir;
    VolumeWriteOptions half;
    half.mrcMode = 12;
    writeVolume(dir.file("half.mrc"), patterned(ScalarType::Float32, {11, 7, 9}, -50, 50), half);
    writeVolume(dir.file("i16.mrc.gz"), patterned(ScalarType::Int16, {6, 5, 8}, -900, 900));
    for (const std::string& path : {realData("EMD-3197.map"), realData("EMD-3001.map"), realData("emd_3197.map.gz"),
                                    realData("mrc3D.mrc"), dir.file("half.mrc"), dir.file("i16.mrc.gz")}) {
        SCOPED_TRACE(path);
        MrcReader reader(path);
        const Volume full = reader.read();
        const std::int64_t nz = full.nz();
        for (auto [z0, count] : {std::pair<std::int64_t, std::int64_t>{0, 1}, {nz / 3, nz / 2}, {nz - 1, 1}, {0, nz}}) {
            const Volume slab = reader.readSlab(z0, count);
            ASSERT_EQ(slab.dims(), (Index3{full.nx(), full.ny(), count}));
            EXPECT_EQ(0, std::memcmp(slab.bytes(),
                                     full.bytes() + std::size_t(z0) * std::size_t(full.nx() * full.ny()) *
                                                        scalarSize(full.scalarType()),
                                     slab.byteSize()));
            EXPECT_NEAR(slab.origin()[2], full.origin()[2] + double(z0) * full.voxelSize()[2], 1e-9);
        }
        const Volume slice = reader.readSlice(nz - 1);
        EXPECT_EQ(slice.nz(), 1);
        EXPECT_THROW(reader.readSlab(nz - 1, 2), InputError);
        EXPECT_THROW(reader.readSlab(-1, 1), InputError);
    }
}

TEST(MrcRoundTrip, ExtendedHeaderLabelsVoxelSizeAndOriginSurvive) {
    ScratchDir dir;
    const Volume v = readVolume(realData("EMD-3001.map"));
    writeVolume(dir.file("3001.mrc"), v);
    const auto b = readBytes(dir.file("3001.mrc"));
    EXPECT_EQ(peek<std::int32_t>(b, 92), 160);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data()) + 104, 4), "CCP4");  // blank in the source
    EXPECT_EQ(peek<std::int32_t>(b, 88), 4);  // the space group is kept with its symmetry records
    EXPECT_EQ(peek<std::int32_t>(b, 64), 1);  // written unpermuted
    const Volume back = readVolume(dir.file("3001.mrc"));
    EXPECT_EQ(back.dims(), v.dims());
    expectSameValues(v, back);
    expectGeometry(v, back);
    EXPECT_EQ(back.sourceHeader().extendedHeader, v.sourceHeader().extendedHeader);
    // Labels: the source's first, ours appended once, not again on a second round trip.
    EXPECT_EQ(peek<std::int32_t>(b, 220), 2);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data()) + 224, 34), "::::EMDATABANK.org::::EMD-3001::::");
    writeVolume(dir.file("again.mrc"), back);
    EXPECT_EQ(headerInt(dir.file("again.mrc"), 220), 2);

    // IMOD's ten labels: full, so the oldest after the first makes room.
    const Volume imod = readVolume(realData("mrc3D.mrc"));
    writeVolume(dir.file("imod.mrc"), imod);
    const auto ib = readBytes(dir.file("imod.mrc"));
    EXPECT_EQ(peek<std::int32_t>(ib, 220), 10);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(ib.data()) + 224, 8), "SerialEM");
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(ib.data()) + 224 + 80 * 9, 9), "CellForge");
}

TEST(MrcRoundTrip, GzipWriteAndRead) {
    ScratchDir dir;
    const Volume v = readVolume(realData("EMD-3197.map"));
    writeVolume(dir.file("out.mrc.gz"), v);
    const auto bytes = readBytes(dir.file("out.mrc.gz"));
    ASSERT_GE(bytes.size(), 2u);
    EXPECT_EQ(bytes[0], 0x1f);
    EXPECT_EQ(bytes[1], 0x8b);
    expectSameValues(v, readVolume(dir.file("out.mrc.gz")));
}

TEST(MrcRoundTrip, LabelTableSidecar) {
    ScratchDir dir;
    LabelVolume labels({6, 4, 3});
    for (std::int64_t i = 0; i < labels.voxelCount(); ++i) labels.labels()[i] = LabelId(i % 4);
    labels.setVoxelSize({4, 4, 4});
    labels.table() = LabelTable::semanticDefault();
    labels.table().set({3, "ribosome \"80S\", large", {1, 2, 3}});
    const std::string path = dir.file("seg.mrc");
    writeVolume(path, labels);
    ASSERT_TRUE(std::filesystem::exists(path + ".labels.json"));
    EXPECT_EQ(headerInt(path, 12), 6);
    const LabelVolume back = readLabelVolume(path);
    EXPECT_EQ(0, std::memcmp(back.bytes(), labels.bytes(), labels.byteSize()));
    ASSERT_EQ(back.table().entries().size(), 4u);
    const LabelEntry* e = back.table().find(3);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->name, "ribosome \"80S\", large");
    EXPECT_EQ(e->color, (std::array<std::uint8_t, 3>{1, 2, 3}));
    EXPECT_EQ(back.table().find(2)->name, "membrane");
    // The same in an ITK format.
    writeVolume(dir.file("seg.nrrd"), labels);
    EXPECT_EQ(readLabelVolume(dir.file("seg.nrrd")).table().find(3)->name, "ribosome \"80S\", large");
    // A plain volume written over the file takes the stale table away.
    writeVolume(path, patterned(ScalarType::Float32, {2, 2, 2}, 0, 1));
    EXPECT_FALSE(std::filesystem::exists(path + ".labels.json"));
    // Non-integer data cannot become labels.
    EXPECT_THROW(readLabelVolume(path), InputError);
}

TEST(MrcRoundTrip, HalfFloatConversion) {
    EXPECT_EQ(halfToFloat(0x3c00), 1.0f);
    EXPECT_EQ(halfToFloat(0xc000), -2.0f);
    EXPECT_EQ(halfToFloat(0x7bff), 65504.0f);
    EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
    EXPECT_TRUE(std::isinf(halfToFloat(0x7c00)));
    EXPECT_TRUE(std::isnan(halfToFloat(0x7e00)));
    EXPECT_EQ(floatToHalf(1.0f), 0x3c00);
    EXPECT_EQ(floatToHalf(65504.0f), 0x7bff);
    EXPECT_EQ(floatToHalf(1e6f), 0x7c00);
    EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -24)), 0x0001);
    EXPECT_EQ(floatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie rounds to even
    for (std::uint32_t h = 0; h < 0x10000; ++h) {
        if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff)) continue;  // NaNs
        ASSERT_EQ(floatToHalf(halfToFloat(std::uint16_t(h))), h) << h;
    }
}
