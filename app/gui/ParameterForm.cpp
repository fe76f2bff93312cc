#include "app/gui/ParameterForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

#include <cmath>
#include <limits>

namespace cellforge {

namespace {
QString rangeText(const ParameterSpec& s) {
    QString t;
    if (s.minimum && s.maximum)
        t = QStringLiteral("range %1 to %2").arg(*s.minimum).arg(*s.maximum);
    else if (s.minimum)
        t = QStringLiteral("at least %1").arg(*s.minimum);
    else if (s.maximum)
        t = QStringLiteral("at most %1").arg(*s.maximum);
    if (!s.unit.empty()) t += (t.isEmpty() ? "" : ", ") + QStringLiteral("in %1").arg(QString::fromStdString(s.unit));
    return t;
}
}  // namespace

ParameterForm::ParameterForm(QWidget* parent) : QWidget(parent), layout_(new QFormLayout(this)) {
    layout_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    layout_->setContentsMargins(0, 0, 0, 0);
}

void ParameterForm::setSchema(const ParameterSchema& schema) {
    while (layout_->rowCount() > 0) layout_->removeRow(0);
    editors_.clear();
    schema_ = schema;
    for (const ParameterSpec& s : schema_) {
        QWidget* editor = nullptr;
        switch (s.type) {
            case ParamType::Int: {
                auto* w = new QSpinBox;
                w->setRange(
                    s.minimum ? int(std::max(*s.minimum, double(std::numeric_limits<int>::min()))) : -1000000000,
                    s.maximum ? int(std::min(*s.maximum, double(std::numeric_limits<int>::max()))) : 1000000000);
                if (!s.unit.empty()) w->setSuffix(" " + QString::fromStdString(s.unit));
                connect(w, &QSpinBox::valueChanged, this, &ParameterForm::edited);
                editor = w;
                break;
            }
            case ParamType::Float: {
                auto* w = new QDoubleSpinBox;
                w->setDecimals(4);
                w->setRange(s.minimum ? *s.minimum : -1e12, s.maximum ? *s.maximum : 1e12);
                w->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
                if (!s.unit.empty()) w->setSuffix(" " + QString::fromStdString(s.unit));
                connect(w, &QDoubleSpinBox::valueChanged, this, &ParameterForm::edited);
                editor = w;
                break;
            }
            case ParamType::Bool: {
                auto* w = new QCheckBox;
                connect(w, &QCheckBox::toggled, this, &ParameterForm::edited);
                editor = w;
                break;
            }
            case ParamType::Enum: {
                auto* w = new QComboBox;
                for (const auto& c : s.choices) w->addItem(QString::fromStdString(c));
                connect(w, &QComboBox::currentIndexChanged, this, &ParameterForm::edited);
                editor = w;
                break;
            }
            case ParamType::String: {
                auto* w = new QLineEdit;
                connect(w, &QLineEdit::textEdited, this, &ParameterForm::edited);
                editor = w;
                break;
            }
            case ParamType::Path: {
                auto* box = new QWidget;
                auto* h = new QHBoxLayout(box);
                h->setContentsMargins(0, 0, 0, 0);
                auto* line = new QLineEdit;
                line->setObjectName("path");
                auto* browse = new QPushButton(tr("…"));
                browse->setFixedWidth(28);
                h->addWidget(line);
                h->addWidget(browse);
                connect(line, &QLineEdit::textEdited, this, &ParameterForm::edited);
                connect(browse, &QPushButton::clicked, this, [this, line] {
                    const QString f = QFileDialog::getOpenFileName(this, tr("Choose a file"), line->text());
                    if (!f.isEmpty()) {
                        line->setText(f);
                        Q_EMIT edited();
                    }
                });
                editor = box;
                break;
            }
        }
        QString tip = QString::fromStdString(s.help);
        const QString range = rangeText(s);
        if (!range.isEmpty()) tip += (tip.isEmpty() ? "" : "\n") + range;
        tip += QStringLiteral("\ndefault: %1").arg(QString::fromStdString(paramValueToString(s.defaultValue)));
        editor->setToolTip(tip);
        editor->setObjectName(QString::fromStdString(s.name));
        auto* label = new QLabel(QString::fromStdString(s.name));
        label->setToolTip(tip);
        layout_->addRow(label, editor);
        editors_[s.name] = editor;
    }
    resetToDefaults();
}

QWidget* ParameterForm::editorFor(const std::string& name) const {
    auto it = editors_.find(name);
    return it == editors_.end() ? nullptr : it->second;
}

void ParameterForm::resetToDefaults() {
    std::map<std::string, ParamValue> defaults;
    for (const auto& s : schema_) defaults[s.name] = s.defaultValue;
    setValues(defaults);
}

void ParameterForm::setValues(const std::map<std::string, ParamValue>& values) {
    for (const ParameterSpec& s : schema_) {
        auto it = values.find(s.name);
        if (it == values.end()) continue;
        QWidget* e = editors_[s.name];
        const ParamValue& v = it->second;
        const QSignalBlocker block(e);
        auto asDouble = [&]() -> double {
            if (auto p = std::get_if<double>(&v)) return *p;
            if (auto p = std::get_if<std::int64_t>(&v)) return double(*p);
            if (auto p = std::get_if<bool>(&v)) return *p ? 1.0 : 0.0;
            return 0.0;
        };
        auto asText = [&]() { return QString::fromStdString(paramValueToString(v)); };
        switch (s.type) {
            case ParamType::Int:
                static_cast<QSpinBox*>(e)->setValue(int(std::llround(asDouble())));
                break;
            case ParamType::Float:
                static_cast<QDoubleSpinBox*>(e)->setValue(asDouble());
                break;
            case ParamType::Bool:
                static_cast<QCheckBox*>(e)->setChecked(asDouble() != 0.0);
                break;
            case ParamType::Enum: {
                auto* c = static_cast<QComboBox*>(e);
                const int i = c->findText(asText());
                if (i >= 0) c->setCurrentIndex(i);
                break;
            }
            case ParamType::String:
                static_cast<QLineEdit*>(e)->setText(asText());
                break;
            case ParamType::Path:
                e->findChild<QLineEdit*>("path")->setText(asText());
                break;
        }
    }
}

std::map<std::string, ParamValue> ParameterForm::values() const {
    std::map<std::string, ParamValue> out;
    for (const ParameterSpec& s : schema_) {
        QWidget* e = editors_.at(s.name);
        switch (s.type) {
            case ParamType::Int:
                out[s.name] = std::int64_t(static_cast<QSpinBox*>(e)->value());
                break;
            case ParamType::Float:
                out[s.name] = static_cast<QDoubleSpinBox*>(e)->value();
                break;
            case ParamType::Bool:
                out[s.name] = static_cast<QCheckBox*>(e)->isChecked();
                break;
            case ParamType::Enum:
                out[s.name] = static_cast<QComboBox*>(e)->currentText().toStdString();
                break;
            case ParamType::String:
                out[s.name] = static_cast<QLineEdit*>(e)->text().toStdString();
                break;
            case ParamType::Path:
                out[s.name] = e->findChild<QLineEdit*>("path")->text().toStdString();
                break;
        }
    }
    return out;
}

}  // namespace cellforge
