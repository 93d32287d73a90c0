// `cairn train` and `cairn tune` describe the training job with the same options.
#include "jobspecoptions.h"

#include "cairn/algorithms/tabular.h"
#include "cairn/debugger/rule.h"
#include "cairn/remote/host.h"
#include "cairn/remote/slurm.h"
#include "cairn/jobs/jobspeccheck.h"

#include <QFileInfo>

#include <cmath>
#include <QJsonDocument>

namespace cairn::cli {

namespace {

data::ChannelSpec channelFor(const QString &path, const QString &labels, const QString &what)
{
    const QFileInfo info(path);
    if (!info.exists())
        throw InputError(QStringLiteral("%1 %2 does not exist").arg(what, path));
    data::ChannelSpec c;
    c.path = info.absoluteFilePath();
    c.type = data::ChannelSpec::guessType(c.path);
    if (!labels.isEmpty()) {
        if (!QFileInfo::exists(labels))
            throw InputError(QStringLiteral("labels file %1 does not exist").arg(labels));
        c.labelsPath = QFileInfo(labels).absoluteFilePath();
    }
    if (c.type == data::ChannelSpec::Type::Idx && c.labelsPath.isEmpty()) {
        // The usual MNIST naming: xxx-images-idx3-ubyte.gz goes with xxx-labels-idx1-ubyte.gz.
        QString guess = c.path;
        guess.replace(QStringLiteral("-images-idx3-"), QStringLiteral("-labels-idx1-"));
        if (guess != c.path && QFileInfo::exists(guess))
            c.labelsPath = guess;
    }
    return c;
}

} // namespace

void addJobSpecOptions(QCommandLineParser &parser, bool distributedHosts)
{
    parser.addOption({{QStringLiteral("a"), QStringLiteral("algorithm")}, QStringLiteral("Algorithm id (cairn algorithms list)."), QStringLiteral("ID")});
    parser.addOption({QStringLiteral("train"), QStringLiteral("Training data: CSV, IDX images, image folder or manifest."), QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("train-labels"), QStringLiteral("IDX labels for --train (guessed from the MNIST naming)."), QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("validation"), QStringLiteral("Validation data (default: a seeded split of --train)."), QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("validation-labels"), QStringLiteral("IDX labels for --validation."), QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("test"), QStringLiteral("Test data, scored once after training."), QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("test-labels"), QStringLiteral("IDX labels for --test."), QStringLiteral("PATH")});
    parser.addOption({{QStringLiteral("t"), QStringLiteral("target")}, QStringLiteral("The column to predict (tables)."), QStringLiteral("COL")});
    parser.addOption({QStringLiteral("task"), QStringLiteral("binary, multiclass, regression or clustering (default: inferred)."), QStringLiteral("TASK")});
    parser.addOption({QStringLiteral("hp"), QStringLiteral("A hyperparameter, key=value; may repeat."), QStringLiteral("KEY=VALUE")});
    parser.addOption({{QStringLiteral("e"), QStringLiteral("experiment")}, QStringLiteral("Experiment name (created if new; default: Default)."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("run-name"), QStringLiteral("Name of the run."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("cpus"), QStringLiteral("CPU threads for the job (default: all)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("instances"), QStringLiteral("Data-parallel training on N instances (linear-learner, mlp, cnn, xgboost; on this machine, N processes; default 1)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("processes-per-instance"), QStringLiteral("Training processes (ranks) on each instance (default 1)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("host"), QStringLiteral("Run on this host (cairn hosts list; default: local)."), QStringLiteral("NAME")});
    if (distributedHosts)
        parser.addOption({QStringLiteral("hosts"), QStringLiteral("Data-parallel training over these SSH hosts (or local), one instance each, started from here (comma-separated; --instances defaults to their number)."), QStringLiteral("H1,H2,…")});
    // A Slurm cluster's share of the job (#SBATCH lines); other hosts ignore them.
    parser.addOption({QStringLiteral("partition"), QStringLiteral("Slurm: the partition (default: the cluster's)."), QStringLiteral("P")});
    parser.addOption({QStringLiteral("time-limit"), QStringLiteral("Slurm: the job's time limit (minutes, H:M:S or D-H:M:S)."), QStringLiteral("T")});
    parser.addOption({QStringLiteral("gpus-per-instance"), QStringLiteral("Slurm: GPUs on each instance (node)."), QStringLiteral("G")});
    parser.addOption({QStringLiteral("memory"), QStringLiteral("Slurm: memory per instance in MB."), QStringLiteral("MB")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("Seed for the split and the learner (default 42)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("validation-fraction"), QStringLiteral("Share held out when there is no --validation (default 0.2)."), QStringLiteral("F")});
    parser.addOption({QStringLiteral("max-runtime"), QStringLiteral("Stop the job after this many seconds."), QStringLiteral("S")});
    parser.addOption({QStringLiteral("preprocessing"), QStringLiteral("Feature pipeline for tables, a JSON object, e.g. {\"categoricalEncoding\":\"auto\",\"impute\":true}."), QStringLiteral("JSON")});
    parser.addOption({QStringLiteral("pp"), QStringLiteral("One preprocessing setting, key=value (exclude=a,b; categoricalEncoding=auto; impute=true…); may repeat."), QStringLiteral("KEY=VALUE")});
    // The debugger (issue 5): collections, their save interval, and rules run beside the job.
    parser.addOption({QStringLiteral("collect"), QStringLiteral("Debugger collections, comma-separated (weights,biases,gradients,activations,update_ratios,feature_importance,tree_depth)."), QStringLiteral("LIST")});
    parser.addOption({QStringLiteral("collect-every"), QStringLiteral("Save the collections every N steps (default 100)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("rule"), QStringLiteral("A debugger rule to run beside the job; NAME:stop stops the job when it fires (may repeat)."), QStringLiteral("NAME[:stop]")});
    parser.addOption({QStringLiteral("rule-param"), QStringLiteral("A rule parameter, RULE.KEY=VALUE (may repeat)."), QStringLiteral("RULE.KEY=VALUE")});
}

int intOption(const QCommandLineParser &parser, const QString &name, int min)
{
    bool ok = false;
    const int v = parser.value(name).toInt(&ok);
    if (!ok || v < min)
        throw UsageError(QStringLiteral("--%1 needs a whole number ≥ %2, not '%3'").arg(name).arg(min).arg(parser.value(name)));
    return v;
}

double numberOption(const QCommandLineParser &parser, const QString &name, double low, Bound bound)
{
    bool ok = false;
    const double v = parser.value(name).toDouble(&ok);
    const bool inRange = bound == Bound::Inclusive ? v >= low : v > low;
    if (!ok || !std::isfinite(v) || !inRange)
        throw UsageError(QStringLiteral("--%1 needs a number %2 %3, not '%4'")
                             .arg(name, bound == Bound::Inclusive ? QStringLiteral("≥") : QStringLiteral(">"))
                             .arg(low)
                             .arg(parser.value(name)));
    return v;
}

JobSpec jobSpecFromOptions(const QCommandLineParser &parser, PluginManager &plugins, const QString &command, bool distributedHosts)
{
    if (!parser.isSet(QStringLiteral("algorithm")))
        throw UsageError(QStringLiteral("%1 needs --algorithm ID (see cairn algorithms list)").arg(command));
    if (!parser.isSet(QStringLiteral("train")))
        throw UsageError(QStringLiteral("%1 needs --train PATH").arg(command));

    JobSpec spec;
    spec.algorithm = parser.value(QStringLiteral("algorithm"));
    AlgorithmInfo info;
    try {
        info = plugins.algorithm(spec.algorithm);
    } catch (const Error &e) {
        throw UsageError(e.message());
    }
    try {
        spec.hyperparameters = info.schema.resolve(info.schema.parseAssignments(parser.values(QStringLiteral("hp"))));
    } catch (const UsageError &) {
        throw;
    } catch (const Error &e) {
        throw UsageError(QStringLiteral("bad --hp: %1").arg(e.message()));
    }
    spec.channels.insert(QStringLiteral("train"), channelFor(parser.value(QStringLiteral("train")), parser.value(QStringLiteral("train-labels")), QStringLiteral("training data")));
    if (parser.isSet(QStringLiteral("validation")))
        spec.channels.insert(QStringLiteral("validation"), channelFor(parser.value(QStringLiteral("validation")), parser.value(QStringLiteral("validation-labels")), QStringLiteral("validation data")));
    if (parser.isSet(QStringLiteral("test")))
        spec.channels.insert(QStringLiteral("test"), channelFor(parser.value(QStringLiteral("test")), parser.value(QStringLiteral("test-labels")), QStringLiteral("test data")));
    spec.target = parser.value(QStringLiteral("target"));
    spec.task = parser.value(QStringLiteral("task"));
    if (!spec.task.isEmpty() && !taskFromName(spec.task))
        throw UsageError(QStringLiteral("unknown --task '%1' (use binary, multiclass, regression or clustering)").arg(spec.task));
    const bool clustering = spec.task == QLatin1String("clustering") || (info.tasks.size() == 1 && info.tasks.first() == Task::Clustering);
    if (info.input == QLatin1String("tabular") && spec.target.isEmpty() && !clustering)
        throw UsageError(QStringLiteral("%1 needs --target COL: the column to predict").arg(command));
    if (parser.isSet(QStringLiteral("cpus")))
        spec.resources.cpus = intOption(parser, QStringLiteral("cpus"), 1);
    if (parser.isSet(QStringLiteral("instances")))
        spec.resources.instances = intOption(parser, QStringLiteral("instances"), 1);
    if (parser.isSet(QStringLiteral("processes-per-instance")))
        spec.resources.processesPerInstance = intOption(parser, QStringLiteral("processes-per-instance"), 1);
    if (spec.resources.worldSize() > 1 && !info.distributed)
        throw UsageError(QStringLiteral("%1 trains on one instance only; --instances and --processes-per-instance are for linear-learner, mlp, cnn and xgboost")
                             .arg(info.id));
    if (parser.isSet(QStringLiteral("host")))
        spec.resources.host = remote::HostStore().host(parser.value(QStringLiteral("host"))).name; // an unknown name fails here, before any run exists
    if (distributedHosts && parser.isSet(QStringLiteral("hosts"))) {
        if (parser.isSet(QStringLiteral("host")))
            throw UsageError(QStringLiteral("give either --host (every rank on one host) or --hosts (one instance per host), not both"));
        const remote::HostStore store;
        for (const QString &name : parser.value(QStringLiteral("hosts")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const remote::Host h = store.host(name.trimmed()); // an unknown name fails here, before any run exists
            if (h.isSlurm())
                throw UsageError(QStringLiteral("host '%1' is a Slurm cluster: use --host %1 --instances N (one Slurm job of N tasks)").arg(h.name));
            spec.resources.hosts << h.name;
        }
        if (spec.resources.hosts.isEmpty())
            throw UsageError(QStringLiteral("--hosts needs host names, e.g. --hosts gpu1,gpu2"));
        if (!parser.isSet(QStringLiteral("instances")))
            spec.resources.instances = int(spec.resources.hosts.size());
        else if (spec.resources.instances != spec.resources.hosts.size())
            throw UsageError(QStringLiteral("--instances %1 but --hosts names %2 host(s): one instance runs on each host")
                                 .arg(spec.resources.instances).arg(spec.resources.hosts.size()));
        if (spec.resources.worldSize() > 1 && !info.distributed)
            throw UsageError(QStringLiteral("%1 trains on one instance only; --hosts is for linear-learner, mlp, cnn and xgboost").arg(info.id));
    }
    if (parser.isSet(QStringLiteral("partition"))) {
        spec.resources.partition = parser.value(QStringLiteral("partition"));
        if (!remote::slurm::validPartition(spec.resources.partition))
            throw UsageError(QStringLiteral("--partition '%1' is not a Slurm partition name").arg(spec.resources.partition));
    }
    if (parser.isSet(QStringLiteral("time-limit"))) {
        spec.resources.timeLimit = parser.value(QStringLiteral("time-limit"));
        if (!remote::slurm::validTimeLimit(spec.resources.timeLimit))
            throw UsageError(QStringLiteral("--time-limit '%1' is not a Slurm time limit (minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S)").arg(spec.resources.timeLimit));
    }
    if (parser.isSet(QStringLiteral("gpus-per-instance")))
        spec.resources.gpusPerInstance = intOption(parser, QStringLiteral("gpus-per-instance"), 0);
    if (parser.isSet(QStringLiteral("memory")))
        spec.resources.memoryMb = intOption(parser, QStringLiteral("memory"), 1);
    if (parser.isSet(QStringLiteral("seed")))
        spec.seed = quint64(intOption(parser, QStringLiteral("seed"), 0));
    if (parser.isSet(QStringLiteral("max-runtime")))
        spec.stopping.maxRuntimeSeconds = intOption(parser, QStringLiteral("max-runtime"), 1);
    if (parser.isSet(QStringLiteral("validation-fraction"))) {
        bool ok = false;
        spec.validationFraction = parser.value(QStringLiteral("validation-fraction")).toDouble(&ok);
        if (!ok || spec.validationFraction < 0 || spec.validationFraction >= 1)
            throw UsageError(QStringLiteral("--validation-fraction must be in [0, 1)"));
    }
    if (parser.isSet(QStringLiteral("preprocessing"))) {
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(parser.value(QStringLiteral("preprocessing")).toUtf8(), &err);
        if (err.error != QJsonParseError::NoError || !doc.isObject())
            throw UsageError(QStringLiteral("--preprocessing needs a JSON object, e.g. {\"categoricalEncoding\":\"auto\"}"));
        spec.preprocessing = doc.object();
    }
    for (const QString &a : parser.values(QStringLiteral("pp"))) {
        const qsizetype eq = a.indexOf(QLatin1Char('='));
        if (eq <= 0)
            throw UsageError(QStringLiteral("--pp needs KEY=VALUE, not '%1'").arg(a));
        const QString key = a.left(eq).trimmed(), value = a.mid(eq + 1).trimmed();
        bool number = false;
        const double n = value.toDouble(&number);
        if (key == QLatin1String("exclude"))
            spec.preprocessing.insert(key, QJsonArray::fromStringList(value.split(QLatin1Char(','), Qt::SkipEmptyParts)));
        else if (value == QLatin1String("true") || value == QLatin1String("false"))
            spec.preprocessing.insert(key, value == QLatin1String("true"));
        else if (number)
            spec.preprocessing.insert(key, n);
        else
            spec.preprocessing.insert(key, value);
    }
    if (!spec.preprocessing.isEmpty()) {
        if (info.input != QLatin1String("tabular"))
            throw UsageError(QStringLiteral("--preprocessing applies to tables; %1 takes %2 input").arg(spec.algorithm, info.input));
        try {
            preprocessingOptions({}, spec.preprocessing);
        } catch (const Error &e) {
            throw UsageError(e.message());
        }
    }
    spec.experiment = parser.value(QStringLiteral("experiment"));
    spec.runName = parser.value(QStringLiteral("run-name"));
    if (parser.isSet(QStringLiteral("collect")))
        spec.debugger.collections = parser.value(QStringLiteral("collect")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (parser.isSet(QStringLiteral("collect-every")))
        spec.debugger.interval = intOption(parser, QStringLiteral("collect-every"), 1);
    QJsonArray rules;
    for (const QString &r : parser.values(QStringLiteral("rule"))) {
        QJsonObject params;
        for (const QString &p : parser.values(QStringLiteral("rule-param"))) {
            const qsizetype eq = p.indexOf(QLatin1Char('='));
            if (eq <= 0 || !p.left(eq).contains(QLatin1Char('.')))
                throw UsageError(QStringLiteral("--rule-param needs RULE.KEY=VALUE, not '%1'").arg(p));
            if (p.section(QLatin1Char('.'), 0, 0).compare(r.section(QLatin1Char(':'), 0, 0), Qt::CaseInsensitive) == 0)
                params.insert(p.left(eq).section(QLatin1Char('.'), 1), p.mid(eq + 1));
        }
        QJsonArray actions{QStringLiteral("notify")};
        if (r.section(QLatin1Char(':'), 1).compare(QLatin1String("stop"), Qt::CaseInsensitive) == 0)
            actions.append(QStringLiteral("stop"));
        rules.append(QJsonObject{{QStringLiteral("name"), r.section(QLatin1Char(':'), 0, 0)}, {QStringLiteral("parameters"), params},
                                 {QStringLiteral("actions"), actions}});
    }
    try {
        debugger::RuleConfig::listFromJson(rules); // unknown rules and parameters are usage mistakes
    } catch (const Error &e) {
        throw UsageError(QStringLiteral("bad --rule: %1").arg(e.message()));
    }
    spec.debugger.rules = rules;
    checkSpec(spec, info);
    return spec;
}

void checkSpec(const JobSpec &spec, const AlgorithmInfo &info)
{
    const QList<SpecProblem> problems = checkJobSpec(spec, info);
    if (problems.isEmpty())
        return;
    QStringList messages;
    bool onlyData = true;
    for (const SpecProblem &p : problems) {
        messages << p.message;
        onlyData = onlyData && p.kind == SpecProblem::Kind::Data;
    }
    const QString text = messages.size() == 1 ? messages.first()
                                              : QStringLiteral("%1 problems:\n  - %2").arg(messages.size()).arg(messages.join(QStringLiteral("\n  - ")));
    if (onlyData)
        throw InputError(text);
    throw UsageError(text);
}

QStringList spreadHostsOption(const QCommandLineParser &parser)
{
    if (!parser.isSet(QStringLiteral("hosts")))
        return {};
    if (parser.isSet(QStringLiteral("host")))
        throw UsageError(QStringLiteral("give --host NAME or --hosts LIST, not both"));
    const remote::HostStore hosts;
    QStringList names;
    for (const QString &name : parser.value(QStringLiteral("hosts")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        names << hosts.host(name.trimmed()).name; // an unknown name fails here, before any run exists
    names.removeDuplicates();
    if (names.isEmpty())
        throw UsageError(QStringLiteral("--hosts needs host names, e.g. --hosts local,gpu1"));
    return names;
}

} // namespace cairn::cli
