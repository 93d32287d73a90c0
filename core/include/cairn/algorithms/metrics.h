#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

#include <vector>

namespace cairn {

class JobContext;

struct ClassificationMetrics
{
    int classes = 0;
    double accuracy = 0;
    double balancedAccuracy = 0;
    double precision = 0;  ///< binary: of class 1; multiclass: macro average
    double recall = 0;     ///< binary: of class 1; multiclass: macro average
    double f1 = 0;         ///< binary: of class 1; multiclass: macro average
    double f1Macro = 0;
    double auc = 0;        ///< binary ROC AUC; multiclass: macro one-vs-rest
    double logLoss = 0;
    std::vector<std::vector<qint64>> confusion; ///< [truth][predicted]
    QMap<QString, double> values() const;
};

/// truth: class index per row; probabilities: rows × classes, row-major.
ClassificationMetrics classificationMetrics(const std::vector<int> &truth, const std::vector<float> &probabilities, int classes);
/// ROC AUC of scores for a 0/1 truth (ties get half credit); NaN when one class is absent.
double rocAuc(const std::vector<int> &truth, const std::vector<double> &scores);

struct RegressionMetrics
{
    double mse = 0, rmse = 0, mae = 0, r2 = 0;
    QMap<QString, double> values() const;
};
RegressionMetrics regressionMetrics(const std::vector<double> &truth, const std::vector<double> &predicted);

/// Confusion matrix as CSV with class names on both axes (rows: truth, columns: predicted).
QString confusionMatrixCsv(const ClassificationMetrics &m, const QStringList &classes);

/// Logs every value as "<prefix>.<name>" at `step`; with `confusionFile` also writes the
/// confusion matrix there (under the output folder) and announces it as an artifact.
void reportClassification(JobContext &context, const QString &prefix, const ClassificationMetrics &m,
                          const QStringList &classes, qint64 step, const QString &confusionFile = {});
void reportRegression(JobContext &context, const QString &prefix, const RegressionMetrics &m, qint64 step);

} // namespace cairn
