#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace cairn {

/// model.json, written next to a model's files: what `cairn predict` and the Models panel need
/// to use the model without the run that made it (algorithm, classes, input schema, the exact
/// preprocessing, metrics, provenance).
struct ModelCard
{
    static constexpr int kFormatVersion = 1;
    static QString fileName() { return QStringLiteral("model.json"); }

    QString algorithm;
    QString plugin;
    QString task;
    QString target;
    QStringList classes;
    QJsonArray inputSchema;      ///< [{name, type, categories?}] or [{kind: "image", ...}]
    QJsonObject preprocessing;   ///< e.g. the FeatureEncoder's JSON
    QJsonObject files;           ///< role → file name inside the model folder
    QJsonObject hyperparameters;
    QJsonObject metrics;
    QString runUuid;
    QString jobId;
    qint64 createdAt = 0;
    QJsonObject extra;           ///< algorithm-specific details

    QJsonObject toJson() const;
    static ModelCard fromJson(const QJsonObject &json, const QString &where);
    void save(const QString &dir) const;
    /// `path` is the model folder or its model.json.
    static ModelCard load(const QString &path);
    /// The folder that holds the card `path` names.
    static QString folderOf(const QString &path);
};

} // namespace cairn
