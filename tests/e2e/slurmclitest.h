#pragma once
// What the tests of `cairn` against a private Slurm cluster (localslurm.h) share: the cluster
// added as host "cluster" with its work folder, the CLI run in the test's workspace, and where a
// job's records are, here and on the cluster.
#include "clirunner.h"
#include "localslurm.h"
#include "loopbacksshd.h"
#include "remotesteps.h"

#include "cairn/jobs/jobrecord.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class SlurmCliTest : public QObject
{
protected:
    QTemporaryDir m_dir;
    QString m_t;      ///< the test's folder
    QString m_ws;     ///< the workspace
    QString m_shared; ///< the cluster's work folder
    LocalSlurm m_slurm;
    QProcessEnvironment m_env;

    /// Starts the cluster in the test's folder with `options` and adds it as host "cluster" with
    /// `shared` as its work folder. What failed, or an empty string.
    QString startCluster(const QString &shared, const LocalSlurm::Options &options)
    {
        if (!m_dir.isValid())
            return QStringLiteral("no temporary folder");
        m_t = m_dir.path();
        m_ws = m_t + QStringLiteral("/ws");
        m_shared = shared;
        QString error;
        if (!m_slurm.start(m_t + QStringLiteral("/slurm"), options, &error))
            return error;
        m_env = m_slurm.environment(isolatedCliEnvironment(m_t));
        const ProcessResult r = cairn({QStringLiteral("hosts"), QStringLiteral("add"), QStringLiteral("--slurm"), QStringLiteral("cluster"),
                                       QStringLiteral("--cairn"), QStringLiteral(CAIRN_CLI_PATH), QStringLiteral("--work-dir"), m_shared});
        return r.exitCode == 0 ? QString() : r.err;
    }

    ProcessResult cairn(const QStringList &args, int timeoutMs = 180000) const
    {
        return runProgram(QStringLiteral(CAIRN_CLI_PATH), QStringList{QStringLiteral("--workspace"), m_ws} + args, m_env, timeoutMs);
    }

    void startCli(QProcess &p, const QStringList &args) const
    {
        p.setProcessEnvironment(m_env);
        p.start(QStringLiteral(CAIRN_CLI_PATH), QStringList{QStringLiteral("--workspace"), m_ws} + args);
        QVERIFY(p.waitForStarted());
    }

    /// `cairn train` of XGBoost (depth 3, one CPU) on the cluster; many rounds on diamonds run for
    /// minutes unless stopped.
    static QStringList trainOnCluster(const QString &experiment, const QString &table, const QString &target, int rounds)
    {
        return {QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), sharedTable(table),
                QStringLiteral("--target"), target, QStringLiteral("--hp"), QStringLiteral("num_round=%1").arg(rounds), QStringLiteral("--hp"),
                QStringLiteral("max_depth=3"), QStringLiteral("--cpus"), QStringLiteral("1"), QStringLiteral("--host"), QStringLiteral("cluster"),
                QStringLiteral("--experiment"), experiment};
    }

    QList<cairn::JobRecord> jobsOf(const QString &experiment) const
    {
        QList<cairn::JobRecord> out;
        for (const cairn::JobRecord &j : cairn::JobRecord::list(m_ws))
            if (j.experiment == experiment)
                out << j;
        return out;
    }
    cairn::JobRecord jobOf(const QString &experiment) const { return jobsOf(experiment).value(0); }
    QString jobDir(const cairn::JobRecord &j) const { return cairn::JobRecord::dirOf(m_ws, j.id); }
    QString clusterJobDir(const cairn::JobRecord &j) const { return m_shared + QStringLiteral("/jobs/") + j.id; }

    QJsonObject slurmState(const cairn::JobRecord &j) const
    {
        QFile f(jobDir(j) + QStringLiteral("/slurm.json"));
        return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
    }

    /// How many steps of `key` the job's run has in the store.
    int stored(const cairn::JobRecord &j, const QString &key) const
    {
        return j.runUuid.isEmpty() ? 0 : int(storedMetricSteps(m_ws, j.runUuid, key).size());
    }
};
