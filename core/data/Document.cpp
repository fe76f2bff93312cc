#include "core/data/Document.h"

#include "core/base/Errors.h"

#include <algorithm>

namespace cellforge {

std::string Document::uniqueName(const std::string& wanted) const {
    if (!find(wanted)) return wanted;
    for (int i = 2;; ++i) {
        std::string candidate = wanted + " (" + std::to_string(i) + ")";
        if (!find(candidate)) return candidate;
    }
}

std::string Document::addLayer(Layer layer) {
    layer.name = uniqueName(layer.name.empty() ? std::string("layer") : layer.name);
    layers_.push_back(std::move(layer));
    const std::string name = layers_.back().name;
    if (onChanged) onChanged(name);
    return name;
}

void Document::replaceData(const std::string& name, DataPtr data) {
    Layer* layer = find(name);
    if (!layer) throw InputError("no layer named '" + name + "'");
    layer->data = std::move(data);
    if (onChanged) onChanged(name);
}

bool Document::removeLayer(const std::string& name) {
    auto it = std::find_if(layers_.begin(), layers_.end(), [&](const Layer& l) { return l.name == name; });
    if (it == layers_.end()) return false;
    layers_.erase(it);
    if (onChanged) onChanged(name);
    return true;
}

const Layer* Document::find(const std::string& name) const {
    for (const auto& l : layers_)
        if (l.name == name) return &l;
    return nullptr;
}

Layer* Document::find(const std::string& name) {
    for (auto& l : layers_)
        if (l.name == name) return &l;
    return nullptr;
}

}  // namespace cellforge
