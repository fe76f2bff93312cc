// The one rule for every file CellForge writes on behalf of a pipeline or project file
// (which other people write, so they are untrusted input): the file goes inside the
// folder it was meant for, by a plain relative name, or it is refused before anything
// is written. Pipeline outputs, stage parameters that write files (plot_path,
// checkpoint_path) and project data files all go through these functions.
#pragma once

#include <string>

namespace cellforge::io {

// Why `name` is not acceptable as a file name relative to an output folder, or an
// empty string if it is. Lexical only (no file system access): refuses an empty name,
// an absolute path ("/x", "C:x", "\\\\server\\x"), a name starting with '~', any
// backslash, any empty, "." or ".." folder component ("a//b", "./a", "a/../b", "a/"),
// a component longer than 255 bytes, and NUL or other control characters.
// Subfolders ("meshes/cell.stl") are allowed.
std::string outputNameProblem(const std::string& name);

// `folder`/`name`, checked: throws InputError "<what> '<name>': <why>" if the name breaks
// the rule above, or if it would land outside `folder` once symbolic links are followed
// (a subfolder that is a link elsewhere), or if the file itself is a symbolic link or a
// folder. `folder` need not exist yet. `what` names the entry, e.g. "output" or
// "stage 'q' (mesh.quality): parameter 'plot_path'".
std::string resolveOutputPath(const std::string& folder, const std::string& name, const std::string& what);

// True if `path` lies inside `folder` (or is it) once both are made absolute and their
// symbolic links are followed as far as they exist. Used to tell project layers that
// point outside the project folder.
bool liesInsideFolder(const std::string& folder, const std::string& path);

// `text` with control characters written as \xNN, for messages that quote a name.
std::string printableName(const std::string& text);

}  // namespace cellforge::io
