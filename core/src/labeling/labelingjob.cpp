#include "cairn/labeling/labelingjob.h"

#include "cairn/labeling/imageheader.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/util/error.h"
#include "cairn/util/process.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <sqlite3.h>

#include <algorithm>

namespace cairn::labeling {

namespace {

constexpr int kSchemaVersion = 1;

QString annotationToJson(const Annotation &a)
{
    QJsonObject o;
    if (!a.classes.isEmpty()) {
        QJsonArray classes;
        for (int c : a.classes)
            classes.append(c);
        o.insert(QStringLiteral("classes"), classes);
    }
    if (!a.confidences.isEmpty()) {
        QJsonArray conf;
        for (double c : a.confidences)
            conf.append(c);
        o.insert(QStringLiteral("confidences"), conf);
    }
    if (!a.boxes.isEmpty()) {
        QJsonArray boxes;
        for (const Box &b : a.boxes)
            boxes.append(QJsonArray{b.classId, b.left, b.top, b.width, b.height, b.confidence});
        o.insert(QStringLiteral("boxes"), boxes);
    }
    o.insert(QStringLiteral("human"), a.human);
    if (!a.creationDate.isEmpty())
        o.insert(QStringLiteral("date"), a.creationDate);
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

Annotation annotationFromJson(const QString &text)
{
    Annotation a;
    if (text.isEmpty())
        return a;
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    for (const QJsonValue &v : o.value(QStringLiteral("classes")).toArray())
        a.classes << v.toInt();
    for (const QJsonValue &v : o.value(QStringLiteral("confidences")).toArray())
        a.confidences << v.toDouble();
    for (const QJsonValue &v : o.value(QStringLiteral("boxes")).toArray()) {
        const QJsonArray b = v.toArray();
        a.boxes << Box{b.at(0).toInt(), b.at(1).toInt(), b.at(2).toInt(), b.at(3).toInt(), b.at(4).toInt(), b.at(5).toDouble(1.0)};
    }
    a.human = o.value(QStringLiteral("human")).toBool(true);
    a.creationDate = o.value(QStringLiteral("date")).toString();
    return a;
}

QString classesToJson(const QList<LabelClass> &classes)
{
    QJsonArray array;
    for (const LabelClass &c : classes)
        array.append(QJsonObject{{QStringLiteral("name"), c.name}, {QStringLiteral("color"), c.color}, {QStringLiteral("key"), c.key}});
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

} // namespace

LabelingJob::LabelingJob() = default;
LabelingJob::~LabelingJob() = default;

QString LabelingJob::jobsRoot(const QString &workspacePath)
{
    return QDir(workspacePath).filePath(QStringLiteral("labeling"));
}

QString LabelingJob::jobDir(const QString &workspacePath, const QString &name)
{
    return QDir(jobsRoot(workspacePath)).filePath(name);
}

void LabelingJob::removeAbandonedCreations(const QString &workspacePath)
{
    // create() builds labels.db.creating-<pid> (and SQLite's -wal, -shm beside it): such files
    // whose process is gone were left by a create that was killed.
    static const QRegularExpression creating(QStringLiteral("^labels\\.db\\.creating(?:-(\\d+))?"));
    const QDir root(jobsRoot(workspacePath));
    for (const QString &d : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QDir dir(root.filePath(d));
        bool removed = false;
        for (const QString &f : dir.entryList({QStringLiteral("labels.db.creating*")}, QDir::Files | QDir::Hidden)) {
            const QRegularExpressionMatch m = creating.match(f);
            if (m.hasMatch() && !m.captured(1).isEmpty() && processExists(m.captured(1).toLongLong()))
                continue;
            removed = QFile::remove(dir.filePath(f)) || removed;
        }
        // The folder was made by the create: remove it too if nothing else is in it.
        if (removed && dir.isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
            root.rmdir(d);
    }
}

QStringList LabelingJob::list(const QString &workspacePath)
{
    removeAbandonedCreations(workspacePath);
    QStringList names;
    const QDir root(jobsRoot(workspacePath));
    for (const QString &d : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        if (QFileInfo::exists(root.filePath(d + QStringLiteral("/labels.db"))))
            names << d;
    return names;
}

bool LabelingJob::exists(const QString &workspacePath, const QString &name)
{
    return QFileInfo::exists(QDir(jobDir(workspacePath, name)).filePath(QStringLiteral("labels.db")));
}

void LabelingJob::validateName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9](-*[A-Za-z0-9]){0,62}$"));
    if (!re.match(name).hasMatch())
        throw Error(QStringLiteral("'%1' is not a valid job name: use 1-63 letters, digits and hyphens, "
                                   "starting and ending with a letter or digit")
                        .arg(name));
}

QStringList LabelingJob::imageSuffixes()
{
    return {QStringLiteral("png"), QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("bmp"),
            QStringLiteral("gif"), QStringLiteral("webp")};
}

QStringList LabelingJob::scanImageFolder(const QString &folder)
{
    const QFileInfo info(folder);
    if (!info.isDir())
        throw Error(QStringLiteral("%1: not a folder").arg(folder));
    QStringList filters;
    for (const QString &s : imageSuffixes())
        filters << QStringLiteral("*.") + s << QStringLiteral("*.") + s.toUpper();
    QStringList files;
    QDirIterator it(info.absoluteFilePath(), filters, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    std::sort(files.begin(), files.end());
    return files;
}

std::unique_ptr<LabelingJob> LabelingJob::create(const QString &workspacePath, JobSettings settings,
                                                 const QStringList &sources, const QStringList &sourceRefs)
{
    validateName(settings.name);
    if (settings.classes.isEmpty())
        throw Error(QStringLiteral("job '%1' needs at least one label").arg(settings.name));
    QSet<QString> seen;
    for (int i = 0; i < settings.classes.size(); ++i) {
        LabelClass &c = settings.classes[i];
        c.id = i;
        c.name = c.name.trimmed();
        if (c.name.isEmpty())
            throw Error(QStringLiteral("label %1 has no name").arg(i));
        if (seen.contains(c.name))
            throw Error(QStringLiteral("label '%1' is given twice").arg(c.name));
        seen.insert(c.name);
        if (c.color.isEmpty())
            c.color = defaultClassColor(i);
        if (c.key.isEmpty())
            c.key = defaultClassKey(i);
    }
    if (!sourceRefs.isEmpty() && sourceRefs.size() != sources.size())
        throw Error(QStringLiteral("internal: %1 source refs for %2 sources").arg(sourceRefs.size()).arg(sources.size()));
    if (settings.labelAttribute.isEmpty())
        settings.labelAttribute = settings.name;
    if (settings.createdAt.isEmpty())
        settings.createdAt = creationDateNow();

    removeAbandonedCreations(workspacePath);
    const QString dir = jobDir(workspacePath, settings.name);
    if (QFileInfo::exists(QDir(dir).filePath(QStringLiteral("labels.db"))))
        throw Error(QStringLiteral("a labeling job named '%1' already exists").arg(settings.name));
    if (!QDir().mkpath(dir))
        throw Error(QStringLiteral("cannot create folder %1").arg(dir));

    // Build the database under a temporary name so that a failed create leaves no half job.
    const QString tmpPath = QDir(dir).filePath(QStringLiteral("labels.db.creating-%1").arg(QCoreApplication::applicationPid()));
    QFile::remove(tmpPath);
    {
        SqliteDatabase db(tmpPath);
        db.exec(QStringLiteral(
            "CREATE TABLE job(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "CREATE TABLE items(id INTEGER PRIMARY KEY, source TEXT NOT NULL UNIQUE, source_ref TEXT NOT NULL,"
            " status TEXT NOT NULL DEFAULT 'unlabeled', annotation TEXT, width INTEGER, height INTEGER,"
            " depth INTEGER, updated_ms INTEGER NOT NULL DEFAULT 0);"));
        db.write([&] {
            auto put = db.query(QStringLiteral("INSERT INTO job(key, value) VALUES(?, ?)"));
            const QList<std::pair<QString, QString>> values = {
                {QStringLiteral("name"), settings.name},
                {QStringLiteral("type"), taskTypeName(settings.type)},
                {QStringLiteral("classes"), classesToJson(settings.classes)},
                {QStringLiteral("instructions"), settings.instructions},
                {QStringLiteral("label_attribute"), settings.labelAttribute},
                {QStringLiteral("created_at"), settings.createdAt},
            };
            for (const auto &[k, v] : values) {
                put.bind(1, k).bind(2, v).exec();
                put.reset();
            }
            auto insert = db.query(QStringLiteral("INSERT INTO items(source, source_ref) VALUES(?, ?)"));
            QSet<QString> unique;
            for (int i = 0; i < sources.size(); ++i) {
                const QString source = QFileInfo(sources.at(i)).absoluteFilePath();
                if (unique.contains(source))
                    continue; // a manifest may list an image twice; label it once
                unique.insert(source);
                insert.bind(1, source).bind(2, sourceRefs.isEmpty() ? source : sourceRefs.at(i)).exec();
                insert.reset();
            }
        });
        db.setUserVersion(kSchemaVersion);
        db.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
    }
    QFile::remove(tmpPath + QStringLiteral("-wal"));
    QFile::remove(tmpPath + QStringLiteral("-shm"));
    if (!QFile::rename(tmpPath, QDir(dir).filePath(QStringLiteral("labels.db"))))
        throw Error(QStringLiteral("cannot create %1/labels.db").arg(dir));
    return openDir(dir);
}

std::unique_ptr<LabelingJob> LabelingJob::open(const QString &workspacePath, const QString &name)
{
    if (!exists(workspacePath, name)) {
        const QStringList names = list(workspacePath);
        throw Error(QStringLiteral("no labeling job '%1' in %2%3")
                        .arg(name, workspacePath,
                             names.isEmpty() ? QString() : QStringLiteral(" (jobs: %1)").arg(names.join(QStringLiteral(", ")))));
    }
    return openDir(jobDir(workspacePath, name));
}

std::unique_ptr<LabelingJob> LabelingJob::openDir(const QString &dir)
{
    const QString path = QDir(dir).filePath(QStringLiteral("labels.db"));
    if (!QFileInfo::exists(path))
        throw Error(QStringLiteral("%1: not a labeling job (no labels.db)").arg(dir));
    std::unique_ptr<LabelingJob> job(new LabelingJob);
    job->m_dir = QFileInfo(dir).absoluteFilePath();
    job->m_db = std::make_unique<SqliteDatabase>(path);
    // WAL with synchronous=NORMAL (SqliteDatabase's default): a commit is in the WAL file when it
    // returns, so a crash or kill of the program loses nothing; only a power cut can lose the last
    // commits before a checkpoint. FULL would put an fsync on the GUI thread for every key press
    // (measured p95 15 ms idle, 70 ms under disk load: more than a frame).
    if (job->m_db->userVersion() > kSchemaVersion)
        throw Error(QStringLiteral("%1 was written by a newer Cairn Studio").arg(path));
    job->reload();
    return job;
}

QString LabelingJob::databasePath() const
{
    return m_db->path();
}

int LabelingJob::classId(const QString &name) const
{
    for (const LabelClass &c : m_settings.classes)
        if (c.name == name)
            return c.id;
    return -1;
}

void LabelingJob::reload()
{
    loadSettings();
    loadItems();
}

void LabelingJob::loadSettings()
{
    QHash<QString, QString> values;
    auto q = m_db->query(QStringLiteral("SELECT key, value FROM job"));
    while (q.next())
        values.insert(q.text(0), q.text(1));
    m_settings.name = values.value(QStringLiteral("name"));
    m_settings.type = taskTypeFromName(values.value(QStringLiteral("type")));
    m_settings.instructions = values.value(QStringLiteral("instructions"));
    m_settings.labelAttribute = values.value(QStringLiteral("label_attribute"), m_settings.name);
    m_settings.createdAt = values.value(QStringLiteral("created_at"));
    m_settings.classes.clear();
    const QJsonArray classes = QJsonDocument::fromJson(values.value(QStringLiteral("classes")).toUtf8()).array();
    for (int i = 0; i < classes.size(); ++i) {
        const QJsonObject o = classes.at(i).toObject();
        m_settings.classes << LabelClass{i, o.value(QStringLiteral("name")).toString(), o.value(QStringLiteral("color")).toString(),
                                         o.value(QStringLiteral("key")).toString()};
    }
}

void LabelingJob::loadItems()
{
    m_items.clear();
    auto q = m_db->query(QStringLiteral(
        "SELECT id, source, source_ref, status, annotation, width, height, depth, updated_ms FROM items ORDER BY id"));
    while (q.next()) {
        Item item;
        item.id = q.int64(0);
        item.source = q.text(1);
        item.sourceRef = q.text(2);
        item.status = statusFromName(q.text(3));
        if (!q.isNull(4))
            item.annotation = annotationFromJson(q.text(4));
        if (!q.isNull(5))
            item.size = {int(q.int64(5)), int(q.int64(6)), int(q.int64(7))};
        item.updatedMs = q.int64(8);
        m_items.push_back(std::move(item));
    }
    rebuildIndex();
}

void LabelingJob::rebuildIndex()
{
    m_bySource.clear();
    m_bySourceRef.clear();
    m_bySource.reserve(qsizetype(m_items.size()));
    for (int i = 0; i < int(m_items.size()); ++i) {
        m_bySource.insert(m_items[size_t(i)].source, i);
        m_bySourceRef.insert(m_items[size_t(i)].sourceRef, i);
    }
}

int LabelingJob::indexOfSource(const QString &path) const
{
    return m_bySource.value(path, -1);
}

int LabelingJob::indexOfSourceRef(const QString &ref) const
{
    return m_bySourceRef.value(ref, -1);
}

int LabelingJob::findItem(const QString &ref, const QString &baseDir) const
{
    QString local = ref;
    if (local.startsWith(QLatin1String("file://")))
        local = QUrl(local).toLocalFile();
    if (QDir::isAbsolutePath(local)) {
        const int i = indexOfSource(QDir::cleanPath(local));
        if (i >= 0)
            return i;
    } else if (!baseDir.isEmpty()) {
        const int i = indexOfSource(QDir::cleanPath(QDir(baseDir).absoluteFilePath(local)));
        if (i >= 0)
            return i;
    }
    const int byRef = indexOfSourceRef(ref);
    if (byRef >= 0)
        return byRef;
    // A relative path or bare file name (COCO file_name, VOC filename): unique suffix match.
    const QString rel = QDir::cleanPath(local);
    if (rel.isEmpty() || QDir::isAbsolutePath(rel))
        return -1;
    const QString suffix = QLatin1Char('/') + rel;
    int found = -1;
    for (int i = 0; i < int(m_items.size()); ++i) {
        if (m_items[size_t(i)].source.endsWith(suffix)) {
            if (found >= 0)
                return -1; // ambiguous
            found = i;
        }
    }
    return found;
}

void LabelingJob::validate(const Annotation &a, ItemStatus status) const
{
    validateWith(a, status, int(m_settings.classes.size()));
}

void LabelingJob::validateWith(const Annotation &a, ItemStatus status, int n) const
{
    auto checkClass = [&](int c) {
        if (c < 0 || c >= n)
            throw Error(QStringLiteral("class id %1 is not in the label set of job '%2' (0..%3)").arg(c).arg(m_settings.name).arg(n - 1));
    };
    for (int c : a.classes)
        checkClass(c);
    auto checkConfidence = [](double c) {
        if (!(c >= 0.0 && c <= 1.0))
            throw Error(QStringLiteral("confidence %1 is not a number from 0 to 1").arg(c));
    };
    for (const Box &b : a.boxes) {
        checkClass(b.classId);
        if (b.width <= 0 || b.height <= 0)
            throw Error(QStringLiteral("a box needs a positive width and height (got %1×%2)").arg(b.width).arg(b.height));
        checkConfidence(b.confidence);
    }
    for (double c : a.confidences)
        checkConfidence(c);
    if (!a.confidences.isEmpty() && a.confidences.size() != a.classes.size())
        throw Error(QStringLiteral("%1 confidences for %2 classes").arg(a.confidences.size()).arg(a.classes.size()));
    switch (m_settings.type) {
    case TaskType::SingleLabel:
        if (!a.boxes.isEmpty())
            throw Error(QStringLiteral("job '%1' labels whole images, not boxes").arg(m_settings.name));
        if (a.classes.size() > 1)
            throw Error(QStringLiteral("job '%1' is single-label: one class per image").arg(m_settings.name));
        if ((status == ItemStatus::Labeled || status == ItemStatus::NeedsReview) && a.classes.isEmpty())
            throw Error(QStringLiteral("a labeled image of job '%1' needs a class").arg(m_settings.name));
        break;
    case TaskType::MultiLabel: {
        if (!a.boxes.isEmpty())
            throw Error(QStringLiteral("job '%1' labels whole images, not boxes").arg(m_settings.name));
        QList<int> sorted = a.classes;
        std::sort(sorted.begin(), sorted.end());
        if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
            throw Error(QStringLiteral("a class is given twice"));
        break;
    }
    case TaskType::BoundingBox:
        if (!a.classes.isEmpty())
            throw Error(QStringLiteral("job '%1' labels boxes, not whole images").arg(m_settings.name));
        break;
    }
}

void LabelingJob::writeItem(const Item &item)
{
    auto q = m_db->query(QStringLiteral(
        "UPDATE items SET status = ?, annotation = ?, width = ?, height = ?, depth = ?, updated_ms = ? WHERE id = ?"));
    q.bind(1, statusName(item.status));
    if (item.annotation.isEmpty() && item.status == ItemStatus::Unlabeled)
        q.bindNull(2);
    else
        q.bind(2, annotationToJson(item.annotation));
    if (item.size.isValid())
        q.bind(3, item.size.width).bind(4, item.size.height).bind(5, item.size.depth);
    else
        q.bindNull(3).bindNull(4).bindNull(5);
    q.bind(6, item.updatedMs).bind(7, item.id);
    q.exec();
    if (m_db->changes() != 1)
        throw Error(QStringLiteral("item %1 of job '%2' is gone from %3").arg(item.source, m_settings.name, m_db->path()));
}

void LabelingJob::setLabel(int index, ItemStatus status, const Annotation &annotation)
{
    apply({Update{index, status, annotation, {}}});
}

void LabelingJob::setStatus(int index, ItemStatus status)
{
    const Item &it = item(index);
    apply({Update{index, status, it.annotation, {}}});
}

void LabelingJob::setImageSize(int index, const ImageSize &size)
{
    Item copy = item(index);
    if (copy.size == size)
        return;
    copy.size = size;
    m_db->write([&] { writeItem(copy); });
    m_items[size_t(index)].size = size;
}

void LabelingJob::ensureImageSizes()
{
    QList<std::pair<int, ImageSize>> found;
    for (int i = 0; i < itemCount(); ++i) {
        if (m_items[size_t(i)].size.isValid())
            continue;
        const ImageSize s = readImageSize(m_items[size_t(i)].source);
        if (s.isValid())
            found.append({i, s});
    }
    if (found.isEmpty())
        return;
    m_db->write([&] {
        for (const auto &[i, s] : found) {
            Item copy = m_items[size_t(i)];
            copy.size = s;
            writeItem(copy);
        }
    });
    for (const auto &[i, s] : found)
        m_items[size_t(i)].size = s;
}

void LabelingJob::apply(const QList<Update> &updates, const QStringList &newClasses)
{
    QList<LabelClass> classes = m_settings.classes;
    for (const QString &raw : newClasses) {
        const QString name = raw.trimmed();
        bool known = name.isEmpty();
        for (const LabelClass &c : classes)
            known = known || c.name == name;
        if (!known) {
            const int id = int(classes.size());
            classes << LabelClass{id, name, defaultClassColor(id), defaultClassKey(id)};
        }
    }
    QList<Item> changed;
    changed.reserve(updates.size());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const Update &u : updates) {
        if (u.index < 0 || u.index >= itemCount())
            throw Error(QStringLiteral("no item %1 in job '%2'").arg(u.index).arg(m_settings.name));
        validateWith(u.annotation, u.status, int(classes.size()));
        Item copy = m_items[size_t(u.index)];
        copy.status = u.status;
        copy.annotation = u.status == ItemStatus::Unlabeled ? Annotation{} : u.annotation;
        if (!copy.annotation.isEmpty() && copy.annotation.creationDate.isEmpty())
            copy.annotation.creationDate = creationDateNow();
        if (u.size.isValid())
            copy.size = u.size;
        copy.updatedMs = now;
        changed << copy;
    }
    // Memory changes only after the commit: a failed write leaves both as they were.
    m_db->write([&] {
        if (classes.size() != m_settings.classes.size())
            m_db->query(QStringLiteral("UPDATE job SET value = ? WHERE key = 'classes'")).bind(1, classesToJson(classes)).exec();
        for (const Item &it : changed)
            writeItem(it);
    });
    m_settings.classes = classes;
    for (int k = 0; k < updates.size(); ++k)
        m_items[size_t(updates.at(k).index)] = changed.at(k);
}

QList<int> LabelingJob::addClasses(const QStringList &names)
{
    QList<LabelClass> classes = m_settings.classes;
    QList<int> ids;
    for (const QString &raw : names) {
        const QString name = raw.trimmed();
        if (name.isEmpty())
            throw Error(QStringLiteral("a label needs a name"));
        int id = -1;
        for (const LabelClass &c : classes)
            if (c.name == name)
                id = c.id;
        if (id < 0) {
            id = int(classes.size());
            classes << LabelClass{id, name, defaultClassColor(id), defaultClassKey(id)};
        }
        ids << id;
    }
    if (classes.size() != m_settings.classes.size()) {
        m_db->write([&] {
            m_db->query(QStringLiteral("UPDATE job SET value = ? WHERE key = 'classes'")).bind(1, classesToJson(classes)).exec();
        });
        m_settings.classes = classes;
    }
    return ids;
}

void LabelingJob::setClassColor(int id, const QString &color)
{
    QList<LabelClass> classes = m_settings.classes;
    if (id < 0 || id >= classes.size())
        throw Error(QStringLiteral("no class %1").arg(id));
    classes[id].color = color;
    m_db->write([&] {
        m_db->query(QStringLiteral("UPDATE job SET value = ? WHERE key = 'classes'")).bind(1, classesToJson(classes)).exec();
    });
    m_settings.classes = classes;
}

void LabelingJob::setInstructions(const QString &text)
{
    m_db->write([&] {
        m_db->query(QStringLiteral("UPDATE job SET value = ? WHERE key = 'instructions'")).bind(1, text).exec();
    });
    m_settings.instructions = text;
}

JobCounts LabelingJob::counts() const
{
    JobCounts c;
    c.total = itemCount();
    c.perClass = QList<int>(m_settings.classes.size(), 0);
    for (const Item &it : m_items) {
        switch (it.status) {
        case ItemStatus::Unlabeled: ++c.unlabeled; break;
        case ItemStatus::Labeled: ++c.labeled; break;
        case ItemStatus::Skipped: ++c.skipped; break;
        case ItemStatus::NeedsReview: ++c.needsReview; break;
        }
        if (it.status == ItemStatus::Unlabeled || it.status == ItemStatus::Skipped)
            continue;
        if (!it.annotation.human)
            ++c.machineLabeled;
        for (int cls : it.annotation.classes)
            if (cls >= 0 && cls < c.perClass.size())
                ++c.perClass[cls];
        for (const Box &b : it.annotation.boxes)
            if (b.classId >= 0 && b.classId < c.perClass.size())
                ++c.perClass[b.classId];
    }
    return c;
}

QList<int> LabelingJob::reviewQueue() const
{
    QList<int> queue;
    for (int i = 0; i < itemCount(); ++i)
        if (m_items[size_t(i)].status == ItemStatus::NeedsReview)
            queue << i;
    std::stable_sort(queue.begin(), queue.end(), [this](int a, int b) {
        return m_items[size_t(a)].annotation.minConfidence() < m_items[size_t(b)].annotation.minConfidence();
    });
    return queue;
}

qint64 LabelingJob::dataVersion() const
{
    // PRAGMA data_version only changes for other connections' commits; add our own count.
    auto q = m_db->query(QStringLiteral("PRAGMA data_version"));
    q.next();
    return q.int64(0) + sqlite3_total_changes(m_db->handle());
}

} // namespace cairn::labeling
