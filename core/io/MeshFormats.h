// The individual mesh file formats behind MeshIO.h (internal to core/io): one reader
// and one writer per format, plus the small text-parsing helpers they share.
// Readers take the file's bytes and its path (for messages); writers take a stream.
#pragma once

#include "core/data/Mesh.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace cellforge::io::meshformat {

// The triangles a surface-only format should hold: the mesh's triangles, or, for a
// mesh with tetrahedra only, the boundary faces of its tetrahedra (marked with their
// tetrahedron's region).
struct SurfaceView {
    std::vector<std::array<std::int32_t, 3>> triangles;
    std::vector<std::int32_t> regions;  // empty or one per triangle
};
SurfaceView surfaceOf(const Mesh& mesh);

// Shortest text that reads back as exactly the same double.
std::string formatNumber(double value);

// Reads a whole file into memory. Throws InputError naming the file if it cannot.
std::string readFileBytes(const std::string& path);

// Whitespace-separated tokens over a text buffer, with line tracking for messages.
class TextCursor {
public:
    TextCursor(std::string_view text, std::string path) : text_(text), path_(std::move(path)) {}
    // Next token, or an empty view at the end.
    std::string_view next();
    std::string_view peek();
    bool atEnd();
    // The rest of the current line (after the last token read), without the newline.
    std::string_view restOfLine();
    double nextDouble(const char* what);
    std::int64_t nextInt(const char* what);
    // Throws InputError "<file>, line N: <message>".
    [[noreturn]] void fail(const std::string& message) const;
    int line() const { return line_; }
    std::size_t position() const { return pos_; }
    void seek(std::size_t pos);

private:
    void skipSpace();
    std::string_view text_;
    std::string path_;
    std::size_t pos_ = 0;
    int line_ = 1;
};

Mesh readStl(const std::string& bytes, const std::string& path);
void writeStl(std::ostream& out, const Mesh& mesh);  // binary
Mesh readObj(const std::string& bytes, const std::string& path);
void writeObj(std::ostream& out, const Mesh& mesh);
Mesh readPly(const std::string& bytes, const std::string& path);
void writePly(std::ostream& out, const Mesh& mesh);  // ASCII (see MeshFormatsSurface.cpp)
Mesh readOff(const std::string& bytes, const std::string& path);
void writeOff(std::ostream& out, const Mesh& mesh);

Mesh readGmsh(const std::string& bytes, const std::string& path);
void writeGmsh22(std::ostream& out, const Mesh& mesh);
void writeGmsh41(std::ostream& out, const Mesh& mesh);
Mesh readMedit(const std::string& bytes, const std::string& path);
void writeMedit(std::ostream& out, const Mesh& mesh);
Mesh readMdl(const std::string& bytes, const std::string& path);
void writeMdl(std::ostream& out, const Mesh& mesh, const std::string& objectName);

// XDMF with inline XML data. A mesh with tetrahedra becomes two files: `path` holds the
// tetrahedra and "cell_markers", `facetsPath` the triangles and "facet_markers" (the
// layout meshio and DOLFINx read: one Grid per file). A surface mesh is one file.
std::string xdmfFacetsPath(const std::string& path);
std::string xdmfText(const Mesh& mesh, bool tetrahedra);
Mesh readXdmf(const std::string& path);

}  // namespace cellforge::io::meshformat
