// COCO JSON: images, annotations (bbox [x, y, w, h]) and categories (ids from 1).
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
#include <QLocale>
#include <QSaveFile>

#include <cmath>

namespace cairn::labeling {

using namespace Internal;

ParsedLabels parseCoco(const QString &path, TaskType type)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    const QByteArray text = file.readAll();
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError)
        throw Error(QStringLiteral("%1:%2: not valid JSON (%3)").arg(path).arg(lineAt(text, error.offset)).arg(error.errorString()));
    QString why;
    if (const qsizetype lax = laxJsonAt(text, &why); lax >= 0)
        throw Error(QStringLiteral("%1:%2: not valid JSON (%3)").arg(path).arg(lineAt(text, lax)).arg(why));
    if (!doc.isObject())
        throw Error(QStringLiteral("%1:1: a COCO file is a JSON object with images, annotations and categories").arg(path));
    const QJsonObject root = doc.object();
    for (const char *key : {"images", "annotations", "categories"})
        if (!root.value(QLatin1String(key)).isArray())
            throw Error(QStringLiteral("%1:1: no \"%2\" list").arg(path).arg(QLatin1String(key)));

    ParsedLabels labels;
    labels.path = path;
    labels.baseDir = QFileInfo(path).absolutePath();
    labels.type = type;
    const QList<int> categoryLines = arrayElementLines(text, QStringLiteral("categories"));
    const QList<int> imageLines = arrayElementLines(text, QStringLiteral("images"));
    const QList<int> annotationLines = arrayElementLines(text, QStringLiteral("annotations"));
    auto fail = [&](const QList<int> &lines, int k, const QString &what) {
        return Error(QStringLiteral("%1:%2: %3").arg(path).arg(lines.value(k, 1)).arg(what));
    };

    // Category ids become the file's class ids, named; importLabels maps them by name.
    const QJsonArray categories = root.value(QStringLiteral("categories")).toArray();
    for (int k = 0; k < categories.size(); ++k) {
        const QJsonObject c = categories.at(k).toObject();
        const int id = classIdFrom(c.value(QStringLiteral("id")));
        const QString name = c.value(QStringLiteral("name")).toString();
        if (id < 0 || name.isEmpty())
            throw fail(categoryLines, k, QStringLiteral("category %1 needs an \"id\" and a \"name\"").arg(k + 1));
        if (labels.classes.contains(id))
            throw fail(categoryLines, k, QStringLiteral("category id %1 is given twice").arg(id));
        labels.classes.insert(id, name);
    }
    QHash<qint64, int> entryOfImage;
    const QJsonArray images = root.value(QStringLiteral("images")).toArray();
    for (int k = 0; k < images.size(); ++k) {
        const QJsonObject im = images.at(k).toObject();
        const QJsonValue idValue = im.value(QStringLiteral("id"));
        const QString fileName = im.value(QStringLiteral("file_name")).toString();
        qint64 id = 0;
        if (!idValue.isDouble() || fileName.isEmpty())
            throw fail(imageLines, k, QStringLiteral("image %1 needs a numeric \"id\" and a \"file_name\"").arg(k + 1));
        if (!wholeNumberFrom(idValue, kMaxJsonInteger, &id))
            throw fail(imageLines, k, QStringLiteral("image %1: \"id\" %2 is not a whole number from -2^53 to 2^53")
                                          .arg(k + 1).arg(QString::number(idValue.toDouble(), 'g', QLocale::FloatingPointShortest)));
        if (entryOfImage.contains(id))
            throw fail(imageLines, k, QStringLiteral("image id %1 is given twice").arg(id));
        ParsedLabels::Entry e;
        e.ref = fileName;
        e.file = path;
        e.line = imageLines.value(k, 1);
        e.hasLabel = true; // an image listed with no annotations has no objects
        e.status = ItemStatus::Labeled;
        for (const char *key : {"width", "height"}) {
            qint64 v = 0;
            const QJsonValue value = im.value(QLatin1String(key));
            if (!value.isUndefined() && (!wholeNumberFrom(value, kMaxBoxCoordinate, &v) || v <= 0))
                throw fail(imageLines, k, QStringLiteral("image %1: \"%2\" is not a whole number of pixels from 1 to %3")
                                              .arg(k + 1).arg(QLatin1String(key), QString::number(kMaxBoxCoordinate, 'f', 0)));
            (qstrcmp(key, "width") == 0 ? e.size.width : e.size.height) = int(v);
        }
        entryOfImage.insert(id, int(labels.entries.size()));
        labels.entries << e;
    }
    const QJsonArray annotations = root.value(QStringLiteral("annotations")).toArray();
    for (int k = 0; k < annotations.size(); ++k) {
        const QJsonObject an = annotations.at(k).toObject();
        qint64 imageId = 0;
        if (!wholeNumberFrom(an.value(QStringLiteral("image_id")), kMaxJsonInteger, &imageId))
            throw fail(annotationLines, k, QStringLiteral("annotation %1: \"image_id\" is not a whole number").arg(k + 1));
        const auto entryIt = entryOfImage.constFind(imageId);
        if (entryIt == entryOfImage.constEnd())
            throw fail(annotationLines, k, QStringLiteral("annotation %1 refers to image_id %2, which is not in \"images\"").arg(k + 1).arg(imageId));
        const int category = classIdFrom(an.value(QStringLiteral("category_id")));
        if (!labels.classes.contains(category))
            throw fail(annotationLines, k, QStringLiteral("annotation %1: category_id %2 is not in \"categories\"").arg(k + 1)
                                               .arg(an.value(QStringLiteral("category_id")).toVariant().toString()));
        ParsedLabels::Entry &e = labels.entries[*entryIt];
        e.line = annotationLines.value(k, e.line);
        double score = 1.0;
        const bool scored = an.contains(QStringLiteral("score"));
        if (scored && !confidenceFrom(an.value(QStringLiteral("score")), &score))
            throw fail(annotationLines, k, QStringLiteral("annotation %1: score is not a number from 0 to 1").arg(k + 1));
        if (scored) {
            e.annotation.human = false;
            e.status = ItemStatus::NeedsReview;
        }
        if (type == TaskType::BoundingBox) {
            const QJsonArray bbox = an.value(QStringLiteral("bbox")).toArray();
            double v[4];
            if (bbox.size() != 4 || !numberFrom(bbox.at(0), &v[0]) || !numberFrom(bbox.at(1), &v[1]) || !numberFrom(bbox.at(2), &v[2])
                || !numberFrom(bbox.at(3), &v[3]))
                throw fail(annotationLines, k, QStringLiteral("annotation %1: \"bbox\" must be [x, y, width, height]").arg(k + 1));
            Box b{category, 0, 0, 0, 0, score};
            if (const QString wrong = boxFrom(v[0], v[1], v[2], v[3], &b); !wrong.isEmpty())
                throw fail(annotationLines, k, QStringLiteral("annotation %1: %2").arg(k + 1).arg(wrong));
            e.annotation.boxes << b;
        } else {
            if (type == TaskType::SingleLabel && !e.annotation.classes.isEmpty())
                throw fail(annotationLines, k, QStringLiteral("image %1 has a second class but the job is single-label").arg(e.ref));
            if (e.annotation.classes.contains(category))
                continue;
            e.annotation.classes << category;
            e.annotation.confidences << score;
        }
    }
    // Classification: an image without any class carries no label.
    for (ParsedLabels::Entry &e : labels.entries) {
        if (type == TaskType::SingleLabel && e.annotation.classes.isEmpty())
            e.hasLabel = false;
        bool allOne = true;
        for (double c : e.annotation.confidences)
            allOne = allOne && c == 1.0;
        if (allOne)
            e.annotation.confidences.clear();
    }
    return labels;
}

int exportCoco(LabelingJob &job, const QString &path, const ExportOptions &options)
{
    job.ensureImageSizes();
    const QDir root(commonDir(job));
    QJsonArray images, annotations, categories;
    for (const LabelClass &c : job.classes())
        categories.append(QJsonObject{{QStringLiteral("id"), c.id + 1}, {QStringLiteral("name"), c.name},
                                      {QStringLiteral("supercategory"), QString()}});
    int annotationId = 0;
    int labeled = 0;
    for (int i = 0; i < job.itemCount(); ++i) {
        const Item &item = job.item(i);
        if (item.status != ItemStatus::Labeled && item.status != ItemStatus::NeedsReview)
            continue;
        if (!options.includeMachine && !item.annotation.human)
            continue;
        if (job.type() == TaskType::SingleLabel && item.annotation.classes.isEmpty())
            continue;
        ++labeled;
        const int imageId = i + 1;
        images.append(QJsonObject{{QStringLiteral("id"), imageId},
                                  {QStringLiteral("file_name"), root.relativeFilePath(item.source)},
                                  {QStringLiteral("width"), item.size.width},
                                  {QStringLiteral("height"), item.size.height}});
        const Annotation &a = item.annotation;
        for (const Box &b : a.boxes) {
            QJsonObject o{{QStringLiteral("id"), ++annotationId}, {QStringLiteral("image_id"), imageId},
                          {QStringLiteral("category_id"), b.classId + 1},
                          {QStringLiteral("bbox"), QJsonArray{b.left, b.top, b.width, b.height}},
                          {QStringLiteral("area"), b.width * b.height}, {QStringLiteral("iscrowd"), 0}};
            if (!a.human)
                o.insert(QStringLiteral("score"), b.confidence);
            annotations.append(o);
        }
        for (int k = 0; k < a.classes.size(); ++k) {
            QJsonObject o{{QStringLiteral("id"), ++annotationId}, {QStringLiteral("image_id"), imageId},
                          {QStringLiteral("category_id"), a.classes.at(k) + 1}};
            if (!a.human)
                o.insert(QStringLiteral("score"), a.confidenceOf(k));
            annotations.append(o);
        }
    }
    const QJsonObject rootObject{
        {QStringLiteral("info"), QJsonObject{{QStringLiteral("description"), job.name()},
                                             {QStringLiteral("date_created"), creationDateNow()},
                                             {QStringLiteral("contributor"), QStringLiteral("Cairn Studio")}}},
        {QStringLiteral("licenses"), QJsonArray{}},
        {QStringLiteral("images"), images},
        {QStringLiteral("annotations"), annotations},
        {QStringLiteral("categories"), categories},
    };
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    file.write(QJsonDocument(rootObject).toJson(QJsonDocument::Indented));
    if (!file.commit())
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    return labeled;
}

} // namespace cairn::labeling
