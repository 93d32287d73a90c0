#pragma once

#include <QDialog>
#include <QPair>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QRadioButton;

namespace cairn::panels {

/// Asks where an endpoint's baseline comes from: the data its model was trained on (from the
/// registry's lineage) or another CSV; which column is the label (left out of the features);
/// which other columns to leave out (ids). The CSV's head is read to offer its columns.
class BaselineDialog : public QDialog
{
    Q_OBJECT
public:
    /// `trainingData`: (CSV, target) of the model the endpoint serves; empty when unknown.
    BaselineDialog(const QString &endpoint, const QPair<QString, QString> &trainingData, QWidget *parent = nullptr);

    QString csvPath() const;
    QString target() const;
    QStringList excludedColumns() const;

    QRadioButton *trainingDataButton() const { return m_fromModel; }
    QLineEdit *pathEdit() const { return m_path; }
    QComboBox *targetBox() const { return m_target; }
    QLineEdit *excludeEdit() const { return m_exclude; }
    QLabel *problemLabel() const { return m_problem; }

private:
    void readColumns();

    QPair<QString, QString> m_training;
    QRadioButton *m_fromModel;
    QRadioButton *m_fromFile;
    QLineEdit *m_path;
    QComboBox *m_target;
    QLineEdit *m_exclude;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace cairn::panels
