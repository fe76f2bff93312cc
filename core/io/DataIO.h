// Reading and writing any DataObject by file extension: what the CLI and the pipeline
// outputs use. The built-in formats come first (volumes, meshes, tables, models,
// multi-channel and image-set manifests); then the formats plugins added
// (core/io/FileFormat.h). An output name without an extension gets the default for
// its kind: volumes .mrc, meshes .vtp, tables .csv, models .cfunet, multi-channel
// images .channels.json, image sets .imageset.json.
#pragma once

#include "core/data/DataObject.h"
#include "core/io/VolumeIO.h"

#include <string>

namespace cellforge::io {

// Reads a file as the given kind. Throws InputError naming the file, the kind and the
// formats that were tried when none reads it.
DataPtr readData(const std::string& path, DataKind kind, const VolumeReadOptions& options = {});
// Writes `data`; returns the path actually written (with the default extension added).
std::string writeData(const std::string& path, const DataObject& data);
std::string defaultExtension(DataKind kind);
// True if a built-in format of `kind` takes this path's extension (plugins' formats aside).
bool builtinFormatHandles(const std::string& path, DataKind kind);

}  // namespace cellforge::io
