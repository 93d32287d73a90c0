// Ground Truth manifests written exactly as specified; round trips through manifest, COCO, YOLO
// and VOC; malformed files rejected with file:line and nothing labeled touched.
#include "labelingtestutil.h"

#include "cairn/labeling/labelformats.h"
#include "cairn/labeling/labelingjob.h"
#include "cairn/util/error.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace cairn;
using namespace cairn::labeling;
using namespace labelingtest;

namespace {

const QString kDate = QStringLiteral("2026-01-02T03:04:05.678000");

void writeText(const QString &path, const QByteArray &text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

QByteArray readText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString errorOf(const std::function<void()> &fn)
{
    try {
        fn();
    } catch (const Error &e) {
        return e.message();
    }
    return {};
}

Annotation boxes(QList<Box> list, bool human = true)
{
    Annotation a;
    a.boxes = list;
    a.human = human;
    a.creationDate = kDate;
    return a;
}

/// Labels a box job over the photos: a few boxes, an empty image, a skipped one, a machine label.
void labelPhotos(LabelingJob &job)
{
    job.setLabel(0, ItemStatus::Labeled, boxes({Box{0, 10, 20, 30, 40}, Box{1, 100, 50, 60, 20}}));
    job.setLabel(1, ItemStatus::Labeled, boxes({Box{1, 0, 0, 5, 7}}));
    job.setLabel(2, ItemStatus::Labeled, boxes({}));
    job.setStatus(3, ItemStatus::Skipped);
    job.setLabel(4, ItemStatus::NeedsReview, boxes({Box{0, 3, 4, 50, 60, 0.25}}, false));
}

void compareLabels(const LabelingJob &a, const LabelingJob &b, const QList<int> &indexes, bool compareHuman = true)
{
    for (int i : indexes) {
        QCOMPARE(b.item(i).source, a.item(i).source);
        QCOMPARE(b.item(i).annotation.boxes.size(), a.item(i).annotation.boxes.size());
        for (int k = 0; k < a.item(i).annotation.boxes.size(); ++k) {
            const Box x = a.item(i).annotation.boxes.at(k);
            const Box y = b.item(i).annotation.boxes.at(k);
            QCOMPARE(b.classes().at(y.classId).name, a.classes().at(x.classId).name);
            QCOMPARE((QList<int>{y.left, y.top, y.width, y.height}), (QList<int>{x.left, x.top, x.width, x.height}));
            if (compareHuman)
                QCOMPARE(y.confidence, x.confidence);
        }
        QCOMPARE(b.item(i).annotation.classes, a.item(i).annotation.classes);
        if (compareHuman) {
            QCOMPARE(b.item(i).status, a.item(i).status);
            QCOMPARE(b.item(i).annotation.human, a.item(i).annotation.human);
        }
    }
}

} // namespace

class TestLabelFormats : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writesSingleLabelExactly()
    {
        QTemporaryDir ws;
        auto job = makeJob(ws.path(), QStringLiteral("fashion"), TaskType::SingleLabel, fashionDir(), fashionClasses());
        Annotation a;
        a.classes = {2};
        a.creationDate = kDate;
        job->setLabel(0, ItemStatus::Labeled, a);
        const QString src = job->item(0).source;
        QCOMPARE(manifestLine(*job, job->item(0)),
                 QStringLiteral("{\"source-ref\": \"%1\", \"fashion\": 2, \"fashion-metadata\": {\"class-name\": \"pullover\", "
                                "\"confidence\": 1.0, \"type\": \"groundtruth/image-classification\", \"job-name\": \"labeling-job/fashion\", "
                                "\"human-annotated\": \"yes\", \"creation-date\": \"2026-01-02T03:04:05.678000\"}}").arg(src));
        Annotation m;
        m.classes = {0};
        m.confidences = {0.75};
        m.human = false;
        m.creationDate = kDate;
        job->setLabel(1, ItemStatus::NeedsReview, m);
        QCOMPARE(manifestLine(*job, job->item(1)),
                 QStringLiteral("{\"source-ref\": \"%1\", \"fashion\": 0, \"fashion-metadata\": {\"class-name\": \"tshirt_top\", "
                                "\"confidence\": 0.75, \"type\": \"groundtruth/image-classification\", \"job-name\": \"labeling-job/fashion\", "
                                "\"human-annotated\": \"no\", \"creation-date\": \"2026-01-02T03:04:05.678000\"}}").arg(job->item(1).source));
        QCOMPARE(manifestLine(*job, job->item(2)), QStringLiteral("{\"source-ref\": \"%1\"}").arg(job->item(2).source));
        QVERIFY(manifestLine(*job, job->item(2), {.labeledOnly = true}).isEmpty());
        // Every line is valid JSON.
        const QString path = ws.filePath(QStringLiteral("out.manifest"));
        QCOMPARE(exportManifest(*job, path), 2);
        const QList<QByteArray> lines = readText(path).split('\n');
        QCOMPARE(lines.size(), 201); // 200 lines and the final newline
        for (int i = 0; i < 200; ++i)
            QVERIFY(QJsonDocument::fromJson(lines.at(i)).isObject());
    }

    void writesMultiLabelAndBoxesExactly()
    {
        QTemporaryDir ws;
        auto multi = makeJob(ws.path(), QStringLiteral("tags"), TaskType::MultiLabel, fashionDir(),
                             {QStringLiteral("dog"), QStringLiteral("cat"), QStringLiteral("bird")});
        Annotation a;
        a.classes = {1, 2};
        a.confidences = {0.95, 0.5};
        a.creationDate = kDate;
        multi->setLabel(0, ItemStatus::Labeled, a);
        QCOMPARE(manifestLine(*multi, multi->item(0)),
                 QStringLiteral("{\"source-ref\": \"%1\", \"tags\": [1, 2], \"tags-metadata\": {\"job-name\": \"labeling-job/tags\", "
                                "\"class-map\": {\"1\": \"cat\", \"2\": \"bird\"}, \"human-annotated\": \"yes\", "
                                "\"creation-date\": \"2026-01-02T03:04:05.678000\", \"confidence-map\": {\"1\": 0.95, \"2\": 0.5}, "
                                "\"type\": \"groundtruth/image-classification-multilabel\"}}").arg(multi->item(0).source));

        auto box = makeJob(ws.path(), QStringLiteral("objects"), TaskType::BoundingBox, photosDir(), {QStringLiteral("dog"), QStringLiteral("bone")});
        box->setLabel(0, ItemStatus::Labeled, boxes({Box{0, 111, 134, 61, 128, 0.8}, Box{1, 161, 250, 30, 30, 0.9}}));
        QVERIFY(box->item(0).source.endsWith(QLatin1String("mate_aqua.jpg")));
        QCOMPARE(manifestLine(*box, box->item(0)),
                 QStringLiteral("{\"source-ref\": \"%1\", \"objects\": {\"image_size\": [{\"width\": 640, \"height\": 400, \"depth\": 3}], "
                                "\"annotations\": [{\"class_id\": 0, \"left\": 111, \"top\": 134, \"width\": 61, \"height\": 128}, "
                                "{\"class_id\": 1, \"left\": 161, \"top\": 250, \"width\": 30, \"height\": 30}]}, "
                                "\"objects-metadata\": {\"objects\": [{\"confidence\": 0.8}, {\"confidence\": 0.9}], "
                                "\"class-map\": {\"0\": \"dog\", \"1\": \"bone\"}, \"type\": \"groundtruth/object-detection\", "
                                "\"human-annotated\": \"yes\", \"creation-date\": \"2026-01-02T03:04:05.678000\", "
                                "\"job-name\": \"labeling-job/objects\"}}").arg(box->item(0).source));
    }

    void importsLabelsWrittenAsNumberOrString()
    {
        QTemporaryDir ws;
        auto job = makeJob(ws.path(), QStringLiteral("fashion"), TaskType::SingleLabel, fashionDir(), fashionClasses());
        const QString manifest = ws.filePath(QStringLiteral("in.manifest"));
        // Relative source-refs resolve against the manifest's folder; class names map by name.
        QDir(ws.path()).mkpath(QStringLiteral("m"));
        const QString rel = QDir(ws.filePath(QStringLiteral("m"))).relativeFilePath(job->item(1).source);
        writeText(ws.filePath(QStringLiteral("m/in.manifest")),
                  QStringLiteral("{\"source-ref\": \"%1\", \"gt\": 8, \"gt-metadata\": {\"class-name\": \"bag\"}}\n"
                                 "\n"
                                 "{\"source-ref\": \"%2\", \"gt\": \"1\", \"gt-metadata\": {\"human-annotated\": \"no\", \"confidence\": 0.4}}\n"
                                 "{\"source-ref\": \"file://%3\", \"gt\": 3}\n"
                                 "{\"source-ref\": \"%4\"}\n"
                                 "{\"source-ref\": \"/elsewhere/x.png\", \"gt\": 1}\n")
                      .arg(job->item(0).source, rel, job->item(2).source, job->item(3).source)
                      .toUtf8());
        const ImportResult r = importFile(*job, LabelFormat::Manifest, ws.filePath(QStringLiteral("m/in.manifest")));
        QCOMPARE(r.imported, 3);
        QCOMPARE(r.unmatched, 1);
        QCOMPARE(job->item(0).annotation.classes, QList<int>{8});
        QCOMPARE(job->item(0).status, ItemStatus::Labeled);
        QCOMPARE(job->item(1).annotation.classes, QList<int>{1});
        QCOMPARE(job->item(1).status, ItemStatus::NeedsReview);
        QVERIFY(!job->item(1).annotation.human);
        QCOMPARE(job->item(1).annotation.confidences, QList<double>{0.4});
        QCOMPARE(job->item(2).annotation.classes, QList<int>{3});
        QCOMPARE(job->item(3).status, ItemStatus::Unlabeled);

        // Human labels stay unless replace is asked for; machine labels are replaced.
        writeText(manifest, QStringLiteral("{\"source-ref\": \"%1\", \"gt\": 5}\n{\"source-ref\": \"%2\", \"gt\": 6}\n")
                                .arg(job->item(0).source, job->item(1).source).toUtf8());
        const ImportResult again = importFile(*job, LabelFormat::Manifest, manifest);
        QCOMPARE(again.keptExisting, 1);
        QCOMPARE(again.imported, 1);
        QCOMPARE(job->item(0).annotation.classes, QList<int>{8});
        QCOMPARE(job->item(1).annotation.classes, QList<int>{6});
        importFile(*job, LabelFormat::Manifest, manifest, {.replace = true});
        QCOMPARE(job->item(0).annotation.classes, QList<int>{5});
        // An unknown class name is added to the label set.
        writeText(manifest, QStringLiteral("{\"source-ref\": \"%1\", \"gt\": 0, \"gt-metadata\": {\"class-name\": \"hat\"}}\n")
                                .arg(job->item(10).source).toUtf8());
        const ImportResult added = importFile(*job, LabelFormat::Manifest, manifest);
        QCOMPARE(added.addedClasses, QStringList{QStringLiteral("hat")});
        QCOMPARE(job->classes().size(), 11);
        QCOMPARE(job->item(10).annotation.classes, QList<int>{10});
        QCOMPARE(LabelingJob::open(ws.path(), QStringLiteral("fashion"))->classes().size(), 11);
    }

    void roundTripsManifestForEveryTask()
    {
        QTemporaryDir ws;
        // Single label: a job from the export of another over the same images.
        auto a = makeJob(ws.path(), QStringLiteral("a"), TaskType::SingleLabel, fashionDir(), fashionClasses());
        QList<LabelingJob::Update> updates;
        for (int i = 0; i < a->itemCount(); i += 3) {
            Annotation ann;
            ann.classes = {i % 10};
            updates << LabelingJob::Update{i, ItemStatus::Labeled, ann, {}};
        }
        a->apply(updates);
        a->setStatus(1, ItemStatus::Skipped);
        const QString path = ws.filePath(QStringLiteral("a.manifest"));
        exportManifest(*a, path);
        auto b = makeJob(ws.path(), QStringLiteral("b"), TaskType::SingleLabel, fashionDir(), fashionClasses());
        const ImportResult r = importFile(*b, LabelFormat::Manifest, path);
        QCOMPARE(r.unmatched, 0);
        for (int i = 0; i < a->itemCount(); ++i) {
            QCOMPARE(b->item(i).status, a->item(i).status);
            QCOMPARE(b->item(i).annotation.classes, a->item(i).annotation.classes);
            QCOMPARE(b->item(i).annotation.creationDate, a->item(i).annotation.creationDate);
        }

        // Multi-label, including an image labeled with no class.
        auto m = makeJob(ws.path(), QStringLiteral("m"), TaskType::MultiLabel, fashionDir(), {QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("z")});
        Annotation xy;
        xy.classes = {0, 2};
        m->setLabel(0, ItemStatus::Labeled, xy);
        m->setLabel(1, ItemStatus::Labeled, Annotation{});
        Annotation machine;
        machine.classes = {1};
        machine.confidences = {0.3};
        machine.human = false;
        m->setLabel(2, ItemStatus::NeedsReview, machine);
        exportManifest(*m, path);
        auto m2 = makeJob(ws.path(), QStringLiteral("m2"), TaskType::MultiLabel, fashionDir(), {QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("z")});
        importFile(*m2, LabelFormat::Manifest, path);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(m2->item(i).status, m->item(i).status);
            QCOMPARE(m2->item(i).annotation.classes, m->item(i).annotation.classes);
            QCOMPARE(m2->item(i).annotation.human, m->item(i).annotation.human);
        }
        QCOMPARE(m2->item(2).annotation.confidences, QList<double>{0.3});

        // Boxes.
        auto p = makeJob(ws.path(), QStringLiteral("p"), TaskType::BoundingBox, photosDir(), {QStringLiteral("cat"), QStringLiteral("dog")});
        labelPhotos(*p);
        exportManifest(*p, path);
        auto p2 = makeJob(ws.path(), QStringLiteral("p2"), TaskType::BoundingBox, photosDir(), {QStringLiteral("dog"), QStringLiteral("cat")});
        importFile(*p2, LabelFormat::Manifest, path);
        compareLabels(*p, *p2, {0, 1, 2, 3, 4, 5});
        QCOMPARE(p2->item(0).size, p->item(0).size);
    }

    void roundTripsCocoYoloVoc()
    {
        QTemporaryDir ws;
        auto p = makeJob(ws.path(), QStringLiteral("p"), TaskType::BoundingBox, photosDir(), {QStringLiteral("cat"), QStringLiteral("dog")});
        labelPhotos(*p);
        const QList<int> labeled = {0, 1, 2, 4};
        int n = 0;
        for (LabelFormat f : {LabelFormat::Coco, LabelFormat::Yolo, LabelFormat::Voc}) {
            const QString out = ws.filePath(QStringLiteral("out-") + formatName(f) + (f == LabelFormat::Coco ? QStringLiteral(".json") : QString()));
            QCOMPARE(exportFile(*p, f, out), 4);
            auto q = makeJob(ws.path(), QStringLiteral("q%1").arg(n++), TaskType::BoundingBox, photosDir(), {QStringLiteral("dog")});
            const ImportResult r = importFile(*q, f, out);
            QCOMPARE(r.unmatched, 0);
            QCOMPARE(r.imported, 4);
            compareLabels(*p, *q, labeled);
            QCOMPARE(q->item(3).status, ItemStatus::Unlabeled);
            QCOMPARE(q->classes().size(), 2);
        }
        // The files look like what other tools read.
        const QByteArray yolo = readText(ws.filePath(QStringLiteral("out-yolo/mate_aqua.txt")));
        QCOMPARE(yolo, QByteArray("0 0.039063 0.100000 0.046875 0.100000\n1 0.203125 0.150000 0.093750 0.050000\n"));
        QCOMPARE(readText(ws.filePath(QStringLiteral("out-yolo/classes.txt"))), QByteArray("cat\ndog\n"));
        const QByteArray voc = readText(ws.filePath(QStringLiteral("out-voc/mate_aqua.xml")));
        QVERIFY(voc.contains("<xmin>11</xmin>"));
        QVERIFY(voc.contains("<xmax>40</xmax>"));
        QVERIFY(voc.contains("<width>640</width>"));
        const QJsonObject coco = QJsonDocument::fromJson(readText(ws.filePath(QStringLiteral("out-coco.json")))).object();
        QCOMPARE(coco.value(QStringLiteral("images")).toArray().size(), 4);
        QCOMPARE(coco.value(QStringLiteral("annotations")).toArray().size(), 4);
        QCOMPARE(coco.value(QStringLiteral("categories")).toArray().at(0).toObject().value(QStringLiteral("id")).toInt(), 1);

        // COCO carries classification labels too.
        auto c = makeJob(ws.path(), QStringLiteral("c"), TaskType::SingleLabel, fashionDir(), fashionClasses());
        Annotation ann;
        ann.classes = {4};
        c->setLabel(7, ItemStatus::Labeled, ann);
        exportCoco(*c, ws.filePath(QStringLiteral("c.json")));
        auto c2 = makeJob(ws.path(), QStringLiteral("c2"), TaskType::SingleLabel, fashionDir(), fashionClasses());
        QCOMPARE(importFile(*c2, LabelFormat::Coco, ws.filePath(QStringLiteral("c.json"))).imported, 1);
        QCOMPARE(c2->item(7).annotation.classes, QList<int>{4});
        // YOLO and VOC are for boxes.
        QVERIFY(errorOf([&] { exportYolo(*c, ws.filePath(QStringLiteral("y"))); }).contains(QLatin1String("bounding boxes")));
    }

    void rejectsMalformedFilesWithTheirLine()
    {
        QTemporaryDir ws;
        auto job = makeJob(ws.path(), QStringLiteral("fashion"), TaskType::SingleLabel, fashionDir(), fashionClasses());
        Annotation a;
        a.classes = {3};
        job->setLabel(0, ItemStatus::Labeled, a);
        job->setStatus(5, ItemStatus::Skipped);
        const QString manifest = ws.filePath(QStringLiteral("bad.manifest"));
        const QString src1 = job->item(1).source;
        auto check = [&](const QByteArray &text, const QString &expected) {
            writeText(manifest, text);
            const QString message = errorOf([&] { importFile(*job, LabelFormat::Manifest, manifest); });
            QVERIFY2(message.contains(expected), qPrintable(message + QStringLiteral(" lacks ") + expected));
            // Nothing is touched: the first good line was not imported either.
            auto reopened = LabelingJob::open(ws.path(), QStringLiteral("fashion"));
            QCOMPARE(reopened->item(0).annotation.classes, QList<int>{3});
            QCOMPARE(reopened->item(1).status, ItemStatus::Unlabeled);
            QCOMPARE(reopened->item(5).status, ItemStatus::Skipped);
            QCOMPARE(reopened->counts().labeled, 1);
        };
        const QByteArray good = QStringLiteral("{\"source-ref\": \"%1\", \"gt\": 2}\n").arg(src1).toUtf8();
        check(good + "{\"source-ref\": \"x.png\", \"gt\": 2\n", manifest + QStringLiteral(":2: not valid JSON"));
        check(good + "\n[1, 2]\n", manifest + QStringLiteral(":3: each line must be a JSON object"));
        check(good + "{\"gt\": 1}\n", manifest + QStringLiteral(":2: no \"source-ref\""));
        check(good + "{\"source-ref\": \"x.png\", \"gt\": \"zero\"}\n", manifest + QStringLiteral(":2: label \"zero\" is not a class id"));
        check(good + "{\"source-ref\": \"x.png\", \"gt\": -1}\n", manifest + QStringLiteral(":2: label -1 is not a class id"));
        check(good + "{\"source-ref\": \"x.png\", \"gt\": [1]}\n", manifest + QStringLiteral(":2: the label is a list"));
        check(good + "{\"source-ref\": \"s3://bucket/x.png\", \"gt\": 1}\n", manifest + QStringLiteral(":2: s3://bucket/x.png is not a local file"));
        check(good + QStringLiteral("{\"source-ref\": \"%1\", \"gt\": 42}\n").arg(job->item(2).source).toUtf8(),
              manifest + QStringLiteral(":2: class id 42 is not in the label set"));
        check(good + QStringLiteral("{\"source-ref\": \"%1\", \"gt\": 1, \"gt-metadata\": {\"class-name\": \"a\"}}\n"
                                    "{\"source-ref\": \"%2\", \"gt\": 1, \"gt-metadata\": {\"class-name\": \"b\"}}\n")
                         .arg(job->item(2).source, job->item(3).source).toUtf8(),
              manifest + QStringLiteral(":3: class 1 is named 'b' here but 'a' before"));
        check(QStringLiteral("{\"source-ref\": \"%1\", \"gt\": 1}\n{\"source-ref\": \"%1\", \"gt\": 2}\n").arg(src1).toUtf8(),
              manifest + QStringLiteral(":2: ") + src1 + QStringLiteral(" is labeled twice"));

        // Boxes: a broken box names its line; COCO, YOLO and VOC name file and line.
        auto p = makeJob(ws.path(), QStringLiteral("p"), TaskType::BoundingBox, photosDir(), {QStringLiteral("cat")});
        p->setLabel(0, ItemStatus::Labeled, boxes({Box{0, 1, 2, 3, 4}}));
        auto untouched = [&] {
            auto reopened = LabelingJob::open(ws.path(), QStringLiteral("p"));
            QCOMPARE(reopened->counts().labeled, 1);
            QCOMPARE(reopened->item(0).annotation.boxes, (QList<Box>{Box{0, 1, 2, 3, 4}}));
        };
        writeText(manifest, QStringLiteral("{\"source-ref\": \"%1\", \"p\": {\"annotations\": [{\"class_id\": 0, \"left\": 1, \"top\": 1, \"width\": 0, \"height\": 3}]}}\n")
                                .arg(p->item(1).source).toUtf8());
        QVERIFY(errorOf([&] { importFile(*p, LabelFormat::Manifest, manifest); }).contains(manifest + QStringLiteral(":1: box 1: no area (0×3)")));
        untouched();

        const QString coco = ws.filePath(QStringLiteral("bad.json"));
        writeText(coco, "{\n \"images\": [\n  {\"id\": 1, \"file_name\": \"mate_aqua.jpg\"},\n  {\"id\": 2, \"file_name\": \"mate_garden.jpg\"}\n ],\n"
                        " \"categories\": [{\"id\": 1, \"name\": \"cat\"}],\n"
                        " \"annotations\": [\n  {\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4]},\n"
                        "  {\"id\": 2, \"image_id\": 2, \"category_id\": 1, \"bbox\": [1, 2, 3]}\n ]\n}\n");
        QString message = errorOf([&] { importFile(*p, LabelFormat::Coco, coco, {.replace = true}); });
        QVERIFY2(message.contains(coco + QStringLiteral(":9: annotation 2: \"bbox\" must be")), qPrintable(message));
        writeText(coco, "{\"images\": [], \n\"annotations\": [}\n");
        message = errorOf([&] { importFile(*p, LabelFormat::Coco, coco); });
        QVERIFY2(message.contains(coco + QStringLiteral(":2: not valid JSON")), qPrintable(message));
        untouched();

        const QString yolo = ws.filePath(QStringLiteral("yolo"));
        QDir().mkpath(yolo);
        writeText(yolo + QStringLiteral("/classes.txt"), "cat\n");
        writeText(yolo + QStringLiteral("/mate_aqua.txt"), "0 0.5 0.5 0.1 0.1\n");
        writeText(yolo + QStringLiteral("/mate_garden.txt"), "0 0.5 0.5 0.1 0.1\n0 0.5 1.7 0.1 0.1\n");
        message = errorOf([&] { importFile(*p, LabelFormat::Yolo, yolo, {.replace = true}); });
        QVERIFY2(message.contains(yolo + QStringLiteral("/mate_garden.txt:2: 1.7 is outside 0..1")), qPrintable(message));
        writeText(yolo + QStringLiteral("/mate_garden.txt"), "0 0.5 0.5\n");
        message = errorOf([&] { importFile(*p, LabelFormat::Yolo, yolo, {.replace = true}); });
        QVERIFY2(message.contains(yolo + QStringLiteral("/mate_garden.txt:1: expected")), qPrintable(message));
        untouched();

        const QString voc = ws.filePath(QStringLiteral("voc"));
        QDir().mkpath(voc);
        writeText(voc + QStringLiteral("/a.xml"), "<annotation>\n<filename>mate_aqua.jpg</filename>\n<object>\n<name>cat</name>\n"
                                                  "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax></bndbox>\n</object>\n</annotation>\n");
        message = errorOf([&] { importFile(*p, LabelFormat::Voc, voc, {.replace = true}); });
        QVERIFY2(message.contains(voc + QStringLiteral("/a.xml:3: <object> needs <bndbox>")), qPrintable(message));
        writeText(voc + QStringLiteral("/a.xml"), "<annotation>\n<filename>mate_aqua.jpg</filename>\n<object>\n<name>cat</name>\n</objekt>\n");
        message = errorOf([&] { importFile(*p, LabelFormat::Voc, voc, {.replace = true}); });
        QVERIFY2(message.contains(voc + QStringLiteral("/a.xml:5: not well-formed XML")), qPrintable(message));
        untouched();
        // A file of another task type is refused as a whole.
        message = errorOf([&] { importFile(*job, LabelFormat::Voc, voc); });
        QVERIFY2(message.contains(QLatin1String("job 'fashion' is single-label")), qPrintable(message));
    }

    // Found by a hostile user: each of these was imported with exit code 0.
    void refusesHostileValues()
    {
        QTemporaryDir ws;
        auto p = makeJob(ws.path(), QStringLiteral("p"), TaskType::BoundingBox, photosDir(), {QStringLiteral("cat")});
        p->setLabel(0, ItemStatus::Labeled, boxes({Box{0, 1, 2, 3, 4}}));
        const QString aqua = p->item(0).source; // 640×400
        QVERIFY(aqua.endsWith(QLatin1String("mate_aqua.jpg")));
        auto expectError = [&](LabelFormat format, const QString &path, const QString &expected) {
            const QString message = errorOf([&] { importFile(*p, format, path, {.replace = true}); });
            QVERIFY2(message.contains(expected), qPrintable(message + QStringLiteral(" lacks ") + expected));
            auto reopened = LabelingJob::open(ws.path(), QStringLiteral("p"));
            QCOMPARE(reopened->counts().labeled, 1);
            QCOMPARE(reopened->item(0).annotation.boxes, (QList<Box>{Box{0, 1, 2, 3, 4}}));
        };

        // Ground Truth manifest.
        const QString manifest = ws.filePath(QStringLiteral("m.manifest"));
        auto manifestBox = [&](const QString &box, const QString &meta = QStringLiteral("{}")) {
            writeText(manifest, QStringLiteral("{\"source-ref\": \"%1\", \"p\": {\"annotations\": [%2]}, \"p-metadata\": %3}\n")
                                    .arg(aqua, box, meta).toUtf8());
        };
        manifestBox(QStringLiteral("{\"class_id\": 0, \"left\": 1, \"top\": 1, \"width\": 4294967297, \"height\": 3}"));
        expectError(LabelFormat::Manifest, manifest, manifest + QStringLiteral(":1: box 1: width 4294967297 is beyond 1000000 pixels"));
        manifestBox(QStringLiteral("{\"class_id\": 0, \"left\": 1, \"top\": 1, \"width\": 1e308, \"height\": 3}"));
        expectError(LabelFormat::Manifest, manifest, manifest + QStringLiteral(":1: box 1: width 1e+308 is beyond"));
        for (const char *confidence : {"7.5", "1e308", "-0.1"}) {
            manifestBox(QStringLiteral("{\"class_id\": 0, \"left\": 1, \"top\": 1, \"width\": 5, \"height\": 3}"),
                        QStringLiteral("{\"objects\": [{\"confidence\": %1}]}").arg(QLatin1String(confidence)));
            expectError(LabelFormat::Manifest, manifest, manifest + QStringLiteral(":1: box 1: confidence is not a number from 0 to 1"));
        }
        manifestBox(QStringLiteral("{\"class_id\": 0, \"left\": 5000, \"top\": 1, \"width\": 5, \"height\": 3}"));
        expectError(LabelFormat::Manifest, manifest,
                    manifest + QStringLiteral(":1: box 1 (left 5000, top 1, 5×3) lies wholly outside the 640×400 image"));
        manifestBox(QStringLiteral("{\"class_id\": 0, \"left\": -10, \"top\": -10, \"width\": 10, \"height\": 30}"));
        expectError(LabelFormat::Manifest, manifest, QStringLiteral("lies wholly outside"));
        writeText(manifest, QStringLiteral("{\"source-ref\": \"%1\", \"p\": {\"annotations\": []}, \"p-metadata\": {\"job-name\": \"a\\q\"}}\n")
                                .arg(aqua).toUtf8());
        expectError(LabelFormat::Manifest, manifest, manifest + QStringLiteral(":1: not valid JSON (\\q is not a JSON escape"));
        // A box partly outside its image is kept (common in real data sets).
        manifestBox(QStringLiteral("{\"class_id\": 0, \"left\": 630, \"top\": -5, \"width\": 50, \"height\": 30}"));
        ImportResult partly = importFile(*p, LabelFormat::Manifest, manifest, {.replace = true});
        QCOMPARE(partly.imported, 1);
        QCOMPARE(p->item(0).annotation.boxes, (QList<Box>{Box{0, 630, -5, 50, 30}}));
        p->setLabel(0, ItemStatus::Labeled, boxes({Box{0, 1, 2, 3, 4}}));

        // COCO.
        const QString coco = ws.filePath(QStringLiteral("c.json"));
        auto cocoFile = [&](const QString &imageId, const QString &annotation) {
            writeText(coco, QStringLiteral("{\"images\": [{\"id\": %1, \"file_name\": \"mate_aqua.jpg\", \"width\": 640, \"height\": 400}],\n"
                                           "\"categories\": [{\"id\": 1, \"name\": \"cat\"}],\n\"annotations\": [%2]}\n")
                                .arg(imageId, annotation).toUtf8());
        };
        cocoFile(QStringLiteral("1"), QStringLiteral("{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 4294967297, 4]}"));
        expectError(LabelFormat::Coco, coco, coco + QStringLiteral(":3: annotation 1: width 4294967297 is beyond 1000000 pixels"));
        for (const char *score : {"7.5", "1e308"}) {
            cocoFile(QStringLiteral("1"), QStringLiteral("{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": %1}")
                                              .arg(QLatin1String(score)));
            expectError(LabelFormat::Coco, coco, coco + QStringLiteral(":3: annotation 1: score is not a number from 0 to 1"));
        }
        for (const char *id : {"1e300", "-1e300", "1.5"}) {
            cocoFile(QLatin1String(id), QString());
            expectError(LabelFormat::Coco, coco, coco + QStringLiteral(":1: image 1: \"id\" %1 is not a whole number")
                                                            .arg(QString::number(QByteArray(id).toDouble(), 'g', QLocale::FloatingPointShortest)));
        }
        cocoFile(QStringLiteral("1"), QStringLiteral("{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [700, 2, 3, 4]}"));
        expectError(LabelFormat::Coco, coco, QStringLiteral("lies wholly outside the 640×400 image"));
        writeText(coco, "{\"images\": [],\n\"categories\": [{\"id\": 1, \"name\": \"c\\qt\"}],\n\"annotations\": []}\n");
        expectError(LabelFormat::Coco, coco, coco + QStringLiteral(":2: not valid JSON (\\q is not a JSON escape"));

        // YOLO.
        const QString yolo = ws.filePath(QStringLiteral("yolo"));
        QDir().mkpath(yolo);
        writeText(yolo + QStringLiteral("/classes.txt"), "cat\nd\xe9j\xe0\n");
        writeText(yolo + QStringLiteral("/mate_aqua.txt"), "0 0.5 0.5 0.1 0.1\n");
        expectError(LabelFormat::Yolo, yolo, yolo + QStringLiteral("/classes.txt:2: the class name holds bytes that are not UTF-8"));
        writeText(yolo + QStringLiteral("/classes.txt"), "cat\n");
        writeText(yolo + QStringLiteral("/mate_aqua.txt"), QByteArray("0 0.5 0.5 0.1 0.1\n0\0 0.5 0.5 0.1 0.1\n", sizeof("0 0.5 0.5 0.1 0.1\n0\0 0.5 0.5 0.1 0.1\n") - 1));
        expectError(LabelFormat::Yolo, yolo, yolo + QStringLiteral("/mate_aqua.txt:2: the line holds a NUL byte"));
        for (const char *confidence : {"7.5", "1e308"}) {
            writeText(yolo + QStringLiteral("/mate_aqua.txt"), QByteArray("0 0.5 0.5 0.1 0.1 ") + confidence + "\n");
            expectError(LabelFormat::Yolo, yolo, yolo + QStringLiteral("/mate_aqua.txt:1: confidence %1 is not a number from 0 to 1").arg(QLatin1String(confidence)));
        }
        QFile::remove(yolo + QStringLiteral("/mate_aqua.txt"));

        // Pascal VOC.
        const QString voc = ws.filePath(QStringLiteral("voc"));
        QDir().mkpath(voc);
        auto vocFile = [&](const QByteArray &object, const QByteArray &after = {}) {
            writeText(voc + QStringLiteral("/a.xml"), "<annotation>\n<filename>mate_aqua.jpg</filename>\n<object>\n<name>cat</name>\n" + object
                                                          + "\n</object>\n</annotation>\n" + after);
        };
        vocFile("<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>4294967297</xmax><ymax>9</ymax></bndbox>");
        expectError(LabelFormat::Voc, voc, voc + QStringLiteral("/a.xml:3: <object>: width 4294967297 is beyond 1000000 pixels"));
        vocFile("<score>7.5</score><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax></bndbox>");
        expectError(LabelFormat::Voc, voc, QStringLiteral("<score> is not a number from 0 to 1"));
        vocFile("<bndbox><xmin>1000</xmin><ymin>1</ymin><xmax>1009</xmax><ymax>9</ymax></bndbox>");
        expectError(LabelFormat::Voc, voc, QStringLiteral("lies wholly outside the 640×400 image"));
        vocFile("<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax></bndbox>", "<annotation><filename>x.jpg</filename></annotation>\n");
        expectError(LabelFormat::Voc, voc, voc + QStringLiteral("/a.xml:8: "));
        vocFile("<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax></bndbox>", "junk\n");
        expectError(LabelFormat::Voc, voc, voc + QStringLiteral("/a.xml:8: "));
        // Comments and white space after the root are fine.
        vocFile("<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax></bndbox>", "<!-- written by hand -->\n\n");
        QCOMPARE(importFile(*p, LabelFormat::Voc, voc, {.replace = true}).imported, 1);
        QCOMPARE(p->item(0).annotation.boxes, (QList<Box>{Box{0, 0, 0, 9, 9}}));
    }
};

QTEST_GUILESS_MAIN(TestLabelFormats)
#include "tst_labelformats.moc"
