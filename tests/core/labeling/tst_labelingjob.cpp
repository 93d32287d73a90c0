// Labeling jobs: creation, commits that survive reopening and a SIGKILL, validation, counts.
#include "labelingtestutil.h"

#include "cairn/labeling/imageheader.h"
#include "cairn/labeling/labelingjob.h"
#include "cairn/util/error.h"

#include <QCoreApplication>
#include <QFile>
#include <QImageReader>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <cstdio>
#include <sys/types.h>

using namespace cairn;
using namespace cairn::labeling;
using namespace labelingtest;

namespace {

/// Child mode: label item after item of the job in argv[2] at argv[3], printing each committed
/// index, until killed.
int runChild(const QString &workspace, const QString &name)
{
    auto job = LabelingJob::open(workspace, name);
    for (int i = 0;; i = (i + 1) % job->itemCount()) {
        Annotation a;
        a.classes << i % int(job->classes().size());
        job->setLabel(i, ItemStatus::Labeled, a);
        std::printf("%d\n", i);
        std::fflush(stdout);
    }
}

} // namespace

class TestLabelingJob : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createsFromFolder()
    {
        QTemporaryDir ws;
        auto job = makeJob(ws.path(), QStringLiteral("fashion"), TaskType::SingleLabel, fashionDir(), fashionClasses());
        QCOMPARE(job->itemCount(), 200);
        QVERIFY(job->item(0).source.endsWith(QLatin1String("ankle_boot/00000.png")));
        QCOMPARE(job->classes().size(), 10);
        QCOMPARE(job->classes().at(0).key, QStringLiteral("1"));
        QCOMPARE(job->classes().at(9).key, QStringLiteral("0"));
        QCOMPARE(job->classes().at(2).color, QStringLiteral("#e15759"));
        QCOMPARE(job->settings().labelAttribute, QStringLiteral("fashion"));
        QCOMPARE(job->settings().instructions, QStringLiteral("Label the main object."));
        QCOMPARE(LabelingJob::list(ws.path()), QStringList{QStringLiteral("fashion")});
        QVERIFY(QFileInfo::exists(ws.path() + QStringLiteral("/labeling/fashion/labels.db")));
        QCOMPARE(job->counts().unlabeled, 200);

        QVERIFY_THROWS_EXCEPTION(Error, makeJob(ws.path(), QStringLiteral("fashion"), TaskType::SingleLabel, fashionDir(), fashionClasses()));
        QVERIFY_THROWS_EXCEPTION(Error, makeJob(ws.path(), QStringLiteral("bad name"), TaskType::SingleLabel, fashionDir(), fashionClasses()));
        QVERIFY_THROWS_EXCEPTION(Error, makeJob(ws.path(), QStringLiteral("-x"), TaskType::SingleLabel, fashionDir(), fashionClasses()));
        QVERIFY_THROWS_EXCEPTION(Error, makeJob(ws.path(), QStringLiteral("dup"), TaskType::SingleLabel, fashionDir(),
                                                {QStringLiteral("a"), QStringLiteral("a")}));
        QVERIFY_THROWS_EXCEPTION(Error, makeJob(ws.path(), QStringLiteral("nolabels"), TaskType::SingleLabel, fashionDir(), {}));
        QVERIFY_THROWS_EXCEPTION(Error, LabelingJob::scanImageFolder(ws.path() + QStringLiteral("/missing")));
        QVERIFY_THROWS_EXCEPTION(Error, LabelingJob::open(ws.path(), QStringLiteral("nope")));
        QCOMPARE(LabelingJob::list(ws.path()), QStringList{QStringLiteral("fashion")});
    }

    void labelsSurviveReopen()
    {
        QTemporaryDir ws;
        {
            auto job = makeJob(ws.path(), QStringLiteral("multi"), TaskType::MultiLabel, fashionDir(), {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
            Annotation a;
            a.classes = {0, 2};
            job->setLabel(3, ItemStatus::Labeled, a);
            job->setStatus(4, ItemStatus::Skipped);
            Annotation m;
            m.classes = {1};
            m.confidences = {0.4};
            m.human = false;
            job->setLabel(5, ItemStatus::NeedsReview, m);
            job->setImageSize(3, {28, 28, 1});
        }
        auto job = LabelingJob::open(ws.path(), QStringLiteral("multi"));
        QCOMPARE(job->item(3).status, ItemStatus::Labeled);
        QCOMPARE(job->item(3).annotation.classes, (QList<int>{0, 2}));
        QVERIFY(job->item(3).annotation.human);
        QVERIFY(!job->item(3).annotation.creationDate.isEmpty());
        QCOMPARE(job->item(3).size, (ImageSize{28, 28, 1}));
        QCOMPARE(job->item(4).status, ItemStatus::Skipped);
        QCOMPARE(job->item(5).status, ItemStatus::NeedsReview);
        QVERIFY(!job->item(5).annotation.human);
        QCOMPARE(job->item(5).annotation.confidences, QList<double>{0.4});
        const JobCounts c = job->counts();
        QCOMPARE(c.labeled, 1);
        QCOMPARE(c.skipped, 1);
        QCOMPARE(c.needsReview, 1);
        QCOMPARE(c.unlabeled, 197);
        QCOMPARE(c.machineLabeled, 1);
        QCOMPARE(c.perClass, (QList<int>{1, 1, 1}));
        job->clearLabel(3);
        QCOMPARE(job->item(3).status, ItemStatus::Unlabeled);
        QVERIFY(job->item(3).annotation.isEmpty());
    }

    void rejectsLabelsThatDoNotFit()
    {
        QTemporaryDir ws;
        auto single = makeJob(ws.path(), QStringLiteral("single"), TaskType::SingleLabel, fashionDir(), {QStringLiteral("a"), QStringLiteral("b")});
        Annotation two;
        two.classes = {0, 1};
        QVERIFY_THROWS_EXCEPTION(Error, single->setLabel(0, ItemStatus::Labeled, two));
        Annotation unknown;
        unknown.classes = {7};
        QVERIFY_THROWS_EXCEPTION(Error, single->setLabel(0, ItemStatus::Labeled, unknown));
        QVERIFY_THROWS_EXCEPTION(Error, single->setLabel(0, ItemStatus::Labeled, Annotation{}));
        Annotation box;
        box.boxes << Box{0, 1, 1, 5, 5};
        QVERIFY_THROWS_EXCEPTION(Error, single->setLabel(0, ItemStatus::Labeled, box));
        QCOMPARE(single->item(0).status, ItemStatus::Unlabeled);

        auto boxes = makeJob(ws.path(), QStringLiteral("boxes"), TaskType::BoundingBox, photosDir(), {QStringLiteral("thing")});
        Annotation empty;
        empty.boxes << Box{0, 1, 1, 0, 5};
        QVERIFY_THROWS_EXCEPTION(Error, boxes->setLabel(0, ItemStatus::Labeled, empty));
        // One bad update in a batch: nothing of the batch is committed.
        Annotation ok;
        ok.boxes << Box{0, 1, 1, 5, 5};
        QVERIFY_THROWS_EXCEPTION(Error, boxes->apply({{0, ItemStatus::Labeled, ok, {}}, {1, ItemStatus::Labeled, empty, {}}}));
        QCOMPARE(boxes->item(0).status, ItemStatus::Unlabeled);
        auto reopened = LabelingJob::open(ws.path(), QStringLiteral("boxes"));
        QCOMPARE(reopened->item(0).status, ItemStatus::Unlabeled);
        // A box job may label an image as having no objects.
        boxes->setLabel(2, ItemStatus::Labeled, Annotation{});
        QCOMPARE(boxes->item(2).status, ItemStatus::Labeled);
    }

    void reviewQueueIsLeastConfidentFirst()
    {
        QTemporaryDir ws;
        auto job = makeJob(ws.path(), QStringLiteral("review"), TaskType::SingleLabel, fashionDir(), {QStringLiteral("a"), QStringLiteral("b")});
        const QList<std::pair<int, double>> machine = {{10, 0.9}, {11, 0.3}, {12, 0.6}};
        for (const auto &[i, conf] : machine) {
            Annotation a;
            a.classes = {1};
            a.confidences = {conf};
            a.human = false;
            job->setLabel(i, ItemStatus::NeedsReview, a);
        }
        QCOMPARE(job->reviewQueue(), (QList<int>{11, 12, 10}));
    }

    void readsImageSizesFromHeaders()
    {
        int checked = 0;
        for (const QString &dir : {photosDir(), fashionDir()}) {
            for (const QString &file : LabelingJob::scanImageFolder(dir)) {
                QImageReader reader(file);
                const QSize expected = reader.size();
                const ImageSize s = readImageSize(file);
                QCOMPARE(QSize(s.width, s.height), expected);
                QVERIFY(s.depth == 1 || s.depth == 3 || s.depth == 4);
                ++checked;
            }
        }
        QCOMPARE(checked, 235);
        QCOMPARE(readImageSize(fashionDir() + QStringLiteral("/bag/00030.png")).depth, 1);
        QVERIFY(!readImageSize(fashionDir() + QStringLiteral("/labels.csv")).isValid());
        QVERIFY(!readImageSize(QStringLiteral("/nonexistent.png")).isValid());
    }

    // What a `label create` killed mid-way leaves (the temporary database, its WAL and shm) is
    // removed by the next start; a create still running in another process is left alone.
    void killedCreateIsCleanedUpOnNextStart()
    {
        QTemporaryDir ws;
        QProcess gone;
        gone.start(QStringLiteral("/bin/true"));
        QVERIFY(gone.waitForStarted());
        const qint64 deadPid = gone.processId();
        QVERIFY(gone.waitForFinished());
        const QString half = LabelingJob::jobDir(ws.path(), QStringLiteral("half"));
        const QString busy = LabelingJob::jobDir(ws.path(), QStringLiteral("busy"));
        QVERIFY(QDir().mkpath(half) && QDir().mkpath(busy));
        const QString dead = QStringLiteral("labels.db.creating-%1").arg(deadPid);
        const QString alive = QStringLiteral("labels.db.creating-%1").arg(QCoreApplication::applicationPid());
        for (const QString &f : {dead, dead + QStringLiteral("-wal"), dead + QStringLiteral("-shm"), QStringLiteral("labels.db.creating")}) {
            QFile file(QDir(half).filePath(f));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("partial");
        }
        QFile running(QDir(busy).filePath(alive));
        QVERIFY(running.open(QIODevice::WriteOnly));
        running.close();

        QCOMPARE(LabelingJob::list(ws.path()), QStringList());
        QVERIFY(!QFileInfo::exists(half));
        QVERIFY(QFileInfo::exists(running.fileName()));
        // The name is free again.
        auto job = makeJob(ws.path(), QStringLiteral("half"), TaskType::SingleLabel, fashionDir(), fashionClasses());
        QCOMPARE(job->itemCount(), 200);
        QCOMPARE(QDir(half).entryList({QStringLiteral("labels.db.creating*")}, QDir::Files | QDir::Hidden), QStringList());
    }

    void killWhileLabelingLosesNothing()
    {
        QTemporaryDir ws;
        makeJob(ws.path(), QStringLiteral("crash"), TaskType::SingleLabel, fashionDir(), fashionClasses());
        QProcess child;
        child.setProgram(QCoreApplication::applicationFilePath());
        child.setArguments({QStringLiteral("--label-child"), ws.path(), QStringLiteral("crash")});
        child.start();
        QVERIFY(child.waitForStarted());
        QList<int> committed;
        QByteArray pending;
        QElapsedTimer timer;
        timer.start();
        while (committed.size() < 60 && timer.elapsed() < 60000) {
            child.waitForReadyRead(1000);
            pending += child.readAllStandardOutput();
            while (pending.contains('\n')) {
                const int nl = int(pending.indexOf('\n'));
                committed << pending.left(nl).toInt();
                pending.remove(0, nl + 1);
            }
        }
        QVERIFY2(committed.size() >= 60, qPrintable(QString::fromUtf8(child.readAllStandardError())));
        ::kill(pid_t(child.processId()), SIGKILL);
        QVERIFY(child.waitForFinished());
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        // Lines printed after the last read were committed too; what we saw must all be there.
        auto job = LabelingJob::open(ws.path(), QStringLiteral("crash"));
        for (int i : committed) {
            QCOMPARE(job->item(i).status, ItemStatus::Labeled);
            QCOMPARE(job->item(i).annotation.classes, QList<int>{i % 10});
        }
        // The child wraps around after the last item, so one read can hold an item twice.
        const QSet<int> distinct(committed.cbegin(), committed.cend());
        QVERIFY(job->counts().labeled >= distinct.size());
    }
};

int main(int argc, char **argv)
{
    if (argc == 4 && qstrcmp(argv[1], "--label-child") == 0) {
        QCoreApplication app(argc, argv);
        return runChild(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]));
    }
    QCoreApplication app(argc, argv);
    TestLabelingJob test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_labelingjob.moc"
