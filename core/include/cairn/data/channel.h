#pragma once

#include <QJsonObject>
#include <QString>

namespace cairn::data {

/// Where one data channel (train, validation, test) of a job comes from.
struct ChannelSpec
{
    enum class Type { Csv, Idx, ImageFolder, Manifest };
    Type type = Type::Csv;
    QString path;
    QString labelsPath;     ///< IDX: the labels file that goes with the images
    QString delimiter;      ///< CSV: "," ";" "\t" or empty to detect
    QString labelAttribute; ///< manifest: which attribute holds the label (empty: detect)

    static QString typeName(Type type);
    static Type typeFromName(const QString &name); ///< throws cairn::Error for unknown names
    /// A guess from the path: folder → image folder, .jsonl/.manifest → manifest,
    /// *-ubyte[.gz] or .idx → IDX, else CSV.
    static Type guessType(const QString &path);

    QJsonObject toJson() const;
    static ChannelSpec fromJson(const QJsonObject &json, const QString &where);
};

} // namespace cairn::data
