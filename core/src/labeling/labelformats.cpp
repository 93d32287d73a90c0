// Ground Truth manifests, and the import/export entry points of every format.
#include "cairn/labeling/labelformats.h"

#include "cairn/labeling/labelingjob.h"
#include "cairn/util/error.h"
#include "formatutil.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QUrl>

#include <algorithm>
#include <cmath>

namespace cairn::labeling {

using namespace Internal;

QString formatName(LabelFormat format)
{
    switch (format) {
    case LabelFormat::Manifest: return QStringLiteral("manifest");
    case LabelFormat::Coco: return QStringLiteral("coco");
    case LabelFormat::Yolo: return QStringLiteral("yolo");
    case LabelFormat::Voc: return QStringLiteral("voc");
    }
    return {};
}

LabelFormat formatFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("manifest") || n == QLatin1String("groundtruth") || n == QLatin1String("jsonl"))
        return LabelFormat::Manifest;
    if (n == QLatin1String("coco"))
        return LabelFormat::Coco;
    if (n == QLatin1String("yolo"))
        return LabelFormat::Yolo;
    if (n == QLatin1String("voc") || n == QLatin1String("pascal-voc"))
        return LabelFormat::Voc;
    throw Error(QStringLiteral("unknown format '%1' (use manifest, coco, yolo or voc)").arg(name));
}

namespace {

struct ManifestLine
{
    int number = 0;
    QJsonObject object;
};

/// Reads a JSON Lines file; every non-blank line must be an object with a string source-ref.
QList<ManifestLine> readJsonLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    QList<ManifestLine> lines;
    int number = 0;
    while (!file.atEnd()) {
        const QByteArray raw = file.readLine();
        ++number;
        const QByteArray text = raw.trimmed();
        if (text.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
        if (error.error != QJsonParseError::NoError)
            throw Error(QStringLiteral("%1:%2: not valid JSON (%3 at column %4)").arg(path).arg(number).arg(error.errorString()).arg(error.offset + 1));
        QString why;
        if (const qsizetype lax = laxJsonAt(text, &why); lax >= 0)
            throw Error(QStringLiteral("%1:%2: not valid JSON (%3 at column %4)").arg(path).arg(number).arg(why).arg(raw.indexOf(text) + lax + 1));
        if (!doc.isObject())
            throw Error(QStringLiteral("%1:%2: each line must be a JSON object").arg(path).arg(number));
        const QJsonObject o = doc.object();
        if (!o.value(QStringLiteral("source-ref")).isString() || o.value(QStringLiteral("source-ref")).toString().isEmpty())
            throw Error(QStringLiteral("%1:%2: no \"source-ref\" string").arg(path).arg(number));
        lines << ManifestLine{number, o};
    }
    return lines;
}

QString localPathOf(const QString &ref, const QString &baseDir, const QString &path, int line)
{
    if (ref.startsWith(QLatin1String("file://")))
        return QUrl(ref).toLocalFile();
    const int scheme = ref.indexOf(QLatin1String("://"));
    if (scheme > 0)
        throw Error(QStringLiteral("%1:%2: %3 is not a local file (download the images and point source-ref at them)")
                        .arg(path).arg(line).arg(ref));
    return QDir::cleanPath(QDir(baseDir).absoluteFilePath(ref));
}

/// The label attribute of a manifest: the key that is neither source-ref nor *-metadata,
/// preferring one that has a metadata object.
QString findLabelAttribute(const QList<ManifestLine> &lines, const QString &path)
{
    for (const ManifestLine &l : lines) {
        QStringList candidates;
        for (auto it = l.object.begin(); it != l.object.end(); ++it) {
            const QString key = it.key();
            if (key == QLatin1String("source-ref") || key.endsWith(QLatin1String("-metadata")))
                continue;
            candidates << key;
        }
        if (candidates.isEmpty())
            continue;
        if (candidates.size() == 1)
            return candidates.first();
        QStringList withMeta;
        for (const QString &c : candidates)
            if (l.object.contains(c + QStringLiteral("-metadata")))
                withMeta << c;
        if (withMeta.size() == 1)
            return withMeta.first();
        throw Error(QStringLiteral("%1:%2: several label attributes (%3): say which with --label-attribute")
                        .arg(path).arg(l.number).arg(candidates.join(QStringLiteral(", "))));
    }
    // Lines with metadata but no label (failed or skipped items) still name the attribute.
    for (const ManifestLine &l : lines)
        for (auto it = l.object.begin(); it != l.object.end(); ++it)
            if (it.key().endsWith(QLatin1String("-metadata")))
                return it.key().chopped(9);
    return {};
}

void noteClass(ParsedLabels &labels, int id, const QString &name, const QString &path, int line)
{
    if (name.isEmpty())
        return;
    const auto it = labels.classes.constFind(id);
    if (it != labels.classes.constEnd() && *it != name)
        throw Error(QStringLiteral("%1:%2: class %3 is named '%4' here but '%5' before").arg(path).arg(line).arg(id).arg(name, *it));
    labels.classes.insert(id, name);
}

} // namespace

ManifestSources readManifestSources(const QString &path)
{
    const QList<ManifestLine> lines = readJsonLines(path);
    const QString baseDir = QFileInfo(path).absolutePath();
    ManifestSources sources;
    for (const ManifestLine &l : lines) {
        const QString ref = l.object.value(QStringLiteral("source-ref")).toString();
        sources.paths << localPathOf(ref, baseDir, path, l.number);
        sources.refs << ref;
    }
    if (sources.paths.isEmpty())
        throw Error(QStringLiteral("%1: no images listed").arg(path));
    return sources;
}

ParsedLabels parseManifest(const QString &path, TaskType type, const QString &labelAttribute)
{
    const QList<ManifestLine> lines = readJsonLines(path);
    ParsedLabels labels;
    labels.path = path;
    labels.baseDir = QFileInfo(path).absolutePath();
    labels.type = type;
    const QString attribute = labelAttribute.isEmpty() ? findLabelAttribute(lines, path) : labelAttribute;
    const QString metaKey = attribute + QStringLiteral("-metadata");
    auto fail = [&](int line, const QString &what) {
        return Error(QStringLiteral("%1:%2: %3").arg(path).arg(line).arg(what));
    };
    for (const ManifestLine &l : lines) {
        ParsedLabels::Entry entry;
        entry.ref = l.object.value(QStringLiteral("source-ref")).toString();
        localPathOf(entry.ref, labels.baseDir, path, l.number); // rejects remote refs
        entry.line = l.number;
        entry.file = path;
        const QJsonObject meta = l.object.value(metaKey).toObject();
        const QJsonValue value = attribute.isEmpty() ? QJsonValue(QJsonValue::Undefined) : l.object.value(attribute);
        Annotation &a = entry.annotation;
        a.human = meta.value(QStringLiteral("human-annotated")).toString(QStringLiteral("yes")) != QLatin1String("no");
        a.creationDate = meta.value(QStringLiteral("creation-date")).toString();
        if (value.isUndefined() || value.isNull()) {
            if (meta.contains(QStringLiteral("failure-reason"))) {
                entry.hasLabel = true;
                entry.status = ItemStatus::Skipped;
                a = Annotation{};
            }
            labels.entries << entry;
            continue;
        }
        entry.hasLabel = true;
        entry.status = a.human ? ItemStatus::Labeled : ItemStatus::NeedsReview;
        switch (type) {
        case TaskType::SingleLabel: {
            if (value.isArray() || value.isObject())
                throw fail(l.number, QStringLiteral("the label is a %1 but the job is single-label (one class id such as 0 or \"0\")")
                                         .arg(value.isArray() ? QStringLiteral("list") : QStringLiteral("box object")));
            const int id = classIdFrom(value);
            if (id < 0)
                throw fail(l.number, QStringLiteral("label %1 is not a class id such as 0 or \"0\"")
                                         .arg(QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1)));
            a.classes << id;
            if (meta.contains(QStringLiteral("confidence"))) {
                double c = 1.0;
                if (!confidenceFrom(meta.value(QStringLiteral("confidence")), &c))
                    throw fail(l.number, QStringLiteral("\"confidence\" is not a number from 0 to 1"));
                a.confidences << c;
            }
            noteClass(labels, id, meta.value(QStringLiteral("class-name")).toString(), path, l.number);
            break;
        }
        case TaskType::MultiLabel: {
            if (value.isObject())
                throw fail(l.number, QStringLiteral("the label is a box object but the job is multi-label (a list of class ids)"));
            const QJsonArray ids = value.isArray() ? value.toArray() : QJsonArray{value};
            const QJsonObject confMap = meta.value(QStringLiteral("confidence-map")).toObject();
            bool anyConf = false;
            for (const QJsonValue &v : ids) {
                const int id = classIdFrom(v);
                if (id < 0)
                    throw fail(l.number, QStringLiteral("the label list holds something that is not a class id"));
                if (a.classes.contains(id))
                    throw fail(l.number, QStringLiteral("class %1 is listed twice").arg(id));
                a.classes << id;
                double c = 1.0;
                const QJsonValue cv = confMap.value(QString::number(id));
                if (!cv.isUndefined()) {
                    if (!confidenceFrom(cv, &c))
                        throw fail(l.number, QStringLiteral("confidence-map value of class %1 is not a number from 0 to 1").arg(id));
                    anyConf = true;
                }
                a.confidences << c;
            }
            if (!anyConf)
                a.confidences.clear();
            const QJsonObject classMap = meta.value(QStringLiteral("class-map")).toObject();
            for (auto it = classMap.begin(); it != classMap.end(); ++it) {
                bool ok = false;
                const int id = it.key().toInt(&ok);
                if (!ok || id < 0)
                    throw fail(l.number, QStringLiteral("class-map key '%1' is not a class id").arg(it.key()));
                noteClass(labels, id, it.value().toString(), path, l.number);
            }
            break;
        }
        case TaskType::BoundingBox: {
            if (!value.isObject())
                throw fail(l.number, QStringLiteral("the label is not a box object ({\"image_size\": ..., \"annotations\": [...]}) "
                                                    "but the job labels boxes"));
            const QJsonObject o = value.toObject();
            const QJsonArray sizes = o.value(QStringLiteral("image_size")).toArray();
            if (!sizes.isEmpty()) {
                const QJsonObject s = sizes.first().toObject();
                qint64 width = 0, height = 0, depth = 3;
                if (!wholeNumberFrom(s.value(QStringLiteral("width")), kMaxBoxCoordinate, &width) || width <= 0
                    || !wholeNumberFrom(s.value(QStringLiteral("height")), kMaxBoxCoordinate, &height) || height <= 0
                    || (s.contains(QStringLiteral("depth")) && (!wholeNumberFrom(s.value(QStringLiteral("depth")), 64, &depth) || depth <= 0)))
                    throw fail(l.number, QStringLiteral("image_size needs a whole width and height from 1 to %1 pixels")
                                             .arg(QString::number(kMaxBoxCoordinate, 'f', 0)));
                entry.size = {int(width), int(height), int(depth)};
            }
            if (!o.value(QStringLiteral("annotations")).isArray())
                throw fail(l.number, QStringLiteral("no \"annotations\" list in the box label"));
            const QJsonArray objects = meta.value(QStringLiteral("objects")).toArray();
            const QJsonArray annotations = o.value(QStringLiteral("annotations")).toArray();
            for (int k = 0; k < annotations.size(); ++k) {
                const QJsonObject b = annotations.at(k).toObject();
                Box box;
                box.classId = classIdFrom(b.value(QStringLiteral("class_id")));
                if (box.classId < 0)
                    throw fail(l.number, QStringLiteral("box %1: class_id is not a class id such as 0 or \"0\"").arg(k + 1));
                double v[4];
                const char *names[4] = {"left", "top", "width", "height"};
                for (int n = 0; n < 4; ++n)
                    if (!numberFrom(b.value(QLatin1String(names[n])), &v[n]))
                        throw fail(l.number, QStringLiteral("box %1: \"%2\" is missing or not a number").arg(k + 1).arg(QLatin1String(names[n])));
                if (const QString wrong = boxFrom(v[0], v[1], v[2], v[3], &box); !wrong.isEmpty())
                    throw fail(l.number, QStringLiteral("box %1: %2").arg(k + 1).arg(wrong));
                double c = 1.0;
                if (k < objects.size() && objects.at(k).toObject().contains(QStringLiteral("confidence"))
                    && !confidenceFrom(objects.at(k).toObject().value(QStringLiteral("confidence")), &c))
                    throw fail(l.number, QStringLiteral("box %1: confidence is not a number from 0 to 1").arg(k + 1));
                box.confidence = c;
                a.boxes << box;
            }
            const QJsonObject classMap = meta.value(QStringLiteral("class-map")).toObject();
            for (auto it = classMap.begin(); it != classMap.end(); ++it) {
                bool ok = false;
                const int id = it.key().toInt(&ok);
                if (!ok || id < 0)
                    throw fail(l.number, QStringLiteral("class-map key '%1' is not a class id").arg(it.key()));
                noteClass(labels, id, it.value().toString(), path, l.number);
            }
            break;
        }
        }
        labels.entries << entry;
    }
    return labels;
}

QString manifestLine(const LabelingJob &job, const Item &item, const ExportOptions &options)
{
    const bool labeled = item.status == ItemStatus::Labeled || item.status == ItemStatus::NeedsReview;
    if (options.labeledOnly && !labeled)
        return {};
    if (!options.includeMachine && item.status == ItemStatus::NeedsReview && !item.annotation.human)
        return {};
    const QString attr = jsonString(job.settings().labelAttribute);
    const QString meta = jsonString(job.settings().labelAttribute + QStringLiteral("-metadata"));
    const QString jobName = jsonString(QStringLiteral("labeling-job/") + job.name());
    const Annotation &a = item.annotation;
    const QString human = jsonString(a.human ? QStringLiteral("yes") : QStringLiteral("no"));
    const QString date = jsonString(a.creationDate.isEmpty() ? creationDateNow() : a.creationDate);
    QString line = QStringLiteral("{\"source-ref\": ") + jsonString(item.sourceRef);
    if (item.status == ItemStatus::Skipped) {
        return line + QStringLiteral(", %1: {\"failure-reason\": \"skipped by the annotator\", \"job-name\": %2, \"human-annotated\": \"yes\", \"creation-date\": %3}}")
                          .arg(meta, jobName, date);
    }
    if (!labeled)
        return line + QLatin1Char('}');
    auto className = [&](int id) {
        return jsonString(id >= 0 && id < job.classes().size() ? job.classes().at(id).name : QString::number(id));
    };
    switch (job.type()) {
    case TaskType::SingleLabel: {
        const int id = a.classes.value(0, 0);
        line += QStringLiteral(", %1: %2, %3: {\"class-name\": %4, \"confidence\": %5, \"type\": %6, \"job-name\": %7, "
                               "\"human-annotated\": %8, \"creation-date\": %9}}")
                    .arg(attr, QString::number(id), meta, className(id), jsonReal(a.confidenceOf(0)),
                         jsonString(groundTruthType(job.type())), jobName, human, date);
        break;
    }
    case TaskType::MultiLabel: {
        QStringList ids, classMap, confMap;
        for (int k = 0; k < a.classes.size(); ++k) {
            const int id = a.classes.at(k);
            ids << QString::number(id);
            classMap << QStringLiteral("\"%1\": %2").arg(id).arg(className(id));
            confMap << QStringLiteral("\"%1\": %2").arg(id).arg(jsonReal(a.confidenceOf(k)));
        }
        line += QStringLiteral(", %1: [%2], %3: {\"job-name\": %4, \"class-map\": {%5}, \"human-annotated\": %6, "
                               "\"creation-date\": %7, \"confidence-map\": {%8}, \"type\": %9}}")
                    .arg(attr, ids.join(QStringLiteral(", ")), meta, jobName, classMap.join(QStringLiteral(", ")), human, date,
                         confMap.join(QStringLiteral(", ")), jsonString(groundTruthType(job.type())));
        break;
    }
    case TaskType::BoundingBox: {
        const ImageSize size = imageSizeOf(item);
        QStringList boxes, objects, classMap;
        QList<int> seen;
        for (const Box &b : a.boxes) {
            boxes << QStringLiteral("{\"class_id\": %1, \"left\": %2, \"top\": %3, \"width\": %4, \"height\": %5}")
                         .arg(b.classId).arg(b.left).arg(b.top).arg(b.width).arg(b.height);
            objects << QStringLiteral("{\"confidence\": %1}").arg(jsonReal(b.confidence));
            if (!seen.contains(b.classId))
                seen << b.classId;
        }
        std::sort(seen.begin(), seen.end());
        for (int id : seen)
            classMap << QStringLiteral("\"%1\": %2").arg(id).arg(className(id));
        line += QStringLiteral(", %1: {\"image_size\": [{\"width\": %2, \"height\": %3, \"depth\": %4}], \"annotations\": [%5]}, "
                               "%6: {\"objects\": [%7], \"class-map\": {%8}, \"type\": %9, ")
                    .arg(attr).arg(size.width).arg(size.height).arg(size.depth > 0 ? size.depth : 3)
                    .arg(boxes.join(QStringLiteral(", ")), meta, objects.join(QStringLiteral(", ")),
                         classMap.join(QStringLiteral(", ")), jsonString(groundTruthType(job.type())))
                + QStringLiteral("\"human-annotated\": %1, \"creation-date\": %2, \"job-name\": %3}}").arg(human, date, jobName);
        break;
    }
    }
    return line;
}

int exportManifest(LabelingJob &job, const QString &path, const ExportOptions &options)
{
    if (job.type() == TaskType::BoundingBox)
        job.ensureImageSizes();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    int labeled = 0;
    for (const Item &item : job.items()) {
        const QString line = manifestLine(job, item, options);
        if (line.isEmpty())
            continue;
        if (item.status == ItemStatus::Labeled || item.status == ItemStatus::NeedsReview)
            ++labeled;
        file.write(line.toUtf8());
        file.write("\n");
    }
    if (!file.commit())
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    return labeled;
}

ImportResult importLabels(LabelingJob &job, const ParsedLabels &labels, const ImportOptions &options)
{
    if (labels.type != job.type())
        throw Error(QStringLiteral("%1 holds %2 labels but job '%3' is %4")
                        .arg(labels.path, taskTypeName(labels.type), job.name(), taskTypeName(job.type())));
    // Map the file's class ids onto the job's, by name where the file names them.
    QHash<int, int> idMap;
    QStringList newClasses;
    auto mapId = [&](int fileId, const ParsedLabels::Entry &e) -> int {
        const auto known = idMap.constFind(fileId);
        if (known != idMap.constEnd())
            return *known;
        int jobId = -1;
        const QString name = labels.classes.value(fileId);
        if (!name.isEmpty()) {
            jobId = job.classId(name);
            if (jobId < 0) {
                const int pending = int(newClasses.indexOf(name));
                if (!options.addClasses)
                    throw Error(QStringLiteral("%1:%2: class '%3' is not in the label set of job '%4'")
                                    .arg(e.file).arg(e.line).arg(name, job.name()));
                if (pending >= 0) {
                    jobId = int(job.classes().size()) + pending;
                } else {
                    jobId = int(job.classes().size() + newClasses.size());
                    newClasses << name;
                }
            }
        } else {
            if (fileId >= job.classes().size())
                throw Error(QStringLiteral("%1:%2: class id %3 is not in the label set of job '%4' (0..%5) and the file does not name it")
                                .arg(e.file).arg(e.line).arg(fileId).arg(job.name()).arg(job.classes().size() - 1));
            jobId = fileId;
        }
        idMap.insert(fileId, jobId);
        return jobId;
    };

    ImportResult result;
    QList<LabelingJob::Update> updates;
    QSet<int> touched;
    for (const ParsedLabels::Entry &e : labels.entries) {
        const int index = job.findItem(e.ref, labels.baseDir);
        if (index < 0) {
            ++result.unmatched;
            if (result.unmatchedRefs.size() < 5)
                result.unmatchedRefs << e.ref;
            continue;
        }
        if (!e.hasLabel)
            continue;
        const Item &item = job.item(index);
        const bool humanWork = item.status == ItemStatus::Skipped
                               || (item.status != ItemStatus::Unlabeled && item.annotation.human);
        if (humanWork && !options.replace) {
            ++result.keptExisting;
            continue;
        }
        if (touched.contains(index))
            throw Error(QStringLiteral("%1:%2: %3 is labeled twice in this file").arg(e.file).arg(e.line).arg(e.ref));
        touched.insert(index);
        if (!e.annotation.boxes.isEmpty()) {
            const ImageSize size = imageSizeOf(item);
            for (int k = 0; k < e.annotation.boxes.size(); ++k) {
                const Box &b = e.annotation.boxes.at(k);
                if (boxOutsideImage(b, size))
                    throw Error(QStringLiteral("%1:%2: box %3 (left %4, top %5, %6×%7) lies wholly outside the %8×%9 image %10")
                                    .arg(e.file).arg(e.line).arg(k + 1).arg(b.left).arg(b.top).arg(b.width).arg(b.height)
                                    .arg(size.width).arg(size.height).arg(e.ref));
            }
        }
        LabelingJob::Update u{index, e.status, e.annotation, e.size};
        for (int &c : u.annotation.classes)
            c = mapId(c, e);
        for (Box &b : u.annotation.boxes)
            b.classId = mapId(b.classId, e);
        updates << u;
    }
    try {
        job.apply(updates, newClasses);
    } catch (const Error &err) {
        // Say which line the rejected label came from.
        throw Error(QStringLiteral("%1: %2 (nothing was imported)").arg(labels.path, err.message()));
    }
    result.imported = int(updates.size());
    result.addedClasses = newClasses;
    return result;
}

ImportResult importFile(LabelingJob &job, LabelFormat format, const QString &path, const ImportOptions &options)
{
    switch (format) {
    case LabelFormat::Manifest: return importLabels(job, parseManifest(path, job.type()), options);
    case LabelFormat::Coco: return importLabels(job, parseCoco(path, job.type()), options);
    case LabelFormat::Yolo: return importLabels(job, parseYolo(path, job), options);
    case LabelFormat::Voc:
        if (job.type() != TaskType::BoundingBox)
            throw Error(QStringLiteral("Pascal VOC holds bounding boxes; job '%1' is %2 (use --format manifest or coco)")
                            .arg(job.name(), taskTypeName(job.type())));
        return importLabels(job, parseVoc(path), options);
    }
    return {};
}

int exportFile(LabelingJob &job, LabelFormat format, const QString &path, const ExportOptions &options)
{
    switch (format) {
    case LabelFormat::Manifest: return exportManifest(job, path, options);
    case LabelFormat::Coco: return exportCoco(job, path, options);
    case LabelFormat::Yolo: return exportYolo(job, path, options);
    case LabelFormat::Voc: return exportVoc(job, path, options);
    }
    return 0;
}

} // namespace cairn::labeling
