#include "app/gui/TablePanel.h"

#include <QChart>
#include <QChartView>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QSplitter>
#include <QTableWidget>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <map>

namespace cellforge {

namespace {

// The column plotted along x: a natural ordinate if the table has one.
int abscissaColumn(const Table& t) {
    for (const char* name : {"epoch", "slice", "iteration", "bin_start", "bin", "angle", "x"})
        for (std::size_t c = 0; c < t.columns().size(); ++c)
            if (t.columns()[c] == name) return int(c);
    return -1;  // the row number
}

bool isNumeric(const Table& t, std::size_t column) {
    for (std::size_t r = 0; r < t.rowCount(); ++r)
        if (std::holds_alternative<std::string>(t.row(r)[column])) return false;
    return t.rowCount() > 0;
}

double numberAt(const Table& t, std::size_t row, int column) {
    if (column < 0) return double(row);
    const auto& v = t.row(row)[std::size_t(column)];
    return std::holds_alternative<double>(v) ? std::get<double>(v) : std::nan("");
}

}  // namespace

TablePanel::TablePanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    title_ = new QLabel(tr("Select a table layer (metrics, training curves) to see it here."));
    layout->addWidget(title_);
    auto* split = new QSplitter(Qt::Horizontal);
    grid_ = new QTableWidget;
    grid_->setObjectName("tableGrid");
    grid_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    grid_->verticalHeader()->setDefaultSectionSize(20);
    split->addWidget(grid_);
    chartView_ = new QChartView;
    chartView_->setObjectName("tableChart");
    chartView_->setRenderHint(QPainter::Antialiasing);
    chartView_->setMinimumWidth(320);
    split->addWidget(chartView_);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);
}

void TablePanel::showTable(std::shared_ptr<const Table> table, const QString& title) {
    table_ = std::move(table);
    title_->setText(table_ ? title + tr(" — %1 rows").arg(table_->rowCount()) : QString());
    fillGrid();
    plot();
}

void TablePanel::fillGrid() {
    grid_->clear();
    if (!table_) {
        grid_->setRowCount(0);
        grid_->setColumnCount(0);
        return;
    }
    const Table& t = *table_;
    grid_->setColumnCount(int(t.columns().size()));
    QStringList headers;
    for (const auto& c : t.columns()) headers << QString::fromStdString(c);
    grid_->setHorizontalHeaderLabels(headers);
    // A grid of a few thousand rows is plenty to read; the chart shows all of them.
    const int rows = int(std::min<std::size_t>(t.rowCount(), 5000));
    grid_->setRowCount(rows);
    for (int r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < t.columns().size(); ++c) {
            const auto& v = t.row(std::size_t(r))[c];
            const QString text = std::holds_alternative<double>(v) ? QString::number(std::get<double>(v), 'g', 6)
                                                                   : QString::fromStdString(std::get<std::string>(v));
            grid_->setItem(r, int(c), new QTableWidgetItem(text));
        }
}

void TablePanel::plot() {
    auto* chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    if (table_ && table_->rowCount() > 0) {
        const Table& t = *table_;
        const int xColumn = abscissaColumn(t);
        // Rows of several classes (per-slice Dice) give one series per class.
        int groupColumn = -1;
        for (std::size_t c = 0; c < t.columns().size(); ++c)
            if (t.columns()[c] == "class" && int(c) != xColumn) groupColumn = int(c);
        std::vector<std::size_t> yColumns;
        for (std::size_t c = 0; c < t.columns().size(); ++c) {
            if (int(c) == xColumn || int(c) == groupColumn || !isNumeric(t, c)) continue;
            const std::string& n = t.columns()[c];
            if (n.rfind("voxels", 0) == 0 || n == "id") continue;  // counts dwarf the scores
            yColumns.push_back(c);
        }
        if (yColumns.size() > 4) yColumns.resize(4);
        double xmin = 1e300, xmax = -1e300, ymin = 1e300, ymax = -1e300;
        for (std::size_t yc : yColumns) {
            std::map<std::string, QLineSeries*> byGroup;
            for (std::size_t r = 0; r < t.rowCount(); ++r) {
                std::string group;
                if (groupColumn >= 0) {
                    const auto& g = t.row(r)[std::size_t(groupColumn)];
                    group = std::holds_alternative<double>(g) ? QString::number(std::get<double>(g)).toStdString()
                                                              : std::get<std::string>(g);
                }
                QLineSeries*& series = byGroup[group];
                if (!series) {
                    series = new QLineSeries;
                    series->setName(
                        QString::fromStdString(t.columns()[yc] + (group.empty() ? "" : " (class " + group + ")")));
                }
                const double x = numberAt(t, r, xColumn), y = numberAt(t, r, int(yc));
                if (!std::isfinite(x) || !std::isfinite(y)) continue;
                series->append(x, y);
                xmin = std::min(xmin, x), xmax = std::max(xmax, x);
                ymin = std::min(ymin, y), ymax = std::max(ymax, y);
            }
            for (auto& [g, s] : byGroup) chart->addSeries(s);
        }
        if (!chart->series().isEmpty() && xmin <= xmax) {
            auto* ax = new QValueAxis;
            ax->setTitleText(xColumn >= 0 ? QString::fromStdString(t.columns()[std::size_t(xColumn)]) : tr("row"));
            ax->setRange(xmin, xmax > xmin ? xmax : xmin + 1);
            auto* ay = new QValueAxis;
            const double pad = ymax > ymin ? 0.05 * (ymax - ymin) : 0.5;
            ay->setRange(ymin - pad, ymax + pad);
            chart->addAxis(ax, Qt::AlignBottom);
            chart->addAxis(ay, Qt::AlignLeft);
            for (auto* s : chart->series()) {
                s->attachAxis(ax);
                s->attachAxis(ay);
            }
        }
    }
    QChart* old = chartView_->chart();
    chartView_->setChart(chart);
    delete old;
}

QStringList TablePanel::seriesNames() const {
    QStringList names;
    if (chartView_->chart())
        for (auto* s : chartView_->chart()->series()) names << s->name();
    return names;
}

}  // namespace cellforge
