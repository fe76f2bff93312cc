#include "app/gui/tools/BuiltinTools.h"

#include "app/gui/tools/LabelToolContext.h"

#include <memory>
#include <optional>

namespace cellforge {

namespace {

// A tool that needs the GUI's LabelToolContext (the built-ins do).
class BuiltinTool : public EditingTool {
public:
    BuiltinTool(std::string id, std::string name, std::string key) : id_(id), name_(name), key_(key) {}
    std::string id() const override { return id_; }
    std::string name() const override { return name_; }
    std::string shortcut() const override { return key_; }
    void press(ToolContext& context, const ToolPointer& p) override {
        auto* c = dynamic_cast<LabelToolContext*>(&context);
        if (c && c->labels() && c->editor()) pressed(*c, p);
    }
    virtual void pressed(LabelToolContext& c, const ToolPointer& p) = 0;

private:
    std::string id_, name_, key_;
};

class NavigateTool : public EditingTool {
public:
    std::string id() const override { return "navigate"; }
    std::string name() const override { return "Navigate"; }
    std::string shortcut() const override { return "Z"; }
    void press(ToolContext&, const ToolPointer&) override {}
};

// Brush and eraser: a stroke from press to release is one undo step.
class BrushTool : public BuiltinTool {
public:
    explicit BrushTool(bool erase)
        : BuiltinTool(erase ? "eraser" : "brush", erase ? "Eraser" : "Brush", erase ? "E" : "P"), erase_(erase) {}
    bool showsBrush() const override { return true; }
    void activated() override { stroke_.reset(); }
    void pressed(LabelToolContext& c, const ToolPointer& p) override {
        // The editor lives as long as the stroke (it holds the stroke's state).
        stroke_ = std::make_unique<LabelEditor>(*c.editor());
        BrushShape shape{c.brushRadius(), c.threeD(), p.normalAxis};
        // Shift while painting: paint only over background (napari's "preserve labels").
        stroke_->beginStroke(erase_ ? 0 : c.currentLabel(), shape, p.shift);
        stroke_->dab(p.voxel);
        c.voxelsChanged();
    }
    void move(ToolContext& context, const ToolPointer& p) override {
        auto* c = dynamic_cast<LabelToolContext*>(&context);
        if (!stroke_ || !c) return;
        stroke_->dab(p.voxel);
        c->voxelsChanged();
    }
    void release(ToolContext& context, const ToolPointer&) override {
        auto* c = dynamic_cast<LabelToolContext*>(&context);
        if (!stroke_) return;
        const bool changed = stroke_->endStroke();
        stroke_.reset();
        if (changed && c) c->editRecorded();
    }

private:
    bool erase_;
    std::unique_ptr<LabelEditor> stroke_;
};

class FillTool : public BuiltinTool {
public:
    FillTool() : BuiltinTool("fill", "Fill", "F") {}
    void pressed(LabelToolContext& c, const ToolPointer& p) override {
        if (c.editor()->floodFill(p.index(), c.currentLabel(), FillScope{c.threeD(), p.normalAxis}) > 0)
            c.editRecorded();
    }
};

class PickerTool : public BuiltinTool {
public:
    PickerTool() : BuiltinTool("picker", "Pick label", "L") {}
    void pressed(LabelToolContext& c, const ToolPointer& p) override {
        c.setCurrentLabel(c.editor()->pick(p.index()));
        c.showMessage("Label " + std::to_string(c.currentLabel()));
    }
};

class SelectTool : public BuiltinTool {
public:
    SelectTool() : BuiltinTool("select", "Select component", "C") {}
    void pressed(LabelToolContext& c, const ToolPointer& p) override {
        const LabelId id = c.editor()->pick(p.index());
        const auto comp = c.editor()->connectedComponent(p.index(), FillScope{true, p.normalAxis});
        c.highlight(id);
        if (id != 0) c.setCurrentLabel(id);
        c.showMessage(id == 0 ? std::string("Background")
                              : "Label " + std::to_string(id) + ": this component has " + std::to_string(comp.size()) +
                                    " voxels");
    }
};

class DeleteTool : public BuiltinTool {
public:
    DeleteTool() : BuiltinTool("delete", "Delete component", "X") {}
    void pressed(LabelToolContext& c, const ToolPointer& p) override {
        if (c.editor()->deleteComponent(p.index(), FillScope{true, p.normalAxis}) > 0) c.editRecorded();
    }
};

// Two clicks: the label to keep, then the label merged into it.
class MergeTool : public BuiltinTool {
public:
    MergeTool() : BuiltinTool("merge", "Merge labels", "G") {}
    void activated() override { first_.reset(); }
    void pressed(LabelToolContext& c, const ToolPointer& p) override {
        const Voxel v = p.index();
        if (!first_) {
            if (c.editor()->pick(v) == 0) return;
            first_ = v;
            c.showMessage("Merge: label " + std::to_string(c.editor()->pick(v)) +
                          " chosen; click the label to merge into it");
            return;
        }
        const std::int64_t n = c.editor()->mergeLabels(*first_, v);
        first_.reset();
        if (n > 0) c.editRecorded();
        c.showMessage("Merged " + std::to_string(n) + " voxels");
    }

private:
    std::optional<Voxel> first_;
};

class SplitTool : public BuiltinTool {
public:
    SplitTool() : BuiltinTool("split", "Split component", "K") {}
    void pressed(LabelToolContext& c, const ToolPointer& p) override {
        const LabelId fresh = c.editor()->splitComponent(p.index(), FillScope{true, p.normalAxis});
        if (fresh == 0) return;
        c.editRecorded();
        c.showMessage("The component is now label " + std::to_string(fresh));
    }
};

}  // namespace

std::vector<EditingToolPtr> makeBuiltinTools() {
    return {std::make_shared<NavigateTool>(), std::make_shared<BrushTool>(false), std::make_shared<BrushTool>(true),
            std::make_shared<FillTool>(),     std::make_shared<PickerTool>(),     std::make_shared<SelectTool>(),
            std::make_shared<DeleteTool>(),   std::make_shared<MergeTool>(),      std::make_shared<SplitTool>()};
}

}  // namespace cellforge
