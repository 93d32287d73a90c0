#include "cairn/algorithms/modelcard.h"

#include "cairn/util/error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace cairn {

QJsonObject ModelCard::toJson() const
{
    return QJsonObject{{QStringLiteral("format"), QStringLiteral("cairn-model")},
                       {QStringLiteral("formatVersion"), kFormatVersion},
                       {QStringLiteral("algorithm"), algorithm},
                       {QStringLiteral("plugin"), plugin},
                       {QStringLiteral("task"), task},
                       {QStringLiteral("target"), target},
                       {QStringLiteral("classes"), QJsonArray::fromStringList(classes)},
                       {QStringLiteral("inputSchema"), inputSchema},
                       {QStringLiteral("preprocessing"), preprocessing},
                       {QStringLiteral("files"), files},
                       {QStringLiteral("hyperparameters"), hyperparameters},
                       {QStringLiteral("metrics"), metrics},
                       {QStringLiteral("runUuid"), runUuid},
                       {QStringLiteral("jobId"), jobId},
                       {QStringLiteral("createdAt"), double(createdAt)},
                       {QStringLiteral("extra"), extra}};
}

ModelCard ModelCard::fromJson(const QJsonObject &json, const QString &where)
{
    if (json.value(QStringLiteral("format")).toString() != QLatin1String("cairn-model"))
        throw Error(QStringLiteral("%1 is not a Cairn model card (no \"format\": \"cairn-model\")").arg(where));
    const int version = json.value(QStringLiteral("formatVersion")).toInt();
    if (version > kFormatVersion)
        throw Error(QStringLiteral("%1 was written by a newer Cairn (model format %2; this build reads up to %3): update Cairn")
                        .arg(where).arg(version).arg(kFormatVersion));
    ModelCard c;
    c.algorithm = json.value(QStringLiteral("algorithm")).toString();
    c.plugin = json.value(QStringLiteral("plugin")).toString();
    c.task = json.value(QStringLiteral("task")).toString();
    c.target = json.value(QStringLiteral("target")).toString();
    for (const QJsonValue &v : json.value(QStringLiteral("classes")).toArray())
        c.classes << v.toString();
    c.inputSchema = json.value(QStringLiteral("inputSchema")).toArray();
    c.preprocessing = json.value(QStringLiteral("preprocessing")).toObject();
    c.files = json.value(QStringLiteral("files")).toObject();
    c.hyperparameters = json.value(QStringLiteral("hyperparameters")).toObject();
    c.metrics = json.value(QStringLiteral("metrics")).toObject();
    c.runUuid = json.value(QStringLiteral("runUuid")).toString();
    c.jobId = json.value(QStringLiteral("jobId")).toString();
    c.createdAt = qint64(json.value(QStringLiteral("createdAt")).toDouble());
    c.extra = json.value(QStringLiteral("extra")).toObject();
    if (c.algorithm.isEmpty())
        throw Error(QStringLiteral("%1 does not say which algorithm made the model").arg(where));
    return c;
}

void ModelCard::save(const QString &dir) const
{
    if (!QDir().mkpath(dir))
        throw Error(QStringLiteral("cannot create the model folder %1").arg(dir));
    QSaveFile file(QDir(dir).filePath(fileName()));
    if (!file.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    file.write(QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
    if (!file.commit())
        throw Error(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
}

QString ModelCard::folderOf(const QString &path)
{
    const QFileInfo info(path);
    return info.isDir() ? info.absoluteFilePath() : info.absolutePath();
}

ModelCard ModelCard::load(const QString &path)
{
    const QFileInfo info(path);
    const QString file = info.isDir() ? QDir(path).filePath(fileName()) : path;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("no model card at %1 (%2): point to a model folder or a run that saved a model")
                        .arg(file, f.errorString()));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        throw Error(QStringLiteral("%1: not valid JSON at offset %2 (%3)").arg(file).arg(err.offset).arg(err.errorString()));
    return fromJson(doc.object(), file);
}

} // namespace cairn
