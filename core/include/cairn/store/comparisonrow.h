#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace cairn {

/// One row of a side-by-side comparison (of runs, or of a model's versions): a field and its
/// value in each compared item, and whether they differ.
struct ComparisonRow
{
    QString section;
    QString key;
    QStringList values; ///< one per compared item; "" where one lacks it
    bool differs = false;

    /// {section, key, values (null where an item lacks it), differs}.
    QJsonObject toJson() const;
};

} // namespace cairn
