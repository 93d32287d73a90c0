#include "cairn/jobs/jobspec.h"

#include "cairn/util/error.h"

#include <QFile>
#include <QJsonDocument>
#include <QLocale>
#include <QSaveFile>

#include <cmath>

namespace cairn {

namespace {
QJsonObject resourcesJson(const JobSpec::Resources &r)
{
    QJsonObject o{{QStringLiteral("cpus"), r.cpus}, {QStringLiteral("host"), r.host}};
    // The cluster settings only when set, so that other jobs' specs stay as they were.
    if (!r.partition.isEmpty())
        o.insert(QStringLiteral("partition"), r.partition);
    if (!r.timeLimit.isEmpty())
        o.insert(QStringLiteral("timeLimit"), r.timeLimit);
    if (r.gpusPerInstance > 0)
        o.insert(QStringLiteral("gpusPerInstance"), r.gpusPerInstance);
    if (r.memoryMb > 0)
        o.insert(QStringLiteral("memoryMb"), r.memoryMb);
    if (!r.hosts.isEmpty())
        o.insert(QStringLiteral("hosts"), QJsonArray::fromStringList(r.hosts));
    return o;
}
} // namespace

QJsonObject JobSpec::toJson() const
{
    QJsonObject ch;
    for (auto it = channels.begin(); it != channels.end(); ++it)
        ch.insert(it.key(), it.value().toJson());
    QJsonObject json{
        {QStringLiteral("version"), version},
        {QStringLiteral("id"), id},
        {QStringLiteral("algorithm"), algorithm},
        {QStringLiteral("hyperparameters"), hyperparameters},
        {QStringLiteral("channels"), ch},
        {QStringLiteral("target"), target},
        {QStringLiteral("task"), task},
        {QStringLiteral("validationFraction"), validationFraction},
        {QStringLiteral("seed"), QString::number(seed)},
        {QStringLiteral("outputDir"), outputDir},
        {QStringLiteral("resources"), resourcesJson(resources)},
        {QStringLiteral("debugger"), QJsonObject{{QStringLiteral("collections"), QJsonArray::fromStringList(debugger.collections)},
                                                 {QStringLiteral("interval"), debugger.interval},
                                                 {QStringLiteral("rules"), debugger.rules}}},
        {QStringLiteral("stopping"), QJsonObject{{QStringLiteral("maxRuntimeSeconds"), double(stopping.maxRuntimeSeconds)}}},
        {QStringLiteral("experiment"), experiment},
        {QStringLiteral("runName"), runName},
        {QStringLiteral("runUuid"), runUuid},
        {QStringLiteral("parentRunUuid"), parentRunUuid},
    };
    if (!preprocessing.isEmpty())
        json.insert(QStringLiteral("preprocessing"), preprocessing);
    if (!distributed.isEmpty())
        json.insert(QStringLiteral("distributed"), distributed);
    // Distributed training only when asked for, so that other jobs' specs stay as they were.
    if (resources.instances != 1 || resources.processesPerInstance != 1) {
        QJsonObject r = json.value(QStringLiteral("resources")).toObject();
        r.insert(QStringLiteral("instances"), resources.instances);
        r.insert(QStringLiteral("processesPerInstance"), resources.processesPerInstance);
        json.insert(QStringLiteral("resources"), r);
    }
    return json;
}

JobSpec JobSpec::fromJson(const QJsonObject &json, const QString &where)
{
    JobSpec s;
    if (!json.contains(QStringLiteral("version")))
        throw Error(QStringLiteral("%1: no \"version\" (this build writes and reads version %2)").arg(where).arg(kVersion));
    s.version = json.value(QStringLiteral("version")).toInt();
    if (s.version < 1 || s.version > kVersion)
        throw Error(QStringLiteral("%1: spec version %2 is not supported (this build reads version %3; update Cairn on this host)")
                        .arg(where).arg(s.version).arg(kVersion));
    s.id = json.value(QStringLiteral("id")).toString();
    s.algorithm = json.value(QStringLiteral("algorithm")).toString();
    if (s.algorithm.isEmpty())
        throw Error(QStringLiteral("%1: no \"algorithm\"").arg(where));
    const QJsonValue hp = json.value(QStringLiteral("hyperparameters"));
    if (!hp.isUndefined() && !hp.isObject())
        throw Error(QStringLiteral("%1: \"hyperparameters\" must be an object").arg(where));
    s.hyperparameters = hp.toObject();
    const QJsonObject ch = json.value(QStringLiteral("channels")).toObject();
    for (auto it = ch.begin(); it != ch.end(); ++it)
        s.channels.insert(it.key(), data::ChannelSpec::fromJson(it.value().toObject(), QStringLiteral("%1: channel '%2'").arg(where, it.key())));
    if (!s.channels.contains(QStringLiteral("train")))
        throw Error(QStringLiteral("%1: no \"train\" channel").arg(where));
    s.target = json.value(QStringLiteral("target")).toString();
    s.task = json.value(QStringLiteral("task")).toString();
    s.validationFraction = json.value(QStringLiteral("validationFraction")).toDouble(0.2);
    if (s.validationFraction < 0 || s.validationFraction >= 1)
        throw Error(QStringLiteral("%1: validationFraction must be in [0, 1)").arg(where));
    const QJsonValue seed = json.value(QStringLiteral("seed"));
    s.seed = seed.isString() ? seed.toString().toULongLong() : quint64(seed.toDouble(42));
    s.outputDir = json.value(QStringLiteral("outputDir")).toString();
    const QJsonObject res = json.value(QStringLiteral("resources")).toObject();
    const QJsonValue cpus = res.value(QStringLiteral("cpus"));
    if (!cpus.isUndefined() && !cpus.isNull()) {
        const double n = cpus.toDouble(-1);
        if (!cpus.isDouble() || !(n >= 0 && n <= 65536) || n != std::floor(n))
            throw Error(QStringLiteral("%1: resources.cpus must be a whole number of CPUs (0: all of the machine's), not %2")
                            .arg(where, cpus.isDouble() ? QString::number(n, 'g', QLocale::FloatingPointShortest) : cpus.toVariant().toString()));
        s.resources.cpus = int(n);
    }
    s.resources.host = res.value(QStringLiteral("host")).toString(QStringLiteral("local"));
    for (auto [key, field] : {std::pair{QStringLiteral("instances"), &s.resources.instances},
                              std::pair{QStringLiteral("processesPerInstance"), &s.resources.processesPerInstance}}) {
        const QJsonValue v = res.value(key);
        if (v.isUndefined() || v.isNull())
            continue;
        const double n = v.toDouble(-1);
        if (!v.isDouble() || !(n >= 1 && n <= 4096) || n != std::floor(n))
            throw Error(QStringLiteral("%1: resources.%2 must be a whole number from 1 to 4096, not %3")
                            .arg(where, key, v.isDouble() ? QString::number(n, 'g', QLocale::FloatingPointShortest) : v.toVariant().toString()));
        *field = int(n);
    }
    const QJsonValue hosts = res.value(QStringLiteral("hosts"));
    if (!hosts.isUndefined() && !hosts.isNull()) {
        if (!hosts.isArray())
            throw Error(QStringLiteral("%1: resources.hosts must be a list of host names").arg(where));
        for (const QJsonValue &h : hosts.toArray()) {
            if (!h.isString() || h.toString().trimmed().isEmpty())
                throw Error(QStringLiteral("%1: resources.hosts must be a list of host names, not %2")
                                .arg(where, QString::fromUtf8(QJsonDocument(hosts.toArray()).toJson(QJsonDocument::Compact))));
            s.resources.hosts << h.toString();
        }
    }
    s.resources.partition = res.value(QStringLiteral("partition")).toString();
    s.resources.timeLimit = res.value(QStringLiteral("timeLimit")).toString();
    s.resources.gpusPerInstance = std::max(0, res.value(QStringLiteral("gpusPerInstance")).toInt());
    s.resources.memoryMb = std::max(0, res.value(QStringLiteral("memoryMb")).toInt());
    const QJsonObject dbg = json.value(QStringLiteral("debugger")).toObject();
    for (const QJsonValue &v : dbg.value(QStringLiteral("collections")).toArray())
        s.debugger.collections << v.toString();
    s.debugger.interval = std::max(1, dbg.value(QStringLiteral("interval")).toInt(100));
    s.debugger.rules = dbg.value(QStringLiteral("rules")).toArray();
    s.stopping.maxRuntimeSeconds = qint64(json.value(QStringLiteral("stopping")).toObject().value(QStringLiteral("maxRuntimeSeconds")).toDouble(0));
    const QJsonValue pp = json.value(QStringLiteral("preprocessing"));
    if (!pp.isUndefined() && !pp.isNull() && !pp.isObject())
        throw Error(QStringLiteral("%1: \"preprocessing\" must be an object").arg(where));
    s.preprocessing = pp.toObject();
    s.experiment = json.value(QStringLiteral("experiment")).toString();
    s.runName = json.value(QStringLiteral("runName")).toString();
    s.runUuid = json.value(QStringLiteral("runUuid")).toString();
    s.parentRunUuid = json.value(QStringLiteral("parentRunUuid")).toString();
    const QJsonValue place = json.value(QStringLiteral("distributed"));
    if (!place.isUndefined() && !place.isNull() && !place.isObject())
        throw Error(QStringLiteral("%1: \"distributed\" must be an object").arg(where));
    s.distributed = place.toObject();
    return s;
}

JobSpec JobSpec::load(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("cannot read job spec %1: %2").arg(path, f.errorString()));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        throw Error(QStringLiteral("%1: not a JSON object (%2 at offset %3)").arg(path, err.errorString()).arg(err.offset));
    return fromJson(doc.object(), path);
}

void JobSpec::save(const QString &path) const
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("cannot write job spec %1: %2").arg(path, f.errorString()));
    f.write(QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
    if (!f.commit())
        throw Error(QStringLiteral("cannot write job spec %1: %2").arg(path, f.errorString()));
}

} // namespace cairn
