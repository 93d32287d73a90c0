#include "cairn/data/imagefolder.h"

#include "cairn/util/error.h"

#include <QDir>
#include <QFileInfo>

namespace cairn::data {

QStringList ImageFolder::imageSuffixes()
{
    return {QStringLiteral("png"), QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("bmp"),
            QStringLiteral("gif"), QStringLiteral("pgm"), QStringLiteral("ppm"), QStringLiteral("webp")};
}

ImageFolder ImageFolder::scan(const QString &root)
{
    const QFileInfo info(root);
    if (!info.isDir())
        throw Error(QStringLiteral("image folder %1 does not exist or is not a folder").arg(root));
    ImageFolder f;
    f.root = info.absoluteFilePath();
    QStringList filters;
    for (const QString &s : imageSuffixes())
        filters << QStringLiteral("*.") + s << QStringLiteral("*.") + s.toUpper();
    const QDir dir(f.root);
    for (const QString &cls : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QDir sub(dir.filePath(cls));
        const QStringList images = sub.entryList(filters, QDir::Files, QDir::Name);
        if (images.isEmpty())
            continue;
        const int label = int(f.classes.size());
        f.classes << cls;
        for (const QString &name : images) {
            f.files << sub.filePath(name);
            f.labels.push_back(label);
        }
    }
    if (f.classes.isEmpty())
        throw Error(QStringLiteral("%1 has no class folders with images: put the images of each class in a sub-folder named after the class (supported: %2)")
                        .arg(f.root, imageSuffixes().join(QStringLiteral(", "))));
    return f;
}

} // namespace cairn::data
