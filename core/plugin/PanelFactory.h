// A dock panel a plugin adds to the desktop program, and the Qt interface of the
// plugin's optional GUI module that provides it. Header only and Qt Core only: the
// widget type is only named here, so core and the CLI never link Qt Widgets. A
// plugin's panels live in a second library (cellforge_add_plugin GUI_SOURCES) that
// only the GUI loads (PluginLoader::loadFrom with LoadGuiModules).
#pragma once

#include <QtPlugin>

#include <memory>
#include <string>
#include <vector>

class QWidget;

namespace cellforge {

class PanelFactory {
public:
    virtual ~PanelFactory() = default;
    virtual std::string id() const = 0;     // dock object name: "panel.<id>"
    virtual std::string title() const = 0;  // dock title
    // "left", "right" or "bottom": where the dock starts.
    virtual std::string area() const { return "right"; }
    // Called once by the main window, on the GUI thread, after the window is built.
    // The window owns the widget.
    virtual QWidget* createPanel(QWidget* parent) = 0;
};

using PanelFactoryPtr = std::shared_ptr<PanelFactory>;

class GuiPluginInterface {
public:
    virtual ~GuiPluginInterface() = default;
    // Called once by the GUI after the plugin of the same id was loaded.
    virtual std::vector<PanelFactoryPtr> panels() = 0;
};

}  // namespace cellforge

#define CellForgeGuiPluginInterface_iid "org.cellforge.GuiPluginInterface/1"
Q_DECLARE_INTERFACE(cellforge::GuiPluginInterface, CellForgeGuiPluginInterface_iid)
