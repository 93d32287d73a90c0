// `cairn algorithms list|describe ID`
#include "trainingcommands.h"

#include "cairn/algorithms/pluginmanager.h"

#include <QJsonArray>
#include <QJsonObject>

namespace cairn::cli {

void printAligned(QTextStream &out, const QList<QStringList> &rows)
{
    QList<int> widths;
    for (const QStringList &row : rows)
        for (int i = 0; i < row.size(); ++i) {
            if (widths.size() <= i)
                widths << 0;
            widths[i] = std::max(widths[i], int(row.at(i).size()));
        }
    for (const QStringList &row : rows) {
        QString line;
        for (int i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row.at(i).leftJustified(widths[i] + 2) : row.at(i);
        out << line.trimmed() << "\n";
    }
    out.flush();
}

QString formatDuration(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1.%2 s").arg(s).arg((ms % 1000) / 100);
    if (s < 3600)
        return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1h %2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

namespace {

int list(Context &c)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    if (!c.parse(parser, QStringLiteral("cairn algorithms list [--format table|json]\nThe algorithms of every plugin found.")))
        return 0;
    PluginManager plugins;
    const auto algorithms = plugins.algorithmMetadata();
    if (c.format(parser) == Format::Json) {
        QJsonArray a;
        for (const QJsonObject &o : algorithms)
            a.append(o);
        c.printJson(a);
        return 0;
    }
    QList<QStringList> rows{{QStringLiteral("ID"), QStringLiteral("PLUGIN"), QStringLiteral("INPUT"), QStringLiteral("TASKS"), QStringLiteral("NAME")}};
    for (const QJsonObject &o : algorithms) {
        QStringList tasks;
        for (const QJsonValue &t : o.value(QStringLiteral("tasks")).toArray())
            tasks << t.toString();
        rows << QStringList{o.value(QStringLiteral("id")).toString(), o.value(QStringLiteral("plugin")).toString(),
                            o.value(QStringLiteral("input")).toString(), tasks.join(QLatin1Char(',')),
                            o.value(QStringLiteral("name")).toString()};
    }
    printAligned(c.out, rows);
    for (const auto &e : plugins.entries())
        if (!e.error.isEmpty())
            c.err << "cairn: warning: " << e.error << "\n";
    if (algorithms.isEmpty())
        c.err << "cairn: no algorithm plugins found in " << plugins.searchPaths().join(QStringLiteral(", ")) << "\n";
    c.err.flush();
    return 0;
}

int describe(Context &c)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("Algorithm id (see cairn algorithms list)."));
    if (!c.parse(parser, QStringLiteral("cairn algorithms describe ID [--format table|json]\nAn algorithm's tasks and hyperparameters.")))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("cairn algorithms describe needs one algorithm id"));
    PluginManager plugins;
    const AlgorithmInfo info = plugins.algorithm(parser.positionalArguments().first());
    if (c.format(parser) == Format::Json) {
        c.printJson(info.toJson());
        return 0;
    }
    QStringList tasks;
    for (Task t : info.tasks)
        tasks << taskName(t);
    c.out << info.id << " — " << info.name << "\n" << info.description << "\n"
          << "input: " << info.input << "; tasks: " << tasks.join(QStringLiteral(", ")) << "\n\n";
    QList<QStringList> rows{{QStringLiteral("PARAMETER"), QStringLiteral("TYPE"), QStringLiteral("DEFAULT"), QStringLiteral("RANGE"), QStringLiteral("HELP")}};
    for (const Parameter &p : info.schema.parameters()) {
        QString range;
        if (p.type == Parameter::Type::Choice)
            range = p.choices.join(QLatin1Char('|'));
        else if (p.min || p.max)
            range = QStringLiteral("[%1, %2]%3").arg(p.min ? QString::number(*p.min) : QStringLiteral("-inf"),
                                                    p.max ? QString::number(*p.max) : QStringLiteral("inf"),
                                                    p.logScale ? QStringLiteral(" log") : QString());
        QString def = p.defaultValue.isBool() ? (p.defaultValue.toBool() ? QStringLiteral("true") : QStringLiteral("false"))
                                              : p.defaultValue.toVariant().toString();
        QString help = p.help;
        if (range.size() > 40) {
            help += QStringLiteral(" One of: ") + range.replace(QLatin1Char('|'), QStringLiteral(", "));
            range = QStringLiteral("(%1 choices)").arg(p.choices.size());
        }
        rows << QStringList{p.name, Parameter::typeName(p.type), def, range, help};
    }
    printAligned(c.out, rows);
    return 0;
}

} // namespace

int runAlgorithmsCommand(Context &c, const QString &verb)
{
    if (verb.isEmpty() || verb == QLatin1String("list"))
        return list(c);
    if (verb == QLatin1String("describe") || verb == QLatin1String("show"))
        return describe(c);
    throw UsageError(QStringLiteral("unknown algorithms command '%1' (use list or describe)").arg(verb));
}

} // namespace cairn::cli
