#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace cairn::data {

/// A labeling manifest in the SageMaker Ground Truth style: JSON Lines, one object per item
/// with "source-ref" (a path or file:// URL, relative to the manifest's folder) and a label
/// attribute holding a class index or name; "<attribute>-metadata" may give "class-name".
struct Manifest
{
    struct Entry
    {
        QString source;  ///< absolute local path
        int label = -1;  ///< index into classes; -1 when the item has no label
        qsizetype line = 0;
    };
    QString path;
    QString labelAttribute;
    QStringList classes;
    std::vector<Entry> entries;

    /// labelAttribute empty: the first key that is neither "source-ref" nor "*-metadata".
    /// Throws cairn::Error naming file:line for lines that are not JSON objects, lack
    /// source-ref, or point at remote (s3://, http://) sources.
    static Manifest read(const QString &path, const QString &labelAttribute = {});
};

} // namespace cairn::data
