// Atomic writes: data goes to a temporary file beside the target, which is renamed over
// the target only when complete. A crash or an error never leaves half a file.
#pragma once

#include <fstream>
#include <functional>
#include <string>

namespace cellforge {

// Calls `write` with a stream open on a temporary file in the target's folder, flushes
// and fsyncs it, then renames it to `path`. On any exception the temporary file is
// removed and the target is untouched. Throws InputError if the folder is not writable.
void writeAtomically(const std::string& path, const std::function<void(std::ofstream&)>& write);
// For libraries that write by file name (ITK, VTK): `write` gets the temporary path.
void writeAtomicallyByName(const std::string& path, const std::function<void(const std::string& tempPath)>& write);

// Lower-case extension including compound ones: "a.MRC" -> ".mrc", "a.mrc.gz" -> ".mrc.gz",
// "a.nii.gz" -> ".nii.gz".
std::string fileExtension(const std::string& path);

}  // namespace cellforge
