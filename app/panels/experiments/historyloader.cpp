#include "historyloader.h"

#include "threadstore.h"

#include <QtConcurrent>

#include <numeric>

namespace cairn::panels {

QFuture<QList<RunHistory>> loadHistoriesAsync(const QString &databasePath, const QList<Run> &runs, const QString &key)
{
    return QtConcurrent::run([databasePath, runs, key] {
        QList<RunHistory> out;
        out.reserve(runs.size());
        for (const Run &run : runs) {
            RunHistory h;
            h.run = run;
            try {
                h.series = threadStore(databasePath).metricHistory(run.id, key);
            } catch (const std::exception &) {
                h.series.key = key;
            }
            out.append(std::move(h));
        }
        return out;
    });
}

void historyToXY(const RunHistory &history, XAxisKind kind, QList<double> &x, QList<double> &y)
{
    const MetricSeries &s = history.series;
    const qsizetype n = s.values.size();
    x.resize(n);
    y = s.values;
    for (qsizetype i = 0; i < n; ++i) {
        switch (kind) {
        case XAxisKind::Step: x[i] = double(s.steps.at(i)); break;
        case XAxisKind::RelativeSeconds: x[i] = (s.timestamps.at(i) - history.run.startTime) / 1000.0; break;
        case XAxisKind::WallTime: x[i] = s.timestamps.at(i) / 1000.0; break;
        }
    }
    if (kind != XAxisKind::Step) {
        // Points come ordered by step; time order can differ (resumed runs): sort by x.
        if (!std::is_sorted(x.cbegin(), x.cend())) {
            QList<qsizetype> order(n);
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) { return x.at(a) < x.at(b); });
            QList<double> sx(n), sy(n);
            for (qsizetype i = 0; i < n; ++i) {
                sx[i] = x.at(order.at(i));
                sy[i] = y.at(order.at(i));
            }
            x = sx;
            y = sy;
        }
    }
}

} // namespace cairn::panels
