// `cairn hosts list|add|remove|probe|install-worker|start|stop|usage`: the machines jobs can run on.
#include "jobspecoptions.h"
#include "trainingcommands.h"

#include "cairn/remote/host.h"
#include "cairn/remote/hostusage.h"
#include "cairn/remote/probe.h"
#include "cairn/remote/sshconnection.h"
#include "cairn/remote/workerinstall.h"
#include "cairn/store/experimentstore.h"
#include "cairn/store/sqlitedatabase.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QMap>
#include <QProcess>
#include <QThread>

#include <algorithm>

namespace cairn::cli {

using remote::Host;
using remote::HostProbe;
using remote::HostStore;
using remote::SshConnection;
using remote::SshError;

int runHostsCommand(Context &c, const QString &verb);
int addSlurmHost(Context &c);      // slurmcommand.cpp
int slurmQueueCommand(Context &c); // slurmcommand.cpp

namespace {

QString kib(qint64 k)
{
    if (k <= 0)
        return QStringLiteral("?");
    const double g = double(k) / (1024.0 * 1024.0);
    return g >= 1 ? QStringLiteral("%1 GiB").arg(g, 0, 'f', 1) : QStringLiteral("%1 MiB").arg(double(k) / 1024.0, 0, 'f', 0);
}

int list(Context &c)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    if (!c.parse(parser, QStringLiteral("cairn hosts list [--format table|json]\n"
                                        "The machines jobs can run on: local, the hosts you added, and the Host entries of ~/.ssh/config.")))
        return 0;
    const QList<Host> hosts = HostStore().hosts();
    if (c.format(parser) == Format::Json) {
        QJsonArray a;
        for (const Host &h : hosts)
            a.append(h.toJson());
        c.printJson(a);
        return 0;
    }
    QList<QStringList> rows{{QStringLiteral("NAME"), QStringLiteral("KIND"), QStringLiteral("ADDRESS"), QStringLiteral("WORK FOLDER"),
                             QStringLiteral("JOBS"), QStringLiteral("PRICE/H"), QStringLiteral("SOURCE")}};
    for (const Host &h : hosts)
        rows << QStringList{h.name, h.isLocal() ? QStringLiteral("local") : h.isSlurm() ? QStringLiteral("slurm") : QStringLiteral("ssh"), h.address(), h.isLocal() ? QStringLiteral("-") : h.workDir,
                            h.isLocal() ? QStringLiteral("-") : QString::number(h.jobLimit), QString::number(h.pricePerHour, 'f', 2), h.source};
    printAligned(c.out, rows);
    return 0;
}

int add(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("What to call the host (any text)."));
    parser.addOption({QStringLiteral("host"), QStringLiteral("Address, DNS name or ~/.ssh/config alias (default: NAME)."), QStringLiteral("HOSTNAME")});
    parser.addOption({QStringLiteral("user"), QStringLiteral("Login name (default: ssh's)."), QStringLiteral("USER")});
    parser.addOption({QStringLiteral("port"), QStringLiteral("SSH port (default: ssh's)."), QStringLiteral("PORT")});
    parser.addOption({QStringLiteral("identity"), QStringLiteral("Private key file (default: the agent and ~/.ssh/id_*)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("ssh-config"), QStringLiteral("An ssh config file to use instead of ~/.ssh/config (ssh -F)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("known-hosts"), QStringLiteral("A known_hosts file instead of ssh's default."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("work-dir"), QStringLiteral("Folder on the host for jobs and cached data (default ~/.cairn-remote)."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("cairn"), QStringLiteral("The cairn command on the host (default: cairn on its PATH)."), QStringLiteral("PROGRAM")});
    parser.addOption({QStringLiteral("start-command"), QStringLiteral("A shell line run here to start the machine (cairn hosts start)."), QStringLiteral("LINE")});
    parser.addOption({QStringLiteral("stop-command"), QStringLiteral("A shell line run here to stop it (cairn hosts stop, idle shutdown)."), QStringLiteral("LINE")});
    parser.addOption({QStringLiteral("price-per-hour"), QStringLiteral("What the machine costs per hour while up."), QStringLiteral("X")});
    parser.addOption({QStringLiteral("price-per-gpu-hour"), QStringLiteral("On-prem: a price per GPU in use and hour."), QStringLiteral("X")});
    parser.addOption({QStringLiteral("idle-timeout"), QStringLiteral("Minutes without work after which the stop command runs (0: never)."), QStringLiteral("MIN")});
    parser.addOption({QStringLiteral("job-limit"), QStringLiteral("Jobs at once on the host (default 1)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("replace"), QStringLiteral("Replace the settings of an existing host of that name.")});
    parser.addOption({QStringLiteral("probe"), QStringLiteral("Connect and probe the host after adding it.")});
    parser.addOption({QStringLiteral("accept-new-host-key"), QStringLiteral("With --probe: record the host's key if it is not known yet (after showing its fingerprint).")});
    if (!c.parse(parser, QStringLiteral("cairn hosts add NAME [--host HOSTNAME] [--user USER] [--port PORT] [--identity FILE] [--work-dir DIR]\n"
                                        "                [--price-per-hour X] [--job-limit N] [--start-command LINE] [--stop-command LINE] [--probe]\n"
                                        "Adds an SSH host. Connections go through the system ssh client, with your agent, keys and known_hosts.")))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("cairn hosts add needs one NAME"));
    HostStore store;
    Host h;
    const QString name = parser.positionalArguments().first();
    if (parser.isSet(QStringLiteral("replace"))) {
        if (const auto existing = store.find(name))
            h = *existing;
    }
    h.name = name;
    h.kind = Host::Kind::Ssh;
    if (h.source.isEmpty() || h.source == QLatin1String("ssh-config"))
        h.source = h.source.isEmpty() ? QStringLiteral("manual") : h.source;
    if (parser.isSet(QStringLiteral("host")))
        h.hostname = parser.value(QStringLiteral("host"));
    if (h.hostname.isEmpty())
        h.hostname = name;
    auto text = [&](const char *opt, QString &field) {
        if (parser.isSet(QLatin1String(opt)))
            field = parser.value(QLatin1String(opt));
    };
    text("user", h.user);
    text("identity", h.identityFile);
    text("ssh-config", h.sshConfigFile);
    text("known-hosts", h.knownHostsFile);
    text("work-dir", h.workDir);
    text("cairn", h.cairnCommand);
    text("start-command", h.startCommand);
    text("stop-command", h.stopCommand);
    if (parser.isSet(QStringLiteral("port")))
        h.port = intOption(parser, QStringLiteral("port"), 1);
    if (parser.isSet(QStringLiteral("price-per-hour")))
        h.pricePerHour = numberOption(parser, QStringLiteral("price-per-hour"), 0);
    if (parser.isSet(QStringLiteral("price-per-gpu-hour")))
        h.pricePerGpuHour = numberOption(parser, QStringLiteral("price-per-gpu-hour"), 0);
    if (parser.isSet(QStringLiteral("idle-timeout")))
        h.idleTimeoutMinutes = intOption(parser, QStringLiteral("idle-timeout"), 0);
    if (parser.isSet(QStringLiteral("job-limit")))
        h.jobLimit = intOption(parser, QStringLiteral("job-limit"), 1);
    try {
        h.validate();
    } catch (const Error &e) {
        throw UsageError(e.message());
    }
    if (parser.isSet(QStringLiteral("replace")) && store.find(name))
        store.update(h);
    else
        store.add(h);
    c.out << "added host '" << h.name << "' (" << h.address() << ") to " << store.path() << "\n";
    c.out.flush();
    if (!parser.isSet(QStringLiteral("probe")))
        return 0;
    QStringList probeArgs{h.name};
    if (parser.isSet(QStringLiteral("accept-new-host-key")))
        probeArgs << QStringLiteral("--accept-new-host-key");
    c.arguments = probeArgs;
    return runHostsCommand(c, QStringLiteral("probe"));
}

int removeHost(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The host."));
    if (!c.parse(parser, QStringLiteral("cairn hosts remove NAME\nForgets a host (nothing on the machine is touched).")))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("cairn hosts remove needs one NAME"));
    const QString name = parser.positionalArguments().first();
    HostStore().remove(name);
    c.out << "removed host '" << name << "'\n";
    return 0;
}

void printProbe(Context &c, const HostProbe &p, const Host &h)
{
    QList<QStringList> rows;
    rows << QStringList{QStringLiteral("host"), QStringLiteral("%1 (%2), answered in %3 ms").arg(h.name, h.address()).arg(p.latencyMs)};
    rows << QStringList{QStringLiteral("os"), QStringLiteral("%1, %2 %3").arg(p.os, p.kernel, p.arch)};
    rows << QStringList{QStringLiteral("cpu"), QStringLiteral("%1 × %2").arg(p.cores).arg(p.cpuModel.isEmpty() ? QStringLiteral("?") : p.cpuModel)};
    rows << QStringList{QStringLiteral("memory"), QStringLiteral("%1 free of %2").arg(kib(p.memoryAvailableKiB), kib(p.memoryTotalKiB))};
    if (!h.isLocal())
        rows << QStringList{QStringLiteral("work folder"), QStringLiteral("%1 (%2 free)").arg(p.workDir, kib(p.diskFreeKiB))};
    rows << QStringList{QStringLiteral("load"), QString::number(p.load1, 'f', 2)};
    if (p.gpus.isEmpty())
        rows << QStringList{QStringLiteral("gpus"), p.gpuError.isEmpty() ? QStringLiteral("none") : QStringLiteral("none usable: %1").arg(p.gpuError)};
    for (const remote::GpuInfo &g : p.gpus)
        rows << QStringList{QStringLiteral("gpu %1").arg(g.index), QStringLiteral("%1, %2/%3 MiB used, %4% busy, %5 °C")
                                                                       .arg(g.name).arg(g.memoryUsedMiB).arg(g.memoryTotalMiB)
                                                                       .arg(g.utilizationPercent).arg(g.temperatureC)};
    rows << QStringList{QStringLiteral("python3"), p.python3.isEmpty() ? QStringLiteral("not found")
                                                                       : QStringLiteral("%1 (%2), ipykernel %3").arg(p.python3, p.pythonVersion,
                                                                                                                    p.ipykernel ? QStringLiteral("yes") : QStringLiteral("missing"))};
    if (!h.isLocal())
        rows << QStringList{QStringLiteral("install"), remote::isDebianLike(p)
                                                           ? QStringLiteral("Debian packages (%1); %2").arg(p.debArch.isEmpty() ? p.arch : p.debArch,
                                                                 p.isRoot ? QStringLiteral("root login") : p.canSudo ? QStringLiteral("sudo without a password")
                                                                                                                    : QStringLiteral("no sudo without a password"))
                                                           : QStringLiteral("not Debian: build from source there")};
    rows << QStringList{QStringLiteral("worker"), p.workerOk ? QStringLiteral("cairn %1, protocol %2%3").arg(p.workerVersion).arg(p.workerProtocol)
                                                                   .arg(p.cairnPath.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(p.cairnPath))
                                                             : p.workerProblem};
    printAligned(c.out, rows);
}

int probe(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The host."));
    parser.addOption(formatOption());
    parser.addOption({QStringLiteral("accept-new-host-key"), QStringLiteral("If the host's key is not known yet, show its fingerprint and record it in known_hosts.")});
    parser.addOption({QStringLiteral("fingerprint"), QStringLiteral("With --accept-new-host-key: record the key only if it has this fingerprint (SHA256:...)."), QStringLiteral("FP")});
    if (!c.parse(parser, QStringLiteral("cairn hosts probe NAME [--accept-new-host-key [--fingerprint SHA256:...]] [--format table|json]\n"
                                        "Connects and reports OS, CPU, memory, disk, GPUs, python3/ipykernel and the cairn worker.\n"
                                        "Exit 0 when jobs can run there, 1 otherwise (the reason is printed).")))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("cairn hosts probe needs one NAME"));
    const Host h = HostStore().host(parser.positionalArguments().first());
    if (h.isSlurm() && !h.usesSsh()) {
        // Slurm on this machine: what there is to probe is the cluster.
        c.arguments = QStringList{h.name} + (c.format(parser) == Format::Json ? QStringList{QStringLiteral("--format"), QStringLiteral("json")} : QStringList{});
        return slurmQueueCommand(c);
    }
    HostProbe p = remote::probeHost(h);
    if (!p.reachable && p.errorReason == QLatin1String("unknown-host-key") && parser.isSet(QStringLiteral("accept-new-host-key"))) {
        const auto key = SshConnection(h).acceptHostKey(parser.value(QStringLiteral("fingerprint")));
        c.err << "cairn: recorded the host key of '" << h.name << "' (" << key.fingerprints.join(QStringLiteral(", ")) << ") in "
              << SshConnection(h).knownHostsFile() << "\n";
        c.err.flush();
        p = remote::probeHost(h);
    }
    if (c.format(parser) == Format::Json) {
        c.printJson(p.toJson());
    } else if (p.reachable) {
        printProbe(c, p, h);
    }
    c.out.flush();
    if (!p.reachable)
        throw Error(p.error);
    if (!p.workerOk) {
        c.err << "cairn: jobs cannot run on '" << h.name << "' yet: " << p.workerProblem << "\n";
        return 1;
    }
    return 0;
}

/// Installs the project's own .deb on a Debian host as its worker: checks the package and the
/// host (Debian, sudo without a password or root), copies it over the shared connection and runs
/// `sudo -n apt-get install -y ./FILE` there, then asks the new worker for its handshake.
int installWorkerCommand(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The host."));
    parser.addOption({QStringLiteral("deb"), QStringLiteral("The package cpack -G DEB made (cairn-studio_VERSION_ARCH.deb)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("dry-run"), QStringLiteral("Check and copy the package, print the install command, do not run it.")});
    if (!c.parse(parser, QStringLiteral("cairn hosts install-worker NAME --deb FILE [--dry-run]\n"
                                        "Installs Cairn's own Debian package on a Debian or Ubuntu host where your user can sudo without\n"
                                        "a password (or logs in as root): copies it into the host's work folder and runs\n"
                                        "sudo -n apt-get install -y ./FILE there.")))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("cairn hosts install-worker needs one NAME"));
    if (parser.value(QStringLiteral("deb")).isEmpty())
        throw UsageError(QStringLiteral("cairn hosts install-worker needs --deb FILE (make it with `cpack -G DEB` in a build folder)"));
    const Host h = HostStore().host(parser.positionalArguments().first());
    if (h.isLocal())
        throw Error(QStringLiteral("'local' runs this very build: nothing to install"));
    const remote::DebPackage deb = remote::readDebPackage(parser.value(QStringLiteral("deb")));
    const HostProbe before = remote::probeHost(h);
    if (!before.reachable)
        throw Error(before.error);
    c.out << "host " << h.name << ": " << (before.os.isEmpty() ? QStringLiteral("unknown system") : before.os) << ", "
          << (before.debArch.isEmpty() ? before.arch : before.debArch) << "; "
          << (before.isRoot ? "root login" : before.canSudo ? "sudo without a password: yes" : "sudo without a password: no") << "\n";
    c.out << "worker now: " << (before.workerOk ? QStringLiteral("cairn %1, protocol %2").arg(before.workerVersion).arg(before.workerProtocol)
                                                : QStringLiteral("none usable")) << "\n";
    const remote::WorkerInstallPlan plan = remote::planWorkerInstall(before, deb);
    c.out << "package: " << deb.package << " " << deb.version << " (" << deb.architecture << ") -> " << plan.remoteFile << "\n";
    c.out << "command: " << plan.commandLine() << "\n";
    c.out.flush();
    const bool dryRun = parser.isSet(QStringLiteral("dry-run"));
    remote::installWorker(h, plan, dryRun);
    if (dryRun) {
        c.out << "dry run: the package is on the host; the command was not run\n";
        return 0;
    }
    const HostProbe after = remote::probeHost(h);
    if (!after.workerOk)
        throw Error(QStringLiteral("the package is installed but the worker is still not usable: %1").arg(after.workerProblem));
    c.out << "worker ready: cairn " << after.workerVersion << ", protocol " << after.workerProtocol
          << (after.cairnPath.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(after.cairnPath)) << "\n";
    return 0;
}

/// Runs the host's own start or stop line (the user wrote it as a shell line: it is run as one).
int startStop(Context &c, bool start)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The host."));
    parser.addOption({QStringLiteral("wait"), QStringLiteral("After starting: seconds to wait until the host answers over SSH (default 300)."), QStringLiteral("S")});
    if (!c.parse(parser, start ? QStringLiteral("cairn hosts start NAME [--wait S]\nRuns the host's start command, then waits until it answers.")
                               : QStringLiteral("cairn hosts stop NAME\nRuns the host's stop command.")))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("cairn hosts %1 needs one NAME").arg(start ? QStringLiteral("start") : QStringLiteral("stop")));
    const Host h = HostStore().host(parser.positionalArguments().first());
    const QString line = start ? h.startCommand : h.stopCommand;
    if (line.isEmpty())
        throw Error(QStringLiteral("host '%1' has no %2 command (set one: cairn hosts add '%1' --replace --%2-command LINE)")
                        .arg(h.name, start ? QStringLiteral("start") : QStringLiteral("stop")));
    c.err << "cairn: " << (start ? "starting" : "stopping") << " '" << h.name << "': " << line << "\n";
    c.err.flush();
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedChannels);
    p.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), line});
    p.waitForFinished(-1);
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        throw Error(QStringLiteral("the %1 command of '%2' failed (exit %3)").arg(start ? QStringLiteral("start") : QStringLiteral("stop"), h.name).arg(p.exitCode()));
    if (!start) {
        SshConnection(h).closeMaster();
        c.out << "stopped '" << h.name << "'\n";
        return 0;
    }
    const int waitS = parser.isSet(QStringLiteral("wait")) ? intOption(parser, QStringLiteral("wait"), 0) : 300;
    QElapsedTimer t;
    t.start();
    for (;;) {
        try {
            SshConnection(h).run({QStringLiteral("true")}, 15000);
            c.out << "started '" << h.name << "': it answers over SSH after " << t.elapsed() / 1000 << " s\n";
            return 0;
        } catch (const SshError &e) {
            if (e.reason() == SshError::Reason::Auth || e.reason() == SshError::Reason::ChangedHostKey || t.elapsed() > waitS * 1000LL)
                throw;
        }
        QThread::msleep(2000);
    }
}

/// Busy time and cost of each host per day: the cost model of HostUsage (a host's price split
/// between the jobs sharing it, GPU-hours on top), the same numbers as the Resource panel.
int usage(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Only this host."), QStringLiteral("[NAME]"));
    parser.addOption({QStringLiteral("days"), QStringLiteral("How many days back, today included (default 30)."), QStringLiteral("N")});
    parser.addOption(formatOption());
    if (!c.parse(parser, QStringLiteral("cairn hosts usage [NAME] [--days N] [--format table|json]\n"
                                        "Hours each host was busy with this workspace's runs, per day, and what that cost: its price per hour\n"
                                        "split between the jobs sharing it, plus its price per GPU-hour for the GPUs each job held.")))
        return 0;
    const int days = parser.isSet(QStringLiteral("days")) ? intOption(parser, QStringLiteral("days"), 1) : 30;
    const QString only = parser.positionalArguments().value(0);
    const QList<Host> hosts = HostStore().hosts();
    if (!only.isEmpty() && std::none_of(hosts.cbegin(), hosts.cend(), [&](const Host &h) { return h.name == only; }))
        HostStore().host(only); // throws, naming the known hosts
    const remote::UsageReport report = remote::HostUsage::report(c.workspace(), hosts, days, nowMs());
    QJsonArray json;
    QList<QStringList> rows{{QStringLiteral("HOST"), QStringLiteral("DAY"), QStringLiteral("RUNS"), QStringLiteral("BUSY"), QStringLiteral("COST")}};
    QString current;
    qint64 totalMs = 0;
    int totalRuns = 0;
    double totalCost = 0;
    auto closeHost = [&] {
        if (!current.isEmpty())
            rows << QStringList{current, QStringLiteral("total"), QString::number(totalRuns), formatDuration(totalMs), remote::HostUsage::formatCost(totalCost)};
        totalMs = 0;
        totalRuns = 0;
        totalCost = 0;
    };
    for (const remote::HostDayUsage &d : report.days) {
        if (!only.isEmpty() && d.host != only)
            continue;
        if (d.host != current) {
            closeHost();
            current = d.host;
        }
        rows << QStringList{d.host, d.day, QString::number(d.runs), formatDuration(d.busyMs), remote::HostUsage::formatCost(d.cost)};
        json.append(QJsonObject{{QStringLiteral("host"), d.host}, {QStringLiteral("day"), d.day}, {QStringLiteral("runs"), d.runs},
                                {QStringLiteral("busyMs"), d.busyMs}, {QStringLiteral("cost"), d.cost}});
        totalMs += d.busyMs;
        totalRuns += d.runs;
        totalCost += d.cost;
    }
    closeHost();
    if (c.format(parser) == Format::Json)
        c.printJson(json);
    else
        printAligned(c.out, rows);
    return 0;
}

} // namespace

int runHostsCommand(Context &c, const QString &verb)
{
    if (verb.isEmpty() || verb == QLatin1String("list"))
        return list(c);
    if (verb == QLatin1String("add"))
        return c.arguments.contains(QStringLiteral("--slurm")) ? addSlurmHost(c) : add(c);
    if (verb == QLatin1String("queue"))
        return slurmQueueCommand(c);
    if (verb == QLatin1String("remove") || verb == QLatin1String("rm"))
        return removeHost(c);
    if (verb == QLatin1String("probe") || verb == QLatin1String("test"))
        return probe(c);
    if (verb == QLatin1String("install-worker"))
        return installWorkerCommand(c);
    if (verb == QLatin1String("start"))
        return startStop(c, true);
    if (verb == QLatin1String("stop"))
        return startStop(c, false);
    if (verb == QLatin1String("usage"))
        return usage(c);
    throw UsageError(QStringLiteral("unknown hosts command '%1' (use list, add, remove, probe, install-worker, start, stop, usage or queue)").arg(verb));
}

} // namespace cairn::cli
