#pragma once

#include "cairn/data/table.h"
#include "cairn/monitor/baseline.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>

namespace cairn::monitor {

/// Reads a JSON object file; throws cairn::Error naming the file (and the offset of a syntax error).
QJsonObject readJsonObject(const QString &path);
/// Writes through QSaveFile so a reader never sees half a file; throws cairn::Error.
void writeFileAtomically(const QString &path, const QByteArray &bytes);
void writeJsonObject(const QString &path, const QJsonObject &object);
/// Column types that read captured or reference rows the way the baseline saw them.
QHash<QString, data::ColumnType> baselineColumnTypes(const Statistics &statistics);

} // namespace cairn::monitor
