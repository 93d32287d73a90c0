// A torch MLP job on an SSH host (a real sshd on a loopback port, started by the test with its
// own keys and remote work folder): it trains there, says which device it picked and why, and
// its metrics, log and model come back into the local run, where the model predicts.
#include "clirunner.h"
#include "loopbacksshd.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <pwd.h>
#include <unistd.h>

using namespace cairn;

class tst_SshTorch : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_t;
    QString m_ws;
    LoopbackSshd m_sshd;
    QProcessEnvironment m_env;

    ProcessResult cairn(const QStringList &args, int timeoutMs = 180000)
    {
        return runProgram(QStringLiteral(CAIRN_CLI_PATH), QStringList{QStringLiteral("--workspace"), m_ws} + args, m_env, timeoutMs);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString missing = loopbackSshMissing(); !missing.isEmpty())
            QSKIP(qPrintable(missing));
        m_t = m_dir.path();
        m_ws = m_t + QStringLiteral("/ws");
        const QString started = startLoopbackSshd(m_sshd, QStringLiteral(CAIRN_CLI_PATH), m_t, &m_env);
        QVERIFY2(started.isEmpty(), qPrintable(started));
        const QString failed = addLoopbackHost(QStringLiteral(CAIRN_CLI_PATH), m_sshd, QStringLiteral("gpu1"), m_t + QStringLiteral("/remote work"), m_env);
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void cleanupTestCase() { m_sshd.stop(); }

    void mlpJobOnTheHost()
    {
        const QString csv = QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/titanic.csv");
        const ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("mlp"), QStringLiteral("--train"), csv,
                                       QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"), QStringLiteral("epochs=5"),
                                       QStringLiteral("--hp"), QStringLiteral("device=auto"), QStringLiteral("--host"), QStringLiteral("gpu1"),
                                       QStringLiteral("--experiment"), QStringLiteral("torch-remote"), QStringLiteral("--cpus"), QStringLiteral("1")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains(QStringLiteral("validation.auc")), qPrintable(r.out));

        Workspace ws(m_ws);
        RunQuery query;
        query.experimentIds = {ws.store().experimentByName(QStringLiteral("torch-remote")).id};
        const QList<Run> runs = ws.store().searchRuns(query);
        QCOMPARE(runs.size(), 1);
        const Run run = runs.first();
        QCOMPARE(run.status, RunStatus::Finished);
        QCOMPARE(run.host, QStringLiteral("gpu1"));
        // Metrics per epoch and per step, stored locally.
        QCOMPARE(ws.store().metricHistory(run.id, QStringLiteral("validation.loss")).steps.size(), 5);
        QVERIFY(ws.store().metricHistory(run.id, QStringLiteral("train.loss")).steps.size() >= 5);
        QVERIFY(ws.store().metricHistory(run.id, QStringLiteral("validation.auc")).steps.size() >= 5); // and the final model's
        // The model came back into the run.
        const QDir artifacts(ws.artifactDir(run.uuid));
        QVERIFY(QFileInfo::exists(artifacts.filePath(QStringLiteral("model/model.json"))));
        QVERIFY(QFileInfo(artifacts.filePath(QStringLiteral("model/model.pt"))).size() > 0);
        // The job log says which device the host trained on, and why.
        JobRecord job;
        for (const JobRecord &j : JobRecord::list(m_ws))
            if (j.runUuid == run.uuid)
                job = j;
        QCOMPARE(job.runner, QStringLiteral("ssh"));
        QFile logFile(QDir(JobRecord::dirOf(m_ws, job.id)).filePath(QStringLiteral("job.log")));
        QVERIFY(logFile.open(QIODevice::ReadOnly));
        const QString log = QString::fromUtf8(logFile.readAll());
        QVERIFY2(log.contains(QStringLiteral("device: no CUDA device: training on CPU (")) || log.contains(QStringLiteral("device: training on cuda:0")),
                 qPrintable(log));
        // The model predicts here.
        const ProcessResult here = cairn({QStringLiteral("predict"), QStringLiteral("--model"), run.uuid, QStringLiteral("--input"), csv});
        QVERIFY2(here.exitCode == 0, qPrintable(here.err));
        QVERIFY(here.out.count(QLatin1Char('\n')) > 800);
    }
};

QTEST_GUILESS_MAIN(tst_SshTorch)
#include "tst_sshtorch.moc"
