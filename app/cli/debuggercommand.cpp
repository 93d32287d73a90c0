// cairn debug tensors|show|rules|catalogue: the debugger's data and rules from the command line.
#include "clicontext.h"
#include "trainingcommands.h"

#include "cairn/debugger/rulerunner.h"
#include "cairn/debugger/tensorstore.h"
#include "cairn/store/experimentstore.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cmath>

namespace cairn::cli {

using namespace cairn::debugger;

namespace {

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue();
}

QString num(double v)
{
    return std::isnan(v) ? QStringLiteral("nan") : QString::number(v, 'g', 6);
}

/// Left-aligned columns, as the other commands print tables.
void printTable(QTextStream &out, const QStringList &header, const QList<QStringList> &rows)
{
    QList<int> widths;
    for (const QString &h : header)
        widths << int(h.size());
    for (const QStringList &r : rows)
        for (int i = 0; i < r.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], int(std::min<qsizetype>(r.at(i).size(), 60)));
    auto line = [&](const QStringList &cells) {
        QStringList parts;
        for (int i = 0; i < cells.size(); ++i)
            parts << (i + 1 == cells.size() ? cells.at(i) : cells.at(i).leftJustified(widths.value(i)));
        out << parts.join(QStringLiteral("  ")).trimmed() << '\n';
    };
    line(header);
    for (const QStringList &r : rows)
        line(r);
    out.flush();
}

} // namespace

void printRuleResults(QTextStream &out, const QList<debugger::RuleResult> &results)
{
    QList<QStringList> rows;
    for (const debugger::RuleResult &r : results)
        rows << QStringList{r.rule, debugger::ruleStatusName(r.status), r.step >= 0 ? QString::number(r.step) : QStringLiteral("-"), r.message};
    printTable(out, {QStringLiteral("RULE"), QStringLiteral("STATUS"), QStringLiteral("STEP"), QStringLiteral("EXPLANATION")}, rows);
}

namespace {

int tensorsCommand(Context &c)
{
    const QString usage = QStringLiteral("cairn debug tensors RUN [--format table|json]");
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("RUN"), QStringLiteral("Run id (or a unique prefix)."));
    parser.addOption(formatOption());
    if (!c.parse(parser, usage))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("usage: %1").arg(usage));
    ExperimentStore &store = c.workspace().store();
    const Run run = store.run(parser.positionalArguments().first());
    const QList<TensorInfo> tensors = TensorStore(store).tensors(run.id);
    if (c.format(parser) == Format::Json) {
        QJsonArray a;
        for (const TensorInfo &t : tensors)
            a.append(QJsonObject{{QStringLiteral("name"), t.name}, {QStringLiteral("collection"), t.collection},
                                 {QStringLiteral("firstStep"), t.firstStep}, {QStringLiteral("lastStep"), t.lastStep}});
        c.printJson(a);
        return 0;
    }
    if (tensors.isEmpty()) {
        c.err << "run " << run.uuid << " has no debugger tensors (turn on collections for its job, or use cairn.debugger.Hook)\n";
        return 0;
    }
    QList<QStringList> rows;
    for (const TensorInfo &t : tensors)
        rows << QStringList{t.name, t.collection, QString::number(t.firstStep), QString::number(t.lastStep)};
    printTable(c.out, {QStringLiteral("TENSOR"), QStringLiteral("COLLECTION"), QStringLiteral("FIRST"), QStringLiteral("LAST")}, rows);
    return 0;
}

int showCommand(Context &c)
{
    const QString usage = QStringLiteral("cairn debug show RUN TENSOR [--format table|json|csv] [--step N]");
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("RUN"), QStringLiteral("Run id (or a unique prefix)."));
    parser.addPositionalArgument(QStringLiteral("TENSOR"), QStringLiteral("Tensor name (see cairn debug tensors)."));
    parser.addOption(formatOption());
    parser.addOption({QStringLiteral("step"), QStringLiteral("Only this step."), QStringLiteral("N")});
    if (!c.parse(parser, usage))
        return 0;
    if (parser.positionalArguments().size() != 2)
        throw UsageError(QStringLiteral("usage: %1").arg(usage));
    qint64 from = 0, to = std::numeric_limits<qint64>::max();
    if (parser.isSet(QStringLiteral("step"))) {
        bool ok = false;
        from = to = parser.value(QStringLiteral("step")).toLongLong(&ok);
        if (!ok)
            throw UsageError(QStringLiteral("--step needs a whole number, not '%1'").arg(parser.value(QStringLiteral("step"))));
    }
    ExperimentStore &store = c.workspace().store();
    const Run run = store.run(parser.positionalArguments().at(0));
    TensorStore ts(store);
    const QString name = parser.positionalArguments().at(1);
    const auto info = ts.tensor(run.id, name);
    if (!info)
        throw Error(QStringLiteral("run %1 has no tensor '%2' (see cairn debug tensors %1)").arg(run.uuid.left(8), name));
    const Format format = c.format(parser);
    const TensorSeries s = ts.series(info->id, from, to, format == Format::Json);
    if (format == Format::Json) {
        QJsonArray samples;
        for (const TensorSample &x : s.samples) {
            QJsonArray edges, counts;
            for (double e : x.edges)
                edges.append(e);
            for (double k : x.counts)
                counts.append(k);
            samples.append(QJsonObject{{QStringLiteral("step"), x.step}, {QStringLiteral("timestamp"), x.timestamp},
                                       {QStringLiteral("count"), x.count}, {QStringLiteral("nan"), x.nanCount},
                                       {QStringLiteral("inf"), x.infCount}, {QStringLiteral("zeros"), x.zeroCount},
                                       {QStringLiteral("min"), number(x.min)}, {QStringLiteral("max"), number(x.max)},
                                       {QStringLiteral("mean"), number(x.mean)}, {QStringLiteral("std"), number(x.std)},
                                       {QStringLiteral("l1"), number(x.l1)}, {QStringLiteral("l2"), number(x.l2)},
                                       {QStringLiteral("edges"), edges}, {QStringLiteral("counts"), counts}});
        }
        c.printJson(QJsonObject{{QStringLiteral("run"), run.uuid}, {QStringLiteral("name"), info->name},
                                {QStringLiteral("collection"), info->collection}, {QStringLiteral("samples"), samples}});
        return 0;
    }
    const QStringList header{QStringLiteral("STEP"), QStringLiteral("COUNT"), QStringLiteral("NAN"), QStringLiteral("INF"),
                             QStringLiteral("ZEROS"), QStringLiteral("MIN"), QStringLiteral("MAX"), QStringLiteral("MEAN"),
                             QStringLiteral("STD"), QStringLiteral("L1"), QStringLiteral("L2")};
    QList<QStringList> rows;
    for (const TensorSample &x : s.samples)
        rows << QStringList{QString::number(x.step), QString::number(x.count), QString::number(x.nanCount), QString::number(x.infCount),
                            QString::number(x.zeroCount), num(x.min), num(x.max), num(x.mean), num(x.std), num(x.l1), num(x.l2)};
    if (format == Format::Csv) {
        c.out << header.join(QLatin1Char(',')).toLower() << '\n';
        for (const QStringList &r : rows)
            c.out << r.join(QLatin1Char(',')) << '\n';
        c.out.flush();
        return 0;
    }
    printTable(c.out, header, rows);
    return 0;
}

int rulesCommand(Context &c)
{
    const QString usage = QStringLiteral("cairn debug rules RUN [--rule NAME ...] [--param [RULE.]KEY=VALUE ...] [--format table|json] [--fail-on-issues]");
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("RUN"), QStringLiteral("Run id (or a unique prefix)."));
    parser.addOption({QStringLiteral("rule"), QStringLiteral("A rule to evaluate (repeatable; default: every rule)."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("param"),
                      QStringLiteral("A rule parameter, e.g. threshold=1e-6 or Overfit.patience=3 (repeatable)."), QStringLiteral("KEY=VALUE")});
    parser.addOption({QStringLiteral("fail-on-issues"), QStringLiteral("Exit with 1 when a rule found issues.")});
    parser.addOption(formatOption());
    if (!c.parse(parser, usage))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("usage: %1").arg(usage));
    QList<RuleConfig> configs;
    QStringList names = parser.values(QStringLiteral("rule"));
    if (names.isEmpty())
        for (const RuleInfo &info : ruleCatalogue())
            names << info.name;
    for (const QString &n : names) {
        const auto info = findRule(n);
        if (!info) {
            QStringList known;
            for (const RuleInfo &r : ruleCatalogue())
                known << r.name;
            throw UsageError(QStringLiteral("unknown rule '%1' (known: %2)").arg(n, known.join(QStringLiteral(", "))));
        }
        configs << RuleConfig{info->name, {}, {}};
    }
    for (const QString &p : parser.values(QStringLiteral("param"))) {
        const qsizetype eq = p.indexOf(QLatin1Char('='));
        if (eq <= 0)
            throw UsageError(QStringLiteral("--param needs KEY=VALUE, not '%1'").arg(p));
        QString key = p.left(eq), rule;
        const QString value = p.mid(eq + 1);
        if (key.contains(QLatin1Char('.'))) {
            rule = key.section(QLatin1Char('.'), 0, 0);
            key = key.section(QLatin1Char('.'), 1);
        }
        bool used = false;
        for (RuleConfig &cfg : configs) {
            if (!rule.isEmpty() && cfg.name.compare(rule, Qt::CaseInsensitive) != 0)
                continue;
            if (findRule(cfg.name)->defaults().contains(key)) {
                cfg.parameters.insert(key, value);
                used = true;
            }
        }
        if (!used)
            throw UsageError(QStringLiteral("no selected rule has a parameter '%1'").arg(p.left(eq)));
    }
    ExperimentStore &store = c.workspace().store();
    const Run run = store.run(parser.positionalArguments().first());
    QList<RuleResult> results;
    try {
        results = RuleRunner::evaluateRun(store, run.id, configs);
    } catch (const Error &e) {
        throw UsageError(e.message()); // bad parameter values
    }
    int issues = 0;
    for (const RuleResult &r : results)
        issues += r.status == RuleStatus::IssuesFound ? 1 : 0;
    if (c.format(parser) == Format::Json) {
        QJsonArray a;
        for (const RuleResult &r : results)
            a.append(QJsonObject{{QStringLiteral("rule"), r.rule}, {QStringLiteral("status"), ruleStatusName(r.status)},
                                 {QStringLiteral("step"), r.step >= 0 ? QJsonValue(r.step) : QJsonValue()},
                                 {QStringLiteral("tensor"), r.tensor}, {QStringLiteral("message"), r.message},
                                 {QStringLiteral("parameters"), r.parameters}});
        c.printJson(a);
    } else {
        printRuleResults(c.out, results);
    }
    return parser.isSet(QStringLiteral("fail-on-issues")) && issues > 0 ? 1 : 0;
}

int catalogueCommand(Context &c)
{
    const QString usage = QStringLiteral("cairn debug catalogue [--format table|json]");
    QCommandLineParser parser;
    parser.addOption(formatOption());
    if (!c.parse(parser, usage))
        return 0;
    if (c.format(parser) == Format::Json) {
        QJsonArray a;
        for (const RuleInfo &r : ruleCatalogue())
            a.append(QJsonObject{{QStringLiteral("name"), r.name}, {QStringLiteral("description"), r.description},
                                 {QStringLiteral("collections"), QJsonArray::fromStringList(r.collections)},
                                 {QStringLiteral("parameters"), r.defaults()}, {QStringLiteral("xgboost"), r.xgboost}});
        c.printJson(a);
        return 0;
    }
    QList<QStringList> rows;
    for (const RuleInfo &r : ruleCatalogue()) {
        QStringList params;
        for (const RuleParameter &p : r.parameters)
            params << QStringLiteral("%1=%2").arg(p.name, p.defaultValue.isDouble() ? num(p.defaultValue.toDouble())
                                                     : p.defaultValue.isBool() ? (p.defaultValue.toBool() ? QStringLiteral("true") : QStringLiteral("false"))
                                                     : p.defaultValue.isArray() ? p.defaultValue.toVariant().toStringList().join(QLatin1Char(','))
                                                                                : p.defaultValue.toString());
        rows << QStringList{r.name, params.join(QLatin1Char(' ')), r.description};
    }
    printTable(c.out, {QStringLiteral("RULE"), QStringLiteral("PARAMETERS"), QStringLiteral("DETECTS")}, rows);
    return 0;
}

} // namespace

int runDebugCommand(Context &c, const QString &verb)
{
    if (verb == QLatin1String("tensors"))
        return tensorsCommand(c);
    if (verb == QLatin1String("show"))
        return showCommand(c);
    if (verb == QLatin1String("rules"))
        return rulesCommand(c);
    if (verb == QLatin1String("catalogue") || verb == QLatin1String("catalog"))
        return catalogueCommand(c);
    throw UsageError(QStringLiteral("usage: cairn debug tensors|show|rules|catalogue (got '%1')").arg(verb));
}

} // namespace cairn::cli
