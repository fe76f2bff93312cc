// Reading and writing any DataObject by file extension: what the CLI and the pipeline
// outputs use. An output name without an extension gets the default for its kind:
// volumes .mrc, meshes .vtp, tables .csv, models .cfunet.
#pragma once

#include "core/data/DataObject.h"
#include "core/io/VolumeIO.h"

#include <string>

namespace cellforge::io {

// Reads a file as the given kind (Volume, LabelVolume, Mesh, Table, Model).
DataPtr readData(const std::string& path, DataKind kind, const VolumeReadOptions& options = {});
// Writes `data`; returns the path actually written (with the default extension added).
std::string writeData(const std::string& path, const DataObject& data);
std::string defaultExtension(DataKind kind);

}  // namespace cellforge::io
