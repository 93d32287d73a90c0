#include "cairn/store/runexport.h"

#include "cairn/data/csvwriter.h"
#include "cairn/store/experimentstore.h"

#include <QJsonArray>
#include <QLocale>
#include <QSet>

#include <cmath>

namespace cairn {

namespace {
const QStringList kAttributeColumns = {
    QStringLiteral("run_id"), QStringLiteral("name"), QStringLiteral("status"), QStringLiteral("start_time"),
    QStringLiteral("duration"), QStringLiteral("source_type"), QStringLiteral("source_ref"), QStringLiteral("host"),
    QStringLiteral("parent_run_id")};

QString attributeValue(const Run &run, const QString &name)
{
    if (name == QLatin1String("run_id")) return run.uuid;
    if (name == QLatin1String("name")) return run.name;
    if (name == QLatin1String("status")) return runStatusName(run.status);
    if (name == QLatin1String("start_time")) return formatTime(run.startTime);
    if (name == QLatin1String("end_time")) return formatTime(run.endTime);
    if (name == QLatin1String("duration")) return formatDuration(run.durationMs());
    if (name == QLatin1String("source_type")) return run.sourceType;
    if (name == QLatin1String("source_ref")) return run.sourceRef;
    if (name == QLatin1String("host")) return run.host;
    if (name == QLatin1String("parent_run_id")) return run.parentUuid;
    if (name == QLatin1String("experiment_id")) return QString::number(run.experimentId);
    if (name == QLatin1String("lifecycle")) return run.lifecycle == Lifecycle::Deleted ? QStringLiteral("deleted") : QStringLiteral("active");
    return {};
}

// The params, latest metric values and tags of a set of runs, read in three queries.
struct RunValues
{
    QHash<qint64, QHash<QString, QString>> params;
    QHash<qint64, QHash<QString, MetricSummary>> metrics;
    QHash<qint64, QHash<QString, QString>> tags;

    static RunValues load(ExperimentStore &store, const QList<Run> &runs)
    {
        QList<qint64> ids;
        for (const Run &r : runs)
            ids << r.id;
        return {store.paramsOf(ids), store.metricSummariesOf(ids), store.tagsOf(ids)};
    }

    template<typename Map>
    static QStringList sortedKeys(const QHash<qint64, Map> &byRun)
    {
        QSet<QString> keys;
        for (const auto &kv : byRun)
            for (auto it = kv.begin(); it != kv.end(); ++it)
                keys.insert(it.key());
        QStringList list(keys.begin(), keys.end());
        list.sort();
        return list;
    }

    /// "params.eta", "metrics.auc" (latest value), "tags.model", or an attribute column.
    QString value(const Run &run, const QString &column) const
    {
        if (column.startsWith(QLatin1String("params.")))
            return params.value(run.id).value(column.mid(7));
        if (column.startsWith(QLatin1String("metrics."))) {
            const auto summaries = metrics.value(run.id);
            const auto it = summaries.constFind(column.mid(8));
            return it == summaries.constEnd() ? QString() : formatMetricValue(it->last);
        }
        if (column.startsWith(QLatin1String("tags.")))
            return tags.value(run.id).value(column.mid(5));
        return attributeValue(run, column);
    }
};

QString alignedText(const QList<QStringList> &lines)
{
    if (lines.isEmpty())
        return {};
    QList<int> widths;
    for (const QStringList &line : lines)
        for (int i = 0; i < line.size(); ++i) {
            if (widths.size() <= i)
                widths << 0;
            widths[i] = std::max(widths[i], int(std::min<qsizetype>(line.at(i).size(), 48)));
        }
    QString out;
    for (const QStringList &line : lines) {
        QString row;
        for (int i = 0; i < line.size(); ++i) {
            QString cell = line.at(i);
            cell.replace(QLatin1Char('\n'), QLatin1Char(' '));
            if (cell.size() > 48)
                cell = cell.left(47) + QChar(0x2026);
            row += i + 1 < line.size() ? cell.leftJustified(widths.at(i) + 2) : cell;
        }
        out += row.trimmed().isEmpty() ? QString() : row + QLatin1Char('\n');
    }
    return out;
}
} // namespace

QString formatMetricValue(double value)
{
    if (std::isnan(value))
        return QStringLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity");
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

QJsonValue metricValueToJson(double value)
{
    if (std::isfinite(value))
        return value;
    return formatMetricValue(value);
}

QString formatTime(qint64 ms)
{
    if (ms <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(ms).toString(Qt::ISODate);
}

QString formatDuration(qint64 ms)
{
    if (ms < 0)
        return {};
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1 s").arg(QString::number(ms / 1000.0, 'f', 1));
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

QJsonObject runToJson(ExperimentStore &store, const Run &run, bool withHistory)
{
    QJsonObject o;
    o.insert(QStringLiteral("run_id"), run.uuid);
    o.insert(QStringLiteral("name"), run.name);
    o.insert(QStringLiteral("experiment_id"), run.experimentId);
    o.insert(QStringLiteral("status"), runStatusName(run.status));
    o.insert(QStringLiteral("start_time"), run.startTime);
    o.insert(QStringLiteral("end_time"), run.endTime > 0 ? QJsonValue(run.endTime) : QJsonValue());
    o.insert(QStringLiteral("source_type"), run.sourceType);
    o.insert(QStringLiteral("source_ref"), run.sourceRef);
    o.insert(QStringLiteral("host"), run.host);
    o.insert(QStringLiteral("parent_run_id"), run.parentUuid.isEmpty() ? QJsonValue() : QJsonValue(run.parentUuid));
    o.insert(QStringLiteral("lifecycle"), attributeValue(run, QStringLiteral("lifecycle")));
    QJsonObject params;
    for (const Param &p : store.params(run.id))
        params.insert(p.key, p.value);
    o.insert(QStringLiteral("params"), params);
    QJsonObject tags;
    for (const Tag &t : store.tags(run.id))
        tags.insert(t.key, t.value);
    o.insert(QStringLiteral("tags"), tags);
    QJsonObject metrics;
    for (const MetricSummary &s : store.metricSummaries(run.id)) {
        QJsonObject m;
        m.insert(QStringLiteral("last"), metricValueToJson(s.last));
        m.insert(QStringLiteral("step"), s.lastStep);
        m.insert(QStringLiteral("min"), metricValueToJson(s.min));
        m.insert(QStringLiteral("max"), metricValueToJson(s.max));
        m.insert(QStringLiteral("count"), s.count);
        if (withHistory) {
            const MetricSeries series = store.metricHistory(run.id, s.key);
            QJsonArray points;
            for (int i = 0; i < series.values.size(); ++i)
                points.append(QJsonObject{{QStringLiteral("step"), series.steps.at(i)},
                                          {QStringLiteral("timestamp"), series.timestamps.at(i)},
                                          {QStringLiteral("value"), metricValueToJson(series.values.at(i))}});
            m.insert(QStringLiteral("history"), points);
        }
        metrics.insert(s.key, m);
    }
    o.insert(QStringLiteral("metrics"), metrics);
    return o;
}

QStringList defaultRunColumns(ExperimentStore &store, const QList<Run> &runs, bool withKeys)
{
    QStringList columns = kAttributeColumns;
    if (!withKeys || runs.isEmpty())
        return columns;
    const RunValues values = RunValues::load(store, runs);
    for (const QString &key : RunValues::sortedKeys(values.params))
        columns << QStringLiteral("params.") + key;
    for (const QString &key : RunValues::sortedKeys(values.metrics))
        columns << QStringLiteral("metrics.") + key;
    for (const QString &key : RunValues::sortedKeys(values.tags))
        columns << QStringLiteral("tags.") + key;
    return columns;
}

RunTable buildRunTable(ExperimentStore &store, const QList<Run> &runs, const QStringList &columns)
{
    RunTable table;
    table.columns = columns;
    const RunValues values = RunValues::load(store, runs);
    for (const Run &run : runs) {
        QStringList row;
        for (const QString &column : columns)
            row << values.value(run, column);
        table.rows << row;
    }
    return table;
}

QString RunTable::toCsv() const
{
    QString out;
    auto line = [&](const QStringList &cells) {
        QStringList escaped;
        for (const QString &c : cells)
            escaped << data::csvField(c);
        out += escaped.join(QLatin1Char(',')) + QStringLiteral("\r\n");
    };
    line(columns);
    for (const QStringList &row : rows)
        line(row);
    return out;
}

QString RunTable::toText() const
{
    QList<QStringList> lines;
    QStringList header;
    for (const QString &c : columns)
        header << c.toUpper();
    lines << header;
    lines += rows;
    return alignedText(lines);
}

RunComparison compareRuns(ExperimentStore &store, const QList<Run> &runs)
{
    RunComparison cmp;
    cmp.runs = runs;
    const RunValues values = RunValues::load(store, runs);
    auto addRow = [&](const QString &section, const QString &key, const QString &column, bool flagDifferences) {
        RunComparison::Row row{section, key, {}, false};
        for (const Run &r : runs)
            row.values << values.value(r, column);
        for (const QString &v : std::as_const(row.values))
            row.differs = flagDifferences && (row.differs || v != row.values.first());
        cmp.rows << row;
    };
    for (const QString &attr : {QStringLiteral("name"), QStringLiteral("status"), QStringLiteral("start_time"),
                                QStringLiteral("duration"), QStringLiteral("source_type"), QStringLiteral("source_ref"),
                                QStringLiteral("host"), QStringLiteral("parent_run_id")})
        // Start and duration differ between any two runs: shown, never flagged.
        addRow(QStringLiteral("attributes"), attr, attr, attr != QLatin1String("start_time") && attr != QLatin1String("duration"));
    for (const QString &key : RunValues::sortedKeys(values.params))
        addRow(QStringLiteral("params"), key, QStringLiteral("params.") + key, true);
    for (const QString &key : RunValues::sortedKeys(values.metrics))
        addRow(QStringLiteral("metrics"), key, QStringLiteral("metrics.") + key, true);
    for (const QString &key : RunValues::sortedKeys(values.tags))
        addRow(QStringLiteral("tags"), key, QStringLiteral("tags.") + key, true);
    return cmp;
}

QJsonObject ComparisonRow::toJson() const
{
    QJsonArray valueArray;
    for (const QString &v : values)
        valueArray.append(v.isEmpty() ? QJsonValue() : QJsonValue(v));
    return QJsonObject{{QStringLiteral("section"), section},
                       {QStringLiteral("key"), key},
                       {QStringLiteral("values"), valueArray},
                       {QStringLiteral("differs"), differs}};
}

QJsonObject RunComparison::toJson() const
{
    QJsonArray runIds;
    for (const Run &r : runs)
        runIds.append(r.uuid);
    QJsonArray rowArray;
    for (const Row &row : rows)
        rowArray.append(row.toJson());
    return QJsonObject{{QStringLiteral("runs"), runIds}, {QStringLiteral("rows"), rowArray}};
}

QString RunComparison::toText(bool onlyDifferences) const
{
    QList<QStringList> lines;
    QStringList header{QStringLiteral("FIELD"), QString()};
    for (const Run &r : runs)
        header << r.uuid.left(8) + QStringLiteral(" ") + r.name;
    lines << header;
    for (const Row &row : rows) {
        if (onlyDifferences && !row.differs)
            continue;
        const QString field = row.section == QLatin1String("attributes") ? row.key : row.section + QLatin1Char('.') + row.key;
        lines << (QStringList{field, row.differs ? QStringLiteral("*") : QString()} + row.values);
    }
    return alignedText(lines);
}

} // namespace cairn
