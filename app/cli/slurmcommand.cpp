// `cairn hosts add --slurm NAME [--login user@host]` and `cairn hosts queue NAME`: Slurm clusters.
#include "jobspecoptions.h"
#include "trainingcommands.h"

#include "cairn/remote/host.h"
#include "cairn/remote/slurm.h"

#include <QJsonArray>

namespace cairn::cli {

using remote::Host;
using remote::HostStore;

int addSlurmHost(Context &c);
int slurmQueueCommand(Context &c);

int addSlurmHost(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("What to call the cluster (any text)."));
    parser.addOption({QStringLiteral("slurm"), QStringLiteral("The host is a Slurm cluster.")});
    parser.addOption({QStringLiteral("login"), QStringLiteral("The cluster's login host, [USER@]HOST (default: Slurm's commands on this machine)."), QStringLiteral("USER@HOST")});
    parser.addOption({QStringLiteral("port"), QStringLiteral("SSH port of the login host."), QStringLiteral("PORT")});
    parser.addOption({QStringLiteral("identity"), QStringLiteral("Private key file for the login host."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("ssh-config"), QStringLiteral("An ssh config file to use instead of ~/.ssh/config (ssh -F)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("known-hosts"), QStringLiteral("A known_hosts file instead of ssh's default."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("work-dir"), QStringLiteral("Folder on the cluster's shared filesystem for jobs and data (default ~/.cairn-remote)."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("cairn"), QStringLiteral("The cairn command on the compute nodes (default: cairn on their PATH)."), QStringLiteral("PROGRAM")});
    parser.addOption({QStringLiteral("price-per-gpu-hour"), QStringLiteral("A price per GPU in use and hour."), QStringLiteral("X")});
    parser.addOption({QStringLiteral("replace"), QStringLiteral("Replace the settings of an existing host of that name.")});
    if (!c.parse(parser, QStringLiteral("cairn hosts add --slurm NAME [--login USER@HOST] [--port PORT] [--identity FILE] [--work-dir DIR] [--cairn PROGRAM]\n"
                                        "Adds a Slurm cluster: jobs become batch jobs (sbatch); `cairn train --host NAME --instances N` runs on N nodes.\n"
                                        "Without --login, Slurm's commands run on this machine (a login node, or a cluster on localhost).")))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("cairn hosts add --slurm needs one NAME"));
    HostStore store;
    const QString name = parser.positionalArguments().first();
    Host h;
    const bool replace = parser.isSet(QStringLiteral("replace")) && store.find(name);
    if (replace)
        h = *store.find(name);
    h.name = name;
    h.kind = Host::Kind::Slurm;
    h.source = QStringLiteral("manual");
    h.jobLimit = 1000; // Slurm keeps the queue
    if (parser.isSet(QStringLiteral("login"))) {
        const QString login = parser.value(QStringLiteral("login"));
        const qsizetype at = login.lastIndexOf(QLatin1Char('@'));
        h.user = at >= 0 ? login.left(at) : QString();
        h.hostname = at >= 0 ? login.mid(at + 1) : login;
        if (h.hostname.isEmpty())
            throw UsageError(QStringLiteral("--login needs a host name ([USER@]HOST)"));
    }
    auto text = [&](const char *opt, QString &field) {
        if (parser.isSet(QLatin1String(opt)))
            field = parser.value(QLatin1String(opt));
    };
    text("identity", h.identityFile);
    text("ssh-config", h.sshConfigFile);
    text("known-hosts", h.knownHostsFile);
    text("work-dir", h.workDir);
    text("cairn", h.cairnCommand);
    if (parser.isSet(QStringLiteral("port")))
        h.port = intOption(parser, QStringLiteral("port"), 1);
    if (parser.isSet(QStringLiteral("price-per-gpu-hour")))
        h.pricePerGpuHour = numberOption(parser, QStringLiteral("price-per-gpu-hour"), 0);
    try {
        h.validate();
    } catch (const Error &e) {
        throw UsageError(e.message());
    }
    if (replace)
        store.update(h);
    else
        store.add(h);
    c.out << "added Slurm cluster '" << h.name << "' (" << h.address() << ") to " << store.path() << "\n";
    return 0;
}

/// Partitions, nodes and the queue of a cluster; Cairn's jobs are marked with '*'.
int slurmQueueCommand(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The Slurm cluster."));
    parser.addOption(formatOption());
    if (!c.parse(parser, QStringLiteral("cairn hosts queue NAME [--format table|json]\n"
                                        "A Slurm cluster's partitions (nodes and GPUs free and used), its nodes and its queue, with the\n"
                                        "reason each pending job waits (Priority, Resources...). Jobs Cairn submitted are marked '*'.")))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("cairn hosts queue needs one NAME"));
    const Host h = HostStore().host(parser.positionalArguments().first());
    if (!h.isSlurm())
        throw UsageError(QStringLiteral("'%1' is not a Slurm cluster (add one with cairn hosts add --slurm NAME)").arg(h.name));
    const remote::SlurmOverview o = remote::SlurmCluster(h).overview();
    if (!o.error.isEmpty())
        throw Error(o.error);
    if (c.format(parser) == Format::Json) {
        QJsonArray parts, nodes, queue;
        for (const auto &p : o.partitions)
            parts.append(QJsonObject{{QStringLiteral("name"), p.name}, {QStringLiteral("default"), p.isDefault}, {QStringLiteral("state"), p.state},
                                     {QStringLiteral("maxTime"), p.maxTime}, {QStringLiteral("nodesTotal"), p.nodesTotal},
                                     {QStringLiteral("nodesIdle"), p.nodesIdle}, {QStringLiteral("nodesAllocated"), p.nodesAllocated},
                                     {QStringLiteral("cpusTotal"), p.cpusTotal}, {QStringLiteral("cpusIdle"), p.cpusIdle},
                                     {QStringLiteral("gpusTotal"), p.gpusTotal}, {QStringLiteral("gpusUsed"), p.gpusUsed}});
        for (const auto &n : o.nodes)
            nodes.append(QJsonObject{{QStringLiteral("name"), n.name}, {QStringLiteral("state"), n.state}, {QStringLiteral("cpus"), n.cpus},
                                     {QStringLiteral("cpusAllocated"), n.cpusAllocated}, {QStringLiteral("memoryMb"), n.memoryMb},
                                     {QStringLiteral("gpus"), n.gpus}, {QStringLiteral("gpusAllocated"), n.gpusAllocated}});
        for (const auto &e : o.queue)
            queue.append(QJsonObject{{QStringLiteral("jobId"), e.jobId}, {QStringLiteral("name"), e.name}, {QStringLiteral("user"), e.user},
                                     {QStringLiteral("state"), e.state}, {QStringLiteral("reason"), e.reason}, {QStringLiteral("partition"), e.partition},
                                     {QStringLiteral("nodes"), e.nodes}, {QStringLiteral("cpus"), e.cpus}, {QStringLiteral("time"), e.timeUsed},
                                     {QStringLiteral("timeLimit"), e.timeLimit}, {QStringLiteral("nodeList"), e.nodeList}, {QStringLiteral("ours"), e.ours}});
        c.printJson(QJsonObject{{QStringLiteral("partitions"), parts}, {QStringLiteral("nodes"), nodes}, {QStringLiteral("queue"), queue}});
        return 0;
    }
    QList<QStringList> rows{{QStringLiteral("PARTITION"), QStringLiteral("STATE"), QStringLiteral("NODES IDLE/USED/TOTAL"),
                             QStringLiteral("CPUS IDLE/TOTAL"), QStringLiteral("GPUS USED/TOTAL"), QStringLiteral("MAX TIME")}};
    for (const auto &p : o.partitions)
        rows << QStringList{p.name + (p.isDefault ? QStringLiteral(" (default)") : QString()), p.state,
                            QStringLiteral("%1/%2/%3").arg(p.nodesIdle).arg(p.nodesAllocated).arg(p.nodesTotal),
                            QStringLiteral("%1/%2").arg(p.cpusIdle).arg(p.cpusTotal), QStringLiteral("%1/%2").arg(p.gpusUsed).arg(p.gpusTotal), p.maxTime};
    printAligned(c.out, rows);
    c.out << "\n";
    rows = {{QStringLiteral(""), QStringLiteral("JOBID"), QStringLiteral("NAME"), QStringLiteral("USER"), QStringLiteral("STATE"),
             QStringLiteral("REASON/NODES"), QStringLiteral("PARTITION"), QStringLiteral("CPUS"), QStringLiteral("TIME"), QStringLiteral("LIMIT")}};
    for (const auto &e : o.queue)
        rows << QStringList{e.ours ? QStringLiteral("*") : QString(), e.jobId, e.name, e.user, e.state,
                            e.state == QLatin1String("PENDING") ? e.reason : e.nodeList, e.partition, QString::number(e.cpus), e.timeUsed, e.timeLimit};
    if (o.queue.isEmpty())
        c.out << "the queue is empty\n";
    else
        printAligned(c.out, rows);
    return 0;
}

} // namespace cairn::cli
