// YOLO txt (one file per image: "class cx cy w h" as fractions of the image size) and
// Pascal VOC XML (one file per image, 1-based inclusive pixel corners).
#include "cairn/labeling/labelformats.h"

#include "cairn/labeling/labelingjob.h"
#include "cairn/util/error.h"
#include "formatutil.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QXmlStreamReader>
#include <QXmlStreamWriter>

#include <cmath>

namespace cairn::labeling {

using namespace Internal;

namespace {

void requireBoxes(const LabelingJob &job, const QString &format)
{
    if (job.type() != TaskType::BoundingBox)
        throw Error(QStringLiteral("%1 holds bounding boxes; job '%2' is %3 (use --format manifest or coco)")
                        .arg(format, job.name(), taskTypeName(job.type())));
}

void writeFile(const QString &path, const QByteArray &data)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    file.write(data);
    if (!file.commit())
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
}

void makeDir(const QString &dir)
{
    if (QFileInfo(dir).exists() && !QFileInfo(dir).isDir())
        throw Error(QStringLiteral("%1 is a file; YOLO and VOC export into a folder").arg(dir));
    if (!QDir().mkpath(dir))
        throw Error(QStringLiteral("cannot create folder %1").arg(dir));
}

bool exported(const Item &item, const ExportOptions &options)
{
    if (item.status != ItemStatus::Labeled && item.status != ItemStatus::NeedsReview)
        return false;
    return options.includeMachine || item.annotation.human;
}

QString fmt(double v)
{
    return QString::number(v, 'f', 6);
}

} // namespace

ParsedLabels parseYolo(const QString &dir, const LabelingJob &job)
{
    requireBoxes(job, QStringLiteral("YOLO"));
    const QDir d(dir);
    if (!QFileInfo(dir).isDir())
        throw Error(QStringLiteral("%1: not a folder (YOLO labels are a folder of .txt files)").arg(dir));
    ParsedLabels labels;
    labels.path = dir;
    labels.baseDir = d.absolutePath();
    labels.type = TaskType::BoundingBox;
    QString classesFile;
    for (const char *name : {"classes.txt", "obj.names"})
        if (QFileInfo::exists(d.filePath(QLatin1String(name))))
            classesFile = d.filePath(QLatin1String(name));
    if (!classesFile.isEmpty()) {
        QFile f(classesFile);
        if (!f.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("%1: cannot open: %2").arg(classesFile, f.errorString()));
        const QByteArray text = f.readAll();
        QString why;
        if (const int bad = badTextLine(text, &why))
            throw Error(QStringLiteral("%1:%2: the class name holds %3").arg(classesFile).arg(bad).arg(why));
        int id = 0;
        for (const QByteArray &line : text.split('\n')) {
            const QString name = QString::fromUtf8(line).trimmed();
            if (!name.isEmpty())
                labels.classes.insert(id++, name);
        }
    }
    QHash<QString, int> itemOfStem;
    const QHash<int, QString> stems = labelFileStems(job);
    for (auto it = stems.begin(); it != stems.end(); ++it)
        itemOfStem.insert(it.value(), it.key());

    for (const QString &name : d.entryList({QStringLiteral("*.txt")}, QDir::Files, QDir::Name)) {
        const QString path = d.filePath(name);
        if (path == classesFile)
            continue;
        const QString stem = QFileInfo(name).completeBaseName();
        const int index = itemOfStem.value(stem, -1);
        ParsedLabels::Entry e;
        e.file = path;
        e.hasLabel = true;
        e.status = ItemStatus::Labeled;
        if (index < 0) {
            e.ref = stem;
            labels.entries << e;
            continue;
        }
        const Item &item = job.item(index);
        e.ref = item.source;
        e.size = imageSizeOf(item);
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("%1: cannot open: %2").arg(path, f.errorString()));
        const QByteArray text = f.readAll();
        QString why;
        if (const int bad = badTextLine(text, &why))
            throw Error(QStringLiteral("%1:%2: the line holds %3").arg(path).arg(bad).arg(why));
        int lineNo = 0;
        for (const QByteArray &raw : text.split('\n')) {
            const QString line = QString::fromUtf8(raw).trimmed();
            ++lineNo;
            if (line.isEmpty())
                continue;
            const QStringList parts = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
            auto fail = [&](const QString &what) { return Error(QStringLiteral("%1:%2: %3").arg(path).arg(lineNo).arg(what)); };
            if (parts.size() != 5 && parts.size() != 6)
                throw fail(QStringLiteral("expected \"class x_center y_center width height [confidence]\", got %1 fields").arg(parts.size()));
            bool ok = false;
            const int cls = parts.at(0).toInt(&ok);
            if (!ok || cls < 0)
                throw fail(QStringLiteral("'%1' is not a class id").arg(parts.at(0)));
            double v[5] = {0, 0, 0, 0, 1.0};
            for (int k = 1; k < parts.size(); ++k) {
                v[k - 1] = parts.at(k).toDouble(&ok);
                if (!ok || !std::isfinite(v[k - 1]))
                    throw fail(QStringLiteral("'%1' is not a number").arg(parts.at(k)));
                if (k <= 4 && (v[k - 1] < -0.001 || v[k - 1] > 1.001))
                    throw fail(QStringLiteral("%1 is outside 0..1 (YOLO coordinates are fractions of the image size)").arg(parts.at(k)));
                if (k == 5 && !isConfidence(v[4]))
                    throw fail(QStringLiteral("confidence %1 is not a number from 0 to 1").arg(parts.at(k)));
            }
            if (!e.size.isValid())
                throw fail(QStringLiteral("cannot read the size of %1").arg(item.source));
            const double w = v[2] * e.size.width;
            const double h = v[3] * e.size.height;
            Box b;
            b.classId = cls;
            b.confidence = v[4];
            if (const QString wrong = boxFrom(v[0] * e.size.width - w / 2, v[1] * e.size.height - h / 2, w, h, &b); !wrong.isEmpty())
                throw fail(QStringLiteral("box: %1").arg(wrong));
            if (parts.size() == 6) {
                e.annotation.human = false;
                e.status = ItemStatus::NeedsReview;
            }
            e.annotation.boxes << b;
        }
        labels.entries << e;
    }
    return labels;
}

int exportYolo(LabelingJob &job, const QString &dir, const ExportOptions &options)
{
    requireBoxes(job, QStringLiteral("YOLO"));
    makeDir(dir);
    job.ensureImageSizes();
    const QDir d(dir);
    QByteArray names;
    for (const LabelClass &c : job.classes())
        names += c.name.toUtf8() + '\n';
    writeFile(d.filePath(QStringLiteral("classes.txt")), names);
    const QHash<int, QString> stems = labelFileStems(job);
    int count = 0;
    for (int i = 0; i < job.itemCount(); ++i) {
        const Item &item = job.item(i);
        if (!exported(item, options))
            continue;
        if (!item.size.isValid())
            throw Error(QStringLiteral("cannot read the size of %1 (needed for YOLO coordinates)").arg(item.source));
        QByteArray text;
        for (const Box &b : item.annotation.boxes) {
            const double W = item.size.width, H = item.size.height;
            QString line = QStringLiteral("%1 %2 %3 %4 %5").arg(b.classId).arg(fmt((b.left + b.width / 2.0) / W), fmt((b.top + b.height / 2.0) / H),
                                                                  fmt(b.width / W), fmt(b.height / H));
            if (!item.annotation.human)
                line += QLatin1Char(' ') + fmt(b.confidence);
            text += line.toUtf8() + '\n';
        }
        writeFile(d.filePath(stems.value(i) + QStringLiteral(".txt")), text);
        ++count;
    }
    return count;
}

ParsedLabels parseVoc(const QString &dir)
{
    const QDir d(dir);
    if (!QFileInfo(dir).isDir())
        throw Error(QStringLiteral("%1: not a folder (Pascal VOC labels are a folder of .xml files)").arg(dir));
    ParsedLabels labels;
    labels.path = dir;
    labels.baseDir = d.absolutePath();
    labels.type = TaskType::BoundingBox;
    QHash<QString, int> classOfName;
    for (const QString &name : d.entryList({QStringLiteral("*.xml")}, QDir::Files, QDir::Name)) {
        const QString path = d.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("%1: cannot open: %2").arg(path, f.errorString()));
        QXmlStreamReader xml(&f);
        auto fail = [&](const QString &what) { return Error(QStringLiteral("%1:%2: %3").arg(path).arg(xml.lineNumber()).arg(what)); };
        ParsedLabels::Entry e;
        e.file = path;
        e.hasLabel = true;
        e.status = ItemStatus::Labeled;
        QString filename, fullPath;
        if (!xml.readNextStartElement() || xml.name() != QLatin1String("annotation"))
            throw fail(QStringLiteral("not a Pascal VOC file (no <annotation>)"));
        while (xml.readNextStartElement()) {
            if (xml.name() == QLatin1String("filename")) {
                filename = xml.readElementText().trimmed();
            } else if (xml.name() == QLatin1String("path")) {
                fullPath = xml.readElementText().trimmed();
            } else if (xml.name() == QLatin1String("size")) {
                while (xml.readNextStartElement()) {
                    const QString key = xml.name().toString();
                    const int v = xml.readElementText().trimmed().toInt();
                    if (key == QLatin1String("width"))
                        e.size.width = v;
                    else if (key == QLatin1String("height"))
                        e.size.height = v;
                    else if (key == QLatin1String("depth"))
                        e.size.depth = v;
                }
            } else if (xml.name() == QLatin1String("object")) {
                const int objectLine = int(xml.lineNumber());
                QString className;
                double corner[4] = {0, 0, 0, 0};
                bool have[4] = {false, false, false, false};
                double score = 1.0;
                bool scored = false;
                while (xml.readNextStartElement()) {
                    if (xml.name() == QLatin1String("name")) {
                        className = xml.readElementText().trimmed();
                    } else if (xml.name() == QLatin1String("score")) {
                        bool ok = false;
                        score = xml.readElementText().trimmed().toDouble(&ok);
                        if (!ok || !isConfidence(score))
                            throw fail(QStringLiteral("<score> is not a number from 0 to 1"));
                        scored = true;
                    } else if (xml.name() == QLatin1String("bndbox")) {
                        while (xml.readNextStartElement()) {
                            static const QStringList keys = {QStringLiteral("xmin"), QStringLiteral("ymin"), QStringLiteral("xmax"),
                                                             QStringLiteral("ymax")};
                            const int k = int(keys.indexOf(xml.name().toString()));
                            const QString text = xml.readElementText().trimmed();
                            if (k < 0)
                                continue;
                            bool ok = false;
                            corner[k] = text.toDouble(&ok);
                            if (!ok || !std::isfinite(corner[k]))
                                throw fail(QStringLiteral("<%1> '%2' is not a number").arg(keys.at(k), text));
                            have[k] = true;
                        }
                    } else {
                        xml.skipCurrentElement();
                    }
                }
                if (xml.hasError())
                    break;
                if (className.isEmpty())
                    throw Error(QStringLiteral("%1:%2: <object> without <name>").arg(path).arg(objectLine));
                if (!(have[0] && have[1] && have[2] && have[3]))
                    throw Error(QStringLiteral("%1:%2: <object> needs <bndbox> with xmin, ymin, xmax and ymax").arg(path).arg(objectLine));
                if (!classOfName.contains(className)) {
                    const int id = int(classOfName.size());
                    classOfName.insert(className, id);
                    labels.classes.insert(id, className);
                }
                Box b;
                b.classId = classOfName.value(className);
                b.confidence = score;
                // VOC corners are 1-based and inclusive.
                if (corner[2] < corner[0] || corner[3] < corner[1])
                    throw Error(QStringLiteral("%1:%2: xmax/ymax lie before xmin/ymin").arg(path).arg(objectLine));
                if (const QString wrong = boxFrom(corner[0] - 1, corner[1] - 1, corner[2] - corner[0] + 1, corner[3] - corner[1] + 1, &b);
                    !wrong.isEmpty())
                    throw Error(QStringLiteral("%1:%2: <object>: %3").arg(path).arg(objectLine).arg(wrong));
                if (scored) {
                    e.annotation.human = false;
                    e.status = ItemStatus::NeedsReview;
                }
                e.annotation.boxes << b;
            } else {
                xml.skipCurrentElement();
            }
        }
        // Nothing but comments and white space may follow </annotation>.
        while (!xml.hasError() && !xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement() || (xml.isCharacters() && !xml.isWhitespace()))
                throw fail(QStringLiteral("there is more after </annotation> (one annotation per file)"));
        }
        if (xml.hasError())
            throw fail(QStringLiteral("not well-formed XML (%1)").arg(xml.errorString()));
        if (filename.isEmpty() && fullPath.isEmpty())
            throw Error(QStringLiteral("%1:1: no <filename> or <path>").arg(path));
        e.ref = !fullPath.isEmpty() && QFileInfo::exists(fullPath) ? fullPath : filename;
        if (e.ref.isEmpty())
            e.ref = fullPath;
        labels.entries << e;
    }
    return labels;
}

int exportVoc(LabelingJob &job, const QString &dir, const ExportOptions &options)
{
    requireBoxes(job, QStringLiteral("Pascal VOC"));
    makeDir(dir);
    job.ensureImageSizes();
    const QDir d(dir);
    const QHash<int, QString> stems = labelFileStems(job);
    int count = 0;
    for (int i = 0; i < job.itemCount(); ++i) {
        const Item &item = job.item(i);
        if (!exported(item, options))
            continue;
        QByteArray data;
        QXmlStreamWriter xml(&data);
        xml.setAutoFormatting(true);
        xml.setAutoFormattingIndent(2);
        xml.writeStartElement(QStringLiteral("annotation"));
        xml.writeTextElement(QStringLiteral("folder"), QFileInfo(QFileInfo(item.source).absolutePath()).fileName());
        xml.writeTextElement(QStringLiteral("filename"), QFileInfo(item.source).fileName());
        xml.writeTextElement(QStringLiteral("path"), item.source);
        xml.writeStartElement(QStringLiteral("source"));
        xml.writeTextElement(QStringLiteral("database"), QStringLiteral("Unknown"));
        xml.writeEndElement();
        xml.writeStartElement(QStringLiteral("size"));
        xml.writeTextElement(QStringLiteral("width"), QString::number(item.size.width));
        xml.writeTextElement(QStringLiteral("height"), QString::number(item.size.height));
        xml.writeTextElement(QStringLiteral("depth"), QString::number(item.size.depth > 0 ? item.size.depth : 3));
        xml.writeEndElement();
        xml.writeTextElement(QStringLiteral("segmented"), QStringLiteral("0"));
        for (const Box &b : item.annotation.boxes) {
            xml.writeStartElement(QStringLiteral("object"));
            xml.writeTextElement(QStringLiteral("name"), b.classId < job.classes().size() ? job.classes().at(b.classId).name : QString::number(b.classId));
            xml.writeTextElement(QStringLiteral("pose"), QStringLiteral("Unspecified"));
            xml.writeTextElement(QStringLiteral("truncated"), QStringLiteral("0"));
            xml.writeTextElement(QStringLiteral("difficult"), QStringLiteral("0"));
            if (!item.annotation.human)
                xml.writeTextElement(QStringLiteral("score"), fmt(b.confidence));
            xml.writeStartElement(QStringLiteral("bndbox"));
            xml.writeTextElement(QStringLiteral("xmin"), QString::number(b.left + 1));
            xml.writeTextElement(QStringLiteral("ymin"), QString::number(b.top + 1));
            xml.writeTextElement(QStringLiteral("xmax"), QString::number(b.left + b.width));
            xml.writeTextElement(QStringLiteral("ymax"), QString::number(b.top + b.height));
            xml.writeEndElement();
            xml.writeEndElement();
        }
        xml.writeEndElement();
        xml.writeEndDocument();
        writeFile(d.filePath(stems.value(i) + QStringLiteral(".xml")), data);
        ++count;
    }
    return count;
}

} // namespace cairn::labeling
