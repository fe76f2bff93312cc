#include "app/gui/tools/EditToolController.h"

#include "app/gui/tools/BuiltinTools.h"
#include "app/gui/tools/LabelToolContext.h"
#include "app/render/SliceView.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace cellforge {

// The context of one mouse event on the layer `layer`.
class EditToolController::Context : public LabelToolContext {
public:
    Context(EditToolController& c, std::string layer) : c_(c), layer_(std::move(layer)) {
        labels_ = layer_.empty() ? nullptr : c_.session_.editableLabels(layer_);
        if (labels_) editor_.emplace(*labels_, c_.session_.undoStack(layer_));
    }
    ~Context() override {
        if (open_) commitEdit();  // an edit left open by the tool
    }
    const LabelVolume* labels() override { return labels_; }
    LabelId currentLabel() const override { return LabelId(c_.currentLabel_); }
    void setCurrentLabel(LabelId label) override { c_.setCurrentLabel(label); }
    double brushRadius() const override { return c_.brushRadius_; }
    bool threeD() const override { return c_.brush3D_; }
    void beginEdit(const std::string& description) override {
        if (!labels_ || open_) return;
        c_.session_.undoStack(layer_).begin(*labels_, description);
        open_ = true;
    }
    void setLabel(const std::array<std::int64_t, 3>& v, LabelId label) override {
        if (!open_ || !editor_->contains(v)) return;
        c_.session_.undoStack(layer_).touch(VoxelBox{v[0], v[1], v[2], v[0], v[1], v[2]});
        labels_->labels()[labels_->index(v[0], v[1], v[2])] = label;
    }
    bool commitEdit() override {
        if (!open_) return false;
        open_ = false;
        const bool kept = c_.session_.undoStack(layer_).commit();
        if (kept) editRecorded();
        return kept;
    }
    void showMessage(const std::string& text) override { Q_EMIT c_.message(QString::fromStdString(text), 6000); }
    LabelEditor* editor() override { return editor_ ? &*editor_ : nullptr; }
    void voxelsChanged() override { c_.session_.voxelsChanged(layer_); }
    void editRecorded() override { c_.recordEdit(layer_); }
    void highlight(LabelId label) override {
        const LayerDisplay* d = c_.session_.display(layer_);
        const Layer* l = c_.session_.layer(layer_);
        if (!d || !l) return;
        LayerDisplay nd = *d;
        nd.visible = l->visible;
        nd.opacity = l->opacity;
        nd.highlighted = label;
        c_.session_.setDisplay(layer_, nd);
    }

private:
    EditToolController& c_;
    std::string layer_;
    LabelVolume* labels_ = nullptr;
    std::optional<LabelEditor> editor_;
    bool open_ = false;
};

EditToolController::EditToolController(Session& session, std::array<SliceView*, 3> views, QObject* parent)
    : QObject(parent), session_(session), views_(views), tools_(makeBuiltinTools()) {}

EditToolController::~EditToolController() = default;

bool EditToolController::addTool(EditingToolPtr tool) {
    if (!tool) return false;
    for (const auto& t : tools_)
        if (t->id() == tool->id()) return false;
    tools_.push_back(std::move(tool));
    return true;
}

bool EditToolController::setTool(const std::string& id) {
    auto it = std::find_if(tools_.begin(), tools_.end(), [&](const EditingToolPtr& t) { return t->id() == id; });
    if (it == tools_.end()) return false;
    tools_[active_]->activated();
    active_ = std::size_t(it - tools_.begin());
    tools_[active_]->activated();
    pressLayer_.clear();
    updateViews();
    Q_EMIT toolChanged();
    return true;
}

void EditToolController::updateViews() {
    const bool edit = toolId() != "navigate";
    const bool brush = tools_[active_]->showsBrush();
    for (SliceView* v : views_) {
        v->setMode(edit ? SliceView::Mode::Edit : SliceView::Mode::Navigate);
        v->setBrushRadius(brush ? brushRadius_ : 0);
        v->setCursor(edit ? Qt::CrossCursor : Qt::ArrowCursor);
    }
}

void EditToolController::setCurrentLabel(int label) {
    currentLabel_ = std::clamp(label, 0, 65535);
    Q_EMIT currentLabelChanged(currentLabel_);
}

void EditToolController::setBrushRadius(double voxels) {
    brushRadius_ = std::clamp(voxels, 0.5, 200.0);
    if (tools_[active_]->showsBrush())
        for (SliceView* v : views_) v->setBrushRadius(brushRadius_);
    Q_EMIT brushChanged();
}

void EditToolController::setBrush3D(bool on) {
    brush3D_ = on;
    Q_EMIT brushChanged();
    Q_EMIT toolChanged();
}

void EditToolController::setActiveLabelLayer(const std::string& name) {
    const LayerDisplay* d = session_.display(name);
    if (d && d->style == LayerStyle::Labels) activeLabels_ = name;
    Q_EMIT currentLabelChanged(currentLabel_);  // the swatch follows the active table
}

void EditToolController::layersChanged() {
    if (activeLabels_.empty() || !session_.layer(activeLabels_)) {
        activeLabels_.clear();
        const auto displays = session_.displays();
        for (auto it = displays.rbegin(); it != displays.rend(); ++it)
            if (it->style == LayerStyle::Labels) {
                activeLabels_ = it->name;
                break;
            }
    }
    Q_EMIT currentLabelChanged(currentLabel_);
}

std::string EditToolController::ensureLabelLayer() {
    if (!activeLabels_.empty() && session_.layer(activeLabels_)) return activeLabels_;
    try {
        activeLabels_ = session_.createLabelLayer("labels");
        return activeLabels_;
    } catch (const std::exception& e) {
        Q_EMIT error(tr("Labels"), QString::fromStdString(e.what()));
        return {};
    }
}

ToolPointer EditToolController::pointerFor(const Volume& v, SliceAxis axis, const Vec3& w,
                                           Qt::KeyboardModifiers mods) const {
    ToolPointer p;
    for (int a = 0; a < 3; ++a) p.voxel[std::size_t(a)] = (w[a] - v.origin()[a]) / v.voxelSize()[a];
    p.normalAxis = sliceAxes(axis).normal;
    p.shift = mods & Qt::ShiftModifier;
    p.control = mods & Qt::ControlModifier;
    p.alt = mods & Qt::AltModifier;
    return p;
}

void EditToolController::press(SliceAxis axis, Vec3 world, Qt::KeyboardModifiers mods) {
    if (toolId() == "navigate") return;
    const std::string name = ensureLabelLayer();
    if (name.empty()) return;
    Context context(*this, name);
    if (!context.labels()) return;
    pressLayer_ = name;
    tools_[active_]->press(context, pointerFor(*context.labels(), axis, world, mods));
}

void EditToolController::drag(SliceAxis axis, Vec3 world, Qt::KeyboardModifiers mods) {
    if (pressLayer_.empty() || !session_.layer(pressLayer_)) return;
    Context context(*this, pressLayer_);
    if (!context.labels()) return;
    tools_[active_]->move(context, pointerFor(*context.labels(), axis, world, mods));
}

void EditToolController::release(SliceAxis axis, Vec3 world, Qt::KeyboardModifiers mods) {
    if (pressLayer_.empty()) return;
    const std::string name = pressLayer_;
    pressLayer_.clear();
    if (!session_.layer(name)) return;
    Context context(*this, name);
    if (!context.labels()) return;
    tools_[active_]->release(context, pointerFor(*context.labels(), axis, world, mods));
}

void EditToolController::recordEdit(const std::string& layer) {
    undoOrder_.push_back(layer);
    redoOrder_.clear();
    session_.voxelsChanged(layer);
    Q_EMIT undoStateChanged();
}

void EditToolController::newLabel() {
    const std::string name = ensureLabelLayer();
    LabelVolume* labels = name.empty() ? nullptr : session_.editableLabels(name);
    if (!labels) return;
    const LabelId id = LabelEditor(*labels, session_.undoStack(name)).nextFreeLabel();
    labels->table().set({id, "label " + std::to_string(id), LabelTable::defaultColor(id)});
    session_.labelTableChanged(name);
    setCurrentLabel(id);
    if (toolId() == "navigate" || toolId() == "eraser") setTool("brush");
}

bool EditToolController::undo() {
    while (!undoOrder_.empty()) {
        const std::string name = undoOrder_.back();
        undoOrder_.pop_back();
        LabelVolume* labels = session_.layer(name) ? session_.editableLabels(name) : nullptr;
        if (labels && session_.undoStack(name).undo(*labels)) {
            redoOrder_.push_back(name);
            session_.voxelsChanged(name);
            Q_EMIT undoStateChanged();
            return true;
        }
    }
    Q_EMIT undoStateChanged();
    return false;
}

bool EditToolController::redo() {
    while (!redoOrder_.empty()) {
        const std::string name = redoOrder_.back();
        redoOrder_.pop_back();
        LabelVolume* labels = session_.layer(name) ? session_.editableLabels(name) : nullptr;
        if (labels && session_.undoStack(name).redo(*labels)) {
            undoOrder_.push_back(name);
            session_.voxelsChanged(name);
            Q_EMIT undoStateChanged();
            return true;
        }
    }
    Q_EMIT undoStateChanged();
    return false;
}

QString EditToolController::undoText() const {
    if (undoOrder_.empty() || !session_.layer(undoOrder_.back())) return {};
    return QString::fromStdString(session_.undoStack(undoOrder_.back()).undoText());
}

QString EditToolController::redoText() const {
    if (redoOrder_.empty() || !session_.layer(redoOrder_.back())) return {};
    return QString::fromStdString(session_.undoStack(redoOrder_.back()).redoText());
}

void EditToolController::clearHistory() {
    undoOrder_.clear();
    redoOrder_.clear();
    activeLabels_.clear();
    Q_EMIT undoStateChanged();
}

}  // namespace cellforge
