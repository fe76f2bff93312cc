// Shows a Table layer (metrics, per-slice Dice, training curves, quality histograms):
// its values in a grid and its numeric columns plotted with Qt Charts.
#pragma once

#include "core/data/Table.h"

#include <QWidget>

#include <memory>

class QTableWidget;
class QLabel;
QT_BEGIN_NAMESPACE
class QChartView;
QT_END_NAMESPACE

namespace cellforge {

class TablePanel : public QWidget {
    Q_OBJECT
public:
    explicit TablePanel(QWidget* parent = nullptr);
    // Shows `table` (nullptr clears); `title` names the layer.
    void showTable(std::shared_ptr<const Table> table, const QString& title);
    // What the chart plots, for tests: series names in order.
    QStringList seriesNames() const;

private:
    void fillGrid();
    void plot();

    std::shared_ptr<const Table> table_;
    QLabel* title_ = nullptr;
    QTableWidget* grid_ = nullptr;
    QChartView* chartView_ = nullptr;
};

}  // namespace cellforge
