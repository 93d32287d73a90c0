// The label importers on arbitrary bytes: a Ground Truth manifest, COCO JSON, one YOLO label file
// (with a fuzzed classes.txt when the input holds a form feed) and one Pascal VOC file. The
// format comes from CAIRN_FUZZ_FORMAT (manifest, coco, yolo, voc), set by each target's main.
#include "fuzzutil.h"

#include "cairn/labeling/labelformats.h"
#include "cairn/labeling/labelingjob.h"

#include <QDir>

#include <memory>

using namespace cairn::labeling;

namespace {

/// A 64×48 PNG header is all the jobs read of an image (its size).
QByteArray tinyPng()
{
    QByteArray png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x40\0\0\0\x30\x08\x02\0\0\0", 29);
    png += QByteArray(4, '\0'); // CRC (not checked by the header reader)
    return png;
}

LabelingJob &boxJob()
{
    static std::unique_ptr<LabelingJob> job = [] {
        const QString images = fuzz::scratchDir() + QStringLiteral("/images");
        QDir().mkpath(images);
        QFile f(images + QStringLiteral("/img.png"));
        if (f.open(QIODevice::WriteOnly))
            f.write(tinyPng());
        f.close();
        JobSettings s;
        s.name = QStringLiteral("fuzz");
        s.type = TaskType::BoundingBox;
        s.classes = {LabelClass{0, QStringLiteral("a"), {}, {}}, LabelClass{1, QStringLiteral("b"), {}, {}}};
        QDir(fuzz::scratchDir() + QStringLiteral("/ws")).removeRecursively();
        return LabelingJob::create(fuzz::scratchDir() + QStringLiteral("/ws"), s, {images + QStringLiteral("/img.png")});
    }();
    return *job;
}

} // namespace

int fuzzLabels(const char *format, const uint8_t *data, size_t size)
{
    fuzz::ensureApp();
    const QByteArray input = fuzz::bytes(data, size);
    const QByteArray fmt(format);
    try {
        if (fmt == "manifest") {
            const QString path = fuzz::writeScratch(QStringLiteral("labels.manifest"), data, size);
            for (TaskType type : {TaskType::SingleLabel, TaskType::MultiLabel, TaskType::BoundingBox})
                try {
                    (void)parseManifest(path, type);
                } catch (const cairn::Error &) {
                }
            (void)readManifestSources(path);
        } else if (fmt == "coco") {
            const QString path = fuzz::writeScratch(QStringLiteral("coco.json"), data, size);
            for (TaskType type : {TaskType::SingleLabel, TaskType::MultiLabel, TaskType::BoundingBox})
                try {
                    (void)parseCoco(path, type);
                } catch (const cairn::Error &) {
                }
        } else if (fmt == "yolo" || fmt == "voc") {
            const QString dir = fuzz::scratchDir() + QLatin1Char('/') + QLatin1String(format);
            QDir(dir).removeRecursively();
            QDir().mkpath(dir);
            const qsizetype split = input.indexOf('\f');
            const QByteArray body = split >= 0 ? input.left(split) : input;
            auto write = [&](const QString &name, const QByteArray &bytes) {
                QFile f(dir + QLatin1Char('/') + name);
                if (f.open(QIODevice::WriteOnly))
                    f.write(bytes);
            };
            if (fmt == "yolo") {
                write(QStringLiteral("img.txt"), body);
                if (split >= 0)
                    write(QStringLiteral("classes.txt"), input.mid(split + 1));
                LabelingJob &job = boxJob();
                const ParsedLabels labels = parseYolo(dir, job);
                (void)importLabels(job, labels, {.replace = true});
            } else {
                write(QStringLiteral("img.xml"), body);
                const ParsedLabels labels = parseVoc(dir);
                (void)importLabels(boxJob(), labels, {.replace = true});
            }
        }
    } catch (const cairn::Error &) {
    }
    return 0;
}
