#include "cairn/algorithms/predictionscsv.h"

#include "cairn/algorithms/explain.h"
#include "cairn/data/csvwriter.h"
#include "cairn/data/table.h"

namespace cairn {

QByteArray predictionsCsv(const Predictions &p, const data::Table *input, const QStringList &keep, const Contributions *contributions)
{
    QStringList header = keep;
    header << (p.task == Task::Clustering ? QStringLiteral("cluster") : QStringLiteral("prediction"));
    const bool probabilities = !p.probabilities.empty() && isClassification(p.task);
    if (probabilities)
        for (const QString &cls : p.classes)
            header << QStringLiteral("probability_") + cls;
    if (contributions) {
        for (const QString &f : contributions->features)
            header << QStringLiteral("contribution_") + f;
        header << QStringLiteral("contribution_base");
    }
    QByteArray out = data::csvLine(header);
    const qsizetype k = p.classes.size();
    for (qsizetype r = 0; r < p.rows(); ++r) {
        QStringList fields;
        for (const QString &col : keep)
            fields << input->column(col).text(r);
        if (p.task == Task::Regression)
            fields << QString::number(p.values[size_t(r)], 'g', 10);
        else if (p.task == Task::Clustering)
            fields << QString::number(p.labels[size_t(r)]);
        else
            fields << p.classes.value(p.labels[size_t(r)]);
        if (probabilities)
            for (qsizetype j = 0; j < k; ++j)
                fields << QString::number(p.probabilities[size_t(r * k + j)], 'g', 6);
        if (contributions) {
            for (qsizetype j = 0; j < contributions->features.size(); ++j)
                fields << QString::number(contributions->value(r, j), 'g', 8);
            fields << QString::number(contributions->base[size_t(r)], 'g', 8);
        }
        out += data::csvLine(fields);
    }
    return out;
}

} // namespace cairn
