// The layers panel: every layer with its visibility, order and opacity; for tomograms
// and probability maps the colour map, window (automatic from percentiles or typed)
// and threshold; for label layers fill/outline and the label table (names, colours).
#pragma once

#include "app/gui/Session.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QListWidget;
class QSlider;
class QTableWidget;

namespace cellforge {

class LayersPanel : public QWidget {
    Q_OBJECT
public:
    explicit LayersPanel(Session& session, QWidget* parent = nullptr);
    std::string currentLayer() const;
    void setCurrentLayer(const std::string& name);
    // Automatic window from percentiles for a scalar layer.
    void autoWindow(const std::string& name);

Q_SIGNALS:
    void currentLayerChanged(QString name);
    void newLabelLayerRequested();

private:
    void rebuildList();
    void showProperties();
    void applyProperties();
    void fillLabelTable();
    void onLabelCellChanged(int row, int column);
    void refreshWindowFields(const QString& name);

    Session& session_;
    QListWidget* list_;
    QSlider* opacity_;
    QComboBox* showAs_;
    QGroupBox* scalarBox_;
    QComboBox* colorMap_;
    QDoubleSpinBox* low_;
    QDoubleSpinBox* high_;
    QDoubleSpinBox* threshold_;
    QCheckBox* show3D_;
    QComboBox* preset_;
    QGroupBox* labelBox_;
    QCheckBox* fill_;
    QCheckBox* outline_;
    QSlider* fillOpacity_;
    QCheckBox* surfaces_;
    QCheckBox* perInstance_;
    QTableWidget* labelTable_;
    bool updating_ = false;
};

}  // namespace cellforge
