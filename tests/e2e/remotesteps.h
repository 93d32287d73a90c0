#pragma once
// Exactly-once checks for jobs on SSH hosts: the metric steps the worker wrote into its events
// file on the host against the steps the local store holds.

#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPair>
#include <QSet>
#include <QTest>

/// Metric points of a run per key in the store: step → how many times stored.
inline QHash<qint64, int> storedMetricSteps(const QString &workspace, const QString &runUuid, const QString &key)
{
    cairn::Workspace ws(workspace);
    const cairn::Run run = ws.store().run(runUuid);
    QHash<qint64, int> steps;
    for (qint64 step : ws.store().metricHistory(run.id, key).steps)
        steps[step] += 1;
    return steps;
}

/// The steps of one metric in a worker's events file (on the host), and how many lines hold it.
inline QPair<QSet<qint64>, int> eventFileSteps(const QString &eventsFile, const QString &key)
{
    QSet<qint64> steps;
    int lines = 0;
    QFile f(eventsFile);
    if (!f.open(QIODevice::ReadOnly))
        return {steps, lines};
    for (const QByteArray &line : f.readAll().split('\n')) {
        const QJsonObject e = QJsonDocument::fromJson(line).object();
        if (e.value(QStringLiteral("type")).toString() == QLatin1String("metric") && e.value(QStringLiteral("key")).toString() == key) {
            steps.insert(qint64(e.value(QStringLiteral("step")).toDouble()));
            ++lines;
        }
    }
    return {steps, lines};
}

/// Every point of `key` the worker wrote is in the store, once (QVERIFY in the calling test).
inline void verifyStoredExactlyOnce(const QString &workspace, const QString &eventsFile, const QString &runUuid, const QString &key)
{
    const auto [steps, lines] = eventFileSteps(eventsFile, key);
    const QHash<qint64, int> stored = storedMetricSteps(workspace, runUuid, key);
    QVERIFY(lines > 0);
    QCOMPARE(steps.size(), lines);
    QCOMPARE(stored.size(), lines);
    for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
        QVERIFY2(it.value() == 1, qPrintable(QStringLiteral("%1 step %2 stored %3 times").arg(key).arg(it.key()).arg(it.value())));
        QVERIFY(steps.contains(it.key()));
    }
}
