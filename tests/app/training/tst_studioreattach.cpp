// The studio re-attaches on start: a real XGBoost job is started on an SSH host (a private sshd on
// a loopback port, see tests/e2e/loopbacksshd.h) by `cairn train`, whose CLI is then killed; the
// worker runs on. A studio opened afterwards (a fresh StudioContext, JobService and Training panel)
// follows the job again without being asked: the panel shows it running with live curves and
// progress, Stop stops it on the host, and every metric point the worker wrote is in the store
// exactly once. Screenshot: <build>/screenshots/training-reattached.png.
#include "../xgboostpanelsetup.h"
#include "../../e2e/clirunner.h"
#include "../../e2e/loopbacksshd.h"
#include "../../e2e/remotesteps.h"
#include "jobmonitor.h"
#include "joblistmodel.h"
#include "jobservice.h"
#include "studiocontext.h"
#include "trainingpanel.h"

#include "cairn/jobs/jobmanager.h"
#include "cairn/jobs/jobrecord.h"
#include "cairn/remote/host.h"
#include "cairn/remote/sshconnection.h"

#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

#include <csignal>
#include <pwd.h>
#include <unistd.h>

using namespace cairn;

class tst_StudioReattach : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    LoopbackSshd m_sshd;
    QProcessEnvironment m_env;
    QString m_ws;
    QString m_remote;

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString missing = xgboostpanel::setUp(xgboostpanel::sharedTable(QStringLiteral("diamonds.csv"))); !missing.isEmpty())
            QSKIP(qPrintable(missing));
        if (const QString missing = loopbackSshMissing(); !missing.isEmpty())
            QSKIP(qPrintable(missing));
        const QString t = m_dir.path();
        m_ws = t + QStringLiteral("/ws");
        m_remote = t + QStringLiteral("/remote work");
        const QString started = startLoopbackSshd(m_sshd, QStringLiteral(CAIRN_CLI_PATH), t, &m_env);
        QVERIFY2(started.isEmpty(), qPrintable(started));
        // The studio in this process and the CLI share the private hosts file, ssh config and cache.
        shareIsolatedEnvironment(m_env);
        const QString failed = addLoopbackHost(QStringLiteral(CAIRN_CLI_PATH), m_sshd, QStringLiteral("lab"), m_remote, m_env);
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void cleanupTestCase()
    {
        for (const remote::Host &h : remote::HostStore().hosts())
            if (!h.isLocal())
                remote::SshConnection(h).closeMaster();
        m_sshd.stop();
    }

    void studioFollowsAJobLeftRunningOnAHost()
    {
        // A job long enough to outlive its CLI: many rounds on diamonds, one thread.
        QProcess cli;
        cli.setProcessEnvironment(m_env);
        cli.start(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("--workspace"), m_ws, QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"),
                                                   QStringLiteral("--train"), xgboostpanel::sharedTable(QStringLiteral("diamonds.csv")), QStringLiteral("--target"),
                                                   QStringLiteral("price"), QStringLiteral("--hp"), QStringLiteral("num_round=100000"), QStringLiteral("--hp"),
                                                   QStringLiteral("max_depth=3"), QStringLiteral("--host"), QStringLiteral("lab"), QStringLiteral("--cpus"),
                                                   QStringLiteral("1"), QStringLiteral("--experiment"), QStringLiteral("left running")});
        QVERIFY(cli.waitForStarted());
        QString jobId, runUuid;
        QTRY_VERIFY_WITH_TIMEOUT([&] {
            for (const JobRecord &j : JobRecord::list(m_ws))
                if (!j.runUuid.isEmpty()) {
                    jobId = j.id;
                    runUuid = j.runUuid;
                }
            return !runUuid.isEmpty() && storedMetricSteps(m_ws, runUuid, QStringLiteral("validation.rmse")).size() >= 10;
        }(), 120000);
        // The CLI goes (killed, as a crash or a closed terminal would); the worker on the host runs on.
        ::kill(pid_t(cli.processId()), SIGKILL);
        QVERIFY(cli.waitForFinished(10000));
        const QString events = QFileInfo(m_remote).canonicalFilePath() + QStringLiteral("/jobs/") + jobId + QStringLiteral("/events.jsonl");
        const qint64 sizeAtKill = QFileInfo(events).size();
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(events).size() > sizeAtKill + 2000, 60000);
        QCOMPARE(JobManager::detachedJobs(m_ws), QStringList{jobId});
        const int storedBefore = int(storedMetricSteps(m_ws, runUuid, QStringLiteral("validation.rmse")).size());

        // The studio starts: it follows the job again by itself.
        gui::StudioContext context;
        context.openWorkspace(m_ws);
        panels::TrainingPanel panel(&context);
        panel.resize(1400, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        JobManager *manager = gui::JobService::of(&context)->manager();
        QVERIFY(manager);
        QVERIFY(manager->job(jobId).managerPid == QCoreApplication::applicationPid());
        QVERIFY(JobManager::detachedJobs(m_ws).isEmpty());

        // The panel lists it running and shows it live: the curve grows past what the CLI stored,
        // the progress moves, the log says it re-attached.
        QVERIFY(panel.selectJob(jobId));
        const int row = panel.jobsModel()->rowOf(jobId);
        QVERIFY(row >= 0);
        QTRY_COMPARE_WITH_TIMEOUT(panel.jobsModel()->record(panel.jobsModel()->rowOf(jobId)).state, JobState::Running, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(panel.monitor()->points(QStringLiteral("validation.rmse")).size() > storedBefore + 30, 90000);
        const double progress = panel.jobsModel()->record(panel.jobsModel()->rowOf(jobId)).progress;
        QTRY_VERIFY_WITH_TIMEOUT(panel.jobsModel()->record(panel.jobsModel()->rowOf(jobId)).progress > progress, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(panel.monitor()->logView()->toPlainText().contains(QStringLiteral("re-attached to the worker on host 'lab'")), 30000);
        QVERIFY(panel.stopButton()->isEnabled());
        QTest::qWait(1000); // the chart redraws on a timer
        QVERIFY(QImage(panel.grab().toImage()).save(xgboostpanel::screenshotPath(QStringLiteral("training-reattached.png"))));

        // Stop from the panel: the worker on the host stops; every point it wrote is stored once.
        QSignalSpy finished(manager, &JobManager::jobFinished);
        QTest::mouseClick(panel.stopButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 90000);
        QTRY_COMPARE_WITH_TIMEOUT(JobRecord::load(JobRecord::dirOf(m_ws, jobId)).state, JobState::Stopped, 30000);
        QVERIFY(QFile::exists(QFileInfo(events).absolutePath() + QStringLiteral("/exit_code")));
        QVERIFY(eventFileSteps(events, QStringLiteral("validation.rmse")).second > storedBefore + 30);
        verifyStoredExactlyOnce(m_ws, events, runUuid, QStringLiteral("validation.rmse"));
        verifyStoredExactlyOnce(m_ws, events, runUuid, QStringLiteral("train.rmse"));
    }
};

QTEST_MAIN(tst_StudioReattach)
#include "tst_studioreattach.moc"
