#pragma once

#include "cairn/labeling/labelingjob.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QRadioButton;

namespace cairn::panels {

/// Asks for what a new labeling job needs: name, images (a folder or an input manifest), task
/// type, labels and instructions.
class NewJobDialog : public QDialog
{
    Q_OBJECT
public:
    explicit NewJobDialog(const QString &workspacePath, QWidget *parent = nullptr);

    cairn::labeling::JobSettings settings() const;
    bool fromManifest() const;
    QString sourcePath() const;
    /// Why the inputs cannot make a job, or empty.
    QString problem() const;

    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *sourceEdit() const { return m_source; }
    QLineEdit *labelsEdit() const { return m_labels; }
    QComboBox *typeCombo() const { return m_type; }

private:
    void browse();
    void validate();

    QString m_workspace;
    QLineEdit *m_name;
    QRadioButton *m_folder;
    QRadioButton *m_manifest;
    QLineEdit *m_source;
    QComboBox *m_type;
    QLineEdit *m_labels;
    QPlainTextEdit *m_instructions;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace cairn::panels
