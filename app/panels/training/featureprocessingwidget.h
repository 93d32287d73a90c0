#pragma once

#include <QGroupBox>
#include <QJsonObject>
#include <QSet>

class QCheckBox;
class QComboBox;
class QListWidget;
class QSpinBox;

namespace cairn::panels {

/// The feature pipeline of a tabular training job (the job spec's "preprocessing", as
/// `cairn train --preprocessing`): columns to leave out, how categories, dates, free text and
/// missing values become features, and scaling. Unchecked: the algorithm's own defaults.
class FeatureProcessingWidget : public QGroupBox
{
    Q_OBJECT
public:
    explicit FeatureProcessingWidget(QWidget *parent = nullptr);

    /// The data's columns with their inferred types; the target is not offered for exclusion.
    /// Columns left out before stay left out when they come back (new data, another target).
    void setColumns(const QStringList &columns, const QStringList &types, const QString &target);

    QJsonObject config() const;
    /// Exclusions may name columns of data not read yet: they apply once setColumns() shows them.
    void setConfig(const QJsonObject &preprocessing);

Q_SIGNALS:
    void changed();

private:
    void updateEnabled();

    QSet<QString> m_excluded; // left out by the user, whether or not the current data has them

    QListWidget *m_exclude;
    QComboBox *m_encoding;
    QSpinBox *m_oneHotMax;
    QCheckBox *m_datetimeParts;
    QCheckBox *m_textFeatures;
    QCheckBox *m_impute;
    QComboBox *m_scale;
};

} // namespace cairn::panels
