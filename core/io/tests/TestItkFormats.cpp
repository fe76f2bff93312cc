// TIFF, NRRD, MetaImage and NIfTI through ITK: round trips of every type, the y flip,
// MRC -> TIFF -> MRC, and atomic writes of header + data pairs.
#include <itkImageIOFactory.h>

#include "IoTestUtil.h"
#include "core/base/Errors.h"
#include "core/io/ItkImageFormats.h"
#include "core/io/VolumeIO.h"

using namespace cellforge;
using namespace cellforge::io;
using namespace cellforge::iotest;

namespace {

Volume ramp(ScalarType type, Index3 dims) {
    Volume v(dims, type);
    dispatchScalar(type, [&](auto tag) {
        using T = decltype(tag);
        T* p = v.data<T>();
        for (std::int64_t i = 0; i < v.voxelCount(); ++i) p[i] = T((i * 7) % 100 - (std::is_signed_v<T> ? 40 : 0));
    });
    v.setVoxelSize({1.25, 2.5, 5.0});
    v.setOrigin({3.0, -4.0, 8.0});
    return v;
}

}  // namespace

TEST(ItkFormats, RoundTripEveryTypeAndFormat) {
    ScratchDir dir;
    for (const char* ext : {".tif", ".nrrd", ".nhdr", ".mha", ".mhd", ".nii", ".nii.gz"})
        for (ScalarType type :
             {ScalarType::UInt8, ScalarType::Int8, ScalarType::Int16, ScalarType::UInt16, ScalarType::Float32}) {
            SCOPED_TRACE(std::string(ext) + " " + scalarTypeName(type));
            const Volume v = ramp(type, {9, 6, 4});
            const std::string path = dir.file(std::string("v") + ext);
            writeVolume(path, v);
            const Volume back = readVolume(path);
            ASSERT_EQ(back.dims(), v.dims());
            EXPECT_EQ(back.scalarType(), type);
            EXPECT_EQ(0, std::memcmp(back.bytes(), v.bytes(), v.byteSize()));
            if (std::string(ext) != ".tif") {  // TIFF has no place for z spacing and origin
                for (int a = 0; a < 3; ++a) {
                    EXPECT_NEAR(back.voxelSize()[a], v.voxelSize()[a], 1e-5);
                    EXPECT_NEAR(back.origin()[a], v.origin()[a], 1e-5);
                }
            }
        }
    // No temporary files or folders left behind.
    for (const auto& name : dir.entries()) EXPECT_EQ(name.find("cftmp"), std::string::npos) << name;
}

TEST(ItkFormats, TwoDimensionalImages) {
    ScratchDir dir;
    const Volume v = ramp(ScalarType::UInt16, {10, 7, 1});
    for (const char* ext : {".tif", ".nrrd", ".mha", ".nii"}) {
        writeVolume(dir.file(std::string("i") + ext), v);
        const Volume back = readVolume(dir.file(std::string("i") + ext));
        EXPECT_EQ(back.dims(), v.dims()) << ext;
        EXPECT_EQ(0, std::memcmp(back.bytes(), v.bytes(), v.byteSize())) << ext;
    }
}

TEST(ItkFormats, MrcToTiffToMrcGivesBackTheData) {
    ScratchDir dir;
    const Volume mrc = readVolume(realData("mrc3D.mrc"));
    writeVolume(dir.file("a.tif"), mrc);
    const Volume tif = readVolume(dir.file("a.tif"));
    writeVolume(dir.file("b.mrc"), tif);
    const Volume back = readVolume(dir.file("b.mrc"));
    ASSERT_EQ(back.dims(), mrc.dims());
    for (std::int64_t i = 0; i < mrc.voxelCount(); ++i)
        ASSERT_EQ(back.valueAt(i % 32, (i / 32) % 64, i / (32 * 64)),
                  mrc.valueAt(i % 32, (i / 32) % 64, i / (32 * 64)));
    // The TIFF on disk is flipped: its first row is the MRC's last, exactly as tif3D.tif
    // would be if its writer had followed the convention.
    const Volume original = readVolume(realData("tif3D.tif"));
    const Volume ours = readVolume(dir.file("a.tif"));
    std::int64_t same = 0;
    for (std::int64_t i = 0; i < ours.voxelCount(); ++i)
        same += ours.data<std::uint8_t>()[i] == original.data<std::uint8_t>()[i];
    EXPECT_LT(same, ours.voxelCount());
}

TEST(ItkFormats, FactoriesAreRegistered) {
    registerItkImageIOFactories();
    for (const char* name : {"x.tif", "x.nrrd", "x.mha", "x.nii.gz"}) {
        auto io = itk::ImageIOFactory::CreateImageIO(name, itk::IOFileModeEnum::WriteMode);
        EXPECT_TRUE(io) << name;
    }
}

TEST(ItkFormats, MetaImagePairIsWrittenAsTwoFiles) {
    ScratchDir dir;
    writeVolume(dir.file("pair.mhd"), ramp(ScalarType::Float32, {4, 4, 4}));
    const auto names = dir.entries();
    EXPECT_EQ(names.size(), 2u);
    EXPECT_TRUE(std::filesystem::exists(dir.file("pair.mhd")));
    EXPECT_TRUE(std::filesystem::exists(dir.file("pair.raw")) || std::filesystem::exists(dir.file("pair.zraw")));
}

TEST(ItkFormats, ModeOptionIsRefusedForNonMrc) {
    ScratchDir dir;
    VolumeWriteOptions options;
    options.mrcMode = 2;
    EXPECT_THROW(writeVolume(dir.file("x.tif"), ramp(ScalarType::Float32, {2, 2, 2}), options), InputError);
}

TEST(ItkFormats, NiftiGzipBesideAPlainNiftiOfTheSameName) {
    // NIfTI's library would take the voxels of x.nii when asked for x.nii.gz.
    ScratchDir dir;
    const Volume a = ramp(ScalarType::Int16, {5, 4, 3});
    const Volume b = ramp(ScalarType::Float32, {2, 3, 2});
    writeVolume(dir.file("x.nii"), a);
    writeVolume(dir.file("x.nii.gz"), b);
    const Volume backB = readVolume(dir.file("x.nii.gz"));
    ASSERT_EQ(backB.dims(), b.dims());
    EXPECT_EQ(0, std::memcmp(backB.bytes(), b.bytes(), b.byteSize()));
    const Volume backA = readVolume(dir.file("x.nii"));
    ASSERT_EQ(backA.dims(), a.dims());
    EXPECT_EQ(0, std::memcmp(backA.bytes(), a.bytes(), a.byteSize()));
}
