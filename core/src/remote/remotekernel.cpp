#include "cairn/remote/remotekernel.h"

#include "cairn/remote/sshconnection.h"
#include "cairn/util/error.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTimer>
#include <QUuid>

namespace cairn::remote {

namespace {

/// Finds a python3 that can import ipykernel ("$PY" set), or says what to install.
const char *kFindPython = R"SH(
PY=
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import ipykernel' >/dev/null 2>&1; then PY=$p; break; fi
done
)SH";

/// "$1" the host's work folder, "$2" the kernel's id, "$3" the Python below: makes the kernel's
/// folder and runs the launcher.
const char *kStartScript = R"SH(
d=$1
case $d in "~") d=$HOME ;; "~/"*) d=$HOME/${d#"~/"} ;; esac
k=$d/kernels/$2
mkdir -p -- "$k" && cd -- "$k" || exit 3
[ -n "$PY" ] || { echo "python3 with ipykernel is not installed on this host (Debian/Ubuntu: sudo apt install python3-ipykernel; else pip install ipykernel)" >&2; exit 4; }
exec "$PY" -c "$3" "$(pwd -P)"
)SH";

/// Chooses five free ports and a key on the host, writes the connection file (0600), starts the
/// kernel in its own session (so it survives the SSH connection) and waits until it listens; a
/// kernel that lost a port to another program is started again on new ports.
const char *kLauncher = R"PY(
import json, os, secrets, socket, subprocess, sys, time
k = sys.argv[1]
f = os.path.join(k, "connection.json")
def busy(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port)); return False
    except OSError:
        return True
    finally:
        s.close()
for attempt in range(3):
    socks = [socket.socket() for _ in range(5)]
    for s in socks: s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks: s.close()
    info = {"transport": "tcp", "ip": "127.0.0.1", "shell_port": ports[0], "iopub_port": ports[1],
            "stdin_port": ports[2], "control_port": ports[3], "hb_port": ports[4],
            "key": secrets.token_hex(32), "signature_scheme": "hmac-sha256", "kernel_name": "python3"}
    fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, json.dumps(info).encode()); os.close(fd)
    log = open(os.path.join(k, "kernel.log"), "ab")
    p = subprocess.Popen([sys.executable, "-m", "ipykernel_launcher", "-f", f], stdin=subprocess.DEVNULL,
                         stdout=log, stderr=log, cwd=os.path.expanduser("~"), start_new_session=True)
    with open(os.path.join(k, "pid"), "w") as out: out.write(str(p.pid))
    deadline = time.time() + 60
    while p.poll() is None and time.time() < deadline and not all(busy(x) for x in ports):
        time.sleep(0.05)
    if p.poll() is None and all(busy(x) for x in ports):
        print(json.dumps({"pid": p.pid, "file": f, "connection": info})); sys.exit(0)
    if p.poll() is None: p.kill()
tail = open(os.path.join(k, "kernel.log"), "rb").read()[-2000:].decode("utf-8", "replace")
sys.stderr.write("the kernel did not start: " + tail); sys.exit(5)
)PY";

/// "$1" pid, "$2" connection file: prints "alive" when that kernel still runs.
const char *kAliveScript = R"SH(
if [ -r "/proc/$1/cmdline" ]; then
  tr '\0' ' ' < "/proc/$1/cmdline" | grep -qF -- "$2" && echo alive
elif kill -0 "$1" 2>/dev/null; then echo alive; fi
)SH";

/// "$1" pid, "$2" connection file, "$3" its folder: ends the kernel, then removes its folder.
const char *kStopScript = R"SH(
mine() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -qF -- "$2"; }
if mine "$1" "$2"; then
  kill -TERM "$1" 2>/dev/null
  i=0; while mine "$1" "$2" && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done
  mine "$1" "$2" && kill -KILL "$1" 2>/dev/null
fi
case $3 in */kernels/*) rm -rf -- "$3" ;; esac
)SH";

/// Lists kernelspecs: jupyter's list when it is there, and python3 when ipykernel is.
const char *kListScript = R"SH(
if command -v jupyter >/dev/null 2>&1; then echo "jupyter"; jupyter kernelspec list --json 2>/dev/null; fi
echo "python=$PY"
)SH";

QString lastLines(const QByteArray &text)
{
    const QStringList lines = QString::fromUtf8(text).trimmed().split(QLatin1Char('\n'));
    return lines.mid(qMax(0, int(lines.size()) - 4)).join(QLatin1Char(' ')).trimmed();
}

QList<int> ports(const ConnectionInfo &i)
{
    return {i.shellPort, i.iopubPort, i.stdinPort, i.controlPort, i.hbPort};
}

} // namespace

RemoteKernel::RemoteKernel(Host host, QObject *parent)
    : QObject(parent), m_host(std::move(host)), m_client(new KernelClient(this))
{
    connect(m_client, &KernelClient::died, this, &RemoteKernel::handleDied);
}

RemoteKernel::~RemoteKernel()
{
    m_closing = true;
    if (m_client)
        m_client->disconnect(this);
    if (!m_localInfo.key.isEmpty()) {
        try {
            cancelForwards();
        } catch (const Error &) {
            // The connection is gone already, and its forwards with it.
        }
    }
}

void RemoteKernel::start(const QString &kernelName)
{
    if (m_host.isLocal())
        throw Error(tr("host 'local' runs kernels directly, not over SSH"));
    if (kernelName != QLatin1String("python3"))
        throw Error(tr("only the python3 kernel (ipykernel) can be started on host '%1', not '%2'").arg(m_host.name, kernelName));
    m_kernelName = kernelName;
    m_closing = false;
    const SshConnection ssh(m_host);
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces).left(12);
    const SshConnection::Result r = ssh.runScript(QString::fromLatin1(kFindPython) + QString::fromLatin1(kStartScript),
                                                  {m_host.workDir, id, QString::fromLatin1(kLauncher)}, 90000);
    if (r.exitCode != 0)
        throw Error(tr("cannot start a kernel on host '%1': %2").arg(m_host.name, lastLines(r.err.isEmpty() ? r.out : r.err)));
    const QJsonObject answer = QJsonDocument::fromJson(r.out.trimmed().split('\n').last()).object();
    m_pid = qint64(answer.value(QLatin1String("pid")).toDouble());
    m_remoteFile = answer.value(QLatin1String("file")).toString();
    m_remoteDir = m_remoteFile.section(QLatin1Char('/'), 0, -2);
    m_remoteInfo = ConnectionInfo::fromJson(answer.value(QLatin1String("connection")).toObject());
    if (m_pid <= 0 || m_remoteInfo.key.isEmpty())
        throw Error(tr("host '%1' gave no kernel connection: %2").arg(m_host.name, lastLines(r.out)));
    try {
        forward();
    } catch (const Error &) {
        shutdown();
        throw;
    }
    m_client->connectToKernel(m_localInfo);
}

void RemoteKernel::forward()
{
    const SshConnection ssh(m_host);
    // A command over the shared connection makes sure its master runs: -O needs one.
    const SshConnection::Result up = ssh.run({QStringLiteral("true")}, 30000);
    if (up.exitCode != 0)
        throw Error(tr("host '%1' does not answer: %2").arg(m_host.name, lastLines(up.err)));
    QString lastError;
    for (int attempt = 0; attempt < 3; ++attempt) {
        // Free local ports; another program may take one first, so a refused forward is retried.
        ConnectionInfo local = ConnectionInfo::allocate();
        local.key = m_remoteInfo.key;
        local.signatureScheme = m_remoteInfo.signatureScheme;
        const QList<int> remote = ports(m_remoteInfo);
        const QList<int> mine = ports(local);
        QStringList options;
        for (int i = 0; i < 5; ++i)
            options << QStringLiteral("-L") << QStringLiteral("127.0.0.1:%1:127.0.0.1:%2").arg(mine[i]).arg(remote[i]);
        QProcess p;
        p.start(SshConnection::program(), ssh.controlArguments(QStringLiteral("forward"), options));
        if (!p.waitForFinished(15000)) {
            p.kill();
            p.waitForFinished(1000);
            lastError = tr("ssh did not answer the forward request");
            continue;
        }
        if (p.exitCode() == 0) {
            m_localInfo = local;
            return;
        }
        lastError = lastLines(p.readAllStandardError());
    }
    throw Error(tr("cannot forward the kernel's ports from host '%1': %2").arg(m_host.name, lastError));
}

void RemoteKernel::cancelForwards()
{
    const SshConnection ssh(m_host);
    const QList<int> remote = ports(m_remoteInfo);
    const QList<int> mine = ports(m_localInfo);
    QStringList options;
    for (int i = 0; i < 5; ++i)
        options << QStringLiteral("-L") << QStringLiteral("127.0.0.1:%1:127.0.0.1:%2").arg(mine[i]).arg(remote[i]);
    QProcess p;
    p.start(SshConnection::program(), ssh.controlArguments(QStringLiteral("cancel"), options));
    if (!p.waitForFinished(5000))
        p.kill();
    p.waitForFinished(1000);
    m_localInfo = {};
}

bool RemoteKernel::isAlive() const
{
    if (m_pid <= 0)
        return false;
    const SshConnection::Result r = SshConnection(m_host).runScript(QString::fromLatin1(kAliveScript), {QString::number(m_pid), m_remoteFile}, 30000);
    return r.out.trimmed() == "alive";
}

void RemoteKernel::reconnect()
{
    if (m_pid <= 0)
        throw Error(tr("no kernel was started on host '%1'").arg(m_host.name));
    if (!isAlive())
        throw Error(tr("the kernel on host '%1' is gone (process %2 no longer runs): its variables are lost; restart it")
                        .arg(m_host.name)
                        .arg(m_pid));
    try {
        cancelForwards();
    } catch (const Error &) {
    }
    forward();
    m_client->connectToKernel(m_localInfo);
}

void RemoteKernel::handleDied(const QString &reason)
{
    if (m_closing || m_reconnecting || !m_autoReconnect || m_pid <= 0)
        return;
    m_reconnecting = true;
    Q_EMIT reconnecting();
    // After the client's own handling of the loss has finished.
    QTimer::singleShot(0, this, [this, reason] { reconnectAfterLoss(reason); });
}

void RemoteKernel::reconnectAfterLoss(const QString &reason)
{
    QString failure;
    try {
        reconnect();
    } catch (const Error &e) {
        failure = e.message();
    }
    m_reconnecting = false;
    if (failure.isEmpty())
        Q_EMIT reconnected();
    else
        Q_EMIT gone(tr("%1 (the connection was lost: %2)").arg(failure, reason));
}

void RemoteKernel::interrupt()
{
    m_client->interrupt();
}

void RemoteKernel::restart()
{
    shutdown();
    start(m_kernelName.isEmpty() ? QStringLiteral("python3") : m_kernelName);
}

void RemoteKernel::shutdown()
{
    m_closing = true;
    m_client->shutdown(0);
    if (m_pid > 0) {
        try {
            SshConnection(m_host).runScript(QString::fromLatin1(kStopScript), {QString::number(m_pid), m_remoteFile, m_remoteDir}, 30000);
        } catch (const Error &) {
            // Unreachable: nothing more can be done from here.
        }
    }
    if (!m_localInfo.key.isEmpty()) {
        try {
            cancelForwards();
        } catch (const Error &) {
        }
    }
    m_pid = 0;
}

QJsonArray RemoteKernel::listSpecs(const Host &host)
{
    const SshConnection::Result r = SshConnection(host).runScript(QString::fromLatin1(kFindPython) + QString::fromLatin1(kListScript), {}, 60000);
    QJsonArray specs;
    QString python;
    const QByteArray out = r.out;
    const qsizetype pythonAt = out.lastIndexOf("python=");
    if (pythonAt >= 0)
        python = QString::fromUtf8(out.mid(pythonAt + 7)).trimmed();
    if (out.startsWith("jupyter\n")) {
        const QJsonObject all = QJsonDocument::fromJson(out.mid(8, pythonAt - 8)).object().value(QLatin1String("kernelspecs")).toObject();
        for (auto it = all.begin(); it != all.end(); ++it) {
            const QJsonObject s = it.value().toObject();
            const QJsonObject spec = s.value(QLatin1String("spec")).toObject();
            specs.append(QJsonObject{{QStringLiteral("name"), it.key()},
                                     {QStringLiteral("display_name"), spec.value(QLatin1String("display_name")).toString()},
                                     {QStringLiteral("language"), spec.value(QLatin1String("language")).toString()},
                                     {QStringLiteral("path"), s.value(QLatin1String("resource_dir")).toString()},
                                     {QStringLiteral("python"), it.key() == QLatin1String("python3") ? python : QString()}});
        }
    }
    if (!python.isEmpty()) {
        bool listed = false;
        for (const QJsonValue &v : specs)
            listed = listed || v.toObject().value(QLatin1String("name")).toString() == QLatin1String("python3");
        if (!listed)
            specs.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("python3")},
                                     {QStringLiteral("display_name"), QStringLiteral("Python 3 (ipykernel)")},
                                     {QStringLiteral("language"), QStringLiteral("python")},
                                     {QStringLiteral("path"), QString()},
                                     {QStringLiteral("python"), python}});
    }
    return specs;
}

} // namespace cairn::remote
