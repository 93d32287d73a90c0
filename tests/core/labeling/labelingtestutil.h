#pragma once
// Shared by the labeling tests: the sample images and a job made over them.

#include "cairn/labeling/labelingjob.h"

#include <QDir>
#include <QString>

namespace labelingtest {

inline QString fashionDir()
{
    return QStringLiteral(CAIRN_SHARED_DATA_DIR "/images/fashion200");
}

inline QString photosDir()
{
    return QStringLiteral(CAIRN_SHARED_DATA_DIR "/images/photos");
}

inline QList<cairn::labeling::LabelClass> classes(const QStringList &names)
{
    QList<cairn::labeling::LabelClass> list;
    for (const QString &n : names)
        list << cairn::labeling::LabelClass{0, n, {}, {}};
    return list;
}

inline QStringList fashionClasses()
{
    return {QStringLiteral("tshirt_top"), QStringLiteral("trouser"), QStringLiteral("pullover"), QStringLiteral("dress"),
            QStringLiteral("coat"), QStringLiteral("sandal"), QStringLiteral("shirt"), QStringLiteral("sneaker"),
            QStringLiteral("bag"), QStringLiteral("ankle_boot")};
}

inline std::unique_ptr<cairn::labeling::LabelingJob> makeJob(const QString &workspace, const QString &name, cairn::labeling::TaskType type,
                                                             const QString &folder, const QStringList &classNames)
{
    cairn::labeling::JobSettings s;
    s.name = name;
    s.type = type;
    s.classes = classes(classNames);
    s.instructions = QStringLiteral("Label the main object.");
    return cairn::labeling::LabelingJob::create(workspace, s, cairn::labeling::LabelingJob::scanImageFolder(folder));
}

} // namespace labelingtest
