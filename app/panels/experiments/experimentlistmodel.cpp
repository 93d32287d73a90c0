#include "experimentlistmodel.h"

#include "cairn/store/experimentstore.h"

#include <QApplication>
#include <QFont>
#include <QPalette>

namespace cairn::panels {

ExperimentListModel::ExperimentListModel(QObject *parent) : QAbstractTableModel(parent)
{
}

void ExperimentListModel::reload(ExperimentStore &store, ViewType view)
{
    const QList<Experiment> fresh = store.experiments(view);
    bool sameRows = fresh.size() == m_experiments.size();
    for (int i = 0; sameRows && i < fresh.size(); ++i)
        sameRows = fresh.at(i).id == m_experiments.at(i).id;
    if (sameRows) {
        m_experiments = fresh;
        if (!fresh.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(fresh.size()) - 1, 1));
        return;
    }
    beginResetModel();
    m_experiments = fresh;
    endResetModel();
}

void ExperimentListModel::clear()
{
    beginResetModel();
    m_experiments.clear();
    endResetModel();
}

int ExperimentListModel::rowOf(qint64 experimentId) const
{
    for (int i = 0; i < m_experiments.size(); ++i)
        if (m_experiments.at(i).id == experimentId)
            return i;
    return -1;
}

int ExperimentListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_experiments.size());
}

int ExperimentListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 2;
}

QVariant ExperimentListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Experiment &e = m_experiments.at(index.row());
    const bool deleted = e.lifecycle == Lifecycle::Deleted;
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == 0 ? QVariant(e.name) : QVariant(e.runCount);
    case Qt::ToolTipRole:
        return deleted ? tr("%1 (deleted: restore it to add runs)\n%n runs", nullptr, int(e.runCount)).arg(e.name)
                       : tr("%1\n%n runs · id %2", nullptr, int(e.runCount)).arg(e.name).arg(e.id);
    case Qt::TextAlignmentRole:
        return index.column() == 1 ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter)
                                   : QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (deleted)
            return QApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::FontRole:
        if (deleted) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    case ExperimentIdRole: return e.id;
    case DeletedRole: return deleted;
    default: return {};
    }
}

QVariant ExperimentListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == 0 ? tr("Experiment") : tr("Runs");
}

} // namespace cairn::panels
