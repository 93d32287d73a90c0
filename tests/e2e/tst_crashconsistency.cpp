// Crash consistency: a process that writes what a user keeps is killed with SIGKILL at a random
// (seeded) moment, again and again, and after each kill the next start finds the work intact:
// (a) metric points logged through StoreWriter (the path every job's events take into cairn.db),
// (b) a notebook saved over and over, (c) a labeling job's store.
// The child modes of this executable print a line after each write returns (what the caller was
// told is saved); everything printed must be there after the kill.
// CAIRN_CRASH_SEEDS sets the number of kills per case (default 10; docs/development.md uses 50).
#include "clirunner.h"
#include "crashkill.h"

#include "../core/labeling/labelingtestutil.h"

#include "cairn/labeling/labelingjob.h"
#include "cairn/notebook/notebook.h"
#include "cairn/store/experimentstore.h"
#include "cairn/store/storewriter.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <csignal>
#include <cstdio>
#include <random>

using namespace cairn;

namespace {

constexpr int kBatch = 200; // metric points per StoreWriter flush

void say(const QByteArray &line)
{
    std::fputs(line.constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

/// (a) Logs batches of points to a new run until killed: "run UUID", then "ack N" after batch N
/// is committed. Point i of the run has step i and value i * 0.5.
int metricsChild(const QString &workspace)
{
    Workspace ws(workspace);
    ExperimentStore &store = ws.store();
    ExperimentStore::NewRun spec;
    spec.experimentId = store.ensureExperiment(QStringLiteral("crash"));
    spec.name = QStringLiteral("killed");
    spec.host = QHostInfo::localHostName();
    spec.pid = QCoreApplication::applicationPid();
    const Run run = store.createRun(spec);
    say("run " + run.uuid.toLatin1());
    StoreWriter writer(store);
    for (qint64 batch = 0;; ++batch) {
        for (int i = 0; i < kBatch; ++i) {
            const qint64 step = batch * kBatch + i;
            writer.logMetric(run.id, QStringLiteral("loss"), double(step) * 0.5, step);
        }
        writer.setLatestTag(run.id, QStringLiteral("batches"), QString::number(batch + 1));
        writer.flush();
        say("ack " + QByteArray::number(batch));
    }
}

/// (b) Saves version after version of a notebook with ~300 KB of output (so a save takes long
/// enough to be cut in the middle): "ack N" after version N is saved.
int notebookChild(const QString &path)
{
    const QString output = QString(300 * 1024, QLatin1Char('x'));
    for (int version = 1;; ++version) {
        Notebook nb;
        nb.cells().first().setSource(QStringLiteral("version = %1").arg(version));
        nb.cells().first().setOutputs(QJsonArray{QJsonObject{{QStringLiteral("output_type"), QStringLiteral("stream")},
                                                              {QStringLiteral("name"), QStringLiteral("stdout")},
                                                              {QStringLiteral("text"), output}}});
        nb.save(path);
        say("ack " + QByteArray::number(version));
    }
}

/// (c) Labels item after item of a labeling job: "ack N" after item N's label is committed.
int labelingChild(const QString &workspace, const QString &name)
{
    auto job = labeling::LabelingJob::open(workspace, name);
    for (int i = 0;; i = (i + 1) % job->itemCount()) {
        labeling::Annotation a;
        a.classes << i % int(job->classes().size());
        job->setLabel(i, labeling::ItemStatus::Labeled, a);
        say("ack " + QByteArray::number(i));
    }
}

int seedCount()
{
    return crashkill::seedCount(10);
}

/// What one killed child said before it died.
struct KilledChild
{
    QStringList lines;
    bool sawAck() const
    {
        for (const QString &l : lines)
            if (l.startsWith(QLatin1String("ack ")))
                return true;
        return false;
    }
    QList<qint64> acks() const
    {
        QList<qint64> out;
        for (const QString &l : lines)
            if (l.startsWith(QLatin1String("ack ")))
                out << l.mid(4).toLongLong();
        return out;
    }
    QString value(const QString &prefix) const
    {
        for (const QString &l : lines)
            if (l.startsWith(prefix + QLatin1Char(' ')))
                return l.mid(prefix.size() + 1);
        return {};
    }
};

/// Starts this executable in a child mode and kills it with SIGKILL at a moment drawn from seed:
/// one seed in four counts from the start (so some kills land while the store is opened or
/// created), the others from the child's first acknowledged write.
KilledChild runAndKill(const QStringList &args, int seed, QString *error)
{
    std::mt19937 rng = crashkill::rngFor(seed);
    const bool fromStart = seed % 4 == 0;
    const int delayMs = crashkill::uniform(rng, 0, fromStart ? 400 : 250);
    QProcess child;
    child.setProgram(QCoreApplication::applicationFilePath());
    child.setArguments(args);
    child.start();
    if (!child.waitForStarted(30000)) {
        *error = QStringLiteral("child did not start: %1").arg(child.errorString());
        return {};
    }
    KilledChild result;
    QByteArray pending;
    const auto readLines = [&] {
        pending += child.readAllStandardOutput();
        while (pending.contains('\n')) {
            const int nl = int(pending.indexOf('\n'));
            result.lines << QString::fromUtf8(pending.left(nl));
            pending.remove(0, nl + 1);
        }
    };
    QElapsedTimer timer;
    timer.start();
    if (!fromStart) {
        while (!result.sawAck() && child.state() == QProcess::Running && timer.elapsed() < 60000) {
            child.waitForReadyRead(100);
            readLines();
        }
        if (!result.sawAck()) {
            *error = QStringLiteral("child acknowledged nothing within 60 s: %1").arg(QString::fromUtf8(child.readAllStandardError()));
            child.kill();
            child.waitForFinished();
            return {};
        }
        timer.restart();
    }
    while (timer.elapsed() < delayMs && child.state() == QProcess::Running) {
        child.waitForReadyRead(int(qMax<qint64>(1, delayMs - timer.elapsed())));
        readLines();
    }
    if (child.state() != QProcess::Running) {
        *error = QStringLiteral("child ended by itself: %1").arg(QString::fromUtf8(child.readAllStandardError()));
        return {};
    }
    ::kill(pid_t(child.processId()), SIGKILL);
    child.waitForFinished(30000);
    readLines(); // lines still in the pipe were printed after their write returned
    return result;
}

} // namespace

class TestCrashConsistency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // (a) Every seed kills a new writer in the same workspace, so later kills meet the leftovers
    // (WAL, shm, RUNNING runs) of earlier ones.
    void metricLoggingSurvivesKill()
    {
        QTemporaryDir dir;
        const QString ws = dir.path() + QStringLiteral("/ws");
        int withPoints = 0;
        for (int seed = 0; seed < seedCount(); ++seed) {
            QString error;
            const KilledChild child = runAndKill({QStringLiteral("--metrics-child"), ws}, seed, &error);
            QVERIFY2(error.isEmpty(), qPrintable(QStringLiteral("seed %1: %2").arg(seed).arg(error)));

            // The next start: the CLI opens the workspace, and as every reader does, marks the
            // killed writer's run.
            const ProcessResult list = cairnInWorkspace(ws, {QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--format"),
                                                             QStringLiteral("json")});
            QVERIFY2(list.exitCode == 0, qPrintable(QStringLiteral("seed %1: %2").arg(seed).arg(list.err)));
            for (const QJsonValue &v : list.json().array())
                QVERIFY2(v.toObject().value(QStringLiteral("status")).toString() != QLatin1String("RUNNING"),
                         qPrintable(QStringLiteral("seed %1: a killed writer's run is still RUNNING").arg(seed)));
            QCOMPARE(crashkill::integrityOf(ws + QStringLiteral("/cairn.db")), QStringLiteral("ok"));

            const QString uuid = child.value(QStringLiteral("run"));
            if (uuid.isEmpty())
                continue;
            Workspace workspace(ws);
            const Run run = workspace.store().run(uuid);
            QCOMPARE(run.status, RunStatus::Failed);
            const MetricSeries loss = workspace.store().metricHistory(run.id, QStringLiteral("loss"));
            const QList<qint64> acks = child.acks();
            const qint64 acknowledged = acks.isEmpty() ? 0 : (acks.last() + 1) * kBatch;
            // All acknowledged points, whole batches only (a batch is one transaction), each intact.
            QVERIFY2(loss.steps.size() >= acknowledged,
                     qPrintable(QStringLiteral("seed %1: %2 points acknowledged, %3 stored").arg(seed).arg(acknowledged).arg(loss.steps.size())));
            QCOMPARE(loss.steps.size() % kBatch, 0);
            for (int i = 0; i < loss.steps.size(); ++i) {
                QCOMPARE(loss.steps.at(i), qint64(i));
                QCOMPARE(loss.values.at(i), double(i) * 0.5);
            }
            if (!loss.steps.isEmpty())
                ++withPoints;
        }
        qInfo("%d kills of a metric writer; %d left a run with points, all acknowledged points there", seedCount(), withPoints);
        // Most kills must land while points are being written, or the test proves little.
        QVERIFY2(withPoints >= seedCount() / 2, qPrintable(QStringLiteral("only %1 kills hit a run with points").arg(withPoints)));
    }

    // (b) The file on disk is always a whole notebook: the last acknowledged version or the one
    // being saved when the kill came, never a torn file; a save's temporary file never replaces it.
    void notebookSaveSurvivesKill()
    {
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/work.ipynb");
        int lastSeen = 0;
        for (int seed = 0; seed < seedCount(); ++seed) {
            QString error;
            const KilledChild child = runAndKill({QStringLiteral("--notebook-child"), path}, seed, &error);
            QVERIFY2(error.isEmpty(), qPrintable(QStringLiteral("seed %1: %2").arg(seed).arg(error)));
            const QList<qint64> acks = child.acks();
            if (acks.isEmpty() && !QFileInfo::exists(path))
                continue;
            Notebook nb;
            try {
                nb = Notebook::load(path);
            } catch (const Error &e) {
                QFAIL(qPrintable(QStringLiteral("seed %1: the notebook does not open after the kill: %2").arg(seed).arg(e.message())));
            }
            const QString source = nb.cells().first().source();
            QVERIFY2(source.startsWith(QLatin1String("version = ")), qPrintable(source));
            const int version = source.mid(10).toInt();
            const int acknowledged = acks.isEmpty() ? 0 : int(acks.last());
            QVERIFY2(version == acknowledged || version == acknowledged + 1,
                     qPrintable(QStringLiteral("seed %1: version %2 on disk, %3 acknowledged").arg(seed).arg(version).arg(acknowledged)));
            QCOMPARE(nb.cells().first().outputs().first().toObject().value(QStringLiteral("text")).toString().size(), 300 * 1024);
            lastSeen = qMax(lastSeen, version);
        }
        // A save cut short leaves its temporary file (QSaveFile's name.XXXXXX) beside the notebook.
        const QStringList leftovers = QDir(dir.path()).entryList({QStringLiteral("work.ipynb.*")}, QDir::Files | QDir::Hidden);
        qInfo("%d kills of a notebook save; last version on disk %d; %lld temporary files left behind", seedCount(), lastSeen,
              qint64(leftovers.size()));
        QVERIFY(lastSeen > 0);
    }

    // (c) Every label the labeling store acknowledged is there; the store passes its check.
    void labelingStoreSurvivesKill()
    {
        QTemporaryDir ws;
        labelingtest::makeJob(ws.path(), QStringLiteral("crash"), labeling::TaskType::SingleLabel, labelingtest::fashionDir(),
                              labelingtest::fashionClasses());
        const QString db = labeling::LabelingJob::jobDir(ws.path(), QStringLiteral("crash")) + QStringLiteral("/labels.db");
        QSet<qint64> everAcknowledged;
        for (int seed = 0; seed < seedCount(); ++seed) {
            QString error;
            const KilledChild child = runAndKill({QStringLiteral("--labeling-child"), ws.path(), QStringLiteral("crash")}, seed, &error);
            QVERIFY2(error.isEmpty(), qPrintable(QStringLiteral("seed %1: %2").arg(seed).arg(error)));
            const QList<qint64> acks = child.acks();
            everAcknowledged.unite(QSet<qint64>(acks.cbegin(), acks.cend()));
            QCOMPARE(crashkill::integrityOf(db), QStringLiteral("ok"));
            auto job = labeling::LabelingJob::open(ws.path(), QStringLiteral("crash"));
            for (qint64 i : everAcknowledged) {
                QVERIFY2(job->item(int(i)).status == labeling::ItemStatus::Labeled,
                         qPrintable(QStringLiteral("seed %1: item %2 was acknowledged but is not labeled").arg(seed).arg(i)));
                QCOMPARE(job->item(int(i)).annotation.classes, QList<int>{int(i % 10)});
            }
            QVERIFY(job->counts().labeled >= everAcknowledged.size());
        }
        qInfo("%d kills of a labeling store; %lld acknowledged labels, all there", seedCount(), qint64(everAcknowledged.size()));
        QVERIFY(!everAcknowledged.isEmpty());
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc == 3 && qstrcmp(argv[1], "--metrics-child") == 0)
        return metricsChild(QString::fromLocal8Bit(argv[2]));
    if (argc == 3 && qstrcmp(argv[1], "--notebook-child") == 0)
        return notebookChild(QString::fromLocal8Bit(argv[2]));
    if (argc == 4 && qstrcmp(argv[1], "--labeling-child") == 0)
        return labelingChild(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]));
    TestCrashConsistency test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_crashconsistency.moc"
