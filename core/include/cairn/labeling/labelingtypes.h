#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace cairn::labeling {

/// What a labeling job asks of a human for each image.
enum class TaskType {
    SingleLabel, ///< image classification: exactly one class per image
    MultiLabel,  ///< multi-label classification: any number of classes per image
    BoundingBox  ///< object detection: boxes, each with one class
};

/// Where an item stands. Machine labels wait in NeedsReview until a human accepts or fixes them.
enum class ItemStatus { Unlabeled, Labeled, Skipped, NeedsReview };

/// "single-label", "multi-label", "boxes" (what the CLI and the job file use).
QString taskTypeName(TaskType type);
/// Accepts the names above and a few synonyms; throws cairn::Error otherwise.
TaskType taskTypeFromName(const QString &name);
/// The Ground Truth "type" of an output manifest line for this task.
QString groundTruthType(TaskType type);

/// "unlabeled", "labeled", "skipped", "needs-review".
QString statusName(ItemStatus status);
/// Throws cairn::Error for an unknown name.
ItemStatus statusFromName(const QString &name);
QList<ItemStatus> allStatuses();

/// One class of the label set: its id is its index in the set (the Ground Truth class id).
struct LabelClass
{
    int id = 0;
    QString name;
    QString color; ///< "#rrggbb"
    QString key;   ///< keyboard shortcut, "1".."9", "0", then letters; may be empty
    bool operator==(const LabelClass &) const = default;
};

/// The colour and key a class gets when the user gives none.
QString defaultClassColor(int index);
QString defaultClassKey(int index);

/// An axis-aligned box in image pixels (left/top inclusive), as Ground Truth writes it.
struct Box
{
    int classId = 0;
    int left = 0;
    int top = 0;
    int width = 0;
    int height = 0;
    double confidence = 1.0;
    bool operator==(const Box &) const = default;
};

/// The label of one item. Classification tasks use classes (one entry for single-label);
/// box tasks use boxes. human is false for machine labels (Ground Truth's "human-annotated": "no").
struct Annotation
{
    QList<int> classes;
    QList<double> confidences; ///< parallel to classes; empty means 1.0 each
    QList<Box> boxes;
    bool human = true;
    QString creationDate; ///< "yyyy-MM-ddTHH:mm:ss.zzzzzz" (UTC), as Ground Truth writes it
    bool isEmpty() const { return classes.isEmpty() && boxes.isEmpty(); }
    double confidenceOf(int index) const { return index < confidences.size() ? confidences.at(index) : 1.0; }
    /// The lowest confidence of any class or box (1.0 when empty).
    double minConfidence() const;
    bool operator==(const Annotation &other) const
    {
        return classes == other.classes && confidences == other.confidences && boxes == other.boxes && human == other.human;
    }
};

/// "now" in the creation-date form of Ground Truth manifests.
QString creationDateNow();

struct ImageSize
{
    int width = 0;
    int height = 0;
    int depth = 0; ///< channels: 1 grey, 3 colour, 4 with alpha
    bool isValid() const { return width > 0 && height > 0; }
    bool operator==(const ImageSize &) const = default;
};

/// One image of a job.
struct Item
{
    qint64 id = 0;          ///< row id in the job's database
    QString source;         ///< absolute local path
    QString sourceRef;      ///< as written in the input manifest (or the path for folder jobs)
    ItemStatus status = ItemStatus::Unlabeled;
    Annotation annotation;
    ImageSize size;         ///< invalid until read
    qint64 updatedMs = 0;   ///< when the label was last committed (ms since the epoch)
};

} // namespace cairn::labeling
