#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace cairn::data {

/// One CSV field (RFC 4180): quoted, with doubled quotes, when it holds a comma, quote or line break.
QString csvField(const QString &value);

/// Fields joined into one CSV line, quoted as needed, ending in '\n' (UTF-8).
QByteArray csvLine(const QStringList &fields);

} // namespace cairn::data
