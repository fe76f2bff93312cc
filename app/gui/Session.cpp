#include "app/gui/Session.h"

#include "app/render/SliceExtractor.h"
#include "core/base/Errors.h"
#include "core/data/Mesh.h"
#include "core/data/Table.h"

#include <algorithm>
#include <cctype>

namespace cellforge {

Session::Session(QObject* parent) : QObject(parent) {
    jobs_ = std::make_unique<JobQueue>(ThreadBudget::fromEnvironment());
}

Session::~Session() {
    if (jobs_) jobs_->cancelAll();
    jobs_.reset();  // joins the workers before the registry's stages go away
}

// The GUI loads the plugins' GUI modules too (their panels).
void Session::loadPlugins(const std::vector<std::string>& folders) {
    loader_.loadFrom(folders, registry_, PluginLoader::GuiModules::Load);
}

Session::Extra* Session::extra(const std::string& name) {
    auto it = extras_.find(name);
    return it == extras_.end() ? nullptr : &it->second;
}
const Session::Extra* Session::extra(const std::string& name) const {
    auto it = extras_.find(name);
    return it == extras_.end() ? nullptr : &it->second;
}

std::vector<LayerDisplay> Session::displays() const {
    std::vector<LayerDisplay> out;
    for (const Layer& l : document_.layers()) {
        const Extra* e = extra(l.name);
        if (!e) continue;
        LayerDisplay d = e->display;
        d.name = l.name;
        d.data = l.data;
        d.visible = l.visible;
        d.opacity = l.opacity;
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<std::string> Session::layerNames() const {
    std::vector<std::string> out;
    for (const Layer& l : document_.layers()) out.push_back(l.name);
    return out;
}

const LayerDisplay* Session::display(const std::string& name) const {
    const Extra* e = extra(name);
    return e ? &e->display : nullptr;
}

LayerStyle Session::defaultStyleFor(const DataObject& data, const std::string& name) {
    switch (data.kind()) {
        case DataKind::LabelVolume:
            return LayerStyle::Labels;
        case DataKind::Mesh:
            return LayerStyle::Mesh;
        case DataKind::PointSet:
            return LayerStyle::Points;
        case DataKind::Table:
        case DataKind::Model:
        // Listed (and saved with projects) but not drawn: the views draw one grid of
        // scalars; a channel or an image of the set is opened as a Volume to be seen.
        case DataKind::MultiChannelImage:
        case DataKind::ImageSet:
            return LayerStyle::Table;
        case DataKind::Volume:
            break;
    }
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    const auto& v = static_cast<const Volume&>(data);
    if (v.scalarType() == ScalarType::Float32 &&
        (lower.find("prob") != std::string::npos || lower.find("score") != std::string::npos)) {
        return LayerStyle::Probability;
    }
    return LayerStyle::Grayscale;
}

std::string Session::addLayer(DataPtr data, const std::string& name, const std::string& sourcePath,
                              std::optional<LayerStyle> style, bool dirty) {
    if (!data) throw InputError("layer '" + name + "': no data");
    LayerDisplay d;
    d.name = name;
    d.style = style ? *style : defaultStyleFor(*data, name);
    d.data = data;
    if (d.style == LayerStyle::Grayscale || d.style == LayerStyle::Probability) {
        // Volume rendering is opt-in (as in 3D Slicer): the slice planes show the
        // tomogram in 3D, and a noisy tomogram rendered whole hides the surfaces.
        d.show3D = false;
        const auto& v = static_cast<const Volume&>(*data);
        // Automatic contrast from percentiles, as 3dmod and napari do on opening.
        const auto w = percentileWindow(v, 0.005, 0.995);
        d.low = w.first;
        d.high = w.second;
        if (d.style == LayerStyle::Probability) {
            const auto full = percentileWindow(v, 0.0, 1.0);
            d.low = std::min(0.0, full.first);
            d.high = std::max(1.0, full.second) > 1.0 + 1e-6 ? full.second : 1.0;
            d.threshold = d.low + 0.5 * (d.high - d.low);
            d.colorMap = "magma";
            d.opacity = 0.7;
        }
    }
    if (d.style == LayerStyle::Labels) d.opacity = 1.0;
    return addLayerWithDisplay(d, sourcePath, dirty);
}

std::string Session::addLayerWithDisplay(LayerDisplay display, const std::string& sourcePath, bool dirty) {
    Layer l;
    l.name = display.name.empty() ? std::string("layer") : display.name;
    l.data = display.data;
    l.sourcePath = sourcePath;
    l.visible = display.visible;
    l.opacity = display.opacity;
    const std::string used = document_.addLayer(l);
    Extra e;
    e.display = std::move(display);
    e.display.name = used;
    e.dirty = dirty;
    // Data read from a file here is ours alone; results of jobs are also in the cache.
    e.exclusive = !sourcePath.empty() && !dirty;
    const LayerStyle style = e.display.style;
    extras_[used] = std::move(e);
    if (style == LayerStyle::Grayscale) {
        // A new tomogram goes below the overlays (labels, probability maps), so that an
        // opaque result never hides them; the user can still move it up.
        std::vector<Layer> layers = document_.layers();
        auto firstOverlay = std::find_if(layers.begin(), layers.end(), [&](const Layer& l) {
            const Extra* x = extra(l.name);
            return x && (x->display.style == LayerStyle::Labels || x->display.style == LayerStyle::Probability);
        });
        if (firstOverlay != layers.end() && firstOverlay->name != used) {
            const auto target = std::distance(layers.begin(), firstOverlay);
            Layer moved = layers.back();  // the one just added
            layers.pop_back();
            layers.insert(layers.begin() + target, moved);
            Document fresh;
            for (const Layer& l : layers) fresh.addLayer(l);
            document_ = std::move(fresh);
        }
    }
    setModified(true);
    Q_EMIT layersChanged();
    return used;
}

bool Session::removeLayer(const std::string& name) {
    if (!document_.removeLayer(name)) return false;
    extras_.erase(name);
    setModified(true);
    Q_EMIT layersChanged();
    return true;
}

void Session::moveLayer(const std::string& name, int delta) {
    // Document has no reordering: rebuild it in the new order.
    std::vector<Layer> layers = document_.layers();
    auto it = std::find_if(layers.begin(), layers.end(), [&](const Layer& l) { return l.name == name; });
    if (it == layers.end()) return;
    const auto from = std::distance(layers.begin(), it);
    const auto to = std::clamp<std::ptrdiff_t>(from + delta, 0, std::ptrdiff_t(layers.size()) - 1);
    if (from == to) return;
    Layer moved = *it;
    layers.erase(it);
    layers.insert(layers.begin() + to, moved);
    Document fresh;
    for (const Layer& l : layers) fresh.addLayer(l);
    document_ = std::move(fresh);
    setModified(true);
    Q_EMIT layersChanged();
}

std::string Session::renameLayer(const std::string& name, const std::string& wanted) {
    if (wanted.empty() || wanted == name) return name;
    std::vector<Layer> layers = document_.layers();
    Document fresh;
    std::string used;
    for (Layer l : layers) {
        if (l.name == name) {
            l.name = fresh.uniqueName(wanted);
            used = l.name;
        }
        fresh.addLayer(l);
    }
    if (used.empty()) return name;
    document_ = std::move(fresh);
    auto node = extras_.extract(name);
    node.key() = used;
    node.mapped().display.name = used;
    extras_.insert(std::move(node));
    setModified(true);
    Q_EMIT layersChanged();
    return used;
}

void Session::changeStyle(const std::string& name, LayerStyle style) {
    Extra* e = extra(name);
    Layer* l = document_.find(name);
    if (!e || !l || !l->data) throw InputError("no layer named '" + name + "'");
    if (e->display.style == style) return;
    const DataKind kind = l->data->kind();
    if (kind != DataKind::Volume && kind != DataKind::LabelVolume)
        throw InputError("layer '" + name + "': only volumes can be shown as tomograms, probabilities or labels");
    if (style == LayerStyle::Labels) {
        if (kind != DataKind::LabelVolume) {
            LabelVolume labels;
            try {
                labels = LabelVolume::fromVolume(static_cast<const Volume&>(*l->data));
            } catch (const InputError& err) {
                throw InputError("layer '" + name + "' cannot be shown as labels: " + err.what());
            }
            labels.table() = LabelTable::semanticDefault();
            auto data = std::make_shared<LabelVolume>(std::move(labels));
            document_.replaceData(name, data);
            e->display.data = data;
            e->exclusive = true;
            e->dirty = true;
        }
        e->display.style = LayerStyle::Labels;
        e->display.opacity = 1.0;
        l->opacity = 1.0;
    } else if (style == LayerStyle::Grayscale || style == LayerStyle::Probability) {
        const auto& v = static_cast<const Volume&>(*l->data);
        const auto w = percentileWindow(v, 0.005, 0.995);
        e->display.style = style;
        e->display.low = w.first;
        e->display.high = w.second;
        e->display.colorMap = style == LayerStyle::Probability ? "magma" : "gray";
        e->display.threshold = w.first + 0.5 * (w.second - w.first);
        e->display.show3D = false;
    } else {
        throw InputError("layer '" + name + "': a volume cannot be shown as " +
                         std::string(style == LayerStyle::Mesh ? "a mesh" : "this"));
    }
    ++e->display.revision;
    Q_EMIT layersChanged();
}

void Session::clear() {
    document_ = Document{};
    extras_.clear();
    cache_.clear();
    projectPath_.clear();
    setModified(false);
    Q_EMIT layersChanged();
}

void Session::setDisplay(const std::string& name, const LayerDisplay& display) {
    Extra* e = extra(name);
    Layer* l = document_.find(name);
    if (!e || !l) return;
    const DataPtr data = e->display.data;
    const std::uint64_t revision = e->display.revision;
    e->display = display;
    e->display.name = name;
    e->display.data = data;  // data changes go through the edit functions
    e->display.revision = revision;
    l->visible = display.visible;
    l->opacity = display.opacity;
    // Contrast and colours are worth a prompt only as part of a project.
    if (!projectPath_.empty()) setModified(true);
    Q_EMIT layerDisplayChanged(QString::fromStdString(name));
}

LabelVolume* Session::editableLabels(const std::string& name) {
    Extra* e = extra(name);
    Layer* l = document_.find(name);
    if (!e || !l || !l->data || l->data->kind() != DataKind::LabelVolume) return nullptr;
    if (!e->exclusive) {
        auto copy = std::make_shared<LabelVolume>(static_cast<const LabelVolume&>(*l->data).deepCopyLabels());
        document_.replaceData(name, copy);
        e->display.data = copy;
        e->exclusive = true;
        if (e->undo) e->undo->clear();  // records refer to the old buffer's content only
        ++e->display.revision;
        Q_EMIT layerVoxelsChanged(QString::fromStdString(name));
    }
    // Exclusive: this Session alone changes it, on this thread.
    return const_cast<LabelVolume*>(static_cast<const LabelVolume*>(document_.find(name)->data.get()));
}

LabelUndoStack& Session::undoStack(const std::string& name) {
    Extra* e = extra(name);
    if (!e) throw InputError("no layer named '" + name + "'");
    if (!e->undo) e->undo = std::make_unique<LabelUndoStack>();
    return *e->undo;
}

void Session::voxelsChanged(const std::string& name) {
    Extra* e = extra(name);
    if (!e) return;
    ++e->display.revision;
    e->dirty = true;
    setModified(true);
    Q_EMIT layerVoxelsChanged(QString::fromStdString(name));
}

void Session::labelTableChanged(const std::string& name) { voxelsChanged(name); }

void Session::markShared(const std::string& name) {
    if (Extra* e = extra(name)) e->exclusive = false;
}

const Volume* Session::referenceVolume() const {
    for (const Layer& l : document_.layers())
        if (l.data && (l.data->kind() == DataKind::Volume)) return static_cast<const Volume*>(l.data.get());
    for (const Layer& l : document_.layers())
        if (l.data && l.data->kind() == DataKind::LabelVolume) return static_cast<const Volume*>(l.data.get());
    return nullptr;
}

std::string Session::createLabelLayer(const std::string& name) {
    const Volume* ref = referenceVolume();
    if (!ref) throw InputError("open a tomogram first: a new label layer takes its size from it");
    auto labels = std::make_shared<LabelVolume>(ref->dims());
    labels->setVoxelSize(ref->voxelSize());
    labels->setOrigin(ref->origin());
    labels->table() = LabelTable::semanticDefault();
    const std::string used = addLayer(labels, name, {}, LayerStyle::Labels, true);
    extra(used)->exclusive = true;
    return used;
}

void Session::setModified(bool m) {
    if (m == modified_) return;
    modified_ = m;
    Q_EMIT modifiedChanged(m);
}

bool Session::layerDirty(const std::string& name) const {
    const Extra* e = extra(name);
    return e ? e->dirty : false;
}

void Session::markDirty(const std::string& name) {
    if (Extra* e = extra(name)) e->dirty = true;
}

void Session::setLayerClean(const std::string& name, const std::string& sourcePath) {
    Extra* e = extra(name);
    Layer* l = document_.find(name);
    if (!e || !l) return;
    e->dirty = false;
    l->sourcePath = sourcePath;
}

}  // namespace cellforge
