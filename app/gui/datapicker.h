#pragma once

#include "cairn/data/channel.h"

#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QStandardItemModel;
class QTableView;

namespace cairn::gui {

/// Picks a job's data: the training file or folder, an optional validation file, and (for
/// tables) the target column. A CSV shows a preview of its first rows with the type inferred
/// for each column; the file is read off the GUI thread, and only its head.
class DataPicker : public QWidget
{
    Q_OBJECT
public:
    explicit DataPicker(QWidget *parent = nullptr);
    ~DataPicker() override;

    /// Rows shown in the preview (types are inferred from a few hundred).
    static constexpr int kPreviewRows = 50;

    void setTrainPath(const QString &path);
    QString trainPath() const;
    void setValidationPath(const QString &path);
    QString validationPath() const;
    /// The target column; set before the preview has loaded, it is picked once it has.
    void setTarget(const QString &column);
    QString target() const;
    /// The preview's columns and their inferred types ("numeric", "categorical", …).
    QStringList columns() const { return m_columns; }
    QStringList columnTypes() const { return m_types; }
    bool isLoading() const { return m_loading; }
    /// Empty when the data can be used; else what is wrong with it.
    QString problem() const;
    /// The channel for a path as the job spec wants it (type guessed, absolute path).
    static data::ChannelSpec channelFor(const QString &path);
    /// Whether the training data is a table (a target column is needed).
    bool isTabular() const;
    /// Whether the target picker is shown (hidden for clustering).
    void setTargetVisible(bool visible);

    QTableView *previewView() const { return m_preview; }
    QComboBox *targetCombo() const { return m_target; }
    QLabel *statusLabel() const { return m_status; }
    /// The column a table's target most likely is: a usual name (target, label, class, …), else the last.
    static QString guessTarget(const QStringList &columns);

Q_SIGNALS:
    void changed();
    /// The preview finished loading (ok false: the file could not be read; see problem()).
    void previewLoaded(bool ok);

private:
    void browse(QLineEdit *edit, const QString &title);
    void loadPreview();

    QLineEdit *m_train;
    QLineEdit *m_validation;
    QTableView *m_preview;
    QStandardItemModel *m_model;
    QLabel *m_status;
    QLabel *m_targetLabel;
    QComboBox *m_target;
    QStringList m_columns;
    QStringList m_types;
    QString m_error;
    QString m_pendingTarget;
    QString m_loadedPath;
    int m_generation = 0;
    bool m_loading = false;
};

} // namespace cairn::gui
