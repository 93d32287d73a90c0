#include "monitor/monitorutil.h"

#include "cairn/util/error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSaveFile>

namespace cairn::monitor {

QJsonObject readJsonObject(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    QJsonParseError e;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &e);
    if (e.error != QJsonParseError::NoError)
        throw Error(QStringLiteral("%1: not valid JSON at offset %2: %3").arg(path).arg(e.offset).arg(e.errorString()));
    if (!doc.isObject())
        throw Error(QStringLiteral("%1: expected a JSON object").arg(path));
    return doc.object();
}

void writeFileAtomically(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
        throw Error(QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
}

void writeJsonObject(const QString &path, const QJsonObject &object)
{
    writeFileAtomically(path, QJsonDocument(object).toJson(QJsonDocument::Indented));
}

} // namespace cairn::monitor
