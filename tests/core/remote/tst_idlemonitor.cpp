// Idle shutdown: a host with no job, no busy kernel and no GPU in use for its idle timeout gets
// its real stop command run (a shell line that writes a file), once, logged; work resets the clock.
#include "cairn/remote/idlemonitor.h"
#include "cairn/util/error.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace cairn;
using namespace cairn::remote;

class tst_IdleMonitor : public QObject
{
    Q_OBJECT

    static QByteArray read(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private Q_SLOTS:
    void idleHostIsStoppedOnceAndLogged()
    {
        QTemporaryDir dir;
        const QString marker = dir.filePath(QStringLiteral("stopped by cairn"));
        Host gpu;
        gpu.name = QStringLiteral("gpu 1"); // names are free text; the stop line is the user's own
        gpu.hostname = QStringLiteral("example.org");
        gpu.idleTimeoutMinutes = 2;
        gpu.stopCommand = QStringLiteral("echo \"$(date +%s) stop\" >> '%1'; echo instance stopping").arg(marker);
        Host busy = gpu;
        busy.name = QStringLiteral("busy box");
        busy.stopCommand = QStringLiteral("touch '%1.busy'").arg(marker);
        Host dark = gpu; // cannot be looked at (network down): never stopped blind
        dark.name = QStringLiteral("dark");
        dark.stopCommand = QStringLiteral("touch '%1.dark'").arg(marker);
        Host never = gpu;
        never.name = QStringLiteral("no timeout");
        never.idleTimeoutMinutes = 0;
        never.stopCommand = QStringLiteral("touch '%1.never'").arg(marker);

        HostActivity gpuActivity;
        gpuActivity.jobs = 1; // a job at first
        IdleMonitor monitor;
        monitor.setCheckInterval(50);
        monitor.setMinuteMs(200); // a 2-"minute" timeout = 400 ms
        monitor.setLogFile(dir.filePath(QStringLiteral("idle.log")));
        monitor.setHostsProvider([&] { return QList<Host>{Host::local(), gpu, busy, dark, never}; });
        monitor.setActivitySource([&](const Host &h) {
            if (h.name == busy.name) {
                HostActivity a;
                a.busyKernels = 1; // a kernel executing a cell
                return a;
            }
            if (h.name == dark.name) {
                HostActivity a;
                a.known = false;
                return a;
            }
            return h.name == gpu.name ? gpuActivity : HostActivity();
        });
        QSignalSpy stopped(&monitor, &IdleMonitor::commandFinished);

        // While the job runs nothing happens, however long.
        QTest::qWait(800);
        QVERIFY(!QFile::exists(marker));
        QCOMPARE(monitor.idleSince(gpu.name), qint64(0));

        gpuActivity = HostActivity(); // the job ended
        QTRY_VERIFY_WITH_TIMEOUT(monitor.idleSince(gpu.name) > 0, 5000);
        QVERIFY(monitor.remainingMs(gpu.name) > 0);
        QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 1, 10000);
        QCOMPARE(stopped.first().at(0).toString(), gpu.name);
        QVERIFY(!stopped.first().at(1).toBool()); // a stop, not a start
        QVERIFY(stopped.first().at(2).toBool());
        QCOMPARE(stopped.first().at(3).toString(), QStringLiteral("instance stopping"));
        QCOMPARE(read(marker).count("stop"), 1);
        QVERIFY(monitor.isStopped(gpu.name));
        // Once: a stopped host is not stopped again while it stays idle.
        QTest::qWait(1000);
        QCOMPARE(read(marker).count("stop"), 1);
        QCOMPARE(stopped.size(), 1);
        QVERIFY(!QFile::exists(marker + QStringLiteral(".busy")));
        QVERIFY(!QFile::exists(marker + QStringLiteral(".never")));
        QVERIFY(!QFile::exists(marker + QStringLiteral(".dark")));

        const QByteArray log = read(monitor.logFile());
        QVERIFY2(log.contains("gpu 1: idle for"), log.constData());
        QVERIFY2(log.contains("running its stop command"), log.constData());
        QVERIFY2(log.contains("gpu 1: stop command done: instance stopping"), log.constData());

        // Started again and busy, then idle: the clock starts over and it is stopped again.
        monitor.markStarted(gpu.name);
        gpuActivity.gpusInUse = 1;
        QTest::qWait(600);
        QCOMPARE(read(marker).count("stop"), 1);
        gpuActivity = HostActivity();
        QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 2, 10000);
        QCOMPARE(read(marker).count("stop"), 2);

        // The Start button's path: the start line runs, logged, and the host is watched again.
        gpu.startCommand = QStringLiteral("echo start >> '%1'").arg(marker);
        gpuActivity.jobs = 1; // started for a job
        monitor.startHost(gpu);
        QVERIFY(!monitor.isStopped(gpu.name));
        QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 3, 10000);
        QVERIFY(stopped.last().at(1).toBool());
        QVERIFY(read(marker).endsWith("start\n"));
        QVERIFY(read(monitor.logFile()).contains("gpu 1: started by the user: running its start command"));
        Host noStart = never;
        QVERIFY_THROWS_EXCEPTION(Error, monitor.startHost(noStart));
    }

    void failingStopCommandIsReported()
    {
        QTemporaryDir dir;
        Host h;
        h.name = QStringLiteral("cloud");
        h.hostname = QStringLiteral("example.org");
        h.idleTimeoutMinutes = 1;
        h.stopCommand = QStringLiteral("echo 'no credentials' >&2; exit 3");
        IdleMonitor monitor;
        monitor.setCheckInterval(50);
        monitor.setMinuteMs(100);
        monitor.setLogFile(dir.filePath(QStringLiteral("idle.log")));
        monitor.setHostsProvider([&] { return QList<Host>{h}; });
        QSignalSpy stopped(&monitor, &IdleMonitor::commandFinished);
        QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 1, 10000);
        QVERIFY(!stopped.first().at(2).toBool());
        QCOMPARE(stopped.first().at(3).toString(), QStringLiteral("no credentials"));
        QVERIFY(read(monitor.logFile()).contains("cloud: stop command failed (exit 3): no credentials"));
    }
};

QTEST_GUILESS_MAIN(tst_IdleMonitor)
#include "tst_idlemonitor.moc"
