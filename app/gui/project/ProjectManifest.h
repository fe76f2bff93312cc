// A CellForge project: a JSON manifest ("*.cellforge.json") beside the data files it
// names by relative path, with each layer's display settings and the view state.
// Layers read from a file and not changed since are referenced where they are; new or
// edited layers are written into "<project name>_data/" beside the manifest. Every file
// is written atomically and the manifest last, so a crash mid-save leaves the previous
// project readable. Plain C++ (Qt Core for JSON), unit-tested without a display.
#pragma once

#include "app/render/SceneModel.h"
#include "core/data/Document.h"

#include <array>
#include <functional>
#include <string>
#include <vector>

namespace cellforge {

struct ProjectLayer {
    LayerDisplay display;  // data is not stored in the manifest
    std::string kind;      // DataKind name: "Volume", "LabelVolume", "Mesh", ...
    std::string file;      // relative to the manifest's folder (or absolute if elsewhere on another drive)
};

struct ProjectManifest {
    static constexpr int kFormatVersion = 1;
    std::string name;
    std::vector<ProjectLayer> layers;
    std::array<double, 3> cursor{0, 0, 0};
    std::string pipelineFile;  // relative path of the pipeline JSON in use, may be empty
    std::string activeLabelLayer;

    std::string toJson() const;
    // Throws InputError naming `sourceName` and the field that is wrong.
    static ProjectManifest fromJson(const std::string& text, const std::string& sourceName);
};

std::string styleName(LayerStyle style);       // "grayscale", "labels", ...
LayerStyle styleFromName(const std::string&);  // unknown names give Grayscale

// What saveProject needs per layer: the data, its display, where it came from and
// whether it changed since it was read or last saved.
struct ProjectLayerSource {
    LayerDisplay display;
    std::string sourcePath;
    bool dirty = true;
};

struct ProjectSaveResult {
    std::vector<std::string> writtenFiles;  // data files written this time
    std::vector<std::string> layerPaths;    // absolute path of each layer's file, in order
};

// Writes the data files that need it, then the manifest (atomically). Data files are
// written only inside "<name>_data/" beside the manifest (core/io/OutputPath.h: never
// through a link that leads elsewhere); a clean layer whose file lies elsewhere is
// referenced there, never overwritten. `unreadLayers` (entries whose `file` is an
// absolute path: the layers loadProject left out) are written back into the manifest
// after the others, unread, so saving never drops them. Throws InputError or
// std::runtime_error with the file concerned.
ProjectSaveResult saveProject(const std::string& manifestPath, ProjectManifest manifest,
                              const std::vector<ProjectLayerSource>& layers,
                              const std::vector<ProjectLayer>& unreadLayers = {});

// A layer whose file lies outside the project folder (by "..", an absolute path or a
// symbolic link). A project file may come from someone else, so such a file is not read
// unless the person opening the project agrees.
struct OutsideProjectLayer {
    std::string name;          // the layer's name
    std::string file;          // as the manifest writes it
    std::string absolutePath;  // where it leads
};
enum class OutsideLayerAnswer { Open, LeaveOut };
using OutsideLayerQuestion = std::function<OutsideLayerAnswer(const std::vector<OutsideProjectLayer>& layers)>;

// Reads the manifest and every layer file; `onLayer` gets each loaded layer (data and
// display, sourcePath absolute). Layers outside the project folder are listed to
// `askOutside` once, before any file is read; without a question, or when the answer is
// LeaveOut, they are not read (and `leftOut`, if given, gets their entries with `file`
// made absolute, for saveProject to keep). Throws InputError naming the manifest or the
// layer file.
ProjectManifest loadProject(const std::string& manifestPath,
                            const std::function<void(LayerDisplay display, const std::string& absolutePath)>& onLayer,
                            const OutsideLayerQuestion& askOutside = {}, std::vector<ProjectLayer>* leftOut = nullptr);

// A file name made safe for any file system from a layer name.
std::string safeFileName(const std::string& layerName);

}  // namespace cellforge
