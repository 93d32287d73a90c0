// `cairn models register|list|show|versions|approve|reject|alias|tag|card|compare|delete`
#include "clicontext.h"
#include "trainingcommands.h"

#include "cairn/registry/modelregistry.h"
#include "cairn/store/runexport.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QSaveFile>
#include <QtNumeric>

#include <cmath>

namespace cairn::cli {

namespace {

bool namesOneVersion(const QString &ref)
{
    return ref.contains(QLatin1Char(':')) || ref.contains(QLatin1Char('@'));
}

QJsonObject tagsJson(const QMap<QString, QString> &tags)
{
    QJsonObject o;
    for (auto it = tags.cbegin(); it != tags.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

QJsonObject versionJson(const ModelRegistry &registry, const ModelVersion &v, bool full)
{
    QJsonObject o{{QStringLiteral("name"), v.name},
                  {QStringLiteral("version"), v.version},
                  {QStringLiteral("approval"), v.approval},
                  {QStringLiteral("aliases"), QJsonArray::fromStringList(v.aliases)},
                  {QStringLiteral("source"), v.source},
                  {QStringLiteral("source_ref"), v.sourceRef},
                  {QStringLiteral("run_id"), v.runUuid},
                  {QStringLiteral("model_dir"), v.modelDir},
                  {QStringLiteral("description"), v.description},
                  {QStringLiteral("created_by"), v.createdBy},
                  {QStringLiteral("creation_time"), formatTime(v.createdAt)},
                  {QStringLiteral("algorithm"), v.lineage.value(QStringLiteral("algorithm"))},
                  {QStringLiteral("tags"), tagsJson(v.tags)}};
    if (full) {
        o.insert(QStringLiteral("files_intact"), registry.filesIntact(v));
        o.insert(QStringLiteral("lineage"), v.lineage);
        QJsonArray trail;
        for (const ApprovalEvent &e : registry.approvalTrail(QStringLiteral("%1:%2").arg(v.name).arg(v.version)))
            trail.append(QJsonObject{{QStringLiteral("status"), e.status},
                                     {QStringLiteral("by"), e.by},
                                     {QStringLiteral("time"), formatTime(e.time)},
                                     {QStringLiteral("comment"), e.comment}});
        o.insert(QStringLiteral("approval_history"), trail);
    }
    return o;
}

QJsonObject modelJson(const RegisteredModel &m)
{
    QJsonObject aliases;
    for (auto it = m.aliases.cbegin(); it != m.aliases.cend(); ++it)
        aliases.insert(it.key(), it.value());
    return QJsonObject{{QStringLiteral("name"), m.name},
                       {QStringLiteral("description"), m.description},
                       {QStringLiteral("latest_version"), m.latestVersion},
                       {QStringLiteral("versions"), m.versionCount},
                       {QStringLiteral("latest_approval"), m.latestApproval},
                       {QStringLiteral("aliases"), aliases},
                       {QStringLiteral("tags"), tagsJson(m.tags)},
                       {QStringLiteral("creation_time"), formatTime(m.createdAt)},
                       {QStringLiteral("last_update_time"), formatTime(m.updatedAt)}};
}

QString firstMetric(const ModelVersion &v)
{
    // The headline metric for a listing: validation AUC, accuracy, R² or RMSE, else the first one.
    const QJsonObject metrics = v.lineage.value(QStringLiteral("metrics")).toObject();
    for (const char *key : {"validation.auc", "validation.accuracy", "validation.r2", "validation.rmse", "oof.auc", "oof.accuracy"})
        if (metrics.contains(QLatin1String(key)))
            return QStringLiteral("%1=%2").arg(QLatin1String(key)).arg(metrics.value(QLatin1String(key)).toDouble(), 0, 'g', 4);
    return metrics.isEmpty() ? QString() : QStringLiteral("%1=%2").arg(metrics.begin().key()).arg(metrics.begin().value().toDouble(), 0, 'g', 4);
}

QList<QStringList> versionRows(const QList<ModelVersion> &versions)
{
    QList<QStringList> rows{{QStringLiteral("VERSION"), QStringLiteral("APPROVAL"), QStringLiteral("ALIASES"), QStringLiteral("ALGORITHM"),
                             QStringLiteral("METRIC"), QStringLiteral("RUN"), QStringLiteral("REGISTERED")}};
    for (const ModelVersion &v : versions) {
        QStringList aliases;
        for (const QString &a : v.aliases)
            aliases << QLatin1Char('@') + a;
        rows << QStringList{QString::number(v.version), v.approval, aliases.join(QLatin1Char(',')),
                            v.lineage.value(QStringLiteral("algorithm")).toString(), firstMetric(v), v.runUuid.left(12), formatTime(v.createdAt)};
    }
    return rows;
}

QString csvOf(const QList<QStringList> &rows)
{
    RunTable t;
    t.columns = rows.first();
    t.rows = rows.mid(1);
    return t.toCsv();
}

QPair<QString, QString> keyValue(const QString &pair)
{
    const qsizetype eq = pair.indexOf(QLatin1Char('='));
    if (eq <= 0)
        throw UsageError(QStringLiteral("'%1' is not KEY=VALUE").arg(pair));
    return {pair.left(eq), pair.mid(eq + 1)};
}

int registerVersion(Context &c)
{
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("run"), QStringLiteral("The run (id or prefix) whose model to register: a training run, a tuning run (its best trial) or an AutoML run (the winner)."), QStringLiteral("RUN")});
    parser.addOption({QStringLiteral("path"), QStringLiteral("A model folder (or its model.json) to register."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("description"), QStringLiteral("What this version is."), QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("tag"), QStringLiteral("A version tag KEY=VALUE; may repeat."), QStringLiteral("KEY=VALUE")});
    parser.addOption({QStringLiteral("by"), QStringLiteral("Who registers (default: $USER)."), QStringLiteral("NAME")});
    parser.addOption(formatOption());
    const QString usage = QStringLiteral("cairn models register NAME (--run RUN | --path DIR | RUN_OR_DIR) [--description TEXT] [--tag KEY=VALUE]... [--format table|json]\n"
                                         "Registers a run's model (or a model folder) as the next version of NAME, created if new.\n"
                                         "The version keeps its own copy of the model files and its lineage.");
    if (!c.parse(parser, usage))
        return 0;
    QStringList args = parser.positionalArguments();
    if (args.isEmpty() || args.size() > 2)
        throw UsageError(QStringLiteral("usage: cairn models register NAME --run RUN | --path DIR"));
    const QString name = args.takeFirst();
    const int sources = int(parser.isSet(QStringLiteral("run"))) + int(parser.isSet(QStringLiteral("path"))) + int(!args.isEmpty());
    if (sources != 1)
        throw UsageError(QStringLiteral("give exactly one of --run RUN, --path DIR or a run id or folder after the name"));
    if (!ModelRegistry::isValidName(name))
        throw UsageError(QStringLiteral("'%1' is not a valid model name: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit").arg(name));
    ModelRegistry::RegisterOptions options;
    options.description = parser.value(QStringLiteral("description"));
    options.by = parser.value(QStringLiteral("by"));
    for (const QString &pair : parser.values(QStringLiteral("tag"))) {
        const auto [k, v] = keyValue(pair);
        options.tags.insert(k, v);
    }
    ModelRegistry registry(c.workspace());
    const QString positional = args.isEmpty() ? QString() : args.first();
    const bool fromPath = parser.isSet(QStringLiteral("path")) || (!positional.isEmpty() && QFileInfo::exists(positional));
    const ModelVersion v = fromPath ? registry.registerFolder(name, parser.isSet(QStringLiteral("path")) ? parser.value(QStringLiteral("path")) : positional, options)
                                    : registry.registerRun(name, parser.isSet(QStringLiteral("run")) ? parser.value(QStringLiteral("run")) : positional, options);
    if (c.format(parser) == Format::Json) {
        c.printJson(versionJson(registry, v, true));
        return 0;
    }
    c.out << "registered " << v.name << ":" << v.version << " (" << v.approval << ") from "
          << (v.source == QLatin1String("run") ? QStringLiteral("run ") + v.runUuid : v.sourceRef) << "\n"
          << "files      " << v.modelDir << "\n";
    return 0;
}

int list(Context &c)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    if (!c.parse(parser, QStringLiteral("cairn models list [--format table|json|csv]")))
        return 0;
    if (!parser.positionalArguments().isEmpty())
        throw UsageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));
    const QList<RegisteredModel> models = ModelRegistry(c.workspace()).models();
    const Format format = c.format(parser);
    if (format == Format::Json) {
        QJsonArray array;
        for (const RegisteredModel &m : models)
            array.append(modelJson(m));
        c.printJson(array);
        return 0;
    }
    QList<QStringList> rows{{QStringLiteral("NAME"), QStringLiteral("VERSIONS"), QStringLiteral("LATEST"), QStringLiteral("APPROVAL"),
                             QStringLiteral("ALIASES"), QStringLiteral("UPDATED")}};
    for (const RegisteredModel &m : models) {
        QStringList aliases;
        for (auto it = m.aliases.cbegin(); it != m.aliases.cend(); ++it)
            aliases << QStringLiteral("@%1=%2").arg(it.key()).arg(it.value());
        rows << QStringList{m.name, QString::number(m.versionCount), m.latestVersion > 0 ? QString::number(m.latestVersion) : QString(),
                            m.latestApproval, aliases.join(QLatin1Char(',')), formatTime(m.updatedAt)};
    }
    if (format == Format::Csv)
        c.out << csvOf(rows);
    else if (models.isEmpty())
        c.out << "no registered models (cairn models register NAME --run RUN)\n";
    else
        printAligned(c.out, rows);
    return 0;
}

int versions(Context &c)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    if (!c.parse(parser, QStringLiteral("cairn models versions NAME [--format table|json|csv]")))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("usage: cairn models versions NAME"));
    ModelRegistry registry(c.workspace());
    const QList<ModelVersion> all = registry.versions(parser.positionalArguments().first());
    const Format format = c.format(parser);
    if (format == Format::Json) {
        QJsonArray array;
        for (const ModelVersion &v : all)
            array.append(versionJson(registry, v, false));
        c.printJson(array);
    } else if (format == Format::Csv) {
        c.out << csvOf(versionRows(all));
    } else if (all.isEmpty()) {
        c.out << "no versions\n";
    } else {
        printAligned(c.out, versionRows(all));
    }
    return 0;
}

void printVersion(Context &c, const ModelRegistry &registry, const ModelVersion &v)
{
    QTextStream &o = c.out;
    const QJsonObject &l = v.lineage;
    o << "model      " << v.name << "\n"
      << "version    " << v.version << "\n"
      << "approval   " << v.approval << "\n";
    if (!v.aliases.isEmpty()) {
        QStringList a;
        for (const QString &alias : v.aliases)
            a << QLatin1Char('@') + alias;
        o << "aliases    " << a.join(QStringLiteral(", ")) << "\n";
    }
    if (!v.description.isEmpty())
        o << "about      " << v.description << "\n";
    o << "registered " << formatTime(v.createdAt) << " by " << v.createdBy << "\n"
      << "source     " << (v.source == QLatin1String("run") ? QStringLiteral("run ") + v.sourceRef : v.sourceRef) << "\n"
      << "algorithm  " << l.value(QStringLiteral("algorithm")).toString();
    if (!l.value(QStringLiteral("task")).toString().isEmpty())
        o << " (" << l.value(QStringLiteral("task")).toString() << ", target " << l.value(QStringLiteral("target")).toString() << ")";
    o << "\n"
      << "files      " << v.modelDir << "\n"
      << "sha256     " << l.value(QStringLiteral("model_sha256")).toString()
      << (registry.filesIntact(v) ? QString() : QStringLiteral("  (the files have changed or gone since registration!)")) << "\n"
      << "cairn      " << l.value(QStringLiteral("cairn_version")).toString() << "\n";
    const QJsonObject run = l.value(QStringLiteral("run")).toObject();
    if (!run.isEmpty())
        o << "run        " << run.value(QStringLiteral("uuid")).toString() << " " << run.value(QStringLiteral("name")).toString() << " (experiment "
          << run.value(QStringLiteral("experiment")).toString() << ")\n";
    if (!l.value(QStringLiteral("job")).toString().isEmpty())
        o << "job        " << l.value(QStringLiteral("job")).toString() << "\n";
    const QJsonArray channels = l.value(QStringLiteral("channels")).toArray();
    if (!channels.isEmpty()) {
        o << "\ndata\n";
        for (const auto &ch : channels) {
            const QJsonObject co = ch.toObject();
            o << "  " << co.value(QStringLiteral("name")).toString() << "  " << co.value(QStringLiteral("path")).toString() << "  "
              << (co.value(QStringLiteral("missing")).toBool() ? QStringLiteral("(missing at registration)")
                                                              : QStringLiteral("sha256 %1").arg(co.value(QStringLiteral("sha256")).toString()))
              << "\n";
        }
    }
    const QJsonObject hp = l.value(QStringLiteral("hyperparameters")).toObject();
    if (!hp.isEmpty()) {
        o << "\nhyperparameters\n";
        for (auto it = hp.begin(); it != hp.end(); ++it)
            o << "  " << it.key() << " = " << (it.value().isDouble() ? formatMetricValue(it.value().toDouble()) : it.value().toVariant().toString()) << "\n";
    }
    const QJsonObject metrics = l.value(QStringLiteral("metrics")).toObject();
    if (!metrics.isEmpty()) {
        o << "\nmetrics\n";
        for (auto it = metrics.begin(); it != metrics.end(); ++it)
            o << "  " << it.key() << " = " << (it.value().isDouble() ? formatMetricValue(it.value().toDouble()) : it.value().toString()) << "\n";
    }
    if (!v.tags.isEmpty()) {
        o << "\ntags\n";
        for (auto it = v.tags.cbegin(); it != v.tags.cend(); ++it)
            o << "  " << it.key() << " = " << it.value() << "\n";
    }
    o << "\napproval history\n";
    QList<QStringList> rows{{QStringLiteral("WHEN"), QStringLiteral("STATUS"), QStringLiteral("BY"), QStringLiteral("COMMENT")}};
    for (const ApprovalEvent &e : registry.approvalTrail(QStringLiteral("%1:%2").arg(v.name).arg(v.version)))
        rows << QStringList{formatTime(e.time), e.status, e.by, e.comment};
    printAligned(o, rows);
}

int show(Context &c)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    const QString usage = QStringLiteral("cairn models show NAME | NAME:VERSION | NAME@ALIAS [--format table|json]\n"
                                         "A model with its versions, or one version with its lineage and approval history.");
    if (!c.parse(parser, usage))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("usage: cairn models show NAME | NAME:VERSION | NAME@ALIAS"));
    const QString ref = parser.positionalArguments().first();
    ModelRegistry registry(c.workspace());
    const bool json = c.format(parser) == Format::Json;
    if (namesOneVersion(ref) || ref.startsWith(QLatin1String("models:/"))) {
        const ModelVersion v = registry.version(ref);
        if (json)
            c.printJson(versionJson(registry, v, true));
        else
            printVersion(c, registry, v);
        return 0;
    }
    const RegisteredModel m = registry.model(ref);
    const QList<ModelVersion> all = registry.versions(ref);
    if (json) {
        QJsonObject o = modelJson(m);
        QJsonArray array;
        for (const ModelVersion &v : all)
            array.append(versionJson(registry, v, false));
        o.insert(QStringLiteral("versions"), array);
        c.printJson(o);
        return 0;
    }
    c.out << "model      " << m.name << "\n";
    if (!m.description.isEmpty())
        c.out << "about      " << m.description << "\n";
    c.out << "created    " << formatTime(m.createdAt) << "\n"
          << "updated    " << formatTime(m.updatedAt) << "\n";
    if (!m.aliases.isEmpty()) {
        QStringList a;
        for (auto it = m.aliases.cbegin(); it != m.aliases.cend(); ++it)
            a << QStringLiteral("@%1 -> %2").arg(it.key()).arg(it.value());
        c.out << "aliases    " << a.join(QStringLiteral(", ")) << "\n";
    }
    for (auto it = m.tags.cbegin(); it != m.tags.cend(); ++it)
        c.out << "tag        " << it.key() << " = " << it.value() << "\n";
    c.out << "\n";
    if (all.isEmpty())
        c.out << "no versions\n";
    else
        printAligned(c.out, versionRows(all));
    return 0;
}

int approval(Context &c, Approval status, const QString &verb)
{
    QCommandLineParser parser;
    parser.addOption({{QStringLiteral("m"), QStringLiteral("comment")}, QStringLiteral("Why (kept in the approval history)."), QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("by"), QStringLiteral("Who decides (default: $USER)."), QStringLiteral("NAME")});
    parser.addOption(formatOption());
    if (!c.parse(parser, QStringLiteral("cairn models %1 NAME:VERSION [--comment TEXT] [--by NAME]").arg(verb)))
        return 0;
    const QStringList args = parser.positionalArguments();
    // NAME:VERSION, NAME@ALIAS, or NAME VERSION
    if (args.isEmpty() || args.size() > 2 || (args.size() == 2 && args.at(1).toInt() <= 0))
        throw UsageError(QStringLiteral("usage: cairn models %1 NAME:VERSION [--comment TEXT]").arg(verb));
    const QString ref = args.size() == 2 ? args.at(0) + QLatin1Char(':') + args.at(1) : args.first();
    if (!namesOneVersion(ref))
        throw UsageError(QStringLiteral("name the version to %1: %2:VERSION or %2@ALIAS").arg(verb, ref));
    ModelRegistry registry(c.workspace());
    const ModelVersion v = registry.setApproval(ref, status, parser.value(QStringLiteral("by")), parser.value(QStringLiteral("comment")));
    if (c.format(parser) == Format::Json)
        c.printJson(versionJson(registry, v, true));
    else
        c.out << v.name << ":" << v.version << " is " << v.approval << "\n";
    return 0;
}

int alias(Context &c)
{
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("delete"), QStringLiteral("Remove the alias.")});
    const QString usage = QStringLiteral("cairn models alias NAME ALIAS VERSION | cairn models alias NAME ALIAS --delete\n"
                                         "Points NAME@ALIAS (e.g. @champion) at a version; endpoints serving NAME@ALIAS follow it.");
    if (!c.parse(parser, usage))
        return 0;
    const QStringList args = parser.positionalArguments();
    ModelRegistry registry(c.workspace());
    if (parser.isSet(QStringLiteral("delete"))) {
        if (args.size() != 2)
            throw UsageError(QStringLiteral("usage: cairn models alias NAME ALIAS --delete"));
        registry.deleteAlias(args.at(0), args.at(1));
        c.out << "deleted " << args.at(0) << "@" << args.at(1) << "\n";
        return 0;
    }
    if (args.size() != 3)
        throw UsageError(QStringLiteral("usage: %1").arg(usage.section(QLatin1Char('\n'), 0, 0)));
    bool ok = false;
    const int version = args.at(2).toInt(&ok);
    if (!ok || version <= 0)
        throw UsageError(QStringLiteral("'%1' is not a version number").arg(args.at(2)));
    if (!ModelRegistry::isValidAlias(args.at(1)))
        throw UsageError(QStringLiteral("'%1' is not a valid alias: use a letter, then letters, digits, '_' or '-' ('latest' is reserved)").arg(args.at(1)));
    registry.setAlias(args.at(0), args.at(1), version);
    c.out << args.at(0) << "@" << args.at(1) << " -> " << version << "\n";
    return 0;
}

int tag(Context &c)
{
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("delete"), QStringLiteral("Remove the tag KEY; may repeat."), QStringLiteral("KEY")});
    const QString usage = QStringLiteral("cairn models tag NAME[:VERSION] KEY=VALUE [KEY=VALUE...] | cairn models tag NAME[:VERSION] --delete KEY\n"
                                         "Tags a model (NAME) or one version (NAME:VERSION, NAME@ALIAS).");
    if (!c.parse(parser, usage))
        return 0;
    QStringList args = parser.positionalArguments();
    if (args.isEmpty() || (args.size() < 2 && !parser.isSet(QStringLiteral("delete"))))
        throw UsageError(QStringLiteral("usage: %1").arg(usage.section(QLatin1Char('\n'), 0, 0)));
    const QString ref = args.takeFirst();
    QList<QPair<QString, QString>> pairs;
    for (const QString &pair : args)
        pairs << keyValue(pair);
    ModelRegistry registry(c.workspace());
    const bool oneVersion = namesOneVersion(ref);
    if (oneVersion)
        registry.version(ref); // a typo changes nothing
    else
        registry.model(ref);
    for (const auto &[k, v] : pairs)
        oneVersion ? registry.setVersionTag(ref, k, v) : registry.setModelTag(ref, k, v);
    for (const QString &k : parser.values(QStringLiteral("delete")))
        oneVersion ? registry.deleteVersionTag(ref, k) : registry.deleteModelTag(ref, k);
    c.out << "tagged " << ref << "\n";
    return 0;
}

int card(Context &c)
{
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("format"), QStringLiteral("markdown (default) or json."), QStringLiteral("FORMAT")});
    parser.addOption({{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("File to write (default: standard output)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("intended-use"), QStringLiteral("Set what the model is for and not for."), QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("training-data"), QStringLiteral("Set notes on the training data."), QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("metrics-notes"), QStringLiteral("Set notes on the metrics (their values come from the lineage)."), QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("limitations"), QStringLiteral("Set known limitations."), QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("from"), QStringLiteral("Set the card from a JSON file with intended_use, training_data, metrics, limitations (strings)."), QStringLiteral("FILE")});
    const QString usage = QStringLiteral("cairn models card NAME:VERSION [--intended-use TEXT] [--training-data TEXT] [--metrics-notes TEXT] [--limitations TEXT] [--from FILE]\n"
                                         "                  [--format markdown|json] [--output FILE]\n"
                                         "Edits a version's model card (with any of the --set options) and prints or exports it with the version's lineage.");
    if (!c.parse(parser, usage))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("usage: cairn models card NAME:VERSION [options]"));
    const QString format = parser.value(QStringLiteral("format")).toLower();
    if (!format.isEmpty() && format != QLatin1String("markdown") && format != QLatin1String("md") && format != QLatin1String("json"))
        throw UsageError(QStringLiteral("unknown --format '%1': use markdown or json").arg(format));
    ModelRegistry registry(c.workspace());
    const QString ref = parser.positionalArguments().first();
    const ModelVersion v = registry.version(ref);
    const QString exact = QStringLiteral("%1:%2").arg(v.name).arg(v.version);
    ModelCardText text = registry.card(exact);
    bool changed = false;
    if (parser.isSet(QStringLiteral("from"))) {
        QFile f(parser.value(QStringLiteral("from")));
        if (!f.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString()));
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
        if (!doc.isObject())
            throw Error(QStringLiteral("%1: not a JSON object (%2 at offset %3)").arg(f.fileName(), error.errorString()).arg(error.offset));
        const QJsonObject o = doc.object();
        auto field = [&](const char *key, QString &into) {
            const QJsonValue value = o.value(QLatin1String(key));
            if (value.isUndefined())
                return;
            // An exported card's sections are objects with "notes".
            into = value.isObject() ? value.toObject().value(QStringLiteral("notes")).toString() : value.toString();
            changed = true;
        };
        field("intended_use", text.intendedUse);
        field("training_data", text.trainingData);
        field("metrics", text.metrics);
        field("limitations", text.limitations);
    }
    for (const auto &[option, into] : {std::pair<const char *, QString *>{"intended-use", &text.intendedUse},
                                       {"training-data", &text.trainingData},
                                       {"metrics-notes", &text.metrics},
                                       {"limitations", &text.limitations}})
        if (parser.isSet(QLatin1String(option))) {
            *into = parser.value(QLatin1String(option));
            changed = true;
        }
    if (changed) {
        text.updatedBy = ModelRegistry::currentUser();
        registry.setCard(exact, text);
    }
    const QByteArray out = format == QLatin1String("json") ? QJsonDocument(registry.cardJson(exact)).toJson(QJsonDocument::Indented)
                                                           : registry.cardMarkdown(exact).toUtf8();
    if (parser.isSet(QStringLiteral("output"))) {
        QSaveFile f(parser.value(QStringLiteral("output")));
        if (!f.open(QIODevice::WriteOnly) || f.write(out) != out.size() || !f.commit())
            throw Error(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
        c.out << (changed ? "updated the card of " : "") << (changed ? exact + QStringLiteral("; ") : QString()) << "wrote " << f.fileName() << "\n";
    } else {
        c.out << QString::fromUtf8(out);
    }
    return 0;
}

int compare(Context &c)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    parser.addOption({QStringLiteral("versions"), QStringLiteral("Comma-separated versions (default: all)."), QStringLiteral("LIST")});
    parser.addOption({QStringLiteral("metric"), QStringLiteral("Only this metric's trend across the versions."), QStringLiteral("KEY")});
    parser.addOption({QStringLiteral("diff-only"), QStringLiteral("Only the rows where the versions differ.")});
    const QString usage = QStringLiteral("cairn models compare NAME [--versions 1,3] [--metric KEY] [--diff-only] [--format table|json|csv]\n"
                                         "Versions side by side (approval, algorithm, hyperparameters, metrics, data hashes, tags); '*' marks\n"
                                         "rows that differ. --metric prints one metric's trend with the change from version to version.");
    if (!c.parse(parser, usage))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("usage: cairn models compare NAME [--versions LIST] [--metric KEY] [--diff-only]"));
    QList<int> wanted;
    for (const QString &part : parser.value(QStringLiteral("versions")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        wanted << part.trimmed().toInt(&ok);
        if (!ok || wanted.last() <= 0)
            throw UsageError(QStringLiteral("--versions needs version numbers, not '%1'").arg(part));
    }
    ModelRegistry registry(c.workspace());
    const VersionComparison cmp = registry.compare(parser.positionalArguments().first(), wanted);
    const Format format = c.format(parser);
    const bool diffOnly = parser.isSet(QStringLiteral("diff-only"));
    if (parser.isSet(QStringLiteral("metric"))) {
        const QString key = parser.value(QStringLiteral("metric"));
        const VersionComparison::Row *row = cmp.metric(key);
        if (!row) {
            QStringList known;
            for (const auto &r : cmp.rows)
                if (r.section == QLatin1String("metrics"))
                    known << r.key;
            throw Error(QStringLiteral("no version of '%1' has the metric '%2' (metrics: %3)").arg(cmp.name, key, known.isEmpty() ? QStringLiteral("none") : known.join(QStringLiteral(", "))));
        }
        QList<QStringList> rows{{QStringLiteral("VERSION"), key.toUpper(), QStringLiteral("CHANGE")}};
        QJsonArray trend;
        double previous = qQNaN();
        for (int i = 0; i < cmp.versions.size(); ++i) {
            bool ok = false;
            const double value = row->values.at(i).toDouble(&ok);
            const bool hasPrevious = !std::isnan(previous);
            rows << QStringList{QString::number(cmp.versions.at(i)), row->values.at(i),
                                ok && hasPrevious ? (value >= previous ? QStringLiteral("+") : QString()) + QString::number(value - previous, 'g', 4) : QString()};
            trend.append(QJsonObject{{QStringLiteral("version"), cmp.versions.at(i)},
                                     {QStringLiteral("value"), ok ? metricValueToJson(value) : QJsonValue()}});
            if (ok)
                previous = value;
        }
        if (format == Format::Json)
            c.printJson(QJsonObject{{QStringLiteral("model"), cmp.name}, {QStringLiteral("metric"), key}, {QStringLiteral("trend"), trend}});
        else if (format == Format::Csv)
            c.out << csvOf(rows);
        else
            printAligned(c.out, rows);
        return 0;
    }
    if (format == Format::Json) {
        c.printJson(cmp.toJson(diffOnly));
    } else if (format == Format::Csv) {
        QList<QStringList> rows{QStringList{QStringLiteral("section"), QStringLiteral("key"), QStringLiteral("differs")}};
        for (int v : cmp.versions)
            rows.first() << QStringLiteral("v%1").arg(v);
        for (const auto &r : cmp.rows)
            if (!diffOnly || r.differs)
                rows << (QStringList{r.section, r.key, r.differs ? QStringLiteral("true") : QStringLiteral("false")} + r.values);
        c.out << csvOf(rows);
    } else {
        c.out << cmp.toText(diffOnly);
    }
    return 0;
}

int remove(Context &c)
{
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("all"), QStringLiteral("With a bare NAME: delete the model and every version.")});
    const QString usage = QStringLiteral("cairn models delete NAME:VERSION | cairn models delete NAME --all\n"
                                         "Deletes a version (its aliases and files too), or a whole model. Refused while an endpoint serves it.");
    if (!c.parse(parser, usage))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("usage: %1").arg(usage.section(QLatin1Char('\n'), 0, 0)));
    const QString ref = parser.positionalArguments().first();
    ModelRegistry registry(c.workspace());
    if (namesOneVersion(ref)) {
        if (parser.isSet(QStringLiteral("all")))
            throw UsageError(QStringLiteral("--all deletes a whole model: give its bare NAME"));
        const ModelVersion v = registry.version(ref);
        registry.deleteVersion(QStringLiteral("%1:%2").arg(v.name).arg(v.version));
        c.out << "deleted " << v.name << ":" << v.version << "\n";
        return 0;
    }
    const RegisteredModel m = registry.model(ref);
    if (!parser.isSet(QStringLiteral("all")))
        throw UsageError(QStringLiteral("name a version (%1:VERSION), or add --all to delete '%1' with its %2 version(s)").arg(m.name).arg(m.versionCount));
    registry.deleteModel(m.name);
    c.out << "deleted " << m.name << " (" << m.versionCount << " version(s))\n";
    return 0;
}

} // namespace

int runModelsCommand(Context &c, const QString &verb)
{
    if (verb.isEmpty() && (c.arguments.contains(QStringLiteral("--help")) || c.arguments.contains(QStringLiteral("-h")))) {
        c.out << "Usage: cairn models VERB ...   (each verb takes --help)\n\n"
                 "  register NAME --run RUN | --path DIR   a run's model (or a folder) as the next version of NAME\n"
                 "  list                                   registered models\n"
                 "  show NAME | NAME:VERSION | NAME@ALIAS  a model and its versions, or one version's lineage\n"
                 "  versions NAME                          the versions of a model\n"
                 "  approve|reject NAME:VERSION [-m TEXT]  set the approval status (the history is kept)\n"
                 "  alias NAME ALIAS VERSION [--delete]    point NAME@ALIAS at a version\n"
                 "  tag NAME[:VERSION] KEY=VALUE           tag a model or a version\n"
                 "  card NAME:VERSION [--intended-use ...] edit and export the model card (Markdown, JSON)\n"
                 "  compare NAME [--metric KEY]            versions side by side, or a metric's trend\n"
                 "  delete NAME:VERSION | NAME --all       delete a version or a model\n\n"
                 "References: NAME (latest version), NAME:3, NAME@champion, models:/NAME/3.\n";
        return 0;
    }
    if (verb.isEmpty() || verb == QLatin1String("list") || verb == QLatin1String("ls"))
        return list(c);
    if (verb == QLatin1String("register"))
        return registerVersion(c);
    if (verb == QLatin1String("show"))
        return show(c);
    if (verb == QLatin1String("versions"))
        return versions(c);
    if (verb == QLatin1String("approve"))
        return approval(c, Approval::Approved, verb);
    if (verb == QLatin1String("reject"))
        return approval(c, Approval::Rejected, verb);
    if (verb == QLatin1String("alias"))
        return alias(c);
    if (verb == QLatin1String("tag"))
        return tag(c);
    if (verb == QLatin1String("card"))
        return card(c);
    if (verb == QLatin1String("compare") || verb == QLatin1String("diff"))
        return compare(c);
    if (verb == QLatin1String("delete"))
        return remove(c);
    throw UsageError(QStringLiteral("unknown verb 'models %1': use register, list, show, versions, approve, reject, alias, tag, card, compare or delete").arg(verb));
}

} // namespace cairn::cli
