#include "joblistmodel.h"

#include "theme.h"

#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QSet>

namespace cairn::panels {

JobListModel::JobListModel(QObject *parent) : QAbstractTableModel(parent) {}

int JobListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int JobListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString JobListModel::stateText(JobState state)
{
    switch (state) {
    case JobState::Queued: return tr("Queued");
    case JobState::Running: return tr("Running");
    case JobState::Stopping: return tr("Stopping");
    case JobState::Finished: return tr("Finished");
    case JobState::Failed: return tr("Failed");
    case JobState::Stopped: return tr("Stopped");
    }
    return {};
}

QString JobListModel::elapsedText(qint64 ms)
{
    if (ms <= 0)
        return QStringLiteral("–");
    const qint64 s = ms / 1000;
    if (s < 60)
        return tr("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
    if (s < 3600)
        return tr("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return tr("%1 h %2 min").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0'));
}

QVariant JobListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_records.size())
        return {};
    const JobRecord &r = m_records.at(index.row());
    switch (role) {
    case JobIdRole: return r.id;
    case ProgressRole: return r.progress;
    case StateRole: return int(r.state);
    case RunUuidRole: return r.runUuid;
    case Qt::ToolTipRole:
        if (index.column() == MessageColumn || index.column() == StatusColumn)
            return r.message.isEmpty() ? stateText(r.state) : r.message;
        if (index.column() == IdColumn)
            return tr("Job %1\nRun %2\nSubmitted %3").arg(r.id, r.runUuid.isEmpty() ? tr("(none yet)") : r.runUuid,
                                                         QDateTime::fromMSecsSinceEpoch(r.submitted).toString(Qt::ISODate));
        return {};
    case Qt::ForegroundRole:
        if (index.column() == StatusColumn) {
            const bool dark = gui::isDarkTheme();
            switch (r.state) {
            case JobState::Failed: return QColor(dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xc0, 0x20, 0x20));
            case JobState::Finished: return QColor(dark ? QColor(0x7e, 0xe7, 0x87) : QColor(0x1a, 0x7f, 0x37));
            case JobState::Running: return QColor(dark ? QColor(0x79, 0xc0, 0xff) : QColor(0x09, 0x69, 0xda));
            default: return {};
            }
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == ElapsedColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn: return r.id;
        case AlgorithmColumn: return r.algorithm;
        case ExperimentColumn: return r.experiment;
        case StatusColumn: return stateText(r.state);
        case ProgressColumn: return QStringLiteral("%1%").arg(int(r.progress * 100));
        case ElapsedColumn: return elapsedText(r.elapsedMs(QDateTime::currentMSecsSinceEpoch()));
        case MessageColumn: return r.message;
        }
        return {};
    }
    return {};
}

QVariant JobListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IdColumn: return tr("Job");
    case AlgorithmColumn: return tr("Algorithm");
    case ExperimentColumn: return tr("Experiment");
    case StatusColumn: return tr("Status");
    case ProgressColumn: return tr("Progress");
    case ElapsedColumn: return tr("Elapsed");
    case MessageColumn: return tr("Message");
    }
    return {};
}

int JobListModel::rowOf(const QString &jobId) const
{
    for (int i = 0; i < m_records.size(); ++i)
        if (m_records.at(i).id == jobId)
            return i;
    return -1;
}

void JobListModel::setRecords(const QList<JobRecord> &records)
{
    QSet<QString> incoming;
    for (const JobRecord &r : records)
        incoming.insert(r.id);
    // Rows that are gone (a job folder deleted).
    for (int i = int(m_records.size()) - 1; i >= 0; --i)
        if (!incoming.contains(m_records.at(i).id)) {
            beginRemoveRows({}, i, i);
            m_records.removeAt(i);
            endRemoveRows();
        }
    // New rows go where the listing puts them; known ones are updated in place.
    for (int i = 0; i < records.size(); ++i) {
        const JobRecord &r = records.at(i);
        const int at = rowOf(r.id);
        if (at < 0) {
            const int pos = std::min(i, int(m_records.size()));
            beginInsertRows({}, pos, pos);
            m_records.insert(pos, r);
            endInsertRows();
            continue;
        }
        JobRecord &mine = m_records[at];
        // A listing read from disk may lag behind what this window's manager reported live.
        const bool staleProgress = mine.id == r.id && !isTerminal(r.state) && r.progress < mine.progress;
        const double progress = staleProgress ? mine.progress : r.progress;
        const bool keepTerminal = isTerminal(mine.state) && !isTerminal(r.state);
        if (!keepTerminal) {
            mine = r;
            mine.progress = progress;
        }
        Q_EMIT dataChanged(index(at, 0), index(at, ColumnCount - 1));
    }
}

void JobListModel::updateProgress(const QString &jobId, double fraction, const QString &message)
{
    const int row = rowOf(jobId);
    if (row < 0)
        return;
    JobRecord &r = m_records[row];
    r.progress = fraction;
    if (!message.isEmpty())
        r.message = message;
    if (r.state == JobState::Queued)
        r.state = JobState::Running;
    Q_EMIT dataChanged(index(row, StatusColumn), index(row, MessageColumn));
}

void JobListModel::updateState(const QString &jobId, JobState state, const QString &message)
{
    const int row = rowOf(jobId);
    if (row < 0)
        return;
    JobRecord &r = m_records[row];
    r.state = state;
    if (state == JobState::Running && r.started == 0)
        r.started = QDateTime::currentMSecsSinceEpoch();
    if (isTerminal(state)) {
        if (r.ended == 0)
            r.ended = QDateTime::currentMSecsSinceEpoch();
        if (state == JobState::Finished)
            r.progress = 1;
    }
    if (!message.isEmpty())
        r.message = message;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void JobListModel::tick()
{
    for (int i = 0; i < m_records.size(); ++i)
        if (m_records.at(i).state == JobState::Running || m_records.at(i).state == JobState::Stopping)
            Q_EMIT dataChanged(index(i, ElapsedColumn), index(i, ElapsedColumn), {Qt::DisplayRole});
}

} // namespace cairn::panels
