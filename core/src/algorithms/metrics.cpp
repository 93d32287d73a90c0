#include "cairn/algorithms/metrics.h"

#include "cairn/algorithms/jobcontext.h"
#include "cairn/data/csvwriter.h"
#include "cairn/util/error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace cairn {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

QMap<QString, double> ClassificationMetrics::values() const
{
    QMap<QString, double> m{{QStringLiteral("accuracy"), accuracy},
                            {QStringLiteral("balanced_accuracy"), balancedAccuracy},
                            {QStringLiteral("precision"), precision},
                            {QStringLiteral("recall"), recall},
                            {QStringLiteral("f1"), f1},
                            {QStringLiteral("f1_macro"), f1Macro},
                            {QStringLiteral("log_loss"), logLoss}};
    if (!std::isnan(auc))
        m.insert(QStringLiteral("auc"), auc);
    return m;
}

QMap<QString, double> RegressionMetrics::values() const
{
    return {{QStringLiteral("mse"), mse}, {QStringLiteral("rmse"), rmse}, {QStringLiteral("mae"), mae}, {QStringLiteral("r2"), r2}};
}

double rocAuc(const std::vector<int> &truth, const std::vector<double> &scores)
{
    const size_t n = truth.size();
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
    // Mann-Whitney U with average ranks for ties.
    double rankSumPos = 0;
    qint64 pos = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j + 1 < n && scores[order[j + 1]] == scores[order[i]])
            ++j;
        const double avgRank = (double(i) + double(j)) / 2.0 + 1.0;
        for (size_t k = i; k <= j; ++k)
            if (truth[order[k]] == 1) {
                rankSumPos += avgRank;
                ++pos;
            }
        i = j + 1;
    }
    const qint64 neg = qint64(n) - pos;
    if (pos == 0 || neg == 0)
        return kNaN;
    return (rankSumPos - double(pos) * double(pos + 1) / 2.0) / (double(pos) * double(neg));
}

ClassificationMetrics classificationMetrics(const std::vector<int> &truth, const std::vector<float> &probabilities, int classes)
{
    ClassificationMetrics m;
    m.classes = classes;
    const size_t n = truth.size();
    if (classes < 2 || probabilities.size() != n * size_t(classes))
        throw Error(QStringLiteral("metrics: %1 probabilities for %2 rows of %3 classes").arg(probabilities.size()).arg(n).arg(classes));
    m.confusion.assign(size_t(classes), std::vector<qint64>(size_t(classes), 0));
    double ll = 0;
    qint64 correct = 0;
    for (size_t r = 0; r < n; ++r) {
        const float *p = probabilities.data() + r * size_t(classes);
        const int pred = int(std::max_element(p, p + classes) - p);
        const int t = truth[r];
        if (t < 0 || t >= classes)
            throw Error(QStringLiteral("metrics: class index %1 out of range").arg(t));
        ++m.confusion[size_t(t)][size_t(pred)];
        correct += pred == t ? 1 : 0;
        ll -= std::log(std::clamp(double(p[t]), 1e-15, 1.0));
    }
    m.accuracy = n ? double(correct) / double(n) : kNaN;
    m.logLoss = n ? ll / double(n) : kNaN;
    const size_t k = size_t(classes);
    std::vector<double> prec(k), rec(k), f1(k);
    double recallSum = 0;
    int present = 0;
    for (int c = 0; c < classes; ++c) {
        qint64 tp = m.confusion[size_t(c)][size_t(c)], predicted = 0, actual = 0;
        for (int k = 0; k < classes; ++k) {
            predicted += m.confusion[size_t(k)][size_t(c)];
            actual += m.confusion[size_t(c)][size_t(k)];
        }
        prec[size_t(c)] = predicted ? double(tp) / double(predicted) : 0;
        rec[size_t(c)] = actual ? double(tp) / double(actual) : 0;
        f1[size_t(c)] = prec[size_t(c)] + rec[size_t(c)] > 0 ? 2 * prec[size_t(c)] * rec[size_t(c)] / (prec[size_t(c)] + rec[size_t(c)]) : 0;
        if (actual) {
            recallSum += rec[size_t(c)];
            ++present;
        }
    }
    m.balancedAccuracy = present ? recallSum / present : kNaN;
    m.f1Macro = std::accumulate(f1.begin(), f1.end(), 0.0) / classes;
    if (classes == 2) {
        m.precision = prec[1];
        m.recall = rec[1];
        m.f1 = f1[1];
    } else {
        m.precision = std::accumulate(prec.begin(), prec.end(), 0.0) / classes;
        m.recall = std::accumulate(rec.begin(), rec.end(), 0.0) / classes;
        m.f1 = m.f1Macro;
    }
    // AUC: binary on P(class 1); multiclass: macro one-vs-rest over classes present.
    double aucSum = 0;
    int aucCount = 0;
    for (int c = (classes == 2 ? 1 : 0); c < classes; ++c) {
        std::vector<int> t(n);
        std::vector<double> s(n);
        for (size_t r = 0; r < n; ++r) {
            t[r] = truth[r] == c ? 1 : 0;
            s[r] = probabilities[r * size_t(classes) + size_t(c)];
        }
        const double a = rocAuc(t, s);
        if (!std::isnan(a)) {
            aucSum += a;
            ++aucCount;
        }
    }
    m.auc = aucCount ? aucSum / aucCount : kNaN;
    return m;
}

RegressionMetrics regressionMetrics(const std::vector<double> &truth, const std::vector<double> &predicted)
{
    RegressionMetrics m;
    const size_t n = truth.size();
    if (n == 0 || predicted.size() != n)
        return {kNaN, kNaN, kNaN, kNaN};
    double se = 0, ae = 0, mean = 0;
    for (size_t i = 0; i < n; ++i)
        mean += truth[i];
    mean /= double(n);
    double tss = 0;
    for (size_t i = 0; i < n; ++i) {
        const double e = predicted[i] - truth[i];
        se += e * e;
        ae += std::abs(e);
        tss += (truth[i] - mean) * (truth[i] - mean);
    }
    m.mse = se / double(n);
    m.rmse = std::sqrt(m.mse);
    m.mae = ae / double(n);
    m.r2 = tss > 0 ? 1.0 - se / tss : kNaN;
    return m;
}

QString confusionMatrixCsv(const ClassificationMetrics &m, const QStringList &classes)
{
    QString out = QStringLiteral("truth\\predicted");
    for (int c = 0; c < m.classes; ++c)
        out += QLatin1Char(',') + data::csvField(c < classes.size() ? classes.at(c) : QString::number(c));
    out += QLatin1Char('\n');
    for (int t = 0; t < m.classes; ++t) {
        out += data::csvField(t < classes.size() ? classes.at(t) : QString::number(t));
        for (int p = 0; p < m.classes; ++p)
            out += QLatin1Char(',') + QString::number(m.confusion[size_t(t)][size_t(p)]);
        out += QLatin1Char('\n');
    }
    return out;
}

void reportClassification(JobContext &context, const QString &prefix, const ClassificationMetrics &m,
                          const QStringList &classes, qint64 step, const QString &confusionFile)
{
    const auto values = m.values();
    for (auto it = values.begin(); it != values.end(); ++it)
        context.logMetric(prefix + QLatin1Char('.') + it.key(), it.value(), step);
    if (confusionFile.isEmpty())
        return;
    const QString path = QDir(context.outputDir()).filePath(confusionFile);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        context.log(QStringLiteral("cannot write the confusion matrix to %1: %2").arg(path, f.errorString()), LogLevel::Warning);
        return;
    }
    f.write(confusionMatrixCsv(m, classes).toUtf8());
    f.close();
    context.artifact(confusionFile, QStringLiteral("confusion-matrix"));
}

void reportRegression(JobContext &context, const QString &prefix, const RegressionMetrics &m, qint64 step)
{
    const auto values = m.values();
    for (auto it = values.begin(); it != values.end(); ++it)
        context.logMetric(prefix + QLatin1Char('.') + it.key(), it.value(), step);
}

} // namespace cairn
