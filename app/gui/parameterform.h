#pragma once

#include "cairn/algorithms/parameterschema.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <QWidget>

class QCheckBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QToolButton;

namespace cairn::gui {

/// A form generated from an algorithm's ParameterSchema: a spin box for whole numbers, a line
/// edit for real numbers and text, a combo box for choices, a check box for flags; each with the
/// schema's default, range and help (as tooltip). Values are checked while typing and a problem
/// shows under its row. In tuning mode every tunable row also gets a "tune" tick box and a range
/// editor (low / high / log for numbers, a choice list for categories); the ranges come back in
/// the form SearchSpace::fromRanges() reads.
class ParameterForm : public QWidget
{
    Q_OBJECT
public:
    enum class Mode { Training, Tuning };

    explicit ParameterForm(QWidget *parent = nullptr);
    ~ParameterForm() override;

    void setMode(Mode mode);
    Mode mode() const { return m_mode; }

    /// Rebuilds the rows for `schema`, filled with its defaults.
    void setSchema(const ParameterSchema &schema);
    const ParameterSchema &schema() const { return m_schema; }

    /// Every parameter whose field holds a valid value (all of them when isValid()).
    QJsonObject values() const;
    /// Sets the fields named in `values`; the others go back to their defaults.
    void setValues(const QJsonObject &values);
    void resetToDefaults();
    /// Sets one field from text as a user would type it; false if there is no such parameter.
    bool setText(const QString &name, const QString &text);
    /// The field's editor (QSpinBox, QLineEdit, QComboBox or QCheckBox), or nullptr.
    QWidget *editor(const QString &name) const;
    /// The inline message under a row (hidden when the value is fine).
    QLabel *messageLabel(const QString &name) const;

    /// True when every field (and, in tuning mode, every ticked range) is valid.
    bool isValid() const;
    /// One line per problem, naming the parameter.
    QStringList problems() const;

    // Tuning mode
    bool isTunable(const QString &name) const;
    void setTuned(const QString &name, bool tuned);
    bool isTuned(const QString &name) const;
    QStringList tunedNames() const;
    /// Numbers: "name=low:high[:log|:int|:intlog]"; choices: "name=a,b,c".
    void setRange(const QString &name, const QString &range);
    /// The ticked rows' ranges in SearchSpace::fromRanges() form.
    QStringList ranges() const;

Q_SIGNALS:
    void changed();
    void validityChanged(bool valid);

private:
    struct Row;
    void clearRows();
    void addRow(const Parameter &p, int gridRow);
    void setRowValue(Row &row, const QJsonValue &value);
    QJsonValue rowValue(const Row &row, QString *error) const;
    void validateRow(Row &row);
    QString rangeText(const Row &row) const;
    void updateRangeWidgets(Row &row);
    void afterEdit();
    Row *row(const QString &name) const;

    Mode m_mode = Mode::Training;
    ParameterSchema m_schema;
    QGridLayout *m_grid;
    QLabel *m_header = nullptr;
    std::vector<std::unique_ptr<Row>> m_rows;
    bool m_lastValid = true;
    bool m_updating = false;
};

} // namespace cairn::gui
