// SageMaker Model Monitor's constraint checks, producing constraint_violations.json.
#include "cairn/monitor/checks.h"

#include "monitor/monitorutil.h"
#include "cairn/util/error.h"

#include <QJsonArray>
#include <QSet>

#include <cmath>

namespace cairn::monitor {

namespace {

QString key(const char *s)
{
    return QString::fromLatin1(s);
}

QString percent(double share)
{
    return QString::number(share * 100, 'f', 2) + QLatin1Char('%');
}

} // namespace

QJsonObject Violation::toJson() const
{
    return {{key("feature_name"), featureName}, {key("constraint_check_type"), checkType}, {key("description"), description}};
}

Violation Violation::fromJson(const QJsonObject &o)
{
    return {o.value(key("feature_name")).toString(), o.value(key("constraint_check_type")).toString(), o.value(key("description")).toString()};
}

QJsonObject violationsToJson(const QList<Violation> &violations)
{
    QJsonArray a;
    for (const Violation &v : violations)
        a.append(v.toJson());
    return {{key("violations"), a}};
}

QList<Violation> violationsFromJson(const QJsonObject &json)
{
    QList<Violation> out;
    for (const QJsonValue &v : json.value(key("violations")).toArray())
        out << Violation::fromJson(v.toObject());
    return out;
}

QList<Violation> loadViolations(const QString &path)
{
    return violationsFromJson(readJsonObject(path));
}

void saveViolations(const QList<Violation> &violations, const QString &path)
{
    writeJsonObject(path, violationsToJson(violations));
}

QList<Violation> checkConstraints(const Baseline &baseline, const Statistics &current, const data::Table &table, const DriftReport &drift)
{
    QList<Violation> out;
    const MonitoringConfig &config = baseline.constraints.config;
    if (!config.evaluateConstraints)
        return out;
    QSet<QString> known;
    for (const FeatureConstraint &c : baseline.constraints.features) {
        known.insert(c.name);
        const int col = table.indexOf(c.name);
        if (col < 0) {
            out << Violation{c.name, QStringLiteral("missing_column_check"),
                             QStringLiteral("There are missing columns in current dataset. Baseline column '%1' is not in the current data.").arg(c.name)};
            continue;
        }
        const data::Column &column = table.columns.at(col);
        const FeatureStatistics *stats = current.feature(c.name);
        const qint64 present = stats ? stats->numPresent : 0;

        // data_type_check: share of present values of the baseline's type.
        if (present > 0 && (c.inferredType == InferredType::Integral || c.inferredType == InferredType::Fractional)) {
            qint64 matching = 0;
            if (column.isNumeric()) {
                for (double v : column.values)
                    if (!std::isnan(v) && (c.inferredType == InferredType::Fractional || v == std::floor(v)))
                        ++matching;
            } else {
                std::vector<qint64> countsByCode(size_t(column.categories.size()), 0);
                for (std::int32_t code : column.codes)
                    if (code >= 0)
                        ++countsByCode[size_t(code)];
                for (qsizetype i = 0; i < column.categories.size(); ++i) {
                    bool ok = false;
                    const double v = column.categories.at(i).trimmed().toDouble(&ok);
                    if (ok && (c.inferredType == InferredType::Fractional || v == std::floor(v)))
                        matching += countsByCode[size_t(i)];
                }
            }
            const double share = double(matching) / double(present);
            const double threshold = c.threshold(QStringLiteral("datatype_check_threshold"), config.datatypeCheckThreshold);
            if (share < threshold)
                out << Violation{c.name, QStringLiteral("data_type_check"),
                                 QStringLiteral("Data type match requirement is not met. Expected data type: %1, Expected match: %2. "
                                                "Observed: only %3 of data is %1.")
                                     .arg(inferredTypeName(c.inferredType), percent(threshold), percent(share))};
        }

        // completeness_check
        if (stats) {
            const double completeness = stats->completeness();
            const double expected = c.threshold(QStringLiteral("completeness"), c.completeness);
            if (completeness + 1e-12 < expected)
                out << Violation{c.name, QStringLiteral("completeness_check"),
                                 QStringLiteral("Data completeness requirement is not met. Expected: %1. Observed: %2 of the values are present.")
                                     .arg(percent(expected), percent(completeness))};
        }

        // categorical_values_check: share of present values inside the baseline's domain.
        if (c.domains && !column.isNumeric() && present > 0) {
            const QSet<QString> domain(c.domains->begin(), c.domains->end());
            std::vector<qint64> countsByCode(size_t(column.categories.size()), 0);
            for (std::int32_t code : column.codes)
                if (code >= 0)
                    ++countsByCode[size_t(code)];
            qint64 inside = 0;
            QStringList unknown;
            for (qsizetype i = 0; i < column.categories.size(); ++i) {
                if (countsByCode[size_t(i)] == 0)
                    continue;
                if (domain.contains(column.categories.at(i)))
                    inside += countsByCode[size_t(i)];
                else if (unknown.size() < 5)
                    unknown << column.categories.at(i);
            }
            const double share = double(inside) / double(present);
            const double threshold = c.threshold(QStringLiteral("domain_content_threshold"), config.domainContentThreshold);
            if (share < threshold)
                out << Violation{c.name, QStringLiteral("categorical_values_check"),
                                 QStringLiteral("Data does not meet the domain content requirement. Expected: %1 of values in the baseline's domain. "
                                                "Observed: %2 (unknown values such as %3).")
                                     .arg(percent(threshold), percent(share), unknown.join(QStringLiteral(", ")))};
        }

        // baseline_drift_check: the drift verdict (distance over comparison_threshold, or a test).
        if (config.performComparison) {
            if (const FeatureDrift *d = drift.feature(c.name); d && d->drifted) {
                const QString measure = std::isnan(d->distance)
                                            ? QStringLiteral("%1 p-value %2 (adjusted %3) < %4, effect size %5")
                                                  .arg(d->method).arg(d->pValue, 0, 'g', 4).arg(d->adjustedPValue, 0, 'g', 4).arg(d->threshold).arg(d->effectSize, 0, 'g', 4)
                                            : QStringLiteral("%1 distance %2 exceeds the threshold %3").arg(d->method).arg(d->distance, 0, 'g', 4).arg(d->threshold);
                out << Violation{c.name, QStringLiteral("baseline_drift_check"),
                                 QStringLiteral("Baseline drift distance exceeds the threshold: %1 (PSI %2).").arg(measure).arg(d->psi, 0, 'g', 4)};
            }
        }
    }
    for (const data::Column &c : table.columns)
        if (!known.contains(c.name))
            out << Violation{c.name, QStringLiteral("extra_column_check"),
                             QStringLiteral("There are extra columns in current dataset. Column '%1' is not in the baseline.").arg(c.name)};
    return out;
}

} // namespace cairn::monitor
