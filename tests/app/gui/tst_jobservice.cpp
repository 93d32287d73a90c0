// The studio's JobService: runs and jobs left behind by a process that is gone (a CLI or Python
// client killed with -9 while the studio is open) are marked failed without a restart.
#include "jobservice.h"
#include "studiocontext.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QHostInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace cairn;

class tst_JobService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void marksRunsOfGoneProcessesWhileOpen()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        gui::JobService *service = gui::JobService::of(&context);
        QVERIFY(service->manager());
        QSignalSpy messages(&context, &gui::StudioContext::statusMessage);

        // After the studio opened the workspace: a client starts a run, a CLI a job, and both die.
        QProcess gone;
        gone.start(QStringLiteral("/bin/true"));
        QVERIFY(gone.waitForStarted());
        const qint64 deadPid = gone.processId();
        QVERIFY(gone.waitForFinished());
        QVERIFY(deadPid > 0);
        Workspace other(dir.path());
        const QString host = QHostInfo::localHostName();
        const Run lost = other.store().createRun({.name = QStringLiteral("client"), .host = host, .pid = deadPid});
        const Run alive = other.store().createRun({.name = QStringLiteral("alive"), .host = host, .pid = QCoreApplication::applicationPid()});
        JobRecord r;
        r.id = QStringLiteral("job-lost");
        r.state = JobState::Running;
        r.host = host;
        r.managerPid = deadPid;
        r.save(JobRecord::dirOf(dir.path(), r.id));

        QTRY_COMPARE_WITH_TIMEOUT(other.store().run(lost.uuid).status, RunStatus::Failed, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(JobRecord::load(JobRecord::dirOf(dir.path(), r.id)).state, JobState::Failed, 20000);
        QCOMPARE(other.store().run(alive.uuid).status, RunStatus::Running);
        QTRY_VERIFY_WITH_TIMEOUT(!messages.isEmpty(), 10000);
        bool said = false;
        for (const QList<QVariant> &m : messages)
            said = said || m.first().toString().contains(QStringLiteral("marked failed"));
        QVERIFY(said);
    }
};

QTEST_MAIN(tst_JobService)
#include "tst_jobservice.moc"
