#include "app/gui/LayersPanel.h"

#include "app/render/ColorMaps.h"
#include "app/render/SliceExtractor.h"
#include "app/render/VolumeView3D.h"

#include <QCheckBox>
#include <QColorDialog>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSlider>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace cellforge {

namespace {
QString kindTag(const LayerDisplay& d) {
    switch (d.style) {
        case LayerStyle::Grayscale:
            return "volume";
        case LayerStyle::Labels:
            return "labels";
        case LayerStyle::Probability:
            return "probability";
        case LayerStyle::Mesh:
            return "mesh";
        case LayerStyle::Points:
            return "points";
        case LayerStyle::Table:
            return "table";
    }
    return {};
}
}  // namespace

LayersPanel::LayersPanel(Session& session, QWidget* parent) : QWidget(parent), session_(session) {
    setObjectName("layersPanel");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    list_ = new QListWidget;
    list_->setObjectName("layerList");
    list_->setMinimumHeight(120);
    layout->addWidget(list_);
    auto* buttons = new QHBoxLayout;
    auto makeButton = [&](const QString& text, const QString& tip) {
        auto* b = new QToolButton;
        b->setText(text);
        b->setToolTip(tip);
        buttons->addWidget(b);
        return b;
    };
    auto* up = makeButton("▲", tr("Move the layer up (drawn later, on top)"));
    auto* down = makeButton("▼", tr("Move the layer down"));
    auto* remove = makeButton("✕", tr("Remove the layer"));
    auto* rename = makeButton(tr("Rename"), tr("Rename the layer"));
    auto* newLabels = makeButton(tr("New labels"), tr("A new, empty label layer on the tomogram's grid"));
    buttons->addStretch();
    layout->addLayout(buttons);

    auto* common = new QFormLayout;
    opacity_ = new QSlider(Qt::Horizontal);
    opacity_->setObjectName("layerOpacity");
    opacity_->setRange(0, 100);
    common->addRow(tr("Opacity"), opacity_);
    showAs_ = new QComboBox;
    showAs_->setObjectName("showAs");
    showAs_->addItems({tr("tomogram"), tr("probability map"), tr("labels")});
    showAs_->setToolTip(tr("How a volume is drawn: grey levels, a thresholded colour map, or labels"));
    common->addRow(tr("Show as"), showAs_);
    layout->addLayout(common);

    scalarBox_ = new QGroupBox(tr("Display"));
    auto* sf = new QFormLayout(scalarBox_);
    colorMap_ = new QComboBox;
    for (const auto& n : colorMapNames()) colorMap_->addItem(QString::fromStdString(n));
    sf->addRow(tr("Colour map"), colorMap_);
    auto* windowRow = new QHBoxLayout;
    low_ = new QDoubleSpinBox;
    high_ = new QDoubleSpinBox;
    low_->setObjectName("windowLow");
    high_->setObjectName("windowHigh");
    for (auto* s : {low_, high_}) {
        s->setRange(-1e12, 1e12);
        s->setDecimals(4);
        s->setKeyboardTracking(false);
    }
    auto* autoButton = new QPushButton(tr("Auto"));
    autoButton->setToolTip(tr("Window from the 0.5 and 99.5 percentiles of the values"));
    windowRow->addWidget(low_);
    windowRow->addWidget(high_);
    windowRow->addWidget(autoButton);
    sf->addRow(tr("Window"), windowRow);
    threshold_ = new QDoubleSpinBox;
    threshold_->setRange(-1e12, 1e12);
    threshold_->setDecimals(4);
    threshold_->setSingleStep(0.05);
    threshold_->setKeyboardTracking(false);
    sf->addRow(tr("Threshold"), threshold_);
    show3D_ = new QCheckBox(tr("Volume rendering in 3D"));
    preset_ = new QComboBox;
    for (const auto& n : VolumeView3D::transferPresetNames()) preset_->addItem(QString::fromStdString(n));
    sf->addRow(show3D_);
    sf->addRow(tr("Transfer function"), preset_);
    layout->addWidget(scalarBox_);

    labelBox_ = new QGroupBox(tr("Labels"));
    auto* lf = new QVBoxLayout(labelBox_);
    auto* checks = new QHBoxLayout;
    fill_ = new QCheckBox(tr("Filled"));
    outline_ = new QCheckBox(tr("Outlines"));
    surfaces_ = new QCheckBox(tr("Surfaces in 3D"));
    checks->addWidget(fill_);
    checks->addWidget(outline_);
    checks->addWidget(surfaces_);
    lf->addLayout(checks);
    perInstance_ = new QCheckBox(tr("3D colours per instance (connected piece)"));
    perInstance_->setObjectName("surfacePerInstance");
    perInstance_->setToolTip(
        tr("Off: one colour per label, from the table. On: every separate membrane or "
           "particle its own colour."));
    lf->addWidget(perInstance_);
    auto* fo = new QFormLayout;
    fillOpacity_ = new QSlider(Qt::Horizontal);
    fillOpacity_->setRange(0, 100);
    fo->addRow(tr("Fill opacity"), fillOpacity_);
    lf->addLayout(fo);
    labelTable_ = new QTableWidget(0, 3);
    labelTable_->setObjectName("labelTable");
    labelTable_->setHorizontalHeaderLabels({tr("Id"), tr("Colour"), tr("Name")});
    labelTable_->horizontalHeader()->setStretchLastSection(true);
    labelTable_->verticalHeader()->hide();
    labelTable_->setColumnWidth(0, 50);
    labelTable_->setColumnWidth(1, 60);
    labelTable_->setMinimumHeight(120);
    lf->addWidget(labelTable_);
    auto* tableButtons = new QHBoxLayout;
    auto* addLabel = new QPushButton(tr("Add label"));
    auto* removeLabel = new QPushButton(tr("Remove entry"));
    tableButtons->addWidget(addLabel);
    tableButtons->addWidget(removeLabel);
    tableButtons->addStretch();
    lf->addLayout(tableButtons);
    layout->addWidget(labelBox_);
    layout->addStretch();

    connect(&session_, &Session::layersChanged, this, &LayersPanel::rebuildList);
    connect(&session_, &Session::layerDisplayChanged, this, &LayersPanel::refreshWindowFields);
    connect(list_, &QListWidget::currentRowChanged, this, [this] {
        showProperties();
        Q_EMIT currentLayerChanged(QString::fromStdString(currentLayer()));
    });
    connect(list_, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
        if (updating_) return;
        const std::string name = item->data(Qt::UserRole).toString().toStdString();
        if (const LayerDisplay* d = session_.display(name)) {
            LayerDisplay nd = *d;
            nd.visible = item->checkState() == Qt::Checked;
            nd.opacity = session_.layer(name)->opacity;
            session_.setDisplay(name, nd);
        }
    });
    connect(up, &QToolButton::clicked, this, [this] {
        const auto n = currentLayer();
        session_.moveLayer(n, +1);
        setCurrentLayer(n);
    });
    connect(down, &QToolButton::clicked, this, [this] {
        const auto n = currentLayer();
        session_.moveLayer(n, -1);
        setCurrentLayer(n);
    });
    connect(remove, &QToolButton::clicked, this, [this] { session_.removeLayer(currentLayer()); });
    connect(rename, &QToolButton::clicked, this, [this] {
        const std::string n = currentLayer();
        if (n.empty()) return;
        bool ok = false;
        const QString w = QInputDialog::getText(this, tr("Rename layer"), tr("Name"), QLineEdit::Normal,
                                                QString::fromStdString(n), &ok);
        if (ok && !w.isEmpty()) setCurrentLayer(session_.renameLayer(n, w.toStdString()));
    });
    connect(newLabels, &QToolButton::clicked, this, &LayersPanel::newLabelLayerRequested);
    connect(autoButton, &QPushButton::clicked, this, [this] { autoWindow(currentLayer()); });
    for (QDoubleSpinBox* s : {low_, high_, threshold_})
        connect(s, &QDoubleSpinBox::valueChanged, this, &LayersPanel::applyProperties);
    connect(opacity_, &QSlider::valueChanged, this, &LayersPanel::applyProperties);
    connect(fillOpacity_, &QSlider::valueChanged, this, &LayersPanel::applyProperties);
    connect(colorMap_, &QComboBox::currentIndexChanged, this, &LayersPanel::applyProperties);
    connect(preset_, &QComboBox::currentIndexChanged, this, &LayersPanel::applyProperties);
    for (QCheckBox* c : {fill_, outline_, surfaces_, show3D_, perInstance_})
        connect(c, &QCheckBox::toggled, this, &LayersPanel::applyProperties);
    connect(labelTable_, &QTableWidget::cellChanged, this, &LayersPanel::onLabelCellChanged);
    connect(showAs_, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (updating_) return;
        const std::string name = currentLayer();
        const LayerStyle styles[] = {LayerStyle::Grayscale, LayerStyle::Probability, LayerStyle::Labels};
        try {
            session_.changeStyle(name, styles[std::clamp(index, 0, 2)]);
        } catch (const std::exception& e) {
            QMessageBox::warning(this, tr("Show as"), QString::fromStdString(e.what()));
        }
        setCurrentLayer(name);
        showProperties();
    });
    connect(labelTable_, &QTableWidget::cellDoubleClicked, this, [this](int row, int column) {
        if (column != 1) return;
        const std::string name = currentLayer();
        LabelVolume* labels = session_.editableLabels(name);
        if (!labels) return;
        const auto id = LabelId(labelTable_->item(row, 0)->text().toInt());
        LabelEntry e;
        if (const LabelEntry* old = labels->table().find(id))
            e = *old;
        else {
            e.id = id;
            e.color = LabelTable::defaultColor(id);
        }
        const QColor c =
            QColorDialog::getColor(QColor(e.color[0], e.color[1], e.color[2]), this, tr("Colour of label %1").arg(id));
        if (!c.isValid()) return;
        e.color = {std::uint8_t(c.red()), std::uint8_t(c.green()), std::uint8_t(c.blue())};
        labels->table().set(e);
        session_.labelTableChanged(name);
        fillLabelTable();
    });
    connect(addLabel, &QPushButton::clicked, this, [this] {
        const std::string name = currentLayer();
        LabelVolume* labels = session_.editableLabels(name);
        if (!labels) return;
        LabelId id = 1;
        for (const auto& e : labels->table().entries()) id = std::max<LabelId>(id, LabelId(e.id + 1));
        labels->table().set({id, "label " + std::to_string(id), LabelTable::defaultColor(id)});
        session_.labelTableChanged(name);
        fillLabelTable();
    });
    connect(removeLabel, &QPushButton::clicked, this, [this] {
        const std::string name = currentLayer();
        const int row = labelTable_->currentRow();
        LabelVolume* labels = row >= 0 ? session_.editableLabels(name) : nullptr;
        if (!labels) return;
        labels->table().remove(LabelId(labelTable_->item(row, 0)->text().toInt()));
        session_.labelTableChanged(name);
        fillLabelTable();
    });
    rebuildList();
}

std::string LayersPanel::currentLayer() const {
    const QListWidgetItem* item = list_->currentItem();
    return item ? item->data(Qt::UserRole).toString().toStdString() : std::string();
}

void LayersPanel::setCurrentLayer(const std::string& name) {
    for (int i = 0; i < list_->count(); ++i)
        if (list_->item(i)->data(Qt::UserRole).toString().toStdString() == name) list_->setCurrentRow(i);
}

void LayersPanel::rebuildList() {
    const std::string keep = currentLayer();
    updating_ = true;
    list_->clear();
    const auto displays = session_.displays();
    // Top of the list = drawn last (on top), as in napari and Slicer.
    for (auto it = displays.rbegin(); it != displays.rend(); ++it) {
        auto* item =
            new QListWidgetItem(QStringLiteral("%1   [%2]").arg(QString::fromStdString(it->name), kindTag(*it)));
        item->setData(Qt::UserRole, QString::fromStdString(it->name));
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(it->visible ? Qt::Checked : Qt::Unchecked);
        const Layer* l = session_.layer(it->name);
        if (l && !l->sourcePath.empty()) item->setToolTip(QString::fromStdString(l->sourcePath));
        list_->addItem(item);
    }
    updating_ = false;
    if (!keep.empty()) setCurrentLayer(keep);
    if (!list_->currentItem() && list_->count() > 0) list_->setCurrentRow(0);
    showProperties();
}

void LayersPanel::showProperties() {
    const std::string name = currentLayer();
    const LayerDisplay* d = session_.display(name);
    const Layer* l = session_.layer(name);
    updating_ = true;
    scalarBox_->setVisible(d && (d->style == LayerStyle::Grayscale || d->style == LayerStyle::Probability));
    labelBox_->setVisible(d && d->style == LayerStyle::Labels);
    opacity_->setEnabled(d != nullptr);
    const bool volume = d && (d->style == LayerStyle::Grayscale || d->style == LayerStyle::Probability ||
                              d->style == LayerStyle::Labels);
    showAs_->setEnabled(volume);
    if (volume)
        showAs_->setCurrentIndex(d->style == LayerStyle::Grayscale ? 0 : (d->style == LayerStyle::Probability ? 1 : 2));
    if (d && l) {
        opacity_->setValue(int(l->opacity * 100));
        colorMap_->setCurrentText(QString::fromStdString(d->colorMap));
        low_->setValue(d->low);
        high_->setValue(d->high);
        threshold_->setValue(d->threshold);
        threshold_->setEnabled(d->style == LayerStyle::Probability);
        show3D_->setChecked(d->show3D);
        preset_->setCurrentText(QString::fromStdString(d->transferPreset));
        fill_->setChecked(d->labelFill);
        outline_->setChecked(d->labelOutline);
        fillOpacity_->setValue(int(d->fillOpacity * 100));
        surfaces_->setChecked(d->show3D);
        perInstance_->setChecked(d->surfacePerInstance);
        const double span = std::max(1e-6, std::abs(d->high - d->low));
        for (auto* s : {low_, high_, threshold_}) s->setSingleStep(span / 50.0);
        if (d->style == LayerStyle::Labels) fillLabelTable();
    }
    updating_ = false;
}

void LayersPanel::refreshWindowFields(const QString& name) {
    if (name.toStdString() != currentLayer()) return;
    const LayerDisplay* d = session_.display(name.toStdString());
    if (!d) return;
    updating_ = true;
    low_->setValue(d->low);
    high_->setValue(d->high);
    updating_ = false;
}

void LayersPanel::applyProperties() {
    if (updating_) return;
    const std::string name = currentLayer();
    const LayerDisplay* d = session_.display(name);
    const Layer* l = session_.layer(name);
    if (!d || !l) return;
    LayerDisplay nd = *d;
    nd.visible = l->visible;
    nd.opacity = opacity_->value() / 100.0;
    if (d->style == LayerStyle::Grayscale || d->style == LayerStyle::Probability) {
        nd.colorMap = colorMap_->currentText().toStdString();
        nd.low = low_->value();
        nd.high = high_->value();
        nd.threshold = threshold_->value();
        nd.show3D = show3D_->isChecked();
        nd.transferPreset = preset_->currentText().toStdString();
    } else if (d->style == LayerStyle::Labels) {
        nd.labelFill = fill_->isChecked();
        nd.labelOutline = outline_->isChecked();
        nd.fillOpacity = fillOpacity_->value() / 100.0;
        nd.show3D = surfaces_->isChecked();
        nd.surfacePerInstance = perInstance_->isChecked();
    }
    session_.setDisplay(name, nd);
}

void LayersPanel::autoWindow(const std::string& name) {
    const LayerDisplay* d = session_.display(name);
    const Layer* l = session_.layer(name);
    if (!d || !l || !l->data || (d->style != LayerStyle::Grayscale && d->style != LayerStyle::Probability)) return;
    const auto w = percentileWindow(static_cast<const Volume&>(*l->data), 0.005, 0.995);
    LayerDisplay nd = *d;
    nd.visible = l->visible;
    nd.opacity = l->opacity;
    nd.low = w.first;
    nd.high = w.second;
    session_.setDisplay(name, nd);
    showProperties();
}

void LayersPanel::fillLabelTable() {
    const Layer* l = session_.layer(currentLayer());
    if (!l || !l->data || l->data->kind() != DataKind::LabelVolume) return;
    const auto& labels = static_cast<const LabelVolume&>(*l->data);
    const bool was = updating_;
    updating_ = true;
    labelTable_->setRowCount(0);
    for (const LabelEntry& e : labels.table().entries()) {
        if (e.id == 0) continue;
        const int row = labelTable_->rowCount();
        labelTable_->insertRow(row);
        auto* id = new QTableWidgetItem(QString::number(e.id));
        id->setFlags(id->flags() & ~Qt::ItemIsEditable);
        auto* color = new QTableWidgetItem;
        color->setBackground(QColor(e.color[0], e.color[1], e.color[2]));
        color->setFlags(color->flags() & ~Qt::ItemIsEditable);
        color->setToolTip(tr("Double-click to change the colour"));
        labelTable_->setItem(row, 0, id);
        labelTable_->setItem(row, 1, color);
        labelTable_->setItem(row, 2, new QTableWidgetItem(QString::fromStdString(e.name)));
    }
    updating_ = was;
}

void LayersPanel::onLabelCellChanged(int row, int column) {
    if (updating_ || column != 2) return;
    const std::string name = currentLayer();
    LabelVolume* labels = session_.editableLabels(name);
    if (!labels) return;
    const auto id = LabelId(labelTable_->item(row, 0)->text().toInt());
    LabelEntry e;
    if (const LabelEntry* old = labels->table().find(id))
        e = *old;
    else {
        e.id = id;
        e.color = LabelTable::defaultColor(id);
    }
    e.name = labelTable_->item(row, 2)->text().toStdString();
    labels->table().set(e);
    session_.labelTableChanged(name);
}

}  // namespace cellforge
