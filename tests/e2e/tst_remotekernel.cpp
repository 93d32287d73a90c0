// Notebook kernels on an SSH host (issue 15 item 5), against a real sshd on loopback and a real
// ipykernel: execute, interrupt, a killed tunnel reconnected with variables kept, a kernel that
// is gone said so, shutdown, and the CLI (kernels list --host, notebook run --host).
#include "clirunner.h"
#include "loopbacksshd.h"

#include "cairn/remote/host.h"
#include "cairn/remote/remotekernel.h"
#include "cairn/remote/sshconnection.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>

#include <csignal>
#include <pwd.h>
#include <unistd.h>

using namespace cairn;
using cairn::remote::Host;
using cairn::remote::RemoteKernel;

namespace {

/// What one execute request produced: its reply status, text results and streams, error name.
struct Outcome
{
    QString status;
    QString result;
    QString stream;
    QString ename;
};

/// Sends code and waits for its reply and for the kernel to be idle again.
Outcome runCode(KernelClient *client, const QString &code, int timeoutMs = 30000, std::function<void()> onStarted = {})
{
    Outcome o;
    bool idle = false;
    bool started = false;
    QString id;
    QMetaObject::Connection c1 = QObject::connect(client, &KernelClient::iopubMessage, [&](const KernelMessage &m) {
        if (m.parentId() != id)
            return;
        if (m.type() == QLatin1String("execute_input") && !started) {
            started = true;
            if (onStarted)
                onStarted();
        } else if (m.type() == QLatin1String("execute_result")) {
            o.result = m.content.value(QLatin1String("data")).toObject().value(QLatin1String("text/plain")).toString();
        } else if (m.type() == QLatin1String("stream")) {
            o.stream += m.content.value(QLatin1String("text")).toString();
        } else if (m.type() == QLatin1String("status") && m.content.value(QLatin1String("execution_state")).toString() == QLatin1String("idle")) {
            idle = true;
        }
    });
    QMetaObject::Connection c2 = QObject::connect(client, &KernelClient::shellReply, [&](const KernelMessage &m) {
        if (m.parentId() != id)
            return;
        o.status = m.content.value(QLatin1String("status")).toString();
        o.ename = m.content.value(QLatin1String("ename")).toString();
    });
    id = client->execute(code);
    (void)QTest::qWaitFor([&] { return idle && !o.status.isEmpty(); }, timeoutMs);
    QObject::disconnect(c1);
    QObject::disconnect(c2);
    return o;
}

bool processRuns(qint64 pid)
{
    return pid > 0 && ::kill(pid_t(pid), 0) == 0;
}

} // namespace

class tst_RemoteKernel : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_t;
    LoopbackSshd m_sshd;
    Host m_host;
    QProcessEnvironment m_env;

    std::unique_ptr<RemoteKernel> startKernel()
    {
        auto kernel = std::make_unique<RemoteKernel>(m_host);
        kernel->client()->setHeartbeat(300, 5);
        kernel->start();
        if (!kernel->client()->waitForReady(60000))
            return {};
        return kernel;
    }

    /// The pid of the shared connection's master (ssh -O check).
    qint64 masterPid() const
    {
        QProcess p;
        p.start(remote::SshConnection::program(), remote::SshConnection(m_host).controlArguments(QStringLiteral("check")));
        p.waitForFinished(10000);
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("pid=(\\d+)")).match(QString::fromUtf8(p.readAllStandardError()));
        return m.hasMatch() ? m.captured(1).toLongLong() : 0;
    }

    ProcessResult cairn(const QStringList &args)
    {
        return runProgram(QStringLiteral(CAIRN_CLI_PATH), QStringList{QStringLiteral("--workspace"), m_t + QStringLiteral("/ws")} + args, m_env, 120000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!LoopbackSshd::available())
            QSKIP("openssh-server is not installed (scripts/setup installs it)");
        if (QProcess::execute(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), QStringLiteral("import ipykernel")}) != 0)
            QSKIP("python3-ipykernel is not installed (scripts/setup installs it)");
        m_t = m_dir.path();
        QString error;
        QVERIFY2(m_sshd.start(m_t, QFileInfo(QStringLiteral(CAIRN_CLI_PATH)).absolutePath(), &error), qPrintable(error));
        QFile pub(m_sshd.hostKeyPub());
        QVERIFY(pub.open(QIODevice::ReadOnly));
        QFile known(m_t + QStringLiteral("/known_hosts"));
        QVERIFY(known.open(QIODevice::WriteOnly));
        known.write(QStringLiteral("[127.0.0.1]:%1 ").arg(m_sshd.port()).toUtf8() + pub.readAll().trimmed().split(' ').mid(0, 2).join(' ') + "\n");
        known.close();

        m_host.name = QStringLiteral("gpu1");
        m_host.hostname = QStringLiteral("127.0.0.1");
        m_host.port = m_sshd.port();
        m_host.user = QString::fromLocal8Bit(::getpwuid(::getuid())->pw_name);
        m_host.identityFile = m_sshd.userKey();
        m_host.knownHostsFile = m_t + QStringLiteral("/known_hosts");
        m_host.sshConfigFile = QStringLiteral("/dev/null");
        m_host.workDir = m_t + QStringLiteral("/remote work");

        m_env = isolatedCliEnvironment(m_t);
    }

    void cleanupTestCase()
    {
        remote::SshConnection(m_host).closeMaster();
        m_sshd.stop();
    }

    void executeAndInterrupt()
    {
        auto kernel = startKernel();
        QVERIFY(kernel);
        // The kernel listens on the host's ports; the client on other, forwarded ones.
        QVERIFY(kernel->client()->connectionInfo().shellPort != kernel->remoteConnectionInfo().shellPort);
        QVERIFY(processRuns(kernel->remotePid()));
        Outcome o = runCode(kernel->client(), QStringLiteral("1+1"));
        QCOMPARE(o.status, QStringLiteral("ok"));
        QCOMPARE(o.result, QStringLiteral("2"));

        QElapsedTimer clock;
        clock.start();
        o = runCode(kernel->client(), QStringLiteral("import time\ntime.sleep(30)"), 25000, [&] {
            QTimer::singleShot(300, kernel.get(), [&] { kernel->interrupt(); });
        });
        QCOMPARE(o.status, QStringLiteral("error"));
        QCOMPARE(o.ename, QStringLiteral("KeyboardInterrupt"));
        QVERIFY2(clock.elapsed() < 25000, "the interrupt did not stop the cell");
        o = runCode(kernel->client(), QStringLiteral("print('still here')"));
        QCOMPARE(o.stream, QStringLiteral("still here\n"));

        const qint64 pid = kernel->remotePid();
        const QString folder = QFileInfo(kernel->remoteConnectionFile()).absolutePath();
        QVERIFY(QFileInfo::exists(kernel->remoteConnectionFile()));
        kernel->shutdown();
        QTRY_VERIFY_WITH_TIMEOUT(!processRuns(pid), 10000);
        QVERIFY(!QFileInfo::exists(folder));
    }

    void survivesKilledTunnel()
    {
        auto kernel = startKernel();
        QVERIFY(kernel);
        QCOMPARE(runCode(kernel->client(), QStringLiteral("x = 42")).status, QStringLiteral("ok"));
        const qint64 kernelPid = kernel->remotePid();
        const int oldShell = kernel->client()->connectionInfo().shellPort;
        QSignalSpy reconnected(kernel.get(), &RemoteKernel::reconnected);
        QSignalSpy gone(kernel.get(), &RemoteKernel::gone);

        // The network drop: the shared connection that carries the forwards dies.
        const qint64 master = masterPid();
        QVERIFY(master > 0);
        QCOMPARE(::kill(pid_t(master), SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(reconnected.count() == 1 || gone.count() == 1, 40000);
        QVERIFY2(gone.isEmpty(), gone.isEmpty() ? "" : qPrintable(gone.first().first().toString()));
        QVERIFY(kernel->client()->waitForReady(30000));
        QCOMPARE(kernel->remotePid(), kernelPid);
        QVERIFY(kernel->client()->connectionInfo().shellPort != oldShell || masterPid() != master);
        const Outcome o = runCode(kernel->client(), QStringLiteral("x"));
        QCOMPARE(o.status, QStringLiteral("ok"));
        QCOMPARE(o.result, QStringLiteral("42"));

        // A kernel that died on the host is reported as gone, not silently restarted.
        QCOMPARE(::kill(pid_t(kernelPid), SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(gone.count() == 1, 40000);
        QVERIFY2(gone.first().first().toString().contains(QStringLiteral("is gone")), qPrintable(gone.first().first().toString()));
        kernel->shutdown();
    }

    void cli()
    {
        ProcessResult r = cairn({QStringLiteral("hosts"), QStringLiteral("add"), QStringLiteral("gpu1"), QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                                 QStringLiteral("--port"), QString::number(m_sshd.port()), QStringLiteral("--user"), m_host.user, QStringLiteral("--identity"),
                                 m_host.identityFile, QStringLiteral("--known-hosts"), m_host.knownHostsFile, QStringLiteral("--work-dir"), m_host.workDir,
                                 QStringLiteral("--ssh-config"), QStringLiteral("/dev/null")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        r = cairn({QStringLiteral("kernels"), QStringLiteral("list"), QStringLiteral("--host"), QStringLiteral("gpu1"), QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        bool python3 = false;
        for (const QJsonValue &v : r.json().array())
            python3 = python3 || v.toObject().value(QStringLiteral("name")).toString() == QLatin1String("python3");
        QVERIFY2(python3, qPrintable(r.out));

        r = cairn({QStringLiteral("kernels"), QStringLiteral("list"), QStringLiteral("--host"), QStringLiteral("nosuch")});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QStringLiteral("nosuch")), qPrintable(r.err));

        const QString nb = m_t + QStringLiteral("/remote.ipynb");
        QFile f(nb);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"cells": [{"cell_type": "code", "execution_count": null, "id": "a", "metadata": {}, "outputs": [],
                   "source": ["import os\n", "print(os.getpid())\n", "6*7"]}],
                   "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                   "nbformat": 4, "nbformat_minor": 5})");
        f.close();
        r = cairn({QStringLiteral("notebook"), QStringLiteral("run"), nb, QStringLiteral("--host"), QStringLiteral("gpu1")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile saved(nb);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QJsonObject doc = QJsonDocument::fromJson(saved.readAll()).object();
        QCOMPARE(doc.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("cairn")).toObject().value(QStringLiteral("host")).toString(),
                 QStringLiteral("gpu1"));
        const QJsonArray outputs = doc.value(QStringLiteral("cells")).toArray().first().toObject().value(QStringLiteral("outputs")).toArray();
        QString text;
        qint64 kernelPid = 0;
        for (const QJsonValue &v : outputs) {
            const QJsonObject o = v.toObject();
            if (o.value(QStringLiteral("output_type")).toString() == QLatin1String("execute_result")) {
                const QJsonValue t = o.value(QStringLiteral("data")).toObject().value(QStringLiteral("text/plain"));
                text = t.isArray() ? t.toArray().first().toString() : t.toString();
            }
            if (o.value(QStringLiteral("output_type")).toString() == QLatin1String("stream")) {
                const QJsonValue t = o.value(QStringLiteral("text"));
                kernelPid = (t.isArray() ? t.toArray().first().toString() : t.toString()).trimmed().toLongLong();
            }
        }
        QVERIFY2(text == QLatin1String("42"), qPrintable(QJsonDocument(outputs).toJson()));
        // The run ended its kernel on the host.
        QVERIFY(kernelPid > 0);
        QTRY_VERIFY_WITH_TIMEOUT(!processRuns(kernelPid), 10000);
    }
};

QTEST_GUILESS_MAIN(tst_RemoteKernel)
#include "tst_remotekernel.moc"
