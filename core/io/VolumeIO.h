// Reading and writing volumes in every supported format, chosen by extension:
// MRC (.mrc .map .rec .st .ali .mrcs, and .gz of those), TIFF stacks (.tif .tiff),
// NRRD (.nrrd .nhdr), MetaImage (.mha .mhd), NIfTI (.nii .nii.gz).
// Orientation: see Volume.h (MRC row 0 = y 0; TIFF's top row is y = ny-1).
// The MRC rules (byte order, IMOD's unsigned mode 0, axis permutation, voxel size and
// origin fallbacks, what a write keeps from the source header) are in MrcFormat.h; the
// ITK formats' conventions in ItkImageFormats.h. Label volumes carry their table in a
// sidecar "<file>.labels.json" in every format.
#pragma once

#include "core/data/LabelVolume.h"
#include "core/data/Volume.h"

#include <optional>
#include <string>
#include <vector>

namespace cellforge::io {

struct VolumeReadOptions {
    std::optional<Vec3> voxelSizeOverride;  // Å; replaces what the file says
};

struct VolumeWriteOptions {
    std::optional<int> mrcMode;             // 0, 1, 2, 6 or 12; default: from the data type
    std::optional<Vec3> voxelSizeOverride;  // Å
};

// What `cellforge-cli info` prints, read without loading more than needed for stats.
struct VolumeInfo {
    Index3 dims{0, 0, 0};        // after any axis permutation
    std::optional<int> mrcMode;  // MRC files only
    std::string dtype;           // in-memory type name ("float32", ...)
    std::string format;
    Vec3 voxelSize{1, 1, 1};
    Vec3 origin{0, 0, 0};
    VolumeStatistics statistics;
};

bool isVolumeFile(const std::string& path);
// Throws InputError naming the file, the field, what was found and what was expected.
Volume readVolume(const std::string& path, const VolumeReadOptions& options = {});
// Reads and converts to labels (integer data required).
LabelVolume readLabelVolume(const std::string& path, const VolumeReadOptions& options = {});
// Atomic. Label volumes keep their table where the format allows (MRC: a sidecar
// "<file>.labels.json"; others likewise).
void writeVolume(const std::string& path, const Volume& volume, const VolumeWriteOptions& options = {});
VolumeInfo readVolumeInfo(const std::string& path, const VolumeReadOptions& options = {});

}  // namespace cellforge::io
