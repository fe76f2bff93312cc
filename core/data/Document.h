// A Document holds the named layers a user works on. The GUI shows it; the CLI runs
// pipelines over it. Only the owning thread (the GUI thread) changes it: jobs return
// results, and the owner applies them.
#pragma once

#include "core/data/DataObject.h"

#include <functional>
#include <string>
#include <vector>

namespace cellforge {

struct Layer {
    std::string name;
    DataPtr data;
    std::string sourcePath;  // file it was read from or last saved to; may be empty
    bool visible = true;
    double opacity = 1.0;
};

class Document {
public:
    const std::vector<Layer>& layers() const { return layers_; }
    // Adds a layer; a name already taken gets a suffix " (2)", " (3)", ... Returns the name used.
    std::string addLayer(Layer layer);
    // Replaces the data of an existing layer; throws InputError if the name is unknown.
    void replaceData(const std::string& name, DataPtr data);
    bool removeLayer(const std::string& name);
    const Layer* find(const std::string& name) const;
    Layer* find(const std::string& name);
    std::string uniqueName(const std::string& wanted) const;

    // Called after any change, with the name of the layer concerned.
    std::function<void(const std::string&)> onChanged;

private:
    std::vector<Layer> layers_;
};

}  // namespace cellforge
