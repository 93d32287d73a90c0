// Monitoring runs over captured windows, comparisons of two tables, and schedules.
#include "cairn/monitor/monitoringrun.h"

#include "cairn/monitor/capture.h"
#include "cairn/data/csvreader.h"
#include "monitor/monitorutil.h"
#include "cairn/util/error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QLockFile>
#include <QTimeZone>

#include <cmath>

namespace cairn::monitor {

namespace {

QString key(const char *s)
{
    return QString::fromLatin1(s);
}

QString iso(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QDateTime fromIso(const QJsonValue &v)
{
    QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(v.toString(), Qt::ISODate);
    return t.isValid() ? t.toUTC() : QDateTime();
}

QString runsDir(const QString &ws, const QString &endpoint)
{
    return QDir(endpointMonitoringDir(ws, endpoint)).filePath(QStringLiteral("runs"));
}

/// Metrics where a lower value is better.
bool lowerIsBetter(const QString &metric)
{
    return metric == QLatin1String("rmse") || metric == QLatin1String("mae") || metric == QLatin1String("mse") || metric == QLatin1String("log_loss");
}

QString qualityMarkdown(const QualityMetrics &q, const QString &title)
{
    if (q.isEmpty())
        return {};
    QString s = QStringLiteral("## %1 (%2, %3 rows%4)\n\n").arg(title, q.problemType).arg(q.count).arg(q.estimated ? QStringLiteral(", estimated from probabilities") : QString());
    for (auto it = q.metrics.cbegin(); it != q.metrics.cend(); ++it)
        s += QStringLiteral("- %1: %2\n").arg(it.key()).arg(it.value(), 0, 'f', 4);
    return s + QLatin1Char('\n');
}

/// report.md and report.html of a run.
void writeReports(const MonitoringRun &run, const DriftReport &drift, const DriftReport &predictionDrift)
{
    const QString title = run.endpoint.isEmpty() ? QStringLiteral("Comparison") : QStringLiteral("Monitoring run %1 of %2").arg(run.id, run.endpoint);
    QString head;
    if (run.windowStart.isValid())
        head += QStringLiteral("Window: %1 – %2 · %3 captured records, %4 rows, %5 malformed lines skipped\n\n")
                    .arg(iso(run.windowStart), iso(run.windowEnd)).arg(run.records).arg(run.rows).arg(run.malformedLines);
    head += QStringLiteral("Status: **%1**%2\n\n").arg(run.status, run.error.isEmpty() ? QString() : QStringLiteral(" — ") + run.error);
    if (!run.violations.isEmpty()) {
        head += QStringLiteral("## Violations\n\n| feature | check | description |\n|---|---|---|\n");
        for (const Violation &v : run.violations)
            head += QStringLiteral("| %1 | %2 | %3 |\n").arg(v.featureName, v.checkType, v.description);
        head += QLatin1Char('\n');
    }
    head += qualityMarkdown(run.quality, QStringLiteral("Model quality"));
    if (run.quality.estimated == false && !run.estimatedQuality.isEmpty())
        head += qualityMarkdown(run.estimatedQuality, QStringLiteral("Estimated quality (CBPE)"));
    QString md = QStringLiteral("# %1\n\n").arg(title) + head + drift.toMarkdown(QStringLiteral("Input drift")).replace(QStringLiteral("# Input drift"), QStringLiteral("## Input drift"));
    if (!predictionDrift.features.isEmpty())
        md += QLatin1Char('\n') + predictionDrift.toMarkdown(QStringLiteral("Prediction drift")).replace(QStringLiteral("# Prediction drift"), QStringLiteral("## Prediction drift"));
    writeFileAtomically(QDir(run.directory).filePath(QStringLiteral("report.md")), md.toUtf8());

    QString html = drift.toHtml(title);
    QString extra = QStringLiteral("<p>Status: <b>%1</b> %2</p>").arg(run.status.toHtmlEscaped(), run.error.toHtmlEscaped());
    if (run.windowStart.isValid())
        extra += QStringLiteral("<p>Window %1 – %2: %3 records, %4 rows, %5 malformed lines skipped.</p>")
                     .arg(iso(run.windowStart), iso(run.windowEnd)).arg(run.records).arg(run.rows).arg(run.malformedLines);
    if (!run.violations.isEmpty()) {
        extra += QStringLiteral("<h2>Violations</h2><table><tr><th>feature</th><th>check</th><th>description</th></tr>");
        for (const Violation &v : run.violations)
            extra += QStringLiteral("<tr><td>%1</td><td>%2</td><td style=\"text-align:left\">%3</td></tr>")
                         .arg(v.featureName.toHtmlEscaped(), v.checkType.toHtmlEscaped(), v.description.toHtmlEscaped());
        extra += QStringLiteral("</table>");
    }
    for (const QualityMetrics *q : {&run.quality, &run.estimatedQuality}) {
        if (q->isEmpty() || (q == &run.estimatedQuality && run.quality.estimated))
            continue;
        extra += QStringLiteral("<h2>%1</h2><ul>").arg(q->estimated ? QStringLiteral("Estimated quality (CBPE)") : QStringLiteral("Model quality"));
        for (auto it = q->metrics.cbegin(); it != q->metrics.cend(); ++it)
            extra += QStringLiteral("<li>%1: %2</li>").arg(it.key().toHtmlEscaped()).arg(it.value(), 0, 'f', 4);
        extra += QStringLiteral("</ul>");
    }
    extra += QStringLiteral("<h2>Input drift</h2>");
    html.replace(QStringLiteral("</h1>"), QStringLiteral("</h1>") + extra);
    if (!predictionDrift.features.isEmpty()) {
        QString p = predictionDrift.toHtml(QStringLiteral("Prediction drift"));
        const qsizetype b = p.indexOf(QStringLiteral("<h1>")), e = p.lastIndexOf(QStringLiteral("</body>"));
        html.replace(QStringLiteral("</body>"), p.mid(b, e - b).replace(QStringLiteral("h1>"), QStringLiteral("h2>")) + QStringLiteral("</body>"));
    }
    writeFileAtomically(QDir(run.directory).filePath(QStringLiteral("report.html")), html.toUtf8());
}

void summarise(MonitoringRun &run, const DriftReport &drift, const DriftReport &predictionDrift)
{
    for (const FeatureDrift &f : drift.features) {
        run.featureScores.insert(f.name, f.score());
        if (f.drifted)
            run.driftedFeatures << f.name;
    }
    for (const FeatureDrift &f : predictionDrift.features)
        if (f.drifted)
            run.driftedOutputs << f.name;
    run.status = run.violations.isEmpty() ? QStringLiteral("Completed") : QStringLiteral("CompletedWithViolations");
}

void writeRun(const MonitoringRun &run)
{
    writeJsonObject(QDir(run.directory).filePath(QStringLiteral("run.json")), run.toJson());
}

/// A fresh run folder named by the UTC start time (a suffix when two start in one second).
QString newRunDir(const QString &parent, const QDateTime &started, QString *id)
{
    const QString base = started.toUTC().toString(QStringLiteral("yyyyMMddTHHmmssZ"));
    QString name = base;
    for (int k = 2; QFileInfo::exists(QDir(parent).filePath(name)); ++k)
        name = QStringLiteral("%1-%2").arg(base).arg(k);
    const QString dir = QDir(parent).filePath(name);
    if (!QDir().mkpath(dir))
        throw Error(QStringLiteral("cannot create %1").arg(dir));
    *id = name;
    return dir;
}

} // namespace

QJsonObject MonitoringRun::toJson() const
{
    QJsonArray v;
    for (const Violation &x : violations)
        v.append(x.toJson());
    QJsonObject scores;
    for (auto it = featureScores.cbegin(); it != featureScores.cend(); ++it)
        scores.insert(it.key(), std::isfinite(it.value()) ? QJsonValue(it.value()) : QJsonValue());
    return {{key("id"), id},
            {key("endpoint"), endpoint},
            {key("status"), status},
            {key("error"), error},
            {key("started"), iso(started)},
            {key("finished"), iso(finished)},
            {key("window_start"), iso(windowStart)},
            {key("window_end"), iso(windowEnd)},
            {key("records"), double(records)},
            {key("rows"), double(rows)},
            {key("malformed_lines"), double(malformedLines)},
            {key("violations"), v},
            {key("feature_scores"), scores},
            {key("drifted_features"), QJsonArray::fromStringList(driftedFeatures)},
            {key("drifted_outputs"), QJsonArray::fromStringList(driftedOutputs)},
            {key("quality"), quality.toJson()},
            {key("estimated_quality"), estimatedQuality.toJson()}};
}

MonitoringRun MonitoringRun::fromJson(const QJsonObject &o)
{
    MonitoringRun r;
    r.id = o.value(key("id")).toString();
    r.endpoint = o.value(key("endpoint")).toString();
    r.status = o.value(key("status")).toString();
    r.error = o.value(key("error")).toString();
    r.started = fromIso(o.value(key("started")));
    r.finished = fromIso(o.value(key("finished")));
    r.windowStart = fromIso(o.value(key("window_start")));
    r.windowEnd = fromIso(o.value(key("window_end")));
    r.records = qint64(o.value(key("records")).toDouble());
    r.rows = qint64(o.value(key("rows")).toDouble());
    r.malformedLines = qint64(o.value(key("malformed_lines")).toDouble());
    r.violations = violationsFromJson(o);
    const QJsonObject scores = o.value(key("feature_scores")).toObject();
    for (auto it = scores.begin(); it != scores.end(); ++it)
        r.featureScores.insert(it.key(), it.value().isDouble() ? it.value().toDouble() : qQNaN());
    for (const QJsonValue &x : o.value(key("drifted_features")).toArray())
        r.driftedFeatures << x.toString();
    for (const QJsonValue &x : o.value(key("drifted_outputs")).toArray())
        r.driftedOutputs << x.toString();
    r.quality = QualityMetrics::fromJson(o.value(key("quality")).toObject());
    r.estimatedQuality = QualityMetrics::fromJson(o.value(key("estimated_quality")).toObject());
    return r;
}

DriftReport MonitoringRun::drift() const
{
    const QString p = QDir(directory).filePath(QStringLiteral("drift.json"));
    return QFileInfo(p).isFile() ? DriftReport::fromJson(readJsonObject(p)) : DriftReport();
}

DriftReport MonitoringRun::predictionDrift() const
{
    const QString p = QDir(directory).filePath(QStringLiteral("prediction_drift.json"));
    return QFileInfo(p).isFile() ? DriftReport::fromJson(readJsonObject(p)) : DriftReport();
}

QString MonitoringRun::reportPath() const
{
    return QDir(directory).filePath(QStringLiteral("report.html"));
}

namespace {

/// Drift options with the constraints' thresholds (comparison_threshold, per-feature overrides).
DriftOptions withConstraints(DriftOptions o, const Constraints &c)
{
    o.distanceThreshold = c.config.comparisonThreshold;
    for (const FeatureConstraint &f : c.features) {
        const double t = f.threshold(QStringLiteral("comparison_threshold"), -1);
        if (t >= 0)
            o.featureThresholds.insert(f.name, t);
    }
    return o;
}

/// model_quality_check: a measured metric worse than the baseline's by more than the threshold.
void checkQuality(const Baseline &baseline, const QualityMetrics &q, QList<Violation> &out)
{
    if (q.isEmpty() || q.estimated)
        return;
    const double drop = baseline.constraints.config.qualityDropThreshold;
    for (auto it = q.metrics.cbegin(); it != q.metrics.cend(); ++it) {
        const QJsonValue b = baseline.quality.value(it.key());
        if (!b.isDouble())
            continue;
        const double base = b.toDouble(), now = it.value();
        const bool worse = lowerIsBetter(it.key()) ? now > base * (1 + drop) : now < base - drop;
        if (worse)
            out << Violation{QStringLiteral("model"), QStringLiteral("model_quality_check"),
                             QStringLiteral("%1 is %2 on %3 labelled rows; the baseline's is %4 (allowed change: %5%6).")
                                 .arg(it.key()).arg(now, 0, 'f', 4).arg(q.count).arg(base, 0, 'f', 4)
                                 .arg(lowerIsBetter(it.key()) ? drop * 100 : drop, 0, 'g', 3)
                                 .arg(lowerIsBetter(it.key()) ? QStringLiteral("%") : QString())};
    }
}

} // namespace

MonitoringRun runMonitoring(const MonitoringRunOptions &options)
{
    MonitoringRun run;
    run.endpoint = options.endpoint;
    run.started = QDateTime::currentDateTimeUtc();
    run.windowEnd = options.windowEnd.isValid() ? options.windowEnd.toUTC() : run.started;
    run.windowStart = options.windowStart.isValid() ? options.windowStart.toUTC() : run.windowEnd.addSecs(-3600);
    run.directory = newRunDir(runsDir(options.workspacePath, options.endpoint), run.started, &run.id);
    try {
        const QString baselineDir = options.baselineDirectory.isEmpty()
                                        ? QDir(endpointMonitoringDir(options.workspacePath, options.endpoint)).filePath(QStringLiteral("baseline"))
                                        : options.baselineDirectory;
        const Baseline baseline = Baseline::load(baselineDir);
        const CaptureWindow window = readCapture(captureDir(options.workspacePath, options.endpoint), run.windowStart, run.windowEnd);
        run.records = window.records.size();
        QList<MalformedLine> malformed = window.malformed;
        QStringList columns;
        for (const FeatureStatistics &f : baseline.statistics.features)
            columns << f.name;
        const data::Table inputs = capturedInputs(window, columns, {}, nullptr, &malformed);
        QStringList outputIds;
        const data::Table outputs = capturedOutputs(window, &outputIds, &malformed);
        run.malformedLines = malformed.size();
        run.rows = inputs.rowCount();
        if (!malformed.isEmpty()) {
            QByteArray lines;
            for (const MalformedLine &m : malformed)
                lines += QStringLiteral("%1:%2: %3\n").arg(m.file).arg(m.line).arg(m.reason).toUtf8();
            writeFileAtomically(QDir(run.directory).filePath(QStringLiteral("malformed.txt")), lines);
        }
        if (inputs.rowCount() == 0)
            throw Error(QStringLiteral("no captured rows between %1 and %2 (%3 records, %4 malformed lines)")
                            .arg(iso(run.windowStart), iso(run.windowEnd)).arg(run.records).arg(run.malformedLines));

        const Statistics current = computeStatistics(inputs);
        const DriftReport drift = computeDrift(baseline.reference(), inputs, withConstraints(options.drift, baseline.constraints));
        run.violations = checkConstraints(baseline, current, inputs, drift);

        // Prediction drift: against the baseline's own predictions when it has them.
        DriftReport predictionDrift;
        const QString refOutputs = QDir(baseline.directory).filePath(QStringLiteral("outputs.csv"));
        if (QFileInfo(refOutputs).isFile() && outputs.rowCount() > 0) {
            const data::Table reference = data::CsvReader::read(refOutputs);
            data::Table currentOut;
            for (const data::Column &c : outputs.columns)
                if (reference.indexOf(c.name) >= 0)
                    currentOut.columns << c;
            if (currentOut.columnCount() > 0)
                predictionDrift = computeDrift(reference, currentOut, options.drift);
            for (const FeatureDrift &f : predictionDrift.features)
                if (f.drifted)
                    run.violations << Violation{f.name, QStringLiteral("baseline_drift_check"),
                                                QStringLiteral("Prediction drift in the model's output '%1': %2 %3 (threshold %4).")
                                                    .arg(f.name, f.method).arg(f.score(), 0, 'g', 4).arg(f.threshold)};
        }

        run.estimatedQuality = estimateQuality(outputs);
        if (!options.groundTruth.isEmpty())
            run.quality = measureQuality(outputs, outputIds, loadGroundTruth(options.groundTruth));
        if (run.quality.isEmpty())
            run.quality = run.estimatedQuality;
        checkQuality(baseline, run.quality, run.violations);

        current.save(QDir(run.directory).filePath(QStringLiteral("statistics.json")));
        saveViolations(run.violations, QDir(run.directory).filePath(QStringLiteral("constraint_violations.json")));
        writeJsonObject(QDir(run.directory).filePath(QStringLiteral("drift.json")), drift.toJson());
        if (!predictionDrift.features.isEmpty())
            writeJsonObject(QDir(run.directory).filePath(QStringLiteral("prediction_drift.json")), predictionDrift.toJson());
        summarise(run, drift, predictionDrift);
        run.finished = QDateTime::currentDateTimeUtc();
        writeReports(run, drift, predictionDrift);
    } catch (const Error &e) {
        run.status = QStringLiteral("Failed");
        run.error = e.message();
        run.finished = QDateTime::currentDateTimeUtc();
    }
    writeRun(run);
    return run;
}

MonitoringRun compareTables(const data::Table &reference, const data::Table &current, const QString &outputDirectory, const DriftOptions &options)
{
    MonitoringRun run;
    run.started = QDateTime::currentDateTimeUtc();
    run.id = run.started.toString(QStringLiteral("yyyyMMddTHHmmssZ"));
    run.directory = outputDirectory;
    run.rows = current.rowCount();
    Baseline baseline;
    baseline.statistics = computeStatistics(reference);
    baseline.constraints = suggestConstraints(baseline.statistics);
    const Statistics stats = computeStatistics(current);
    const DriftReport drift = computeDrift(reference, current, withConstraints(options, baseline.constraints));
    run.violations = checkConstraints(baseline, stats, current, drift);
    summarise(run, drift, {});
    run.finished = QDateTime::currentDateTimeUtc();
    if (!outputDirectory.isEmpty()) {
        if (!QDir().mkpath(outputDirectory))
            throw Error(QStringLiteral("cannot create %1").arg(outputDirectory));
        baseline.statistics.save(QDir(outputDirectory).filePath(QStringLiteral("baseline_statistics.json")));
        baseline.constraints.save(QDir(outputDirectory).filePath(QStringLiteral("constraints.json")));
        stats.save(QDir(outputDirectory).filePath(QStringLiteral("statistics.json")));
        saveViolations(run.violations, QDir(outputDirectory).filePath(QStringLiteral("constraint_violations.json")));
        writeJsonObject(QDir(outputDirectory).filePath(QStringLiteral("drift.json")), drift.toJson());
        writeReports(run, drift, {});
        writeRun(run);
    }
    return run;
}

QList<MonitoringRun> listRuns(const QString &workspacePath, const QString &endpoint)
{
    QList<MonitoringRun> runs;
    const QDir dir(runsDir(workspacePath, endpoint));
    for (const QString &name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        try {
            MonitoringRun r = MonitoringRun::fromJson(readJsonObject(dir.filePath(name + QStringLiteral("/run.json"))));
            r.directory = dir.filePath(name);
            runs << r;
        } catch (const Error &) {
            // A run still being written, or broken: not listed.
        }
    }
    return runs;
}

QStringList monitoredEndpoints(const QString &workspacePath)
{
    return QDir(monitoringRoot(workspacePath)).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
}

qint64 MonitoringSchedule::periodSeconds() const
{
    return frequency == QLatin1String("daily") ? 86400 : 3600;
}

QDateTime MonitoringSchedule::nextRun(const QDateTime &now) const
{
    return lastRun.isValid() ? lastRun.addSecs(periodSeconds()) : now;
}

bool MonitoringSchedule::isDue(const QDateTime &now) const
{
    return enabled && nextRun(now) <= now;
}

QJsonObject MonitoringSchedule::toJson() const
{
    return {{key("endpoint"), endpoint},   {key("frequency"), frequency},   {key("baseline"), baselineDirectory},
            {key("ground_truth"), groundTruth}, {key("enabled"), enabled}, {key("last_run"), iso(lastRun)}};
}

MonitoringSchedule MonitoringSchedule::fromJson(const QJsonObject &o)
{
    MonitoringSchedule s;
    s.endpoint = o.value(key("endpoint")).toString();
    s.frequency = o.value(key("frequency")).toString(QStringLiteral("hourly"));
    s.baselineDirectory = o.value(key("baseline")).toString();
    s.groundTruth = o.value(key("ground_truth")).toString();
    s.enabled = o.value(key("enabled")).toBool(true);
    s.lastRun = fromIso(o.value(key("last_run")));
    return s;
}

QString MonitoringSchedule::pathOf(const QString &workspacePath, const QString &endpoint)
{
    return QDir(endpointMonitoringDir(workspacePath, endpoint)).filePath(QStringLiteral("schedule.json"));
}

std::optional<MonitoringSchedule> MonitoringSchedule::load(const QString &workspacePath, const QString &endpoint)
{
    const QString p = pathOf(workspacePath, endpoint);
    if (!QFileInfo(p).isFile())
        return std::nullopt;
    MonitoringSchedule s = fromJson(readJsonObject(p));
    s.endpoint = endpoint;
    return s;
}

void MonitoringSchedule::save(const QString &workspacePath) const
{
    if (frequency != QLatin1String("hourly") && frequency != QLatin1String("daily"))
        throw Error(QStringLiteral("schedule frequency '%1': use hourly or daily").arg(frequency));
    writeJsonObject(pathOf(workspacePath, endpoint), toJson());
}

void MonitoringSchedule::remove(const QString &workspacePath, const QString &endpoint)
{
    QFile::remove(pathOf(workspacePath, endpoint));
}

QList<MonitoringSchedule> MonitoringSchedule::list(const QString &workspacePath)
{
    QList<MonitoringSchedule> out;
    for (const QString &e : monitoredEndpoints(workspacePath)) {
        try {
            if (auto s = load(workspacePath, e))
                out << *s;
        } catch (const Error &) {
        }
    }
    return out;
}

QList<MonitoringRun> runDueSchedules(const QString &workspacePath, const QDateTime &now)
{
    QList<MonitoringRun> runs;
    for (const MonitoringSchedule &listed : MonitoringSchedule::list(workspacePath)) {
        if (!listed.isDue(now))
            continue;
        // The studio and a daemon may both fire: the lock and a fresh read decide who runs it.
        QLockFile lock(QDir(endpointMonitoringDir(workspacePath, listed.endpoint)).filePath(QStringLiteral("schedule.lock")));
        lock.setStaleLockTime(0);
        if (!lock.tryLock(0))
            continue;
        std::optional<MonitoringSchedule> s = MonitoringSchedule::load(workspacePath, listed.endpoint);
        if (!s || !s->isDue(now))
            continue;
        MonitoringRunOptions o;
        o.workspacePath = workspacePath;
        o.endpoint = s->endpoint;
        o.baselineDirectory = s->baselineDirectory;
        o.groundTruth = s->groundTruth;
        o.windowEnd = now.toUTC();
        const QDateTime earliest = o.windowEnd.addSecs(-s->periodSeconds());
        o.windowStart = s->lastRun.isValid() && s->lastRun > earliest ? s->lastRun : earliest;
        runs << runMonitoring(o);
        s->lastRun = o.windowEnd;
        s->save(workspacePath);
    }
    return runs;
}

} // namespace cairn::monitor
