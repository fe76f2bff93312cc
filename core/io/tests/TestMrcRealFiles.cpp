// Every file in shared/data/real reads with the right dims, type, voxel size, origin and
// values. Expected values come from the files' documentation, from mrcfile (noted where
// used) or from decoding the raw bytes here, independently of the reader under test.
#include <cmath>

#include "IoTestUtil.h"
#include "core/base/Errors.h"
#include "core/io/MrcFormat.h"
#include "core/io/VolumeIO.h"

using namespace cellforge;
using namespace cellforge::io;
using cellforge::iotest::peek;
using cellforge::iotest::readBytes;
using cellforge::iotest::realData;

TEST(MrcRealFiles, Emd3197IsFloat20CubedAt11_4) {
    const Volume v = readVolume(realData("EMD-3197.map"));
    EXPECT_EQ(v.dims(), (Index3{20, 20, 20}));
    EXPECT_EQ(v.scalarType(), ScalarType::Float32);
    for (double s : v.voxelSize()) EXPECT_NEAR(s, 11.4, 1e-5);
    // NXSTART = -2 (ORIGIN is 0): origin x = -2 * 11.4 Å.
    EXPECT_NEAR(v.origin()[0], -22.8, 1e-4);
    EXPECT_EQ(v.origin()[1], 0.0);
    EXPECT_EQ(v.origin()[2], 0.0);
    EXPECT_EQ(v.sourceHeader().format, "mrc");
    EXPECT_EQ(v.sourceHeader().mrcMode, 2);
    ASSERT_EQ(v.sourceHeader().mrcHeader.size(), 1024u);
    // Values as mrcfile reads them (data[z, y, x]).
    EXPECT_FLOAT_EQ(float(v.valueAt(0, 0, 0)), -1.8013091087341309f);
    EXPECT_FLOAT_EQ(float(v.valueAt(5, 7, 11)), 4.906360149383545f);
    EXPECT_FLOAT_EQ(float(v.valueAt(19, 19, 19)), 1.3078573942184448f);
    EXPECT_FLOAT_EQ(float(v.valueAt(10, 3, 17)), -2.1166813373565674f);
    const VolumeStatistics s = computeStatistics(v);
    EXPECT_FLOAT_EQ(float(s.min), -4.1337457f);  // = DMIN in the header
    EXPECT_FLOAT_EQ(float(s.max), 5.576737f);    // = DMAX
    // Every voxel against the raw little-endian floats after the 1024-byte header.
    const auto raw = readBytes(realData("EMD-3197.map"));
    const float* p = v.data<float>();
    for (std::size_t i = 0; i < 8000; ++i) ASSERT_EQ(p[i], peek<float>(raw, 1024 + 4 * i)) << "voxel " << i;
}

TEST(MrcRealFiles, GzipCopyOf3197EqualsTheMap) {
    const Volume plain = readVolume(realData("EMD-3197.map"));
    const Volume gz = readVolume(realData("emd_3197.map.gz"));
    ASSERT_EQ(gz.dims(), plain.dims());
    ASSERT_EQ(gz.scalarType(), plain.scalarType());
    EXPECT_EQ(0, std::memcmp(gz.bytes(), plain.bytes(), plain.byteSize()));
    EXPECT_EQ(gz.voxelSize(), plain.voxelSize());
    EXPECT_EQ(gz.origin(), plain.origin());
}

TEST(MrcRealFiles, Emd3001IsTransposedFromMapcMaprMaps312) {
    // Columns (NX = 73) run along z, rows (NY = 43) along x, sections (NZ = 25) along y.
    MrcReader reader(realData("EMD-3001.map"));
    EXPECT_TRUE(reader.permuted());
    const Volume v = reader.read();
    EXPECT_EQ(v.dims(), (Index3{43, 25, 73}));
    EXPECT_EQ(v.scalarType(), ScalarType::Float32);
    // CELLA / MX along x, y, z: 17.93/40, 4.71/12, 33.03/72 (MX differs from NX).
    EXPECT_NEAR(v.voxelSize()[0], 17.93 / 40, 1e-5);
    EXPECT_NEAR(v.voxelSize()[1], 4.71 / 12, 1e-5);
    EXPECT_NEAR(v.voxelSize()[2], 33.03 / 72, 1e-5);
    // NXSTART 0 (columns: z), NYSTART -21 (rows: x), NZSTART -12 (sections: y).
    EXPECT_NEAR(v.origin()[0], -21 * 17.93 / 40, 1e-4);
    EXPECT_NEAR(v.origin()[1], -12 * 4.71 / 12, 1e-4);
    EXPECT_EQ(v.origin()[2], 0.0);
    // The 160-byte symmetry block was skipped and kept.
    EXPECT_EQ(v.sourceHeader().extendedHeader.size(), 160u);
    const auto raw = readBytes(realData("EMD-3001.map"));
    EXPECT_EQ(0, std::memcmp(v.sourceHeader().extendedHeader.data(), raw.data() + 1024, 160));
    // Values: mrcfile's data[s, r, c] is voxel (x = r, y = s, z = c).
    EXPECT_FLOAT_EQ(float(v.valueAt(0, 0, 0)), 0.04283447191119194f);
    EXPECT_FLOAT_EQ(float(v.valueAt(42, 24, 72)), 0.06724497675895691f);
    EXPECT_FLOAT_EQ(float(v.valueAt(5, 3, 7)), -0.03938077762722969f);
    for (int s = 0; s < 25; ++s)
        for (int r = 0; r < 43; ++r)
            for (int c = 0; c < 73; ++c)
                ASSERT_EQ(float(v.valueAt(r, s, c)), peek<float>(raw, 1024 + 160 + 4 * (c + 73 * (r + 43 * s))))
                    << "c " << c << " r " << r << " s " << s;
}

TEST(MrcRealFiles, Mrc3DIsImodUnsignedBytes141To163) {
    const Volume v = readVolume(realData("mrc3D.mrc"));
    EXPECT_EQ(v.dims(), (Index3{32, 64, 78}));
    EXPECT_EQ(v.scalarType(), ScalarType::UInt8);
    for (double s : v.voxelSize()) EXPECT_NEAR(s, 23.2, 1e-3);
    EXPECT_EQ(v.origin(), (Vec3{0, 0, 0}));
    const VolumeStatistics s = computeStatistics(v);
    EXPECT_EQ(s.min, 141.0);
    EXPECT_EQ(s.max, 163.0);
    const auto raw = readBytes(realData("mrc3D.mrc"));
    EXPECT_EQ(0, std::memcmp(v.bytes(), raw.data() + 1024, v.byteSize()));
    // The ten IMOD/SerialEM labels are kept in the source header.
    EXPECT_EQ(peek<std::int32_t>(v.sourceHeader().mrcHeader, 220), 10);
}

TEST(MrcRealFiles, Mrc2DHasAFiniteZVoxelSize) {
    const Volume v = readVolume(realData("mrc2D.mrc"));
    EXPECT_EQ(v.dims(), (Index3{32, 64, 1}));
    EXPECT_EQ(v.scalarType(), ScalarType::UInt8);
    EXPECT_TRUE(std::isfinite(v.voxelSize()[2]));
    EXPECT_NEAR(v.voxelSize()[2], v.voxelSize()[0], 1e-9);  // cell z is infinite: x is used
    EXPECT_NEAR(v.voxelSize()[0], 23.2, 1e-3);
    const VolumeStatistics s = computeStatistics(v);
    EXPECT_EQ(s.min, 144.0);
    EXPECT_EQ(s.max, 159.0);
}

TEST(MrcRealFiles, Tif3DIsMrc3DFlippedInY) {
    // tif3D's pages hold the same rows in the same order as mrc3D's sections (its writer
    // did not flip). CellForge flips TIFF rows on reading (TIFF row 0 is the top, MRC
    // row 0 the bottom), so the two volumes are mirror images in y, voxel for voxel.
    const Volume mrc = readVolume(realData("mrc3D.mrc"));
    const Volume tif = readVolume(realData("tif3D.tif"));
    ASSERT_EQ(tif.dims(), mrc.dims());
    ASSERT_EQ(tif.scalarType(), ScalarType::UInt8);
    EXPECT_EQ(tif.sourceHeader().format, "tiff");
    const std::int64_t ny = mrc.ny();
    std::int64_t differences = 0, differencesUnflipped = 0;
    for (std::int64_t z = 0; z < mrc.nz(); ++z)
        for (std::int64_t y = 0; y < ny; ++y)
            for (std::int64_t x = 0; x < mrc.nx(); ++x) {
                differences += tif.valueAt(x, y, z) != mrc.valueAt(x, ny - 1 - y, z);
                differencesUnflipped += tif.valueAt(x, y, z) != mrc.valueAt(x, y, z);
            }
    EXPECT_EQ(differences, 0);
    EXPECT_GT(differencesUnflipped, 0);  // the flip is real: the data are not symmetric
}

TEST(MrcRealFiles, InfoReportsDimsModeAndStatistics) {
    const VolumeInfo info = readVolumeInfo(realData("EMD-3001.map"));
    EXPECT_EQ(info.dims, (Index3{43, 25, 73}));
    ASSERT_TRUE(info.mrcMode.has_value());
    EXPECT_EQ(*info.mrcMode, 2);
    EXPECT_EQ(info.dtype, "float32");
    EXPECT_EQ(info.format, "mrc");
    const VolumeStatistics s = computeStatistics(readVolume(realData("EMD-3001.map")));
    EXPECT_DOUBLE_EQ(info.statistics.min, s.min);
    EXPECT_DOUBLE_EQ(info.statistics.max, s.max);
    EXPECT_NEAR(info.statistics.mean, s.mean, 1e-9);
    EXPECT_NEAR(info.statistics.rms, s.rms, 1e-9);
    EXPECT_FLOAT_EQ(float(s.mean), 0.0005329667f);  // DMEAN in the header
    EXPECT_NEAR(s.rms, 0.15705723, 1e-4);           // RMS in the header

    const VolumeInfo tif = readVolumeInfo(realData("tif3D.tif"));
    EXPECT_FALSE(tif.mrcMode.has_value());
    EXPECT_EQ(tif.dims, (Index3{32, 64, 78}));
    EXPECT_EQ(tif.statistics.min, 141.0);
    EXPECT_EQ(tif.statistics.max, 163.0);
}

TEST(MrcRealFiles, VoxelSizeOverrideAppliesToEveryReader) {
    VolumeReadOptions options;
    options.voxelSizeOverride = Vec3{2.0, 3.0, 4.0};
    const Volume v = readVolume(realData("EMD-3197.map"), options);
    EXPECT_EQ(v.voxelSize(), (Vec3{2.0, 3.0, 4.0}));
    EXPECT_NEAR(v.origin()[0], -4.0, 1e-9);  // NXSTART -2 times the overridden size
    EXPECT_EQ(readVolume(realData("emd_3197.map.gz"), options).voxelSize(), (Vec3{2.0, 3.0, 4.0}));
    EXPECT_EQ(readVolume(realData("tif3D.tif"), options).voxelSize(), (Vec3{2.0, 3.0, 4.0}));
    EXPECT_EQ(readVolumeInfo(realData("mrc3D.mrc"), options).voxelSize, (Vec3{2.0, 3.0, 4.0}));
    EXPECT_EQ(readLabelVolume(realData("mrc3D.mrc"), options).voxelSize(), (Vec3{2.0, 3.0, 4.0}));
    options.voxelSizeOverride = Vec3{0.0, 1.0, 1.0};
    EXPECT_THROW(readVolume(realData("EMD-3197.map"), options), InputError);
}
