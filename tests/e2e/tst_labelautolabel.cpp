// Auto-labeling and the hand-off to training end to end: `cairn label autolabel` trains the CNN
// plugin on 80 human labels of fashion200 as a real training job and pre-labels the other 120
// images; `cairn label train` trains on the labels through the manifest channel.
#include "clirunner.h"

#include "cairn/labeling/labelingjob.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace cairn::labeling;

namespace {
const QString kFashion = QStringLiteral(CAIRN_SHARED_DATA_DIR "/images/fashion200");
const QStringList kClasses = {QStringLiteral("tshirt_top"), QStringLiteral("trouser"), QStringLiteral("pullover"), QStringLiteral("dress"),
                              QStringLiteral("coat"),       QStringLiteral("sandal"),  QStringLiteral("shirt"),    QStringLiteral("sneaker"),
                              QStringLiteral("bag"),        QStringLiteral("ankle_boot")};
} // namespace

class TestLabelAutoLabel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void preLabelsAndTrains()
    {
        QTemporaryDir ws;
        auto cli = [&](const QStringList &args) {
            return cairnCli(QStringList{QStringLiteral("--workspace"), ws.path(), QStringLiteral("label")} + args);
        };
        ProcessResult r = cli({QStringLiteral("create"), QStringLiteral("fashion"), QStringLiteral("--images"), kFashion, QStringLiteral("--labels"),
                               kClasses.join(QLatin1Char(','))});
        QCOMPARE(r.exitCode, 0);
        // 8 human labels per class (the truth is the folder name).
        const QString manifest = ws.filePath(QStringLiteral("human.manifest"));
        {
            auto job = LabelingJob::open(ws.path(), QStringLiteral("fashion"));
            QFile f(manifest);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QHash<QString, int> perClass;
            for (const Item &item : job->items()) {
                const QString truth = QFileInfo(item.source).dir().dirName();
                if (perClass[truth]++ < 8)
                    f.write(QStringLiteral("{\"source-ref\": \"%1\", \"gt\": %2}\n").arg(item.source).arg(kClasses.indexOf(truth)).toUtf8());
            }
        }
        QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("fashion"), manifest}).exitCode, 0);

        r = cli({QStringLiteral("autolabel"), QStringLiteral("fashion"), QStringLiteral("--threshold"), QStringLiteral("0.8"), QStringLiteral("--epochs"),
                 QStringLiteral("10"), QStringLiteral("--quiet")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QLatin1String("auto-labeled 120 images")), qPrintable(r.out));

        auto job = LabelingJob::open(ws.path(), QStringLiteral("fashion"));
        const JobCounts c = job->counts();
        QCOMPARE(c.machineLabeled, 120);
        QCOMPARE(c.unlabeled, 0);
        int accepted = 0, acceptedRight = 0, right = 0;
        for (const Item &item : job->items()) {
            if (item.annotation.human)
                continue;
            const double conf = item.annotation.confidenceOf(0);
            QVERIFY(conf >= 0 && conf <= 1);
            QCOMPARE(item.status, conf >= 0.8 ? ItemStatus::Labeled : ItemStatus::NeedsReview);
            const bool ok = job->classes().at(item.annotation.classes.first()).name == QFileInfo(item.source).dir().dirName();
            right += ok;
            if (item.status == ItemStatus::Labeled) {
                ++accepted;
                acceptedRight += ok;
            }
        }
        qInfo("machine labels right: %d of 120; accepted (confidence >= 0.8): %d, of which right: %d", right, accepted, acceptedRight);
        // Better than chance (10 %) overall; confident labels are mostly right.
        QVERIFY2(right >= 40, qPrintable(QString::number(right)));
        QVERIFY2(accepted == 0 || acceptedRight * 10 >= accepted * 8, qPrintable(QStringLiteral("%1/%2").arg(acceptedRight).arg(accepted)));
        // Least confident first for humans.
        const QList<int> queue = job->reviewQueue();
        QCOMPARE(queue.size(), c.needsReview);
        for (int k = 1; k < queue.size(); ++k)
            QVERIFY(job->item(queue.at(k - 1)).annotation.minConfidence() <= job->item(queue.at(k)).annotation.minConfidence());
        // The manifest says which labels came from the machine.
        QCOMPARE(cli({QStringLiteral("export"), QStringLiteral("fashion"), QStringLiteral("--output"), ws.filePath(QStringLiteral("out.manifest"))}).exitCode, 0);
        QFile out(ws.filePath(QStringLiteral("out.manifest")));
        QVERIFY(out.open(QIODevice::ReadOnly));
        const QByteArray text = out.readAll();
        QCOMPARE(text.count("\"human-annotated\": \"no\""), 120);
        QCOMPARE(text.count("\"human-annotated\": \"yes\""), 80);

        // Hand-off: a training job on the labels, through the manifest channel.
        r = cli({QStringLiteral("train"), QStringLiteral("fashion"), QStringLiteral("--epochs"), QStringLiteral("1"), QStringLiteral("--quiet")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QLatin1String("trained cnn on the labels of 'fashion'")), qPrintable(r.out));
        const ProcessResult runs = cairnCli({QStringLiteral("--workspace"), ws.path(), QStringLiteral("runs"), QStringLiteral("list"),
                                             QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(runs.exitCode, 0);
        QCOMPARE(runs.json().array().size(), 2); // the auto-labeling model and this one
    }
};

QTEST_GUILESS_MAIN(TestLabelAutoLabel)
#include "tst_labelautolabel.moc"
