#pragma once

#include "cairn/labeling/labelingtypes.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace cairn::labeling {

class LabelingJob;

/// The label file formats a job imports and exports.
enum class LabelFormat {
    Manifest, ///< SageMaker Ground Truth output.manifest (JSON Lines)
    Coco,     ///< COCO JSON (instances; classification jobs get annotations without bbox)
    Yolo,     ///< a folder of <image>.txt files and classes.txt (boxes only)
    Voc       ///< a folder of Pascal VOC <image>.xml files (boxes only)
};
QString formatName(LabelFormat format);
/// "manifest", "coco", "yolo", "voc"; throws cairn::Error otherwise.
LabelFormat formatFromName(const QString &name);

/// Labels read from a file before they touch a job. Class ids refer to `classes` (the file's own
/// class list); a file that names no classes leaves it empty and its ids are the job's.
struct ParsedLabels
{
    struct Entry
    {
        QString ref;             ///< as written (path, file name or URL)
        int line = 0;            ///< where in the file (or 0)
        QString file;            ///< which file (YOLO and VOC read one per image)
        ItemStatus status = ItemStatus::Labeled;
        Annotation annotation;
        ImageSize size;
        bool hasLabel = false;   ///< false: the entry only lists the image
    };
    QString path;
    QString baseDir;             ///< relative refs resolve against it
    TaskType type = TaskType::SingleLabel;
    QHash<int, QString> classes; ///< the file's class id → name
    QList<Entry> entries;
};

/// Source refs of an input manifest (the images a job is created over), resolved to local
/// paths. Throws cairn::Error naming file:line for bad lines or remote (s3://) refs.
struct ManifestSources
{
    QStringList paths;
    QStringList refs;
};
ManifestSources readManifestSources(const QString &path);

/// Parsers: they read the whole file and throw cairn::Error naming the file and line before
/// anything is imported. labelAttribute empty: found from the file.
ParsedLabels parseManifest(const QString &path, TaskType type, const QString &labelAttribute = {});
ParsedLabels parseCoco(const QString &path, TaskType type);
/// dir holds <stem>.txt per image and classes.txt (or obj.names). The job supplies the images
/// (YOLO coordinates are fractions of the image size).
ParsedLabels parseYolo(const QString &dir, const LabelingJob &job);
ParsedLabels parseVoc(const QString &dir);

struct ImportOptions
{
    bool replace = false;       ///< also overwrite items that already have a human label
    bool addClasses = true;     ///< add classes the job lacks (else it is an error)
};
struct ImportResult
{
    int imported = 0;           ///< items whose label was set
    int keptExisting = 0;       ///< items left alone because they were already labeled
    int unmatched = 0;          ///< entries naming no image of the job
    QStringList addedClasses;
    QStringList unmatchedRefs;  ///< the first few
};
/// Applies parsed labels to the job in one transaction (all or nothing). Throws cairn::Error if
/// a class is unknown and options.addClasses is false or the labels do not fit the task.
ImportResult importLabels(LabelingJob &job, const ParsedLabels &labels, const ImportOptions &options = {});
/// Parses path in the given format and imports it.
ImportResult importFile(LabelingJob &job, LabelFormat format, const QString &path, const ImportOptions &options = {});

struct ExportOptions
{
    bool labeledOnly = false;   ///< leave out unlabeled and skipped items
    bool includeMachine = true; ///< include machine labels waiting for review
};
/// Writes one line per item in Ground Truth's output.manifest form (see docs/labeling.md).
/// Returns the number of labeled lines.
int exportManifest(LabelingJob &job, const QString &path, const ExportOptions &options = {});
/// One manifest line for an item (no newline); empty when options leave it out.
QString manifestLine(const LabelingJob &job, const Item &item, const ExportOptions &options = {});
int exportCoco(LabelingJob &job, const QString &path, const ExportOptions &options = {});
/// Writes classes.txt and <stem>.txt per labeled image into dir.
int exportYolo(LabelingJob &job, const QString &dir, const ExportOptions &options = {});
int exportVoc(LabelingJob &job, const QString &dir, const ExportOptions &options = {});
int exportFile(LabelingJob &job, LabelFormat format, const QString &path, const ExportOptions &options = {});

} // namespace cairn::labeling
