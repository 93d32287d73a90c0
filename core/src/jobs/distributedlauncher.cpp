#include "cairn/jobs/distributedlauncher.h"

#include "cairn/jobs/distributed.h"
#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/localrunner.h"
#include "cairn/jobs/workercontext.h"

#include "jobs/outputlines.h"

#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTimer>

#include <memory>
#include <vector>

namespace cairn {

namespace {

struct Rank
{
    std::unique_ptr<QProcess> process;
    qint64 pid = 0;
    bool ended = false;
    bool ok = false;
    QString failure;          ///< why it failed, as it said or as it died
    bool secondary = false;   ///< it failed because another rank did ("distributed: …")
    bool killed = false;      ///< killed here, after another rank failed
    qint64 endedAt = 0;
};

/// The message of the last "failed" status in a rank's events file, if any.
QString lastFailure(const QString &eventsPath)
{
    QFile f(eventsPath);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QString message;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (const std::optional<JobEvent> e = JobEvent::parse(line); e && e->type == JobEvent::Type::Status && e->status() == QLatin1String("failed"))
            message = e->message();
    return message;
}

int freePort()
{
    // The port is free now; the rank 0 store binds it a moment later.
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 29500;
    return server.serverPort();
}

} // namespace

QString DistributedLauncher::rankEventsPath(const QString &jobDir, int rank)
{
    return QDir(jobDir).filePath(QStringLiteral("rank-%1.jsonl").arg(rank));
}

QString DistributedLauncher::rankLogPath(const QString &jobDir, int rank)
{
    return QDir(jobDir).filePath(QStringLiteral("rank-%1.log").arg(rank));
}

DistributedLauncher::DistributedLauncher(Options options, WorkerContext &context) : m_options(std::move(options)), m_context(context)
{
}

int DistributedLauncher::run()
{
    const int n = m_options.worldSize;
    DistributedPlace place;
    place.worldSize = n;
    place.masterAddr = QStringLiteral("127.0.0.1");
    place.masterPort = freePort();
    std::vector<Rank> ranks(static_cast<size_t>(n));
    QEventLoop loop;
    QByteArray partial;           // rank 0's stdout, not yet a whole line
    std::optional<JobEvent> finalStatus; // rank 0's, held until every rank has ended
    bool stopSent = false;
    QTimer killTimer;
    killTimer.setSingleShot(true);
    int running = n;

    auto forward = [&](const QByteArray &line) {
        const std::optional<JobEvent> e = JobEvent::parse(line);
        if (e && e->type == JobEvent::Type::Status) {
            if (e->status() != QLatin1String("running"))
                finalStatus = *e;
            return; // the launcher says "running" and the end itself
        }
        if (e)
            m_context.emitEvent(*e);
    };
    auto readRank0 = [&] {
        partial.append(ranks[0].process->readAllStandardOutput());
        qsizetype start = 0;
        while (const std::optional<QByteArray> line = nextOutputLine(partial, start))
            forward(*line);
        partial.remove(0, start);
    };
    auto failOthers = [&] {
        if (!killTimer.isActive())
            killTimer.start(m_options.graceMs);
    };
    QObject::connect(&killTimer, &QTimer::timeout, &loop, [&] {
        for (Rank &r : ranks)
            if (!r.ended)
                r.killed = true, r.process->kill(); // SIGKILL: a stopped (SIGSTOP) rank cannot take SIGTERM
    });

    QStringList pids;
    for (int k = 0; k < n; ++k) {
        Rank &r = ranks[size_t(k)];
        r.process = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        place.rank = k;
        place.localRank = k;
        place.exportTo(env);
        env.insert(QStringLiteral("CAIRN_THREADS"), QString::number(m_options.threadsPerRank));
        r.process->setProcessEnvironment(env);
        r.process->setWorkingDirectory(m_options.jobDir);
        if (k == 0) {
            r.process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
            QObject::connect(r.process.get(), &QProcess::readyReadStandardOutput, &loop, readRank0);
        } else {
            r.process->setProcessChannelMode(QProcess::MergedChannels);
            r.process->setStandardOutputFile(rankLogPath(m_options.jobDir, k), QIODevice::Append);
        }
        QObject::connect(r.process.get(), &QProcess::finished, &loop, [&, k](int exitCode, QProcess::ExitStatus status) {
            Rank &me = ranks[size_t(k)];
            if (me.ended)
                return;
            me.ended = true;
            me.endedAt = QDateTime::currentMSecsSinceEpoch();
            if (k == 0) {
                readRank0();
                if (!partial.isEmpty())
                    forward(partial), partial.clear();
            }
            const QString said = k == 0 ? (finalStatus && finalStatus->status() == QLatin1String("failed") ? finalStatus->message() : QString())
                                        : lastFailure(rankEventsPath(m_options.jobDir, k));
            if (me.killed) {
                me.failure = QStringLiteral("it was killed after another rank failed");
                me.secondary = true;
            } else if (status == QProcess::CrashExit) {
                me.failure = LocalRunner::signalMessage(exitCode).replace(QLatin1String("the worker"), QLatin1String("it"));
            } else if (exitCode != 0) {
                me.failure = said.isEmpty() ? QStringLiteral("it exited with code %1").arg(exitCode) : said;
                me.secondary = said.startsWith(QLatin1String("distributed:"));
            } else {
                me.ok = true;
            }
            if (!me.ok)
                failOthers();
            if (--running == 0)
                loop.quit();
        });
        QObject::connect(r.process.get(), &QProcess::errorOccurred, &loop, [&, k](QProcess::ProcessError error) {
            Rank &me = ranks[size_t(k)];
            if (error != QProcess::FailedToStart || me.ended)
                return;
            me.ended = true;
            me.failure = QStringLiteral("it could not start: %1").arg(me.process->errorString());
            failOthers();
            if (--running == 0)
                loop.quit();
        });
        r.process->start(m_options.program, m_options.arguments);
        r.pid = r.process->processId();
        pids << QString::number(r.pid);
    }
    m_context.log(QStringLiteral("distributed: started %1 ranks on this machine (pids %2; %3 thread(s) each; rendezvous on port %4); "
                                 "the other ranks' logs are rank-<k>.log and rank-<k>.jsonl in %5")
                      .arg(n).arg(pids.join(QStringLiteral(", "))).arg(m_options.threadsPerRank).arg(place.masterPort).arg(m_options.jobDir));

    // A stop request (control line or SIGTERM) goes to every rank once.
    QTimer stopPoll;
    QObject::connect(&stopPoll, &QTimer::timeout, &loop, [&] {
        if (stopSent || !m_context.stopRequested())
            return;
        stopSent = true;
        for (Rank &r : ranks)
            if (!r.ended)
                r.process->write("{\"type\":\"stop\"}\n");
    });
    stopPoll.start(200);
    if (running > 0)
        loop.exec();

    // The rank that caused a failure: one that died or failed for its own reason, the earliest;
    // else the first that failed because of another (its message names that one where it can).
    const Rank *blamed = nullptr;
    int blamedRank = -1;
    for (int pass = 0; pass < 2 && !blamed; ++pass)
        for (int k = 0; k < n; ++k) {
            const Rank &r = ranks[size_t(k)];
            if (r.ok || r.failure.isEmpty() || (pass == 0 && r.secondary))
                continue;
            if (!blamed || r.endedAt < blamed->endedAt)
                blamed = &r, blamedRank = k;
        }
    if (blamed && blamed->secondary) {
        m_context.emitEvent(JobEvent::status(QStringLiteral("failed"), QStringLiteral("the %1 ranks lost contact; rank %2 reports: %3 (the other ranks were stopped; logs: %4)")
                                                                           .arg(n).arg(blamedRank).arg(blamed->failure, m_options.jobDir)));
        return 1;
    }
    if (blamed) {
        m_context.emitEvent(JobEvent::status(QStringLiteral("failed"), QStringLiteral("rank %1 of %2 (pid %3) failed: %4; the other ranks were stopped (logs: %5)")
                                                                           .arg(blamedRank).arg(n).arg(blamed->pid).arg(blamed->failure, m_options.jobDir)));
        return 1;
    }
    for (int k = 0; k < n; ++k)
        if (!ranks[size_t(k)].ok) {
            m_context.emitEvent(JobEvent::status(QStringLiteral("failed"), QStringLiteral("rank %1 of %2 was killed after another rank failed").arg(k).arg(n)));
            return 1;
        }
    m_context.emitEvent(finalStatus.value_or(JobEvent::status(QStringLiteral("finished"))));
    return 0;
}

} // namespace cairn
