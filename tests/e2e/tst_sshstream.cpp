// The stream of a job on an SSH host, against a real sshd on loopback: a job on a host whose cache
// already has the data costs one remote command (counted in sshd's log); the end record that
// follows the events on the same stream cannot be mistaken for events, however they look (an
// event line that imitates an end record, a last line cut short); re-attaching from an offset
// gives every line after it once; a job still writing is followed until it ends.
#include "clirunner.h"
#include "loopbacksshd.h"

#include "cairn/remote/host.h"
#include "cairn/remote/sshconnection.h"
#include "cairn/remote/sshrunner.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

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

    int sessionsInLog() const
    {
        return int(readFile(m_t + QStringLiteral("/sshd.log")).count("Starting session: command"));
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
        error = addLoopbackHost(QStringLiteral(CAIRN_CLI_PATH), m_sshd, QStringLiteral("loop"), m_remote, m_t + QStringLiteral("/known_hosts"), m_env);
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

    void warmJobIsOneRemoteCommand()
    {
        const QString ws = m_t + QStringLiteral("/ws");
        const QString data = sharedTable(QStringLiteral("titanic.csv"));
        auto train = [&] {
            return runProgram(QStringLiteral(CAIRN_CLI_PATH),
                              {QStringLiteral("--workspace"), ws, QStringLiteral("train"), QStringLiteral("-a"), QStringLiteral("xgboost"),
                               QStringLiteral("--train"), data, QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"),
                               QStringLiteral("num_round=3"), QStringLiteral("--cpus"), QStringLiteral("1"), QStringLiteral("--host"),
                               QStringLiteral("loop")},
                              m_env, 180000);
        };
        // The first job sends the data (rsync, then a command that launches and follows).
        ProcessResult r = train();
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("sent ")), qPrintable(r.err));
        // The next one: prepared, launched, followed and ended by one command.
        const int before = sessionsInLog();
        r = train();
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("already")), qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("validation.auc")));
        QCOMPARE(sessionsInLog() - before, 1);
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
