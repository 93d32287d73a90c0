// SSH hosts end to end against a real sshd on a loopback port, started by the test with its own
// host key, user key and a separate remote work folder: probe, host keys (unknown, accepted,
// changed), wrong key, unreachable hosts, an old worker, hostile names, and a real XGBoost job on
// the host whose supervisor and SSH connection are killed mid-job, then re-attached and stopped
// with every metric point stored exactly once.
#include "clirunner.h"
#include "loopbacksshd.h"
#include "remotesteps.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/remote/host.h"
#include "cairn/remote/sshconnection.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <pwd.h>
#include <unistd.h>

using namespace cairn;

namespace {

bool writeFile(const QString &path, const QByteArray &text, QFile::Permissions perms = {})
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    f.write(text);
    f.close();
    return perms == QFile::Permissions() || f.setPermissions(perms);
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class tst_SshHosts : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_t;           ///< everything of this test
    QString m_ws;
    QString m_remote;      ///< the host's work folder: a hostile name on purpose
    QString m_marker;      ///< created only if some name were run as shell code
    QString m_hostName;    ///< hostile too
    int m_port = 0;
    LoopbackSshd m_sshd;
    QProcessEnvironment m_env;

    ProcessResult cairn(const QStringList &args, int timeoutMs = 180000)
    {
        return runProgram(QStringLiteral(CAIRN_CLI_PATH), QStringList{QStringLiteral("--workspace"), m_ws} + args, m_env, timeoutMs);
    }

    QStringList addArgs(const QString &name, const QString &extraKnownHosts = {}) const
    {
        return {QStringLiteral("hosts"), QStringLiteral("add"), name, QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--user"), QString::fromLocal8Bit(::getpwuid(::getuid())->pw_name),
                QStringLiteral("--identity"), m_t + QStringLiteral("/userkey"), QStringLiteral("--known-hosts"),
                extraKnownHosts.isEmpty() ? m_t + QStringLiteral("/known_hosts") : extraKnownHosts, QStringLiteral("--work-dir"), m_remote,
                QStringLiteral("--ssh-config"), QStringLiteral("/dev/null")};
    }

    QHash<qint64, int> storedSteps(const QString &runUuid, const QString &key) { return storedMetricSteps(m_ws, runUuid, key); }

    QString eventsFile(const QString &jobId) const
    {
        return QFileInfo(m_remote).canonicalFilePath() + QStringLiteral("/jobs/") + jobId + QStringLiteral("/events.jsonl");
    }

    QPair<QSet<qint64>, int> remoteSteps(const QString &jobId, const QString &key) { return eventFileSteps(eventsFile(jobId), key); }

    void verifyExactlyOnce(const QString &jobId, const QString &runUuid, const QString &key)
    {
        verifyStoredExactlyOnce(m_ws, eventsFile(jobId), runUuid, key);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!LoopbackSshd::available() || QStandardPaths::findExecutable(QStringLiteral("rsync")).isEmpty())
            QSKIP("openssh-server and rsync are not installed (scripts/setup installs them)");
        m_t = m_dir.path();
        m_ws = m_t + QStringLiteral("/ws");
        m_marker = m_t + QStringLiteral("/PWNED");
        m_remote = m_t + QStringLiteral("/remote work 'q' \"dq\"; $(touch %1)").arg(m_marker);
        m_hostName = QStringLiteral("lab \"box\"; $(touch %1) 'x'").arg(m_marker);
        QVERIFY(LoopbackSshd::keygen(m_t + QStringLiteral("/otherkey")));
        QVERIFY(LoopbackSshd::keygen(m_t + QStringLiteral("/otherhostkey")));
        // The remote side finds the cairn built here on its PATH.
        QString error;
        QVERIFY2(m_sshd.start(m_t, QFileInfo(QStringLiteral(CAIRN_CLI_PATH)).absolutePath(), &error), qPrintable(error));
        m_port = m_sshd.port();
        QVERIFY(writeFile(m_t + QStringLiteral("/known_hosts"), {}));

        m_env = isolatedCliEnvironment(m_t);
    }

    void cleanupTestCase()
    {
        m_sshd.stop();
        QVERIFY2(!QFile::exists(m_marker), "a name was run as shell code");
    }

    void addListRemove()
    {
        ProcessResult r = cairn(addArgs(m_hostName));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = cairn({QStringLiteral("hosts"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray hosts = r.json().array();
        QCOMPARE(hosts.size(), 2);
        QCOMPARE(hosts.at(0).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("local"));
        QCOMPARE(hosts.at(1).toObject().value(QStringLiteral("name")).toString(), m_hostName);
        QCOMPARE(cairn(addArgs(m_hostName)).exitCode, 1); // taken
        // Option-like or shell-like host names never reach ssh.
        QStringList bad = addArgs(QStringLiteral("bad"));
        bad[bad.indexOf(QStringLiteral("127.0.0.1"))] = QStringLiteral("-oProxyCommand=touch %1").arg(m_marker);
        r = cairn(bad);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains(QStringLiteral("safely")));
        QCOMPARE(cairn({QStringLiteral("hosts"), QStringLiteral("remove"), QStringLiteral("local")}).exitCode, 1);
        QCOMPARE(cairn({QStringLiteral("hosts"), QStringLiteral("probe"), QStringLiteral("nope")}).exitCode, 1);
    }

    void unknownHostKeyNeedsAYes()
    {
        ProcessResult r = cairn({QStringLiteral("hosts"), QStringLiteral("probe"), m_hostName});
        QCOMPARE(r.exitCode, 1);
        // The fingerprint shown is the one of the key sshd was given.
        QProcess fp;
        fp.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-lf"), m_t + QStringLiteral("/hostkey.pub")});
        QVERIFY(fp.waitForFinished());
        const QString fingerprint = QString::fromUtf8(fp.readAllStandardOutput()).section(QLatin1Char(' '), 1, 1);
        QVERIFY(fingerprint.startsWith(QStringLiteral("SHA256:")));
        QVERIFY2(r.err.contains(QStringLiteral("not known yet")) && r.err.contains(fingerprint), qPrintable(r.err));
        QVERIFY(readFile(m_t + QStringLiteral("/known_hosts")).isEmpty());
        // A yes for another fingerprint records nothing.
        r = cairn({QStringLiteral("hosts"), QStringLiteral("probe"), m_hostName, QStringLiteral("--accept-new-host-key"), QStringLiteral("--fingerprint"),
                   QStringLiteral("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(readFile(m_t + QStringLiteral("/known_hosts")).isEmpty());
        r = cairn({QStringLiteral("hosts"), QStringLiteral("probe"), m_hostName, QStringLiteral("--accept-new-host-key"), QStringLiteral("--fingerprint"), fingerprint});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY(!readFile(m_t + QStringLiteral("/known_hosts")).isEmpty());
    }

    void probeReportsTheMachine()
    {
        const ProcessResult r = cairn({QStringLiteral("hosts"), QStringLiteral("probe"), m_hostName, QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject p = r.json().object();
        QVERIFY(p.value(QStringLiteral("reachable")).toBool());
        QVERIFY(p.value(QStringLiteral("cores")).toInt() >= 1);
        QVERIFY(p.value(QStringLiteral("memoryTotalKiB")).toDouble() > 0);
        QVERIFY(p.value(QStringLiteral("diskFreeKiB")).toDouble() > 0);
        QVERIFY(!p.value(QStringLiteral("os")).toString().isEmpty());
        QVERIFY(p.value(QStringLiteral("gpus")).isArray()); // none is a normal answer
        QVERIFY(p.value(QStringLiteral("workerOk")).toBool());
        QCOMPARE(p.value(QStringLiteral("workerProtocol")).toInt(), 1);
        QCOMPARE(QFileInfo(p.value(QStringLiteral("workDir")).toString()).canonicalFilePath(), QFileInfo(m_remote).canonicalFilePath());
        QVERIFY(QFileInfo(m_remote).isDir());
    }

    void connectionFailuresInPlainWords()
    {
        // Wrong key: the host refuses the login.
        QStringList wrong = addArgs(QStringLiteral("wrong key"));
        wrong[wrong.indexOf(m_t + QStringLiteral("/userkey"))] = m_t + QStringLiteral("/otherkey");
        QCOMPARE(cairn(wrong).exitCode, 0);
        ProcessResult r = cairn({QStringLiteral("hosts"), QStringLiteral("probe"), QStringLiteral("wrong key")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("refused the login")), qPrintable(r.err));

        // Changed host key: known_hosts holds another key for the same address.
        const QByteArray otherPub = readFile(m_t + QStringLiteral("/otherhostkey.pub")).trimmed();
        const QString changedKnown = m_t + QStringLiteral("/known_changed");
        QVERIFY(writeFile(changedKnown, QStringLiteral("[127.0.0.1]:%1 %2\n").arg(m_port).arg(QString::fromUtf8(otherPub).section(QLatin1Char(' '), 0, 1)).toUtf8()));
        QCOMPARE(cairn(addArgs(QStringLiteral("changed"), changedKnown)).exitCode, 0);
        r = cairn({QStringLiteral("hosts"), QStringLiteral("probe"), QStringLiteral("changed")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("CHANGED")), qPrintable(r.err));
        r = cairn({QStringLiteral("hosts"), QStringLiteral("probe"), QStringLiteral("changed"), QStringLiteral("--accept-new-host-key")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("not replaced")) || r.err.contains(QStringLiteral("CHANGED")), qPrintable(r.err));
        QCOMPARE(readFile(changedKnown).count('\n'), 1);

        // Nothing listens: refused. A name that does not resolve: DNS.
        QStringList refused = addArgs(QStringLiteral("refused"));
        refused[refused.indexOf(QString::number(m_port))] = QString::number(LoopbackSshd::freePort());
        QCOMPARE(cairn(refused).exitCode, 0);
        r = cairn({QStringLiteral("hosts"), QStringLiteral("probe"), QStringLiteral("refused")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("refused the connection")), qPrintable(r.err));
        QStringList dns = addArgs(QStringLiteral("dns"));
        dns[dns.indexOf(QStringLiteral("127.0.0.1"))] = QStringLiteral("no-such-host.invalid");
        QCOMPARE(cairn(dns).exitCode, 0);
        r = cairn({QStringLiteral("hosts"), QStringLiteral("probe"), QStringLiteral("dns")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("does not resolve")), qPrintable(r.err));

        // An address nobody answers (TEST-NET-1): an answer within 10 s, not a hang.
        QStringList far = addArgs(QStringLiteral("unreachable"));
        far[far.indexOf(QStringLiteral("127.0.0.1"))] = QStringLiteral("192.0.2.1");
        far[far.indexOf(QString::number(m_port))] = QStringLiteral("22");
        QCOMPARE(cairn(far).exitCode, 0);
        QElapsedTimer t;
        t.start();
        r = cairn({QStringLiteral("hosts"), QStringLiteral("probe"), QStringLiteral("unreachable")});
        const qint64 ms = t.elapsed();
        QCOMPARE(r.exitCode, 1);
        // Dropped (a timeout), rejected by the network (refused) or no route: each said plainly.
        QVERIFY2(r.err.contains(QStringLiteral("did not answer")) || r.err.contains(QStringLiteral("cannot be reached"))
                     || r.err.contains(QStringLiteral("refused the connection")),
                 qPrintable(r.err));
        QVERIFY2(ms < 10000, qPrintable(QStringLiteral("took %1 ms").arg(ms)));
    }

    void workerOfAnotherProtocolIsRefused()
    {
        const QString old = m_t + QStringLiteral("/old-cairn");
        QVERIFY(writeFile(old, "#!/bin/sh\necho '{\"program\":\"cairn\",\"version\":\"0.0.9\",\"protocol\":0}'\n",
                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        QCOMPARE(cairn(addArgs(QStringLiteral("old")) << QStringLiteral("--cairn") << old).exitCode, 0);
        ProcessResult r = cairn({QStringLiteral("hosts"), QStringLiteral("probe"), QStringLiteral("old")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("0.0.9")) && r.err.contains(QStringLiteral("protocol 0")), qPrintable(r.err));
        r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), sharedTable(QStringLiteral("iris.csv")),
                   QStringLiteral("--target"), QStringLiteral("target"), QStringLiteral("--host"), QStringLiteral("old"), QStringLiteral("-q")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("0.0.9")), qPrintable(r.err));
    }

    // `hosts install-worker` on the host whose worker is too old: it checks the package and the
    // host (Debian, root or sudo without a password), copies the .deb into the host's work folder
    // and names the exact command. --dry-run: a test never installs a package into this machine.
    void installWorkerChecksAndCopiesThePackage()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("dpkg-deb")).isEmpty())
            QSKIP("dpkg-deb is not here: not a Debian machine");
        QProcess dpkg;
        dpkg.start(QStringLiteral("dpkg"), {QStringLiteral("--print-architecture")});
        QVERIFY(dpkg.waitForFinished());
        const QString arch = QString::fromUtf8(dpkg.readAllStandardOutput()).trimmed();
        auto makeDeb = [&](const QString &package, const QString &file) { return makeTestDeb(m_t, package, file); };
        // A hostile folder (holding the marker's path) and a hostile file name.
        const QString debDir = m_t + QStringLiteral("/my packages 'q'; $(touch %1)").arg(m_marker);
        QVERIFY(QDir().mkpath(debDir));
        const QString deb = debDir + QStringLiteral("/cairn-studio_0.1.0 'q' \"dq\"; $(touch PWNED-NAME).deb");
        QVERIFY(makeDeb(QStringLiteral("cairn-studio"), deb));

        ProcessResult r = cairn({QStringLiteral("hosts"), QStringLiteral("probe"), QStringLiteral("old"), QStringLiteral("--format"), QStringLiteral("json")});
        const QJsonObject probe = r.json().object();
        QVERIFY2(probe.value(QStringLiteral("debian")).toBool(), qPrintable(r.out)); // this machine is the host
        QCOMPARE(probe.value(QStringLiteral("root")).toBool(), ::getuid() == 0);
        QCOMPARE(probe.value(QStringLiteral("debArch")).toString(), arch);
        const bool canInstall = probe.value(QStringLiteral("root")).toBool() || probe.value(QStringLiteral("sudo")).toBool();
        QVERIFY2(probe.value(QStringLiteral("workerProblem")).toString().contains(canInstall ? QStringLiteral("install-worker") : QStringLiteral("cannot sudo")),
                 qPrintable(probe.value(QStringLiteral("workerProblem")).toString()));

        r = cairn({QStringLiteral("hosts"), QStringLiteral("install-worker"), QStringLiteral("old"), QStringLiteral("--deb"), deb, QStringLiteral("--dry-run")});
        if (!canInstall) {
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.err.contains(QStringLiteral("cannot sudo without a password")), qPrintable(r.err));
            return;
        }
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains(probe.value(QStringLiteral("root")).toBool() ? QStringLiteral("root login") : QStringLiteral("sudo without a password: yes")), qPrintable(r.out));
        const QString remoteDir = QFileInfo(m_remote).canonicalFilePath() + QStringLiteral("/packages");
        const QString name = QFileInfo(deb).fileName();
        const QString expected = QStringLiteral("command: cd -- %1 && %2apt-get install -y %3")
                                     .arg(remote::shellQuote(remoteDir), probe.value(QStringLiteral("root")).toBool() ? QString() : QStringLiteral("sudo -n "),
                                          remote::shellQuote(QStringLiteral("./") + name));
        QVERIFY2(r.out.contains(expected), qPrintable(r.out + QStringLiteral("\nexpected: ") + expected));
        QVERIFY2(r.out.contains(QStringLiteral("the command was not run")), qPrintable(r.out));
        // The package arrived whole, under its hostile name, in the host's work folder.
        QCOMPARE(readFile(remoteDir + QLatin1Char('/') + name), readFile(deb));
        QVERIFY(!QFile::exists(remoteDir + QStringLiteral("/PWNED-NAME")));
        QVERIFY(!QFile::exists(QDir::homePath() + QStringLiteral("/PWNED-NAME")));

        // Another package, a file that is no package, `local`, no --deb: refused before anything is copied.
        const QString other = m_t + QStringLiteral("/other_0.1.0.deb");
        QVERIFY(makeDeb(QStringLiteral("other"), other));
        r = cairn({QStringLiteral("hosts"), QStringLiteral("install-worker"), QStringLiteral("old"), QStringLiteral("--deb"), other, QStringLiteral("--dry-run")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("not cairn-studio")), qPrintable(r.err));
        QVERIFY(!QFile::exists(remoteDir + QStringLiteral("/other_0.1.0.deb")));
        r = cairn({QStringLiteral("hosts"), QStringLiteral("install-worker"), QStringLiteral("old"), QStringLiteral("--deb"), m_t + QStringLiteral("/known_hosts")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("not a Debian package")), qPrintable(r.err));
        QCOMPARE(cairn({QStringLiteral("hosts"), QStringLiteral("install-worker"), QStringLiteral("local"), QStringLiteral("--deb"), deb}).exitCode, 1);
        QCOMPARE(cairn({QStringLiteral("hosts"), QStringLiteral("install-worker"), QStringLiteral("old")}).exitCode, 2);
    }

    void xgboostJobOnTheHost()
    {
        // Data under a hostile path; a hostile run name and experiment.
        const QString dataDir = m_t + QStringLiteral("/my data; $(touch %1) 'it'").arg(m_marker);
        QVERIFY(QDir().mkpath(dataDir));
        const QString csv = dataDir + QStringLiteral("/titanic \"copy\".csv");
        QVERIFY(QFile::copy(sharedTable(QStringLiteral("titanic.csv")), csv));
        const QString runName = QStringLiteral("run '1'; $(touch %1)").arg(m_marker);
        auto train = [&] {
            return cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), csv,
                          QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"), QStringLiteral("num_round=30"),
                          QStringLiteral("--host"), m_hostName, QStringLiteral("--run-name"), runName, QStringLiteral("--experiment"), QStringLiteral("remote"),
                          QStringLiteral("--cpus"), QStringLiteral("1")});
        };
        ProcessResult r = train();
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("sent ")), qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("validation.auc")));

        Workspace ws(m_ws);
        RunQuery query;
        query.experimentIds = {ws.store().experimentByName(QStringLiteral("remote")).id};
        const QList<Run> runs = ws.store().searchRuns(query);
        QCOMPARE(runs.size(), 1);
        const Run run = runs.first();
        QCOMPARE(run.name, runName);
        QCOMPARE(run.status, RunStatus::Finished);
        QCOMPARE(run.host, m_hostName);
        // Metrics, logs and the model are here, in the local run.
        JobRecord job;
        for (const JobRecord &j : JobRecord::list(m_ws))
            if (j.runUuid == run.uuid)
                job = j;
        QVERIFY(storedSteps(run.uuid, QStringLiteral("validation.auc")).size() >= 30);
        verifyExactlyOnce(job.id, run.uuid, QStringLiteral("validation.auc"));
        QVERIFY(QFileInfo::exists(QDir(ws.artifactDir(run.uuid)).filePath(QStringLiteral("model/model.json"))));
        QCOMPARE(job.runner, QStringLiteral("ssh"));
        const QString log = QString::fromUtf8(readFile(QDir(JobRecord::dirOf(m_ws, job.id)).filePath(QStringLiteral("job.log"))));
        QVERIFY(log.contains(QStringLiteral("round 30/30")) || log.contains(QStringLiteral("status: finished")));
        // The model predicts here.
        const ProcessResult here = cairn({QStringLiteral("predict"), QStringLiteral("--model"), run.uuid, QStringLiteral("--input"), csv});
        QVERIFY2(here.exitCode == 0, qPrintable(here.err));
        // Batch prediction on the host gives the same rows.
        r = cairn({QStringLiteral("predict"), QStringLiteral("--model"), run.uuid, QStringLiteral("--input"), csv, QStringLiteral("--host"), m_hostName});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.out, here.out);

        // The second job reuses the data the host has (sent once).
        r = train();
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("has ")) && r.err.contains(QStringLiteral("already")), qPrintable(r.err));
        QVERIFY(!QFile::exists(m_marker));

        r = cairn({QStringLiteral("jobs"), QStringLiteral("list")});
        QVERIFY(r.out.contains(QStringLiteral("HOST")) && r.out.contains(m_hostName));
    }

    void survivesItsSupervisorThenReattachesAndStops()
    {
        // Long enough to be cut: many rounds on diamonds, one thread.
        QProcess cli;
        cli.setProcessEnvironment(m_env);
        cli.start(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("--workspace"), m_ws, QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"),
                                                   QStringLiteral("--train"), sharedTable(QStringLiteral("diamonds.csv")), QStringLiteral("--target"), QStringLiteral("price"),
                                                   QStringLiteral("--hp"), QStringLiteral("num_round=100000"), QStringLiteral("--hp"), QStringLiteral("max_depth=3"),
                                                   QStringLiteral("--host"), m_hostName, QStringLiteral("--cpus"), QStringLiteral("1"),
                                                   QStringLiteral("--experiment"), QStringLiteral("long")});
        QVERIFY(cli.waitForStarted());
        QString runUuid;
        QString jobId;
        QTRY_VERIFY_WITH_TIMEOUT([&] {
            for (const JobRecord &j : JobRecord::list(m_ws))
                if (j.experiment == QLatin1String("long") && !j.runUuid.isEmpty()) {
                    runUuid = j.runUuid;
                    jobId = j.id;
                }
            return !runUuid.isEmpty() && storedSteps(runUuid, QStringLiteral("validation.rmse")).size() >= 20;
        }(), 120000);

        // Drop the connection that streams the events (through the host's agent or an ssh
        // command): the runner reconnects and goes on.
        m_sshd.dropConnections();
        const int before = storedSteps(runUuid, QStringLiteral("validation.rmse")).size();
        QTRY_VERIFY_WITH_TIMEOUT(storedSteps(runUuid, QStringLiteral("validation.rmse")).size() > before + 20, 60000);

        // Kill the supervising CLI: the worker on the host runs on.
        ::kill(pid_t(cli.processId()), SIGKILL);
        QVERIFY(cli.waitForFinished(10000));
        const QString remoteJob = QFileInfo(m_remote).canonicalFilePath() + QStringLiteral("/jobs/") + jobId;
        const qint64 sizeAtKill = QFileInfo(remoteJob + QStringLiteral("/events.jsonl")).size();
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(remoteJob + QStringLiteral("/events.jsonl")).size() > sizeAtKill + 2000, 60000);
        ProcessResult r = cairn({QStringLiteral("jobs"), QStringLiteral("list")});
        QVERIFY2(r.out.contains(QStringLiteral("(detached)")), qPrintable(r.out));

        // `jobs attach` follows it again and catches up; killed in turn, the job stays detached.
        const int beforeAttach = storedSteps(runUuid, QStringLiteral("validation.rmse")).size();
        QProcess attach;
        attach.setProcessEnvironment(m_env);
        attach.start(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("--workspace"), m_ws, QStringLiteral("jobs"), QStringLiteral("attach"), jobId});
        QVERIFY(attach.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(storedSteps(runUuid, QStringLiteral("validation.rmse")).size() > beforeAttach + 50, 60000);
        ::kill(pid_t(attach.processId()), SIGKILL);
        QVERIFY(attach.waitForFinished(10000));
        r = cairn({QStringLiteral("jobs"), QStringLiteral("list")});
        QVERIFY2(r.out.contains(QStringLiteral("(detached)")), qPrintable(r.out));

        // Stop re-attaches, catches up and stops the worker there (control file, then signals).
        r = cairn({QStringLiteral("jobs"), QStringLiteral("stop"), jobId});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains(QStringLiteral("stopped")), qPrintable(r.out));
        const JobRecord job = JobRecord::load(JobRecord::dirOf(m_ws, jobId));
        QCOMPARE(job.state, JobState::Stopped);
        QVERIFY(QFile::exists(remoteJob + QStringLiteral("/exit_code")));

        // Every point the worker wrote is stored exactly once.
        QVERIFY(remoteSteps(jobId, QStringLiteral("validation.rmse")).second > before + 20);
        verifyExactlyOnce(jobId, runUuid, QStringLiteral("validation.rmse"));
        verifyExactlyOnce(jobId, runUuid, QStringLiteral("train.rmse"));
        // The model so far came back into the run.
        Workspace ws(m_ws);
        QVERIFY(QFileInfo::exists(QDir(ws.artifactDir(runUuid)).filePath(QStringLiteral("model/model.json"))));
        QCOMPARE(ws.store().run(runUuid).status, RunStatus::Killed);
    }
};

QTEST_GUILESS_MAIN(tst_SshHosts)
#include "tst_sshhosts.moc"
