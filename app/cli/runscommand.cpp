#include "clicontext.h"

#include "cairn/jobs/jobmanager.h"
#include "cairn/store/experimentstore.h"
#include "cairn/store/runexport.h"
#include "cairn/store/sqlitedatabase.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>

namespace cairn::cli {

namespace {

void addQueryOptions(QCommandLineParser &parser)
{
    parser.addOption({{QStringLiteral("e"), QStringLiteral("experiment")},
                      QStringLiteral("Only runs of this experiment (id or name); may repeat."), QStringLiteral("EXPERIMENT")});
    parser.addOption({{QStringLiteral("f"), QStringLiteral("filter")},
                      QStringLiteral("Search expression, e.g. \"metrics.acc > 0.9 and params.eta = '0.1'\"."),
                      QStringLiteral("EXPR")});
    parser.addOption({{QStringLiteral("o"), QStringLiteral("order-by")},
                      QStringLiteral("Sort, e.g. \"metrics.acc DESC, start_time\"."), QStringLiteral("ORDER")});
    parser.addOption({{QStringLiteral("n"), QStringLiteral("max")}, QStringLiteral("At most N runs."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("deleted"), QStringLiteral("Deleted runs only.")});
    parser.addOption({QStringLiteral("all"), QStringLiteral("Active and deleted runs.")});
    parser.addOption({QStringLiteral("columns"),
                      QStringLiteral("Comma-separated columns, e.g. run_id,name,params.eta,metrics.acc."), QStringLiteral("LIST")});
}

RunQuery queryFrom(Context &c, const QCommandLineParser &parser)
{
    RunQuery query;
    for (const QString &e : parser.values(QStringLiteral("experiment")))
        query.experimentIds << c.workspace().store().resolveExperiment(e).id;
    query.filter = parser.value(QStringLiteral("filter"));
    query.orderBy = parser.value(QStringLiteral("order-by"));
    query.view = parser.isSet(QStringLiteral("all"))       ? ViewType::All
                 : parser.isSet(QStringLiteral("deleted")) ? ViewType::DeletedOnly
                                                           : ViewType::ActiveOnly;
    if (parser.isSet(QStringLiteral("max"))) {
        bool ok = false;
        query.limit = parser.value(QStringLiteral("max")).toInt(&ok);
        if (!ok || query.limit < 0)
            throw UsageError(QStringLiteral("--max needs a whole number, not '%1'").arg(parser.value(QStringLiteral("max"))));
    }
    // Parse both now so that a typo is reported even when no run matches, with a caret under
    // the position as the Experiments panel shows it.
    auto parse = [](const QString &option, const QString &text, auto &&how) {
        try {
            how(text);
        } catch (const SearchSyntaxError &e) {
            QString pointed = e.pointAt(text);
            pointed.replace(QLatin1Char('\n'), QStringLiteral("\n  "));
            throw UsageError(QStringLiteral("bad %1 at position %2: %3\n  %4").arg(option).arg(e.position() + 1).arg(e.what_(), pointed));
        }
    };
    parse(QStringLiteral("--filter"), query.filter, [](const QString &t) { SearchFilter::compile(t); });
    parse(QStringLiteral("--order-by"), query.orderBy, [](const QString &t) { SearchFilter::parseOrderBy(t); });
    return query;
}

QStringList columnsFrom(const QCommandLineParser &parser)
{
    QStringList columns;
    for (const QString &c : parser.value(QStringLiteral("columns")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        columns << c.trimmed();
    return columns;
}

int list(Context &c, bool exportMode)
{
    QCommandLineParser parser;
    addQueryOptions(parser);
    parser.addOption(formatOption());
    parser.addOption({QStringLiteral("history"), QStringLiteral("With --format json: include every metric point.")});
    if (exportMode)
        parser.addOption({QStringLiteral("output"), QStringLiteral("File to write (default: standard output)."), QStringLiteral("FILE")});
    const QString usage = exportMode
        ? QStringLiteral("cairn runs export [--experiment E] [--filter EXPR] [--order-by ORDER] [--format csv|json] [--output FILE]\n"
                         "Writes every selected run with all its params, metrics (last value) and tags.")
        : QStringLiteral("cairn runs list [--experiment E] [--filter EXPR] [--order-by ORDER] [--max N] [--columns LIST] "
                         "[--format table|json|csv] [--history]");
    if (!c.parse(parser, usage))
        return 0;
    if (!parser.positionalArguments().isEmpty())
        throw UsageError(QStringLiteral("unexpected argument '%1' (filters go in --filter \"...\")").arg(parser.positionalArguments().first()));
    // Runs whose process is gone (a killed CLI or Python client) are shown as what they are; a
    // workspace that cannot be written (read-only media) is listed as it is.
    try {
        JobManager::markLostRuns(c.workspace());
    } catch (const Error &) {
    }
    ExperimentStore &store = c.workspace().store();
    const RunQuery query = queryFrom(c, parser);
    const Format format = c.format(parser, exportMode ? Format::Csv : Format::Table);
    const QList<Run> runs = store.searchRuns(query);

    QString text;
    if (format == Format::Json) {
        QJsonArray array;
        for (const Run &run : runs)
            array.append(runToJson(store, run, parser.isSet(QStringLiteral("history"))));
        text = QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented));
    } else {
        QStringList columns = columnsFrom(parser);
        if (columns.isEmpty())
            columns = exportMode || format == Format::Csv
                          ? defaultRunColumns(store, runs, true)
                          : QStringList{QStringLiteral("run_id"), QStringLiteral("name"), QStringLiteral("status"),
                                        QStringLiteral("start_time"), QStringLiteral("duration"), QStringLiteral("source_type")};
        RunTable table = buildRunTable(store, runs, columns);
        if (format == Format::Table)
            for (QStringList &row : table.rows)
                if (!row.isEmpty() && columns.first() == QLatin1String("run_id"))
                    row.first() = row.first().left(12);
        text = format == Format::Csv ? table.toCsv() : table.toText();
        if (format == Format::Table && runs.isEmpty())
            text = QStringLiteral("no runs\n");
    }

    const QString output = exportMode ? parser.value(QStringLiteral("output")) : QString();
    if (output.isEmpty()) {
        c.out << text;
        return 0;
    }
    QFile file(output);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        throw Error(QStringLiteral("cannot write %1: %2").arg(output, file.errorString()));
    file.write(text.toUtf8());
    c.out << "wrote " << runs.size() << " runs to " << output << "\n";
    return 0;
}

int show(Context &c)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    if (!c.parse(parser, QStringLiteral("cairn runs show RUN [--format table|json]")))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("usage: cairn runs show RUN [--format table|json]"));
    Workspace &ws = c.workspace();
    ExperimentStore &store = ws.store();
    const Run run = store.run(parser.positionalArguments().first());
    QJsonObject json = runToJson(store, run, c.format(parser) == Format::Json);
    QJsonArray artifacts;
    for (const ArtifactInfo &a : ws.artifacts(run.uuid))
        if (!a.isDir)
            artifacts.append(QJsonObject{{QStringLiteral("path"), a.path}, {QStringLiteral("size"), a.size}});
    json.insert(QStringLiteral("artifacts"), artifacts);
    json.insert(QStringLiteral("artifact_dir"), ws.artifactDir(run.uuid));
    if (c.format(parser) == Format::Json) {
        c.printJson(json);
        return 0;
    }
    QTextStream &o = c.out;
    o << "run        " << run.uuid << "\n"
      << "name       " << run.name << "\n"
      << "experiment " << store.experiment(run.experimentId).name << " (" << run.experimentId << ")\n"
      << "status     " << runStatusName(run.status) << "\n"
      << "started    " << formatTime(run.startTime) << "\n";
    if (run.endTime > 0)
        o << "ended      " << formatTime(run.endTime) << " (" << formatDuration(run.durationMs()) << ")\n";
    o << "source     " << run.sourceType << (run.sourceRef.isEmpty() ? QString() : QStringLiteral(" ") + run.sourceRef) << "\n"
      << "host       " << run.host << "\n";
    if (!run.parentUuid.isEmpty())
        o << "parent     " << run.parentUuid << "\n";
    const QList<Run> children = store.childRuns(run.uuid);
    if (!children.isEmpty())
        o << "children   " << children.size() << "\n";
    const QList<Param> params = store.params(run.id);
    if (!params.isEmpty()) {
        o << "\nparams\n";
        for (const Param &p : params)
            o << "  " << p.key << " = " << p.value << "\n";
    }
    const QList<MetricSummary> metrics = store.metricSummaries(run.id);
    if (!metrics.isEmpty()) {
        RunTable table;
        table.columns = {QStringLiteral("metric"), QStringLiteral("last"), QStringLiteral("step"), QStringLiteral("min"),
                         QStringLiteral("max"), QStringLiteral("points")};
        for (const MetricSummary &m : metrics)
            table.rows << QStringList{m.key, formatMetricValue(m.last), QString::number(m.lastStep), formatMetricValue(m.min),
                                      formatMetricValue(m.max), QString::number(m.count)};
        o << "\n" << table.toText();
    }
    const QList<Tag> tags = store.tags(run.id);
    if (!tags.isEmpty()) {
        o << "\ntags\n";
        for (const Tag &t : tags)
            o << "  " << t.key << " = " << t.value << "\n";
    }
    if (!artifacts.isEmpty()) {
        o << "\nartifacts (" << ws.artifactDir(run.uuid) << ")\n";
        for (const auto &a : artifacts)
            o << "  " << a.toObject().value(QStringLiteral("path")).toString() << "  "
              << a.toObject().value(QStringLiteral("size")).toInteger() << " bytes\n";
    }
    return 0;
}

int compare(Context &c)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    parser.addOption({QStringLiteral("diff-only"), QStringLiteral("Only the rows where the runs differ.")});
    const QString usage = QStringLiteral("cairn runs compare RUN RUN [RUN...] [--format table|json] [--diff-only]\n"
                                         "Params, metrics (last value) and tags side by side; '*' marks rows that differ.");
    if (!c.parse(parser, usage))
        return 0;
    const QStringList ids = parser.positionalArguments();
    if (ids.size() < 2)
        throw UsageError(QStringLiteral("compare needs at least two runs"));
    ExperimentStore &store = c.workspace().store();
    QList<Run> runs;
    for (const QString &id : ids)
        runs << store.run(id);
    const RunComparison cmp = compareRuns(store, runs);
    if (c.format(parser) == Format::Json)
        c.printJson(cmp.toJson());
    else if (c.format(parser) == Format::Csv)
        throw UsageError(QStringLiteral("compare prints table or json"));
    else
        c.out << cmp.toText(parser.isSet(QStringLiteral("diff-only")));
    return 0;
}

int forEachRun(Context &c, const QString &verb)
{
    QCommandLineParser parser;
    if (!c.parse(parser, QStringLiteral("cairn runs %1 RUN [RUN...]").arg(verb)))
        return 0;
    const QStringList ids = parser.positionalArguments();
    if (ids.isEmpty())
        throw UsageError(QStringLiteral("usage: cairn runs %1 RUN [RUN...]").arg(verb));
    ExperimentStore &store = c.workspace().store();
    QList<Run> runs;
    for (const QString &id : ids) // resolve all first: a typo changes nothing
        runs << store.run(id);
    for (const Run &run : runs) {
        if (verb == QLatin1String("delete"))
            store.deleteRun(run.uuid);
        else
            store.restoreRun(run.uuid);
        c.out << (verb == QLatin1String("delete") ? "deleted " : "restored ") << run.uuid << " " << run.name << "\n";
    }
    return 0;
}

int rename(Context &c)
{
    QCommandLineParser parser;
    if (!c.parse(parser, QStringLiteral("cairn runs rename RUN NEW_NAME")))
        return 0;
    if (parser.positionalArguments().size() != 2)
        throw UsageError(QStringLiteral("usage: cairn runs rename RUN NEW_NAME"));
    ExperimentStore &store = c.workspace().store();
    const Run run = store.run(parser.positionalArguments().at(0));
    store.renameRun(run.uuid, parser.positionalArguments().at(1));
    c.out << "renamed " << run.uuid << " to '" << parser.positionalArguments().at(1) << "'\n";
    return 0;
}

int tag(Context &c)
{
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("delete"), QStringLiteral("Remove the tag KEY."), QStringLiteral("KEY")});
    const QString usage = QStringLiteral("cairn runs tag RUN KEY=VALUE [KEY=VALUE...] | cairn runs tag RUN --delete KEY");
    if (!c.parse(parser, usage))
        return 0;
    QStringList args = parser.positionalArguments();
    if (args.isEmpty() || (args.size() < 2 && !parser.isSet(QStringLiteral("delete"))))
        throw UsageError(QStringLiteral("usage: %1").arg(usage));
    ExperimentStore &store = c.workspace().store();
    const Run run = store.run(args.takeFirst());
    QList<QPair<QString, QString>> pairs;
    for (const QString &pair : args) {
        const qsizetype eq = pair.indexOf(QLatin1Char('='));
        if (eq <= 0)
            throw UsageError(QStringLiteral("'%1' is not KEY=VALUE").arg(pair));
        pairs.append({pair.left(eq), pair.mid(eq + 1)});
    }
    for (const auto &[key, value] : pairs)
        store.setTag(run.uuid, key, value);
    for (const QString &key : parser.values(QStringLiteral("delete")))
        store.deleteTag(run.uuid, key);
    c.out << "tagged " << run.uuid << "\n";
    return 0;
}

} // namespace

int runRunsCommand(Context &c, const QString &verb)
{
    if (verb.isEmpty() || verb == QLatin1String("list") || verb == QLatin1String("ls"))
        return list(c, false);
    if (verb == QLatin1String("export"))
        return list(c, true);
    if (verb == QLatin1String("show"))
        return show(c);
    if (verb == QLatin1String("compare") || verb == QLatin1String("diff"))
        return compare(c);
    if (verb == QLatin1String("delete") || verb == QLatin1String("restore"))
        return forEachRun(c, verb);
    if (verb == QLatin1String("rename"))
        return rename(c);
    if (verb == QLatin1String("tag"))
        return tag(c);
    throw UsageError(QStringLiteral("unknown verb 'runs %1': use list, show, compare, export, delete, restore, rename or tag").arg(verb));
}

int runWorkspaceCommand(Context &c, const QString &verb)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    if (!c.parse(parser, QStringLiteral("cairn workspace info|init [--workspace DIR] [--format table|json]")))
        return 0;
    if (verb != QLatin1String("info") && verb != QLatin1String("init") && !verb.isEmpty())
        throw UsageError(QStringLiteral("unknown verb 'workspace %1': use info or init").arg(verb));
    Workspace &ws = c.workspace();
    ExperimentStore &store = ws.store();
    RunQuery all;
    all.view = ViewType::All;
    const qint64 runs = store.countRuns(all);
    const qsizetype experiments = store.experiments(ViewType::All).size();
    if (c.format(parser) == Format::Json) {
        c.printJson(QJsonObject{{QStringLiteral("path"), ws.path()},
                                {QStringLiteral("database"), ws.databasePath()},
                                {QStringLiteral("schema_version"), store.database().userVersion()},
                                {QStringLiteral("experiments"), experiments},
                                {QStringLiteral("runs"), runs}});
        return 0;
    }
    c.out << "workspace  " << ws.path() << "\n"
          << "database   " << ws.databasePath() << " (schema " << store.database().userVersion() << ")\n"
          << "experiments " << experiments << ", runs " << runs << "\n";
    return 0;
}

} // namespace cairn::cli
