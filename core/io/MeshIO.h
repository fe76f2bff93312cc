// Reading and writing meshes, chosen by extension: STL, OBJ, PLY, OFF, VTK (legacy),
// VTP, VTU, Gmsh MSH (2.2 and 4.1), Medit (.mesh), XDMF (.xdmf with .h5 or inline),
// MCell MDL (.mdl). Coordinates in Å. Region markers kept where the format allows.
#pragma once

#include "core/data/Mesh.h"

#include <string>

namespace cellforge::io {

bool isMeshFile(const std::string& path);
// Throws InputError naming the file and what is wrong.
Mesh readMesh(const std::string& path);
// Atomic. For .msh, `formatVersion` "2.2" or "4.1" (default "4.1", from a ".msh2" suffix 2.2).
void writeMesh(const std::string& path, const Mesh& mesh, const std::string& formatVersion = {});

}  // namespace cellforge::io
