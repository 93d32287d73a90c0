// The stream of a job on an SSH host, against a real sshd on loopback: a job on a warm host runs
// through the host's agent and costs no remote command (counted in sshd's log), and one when the
// agent is gone (which starts it again), killed mid-job, of another protocol, or unreachable
// because the server refuses socket forwarding; hostile arguments reach the script as they are
// through both ways; the end record that
// follows the events on the same stream cannot be mistaken for events, however they look (an
// event line that imitates an end record, a last line cut short); re-attaching from an offset
// gives every line after it once; a job still writing is followed until it ends.
#include "clirunner.h"
#include "loopbacksshd.h"

#include "cairn/remote/host.h"
#include "cairn/remote/hostagent.h"
#include "cairn/remote/remotescript.h"
#include "cairn/remote/sshconnection.h"
#include "cairn/remote/sshrunner.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <csignal>
#include <unistd.h>

using namespace cairn;

namespace {

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// What a runner said while following one job.
struct Followed
{
    QList<QByteArray> lines;
    QByteArray stderrText;
    int exitCode = -2;
    bool crashed = false;
    QString error;
    bool done = false;
};

} // namespace

class tst_SshStream : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_t;
    QString m_remote; ///< the host's work folder (this machine's, through sshd)
    LoopbackSshd m_sshd;
    QProcessEnvironment m_env;
    remote::Host m_host;

    /// A job folder on the host as a worker leaves it, and the local job folder that points at it.
    QString makeJob(const QString &name, const QByteArray &events, qint64 pid)
    {
        const QString remoteDir = m_remote + QStringLiteral("/jobs/") + name;
        const QString localDir = m_t + QStringLiteral("/local/") + name;
        if (!QDir().mkpath(remoteDir + QStringLiteral("/output/model")) || !QDir().mkpath(localDir)
            || !writeFile(remoteDir + QStringLiteral("/events.jsonl"), events))
            return {};
        const QJsonObject state{{QStringLiteral("host"), m_host.toJson()},
                                {QStringLiteral("remoteDir"), remoteDir},
                                {QStringLiteral("localOutput"), localDir + QStringLiteral("/output")},
                                {QStringLiteral("pid"), pid},
                                {QStringLiteral("gpus"), QStringLiteral("-")}};
        return writeFile(localDir + QStringLiteral("/remote.json"), QJsonDocument(state).toJson()) ? localDir : QString();
    }

    /// Attaches a runner to the job in `localDir` from `offset` and follows it to its end.
    void follow(const QString &localDir, qint64 offset, Followed &f, qint64 *endOffset = nullptr)
    {
        remote::SshRunner runner(m_host);
        connect(&runner, &Runner::stdoutLine, this, [&f](const QByteArray &line) { f.lines << line; });
        connect(&runner, &Runner::stderrText, this, [&f](const QByteArray &text) { f.stderrText += text; });
        connect(&runner, &Runner::finished, this, [&f](int code, bool crashed, const QString &error) {
            f.exitCode = code;
            f.crashed = crashed;
            f.error = error;
            f.done = true;
        });
        runner.attach(localDir, offset);
        QTRY_VERIFY_WITH_TIMEOUT(f.done, 60000);
        if (endOffset)
            *endOffset = runner.eventOffset();
    }

    /// Lines the runner reports about itself (JSON log events naming the host) left out.
    static QList<QByteArray> workerLines(const QList<QByteArray> &lines)
    {
        QList<QByteArray> out;
        for (const QByteArray &l : lines)
            if (!l.contains("host '"))
                out << l;
        return out;
    }

    int sessionsInLog(const QString &dir = {}) const
    {
        return int(readFile((dir.isEmpty() ? m_t : dir) + QStringLiteral("/sshd.log")).count("Starting session: command"));
    }

    ProcessResult train(const QString &host, const QString &rounds = QStringLiteral("3"))
    {
        return runProgram(QStringLiteral(CAIRN_CLI_PATH),
                          {QStringLiteral("--workspace"), m_t + QStringLiteral("/ws"), QStringLiteral("train"), QStringLiteral("-a"),
                           QStringLiteral("xgboost"), QStringLiteral("--train"), sharedTable(QStringLiteral("titanic.csv")),
                           QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"), QStringLiteral("num_round=") + rounds,
                           QStringLiteral("--cpus"), QStringLiteral("1"), QStringLiteral("--host"), host},
                          m_env, 180000);
    }

    /// The metric points stored for run `uuid`, and how many (key, step) pairs are there twice.
    static QPair<int, int> storedPoints(const QString &database, const QString &uuid)
    {
        sqlite3 *db = nullptr;
        QPair<int, int> out{-1, -1};
        if (sqlite3_open_v2(QFile::encodeName(database).constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
            sqlite3_stmt *st = nullptr;
            sqlite3_prepare_v2(db, "SELECT count(*), count(*) - count(DISTINCT m.key_id || ':' || m.step) FROM metrics m "
                                   "JOIN runs r ON r.id = m.run_id WHERE r.uuid = ?1", -1, &st, nullptr);
            const QByteArray u = uuid.toUtf8();
            sqlite3_bind_text(st, 1, u.constData(), int(u.size()), SQLITE_TRANSIENT);
            if (sqlite3_step(st) == SQLITE_ROW)
                out = {sqlite3_column_int(st, 0), sqlite3_column_int(st, 1)};
            sqlite3_finalize(st);
        }
        sqlite3_close(db);
        return out;
    }

    /// The host's agent (the same machine here): its socket, and its process id when it runs.
    static QString agentSocket(const remote::Host &host)
    {
        return QStringLiteral("/tmp/cairn-agent-%1/%2.sock").arg(::getuid()).arg(remote::hostAgentName(host));
    }
    static qint64 agentPid(const remote::Host &host)
    {
        const qint64 pid = readFile(agentSocket(host).chopped(5) + QStringLiteral(".pid")).trimmed().toLongLong();
        return pid > 0 && readFile(QStringLiteral("/proc/%1/cmdline").arg(pid)).contains(QByteArray("\0agent\0", 7)) ? pid : 0;
    }
    /// Until the agent runs and the local end of its forward is there (both come from the first
    /// command that reached the host without it).
    static bool agentReady(const remote::Host &host)
    {
        return agentPid(host) > 0 && QFileInfo::exists(agentSocket(host))
            && QFileInfo::exists(remote::SshConnection::controlDir() + QLatin1Char('/') + remote::hostAgentName(host) + QStringLiteral(".sock"));
    }

    /// A job on the loopback host when its agent does not run yet (a test run on its own).
    void ensureAgent()
    {
        if (!agentReady(m_host)) {
            const ProcessResult r = train(QStringLiteral("loop"));
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        }
        QTRY_VERIFY_WITH_TIMEOUT(agentReady(m_host), 30000);
    }

    /// Runs `script` with `args` on `host` through RemoteScript: its stdout, exit code and which way.
    struct Ran
    {
        QByteArray out, err;
        int exitCode = -2;
        bool viaAgent = false;
        QString error;
    };
    Ran runScript(const remote::Host &host, const QString &script, const QStringList &args)
    {
        Ran r;
        bool done = false;
        remote::RemoteScript s(host, script, args);
        connect(&s, &remote::RemoteScript::output, this, [&r](const QByteArray &b) { r.out += b; });
        connect(&s, &remote::RemoteScript::finished, this, [&](int code, const QByteArray &err) {
            r.exitCode = code;
            r.err = err;
            done = true;
        });
        connect(&s, &remote::RemoteScript::failedToStart, this, [&](const QString &e) {
            r.error = e;
            done = true;
        });
        s.start();
        if (!QTest::qWaitFor([&] { return done; }, 60000))
            r.error = QStringLiteral("no answer within 60 s");
        r.viaAgent = s.viaAgent();
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!LoopbackSshd::available() || QStandardPaths::findExecutable(QStringLiteral("rsync")).isEmpty())
            QSKIP("openssh-server and rsync are not installed (scripts/setup installs them)");
        m_t = m_dir.path();
        m_remote = m_t + QStringLiteral("/remote");
        QString error;
        QVERIFY2(m_sshd.start(m_t, QFileInfo(QStringLiteral(CAIRN_CLI_PATH)).absolutePath(), &error), qPrintable(error));
        QVERIFY(writeFile(m_t + QStringLiteral("/known_hosts"), {}));
        m_env = isolatedCliEnvironment(m_t);
        shareIsolatedEnvironment(m_env);
        error = addLoopbackHost(QStringLiteral(CAIRN_CLI_PATH), m_sshd, QStringLiteral("loop"), m_remote, m_env);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_host = remote::HostStore(m_env.value(QStringLiteral("CAIRN_HOSTS_FILE"))).host(QStringLiteral("loop"));
        QVERIFY(QDir().mkpath(m_remote + QStringLiteral("/jobs")));
        m_remote = QFileInfo(m_remote).canonicalFilePath();
    }

    void cleanupTestCase()
    {
        remote::SshConnection(m_host).closeMaster();
        m_sshd.stop();
    }

    void warmJobRunsThroughTheAgent()
    {
        // The first job sends the data (rsync, then the launch); its first command also starts
        // the host's agent and forwards a local socket to it.
        ProcessResult r = train(QStringLiteral("loop"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("sent ")), qPrintable(r.err));
        QTRY_VERIFY_WITH_TIMEOUT(agentReady(m_host), 30000);
        // The next one: prepared, launched, followed and ended through the agent, with no remote
        // command at all (no login shell on the host).
        const int before = sessionsInLog();
        r = train(QStringLiteral("loop"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("already")), qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("validation.auc")));
        QCOMPARE(sessionsInLog() - before, 0);
    }

    void scriptsGoThroughTheAgent()
    {
        // The other remote scripts (probe, load samples, kernels, the cache) reach a warm host
        // through its agent too: no login shell; the same exit code, stdout and stderr; a timeout
        // said as one; without the agent they are an ssh command again.
        ensureAgent();
        if (QTest::currentTestFailed())
            return;
        const QString script = QStringLiteral("printf '%s|' \"$@\"; echo warn >&2; exit 3");
        const QStringList args{QStringLiteral("a b"), QStringLiteral("$(touch x); 'q'")};
        int before = sessionsInLog();
        const remote::SshConnection ssh(m_host);
        remote::SshConnection::Result r = ssh.runScript(script, args, 30000);
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.out, QByteArray("a b|$(touch x); 'q'|"));
        QCOMPARE(r.err, QByteArray("warn\n"));
        const ProcessResult probe = runProgram(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("hosts"), QStringLiteral("probe"), QStringLiteral("loop")}, m_env, 60000);
        QVERIFY2(probe.exitCode == 0, qPrintable(probe.err));
        QCOMPARE(sessionsInLog() - before, 0);
        try {
            ssh.runScript(QStringLiteral("sleep 30"), {}, 1000);
            QFAIL("a script past its time limit must fail");
        } catch (const remote::SshError &e) {
            QCOMPARE(e.reason(), remote::SshError::Reason::Timeout);
        }
        const qint64 agent = agentPid(m_host);
        QCOMPARE(::kill(pid_t(agent), SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(agentPid(m_host) == 0, 10000);
        before = sessionsInLog();
        r = ssh.runScript(script, args, 30000);
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.out, QByteArray("a b|$(touch x); 'q'|"));
        QCOMPARE(sessionsInLog() - before, 1);
    }

    void goneAgentIsStartedAgain()
    {
        // Without its agent a warm job is one remote command, which starts the agent again.
        ensureAgent();
        if (QTest::currentTestFailed())
            return;
        const qint64 old = agentPid(m_host);
        QCOMPARE(::kill(pid_t(old), SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(agentPid(m_host) == 0, 10000);
        int before = sessionsInLog();
        ProcessResult r = train(QStringLiteral("loop"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(sessionsInLog() - before, 1);
        QTRY_VERIFY_WITH_TIMEOUT(agentReady(m_host) && agentPid(m_host) != old, 30000);
        before = sessionsInLog();
        r = train(QStringLiteral("loop"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(sessionsInLog() - before, 0);
    }

    void agentKilledMidJob()
    {
        // The agent owns no job: killed while it streams one, the worker runs on (detached), the
        // runner follows it again (one ssh command, which starts the agent again) and every event
        // arrives once.
        ensureAgent();
        if (QTest::currentTestFailed())
            return;
        const qint64 agent = agentPid(m_host);
        const QStringList before = QDir(m_remote + QStringLiteral("/jobs")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QProcess cli;
        cli.setProcessEnvironment(m_env);
        cli.start(QStringLiteral(CAIRN_CLI_PATH),
                  {QStringLiteral("--workspace"), m_t + QStringLiteral("/ws"), QStringLiteral("train"), QStringLiteral("-a"), QStringLiteral("xgboost"),
                   QStringLiteral("--train"), sharedTable(QStringLiteral("titanic.csv")), QStringLiteral("--target"), QStringLiteral("survived"),
                   QStringLiteral("--hp"), QStringLiteral("num_round=300"), QStringLiteral("--cpus"), QStringLiteral("1"), QStringLiteral("--host"),
                   QStringLiteral("loop")});
        QVERIFY(cli.waitForStarted());
        // Killed once the worker writes events.
        QString events;
        QVERIFY(QTest::qWaitFor([&] {
            for (const QFileInfo &job : QDir(m_remote + QStringLiteral("/jobs")).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot)) {
                const QFileInfo f(job.filePath() + QStringLiteral("/events.jsonl"));
                if (!before.contains(job.fileName()) && f.exists() && f.size() > 2000 && !QFileInfo::exists(job.filePath() + QStringLiteral("/exit_code")))
                    events = f.filePath();
            }
            return !events.isEmpty() || cli.state() == QProcess::NotRunning;
        }, 60000));
        QVERIFY2(!events.isEmpty(), "the job ended before the agent could be killed");
        QCOMPARE(::kill(pid_t(agent), SIGKILL), 0);
        const bool ended = cli.waitForFinished(60000);
        const QString err = QString::fromUtf8(cli.readAllStandardError());
        QVERIFY2(ended, qPrintable(err));
        QVERIFY2(cli.exitStatus() == QProcess::NormalExit && cli.exitCode() == 0, qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("lost the connection to host 'loop'")), qPrintable(err));
        // Each of the worker's metric lines stored once: as many points as the events file has.
        const QByteArray lines = readFile(events);
        const int metrics = int(lines.count("\"type\":\"metric\""));
        QVERIFY(metrics > 0);
        const QString out = QString::fromUtf8(cli.readAllStandardOutput());
        const QString run = out.section(QStringLiteral("run "), 1).section(QLatin1Char(':'), 0, 0).trimmed();
        QVERIFY2(!run.isEmpty(), qPrintable(out));
        const auto [points, twice] = storedPoints(m_t + QStringLiteral("/ws/cairn.db"), run);
        QCOMPARE(twice, 0);
        QCOMPARE(points, metrics);
        QTRY_VERIFY_WITH_TIMEOUT(agentPid(m_host) > 0 && agentPid(m_host) != agent, 30000);
    }

    void agentOfAnotherProtocolIsNotUsed()
    {
        // Something else on the agent's socket that speaks another protocol: the script runs as
        // an ssh command and nothing is sent to it. Hostile arguments reach the script as they
        // are both ways (no shell line is made of them).
        ensureAgent();
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(::kill(pid_t(agentPid(m_host)), SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(agentPid(m_host) == 0, 10000);
        QLocalServer::removeServer(agentSocket(m_host));
        QLocalServer other;
        QVERIFY(other.listen(agentSocket(m_host)));
        QByteArray received;
        int connections = 0;
        QList<QLocalSocket *> peers;
        connect(&other, &QLocalServer::newConnection, this, [&] {
            while (QLocalSocket *c = other.nextPendingConnection()) {
                ++connections;
                peers << c;
                c->write("cairn-agent 999\n");
                connect(c, &QLocalSocket::readyRead, this, [&received, c] { received += c->readAll(); });
            }
        });
        const QString pwned = m_t + QStringLiteral("/pwned");
        const QStringList hostile{QStringLiteral("a b"), QStringLiteral("it's"), QStringLiteral("\"q\""), QStringLiteral("; touch ") + pwned,
                                  QStringLiteral("$(touch ") + pwned + QLatin1Char(')'), QStringLiteral("`touch ") + pwned + QLatin1Char('`'),
                                  QStringLiteral("new\nline"), QString(), QStringLiteral("*"), QStringLiteral("agent-exit 0 0")};
        QByteArray expected;
        for (const QString &a : hostile)
            expected += '[' + a.toUtf8() + "]\n";
        const QString script = QStringLiteral("for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done; echo oops >&2; exit 3");
        Ran r = runScript(m_host, script, hostile);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QVERIFY(!r.viaAgent);
        QCOMPARE(r.out, expected);
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.err.trimmed(), QByteArray("oops"));
        QVERIFY(connections >= 1);
        QCOMPARE(received, QByteArray());
        qDeleteAll(peers);
        other.close();

        // The command started the agent, which found the socket taken and ended; with it free,
        // the next command starts one that stays, and the one after runs through it.
        r = runScript(m_host, script, hostile);
        QCOMPARE(r.out, expected);
        QTRY_VERIFY_WITH_TIMEOUT(agentReady(m_host), 30000);
        r = runScript(m_host, script, hostile);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QVERIFY(r.viaAgent);
        QCOMPARE(r.out, expected);
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.err.trimmed(), QByteArray("oops"));
        QVERIFY(!QFileInfo::exists(pwned));
    }

    void noSocketForwardingFallsBack()
    {
        // A server that refuses socket forwarding: every job is one ssh command, and works.
        const QString dir = m_t + QStringLiteral("/nofwd");
        QVERIFY(QDir().mkpath(dir));
        LoopbackSshd sshd;
        QString error;
        QVERIFY2(sshd.start(dir, QFileInfo(QStringLiteral(CAIRN_CLI_PATH)).absolutePath(), &error, QStringLiteral("AllowStreamLocalForwarding no\n")),
                 qPrintable(error));
        QVERIFY(writeFile(sshd.knownHosts(), {}));
        error = addLoopbackHost(QStringLiteral(CAIRN_CLI_PATH), sshd, QStringLiteral("nofwd"), m_remote, m_env);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const remote::Host host = remote::HostStore(m_env.value(QStringLiteral("CAIRN_HOSTS_FILE"))).host(QStringLiteral("nofwd"));
        ProcessResult r = train(QStringLiteral("nofwd"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // The agent runs and the forward is set up, but the server refuses each channel to it.
        QTRY_VERIFY_WITH_TIMEOUT(agentReady(host), 30000);
        const qint64 agent = agentPid(host);
        const int before = sessionsInLog(dir);
        r = train(QStringLiteral("nofwd"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("validation.auc")));
        QCOMPARE(sessionsInLog(dir) - before, 1);
        QCOMPARE(agentPid(host), agent); // not started again for each command
        remote::SshConnection(host).closeMaster();
        sshd.stop();
    }

    void agentAloneRefusesAnOpenFolderAndEndsWhenIdle()
    {
        // `cairn agent` as a host runs it, spoken to directly: a socket folder others can enter
        // is refused; a script longer than the idle time keeps it up, and once idle it ends by
        // itself, removing its socket and pid file.
        const QString open = m_t + QStringLiteral("/agent-open");
        QVERIFY(QDir().mkpath(open));
        QVERIFY(QFile::setPermissions(open, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadOther | QFile::ExeOther));
        const ProcessResult refused = runProgram(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("agent"), QStringLiteral("--socket"),
                                                 open + QStringLiteral("/a.sock"), QStringLiteral("--idle-exit"), QStringLiteral("1")}, m_env, 30000);
        QVERIFY(refused.exitCode != 0);
        QVERIFY2(refused.err.contains(QStringLiteral("0700")), qPrintable(refused.err));

        const QString dir = m_t + QStringLiteral("/agent-own");
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        const QString socketPath = dir + QStringLiteral("/a.sock");
        QProcess agent;
        agent.start(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("agent"), QStringLiteral("--socket"), socketPath, QStringLiteral("--idle-exit"), QStringLiteral("2")});
        QVERIFY(agent.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(dir + QStringLiteral("/a.pid")), 20000);
        QLocalSocket client;
        client.connectToServer(socketPath);
        QVERIFY(client.waitForConnected(10000));
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += client.readAll()).contains('\n'), 10000);
        QCOMPARE(got, QByteArray("cairn-agent ") + QByteArray::number(remote::kAgentProtocol) + '\n');
        const QByteArray request = QByteArray("sh") + '\0' + "tok-1" + '\0' + "sleep 3; echo done; echo warn >&2; exit 4";
        client.write(QByteArray::number(request.size()) + '\n' + request);
        got.clear();
        QTRY_VERIFY_WITH_TIMEOUT((got += client.readAll()).endsWith("warn\n") || client.state() != QLocalSocket::ConnectedState, 30000);
        got += client.readAll();
        // Up for the whole script although it took longer than the idle time.
        QCOMPARE(got, QByteArray("done\ntok-1 agent-exit 4 5\nwarn\n"));
        QVERIFY(agent.waitForFinished(30000));
        QCOMPARE(agent.exitCode(), 0);
        QVERIFY(!QFileInfo::exists(socketPath));
        QVERIFY(!QFileInfo::exists(dir + QStringLiteral("/a.pid")));
    }

    void agentRunsTheJobScriptItself()
    {
        // A job request (kind "job") that the agent does itself: it starts the worker in a session
        // of its own, streams its events, sees it end, and sends the end record the script would,
        // with the exit code, the stderr and the output folder as a tar; the script sent along
        // ("exit 99") does not run. Follow mode gives the same stream again; a folder that is gone
        // says so.
        const QString dir = m_t + QStringLiteral("/agent-job");
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        const QString worker = m_t + QStringLiteral("/fake worker.sh");
        QVERIFY(writeFile(worker, "#!/bin/sh\n"
                                  "[ \"$1 $2 $3\" = \"worker --spec spec.json\" ] || exit 9\n"
                                  "printf '{\"type\":\"log\",\"message\":\"%s\"}\\n' \"$(cat spec.json)\" >> events.jsonl\n"
                                  "sleep 0.3\n"
                                  "echo oops >&2\n"
                                  "mkdir -p output/model && echo m > output/model/weights.txt\n"
                                  "exit 5\n"));
        QVERIFY(QFile::setPermissions(worker, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        const QString socketPath = dir + QStringLiteral("/a.sock");
        QProcess agent;
        agent.start(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("agent"), QStringLiteral("--socket"), socketPath, QStringLiteral("--idle-exit"), QStringLiteral("60")});
        QVERIFY(agent.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(dir + QStringLiteral("/a.pid")), 20000);
        auto ask = [&](const QList<QByteArray> &fields) {
            QLocalSocket client;
            client.connectToServer(socketPath);
            if (!client.waitForConnected(10000))
                return QByteArray("no connection");
            QByteArray request = "job";
            for (const QByteArray &f : fields)
                request += '\0' + f;
            QByteArray got;
            while (!got.contains('\n') && client.waitForReadyRead(10000))
                got += client.readAll();
            client.write(QByteArray::number(request.size()) + '\n' + request);
            while (client.state() == QLocalSocket::ConnectedState && client.waitForReadyRead(20000))
                got += client.readAll();
            return got + client.readAll();
        };
        const QString jobDir = m_t + QStringLiteral("/agent job's $(folder)");
        const QByteArray launched = ask({"tok-2", "exit 99", "launch", "TOKEN", jobDir.toUtf8(), worker.toUtf8(), "-", "{\"id\":\"j\"}",
                                         (m_t + QStringLiteral("/cache")).toUtf8()});
        const QRegularExpression expected(QStringLiteral("^cairn-agent \\d+\nlaunched=(\\d+)\nTOKEN events\n"
                                                         "\\{\"type\":\"log\",\"message\":\"\\{\"id\":\"j\"\\}\"\\}\n"
                                                         "TOKEN end\nsize=(\\d+)\nexit=5\noutput=yes\ntar=(\\d+)\nstderr=5\noops\n"));
        const QRegularExpressionMatch m = expected.match(QString::fromLatin1(launched));
        QVERIFY2(m.hasMatch(), launched.constData());
        const qint64 pid = m.captured(1).toLongLong();
        const qint64 tarBytes = m.captured(3).toLongLong();
        QCOMPARE(m.captured(2).toLongLong(), QFileInfo(jobDir + QStringLiteral("/events.jsonl")).size());
        QVERIFY(launched.endsWith("tok-2 agent-exit 0 0\n"));
        const QByteArray tar = launched.mid(m.capturedEnd(0), tarBytes);
        QCOMPARE(tar.size(), tarBytes);
        QVERIFY(tar.contains("model/weights.txt"));
        QCOMPARE(readFile(jobDir + QStringLiteral("/pid")).trimmed(), QByteArray::number(pid));
        QCOMPARE(readFile(jobDir + QStringLiteral("/exit_code")), QByteArray("5\n"));
        // The agent reaps what it started: no zombie is left behind.
        QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 10000);

        const QByteArray followed = ask({"tok-3", "exit 99", "follow", "TOKEN", jobDir.toUtf8(), "1", QByteArray::number(pid)});
        QVERIFY2(followed.contains(launched.mid(launched.indexOf("TOKEN events"), m.capturedEnd(0) - launched.indexOf("TOKEN events"))),
                 followed.constData());
        const QByteArray gone = ask({"tok-4", "exit 99", "follow", "TOKEN", (m_t + QStringLiteral("/no such job")).toUtf8(), "1", "1"});
        QVERIFY2(gone.endsWith("TOKEN end\ngone\ntok-4 agent-exit 0 0\n"), gone.constData());
        // A start it cannot do alone (a work folder not seen before) goes to the script.
        const QByteArray slow = ask({"tok-5", "echo by the script", "start", "TOKEN", (m_t + QStringLiteral("/wd")).toUtf8(), worker.toUtf8(),
                                     "job1", "-", "-", "-"});
        QVERIFY2(slow.endsWith("by the script\ntok-5 agent-exit 0 0\n"), slow.constData());
        agent.terminate();
        QVERIFY(agent.waitForFinished(20000));
    }

    void endRecordCannotBeMistakenForEvents()
    {
        // Events that imitate the protocol: an end marker of another stream, header lines, and a
        // last line cut short (the worker was killed mid-write).
        const QByteArray events = "{\"type\":\"log\",\"message\":\"first\"}\n"
                                  "cairn-0123456789abcdef end\n"
                                  "size=0\nexit=7\nstderr=3\n"
                                  "{\"type\":\"log\",\"message\":\"cairn-feed events\\n\"}\r\n"
                                  "{\"type\":\"log\",\"message\":\"cut sh";
        const QString local = makeJob(QStringLiteral("framed"), events, 0);
        QVERIFY(!local.isEmpty());
        const QString remoteDir = m_remote + QStringLiteral("/jobs/framed");
        QVERIFY(writeFile(remoteDir + QStringLiteral("/exit_code"), "3\n"));
        QVERIFY(writeFile(remoteDir + QStringLiteral("/worker.err"), "boom\n"));
        QVERIFY(writeFile(remoteDir + QStringLiteral("/output/model/weights.txt"), "w1 w2\n"));

        qint64 end = 0;
        Followed f;
        follow(local, 0, f, &end);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(f.error.isEmpty(), qPrintable(f.error));
        const QList<QByteArray> expected{"{\"type\":\"log\",\"message\":\"first\"}", "cairn-0123456789abcdef end", "size=0", "exit=7", "stderr=3",
                                         "{\"type\":\"log\",\"message\":\"cairn-feed events\\n\"}", "{\"type\":\"log\",\"message\":\"cut sh"};
        QCOMPARE(workerLines(f.lines), expected);
        QCOMPARE(end, qint64(events.size()));
        QCOMPARE(f.exitCode, 3);
        QVERIFY(!f.crashed);
        QCOMPARE(f.stderrText, QByteArray("boom\n"));
        QCOMPARE(readFile(local + QStringLiteral("/output/model/weights.txt")), QByteArray("w1 w2\n"));

        // From an offset (as after a restart that had committed the first line): the rest, once.
        const qint64 first = events.indexOf('\n') + 1;
        Followed again;
        follow(local, first, again);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(workerLines(again.lines), expected.mid(1));
        QCOMPARE(again.exitCode, 3);
    }

    void followsAJobUntilItEnds()
    {
        // A writer still running when the runner attaches: every line arrives once, in order,
        // and the end comes when its exit code is written.
        const QString local = makeJob(QStringLiteral("live"), {}, 0);
        QVERIFY(!local.isEmpty());
        const QString remoteDir = m_remote + QStringLiteral("/jobs/live");
        QProcess writer;
        writer.setWorkingDirectory(remoteDir);
        writer.start(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("i=0; while [ $i -lt 300 ]; do i=$((i + 1)); "
                                                                                 "echo \"{\\\"step\\\":$i}\" >> events.jsonl; "
                                                                                 "[ $((i % 50)) = 0 ] && sleep 0.2; done; "
                                                                                 "echo 0 > exit_code.tmp; mv exit_code.tmp exit_code")});
        QVERIFY(writer.waitForStarted());
        QJsonObject state = QJsonDocument::fromJson(readFile(local + QStringLiteral("/remote.json"))).object();
        state.insert(QStringLiteral("pid"), qint64(writer.processId()));
        QVERIFY(writeFile(local + QStringLiteral("/remote.json"), QJsonDocument(state).toJson()));
        Followed f;
        follow(local, 0, f);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(writer.state() == QProcess::NotRunning || writer.waitForFinished(30000));
        QVERIFY2(f.error.isEmpty(), qPrintable(f.error));
        const QList<QByteArray> lines = workerLines(f.lines);
        QCOMPARE(lines.size(), 300);
        for (int i = 0; i < lines.size(); ++i)
            QCOMPARE(lines.at(i), QStringLiteral("{\"step\":%1}").arg(i + 1).toUtf8());
        QCOMPARE(f.exitCode, 0);
        QVERIFY(!f.crashed);
    }

    void goneJobFolderIsSaid()
    {
        const QString local = makeJob(QStringLiteral("gone"), "{}\n", 0);
        QVERIFY(!local.isEmpty());
        QVERIFY(QDir(m_remote + QStringLiteral("/jobs/gone")).removeRecursively());
        Followed f;
        follow(local, 0, f);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(f.error.contains(QStringLiteral("is gone from host 'loop'")), qPrintable(f.error));
        QVERIFY(f.crashed);
    }
};

QTEST_GUILESS_MAIN(tst_SshStream)
#include "tst_sshstream.moc"
