#include "cairn/remote/agentjob.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSocketNotifier>
#include <QStandardPaths>

#include <csignal>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace cairn::remote {

namespace {

constexpr int kPollMs = 20;                       ///< as the script's `tail -s 0.02`
constexpr qint64 kTarLimitKb = 65536;             ///< a larger output folder comes back with rsync
constexpr qint64 kStderrTail = 4000;
constexpr qint64 kReadChunk = 8 * 1024 * 1024;    ///< events handed on per read

/// A descriptor that becomes readable when the process ends (also when it is not our child);
/// -1 with errno set where the kernel has none.
int openPidfd(qint64 pid)
{
#ifdef SYS_pidfd_open
    return int(::syscall(SYS_pidfd_open, pid_t(pid), 0));
#else
    Q_UNUSED(pid);
    errno = ENOSYS;
    return -1;
#endif
}

/// As the script's alive(): the process exists and is not a zombie left to an init that does
/// not reap.
bool alive(qint64 pid)
{
    if (pid <= 0 || ::kill(pid_t(pid), 0) != 0)
        return false;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true;
    const QByteArray s = stat.readAll();
    const qsizetype close = s.lastIndexOf(')');
    return close < 0 || s.mid(close + 2, 1) != "Z";
}

QString expandHome(const QString &path)
{
    const QString home = QDir::homePath();
    if (path == QLatin1String("~"))
        return home;
    if (path.startsWith(QLatin1String("~/")))
        return home + path.mid(1);
    return path;
}

/// `command -v`: a name with a slash is taken as it is, others are looked up in PATH.
QString findProgram(const QString &name)
{
    if (name.contains(QLatin1Char('/'))) {
        const QFileInfo f(name);
        return f.isFile() && f.isExecutable() ? name : QString();
    }
    return QStandardPaths::findExecutable(name);
}

/// `stat -L -c '%s-%Y'`: what tells a worker program changed.
QString programStamp(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return {};
    return QStringLiteral("%1-%2").arg(qint64(st.st_size)).arg(qint64(st.st_mtim.tv_sec));
}

/// Reaps a process this agent forked once it ends (the agent does not wait for it otherwise).
void reapWhenEnded(pid_t pid)
{
    const int fd = openPidfd(pid);
    if (fd < 0) {
        auto *timer = new QTimer(QCoreApplication::instance());
        QObject::connect(timer, &QTimer::timeout, timer, [timer, pid] {
            if (::waitpid(pid, nullptr, WNOHANG) != 0)
                timer->deleteLater();
        });
        timer->start(1000);
        return;
    }
    auto *notifier = new QSocketNotifier(fd, QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, notifier, [notifier, fd, pid] {
        ::waitpid(pid, nullptr, WNOHANG);
        notifier->setEnabled(false);
        notifier->deleteLater();
        ::close(fd);
    });
}

void closeInheritedFds()
{
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
        return;
#endif
    for (int fd = 3; fd < 1024; ++fd)
        ::close(fd);
}

void writeAll(int fd, const char *s)
{
    for (size_t left = std::strlen(s); left > 0;) {
        const ssize_t n = ::write(fd, s, left);
        if (n <= 0)
            return;
        s += n;
        left -= size_t(n);
    }
}

/// Starts `argv` in `dir` detached, as the script's `setsid sh -c 'trap "" HUP INT TERM; …'`:
/// a first child leads a new session (no hang-up reaches it), ignores the signals meant for the
/// worker, waits for it and writes its exit code (128 + the signal when killed) to exit_code.
/// Only async-signal-safe calls after fork(): everything is prepared before. The session's id,
/// or -1.
pid_t spawnWorker(const QByteArray &dir, const QByteArray &program, const QList<QByteArray> &arguments, const QList<QByteArray> &extraEnv)
{
    std::vector<QByteArray> store;
    std::vector<char *> argv;
    argv.push_back(const_cast<char *>(program.constData()));
    for (const QByteArray &a : arguments)
        argv.push_back(const_cast<char *>(a.constData()));
    argv.push_back(nullptr);
    std::vector<char *> envp;
    for (char **e = environ; e && *e; ++e) {
        bool replaced = false;
        for (const QByteArray &x : extraEnv)
            replaced = replaced || std::strncmp(*e, x.constData(), size_t(x.indexOf('=') + 1)) == 0;
        if (!replaced)
            envp.push_back(*e);
    }
    for (const QByteArray &x : extraEnv)
        envp.push_back(const_cast<char *>(x.constData()));
    envp.push_back(nullptr);
    const QByteArray out = dir + "/worker.out";
    const QByteArray err = dir + "/worker.err";
    const QByteArray codeTmp = dir + "/exit_code.tmp";
    const QByteArray code = dir + "/exit_code";
    const QByteArray cannotRun = "cairn agent: cannot run " + program + ": ";

    const pid_t leader = ::fork();
    if (leader != 0)
        return leader;
    // The session leader.
    closeInheritedFds();
    ::setsid();
    struct sigaction ignore = {};
    ignore.sa_handler = SIG_IGN;
    for (int s : {SIGHUP, SIGINT, SIGTERM})
        ::sigaction(s, &ignore, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const pid_t worker = ::fork();
    if (worker == 0) {
        struct sigaction dfl = {};
        dfl.sa_handler = SIG_DFL;
        for (int s : {SIGHUP, SIGINT, SIGTERM, SIGPIPE})
            ::sigaction(s, &dfl, nullptr);
        const int in = ::open("/dev/null", O_RDONLY);
        const int o = ::open(out.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int e = ::open(err.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || o < 0 || e < 0 || ::chdir(dir.constData()) != 0)
            ::_exit(126);
        ::dup2(in, 0);
        ::dup2(o, 1);
        ::dup2(e, 2);
        for (int fd : {in, o, e})
            if (fd > 2)
                ::close(fd);
        ::execve(program.constData(), argv.data(), envp.data());
        writeAll(2, cannotRun.constData());
        writeAll(2, std::strerror(errno));
        writeAll(2, "\n");
        ::_exit(127);
    }
    int status = 0;
    int exitCode = 126;
    if (worker > 0) {
        while (::waitpid(worker, &status, 0) < 0 && errno == EINTR) {
        }
        exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 126;
    }
    char digits[16] = {};
    int n = 14;
    digits[n] = '\n';
    do {
        digits[--n] = char('0' + exitCode % 10);
        exitCode /= 10;
    } while (exitCode > 0 && n > 0);
    const int fd = ::open(codeTmp.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        writeAll(fd, digits + n);
        ::close(fd);
        ::rename(codeTmp.constData(), code.constData());
    }
    ::_exit(0);
}

qint64 folderKb(const QString &dir)
{
    qint64 bytes = 0;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        bytes += it.fileInfo().size();
    }
    return (bytes + 1023) / 1024;
}

} // namespace

AgentJob::AgentJob(QList<QByteArray> args, QObject *parent) : QObject(parent), m_args(std::move(args))
{
    m_poll.setInterval(kPollMs);
    connect(&m_poll, &QTimer::timeout, this, &AgentJob::poll);
}

AgentJob::~AgentJob()
{
    if (m_tar) {
        m_tar->disconnect(this);
        m_tar->kill();
        m_tar->waitForFinished(1000);
    }
    if (m_pidfd >= 0)
        ::close(m_pidfd);
}

bool AgentJob::start()
{
    if (m_args.size() < 2)
        return false;
    const QByteArray mode = m_args.at(0);
    m_token = m_args.at(1);
    const QList<QByteArray> a = m_args.mid(2);
    if (mode == "start")
        return a.size() >= 6 && startFast();
    if (mode == "launch" && a.size() >= 5) {
        launchAndFollow(QString::fromUtf8(a.at(0)), QString::fromUtf8(a.at(1)), QString::fromUtf8(a.at(2)), a.at(3), QString::fromUtf8(a.at(4)), a.mid(5));
        return true;
    }
    if (mode == "follow" && a.size() >= 3) {
        follow(QString::fromUtf8(a.at(0)), a.at(1).toLongLong(), a.at(2).toLongLong());
        return true;
    }
    return false;
}

bool AgentJob::startFast()
{
    // The script's start mode when all is known: the work folder as the last job found it, the
    // worker's program unchanged, no GPU to assign and the data in the cache.
    const QList<QByteArray> a = m_args.mid(2);
    const QString job = QString::fromUtf8(a.at(2));
    const QString expected = QString::fromUtf8(a.at(4));
    if (expected == QLatin1String("-") || job.isEmpty() || job.contains(QLatin1Char('/')))
        return false;
    const QString workDir = expandHome(QString::fromUtf8(a.at(0)));
    if (!QDir().mkpath(workDir + QStringLiteral("/jobs/") + job) || !QDir().mkpath(workDir + QStringLiteral("/cache")))
        return false;
    const QString real = QFileInfo(workDir).canonicalFilePath();
    if (real != expected)
        return false;
    const QString program = findProgram(QString::fromUtf8(a.at(1)));
    if (program.isEmpty())
        return false;
    const QString stamp = programStamp(program);
    if (stamp.isEmpty() || stamp != QString::fromUtf8(a.at(3)) || !findProgram(QStringLiteral("nvidia-smi")).isEmpty())
        return false;
    for (const QByteArray &hash : a.mid(6))
        if (!QFileInfo::exists(real + QStringLiteral("/cache/") + QString::fromUtf8(hash) + QStringLiteral("/.complete")))
            return false;
    Q_EMIT output(QStringLiteral("workdir=%1\ncairn=%2\ncairn_stamp=%3\n").arg(real, program, stamp).toUtf8());
    launchAndFollow(real + QStringLiteral("/jobs/") + job, program, QStringLiteral("-"), a.at(5), real + QStringLiteral("/cache"), {});
    return true;
}

void AgentJob::launchAndFollow(const QString &dir, const QString &command, const QString &gpus, const QByteArray &spec, const QString &cache,
                               const QList<QByteArray> &hashes)
{
    QString error;
    const qint64 pid = launch(dir, command, gpus, spec, cache, hashes, &error);
    if (pid <= 0) {
        finish(3, error.toUtf8() + '\n');
        return;
    }
    Q_EMIT output("launched=" + QByteArray::number(pid) + '\n');
    follow(dir, 1, pid);
}

qint64 AgentJob::launch(const QString &dir, const QString &command, const QString &gpus, const QByteArray &spec, const QString &cache,
                        const QList<QByteArray> &hashes, QString *error)
{
    const QDir d(dir);
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create the job folder %1").arg(dir);
        return 0;
    }
    for (const char *stale : {"control", "exit_code", "exit_code.tmp", "pid", "gpus"})
        QFile::remove(d.filePath(QLatin1String(stale)));
    auto writeFile = [&](const QString &name, const QByteArray &bytes) {
        QFile f(d.filePath(name));
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size())
            return true;
        *error = QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString());
        return false;
    };
    if (!writeFile(QStringLiteral("spec.json"), spec + '\n'))
        return 0;
    for (const QByteArray &h : hashes) {
        QFile complete(cache + QLatin1Char('/') + QString::fromUtf8(h) + QStringLiteral("/.complete"));
        complete.open(QIODevice::WriteOnly | QIODevice::Truncate);
    }
    if (!writeFile(QStringLiteral("events.jsonl"), {}))
        return 0;
    QList<QByteArray> env;
    if (gpus != QLatin1String("-")) {
        env << "CUDA_VISIBLE_DEVICES=" + gpus.toUtf8();
        if (!writeFile(QStringLiteral("gpus"), gpus.toUtf8() + '\n'))
            return 0;
    }
    // As the script's "$0" worker: a name without a slash is looked up in PATH.
    QString program = findProgram(command);
    if (program.isEmpty())
        program = command;
    const QByteArray absDir = QFile::encodeName(QFileInfo(dir).absoluteFilePath());
    const pid_t pid = spawnWorker(absDir, QFile::encodeName(program),
                                  {"worker", "--spec", "spec.json", "--events-file", "events.jsonl", "--control-file", "control"}, env);
    if (pid < 0) {
        *error = QStringLiteral("cannot start the worker: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return 0;
    }
    reapWhenEnded(pid);
    writeFile(QStringLiteral("pid"), QByteArray::number(qint64(pid)) + '\n');
    return pid;
}

void AgentJob::follow(const QString &dir, qint64 fromByte, qint64 pid)
{
    if (!QFileInfo(dir).isDir()) {
        Q_EMIT output(m_token + " end\ngone\n");
        finish(0);
        return;
    }
    m_dir = dir;
    m_pid = pid;
    m_offset = std::max<qint64>(0, fromByte - 1);
    Q_EMIT output(m_token + " events\n");
    m_pidfd = openPidfd(pid);
    m_gone = m_pidfd < 0 && errno == ESRCH;
    if (m_pidfd >= 0) {
        m_exitNotifier = new QSocketNotifier(m_pidfd, QSocketNotifier::Read, this);
        connect(m_exitNotifier, &QSocketNotifier::activated, this, &AgentJob::onWorkerEnded);
    }
    m_poll.start();
    poll();
}

void AgentJob::readEvents()
{
    QFile f(m_dir + QStringLiteral("/events.jsonl"));
    if (!f.open(QIODevice::ReadOnly))
        return;
    for (;;) {
        if (f.size() < m_offset)
            m_offset = 0; // truncated: as tail -F, from its start
        if (!f.seek(m_offset))
            return;
        const QByteArray bytes = f.read(kReadChunk);
        if (bytes.isEmpty())
            return;
        m_offset += bytes.size();
        Q_EMIT output(bytes);
        if (m_done)
            return;
    }
}

void AgentJob::poll()
{
    if (m_ended)
        return;
    readEvents();
    if (m_done)
        return;
    // Without a pidfd (or for a worker started by a shell): its exit code, or it is gone.
    const bool gone = QFileInfo::exists(m_dir + QStringLiteral("/exit_code"))
                      || m_gone || (m_pidfd < 0 && ++m_ticks % 25 == 0 && !alive(m_pid));
    if (gone)
        onWorkerEnded();
}

void AgentJob::onWorkerEnded()
{
    if (m_ended)
        return;
    m_ended = true;
    m_poll.stop();
    if (m_exitNotifier)
        m_exitNotifier->setEnabled(false);
    readEvents();
    if (m_done)
        return;
    Q_EMIT output(m_token + " end\n");
    const QDir d(m_dir);
    if (!QFileInfo::exists(d.filePath(QStringLiteral("exit_code"))) && alive(m_pid)) {
        Q_EMIT output("alive\n");
        finish(0);
        return;
    }
    const QString outputDir = d.filePath(QStringLiteral("output"));
    if (!QFileInfo(outputDir).isDir() || folderKb(outputDir) > kTarLimitKb) {
        sendEndRecord({}, false);
        return;
    }
    m_tar = new QProcess(this);
    m_tar->setStandardInputFile(QProcess::nullDevice());
    connect(m_tar, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        const QByteArray tar = m_tar->readAllStandardOutput();
        m_tar->deleteLater();
        sendEndRecord(tar, status == QProcess::NormalExit && code == 0);
    });
    connect(m_tar, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            m_tar->deleteLater();
            sendEndRecord({}, false);
        }
    });
    m_tar->start(QStringLiteral("tar"), {QStringLiteral("-C"), outputDir, QStringLiteral("-cf"), QStringLiteral("-"), QStringLiteral(".")});
}

void AgentJob::sendEndRecord(const QByteArray &tar, bool tarOk)
{
    const QDir d(m_dir);
    QByteArray record = "size=" + QByteArray::number(QFileInfo(d.filePath(QStringLiteral("events.jsonl"))).size()) + '\n';
    QByteArray code;
    QFile exitFile(d.filePath(QStringLiteral("exit_code")));
    if (exitFile.open(QIODevice::ReadOnly))
        code = exitFile.readLine().trimmed();
    record += "exit=" + (code.isEmpty() ? QByteArray("none") : code) + '\n';
    if (QFileInfo(d.filePath(QStringLiteral("output"))).isDir()) {
        record += "output=yes\n";
        if (tarOk)
            record += "tar=" + QByteArray::number(tar.size()) + '\n';
    }
    QByteArray err;
    QFile errFile(d.filePath(QStringLiteral("worker.err")));
    if (errFile.open(QIODevice::ReadOnly)) {
        if (errFile.size() > kStderrTail)
            errFile.seek(errFile.size() - kStderrTail);
        err = errFile.read(kStderrTail);
    }
    record += "stderr=" + QByteArray::number(err.size()) + '\n' + err;
    if (tarOk)
        record += tar;
    Q_EMIT output(record);
    finish(0);
}

void AgentJob::finish(int exitCode, const QByteArray &err)
{
    if (m_done)
        return;
    m_done = true;
    m_poll.stop();
    Q_EMIT finished(exitCode, err);
}

} // namespace cairn::remote
