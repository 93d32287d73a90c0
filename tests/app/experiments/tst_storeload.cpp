// Load: 8 processes each log 1,000 metric points/s into one workspace, and a Python client a point
// per transaction, while the Experiments panel shows their runs and refreshes live. No point is lost, no writer sees "database is locked", and
// the GUI thread keeps answering: a QTimer probe measures how late the event loop runs it.
// CAIRN_LOAD_SECONDS sets the length (default 5; docs/development.md gives the 60 s figures).
#include "experimentspanel.h"
#include "mainwindow.h"
#include "panel.h"
#include "panelregistry.h"
#include "runstablemodel.h"
#include "studiocontext.h"

#include "cairn/store/experimentstore.h"
#include "cairn/store/storewriter.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QElapsedTimer>
#include <QHostInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QThreadPool>
#include <QTimer>
#include <QtTest>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <sys/resource.h>

using namespace cairn;
using namespace cairn::panels;

namespace {

constexpr int kWriters = 8;
constexpr int kPointsPerSecond = 1000;
constexpr int kFlushesPerSecond = 10;

int loadSeconds()
{
    const int s = qEnvironmentVariableIntValue("CAIRN_LOAD_SECONDS");
    return s > 0 ? s : 5;
}

/// Child mode: logs kPointsPerSecond points/s to a new run of experiment "load" for SECONDS, in
/// kFlushesPerSecond transactions a second, paced by the clock; prints "points N locked L".
int writerChild(const QString &workspace, int seconds)
{
    Workspace ws(workspace);
    ExperimentStore &store = ws.store();
    ExperimentStore::NewRun spec;
    spec.experimentId = store.ensureExperiment(QStringLiteral("load"));
    spec.name = QStringLiteral("writer-%1").arg(QCoreApplication::applicationPid());
    spec.host = QHostInfo::localHostName();
    spec.pid = QCoreApplication::applicationPid();
    const Run run = store.createRun(spec);
    StoreWriter writer(store);
    const int perFlush = kPointsPerSecond / kFlushesPerSecond;
    const int flushes = seconds * kFlushesPerSecond;
    qint64 step = 0;
    int locked = 0;
    QElapsedTimer clock;
    clock.start();
    for (int f = 0; f < flushes; ++f) {
        for (int i = 0; i < perFlush; ++i, ++step)
            writer.logMetric(run.id, QStringLiteral("loss"), 1.0 / double(step + 1), step);
        for (;;) {
            try {
                writer.flush();
                break;
            } catch (const Error &e) {
                if (!e.message().contains(QLatin1String("locked"), Qt::CaseInsensitive))
                    throw;
                ++locked; // the batch stays pending; count it and try again
            }
        }
        const qint64 due = qint64(f + 1) * 1000 / kFlushesPerSecond;
        if (clock.elapsed() < due)
            QThread::msleep(ulong(due - clock.elapsed()));
    }
    store.setRunStatus(run.uuid, RunStatus::Finished);
    std::printf("points %lld locked %d seconds %.2f\n", step, locked, double(clock.elapsed()) / 1000.0);
    return 0;
}

double percentile(QList<double> sorted, double p)
{
    if (sorted.isEmpty())
        return 0;
    std::sort(sorted.begin(), sorted.end());
    return sorted.at(qMin(sorted.size() - 1, qsizetype(p * double(sorted.size()))));
}

double threadCpuMs()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

/// The calling thread's context switches so far: voluntary (it waited: a lock, I/O, a sleep) and
/// involuntary (the kernel gave its core to another process).
std::pair<long, long> threadContextSwitches()
{
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    return {u.ru_nvcsw, u.ru_nivcsw};
}

/// Times every event the GUI thread handles at the top level (not nested in another event's
/// handling), in the thread's own CPU time and in wall time. The CPU time is the work the GUI
/// does itself; the wall time also holds the time the thread waited for a core, which on a loaded
/// machine is most of the probe's lateness.
class EventTimingApplication : public QApplication
{
public:
    using QApplication::QApplication;

    struct Slowest
    {
        double cpuMs = 0;
        double wallMs = 0;
        long waits = 0;       // voluntary context switches while it was handled
        long preemptions = 0; // involuntary ones
        QString what;
    };

    bool recording = false;
    QList<double> cpuMs;
    QList<double> wallMs;
    Slowest mostCpu;
    Slowest longest; // in wall time
    Slowest longestWaiting; // the longest in wall time that waited for something (not only for a core)
    qint64 over50msWaiting = 0;

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!recording || m_depth > 0 || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        ++m_depth;
        const double cpu0 = threadCpuMs();
        const auto switches0 = threadContextSwitches();
        QElapsedTimer wall;
        wall.start();
        const int type = int(event->type()); // the event may be gone after it is handled
        const char *receiverClass = receiver->metaObject()->className(); // static: outlives the receiver
        const bool handled = QApplication::notify(receiver, event);
        const double cpu = threadCpuMs() - cpu0;
        const double w = double(wall.nsecsElapsed()) / 1e6;
        const auto switches = threadContextSwitches();
        --m_depth;
        cpuMs << cpu;
        wallMs << w;
        const auto describe = [&] {
            return Slowest{cpu, w, switches.first - switches0.first, switches.second - switches0.second,
                           QStringLiteral("%1 (event type %2)").arg(QLatin1String(receiverClass)).arg(type)};
        };
        if (cpu > mostCpu.cpuMs)
            mostCpu = describe();
        if (w > longest.wallMs)
            longest = describe();
        if (switches.first > switches0.first) {
            if (w > 50.0)
                ++over50msWaiting;
            if (w > longestWaiting.wallMs)
                longestWaiting = describe();
        }
        return handled;
    }

private:
    int m_depth = 0;
};

} // namespace

class TestStoreLoad : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eightWritersWhileThePanelRefreshes()
    {
        QTemporaryDir config;
        qputenv("XDG_CONFIG_HOME", config.path().toLocal8Bit());
        QTemporaryDir dir;
        qint64 experiment = 0;
        {
            Workspace ws(dir.path());
            experiment = ws.store().ensureExperiment(QStringLiteral("load"));
        }
        auto *context = new gui::StudioContext(this);
        context->setPollInterval(100);
        studio::MainWindow window(context, studio::createPanels(context));
        window.resize(1400, 880);
        QVERIFY(window.openWorkspace(dir.path()));
        QVERIFY(window.raisePanel(QStringLiteral("experiments")));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        ExperimentsPanel *panel = nullptr;
        for (gui::Panel *p : window.panels())
            if (auto *e = qobject_cast<ExperimentsPanel *>(p))
                panel = e;
        QVERIFY(panel);
        panel->selectExperiments({experiment});

        const int seconds = loadSeconds();
        QList<QProcess *> writers;
        for (int i = 0; i < kWriters; ++i) {
            auto *p = new QProcess(this);
            p->setProgram(QCoreApplication::applicationFilePath());
            p->setArguments({QStringLiteral("--writer"), dir.path(), QString::number(seconds)});
            p->setProcessChannelMode(QProcess::SeparateChannels);
            p->start();
            writers << p;
        }

        // A Python client writes too, a point per call (one transaction each), 100 calls/s.
        auto *py = new QProcess(this);
        py->start(QStringLiteral("/usr/bin/python3"),
                  {QStringLiteral("-c"),
                   QStringLiteral("import cairn, sys, time\n"
                                  "n = 0\n"
                                  "end = time.time() + float(sys.argv[2])\n"
                                  "with cairn.start_run(experiment='load', run_name='python', workspace=sys.argv[1]):\n"
                                  "    while time.time() < end:\n"
                                  "        cairn.log_metric('loss', 1.0 / (n + 1), step=n)\n"
                                  "        n += 1\n"
                                  "        time.sleep(0.01)\n"
                                  "print('points', n)\n"),
                   dir.path(), QString::number(seconds)});
        writers << py;

        // The probe: a 10 ms timer; how much later than due each tick comes is the time the GUI
        // thread was busy with something else (painting, the panel's refreshes, SQL on the GUI thread).
        QList<double> lateness;
        QElapsedTimer sinceLast;
        sinceLast.start();
        QTimer probe;
        probe.setTimerType(Qt::PreciseTimer);
        probe.setInterval(10);
        connect(&probe, &QTimer::timeout, this, [&] {
            lateness << qMax(0.0, double(sinceLast.nsecsElapsed()) / 1e6 - 10.0);
            sinceLast.restart();
        });
        probe.start();
        auto *app = static_cast<EventTimingApplication *>(QCoreApplication::instance());
        app->recording = true;
        bool selectedRuns = false;
        QElapsedTimer total;
        total.start();
        const auto running = [&] {
            return std::any_of(writers.cbegin(), writers.cend(), [](QProcess *p) { return p->state() != QProcess::NotRunning; });
        };
        while (running() && total.elapsed() < qint64(seconds) * 1000 + 240000) {
            QTest::qWait(50);
            // Once the runs are listed, select them all so the side pane plots their curves live.
            if (!selectedRuns && panel->runsModel()->rowCount() == kWriters + 1) {
                QList<qint64> ids;
                for (int r = 0; r < kWriters + 1; ++r)
                    ids << panel->runsModel()->index(r, 0).data(RunsTableModel::RunIdRole).toLongLong();
                panel->selectRuns(ids);
                selectedRuns = true;
            }
        }
        probe.stop();
        app->recording = false;
        QVERIFY2(!running(), "the writers did not finish");

        qint64 points = 0;
        int locked = 0;
        writers.removeOne(py);
        const QString pyOut = QString::fromUtf8(py->readAllStandardOutput()).trimmed();
        QVERIFY2(py->exitStatus() == QProcess::NormalExit && py->exitCode() == 0, qPrintable(pyOut + QString::fromUtf8(py->readAllStandardError())));
        QVERIFY2(pyOut.startsWith(QLatin1String("points ")), qPrintable(pyOut));
        const qint64 pyPoints = pyOut.mid(7).toLongLong();
        qInfo("python client: %lld points", pyPoints);
        for (QProcess *p : writers) {
            const QString out = QString::fromUtf8(p->readAllStandardOutput()).trimmed();
            QVERIFY2(p->exitStatus() == QProcess::NormalExit && p->exitCode() == 0,
                     qPrintable(out + QString::fromUtf8(p->readAllStandardError())));
            const QStringList f = out.split(QLatin1Char(' '));
            QVERIFY2(f.size() == 6 && f.at(0) == QLatin1String("points"), qPrintable(out));
            QCOMPARE(f.at(1).toLongLong(), qint64(seconds) * kPointsPerSecond);
            points += f.at(1).toLongLong();
            locked += f.at(3).toInt();
            qInfo("writer: %s", qPrintable(out));
        }
        QCOMPARE(locked, 0);

        // Every point is there.
        ExperimentStore &store = context->store();
        const QList<Run> runs = store.searchRuns({.experimentIds = {experiment}});
        QCOMPARE(runs.size(), kWriters + 1);
        qint64 stored = 0;
        for (const Run &run : runs)
            stored += store.metricHistory(run.id, QStringLiteral("loss")).steps.size();
        QCOMPARE(stored, points + pyPoints);
        QVERIFY(selectedRuns);
        QTRY_COMPARE_WITH_TIMEOUT(panel->runsModel()->rowCount(), kWriters + 1, 10000);
        // The panel catches up once the writers stop: its background loads do not pile up
        // (they once queued faster than they finished and kept the pool busy for minutes).
        QElapsedTimer catchUp;
        catchUp.start();
        QTRY_VERIFY_WITH_TIMEOUT(QThreadPool::globalInstance()->activeThreadCount() == 0, 60000);
        qInfo("background loads idle %lld ms after the writers stopped", catchUp.elapsed());

        const double p50 = percentile(lateness, 0.50), p99 = percentile(lateness, 0.99), worst = percentile(lateness, 1.0);
        qInfo("%d writers x %d points/s for %d s: %lld points; event-loop probe: %lld ticks, late by p50 %.1f ms, p99 %.1f ms, max %.1f ms",
              kWriters, kPointsPerSecond, seconds, points, qint64(lateness.size()), p50, p99, worst);
        const double cpuP99 = percentile(app->cpuMs, 0.99), wallP99 = percentile(app->wallMs, 0.99);
        const auto show = [](const EventTimingApplication::Slowest &e) {
            return QStringLiteral("%1, %2 ms CPU in %3 ms wall, %4 waits, %5 preemptions")
                .arg(e.what).arg(e.cpuMs, 0, 'f', 1).arg(e.wallMs, 0, 'f', 1).arg(e.waits).arg(e.preemptions);
        };
        qInfo("GUI thread per event: %lld events, CPU p99 %.2f ms, max %.1f ms; wall p99 %.2f ms, max %.1f ms; "
              "the most CPU: %s; the longest: %s; the longest that waited: %s; %lld over 50 ms that waited",
              qint64(app->cpuMs.size()), cpuP99, percentile(app->cpuMs, 1.0), wallP99, percentile(app->wallMs, 1.0),
              qPrintable(show(app->mostCpu)), qPrintable(show(app->longest)), qPrintable(show(app->longestWaiting)),
              app->over50msWaiting);
        // What the GUI thread does itself in one event stays far under 50 ms; the probe's lateness
        // above adds the time the thread waited for a core on a loaded machine.
        QVERIFY2(app->mostCpu.cpuMs < 50.0, qPrintable(show(app->mostCpu)));
        // The figure to meet is 50 ms (docs/development.md); this bound only catches a GUI thread
        // that waits on the writers, with room for a loaded CI machine.
        // An AddressSanitizer build (scripts/test --sanitize) runs several times slower.
        const double bound = qEnvironmentVariableIsSet("ASAN_OPTIONS") ? 2000.0 : 500.0;
        QVERIFY2(p99 < bound, qPrintable(QStringLiteral("p99 event-loop lateness %1 ms").arg(p99)));
    }
};

int main(int argc, char **argv)
{
    if (argc == 4 && qstrcmp(argv[1], "--writer") == 0) {
        QCoreApplication app(argc, argv);
        try {
            return writerChild(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]).toInt());
        } catch (const Error &e) {
            std::fprintf(stderr, "writer: %s\n", qPrintable(e.message()));
            return 1;
        }
    }
    EventTimingApplication app(argc, argv);
    TestStoreLoad test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_storeload.moc"
