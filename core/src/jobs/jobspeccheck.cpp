#include "cairn/jobs/jobspeccheck.h"

#include "cairn/algorithms/algorithmplugin.h"
#include "cairn/algorithms/tabular.h"
#include "cairn/data/csvreader.h"
#include "cairn/debugger/rule.h"
#include "cairn/debugger/tensordata.h"
#include "cairn/util/error.h"

#include <QFileInfo>
#include <QThread>

#include <algorithm>
#include <limits>
#include <vector>

namespace cairn {

namespace {

int editDistance(const QString &a, const QString &b)
{
    std::vector<int> row(size_t(b.size()) + 1);
    for (int j = 0; j <= b.size(); ++j)
        row[size_t(j)] = j;
    for (int i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = i;
        for (int j = 1; j <= b.size(); ++j) {
            const int up = row[size_t(j)];
            const int cost = a.at(i - 1).toLower() == b.at(j - 1).toLower() ? 0 : 1;
            row[size_t(j)] = std::min({row[size_t(j) - 1] + 1, up + 1, diagonal + cost});
            diagonal = up;
        }
    }
    return row[size_t(b.size())];
}

QString fileName(const QString &path)
{
    return QFileInfo(path).fileName();
}

} // namespace

QString closestName(const QString &name, const QStringList &names)
{
    QString best;
    int bestDistance = std::numeric_limits<int>::max();
    for (const QString &n : names) {
        const int d = editDistance(name, n);
        if (d < bestDistance) {
            bestDistance = d;
            best = n;
        }
    }
    // A typo: a few letters off, never more than a third of the name.
    return bestDistance <= std::max<qsizetype>(1, std::min<qsizetype>(3, name.size() / 3)) ? best : QString();
}

QString unknownColumnMessage(const QString &column, const QString &file, const QStringList &columns)
{
    const QString guess = closestName(column, columns);
    return QStringLiteral("'%1' is not a column of %2%3 (columns: %4)")
        .arg(column, fileName(file), guess.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(guess),
             columns.join(QStringLiteral(", ")));
}

QStringList checkTableFile(const data::ChannelSpec &channel, qint64 fullReadLimit)
{
    const QFileInfo info(channel.path);
    if (!info.exists())
        throw Error(QStringLiteral("%1 does not exist").arg(channel.path));
    if (!info.isFile() || !info.isReadable())
        throw Error(QStringLiteral("%1 is not a readable file").arg(channel.path));
    data::ChannelSpec c = channel;
    if (info.size() > fullReadLimit) {
        // A very large table: its header and first rows here, the rest when the job reads it
        // (and a table too big for this machine's memory is refused now, as the job would).
        data::CsvOptions options;
        if (c.delimiter.size() == 1)
            options.delimiter = c.delimiter.at(0).toLatin1();
        data::CsvReader::checkMemory(c.path, options);
        options.maxRows = 1000;
        return data::CsvReader::read(c.path, options).columnNames();
    }
    return readChannelTable(c).columnNames();
}

QList<SpecProblem> checkJobSpec(const JobSpec &spec, const AlgorithmInfo &info, bool readData)
{
    QList<SpecProblem> problems;
    auto setting = [&](const QString &m) { problems << SpecProblem{SpecProblem::Kind::Setting, m}; };
    auto dataProblem = [&](const QString &m) { problems << SpecProblem{SpecProblem::Kind::Data, m}; };

    try {
        info.schema.resolve(spec.hyperparameters);
    } catch (const Error &e) {
        setting(e.message());
    }
    std::optional<Task> task;
    if (!spec.task.isEmpty()) {
        task = taskFromName(spec.task);
        if (!task)
            setting(QStringLiteral("unknown task '%1' (use binary, multiclass, regression or clustering)").arg(spec.task));
        else if (!info.tasks.contains(*task)) {
            QStringList names;
            for (Task t : info.tasks)
                names << taskName(t);
            setting(QStringLiteral("%1 does not do %2 (it does: %3)").arg(info.id, spec.task, names.join(QStringLiteral(", "))));
        }
    }
    const int cores = QThread::idealThreadCount();
    const bool local = spec.resources.host.isEmpty() || spec.resources.host == QLatin1String("local");
    if (spec.resources.cpus < 0 || (local && spec.resources.hosts.isEmpty() && spec.resources.cpus > cores))
        setting(QStringLiteral("%1 CPUs asked for, but this machine has %2").arg(spec.resources.cpus).arg(cores));
    if (spec.resources.instances < 1 || spec.resources.processesPerInstance < 1)
        setting(QStringLiteral("instances and processes per instance must be at least 1"));
    else if (spec.resources.worldSize() > 1 && !info.distributed)
        setting(QStringLiteral("%1 trains on one instance only; distributed training (instances × processes > 1) is for "
                               "linear-learner, mlp, cnn and xgboost").arg(info.id));
    if (!spec.resources.hosts.isEmpty() && spec.resources.hosts.size() != spec.resources.instances)
        setting(QStringLiteral("%1 instances asked for on %2 hosts (%3): give one host per instance")
                    .arg(spec.resources.instances).arg(spec.resources.hosts.size()).arg(spec.resources.hosts.join(QStringLiteral(", "))));
    if (!spec.resources.hosts.isEmpty() && !local)
        setting(QStringLiteral("a job spread over hosts is started from this machine: its host must be 'local', not '%1'").arg(spec.resources.host));
    const QStringList known = debugger::collections::all();
    for (const QString &c : spec.debugger.collections)
        if (!known.contains(c.trimmed())) {
            const QString guess = closestName(c.trimmed(), known);
            setting(QStringLiteral("unknown debugger collection '%1'%2 (known: %3)")
                        .arg(c, guess.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(guess), known.join(QStringLiteral(", "))));
        }
    try {
        debugger::RuleConfig::listFromJson(spec.debugger.rules);
    } catch (const Error &e) {
        setting(e.message());
    }

    if (!spec.hasChannel(QStringLiteral("train"))) {
        dataProblem(QStringLiteral("no training data"));
        return problems;
    }
    const bool tabular = info.input == QLatin1String("tabular");
    const bool clustering = (task && *task == Task::Clustering) || (info.tasks.size() == 1 && info.tasks.first() == Task::Clustering);
    const QStringList excluded = spec.preprocessing.value(QStringLiteral("exclude")).toVariant().toStringList();
    for (auto it = spec.channels.cbegin(); it != spec.channels.cend(); ++it) {
        const data::ChannelSpec &channel = it.value();
        const QString what = it.key() == QLatin1String("train") ? QStringLiteral("the training data")
                                                                : QStringLiteral("the %1 data").arg(it.key());
        if (!QFileInfo::exists(channel.path)) {
            dataProblem(QStringLiteral("%1 %2 does not exist").arg(what, channel.path));
            continue;
        }
        if (!channel.labelsPath.isEmpty() && !QFileInfo::exists(channel.labelsPath))
            dataProblem(QStringLiteral("the labels file %1 does not exist").arg(channel.labelsPath));
        if (!tabular || !readData)
            continue;
        if (channel.type != data::ChannelSpec::Type::Csv) {
            dataProblem(QStringLiteral("%1 is a %2; %3 needs a table (CSV)").arg(channel.path, data::ChannelSpec::typeName(channel.type), info.id));
            continue;
        }
        QStringList columns;
        try {
            columns = checkTableFile(channel);
        } catch (const Error &e) {
            dataProblem(e.message());
            continue;
        }
        if (!spec.target.isEmpty() && !columns.contains(spec.target) && (it.key() == QLatin1String("train") || !clustering))
            dataProblem(unknownColumnMessage(spec.target, channel.path, columns));
        if (it.key() == QLatin1String("train")) {
            if (spec.target.isEmpty() && !clustering)
                setting(QStringLiteral("no target column: say which column to predict (columns: %1)").arg(columns.join(QStringLiteral(", "))));
            for (const QString &x : excluded)
                if (!columns.contains(x))
                    dataProblem(QStringLiteral("cannot leave out %1").arg(unknownColumnMessage(x, channel.path, columns)));
            if (!spec.target.isEmpty() && excluded.contains(spec.target))
                setting(QStringLiteral("the target '%1' cannot be left out").arg(spec.target));
        }
    }
    return problems;
}

} // namespace cairn
