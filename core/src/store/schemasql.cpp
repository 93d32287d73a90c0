#include "schemasql.h"

#include "cairn/util/error.h"

#include <QFile>

namespace cairn::Internal {

const QString &metricSummaryUpsertSql()
{
    static const QString sql = [] {
        QFile file(QStringLiteral(":/cairn/schema/upsert_metric_summary.sql"));
        if (!file.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("missing built-in resource %1").arg(file.fileName()));
        return QString::fromUtf8(file.readAll());
    }();
    return sql;
}

} // namespace cairn::Internal
