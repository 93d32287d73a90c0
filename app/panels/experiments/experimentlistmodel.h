#pragma once

#include "cairn/store/types.h"

#include <QAbstractTableModel>

namespace cairn {
class ExperimentStore;
}

namespace cairn::panels {

/// The workspace's experiments with their run counts (two columns: name, runs). reload() keeps
/// rows in place when the same experiments come back, so selections survive live refreshes.
class ExperimentListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Roles { ExperimentIdRole = Qt::UserRole + 1, DeletedRole };

    explicit ExperimentListModel(QObject *parent = nullptr);

    /// Reads the experiments again; throws cairn::Error.
    void reload(ExperimentStore &store, ViewType view);
    void clear();
    Experiment experimentAt(int row) const { return m_experiments.value(row); }
    int rowOf(qint64 experimentId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Experiment> m_experiments;
};

} // namespace cairn::panels
