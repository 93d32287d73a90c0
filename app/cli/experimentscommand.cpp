#include "clicontext.h"

#include "cairn/store/experimentstore.h"
#include "cairn/store/runexport.h"

#include <QJsonArray>
#include <QJsonObject>

namespace cairn::cli {

namespace {

QJsonObject experimentToJson(const Experiment &e)
{
    return QJsonObject{{QStringLiteral("experiment_id"), e.id},
                       {QStringLiteral("name"), e.name},
                       {QStringLiteral("lifecycle"), e.lifecycle == Lifecycle::Deleted ? QStringLiteral("deleted") : QStringLiteral("active")},
                       {QStringLiteral("runs"), e.runCount},
                       {QStringLiteral("creation_time"), e.creationTime},
                       {QStringLiteral("last_update_time"), e.lastUpdateTime}};
}

int list(Context &c)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    parser.addOption({QStringLiteral("deleted"), QStringLiteral("List deleted experiments only.")});
    parser.addOption({QStringLiteral("all"), QStringLiteral("List active and deleted experiments.")});
    if (!c.parse(parser, QStringLiteral("cairn experiments list [--all|--deleted] [--format table|json|csv]")))
        return 0;
    const ViewType view = parser.isSet(QStringLiteral("all"))       ? ViewType::All
                          : parser.isSet(QStringLiteral("deleted")) ? ViewType::DeletedOnly
                                                                    : ViewType::ActiveOnly;
    const QList<Experiment> experiments = c.workspace().store().experiments(view);
    const Format format = c.format(parser);
    if (format == Format::Json) {
        QJsonArray array;
        for (const Experiment &e : experiments)
            array.append(experimentToJson(e));
        c.printJson(array);
        return 0;
    }
    RunTable table; // same alignment and CSV rules as run tables
    table.columns = {QStringLiteral("id"), QStringLiteral("name"), QStringLiteral("runs"), QStringLiteral("lifecycle"),
                     QStringLiteral("created")};
    for (const Experiment &e : experiments)
        table.rows << QStringList{QString::number(e.id), e.name, QString::number(e.runCount),
                                  e.lifecycle == Lifecycle::Deleted ? QStringLiteral("deleted") : QStringLiteral("active"),
                                  formatTime(e.creationTime)};
    c.out << (format == Format::Csv ? table.toCsv() : table.toText());
    return 0;
}

QStringList positional(Context &c, QCommandLineParser &parser, const QString &usage, int count)
{
    if (!c.parse(parser, usage))
        return {};
    const QStringList args = parser.positionalArguments();
    if (args.size() != count)
        throw UsageError(QStringLiteral("usage: %1").arg(usage));
    return args;
}

} // namespace

int runExperimentsCommand(Context &c, const QString &verb)
{
    ExperimentStore *store = nullptr;
    auto st = [&]() -> ExperimentStore & {
        if (!store)
            store = &c.workspace().store();
        return *store;
    };
    QCommandLineParser parser;
    if (verb.isEmpty() || verb == QLatin1String("list") || verb == QLatin1String("ls"))
        return list(c);
    if (verb == QLatin1String("create")) {
        const QStringList args = positional(c, parser, QStringLiteral("cairn experiments create NAME"), 1);
        if (args.isEmpty())
            return 0;
        const qint64 id = st().createExperiment(args.first());
        c.out << "created experiment " << id << " '" << args.first() << "'\n";
        return 0;
    }
    if (verb == QLatin1String("rename")) {
        const QStringList args = positional(c, parser, QStringLiteral("cairn experiments rename ID_OR_NAME NEW_NAME"), 2);
        if (args.isEmpty())
            return 0;
        const Experiment e = st().resolveExperiment(args.at(0));
        st().renameExperiment(e.id, args.at(1));
        c.out << "renamed experiment " << e.id << " to '" << args.at(1) << "'\n";
        return 0;
    }
    if (verb == QLatin1String("delete") || verb == QLatin1String("restore")) {
        const QStringList args = positional(c, parser, QStringLiteral("cairn experiments %1 ID_OR_NAME").arg(verb), 1);
        if (args.isEmpty())
            return 0;
        const Experiment e = st().resolveExperiment(args.first());
        if (verb == QLatin1String("delete"))
            st().deleteExperiment(e.id);
        else
            st().restoreExperiment(e.id);
        c.out << (verb == QLatin1String("delete") ? "deleted" : "restored") << " experiment " << e.id << " '" << e.name << "'\n";
        return 0;
    }
    throw UsageError(QStringLiteral("unknown verb 'experiments %1': use list, create, rename, delete or restore").arg(verb));
}

} // namespace cairn::cli
