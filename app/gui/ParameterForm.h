// A form generated from a stage's parameter schema: spin boxes with ranges and units,
// check boxes, choice lists, text and file fields, each with its help as tooltip.
#pragma once

#include "core/plugin/Parameter.h"

#include <QWidget>

#include <map>
#include <string>

class QFormLayout;

namespace cellforge {

class ParameterForm : public QWidget {
    Q_OBJECT
public:
    explicit ParameterForm(QWidget* parent = nullptr);

    void setSchema(const ParameterSchema& schema);
    // Values as the widgets show them (every parameter of the schema).
    std::map<std::string, ParamValue> values() const;
    // Sets the widgets; names not in the schema are ignored.
    void setValues(const std::map<std::string, ParamValue>& values);
    void resetToDefaults();
    QWidget* editorFor(const std::string& name) const;

Q_SIGNALS:
    void edited();

private:
    ParameterSchema schema_;
    std::map<std::string, QWidget*> editors_;
    QFormLayout* layout_;
};

}  // namespace cellforge
