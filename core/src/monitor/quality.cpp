// Model quality per window: measured from ground truth merged by event id, or estimated
// from calibrated probabilities (confidence-based performance estimation) before labels come.
#include "cairn/monitor/quality.h"

#include "cairn/algorithms/metrics.h"
#include "cairn/data/csvreader.h"
#include "cairn/util/error.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cairn::monitor {

namespace {

QString key(const char *s)
{
    return QString::fromLatin1(s);
}

/// The probability_<class> columns of the answers, in order.
QList<int> probabilityColumns(const data::Table &outputs, QStringList *classes)
{
    QList<int> cols;
    for (int i = 0; i < outputs.columnCount(); ++i) {
        const data::Column &c = outputs.columns.at(i);
        if (c.name.startsWith(QLatin1String("probability_")) && c.isNumeric()) {
            cols << i;
            if (classes)
                *classes << c.name.mid(12);
        }
    }
    return cols;
}

QString labelText(const QString &s)
{
    // "1.0" and "1" name the same class.
    bool ok = false;
    const double v = s.trimmed().toDouble(&ok);
    if (ok && std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
        return QString::number(qint64(v));
    return s.trimmed();
}

} // namespace

QJsonObject QualityMetrics::toJson() const
{
    QJsonObject m;
    for (auto it = metrics.cbegin(); it != metrics.cend(); ++it)
        if (std::isfinite(it.value()))
            m.insert(it.key(), it.value());
    return {{key("problem_type"), problemType}, {key("count"), double(count)}, {key("estimated"), estimated}, {key("metrics"), m}};
}

QualityMetrics QualityMetrics::fromJson(const QJsonObject &o)
{
    QualityMetrics q;
    q.problemType = o.value(key("problem_type")).toString();
    q.count = qint64(o.value(key("count")).toDouble());
    q.estimated = o.value(key("estimated")).toBool();
    const QJsonObject m = o.value(key("metrics")).toObject();
    for (auto it = m.begin(); it != m.end(); ++it)
        q.metrics.insert(it.key(), it.value().toDouble());
    return q;
}

QHash<QString, QString> loadGroundTruth(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("cannot read ground truth %1: %2").arg(path, f.errorString()));
    const QByteArray bytes = f.readAll();
    QHash<QString, QString> labels;
    const bool jsonLines = path.endsWith(QLatin1String(".jsonl")) || path.endsWith(QLatin1String(".json")) || bytes.trimmed().startsWith('{');
    if (jsonLines) {
        qint64 lineNo = 0;
        for (const QByteArray &line : bytes.split('\n')) {
            ++lineNo;
            if (line.trimmed().isEmpty())
                continue;
            QJsonParseError e;
            const QJsonDocument d = QJsonDocument::fromJson(line, &e);
            if (e.error != QJsonParseError::NoError || !d.isObject())
                throw Error(QStringLiteral("%1:%2: not a JSON object (%3)").arg(path).arg(lineNo).arg(e.errorString()));
            const QJsonObject o = d.object();
            QString id = o.value(key("eventMetadata")).toObject().value(key("eventId")).toString();
            if (id.isEmpty())
                id = o.value(key("eventMetadata")).toObject().value(key("inferenceId")).toString();
            if (id.isEmpty())
                id = o.value(key("eventId")).toString(o.value(key("inferenceId")).toString());
            QJsonValue label = o.value(key("groundTruthData")).toObject().value(key("data"));
            if (label.isUndefined())
                label = o.value(key("label"));
            if (label.isUndefined())
                label = o.value(key("groundTruth"));
            if (id.isEmpty() || label.isUndefined() || label.isNull())
                throw Error(QStringLiteral("%1:%2: needs an event id (eventMetadata.eventId) and a label (groundTruthData.data)").arg(path).arg(lineNo));
            labels.insert(id, label.isString() ? label.toString() : QString::number(label.toDouble(), 'g', 17));
        }
        return labels;
    }
    data::CsvOptions o;
    const data::Table t = data::CsvReader::parse(bytes, path, o);
    int idCol = -1, labelCol = -1;
    for (const char *n : {"eventId", "event_id", "inferenceId", "inference_id", "id"})
        if (idCol < 0)
            idCol = t.indexOf(QLatin1String(n));
    for (const char *n : {"label", "groundTruth", "ground_truth", "truth", "target", "actual"})
        if (labelCol < 0)
            labelCol = t.indexOf(QLatin1String(n));
    if (labelCol < 0 && t.columnCount() == 2 && idCol >= 0)
        labelCol = 1 - idCol;
    if (idCol < 0 || labelCol < 0)
        throw Error(QStringLiteral("%1: ground truth needs an eventId (or inferenceId) column and a label column (columns: %2)")
                        .arg(path, t.columnNames().join(QStringLiteral(", "))));
    const data::Column &ids = t.columns.at(idCol), &values = t.columns.at(labelCol);
    for (qsizetype r = 0; r < t.rowCount(); ++r)
        if (!ids.isMissing(r) && !values.isMissing(r))
            labels.insert(ids.text(r), values.text(r));
    return labels;
}

QualityMetrics measureQuality(const data::Table &outputs, const QStringList &eventIds, const QHash<QString, QString> &labels)
{
    QualityMetrics q;
    const int predCol = outputs.indexOf(QStringLiteral("prediction"));
    if (predCol < 0 || labels.isEmpty())
        return q;
    const data::Column &pred = outputs.columns.at(predCol);
    QStringList classes;
    const QList<int> probCols = probabilityColumns(outputs, &classes);
    std::vector<qsizetype> rows;
    for (qsizetype r = 0; r < outputs.rowCount() && r < eventIds.size(); ++r)
        if (labels.contains(eventIds.at(r)) && !pred.isMissing(r))
            rows.push_back(r);
    if (rows.empty())
        return q;

    if (probCols.isEmpty() && pred.isNumeric()) {
        // Regression.
        std::vector<double> truth, predicted;
        for (qsizetype r : rows) {
            bool ok = false;
            const double t = labels.value(eventIds.at(r)).toDouble(&ok);
            if (ok) {
                truth.push_back(t);
                predicted.push_back(pred.values[size_t(r)]);
            }
        }
        if (truth.empty())
            return q;
        const RegressionMetrics m = regressionMetrics(truth, predicted);
        q.problemType = QStringLiteral("regression");
        q.count = qint64(truth.size());
        q.metrics = {{QStringLiteral("rmse"), m.rmse}, {QStringLiteral("mae"), m.mae}, {QStringLiteral("r2"), m.r2}};
        return q;
    }

    // Classification: the classes of the probabilities, else those seen.
    if (classes.isEmpty()) {
        for (qsizetype r : rows) {
            for (const QString &s : {labelText(pred.text(r)), labelText(labels.value(eventIds.at(r)))})
                if (!classes.contains(s))
                    classes << s;
        }
        std::sort(classes.begin(), classes.end());
    }
    QStringList normalized;
    for (const QString &c : classes)
        normalized << labelText(c);
    std::vector<int> truth;
    std::vector<float> probabilities;
    const int k = int(classes.size());
    for (qsizetype r : rows) {
        const int t = int(normalized.indexOf(labelText(labels.value(eventIds.at(r)))));
        if (t < 0)
            continue; // a label the model cannot predict: left out
        truth.push_back(t);
        if (!probCols.isEmpty()) {
            for (int c : probCols)
                probabilities.push_back(float(outputs.columns.at(c).values[size_t(r)]));
        } else {
            const int p = int(normalized.indexOf(labelText(pred.text(r))));
            for (int c = 0; c < k; ++c)
                probabilities.push_back(c == p ? 1.0f : 0.0f);
        }
    }
    if (truth.empty() || k < 2)
        return q;
    const ClassificationMetrics m = classificationMetrics(truth, probabilities, k);
    q.problemType = k == 2 ? QStringLiteral("binary") : QStringLiteral("multiclass");
    q.count = qint64(truth.size());
    q.metrics = {{QStringLiteral("accuracy"), m.accuracy}, {QStringLiteral("f1"), m.f1}};
    if (!probCols.isEmpty())
        q.metrics.insert(QStringLiteral("auc"), m.auc);
    return q;
}

QualityMetrics estimateQuality(const data::Table &outputs)
{
    QualityMetrics q;
    QStringList classes;
    const QList<int> cols = probabilityColumns(outputs, &classes);
    const int k = int(cols.size());
    if (k < 2 || outputs.rowCount() == 0)
        return q;
    const qsizetype n = outputs.rowCount();
    std::vector<double> tp(size_t(k), 0), fp(size_t(k), 0), fn(size_t(k), 0);
    double expectedCorrect = 0;
    qsizetype used = 0;
    std::vector<std::pair<double, double>> scores; // binary: (score of class 1, its probability)
    for (qsizetype r = 0; r < n; ++r) {
        int best = 0;
        bool missing = false;
        for (int c = 0; c < k; ++c) {
            const double p = outputs.columns.at(cols[c]).values[size_t(r)];
            if (std::isnan(p))
                missing = true;
            else if (p > outputs.columns.at(cols[best]).values[size_t(r)])
                best = c;
        }
        if (missing)
            continue;
        ++used;
        // With calibrated probabilities, the chance that class c is the truth is p_c.
        for (int c = 0; c < k; ++c) {
            const double p = outputs.columns.at(cols[c]).values[size_t(r)];
            if (c == best) {
                tp[size_t(c)] += p;
                fp[size_t(c)] += 1 - p;
                expectedCorrect += p;
            } else {
                fn[size_t(c)] += p;
            }
        }
        if (k == 2) {
            const double p1 = outputs.columns.at(cols[1]).values[size_t(r)];
            scores.emplace_back(p1, p1);
        }
    }
    if (used == 0)
        return q;
    q.estimated = true;
    q.count = used;
    q.problemType = k == 2 ? QStringLiteral("binary") : QStringLiteral("multiclass");
    q.metrics.insert(QStringLiteral("accuracy"), expectedCorrect / double(used));
    auto f1 = [&](int c) {
        const double d = 2 * tp[size_t(c)] + fp[size_t(c)] + fn[size_t(c)];
        return d > 0 ? 2 * tp[size_t(c)] / d : 0.0;
    };
    if (k == 2) {
        q.metrics.insert(QStringLiteral("f1"), f1(1));
        // Expected ROC: walking the scores down, each row adds p to the true and 1-p to the false positives.
        std::sort(scores.begin(), scores.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
        double positives = 0, negatives = 0;
        for (const auto &s : scores) {
            positives += s.second;
            negatives += 1 - s.second;
        }
        if (positives > 0 && negatives > 0) {
            double auc = 0, cumTp = 0, cumFp = 0;
            for (size_t i = 0; i < scores.size();) {
                size_t j = i;
                double dTp = 0, dFp = 0;
                while (j < scores.size() && scores[j].first == scores[i].first) {
                    dTp += scores[j].second;
                    dFp += 1 - scores[j].second;
                    ++j;
                }
                auc += (dFp / negatives) * ((cumTp + (cumTp + dTp)) / 2 / positives);
                cumTp += dTp;
                cumFp += dFp;
                i = j;
            }
            q.metrics.insert(QStringLiteral("auc"), auc);
        }
    } else {
        double sum = 0;
        for (int c = 0; c < k; ++c)
            sum += f1(c);
        q.metrics.insert(QStringLiteral("f1"), sum / k);
    }
    return q;
}

} // namespace cairn::monitor
