#include "cairn/data/channel.h"

#include "cairn/util/error.h"

#include <QFileInfo>

namespace cairn::data {

QString ChannelSpec::typeName(Type type)
{
    switch (type) {
    case Type::Csv: return QStringLiteral("csv");
    case Type::Idx: return QStringLiteral("idx");
    case Type::ImageFolder: return QStringLiteral("images");
    case Type::Manifest: return QStringLiteral("manifest");
    }
    return QStringLiteral("csv");
}

ChannelSpec::Type ChannelSpec::typeFromName(const QString &name)
{
    const QString n = name.toLower();
    if (n == QLatin1String("csv") || n == QLatin1String("tsv")) return Type::Csv;
    if (n == QLatin1String("idx")) return Type::Idx;
    if (n == QLatin1String("images") || n == QLatin1String("imagefolder") || n == QLatin1String("image-folder")) return Type::ImageFolder;
    if (n == QLatin1String("manifest")) return Type::Manifest;
    throw Error(QStringLiteral("unknown channel type '%1' (use csv, idx, images or manifest)").arg(name));
}

ChannelSpec::Type ChannelSpec::guessType(const QString &path)
{
    const QFileInfo info(path);
    if (info.isDir())
        return Type::ImageFolder;
    const QString name = info.fileName().toLower();
    if (name.endsWith(QLatin1String(".jsonl")) || name.endsWith(QLatin1String(".manifest")))
        return Type::Manifest;
    if (name.contains(QLatin1String("-ubyte")) || name.endsWith(QLatin1String(".idx")) || name.endsWith(QLatin1String(".idx.gz")))
        return Type::Idx;
    return Type::Csv;
}

QJsonObject ChannelSpec::toJson() const
{
    QJsonObject o{{QStringLiteral("type"), typeName(type)}, {QStringLiteral("path"), path}};
    if (!labelsPath.isEmpty())
        o.insert(QStringLiteral("labels"), labelsPath);
    if (!delimiter.isEmpty())
        o.insert(QStringLiteral("delimiter"), delimiter);
    if (!labelAttribute.isEmpty())
        o.insert(QStringLiteral("labelAttribute"), labelAttribute);
    return o;
}

ChannelSpec ChannelSpec::fromJson(const QJsonObject &json, const QString &where)
{
    ChannelSpec c;
    c.path = json.value(QStringLiteral("path")).toString();
    if (c.path.isEmpty())
        throw Error(QStringLiteral("%1: the channel has no \"path\"").arg(where));
    const QString type = json.value(QStringLiteral("type")).toString();
    try {
        c.type = type.isEmpty() ? guessType(c.path) : typeFromName(type);
    } catch (const Error &e) {
        throw Error(QStringLiteral("%1: %2").arg(where, e.message()));
    }
    c.labelsPath = json.value(QStringLiteral("labels")).toString();
    c.delimiter = json.value(QStringLiteral("delimiter")).toString();
    c.labelAttribute = json.value(QStringLiteral("labelAttribute")).toString();
    return c;
}

} // namespace cairn::data
