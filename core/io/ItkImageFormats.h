// Volumes in the formats ITK reads and writes: TIFF stacks (multi-page, any of ITK's
// compressions on read, Deflate on write for integer data: ITK's LZW writer is disabled), NRRD (.nrrd, .nhdr),
// MetaImage (.mha, .mhd) and NIfTI (.nii, .nii.gz).
//
// Conventions: rows are flipped in y on read and on write (Volume.h: y = 0 is the
// bottom row; these formats store the top row first), so an image is the same way up
// as its MRC. Spacing and origin are taken as Å, as they are in the file (no unit
// conversion; direction cosines are not applied); the voxel-size override replaces the
// spacing. Integer types wider than 16 bits and float64 are read as float32. Only
// single-channel images of 2 or 3 dimensions are accepted (higher dimensions of size 1
// are allowed).
#pragma once

#include <string>

#include "core/data/Volume.h"
#include "core/io/VolumeIO.h"

namespace cellforge::io {

// Registers ITK's TIFF, NRRD, MetaImage and NIfTI IO factories (once; ITK_USE_FILE's
// automatic registration is not used in this build). Safe to call from any thread.
void registerItkImageIOFactories();

bool isItkVolumePath(const std::string& path);
// "tiff", "nrrd", "metaimage" or "nifti" for a path ITK handles; empty otherwise.
std::string itkFormatName(const std::string& path);

Volume readItkVolume(const std::string& path, const VolumeReadOptions& options = {});
// Atomic: single files through a temporary file; header + data pairs (.mhd, .nhdr)
// are written into a temporary folder beside the target and moved, data first.
void writeItkVolume(const std::string& path, const Volume& volume, const VolumeWriteOptions& options = {});

}  // namespace cellforge::io
