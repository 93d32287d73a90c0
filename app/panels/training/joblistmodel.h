#pragma once

#include "cairn/jobs/jobrecord.h"

#include <QAbstractTableModel>
#include <QList>

namespace cairn::panels {

/// The workspace's training jobs (those of this window and those started by the CLI), newest
/// first: id, algorithm, experiment, status, progress, elapsed time and the last message.
/// setRecords() merges a fresh listing in place so that the selection survives refreshes.
class JobListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { IdColumn, AlgorithmColumn, ExperimentColumn, StatusColumn, ProgressColumn, ElapsedColumn, MessageColumn, ColumnCount };
    enum Role { JobIdRole = Qt::UserRole + 1, ProgressRole, StateRole, RunUuidRole };

    explicit JobListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Replaces the list with `records` (newest first), updating rows in place.
    void setRecords(const QList<JobRecord> &records);
    /// Live updates from this window's job manager, between two listings.
    void updateProgress(const QString &jobId, double fraction, const QString &message);
    void updateState(const QString &jobId, JobState state, const QString &message = {});
    /// Refreshes the elapsed time of running jobs.
    void tick();

    int rowOf(const QString &jobId) const;
    const JobRecord &record(int row) const { return m_records.at(row); }
    QList<JobRecord> records() const { return m_records; }

    static QString stateText(JobState state);
    static QString elapsedText(qint64 ms);

private:
    QList<JobRecord> m_records;
};

} // namespace cairn::panels
