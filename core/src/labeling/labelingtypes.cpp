#include "cairn/labeling/labelingtypes.h"

#include "cairn/util/error.h"

#include <QDateTime>

#include <algorithm>

namespace cairn::labeling {

QString taskTypeName(TaskType type)
{
    switch (type) {
    case TaskType::SingleLabel: return QStringLiteral("single-label");
    case TaskType::MultiLabel: return QStringLiteral("multi-label");
    case TaskType::BoundingBox: return QStringLiteral("boxes");
    }
    return {};
}

TaskType taskTypeFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("single-label") || n == QLatin1String("single") || n == QLatin1String("classification")
        || n == QLatin1String("image-classification"))
        return TaskType::SingleLabel;
    if (n == QLatin1String("multi-label") || n == QLatin1String("multilabel") || n == QLatin1String("multi")
        || n == QLatin1String("image-classification-multilabel"))
        return TaskType::MultiLabel;
    if (n == QLatin1String("boxes") || n == QLatin1String("bounding-box") || n == QLatin1String("bbox")
        || n == QLatin1String("object-detection"))
        return TaskType::BoundingBox;
    throw Error(QStringLiteral("unknown task type '%1' (use single-label, multi-label or boxes)").arg(name));
}

QString groundTruthType(TaskType type)
{
    switch (type) {
    case TaskType::SingleLabel: return QStringLiteral("groundtruth/image-classification");
    case TaskType::MultiLabel: return QStringLiteral("groundtruth/image-classification-multilabel");
    case TaskType::BoundingBox: return QStringLiteral("groundtruth/object-detection");
    }
    return {};
}

QString statusName(ItemStatus status)
{
    switch (status) {
    case ItemStatus::Unlabeled: return QStringLiteral("unlabeled");
    case ItemStatus::Labeled: return QStringLiteral("labeled");
    case ItemStatus::Skipped: return QStringLiteral("skipped");
    case ItemStatus::NeedsReview: return QStringLiteral("needs-review");
    }
    return {};
}

ItemStatus statusFromName(const QString &name)
{
    for (ItemStatus s : allStatuses())
        if (statusName(s) == name)
            return s;
    if (name == QLatin1String("needs_review") || name == QLatin1String("review"))
        return ItemStatus::NeedsReview;
    throw Error(QStringLiteral("unknown status '%1' (use unlabeled, labeled, skipped or needs-review)").arg(name));
}

QList<ItemStatus> allStatuses()
{
    return {ItemStatus::Unlabeled, ItemStatus::Labeled, ItemStatus::Skipped, ItemStatus::NeedsReview};
}

QString defaultClassColor(int index)
{
    // Tableau 10: distinct on light and dark canvases, and for most colour-blind readers.
    static const char *palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    return QString::fromLatin1(palette[index % 10]);
}

QString defaultClassKey(int index)
{
    if (index < 9)
        return QString::number(index + 1);
    if (index == 9)
        return QStringLiteral("0");
    // Letters that the panel does not use for commands (see LabelingPanel's shortcuts).
    static const QString letters = QStringLiteral("qwertyuiopghjkl");
    if (index - 10 < letters.size())
        return QString(letters.at(index - 10));
    return {};
}

double Annotation::minConfidence() const
{
    double m = 1.0;
    for (int i = 0; i < classes.size(); ++i)
        m = std::min(m, confidenceOf(i));
    for (const Box &b : boxes)
        m = std::min(m, b.confidence);
    return m;
}

QString creationDateNow()
{
    // Ground Truth writes microseconds without a zone: 2018-10-18T22:18:13.527256
    return QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz")) + QStringLiteral("000");
}

} // namespace cairn::labeling
