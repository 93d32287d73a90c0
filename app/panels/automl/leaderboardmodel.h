#pragma once

#include "cairn/automl/automljob.h"

#include <QStandardItemModel>

namespace cairn::panels {

/// The AutoML leaderboard as a table: rank, the candidate's name (the ensemble names its members
/// by it), algorithm, the objective, the other metrics, training time, prediction time per row,
/// the host that trained it and state; best first. Each row's run id is in Qt::UserRole + 1
/// of its first cell.
class LeaderboardModel : public QStandardItemModel
{
    Q_OBJECT
public:
    enum Column { RankColumn, CandidateColumn, AlgorithmColumn, ObjectiveColumn };
    static constexpr int kRunRole = Qt::UserRole + 1;

    explicit LeaderboardModel(QObject *parent = nullptr);

    /// `candidates` best first (as AutoMLJob::leaderboard() and leaderboard.json give them);
    /// `metric` is the objective.
    void setCandidates(const QList<automl::Candidate> &candidates, const QString &metric);
    const QList<automl::Candidate> &candidates() const { return m_candidates; }
    QString metric() const { return m_metric; }
    /// Column of a metric (the objective or another); -1 when not shown.
    int metricColumn(const QString &metric) const;
    /// Column of the host that trained each candidate (after the metrics and times).
    int hostColumn() const { return ObjectiveColumn + int(m_metricColumns.size()) + 2; }

    /// A candidate's state for people ("Finished", "Running", …).
    static QString stateText(const QString &state);
    /// "xgboost", or "ensemble of xgboost-3, mlp-5" (its members' names) for an ensemble.
    static QString algorithmText(const automl::Candidate &candidate);

private:
    QList<automl::Candidate> m_candidates;
    QString m_metric;
    QStringList m_metricColumns;
};

} // namespace cairn::panels
