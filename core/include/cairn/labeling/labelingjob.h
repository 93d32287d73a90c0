#pragma once

#include "cairn/labeling/labelingtypes.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace cairn {
class SqliteDatabase;
}

namespace cairn::labeling {

/// What a job is made of, apart from its items.
struct JobSettings
{
    QString name;                 ///< Ground Truth job name: letters, digits and hyphens
    TaskType type = TaskType::SingleLabel;
    QList<LabelClass> classes;
    QString instructions;
    QString labelAttribute;       ///< the manifest key of the label; defaults to name
    QString createdAt;
};

/// Counts for progress bars and `cairn label status`.
struct JobCounts
{
    int total = 0;
    int unlabeled = 0;
    int labeled = 0;
    int skipped = 0;
    int needsReview = 0;
    int machineLabeled = 0;       ///< items whose label came from a model (human-annotated "no")
    QList<int> perClass;          ///< images (classification) or boxes (boxes task) per class id
    int done() const { return labeled + skipped; }
};

/// A labeling job stored in <workspace>/labeling/<name>/labels.db (SQLite, WAL).
/// Every change is its own transaction, committed before the call returns: a crash or a kill of
/// the program loses nothing that a call had finished (a power cut may lose the last seconds). The job keeps its items in memory (10,000 items are a
/// few megabytes) so that the GUI never waits on SQL to show the next image.
///
/// One object per thread; other processes (the CLI while the GUI is open) may write the same job,
/// reload() picks up their changes.
class LabelingJob
{
public:
    ~LabelingJob();
    LabelingJob(const LabelingJob &) = delete;
    LabelingJob &operator=(const LabelingJob &) = delete;

    /// <workspace>/labeling
    static QString jobsRoot(const QString &workspacePath);
    static QString jobDir(const QString &workspacePath, const QString &name);
    /// Names of the jobs in the workspace, sorted. Removes what a killed create() left behind.
    static QStringList list(const QString &workspacePath);
    /// Removes the temporary files of creates whose process is gone (and their folder, if empty).
    static void removeAbandonedCreations(const QString &workspacePath);
    static bool exists(const QString &workspacePath, const QString &name);
    /// Throws cairn::Error unless name is 1-63 letters, digits or hyphens, starting and ending
    /// with a letter or digit (Ground Truth's rule).
    static void validateName(const QString &name);

    /// Image files under folder (recursively), sorted by relative path. Reads no image data.
    static QStringList scanImageFolder(const QString &folder);
    static QStringList imageSuffixes();

    /// Creates a job over the given image files (absolute paths; sourceRefs parallel, or empty
    /// to use the paths). Throws cairn::Error if it exists or the settings are invalid.
    static std::unique_ptr<LabelingJob> create(const QString &workspacePath, JobSettings settings,
                                               const QStringList &sources, const QStringList &sourceRefs = {});
    static std::unique_ptr<LabelingJob> open(const QString &workspacePath, const QString &name);
    /// Opens a job folder directly (one that holds labels.db).
    static std::unique_ptr<LabelingJob> openDir(const QString &dir);

    QString dir() const { return m_dir; }
    QString databasePath() const;
    const JobSettings &settings() const { return m_settings; }
    QString name() const { return m_settings.name; }
    TaskType type() const { return m_settings.type; }
    const QList<LabelClass> &classes() const { return m_settings.classes; }
    /// The class with that name, or -1.
    int classId(const QString &name) const;

    int itemCount() const { return int(m_items.size()); }
    const Item &item(int index) const { return m_items.at(size_t(index)); }
    const std::vector<Item> &items() const { return m_items; }
    /// The index of the item whose source is path (absolute) or whose sourceRef is ref; -1 if none.
    int indexOfSource(const QString &path) const;
    int indexOfSourceRef(const QString &ref) const;
    /// Finds the item a label file refers to: by absolute path (ref resolved against baseDir),
    /// by the exact source-ref, then by a unique relative path or file name. -1 if none.
    int findItem(const QString &ref, const QString &baseDir = {}) const;

    /// Commits the label and status of one item. Throws cairn::Error (and changes nothing) when
    /// the annotation does not fit the task (unknown class, two classes in a single-label job,
    /// boxes outside a box job, empty boxes).
    void setLabel(int index, ItemStatus status, const Annotation &annotation);
    void setStatus(int index, ItemStatus status);
    void clearLabel(int index) { setLabel(index, ItemStatus::Unlabeled, {}); }
    void setImageSize(int index, const ImageSize &size);
    /// Reads sizes from the image headers of items that have none (for exports of boxes).
    void ensureImageSizes();

    struct Update
    {
        int index = -1;
        ItemStatus status = ItemStatus::Unlabeled;
        Annotation annotation;
        ImageSize size; ///< kept if invalid
    };
    /// All updates in one transaction: all or nothing. newClasses are appended to the label
    /// set in the same transaction (an import that brings classes of its own).
    void apply(const QList<Update> &updates, const QStringList &newClasses = {});

    /// Adds classes (e.g. found in an imported file); returns their ids.
    QList<int> addClasses(const QStringList &names);
    void setClassColor(int id, const QString &color);
    void setInstructions(const QString &text);

    /// Checks an annotation against the task and label set; throws cairn::Error with why.
    void validate(const Annotation &annotation, ItemStatus status) const;

    JobCounts counts() const;
    /// Items in the order a human should see them: in review mode the machine labels, least
    /// confident first; otherwise all items in job order.
    QList<int> reviewQueue() const;

    /// Re-reads items and settings (after another process wrote the job).
    void reload();
    /// A number that changes whenever any process commits to this job.
    qint64 dataVersion() const;

private:
    LabelingJob();
    void initSchema();
    void loadSettings();
    void loadItems();
    void writeItem(const Item &item);
    void validateWith(const Annotation &annotation, ItemStatus status, int classCount) const;
    void rebuildIndex();

    QString m_dir;
    std::unique_ptr<SqliteDatabase> m_db;
    JobSettings m_settings;
    std::vector<Item> m_items;
    QHash<QString, int> m_bySource;
    QHash<QString, int> m_bySourceRef;
};

} // namespace cairn::labeling
