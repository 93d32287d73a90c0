#include "cairn/jobs/distributedlauncher.h"

#include "cairn/jobs/distributed.h"
#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/jobs/localrunner.h"
#include "cairn/jobs/workercontext.h"
#include "cairn/remote/sshrunner.h"
#include "cairn/util/error.h"

#include "jobs/outputlines.h"

#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QHostInfo>
#include <QJsonObject>
#include <QNetworkInterface>
#include <QProcess>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTimer>

#include <memory>
#include <vector>

namespace cairn {

namespace {

struct Rank
{
    std::unique_ptr<QProcess> process;            ///< a rank on this machine
    std::unique_ptr<remote::SshRunner> runner;   ///< or one on an SSH host
    QString host;                                ///< its Cairn host ("local" when not spread over hosts)
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

bool isLoopback(const QString &address)
{
    const QHostAddress a(address);
    return address == QLatin1String("localhost") || (!a.isNull() && a.isLoopback());
}

void appendTo(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    if (f.open(QIODevice::Append))
        f.write(bytes);
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

QString DistributedLauncher::rendezvousAddress(const remote::Host &rank0Host, const QList<remote::Host> &all)
{
    const QString given = qEnvironmentVariable("CAIRN_MASTER_ADDR");
    if (!given.isEmpty())
        return given;
    if (!rank0Host.isLocal()) {
        const QHostAddress a(rank0Host.hostname);
        if (!a.isNull())
            return rank0Host.hostname;
        const QHostInfo info = QHostInfo::fromName(rank0Host.hostname);
        for (const QHostAddress &r : info.addresses())
            if (r.protocol() == QAbstractSocket::IPv4Protocol)
                return r.toString();
        return rank0Host.hostname; // an ssh alias: the other hosts may know it
    }
    bool allLoopback = true;
    for (const remote::Host &h : all)
        allLoopback = allLoopback && (h.isLocal() || isLoopback(h.hostname));
    if (!allLoopback)
        for (const QHostAddress &a : QNetworkInterface::allAddresses())
            if (a.protocol() == QAbstractSocket::IPv4Protocol && !a.isLoopback() && !a.isLinkLocal())
                return a.toString();
    return QStringLiteral("127.0.0.1");
}

int DistributedLauncher::run()
{
    const bool spread = !m_options.hosts.isEmpty();
    const int perHost = spread ? std::max(1, m_options.processesPerHost) : m_options.worldSize;
    const int n = spread ? int(m_options.hosts.size()) * perHost : m_options.worldSize;
    DistributedPlace place;
    place.worldSize = n;
    place.masterAddr = QStringLiteral("127.0.0.1");
    place.masterPort = freePort();
    std::optional<JobSpec> spec;
    QJsonObject rankEnvironment; // the tuning variables, for ranks that do not inherit this environment
    if (spread) {
        const remote::Host &first = m_options.hosts.first();
        place.masterAddr = rendezvousAddress(first, m_options.hosts);
        if (!first.isLocal() && !isLoopback(place.masterAddr))
            place.masterPort = 29500 + int(QRandomGenerator::global()->bounded(20000)); // a port here says nothing of that host's
        if (qEnvironmentVariableIsSet("CAIRN_MASTER_PORT"))
            place.masterPort = qEnvironmentVariableIntValue("CAIRN_MASTER_PORT");
        const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &k : env.keys())
            if (k.startsWith(QLatin1String("CAIRN_DIST_")))
                rankEnvironment.insert(k, env.value(k));
        try {
            spec = JobSpec::load(m_options.specPath);
        } catch (const Error &e) {
            m_context.emitEvent(JobEvent::status(QStringLiteral("failed"), e.message()));
            return 1;
        }
    }
    std::vector<Rank> ranks(static_cast<size_t>(n));
    QEventLoop loop;
    QByteArray partial;           // rank 0's stdout, not yet a whole line
    std::optional<JobEvent> finalStatus; // rank 0's, held until every rank has ended
    bool stopSent = false;
    QTimer killTimer;
    killTimer.setSingleShot(true);
    QTimer abandonTimer;          // a rank on a host that no longer answers cannot be waited for
    abandonTimer.setSingleShot(true);
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
    auto failOthers = [&](bool neverStarted) {
        // A rank that never started leaves the others waiting at the rendezvous with nothing
        // to report: they go at once.
        if (abandonTimer.isActive() || (killTimer.isActive() && !neverStarted))
            return;
        killTimer.start(neverStarted ? 0 : m_options.graceMs);
    };
    auto ended = [&](Rank &me) {
        me.ended = true;
        me.endedAt = QDateTime::currentMSecsSinceEpoch();
        if (!me.ok)
            failOthers(me.pid <= 0);
        if (--running == 0)
            loop.quit();
    };
    QObject::connect(&killTimer, &QTimer::timeout, &loop, [&] {
        for (Rank &r : ranks) {
            if (r.ended)
                continue;
            r.killed = true;
            if (r.process)
                r.process->kill(); // SIGKILL: a stopped (SIGSTOP) rank cannot take SIGTERM
            else if (r.runner)
                r.runner->kill();
        }
        abandonTimer.start(std::max(15000, m_options.graceMs * 3));
    });
    QObject::connect(&abandonTimer, &QTimer::timeout, &loop, [&] {
        for (Rank &r : ranks)
            if (!r.ended) {
                r.failure = QStringLiteral("it did not end when killed; host '%1' does not answer (the process may still run there)").arg(r.host);
                r.secondary = true;
                ended(r);
            }
    });

    // What a rank wrote about its own failure (rank 0 in its final status, the others in their events).
    const auto rankSaid = [&](int k) {
        return k == 0 ? (finalStatus && finalStatus->status() == QLatin1String("failed") ? finalStatus->message() : QString())
                      : lastFailure(rankEventsPath(m_options.jobDir, k));
    };
    const auto signalFailure = [](int signal) {
        return LocalRunner::signalMessage(signal).replace(QLatin1String("the worker"), QLatin1String("it"));
    };
    // A rank's end: killed by us, a failure seen from outside (a signal, SSH), its own words, or done.
    const auto endRank = [&](Rank &me, const QString &said, const QString &failure, int exitCode) {
        if (me.killed) {
            me.failure = QStringLiteral("it was killed after another rank failed");
            me.secondary = true;
        } else if (!failure.isEmpty()) {
            me.failure = failure;
        } else if (exitCode != 0) {
            me.failure = said.isEmpty() ? QStringLiteral("it exited with code %1").arg(exitCode) : said;
            me.secondary = said.startsWith(QLatin1String("distributed:"));
        } else {
            me.ok = true;
        }
        ended(me);
    };

    QStringList pids;
    QStringList remoteRanks;
    for (int k = 0; k < n; ++k) {
        Rank &r = ranks[size_t(k)];
        const remote::Host host = spread ? m_options.hosts[k / perHost] : remote::Host::local();
        r.host = host.name;
        place.rank = k;
        place.localRank = spread ? k % perHost : k;
        place.hostName = spread ? host.name : QString();
        if (!host.isLocal()) {
            // Its own spec and folder: the runner sends the spec over and follows the rank there.
            const QString rankDir = QDir(m_options.jobDir).filePath(QStringLiteral("ranks/rank-%1").arg(k));
            QDir().mkpath(rankDir);
            JobSpec rankSpec = *spec;
            rankSpec.id = QStringLiteral("%1-rank%2").arg(spec->id.isEmpty() ? QFileInfo(m_options.jobDir).fileName() : spec->id).arg(k);
            rankSpec.resources.host = host.name;
            rankSpec.resources.hosts.clear();
            rankSpec.resources.cpus = spec->resources.cpus;
            if (k != 0)
                rankSpec.outputDir = QDir(rankDir).filePath(QStringLiteral("output"));
            rankSpec.distributed = place.toJson(rankEnvironment);
            rankSpec.distributed.insert(QStringLiteral("ranksOnHost"), perHost);
            const QString rankSpecPath = QDir(rankDir).filePath(QStringLiteral("spec.json"));
            try {
                rankSpec.save(rankSpecPath);
            } catch (const Error &e) {
                r.failure = e.message();
                ended(r);
                continue;
            }
            r.runner = std::make_unique<remote::SshRunner>(host);
            QObject::connect(r.runner.get(), &Runner::stdoutLine, &loop, [&, k](const QByteArray &line) {
                if (k == 0)
                    forward(line);
                else
                    appendTo(rankEventsPath(m_options.jobDir, k), line + '\n');
            });
            QObject::connect(r.runner.get(), &Runner::stderrText, &loop, [&, k](const QByteArray &text) {
                appendTo(rankLogPath(m_options.jobDir, k), text);
            });
            QObject::connect(r.runner.get(), &Runner::started, &loop, [&, k](qint64 pid) { ranks[size_t(k)].pid = pid; });
            QObject::connect(r.runner.get(), &Runner::finished, &loop, [&, k](int exitCode, bool crashed, const QString &error) {
                Rank &me = ranks[size_t(k)];
                if (me.ended)
                    return;
                const QString said = rankSaid(k);
                endRank(me, said, !error.isEmpty() ? error
                                  : crashed         ? QStringLiteral("it was killed or died without an exit code")
                                  : exitCode > 128 && said.isEmpty() ? signalFailure(exitCode - 128)
                                                                     : QString(),
                        exitCode);
            });
            r.runner->start(WorkerLaunch{m_options.program, {QStringLiteral("worker")}, rankSpecPath, rankDir, rankSpec.resources.cpus});
            remoteRanks << QStringLiteral("%1 on '%2'").arg(k).arg(host.name);
            continue;
        }
        r.process = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
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
            if (k == 0) {
                readRank0();
                if (!partial.isEmpty())
                    forward(partial), partial.clear();
            }
            endRank(me, rankSaid(k), status == QProcess::CrashExit ? signalFailure(exitCode) : QString(), exitCode);
        });
        QObject::connect(r.process.get(), &QProcess::errorOccurred, &loop, [&, k](QProcess::ProcessError error) {
            Rank &me = ranks[size_t(k)];
            if (error != QProcess::FailedToStart || me.ended)
                return;
            me.failure = QStringLiteral("it could not start: %1").arg(me.process->errorString());
            ended(me);
        });
        r.process->start(m_options.program, m_options.arguments);
        r.pid = r.process->processId();
        pids << QString::number(r.pid);
    }
    if (!spread)
        m_context.log(QStringLiteral("distributed: started %1 ranks on this machine (pids %2; %3 thread(s) each; rendezvous on port %4); "
                                     "the other ranks' logs are rank-<k>.log and rank-<k>.jsonl in %5")
                          .arg(n).arg(pids.join(QStringLiteral(", "))).arg(m_options.threadsPerRank).arg(place.masterPort).arg(m_options.jobDir));
    else {
        QStringList where;
        QStringList hosts;
        for (int k = 0; k < n; ++k) {
            where << QStringLiteral("%1=%2").arg(k).arg(ranks[size_t(k)].host);
            if (!hosts.contains(ranks[size_t(k)].host))
                hosts << ranks[size_t(k)].host;
        }
        // The run shows its ranks and hosts whatever the algorithm (the torch trainers add each
        // machine's own name once their ranks have met).
        m_context.setTag(QStringLiteral("distributed.ranks"), where.join(QStringLiteral(", ")));
        m_context.setTag(QStringLiteral("distributed.hosts"), hosts.join(QStringLiteral(", ")));
        m_context.log(QStringLiteral("distributed: %1 ranks over %2 host(s) (%3); rendezvous at %4:%5 on rank 0's host%6; "
                                     "the other ranks' events and logs come back into rank-<k>.jsonl and rank-<k>.log in %7")
                          .arg(n).arg(m_options.hosts.size()).arg(where.join(QStringLiteral(", ")), place.masterAddr).arg(place.masterPort)
                          .arg(pids.isEmpty() ? QString() : QStringLiteral(" (pids here %1)").arg(pids.join(QStringLiteral(", "))), m_options.jobDir));
    }

    // A stop request (control line or SIGTERM) goes to every rank once.
    QTimer stopPoll;
    QObject::connect(&stopPoll, &QTimer::timeout, &loop, [&] {
        if (stopSent || !m_context.stopRequested())
            return;
        stopSent = true;
        for (Rank &r : ranks) {
            if (r.ended)
                continue;
            if (r.process)
                r.process->write("{\"type\":\"stop\"}\n");
            else if (r.runner)
                r.runner->sendControl("{\"type\":\"stop\"}");
        }
    });
    stopPoll.start(200);
    if (running > 0)
        loop.exec();
    stopPoll.stop();
    killTimer.stop();
    abandonTimer.stop();
    // The kill requests of abandoned SSH ranks are processes of their runners: let them go out.
    bool abandoned = false;
    for (Rank &r : ranks)
        abandoned = abandoned || (r.runner && r.runner->isRunning());
    if (abandoned) {
        QTimer linger;
        linger.setSingleShot(true);
        QObject::connect(&linger, &QTimer::timeout, &loop, &QEventLoop::quit);
        linger.start(3000);
        loop.exec();
    }

    auto where = [&](int k) {
        const Rank &r = ranks[size_t(k)];
        if (!spread)
            return QStringLiteral("(pid %1)").arg(r.pid);
        return r.pid > 0 ? QStringLiteral("on host '%1' (pid %2)").arg(r.host).arg(r.pid) : QStringLiteral("on host '%1'").arg(r.host);
    };
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
        m_context.emitEvent(JobEvent::status(QStringLiteral("failed"), QStringLiteral("the %1 ranks lost contact; rank %2 %3 reports: %4 (the other ranks were stopped; logs: %5)")
                                                                           .arg(n).arg(blamedRank).arg(where(blamedRank), blamed->failure, m_options.jobDir)));
        return 1;
    }
    if (blamed) {
        m_context.emitEvent(JobEvent::status(QStringLiteral("failed"), QStringLiteral("rank %1 of %2 %3 failed: %4; the other ranks were stopped (logs: %5)")
                                                                           .arg(blamedRank).arg(n).arg(where(blamedRank), blamed->failure, m_options.jobDir)));
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
