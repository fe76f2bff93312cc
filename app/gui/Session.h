// What the desktop program works on: the Document's layers with their display
// settings, the undo history of each label layer, the plugins and stages, the job
// queue and the result cache. Lives on the GUI thread; jobs hand results back here.
#pragma once

#include "app/gui/editing/LabelUndo.h"
#include "app/render/SceneModel.h"
#include "core/data/Document.h"
#include "core/jobs/JobQueue.h"
#include "core/pipeline/PipelineRunner.h"
#include "core/plugin/PluginLoader.h"
#include "core/plugin/StageRegistry.h"

#include <QObject>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cellforge {

class Session : public QObject {
    Q_OBJECT
public:
    explicit Session(QObject* parent = nullptr);
    ~Session() override;

    // Plugins from the default search paths (CELLFORGE_PLUGIN_PATH, <exe>/../lib/...).
    void loadPlugins(const std::vector<std::string>& folders);
    const StageRegistry& registry() const { return registry_; }
    // Adds a stage that no plugin provides (the program's own, or a test's).
    void registerStage(StagePtr stage, const std::string& pluginId) { registry_.add(std::move(stage), pluginId); }
    const std::vector<PluginRecord>& pluginRecords() const { return loader_.records(); }
    // What the plugins added besides stages: editing tools and panels.
    const PluginLoader& plugins() const { return loader_; }
    JobQueue& jobs() { return *jobs_; }
    ResultCache& cache() { return cache_; }

    // Layers, bottom first.
    std::vector<LayerDisplay> displays() const;
    std::vector<std::string> layerNames() const;
    const LayerDisplay* display(const std::string& name) const;
    const Layer* layer(const std::string& name) const { return document_.find(name); }
    // Adds data as a new layer with a style and window chosen from the data; returns its name.
    std::string addLayer(DataPtr data, const std::string& name, const std::string& sourcePath = {},
                         std::optional<LayerStyle> style = std::nullopt, bool dirty = false);
    // Adds a layer with a display given in full (projects).
    std::string addLayerWithDisplay(LayerDisplay display, const std::string& sourcePath, bool dirty);
    bool removeLayer(const std::string& name);
    void moveLayer(const std::string& name, int delta);
    void clear();
    // Display changes (visibility, window, colour map, ...): views redraw.
    void setDisplay(const std::string& name, const LayerDisplay& display);
    std::string renameLayer(const std::string& name, const std::string& wanted);
    // Shows a volume layer as a tomogram, a probability map or labels (integer data
    // only: it is converted). Throws InputError naming the layer and the reason.
    void changeStyle(const std::string& name, LayerStyle style);

    // The label volume of a layer, ready to be changed on the GUI thread. If anyone else
    // may hold the data (a job input, the result cache), it is copied first.
    LabelVolume* editableLabels(const std::string& name);
    LabelUndoStack& undoStack(const std::string& name);
    // Call after voxels of a label layer changed: bumps its revision, marks it unsaved.
    void voxelsChanged(const std::string& name);
    // Call after a label table changed.
    void labelTableChanged(const std::string& name);
    // The data will be shared with a job: the next edit copies it first.
    void markShared(const std::string& name);

    // The grid the slice views step through: the first volume layer's.
    const Volume* referenceVolume() const;
    // A new, empty label layer on the reference volume's grid.
    std::string createLabelLayer(const std::string& name);

    bool isModified() const { return modified_; }
    void setModified(bool m);
    bool layerDirty(const std::string& name) const;
    void setLayerClean(const std::string& name, const std::string& sourcePath);
    // The layer must be written on the next save (its file is temporary).
    void markDirty(const std::string& name);
    const std::string& projectPath() const { return projectPath_; }
    void setProjectPath(const std::string& p) { projectPath_ = p; }

    static LayerStyle defaultStyleFor(const DataObject& data, const std::string& name);

Q_SIGNALS:
    void layersChanged();                    // added, removed, reordered, renamed
    void layerDisplayChanged(QString name);  // display settings only
    void layerVoxelsChanged(QString name);   // voxels or label table
    void modifiedChanged(bool modified);

private:
    struct Extra {
        LayerDisplay display;
        bool dirty = false;
        bool exclusive = false;  // the data is ours alone: edits may go in place
        std::unique_ptr<LabelUndoStack> undo;
    };
    Extra* extra(const std::string& name);
    const Extra* extra(const std::string& name) const;

    Document document_;
    std::map<std::string, Extra> extras_;
    StageRegistry registry_;
    PluginLoader loader_;
    std::unique_ptr<JobQueue> jobs_;
    ResultCache cache_;
    bool modified_ = false;
    std::string projectPath_;
};

}  // namespace cellforge
