#include "cairn/jobs/distributed.h"

#include "cairn/util/error.h"

namespace cairn {

namespace {

int intVariable(const QProcessEnvironment &env, const QString &name)
{
    bool ok = false;
    const int v = env.value(name).trimmed().toInt(&ok);
    if (!ok)
        throw Error(QStringLiteral("the environment variable %1 must be a whole number, not '%2'").arg(name, env.value(name)));
    return v;
}

} // namespace

QString firstSlurmHost(const QString &nodeList)
{
    // The first entry ends at the first comma outside brackets.
    QString first;
    int depth = 0;
    for (QChar c : nodeList.trimmed()) {
        if (c == QLatin1Char('['))
            ++depth;
        else if (c == QLatin1Char(']'))
            --depth;
        else if (c == QLatin1Char(',') && depth == 0)
            break;
        first += c;
    }
    const qsizetype open = first.indexOf(QLatin1Char('['));
    if (open < 0)
        return first;
    // "node[03-05,7]suffix": the prefix, the range's first number as written (zero padding kept), the rest.
    const qsizetype close = first.indexOf(QLatin1Char(']'), open);
    const QString inside = first.mid(open + 1, close < 0 ? -1 : close - open - 1);
    QString number;
    for (QChar c : inside) {
        if (c == QLatin1Char('-') || c == QLatin1Char(','))
            break;
        number += c;
    }
    return first.left(open) + number + (close < 0 ? QString() : first.mid(close + 1));
}

int masterPortForSlurmJob(qint64 jobId)
{
    return 29500 + int(jobId % 20000);
}

std::optional<DistributedPlace> DistributedPlace::fromEnvironment(const QProcessEnvironment &env)
{
    DistributedPlace p;
    if (env.contains(QStringLiteral("CAIRN_RANK")) || env.contains(QStringLiteral("CAIRN_WORLD_SIZE"))) {
        p.source = QStringLiteral("cairn");
        p.rank = intVariable(env, QStringLiteral("CAIRN_RANK"));
        p.worldSize = intVariable(env, QStringLiteral("CAIRN_WORLD_SIZE"));
        p.localRank = env.contains(QStringLiteral("CAIRN_LOCAL_RANK")) ? intVariable(env, QStringLiteral("CAIRN_LOCAL_RANK")) : 0;
        p.masterAddr = env.value(QStringLiteral("CAIRN_MASTER_ADDR"), QStringLiteral("127.0.0.1"));
        if (!env.contains(QStringLiteral("CAIRN_MASTER_PORT")))
            throw Error(QStringLiteral("CAIRN_RANK is set but CAIRN_MASTER_PORT is not: a distributed job needs its rendezvous port"));
        p.masterPort = intVariable(env, QStringLiteral("CAIRN_MASTER_PORT"));
    } else if (env.contains(QStringLiteral("SLURM_PROCID")) && env.contains(QStringLiteral("SLURM_NTASKS"))) {
        p.source = QStringLiteral("slurm");
        p.rank = intVariable(env, QStringLiteral("SLURM_PROCID"));
        p.worldSize = intVariable(env, QStringLiteral("SLURM_NTASKS"));
        p.localRank = env.contains(QStringLiteral("SLURM_LOCALID")) ? intVariable(env, QStringLiteral("SLURM_LOCALID")) : 0;
        const QString nodes = env.value(QStringLiteral("SLURM_JOB_NODELIST"), env.value(QStringLiteral("SLURM_NODELIST")));
        p.masterAddr = env.value(QStringLiteral("CAIRN_MASTER_ADDR"), nodes.isEmpty() ? QStringLiteral("127.0.0.1") : firstSlurmHost(nodes));
        if (env.contains(QStringLiteral("CAIRN_MASTER_PORT")))
            p.masterPort = intVariable(env, QStringLiteral("CAIRN_MASTER_PORT"));
        else if (env.contains(QStringLiteral("SLURM_JOB_ID")) || env.contains(QStringLiteral("SLURM_JOBID")))
            p.masterPort = masterPortForSlurmJob(env.value(QStringLiteral("SLURM_JOB_ID"), env.value(QStringLiteral("SLURM_JOBID"))).toLongLong());
        else
            throw Error(QStringLiteral("SLURM_PROCID is set but neither SLURM_JOB_ID nor CAIRN_MASTER_PORT is: no rendezvous port"));
    } else {
        return std::nullopt;
    }
    p.hostName = env.value(QStringLiteral("CAIRN_RANK_HOST"));
    if (p.worldSize < 1 || p.rank < 0 || p.rank >= p.worldSize)
        throw Error(QStringLiteral("rank %1 of %2 processes is not a place in a distributed job (%3 variables)").arg(p.rank).arg(p.worldSize).arg(p.source));
    if (p.worldSize > 1 && (p.masterPort <= 0 || p.masterPort > 65535))
        throw Error(QStringLiteral("the rendezvous port %1 is not a TCP port (%2 variables)").arg(p.masterPort).arg(p.source));
    return p;
}

void DistributedPlace::exportTo(QProcessEnvironment &env) const
{
    env.insert(QStringLiteral("CAIRN_RANK"), QString::number(rank));
    env.insert(QStringLiteral("CAIRN_WORLD_SIZE"), QString::number(worldSize));
    env.insert(QStringLiteral("CAIRN_LOCAL_RANK"), QString::number(localRank));
    env.insert(QStringLiteral("CAIRN_MASTER_ADDR"), masterAddr);
    env.insert(QStringLiteral("CAIRN_MASTER_PORT"), QString::number(masterPort));
    if (!hostName.isEmpty())
        env.insert(QStringLiteral("CAIRN_RANK_HOST"), hostName);
}

QJsonObject DistributedPlace::toJson(const QJsonObject &environment) const
{
    QJsonObject o{{QStringLiteral("rank"), rank},           {QStringLiteral("worldSize"), worldSize},
                  {QStringLiteral("localRank"), localRank}, {QStringLiteral("masterAddr"), masterAddr},
                  {QStringLiteral("masterPort"), masterPort}, {QStringLiteral("host"), hostName}};
    if (!environment.isEmpty())
        o.insert(QStringLiteral("environment"), environment);
    return o;
}

DistributedPlace DistributedPlace::fromJson(const QJsonObject &json)
{
    DistributedPlace p;
    p.source = QStringLiteral("cairn");
    p.rank = json.value(QStringLiteral("rank")).toInt(-1);
    p.worldSize = json.value(QStringLiteral("worldSize")).toInt(0);
    p.localRank = json.value(QStringLiteral("localRank")).toInt(0);
    p.masterAddr = json.value(QStringLiteral("masterAddr")).toString();
    p.masterPort = json.value(QStringLiteral("masterPort")).toInt(0);
    p.hostName = json.value(QStringLiteral("host")).toString();
    if (p.worldSize < 1 || p.rank < 0 || p.rank >= p.worldSize)
        throw Error(QStringLiteral("the job spec's \"distributed\" place (rank %1 of %2) is not a place in a distributed job").arg(p.rank).arg(p.worldSize));
    if (p.masterAddr.isEmpty() || p.masterPort <= 0 || p.masterPort > 65535)
        throw Error(QStringLiteral("the job spec's \"distributed\" place has no rendezvous address and port ('%1', %2)").arg(p.masterAddr).arg(p.masterPort));
    return p;
}

} // namespace cairn
