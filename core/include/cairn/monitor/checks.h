#pragma once

#include "cairn/data/table.h"
#include "cairn/monitor/baseline.h"
#include "cairn/monitor/drift.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace cairn::monitor {

/// One entry of SageMaker's constraint_violations.json:
/// {"feature_name", "constraint_check_type", "description"}. Check types: data_type_check,
/// completeness_check, baseline_drift_check, missing_column_check, extra_column_check,
/// categorical_values_check, and Cairn's model_quality_check.
struct Violation
{
    QString featureName;
    QString checkType;
    QString description;

    QJsonObject toJson() const;
    static Violation fromJson(const QJsonObject &json);
};

/// {"violations": [...]}
QJsonObject violationsToJson(const QList<Violation> &violations);
QList<Violation> violationsFromJson(const QJsonObject &json);
/// Reads constraint_violations.json; throws cairn::Error.
QList<Violation> loadViolations(const QString &path);
void saveViolations(const QList<Violation> &violations, const QString &path);

/// SageMaker's checks of `current` (its statistics and the drift report against the baseline)
/// against the baseline's constraints. baseline_drift_check uses the drift report's distances
/// and verdicts with the constraint's comparison_threshold.
QList<Violation> checkConstraints(const Baseline &baseline, const Statistics &current, const data::Table &currentTable,
                                  const DriftReport &drift);

} // namespace cairn::monitor
