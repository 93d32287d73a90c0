// `cairn label` end to end: create, status, import and export through the real executable.
#include "clirunner.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

namespace {

const QString kFashion = QStringLiteral(CAIRN_SHARED_DATA_DIR "/images/fashion200");
const QString kPhotos = QStringLiteral(CAIRN_SHARED_DATA_DIR "/images/photos");

void writeText(const QString &path, const QByteArray &text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

QList<QByteArray> lines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> result = f.readAll().split('\n');
    if (!result.isEmpty() && result.last().isEmpty())
        result.removeLast();
    return result;
}

} // namespace

class TestLabelCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_ws;
    ProcessResult label(const QStringList &args) { return cairnCli(QStringList{QStringLiteral("--workspace"), m_ws.path(), QStringLiteral("label")} + args); }

private Q_SLOTS:
    void createImportExportClassification()
    {
        ProcessResult r = label({QStringLiteral("create"), QStringLiteral("fashion"), QStringLiteral("--images"), kFashion,
                                 QStringLiteral("--labels"), QStringLiteral("tshirt_top,trouser,pullover,dress,coat,sandal,shirt,sneaker,bag,ankle_boot"),
                                 QStringLiteral("--instructions"), QStringLiteral("Pick the garment.")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QLatin1String("200 images and 10 classes")), qPrintable(r.out + r.err));

        // Labels from a manifest: 0 and "0" both work, one line names no image of the job.
        const QString manifest = m_ws.filePath(QStringLiteral("in.manifest"));
        writeText(manifest, QStringLiteral("{\"source-ref\": \"%1/bag/00018.png\", \"gt\": 8}\n"
                                           "{\"source-ref\": \"%1/coat/00006.png\", \"gt\": \"4\"}\n"
                                           "{\"source-ref\": \"%1/nothing.png\", \"gt\": 1}\n").arg(kFashion).toUtf8());
        r = label({QStringLiteral("import"), QStringLiteral("fashion"), manifest});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QLatin1String("imported 2 labels")), qPrintable(r.out));
        QVERIFY2(r.err.contains(QLatin1String("1 entries name no image")), qPrintable(r.err));

        r = label({QStringLiteral("status"), QStringLiteral("fashion"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject status = r.json().object();
        QCOMPARE(status.value(QStringLiteral("labeled")).toInt(), 2);
        QCOMPARE(status.value(QStringLiteral("unlabeled")).toInt(), 198);
        QCOMPARE(status.value(QStringLiteral("instructions")).toString(), QStringLiteral("Pick the garment."));
        QCOMPARE(status.value(QStringLiteral("classes")).toArray().at(8).toObject().value(QStringLiteral("count")).toInt(), 1);
        r = label({QStringLiteral("status")});
        QVERIFY2(r.out.contains(QLatin1String("fashion")) && r.out.contains(QLatin1String("single-label")), qPrintable(r.out));

        // A malformed file: exit 1, one line naming file:line, nothing imported.
        writeText(manifest, QStringLiteral("{\"source-ref\": \"%1/bag/00030.png\", \"gt\": 8}\n{\"source-ref\": oops}\n").arg(kFashion).toUtf8());
        r = label({QStringLiteral("import"), QStringLiteral("fashion"), manifest});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith(QStringLiteral("cairn: error: ") + manifest + QStringLiteral(":2: not valid JSON")), qPrintable(r.err));
        QCOMPARE(r.err.count(QLatin1Char('\n')), 1);
        r = label({QStringLiteral("status"), QStringLiteral("fashion"), QStringLiteral("--json")});
        QCOMPARE(r.json().object().value(QStringLiteral("labeled")).toInt(), 2);

        // Export: Ground Truth output.manifest in the job folder by default.
        r = label({QStringLiteral("export"), QStringLiteral("fashion"), QStringLiteral("--labeled-only")});
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> out = lines(m_ws.filePath(QStringLiteral("labeling/fashion/output.manifest")));
        QCOMPARE(out.size(), 2);
        const QJsonObject line = QJsonDocument::fromJson(out.at(0)).object();
        QCOMPARE(line.value(QStringLiteral("fashion")).toInt(), 8);
        QCOMPARE(line.value(QStringLiteral("fashion-metadata")).toObject().value(QStringLiteral("class-name")).toString(), QStringLiteral("bag"));
        QCOMPARE(line.value(QStringLiteral("fashion-metadata")).toObject().value(QStringLiteral("job-name")).toString(),
                 QStringLiteral("labeling-job/fashion"));

        // A job created from that manifest takes its images, classes and labels.
        r = label({QStringLiteral("create"), QStringLiteral("again"), QStringLiteral("--manifest"),
                   m_ws.filePath(QStringLiteral("labeling/fashion/output.manifest"))});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QLatin1String("2 images")) && r.out.contains(QLatin1String("imported 2 labels")), qPrintable(r.out));
    }

    void boxesThroughEveryFormat()
    {
        ProcessResult r = label({QStringLiteral("create"), QStringLiteral("objects"), QStringLiteral("--images"), kPhotos, QStringLiteral("--type"),
                                 QStringLiteral("boxes"), QStringLiteral("--labels"), QStringLiteral("thing,animal")});
        QCOMPARE(r.exitCode, 0);
        const QString manifest = m_ws.filePath(QStringLiteral("boxes.manifest"));
        writeText(manifest, QStringLiteral("{\"source-ref\": \"%1/skimage_chelsea.jpg\", \"objects\": {\"annotations\": "
                                           "[{\"class_id\": \"1\", \"left\": 120, \"top\": 20, \"width\": 200, \"height\": 250}]}}\n")
                                .arg(kPhotos).toUtf8());
        QCOMPARE(label({QStringLiteral("import"), QStringLiteral("objects"), manifest}).exitCode, 0);
        int n = 0;
        for (const QString &format : {QStringLiteral("manifest"), QStringLiteral("coco"), QStringLiteral("yolo"), QStringLiteral("voc")}) {
            const QString out = m_ws.filePath(QStringLiteral("export-") + format);
            r = label({QStringLiteral("export"), QStringLiteral("objects"), QStringLiteral("--format"), format, QStringLiteral("--output"), out});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            const QString job = QStringLiteral("copy%1").arg(n++);
            QCOMPARE(label({QStringLiteral("create"), job, QStringLiteral("--images"), kPhotos, QStringLiteral("--type"), QStringLiteral("boxes"),
                            QStringLiteral("--labels"), QStringLiteral("thing,animal")}).exitCode, 0);
            r = label({QStringLiteral("import"), job, out, QStringLiteral("--format"), format});
            QVERIFY2(r.exitCode == 0 && r.out.contains(QLatin1String("imported 1 labels")), qPrintable(format + r.out + r.err));
            r = label({QStringLiteral("export"), job, QStringLiteral("--labeled-only"), QStringLiteral("--output"), m_ws.filePath(job + QStringLiteral(".manifest"))});
            const QJsonObject o = QJsonDocument::fromJson(lines(m_ws.filePath(job + QStringLiteral(".manifest"))).value(0)).object();
            const QJsonObject box = o.value(job).toObject().value(QStringLiteral("annotations")).toArray().at(0).toObject();
            QCOMPARE(box.value(QStringLiteral("left")).toInt(), 120);
            QCOMPARE(box.value(QStringLiteral("height")).toInt(), 250);
            QCOMPARE(box.value(QStringLiteral("class_id")).toInt(), 1);
            QCOMPARE(o.value(job).toObject().value(QStringLiteral("image_size")).toArray().at(0).toObject().value(QStringLiteral("width")).toInt(), 451);
        }
    }

    void usageMistakesExitTwo()
    {
        QCOMPARE(label({}).exitCode, 2);
        QCOMPARE(label({QStringLiteral("frobnicate")}).exitCode, 2);
        QCOMPARE(label({QStringLiteral("create"), QStringLiteral("x"), QStringLiteral("--labels"), QStringLiteral("a")}).exitCode, 2);
        QCOMPARE(label({QStringLiteral("export"), QStringLiteral("fashion"), QStringLiteral("--format"), QStringLiteral("tiff")}).exitCode, 2);
        const ProcessResult r = label({QStringLiteral("status"), QStringLiteral("missing")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains(QLatin1String("no labeling job 'missing'")));
        QCOMPARE(label({QStringLiteral("--help")}).exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestLabelCli)
#include "tst_labelcli.moc"
