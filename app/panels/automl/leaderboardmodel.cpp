#include "leaderboardmodel.h"


#include <cmath>
#include <limits>

namespace cairn::panels {

namespace {
QStandardItem *numberItem(double value, int precision = 5, char format = 'g')
{
    auto *item = new QStandardItem(std::isfinite(value) ? QString::number(value, format, precision) : QString());
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    if (std::isfinite(value))
        item->setData(value, Qt::UserRole + 2); // sortable value next to the text
    return item;
}
} // namespace

LeaderboardModel::LeaderboardModel(QObject *parent) : QStandardItemModel(parent)
{
    setCandidates({}, {});
}

QString LeaderboardModel::stateText(const QString &state)
{
    const QString s = state.toLower();
    if (s == QLatin1String("queued"))
        return tr("Queued");
    if (s == QLatin1String("running"))
        return tr("Running");
    if (s == QLatin1String("finished"))
        return tr("Finished");
    if (s == QLatin1String("failed"))
        return tr("Failed");
    if (s == QLatin1String("stopped"))
        return tr("Stopped");
    if (s == QLatin1String("rejected"))
        return tr("Not used");
    return state;
}

QString LeaderboardModel::algorithmText(const automl::Candidate &c)
{
    if (!c.ensemble)
        return c.algorithm;
    // An ensemble's params map each member to its weight.
    const QStringList members = c.params.keys();
    if (c.algorithm == QLatin1String("stack"))
        return members.isEmpty() ? tr("stack") : tr("stack of %1").arg(members.join(QStringLiteral(", ")));
    return members.isEmpty() ? tr("ensemble") : tr("ensemble of %1").arg(members.join(QStringLiteral(", ")));
}

int LeaderboardModel::metricColumn(const QString &metric) const
{
    const int i = int(m_metricColumns.indexOf(metric));
    return i < 0 ? -1 : ObjectiveColumn + i;
}

void LeaderboardModel::setCandidates(const QList<automl::Candidate> &candidates, const QString &metric)
{
    m_candidates = candidates;
    m_metric = metric;
    // The objective first, then every other metric any candidate reports, in a stable order.
    m_metricColumns = {metric.isEmpty() ? tr("Objective") : metric};
    QStringList others;
    for (const automl::Candidate &c : candidates)
        for (auto it = c.metrics.constBegin(); it != c.metrics.constEnd(); ++it)
            if (it.key() != metric && !others.contains(it.key()))
                others << it.key();
    others.sort();
    m_metricColumns << others;

    QStringList headers{tr("Rank"), tr("Candidate"), tr("Algorithm")};
    headers << m_metricColumns << tr("Train time (s)") << tr("Predict (µs/row)") << tr("Host") << tr("State");
    clear();
    setColumnCount(int(headers.size()));
    setHorizontalHeaderLabels(headers);
    int rank = 0;
    for (const automl::Candidate &c : candidates) {
        const bool ranked = c.state.compare(QLatin1String("finished"), Qt::CaseInsensitive) == 0 && std::isfinite(c.objective);
        QList<QStandardItem *> row;
        auto *rankItem = new QStandardItem(ranked ? QString::number(++rank) : QString());
        rankItem->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        rankItem->setData(c.runUuid, kRunRole);
        rankItem->setToolTip(tr("Candidate %1").arg(c.index));
        row << rankItem;
        auto *name = new QStandardItem(c.name());
        name->setToolTip(tr("Its run is a child of the AutoML run; an ensemble names its members this way"));
        row << name;
        auto *algorithm = new QStandardItem(algorithmText(c));
        QStringList params;
        for (auto it = c.params.constBegin(); it != c.params.constEnd(); ++it)
            if (!it.value().isArray() && !it.value().isObject())
                params << QStringLiteral("%1=%2").arg(it.key(), it.value().toVariant().toString());
        algorithm->setToolTip(params.join(QLatin1Char('\n')));
        row << algorithm;
        row << numberItem(c.objective, 6);
        for (int i = 1; i < m_metricColumns.size(); ++i)
            row << numberItem(c.metrics.value(m_metricColumns.at(i), std::numeric_limits<double>::quiet_NaN()));
        // Times in fixed notation: 20700.0 µs reads better than 2.07e+04.
        // Times are known once a candidate has been scored; blank while it trains.
        const double nan = std::numeric_limits<double>::quiet_NaN();
        row << numberItem(ranked || c.trainSeconds > 0 ? c.trainSeconds : nan, 2, 'f');
        row << numberItem(ranked || c.predictMicrosPerRow > 0 ? c.predictMicrosPerRow : nan, 1, 'f');
        // The ensemble is built on this machine from its members' out-of-fold predictions.
        auto *host = new QStandardItem(c.ensemble ? QString() : c.host);
        host->setToolTip(c.ensemble ? tr("Built on this machine from its members' predictions") : tr("The host its training jobs ran on"));
        row << host;
        auto *state = new QStandardItem(stateText(c.state));
        state->setToolTip(c.message);
        row << state;
        if (rank == 1 && ranked)
            for (QStandardItem *item : row) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
            }
        appendRow(row);
    }
}

} // namespace cairn::panels
