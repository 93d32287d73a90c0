#include "cairn/data/manifest.h"

#include "cairn/util/error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace cairn::data {

Manifest Manifest::read(const QString &path, const QString &labelAttribute)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("cannot open manifest %1: %2").arg(path, file.errorString()));
    Manifest m;
    m.path = QFileInfo(path).absoluteFilePath();
    m.labelAttribute = labelAttribute;
    const QDir base = QFileInfo(path).absoluteDir();
    QHash<QString, int> classIndex;
    // Numeric labels with a class-name: remember id → name; without names, ids are the classes.
    QHash<int, QString> namesById;
    struct Pending { QString source; QString name; int id; qsizetype line; };
    std::vector<Pending> pending;
    qsizetype lineNo = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        ++lineNo;
        if (line.isEmpty())
            continue;
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
        if (err.error != QJsonParseError::NoError || !doc.isObject())
            throw Error(QStringLiteral("%1:%2:%3: not a JSON object (%4); each line of a manifest is one JSON object")
                            .arg(path).arg(lineNo).arg(err.offset + 1).arg(err.error != QJsonParseError::NoError ? err.errorString() : QStringLiteral("found another JSON value")));
        const QJsonObject o = doc.object();
        const QString ref = o.value(QStringLiteral("source-ref")).toString();
        if (ref.isEmpty())
            throw Error(QStringLiteral("%1:%2: the item has no \"source-ref\"").arg(path).arg(lineNo));
        QString local;
        const QUrl url(ref);
        if (url.scheme() == QLatin1String("file"))
            local = url.toLocalFile();
        else if (url.scheme().size() > 1)
            throw Error(QStringLiteral("%1:%2: source-ref '%3' is remote; copy the data locally and write local paths (or file:// URLs) in the manifest")
                            .arg(path).arg(lineNo).arg(ref));
        else
            local = ref;
        if (QFileInfo(local).isRelative())
            local = base.filePath(local);
        if (m.labelAttribute.isEmpty()) {
            for (auto it = o.begin(); it != o.end(); ++it) {
                if (it.key() != QLatin1String("source-ref") && !it.key().endsWith(QLatin1String("-metadata"))) {
                    m.labelAttribute = it.key();
                    break;
                }
            }
        }
        Pending p{QDir::cleanPath(local), {}, -1, lineNo};
        if (!m.labelAttribute.isEmpty() && o.contains(m.labelAttribute)) {
            const QJsonValue v = o.value(m.labelAttribute);
            const QString className = o.value(m.labelAttribute + QStringLiteral("-metadata")).toObject().value(QStringLiteral("class-name")).toString();
            if (v.isDouble()) {
                p.id = v.toInt();
                if (p.id < 0 || double(p.id) != v.toDouble())
                    throw Error(QStringLiteral("%1:%2: label %3 is not a class index (a whole number ≥ 0)").arg(path).arg(lineNo).arg(v.toDouble()));
                if (!className.isEmpty())
                    namesById.insert(p.id, className);
            } else if (v.isString()) {
                p.name = v.toString();
            } else if (v.isObject() && v.toObject().contains(QStringLiteral("class-name"))) {
                p.name = v.toObject().value(QStringLiteral("class-name")).toString();
            } else if (!v.isNull()) {
                throw Error(QStringLiteral("%1:%2: label '%3' must be a class index or a class name").arg(path, QString::number(lineNo), m.labelAttribute));
            }
        }
        pending.push_back(p);
    }
    if (pending.empty())
        throw Error(QStringLiteral("manifest %1 has no items").arg(path));
    // Classes: numeric ids keep their order (0..max); names are sorted.
    int maxId = -1;
    for (const Pending &p : pending)
        maxId = std::max(maxId, p.id);
    if (maxId >= 0) {
        for (int i = 0; i <= maxId; ++i)
            m.classes << namesById.value(i, QString::number(i));
    }
    QStringList names;
    for (const Pending &p : pending)
        if (!p.name.isEmpty() && !m.classes.contains(p.name) && !names.contains(p.name))
            names << p.name;
    names.sort();
    m.classes << names;
    for (int i = 0; i < m.classes.size(); ++i)
        classIndex.insert(m.classes.at(i), i);
    for (const Pending &p : pending) {
        Entry e;
        e.source = p.source;
        e.line = p.line;
        e.label = p.id >= 0 ? p.id : (p.name.isEmpty() ? -1 : classIndex.value(p.name));
        m.entries.push_back(e);
    }
    return m;
}

} // namespace cairn::data
