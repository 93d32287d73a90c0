// cairn label create|status|import|export: labeling jobs from the command line (issue 7).
#include "clicontext.h"

#include "cairn/algorithms/algorithmplugin.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/labeling/autolabel.h"
#include "cairn/labeling/labelformats.h"
#include "cairn/labeling/labelingjob.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

namespace cairn::cli {

using namespace cairn::labeling;

namespace {

QString jobArgument(const QCommandLineParser &parser, int index, const QString &what)
{
    const QStringList args = parser.positionalArguments();
    if (args.size() <= index)
        throw UsageError(QStringLiteral("%1 is missing (see cairn label --help)").arg(what));
    return args.at(index);
}

void noExtraArguments(const QCommandLineParser &parser, int expected)
{
    if (parser.positionalArguments().size() > expected)
        throw UsageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().at(expected)));
}

int create(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Job name: letters, digits and hyphens."));
    parser.addOption({QStringLiteral("images"), QStringLiteral("Folder of images (searched recursively)."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("manifest"), QStringLiteral("Input manifest: JSON Lines with \"source-ref\" (labels in it are imported)."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("type"), QStringLiteral("single-label (default), multi-label or boxes."), QStringLiteral("TYPE")});
    parser.addOption({QStringLiteral("labels"), QStringLiteral("Comma-separated class names, e.g. cat,dog,bird."), QStringLiteral("LIST")});
    parser.addOption({QStringLiteral("instructions"), QStringLiteral("What the labelers should do."), QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("label-attribute"), QStringLiteral("Label key in the input manifest (default: found from the file)."),
                      QStringLiteral("NAME")});
    if (!c.parse(parser, QStringLiteral("cairn label create NAME (--images DIR | --manifest FILE) [--type single-label|multi-label|boxes] "
                                        "--labels A,B,C [--instructions TEXT]")))
        return 0;
    const QString name = jobArgument(parser, 0, QStringLiteral("the job name"));
    noExtraArguments(parser, 1);
    const bool fromImages = parser.isSet(QStringLiteral("images"));
    const bool fromManifest = parser.isSet(QStringLiteral("manifest"));
    if (fromImages == fromManifest)
        throw UsageError(QStringLiteral("give either --images DIR or --manifest FILE"));
    JobSettings settings;
    settings.name = name;
    settings.type = parser.isSet(QStringLiteral("type")) ? taskTypeFromName(parser.value(QStringLiteral("type"))) : TaskType::SingleLabel;
    settings.instructions = parser.value(QStringLiteral("instructions"));
    LabelingJob::validateName(name);
    const QString workspace = c.workspace().path();
    if (LabelingJob::exists(workspace, name))
        throw Error(QStringLiteral("a labeling job named '%1' already exists").arg(name));

    QStringList names = parser.value(QStringLiteral("labels")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (QString &n : names)
        n = n.trimmed();
    QStringList sources, refs;
    ParsedLabels existing;
    if (fromImages) {
        sources = LabelingJob::scanImageFolder(parser.value(QStringLiteral("images")));
        if (sources.isEmpty())
            throw Error(QStringLiteral("%1: no images (%2)").arg(parser.value(QStringLiteral("images")),
                                                                  LabelingJob::imageSuffixes().join(QStringLiteral(", "))));
    } else {
        const QString manifest = parser.value(QStringLiteral("manifest"));
        const ManifestSources ms = readManifestSources(manifest);
        sources = ms.paths;
        refs = ms.refs;
        // Parse the labels now: a malformed manifest creates no job.
        existing = parseManifest(manifest, settings.type, parser.value(QStringLiteral("label-attribute")));
        if (names.isEmpty()) {
            QList<int> ids = existing.classes.keys();
            std::sort(ids.begin(), ids.end());
            // Ids with gaps are fine: labels map onto the job's classes by name.
            for (int id : ids)
                names << existing.classes.value(id);
        }
    }
    if (names.isEmpty())
        throw UsageError(QStringLiteral("give the classes with --labels A,B,C"));
    for (const QString &n : names)
        settings.classes << LabelClass{0, n, {}, {}};
    auto job = LabelingJob::create(workspace, settings, sources, refs);
    ImportResult imported;
    if (fromManifest)
        imported = importLabels(*job, existing);
    c.out << QStringLiteral("created labeling job '%1' (%2) with %3 images and %4 classes in %5\n")
                 .arg(name, taskTypeName(settings.type))
                 .arg(job->itemCount())
                 .arg(job->classes().size())
                 .arg(QDir::toNativeSeparators(job->dir()));
    if (imported.imported > 0)
        c.out << QStringLiteral("imported %1 labels from the manifest\n").arg(imported.imported);
    return 0;
}

QJsonObject countsJson(const LabelingJob &job)
{
    const JobCounts n = job.counts();
    QJsonArray classes;
    for (const LabelClass &cls : job.classes())
        classes.append(QJsonObject{{QStringLiteral("id"), cls.id}, {QStringLiteral("name"), cls.name}, {QStringLiteral("key"), cls.key},
                                   {QStringLiteral("color"), cls.color}, {QStringLiteral("count"), n.perClass.value(cls.id)}});
    return QJsonObject{{QStringLiteral("name"), job.name()},
                       {QStringLiteral("type"), taskTypeName(job.type())},
                       {QStringLiteral("images"), n.total},
                       {QStringLiteral("labeled"), n.labeled},
                       {QStringLiteral("skipped"), n.skipped},
                       {QStringLiteral("needs-review"), n.needsReview},
                       {QStringLiteral("unlabeled"), n.unlabeled},
                       {QStringLiteral("machine-labeled"), n.machineLabeled},
                       {QStringLiteral("instructions"), job.settings().instructions},
                       {QStringLiteral("classes"), classes},
                       {QStringLiteral("path"), job.dir()}};
}

int status(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Job name (default: every job)."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print JSON.")});
    if (!c.parse(parser, QStringLiteral("cairn label status [NAME] [--json]")))
        return 0;
    noExtraArguments(parser, 1);
    const QString workspace = c.workspace().path();
    const bool json = parser.isSet(QStringLiteral("json"));
    if (parser.positionalArguments().isEmpty()) {
        QJsonArray jobs;
        const QStringList names = LabelingJob::list(workspace);
        if (!json) {
            if (names.isEmpty())
                c.out << "no labeling jobs (create one with cairn label create)\n";
            else
                c.out << QStringLiteral("%1 %2 %3 %4 %5\n").arg(QStringLiteral("JOB"), -24).arg(QStringLiteral("TYPE"), -13)
                             .arg(QStringLiteral("IMAGES"), 7).arg(QStringLiteral("DONE"), 7).arg(QStringLiteral("REVIEW"), 7);
        }
        for (const QString &name : names) {
            auto job = LabelingJob::open(workspace, name);
            const JobCounts n = job->counts();
            if (json)
                jobs.append(countsJson(*job));
            else
                c.out << QStringLiteral("%1 %2 %3 %4 %5\n").arg(name, -24).arg(taskTypeName(job->type()), -13).arg(n.total, 7)
                             .arg(n.done(), 7).arg(n.needsReview, 7);
        }
        if (json)
            c.printJson(jobs);
        return 0;
    }
    auto job = LabelingJob::open(workspace, parser.positionalArguments().first());
    if (json) {
        c.printJson(countsJson(*job));
        return 0;
    }
    const JobCounts n = job->counts();
    c.out << QStringLiteral("job %1 (%2), %3 images in %4\n").arg(job->name(), taskTypeName(job->type())).arg(n.total).arg(job->dir());
    if (!job->settings().instructions.isEmpty())
        c.out << QStringLiteral("instructions: %1\n").arg(job->settings().instructions);
    c.out << QStringLiteral("labeled %1, skipped %2, needs review %3 (%4 machine-labeled), unlabeled %5: %6% done\n")
                 .arg(n.labeled).arg(n.skipped).arg(n.needsReview).arg(n.machineLabeled).arg(n.unlabeled)
                 .arg(n.total ? 100 * n.done() / n.total : 0);
    c.out << QStringLiteral("%1 %2 %3\n").arg(QStringLiteral("CLASS"), -24).arg(QStringLiteral("KEY"), -4)
                 .arg(job->type() == TaskType::BoundingBox ? QStringLiteral("BOXES") : QStringLiteral("IMAGES"), 7);
    for (const LabelClass &cls : job->classes())
        c.out << QStringLiteral("%1 %2 %3\n").arg(cls.name, -24).arg(cls.key, -4).arg(n.perClass.value(cls.id), 7);
    return 0;
}

LabelFormat formatFrom(const QCommandLineParser &parser)
{
    if (!parser.isSet(QStringLiteral("format")))
        return LabelFormat::Manifest;
    try {
        return formatFromName(parser.value(QStringLiteral("format")));
    } catch (const Error &e) {
        throw UsageError(e.message());
    }
}

QCommandLineOption labelFormatOption()
{
    return {QStringLiteral("format"), QStringLiteral("manifest (Ground Truth output.manifest, default), coco, yolo or voc."), QStringLiteral("FORMAT")};
}

int importCommand(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Job name."));
    parser.addPositionalArgument(QStringLiteral("PATH"), QStringLiteral("Manifest or COCO file; YOLO or VOC folder."));
    parser.addOption(labelFormatOption());
    parser.addOption({QStringLiteral("replace"), QStringLiteral("Also overwrite images a human has labeled.")});
    parser.addOption({QStringLiteral("no-new-classes"), QStringLiteral("Fail on classes the job lacks instead of adding them.")});
    parser.addOption({QStringLiteral("label-attribute"), QStringLiteral("Label key in a manifest (default: found from the file)."),
                      QStringLiteral("NAME")});
    if (!c.parse(parser, QStringLiteral("cairn label import NAME PATH [--format manifest|coco|yolo|voc] [--replace]\n"
                                        "A malformed file is reported with its line and nothing is imported.")))
        return 0;
    const QString name = jobArgument(parser, 0, QStringLiteral("the job name"));
    const QString path = jobArgument(parser, 1, QStringLiteral("the file to import"));
    noExtraArguments(parser, 2);
    const LabelFormat format = formatFrom(parser);
    if (!QFileInfo::exists(path))
        throw InputError(QStringLiteral("%1: no such file or folder").arg(path));
    auto job = LabelingJob::open(c.workspace().path(), name);
    ImportOptions options;
    options.replace = parser.isSet(QStringLiteral("replace"));
    options.addClasses = !parser.isSet(QStringLiteral("no-new-classes"));
    ImportResult r;
    if (format == LabelFormat::Manifest && parser.isSet(QStringLiteral("label-attribute")))
        r = importLabels(*job, parseManifest(path, job->type(), parser.value(QStringLiteral("label-attribute"))), options);
    else
        r = importFile(*job, format, path, options);
    c.out << QStringLiteral("imported %1 labels into '%2'").arg(r.imported).arg(name);
    if (r.keptExisting)
        c.out << QStringLiteral(", kept %1 human labels (--replace overwrites them)").arg(r.keptExisting);
    c.out << "\n";
    if (!r.addedClasses.isEmpty())
        c.out << QStringLiteral("added classes: %1\n").arg(r.addedClasses.join(QStringLiteral(", ")));
    if (r.unmatched)
        c.err << QStringLiteral("cairn: warning: %1 entries name no image of the job, e.g. %2\n")
                     .arg(r.unmatched)
                     .arg(r.unmatchedRefs.join(QStringLiteral(", ")));
    return 0;
}

int exportCommand(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Job name."));
    parser.addOption(labelFormatOption());
    parser.addOption({{QStringLiteral("o"), QStringLiteral("output")},
                      QStringLiteral("File (manifest, coco) or folder (yolo, voc); default: in the job's folder."), QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("labeled-only"), QStringLiteral("Leave out unlabeled and skipped images (manifest).")});
    parser.addOption({QStringLiteral("human-only"), QStringLiteral("Leave out machine labels that wait for review.")});
    if (!c.parse(parser, QStringLiteral("cairn label export NAME [--format manifest|coco|yolo|voc] [--output PATH] [--labeled-only]")))
        return 0;
    const QString name = jobArgument(parser, 0, QStringLiteral("the job name"));
    noExtraArguments(parser, 1);
    const LabelFormat format = formatFrom(parser);
    auto job = LabelingJob::open(c.workspace().path(), name);
    QString output = parser.value(QStringLiteral("output"));
    if (output.isEmpty()) {
        static const QHash<LabelFormat, QString> defaults = {{LabelFormat::Manifest, QStringLiteral("output.manifest")},
                                                             {LabelFormat::Coco, QStringLiteral("coco.json")},
                                                             {LabelFormat::Yolo, QStringLiteral("yolo")},
                                                             {LabelFormat::Voc, QStringLiteral("voc")}};
        output = QDir(job->dir()).filePath(defaults.value(format));
    }
    ExportOptions options;
    options.labeledOnly = parser.isSet(QStringLiteral("labeled-only"));
    options.includeMachine = !parser.isSet(QStringLiteral("human-only"));
    const int n = exportFile(*job, format, output, options);
    c.out << QStringLiteral("exported %1 labeled images of '%2' as %3 to %4\n").arg(n).arg(name, formatName(format), output);
    return 0;
}

/// Runs one training job to its end in this process (the job manager starts `cairn worker`);
/// returns the run's uuid. Progress goes to stderr.
QString runTrainingJob(Context &c, JobSpec spec, bool quiet)
{
    JobManager manager(c.workspace());
    manager.recoverLostRuns();
    JobState finalState = JobState::Failed;
    QString finalMessage;
    QElapsedTimer lastProgress;
    QObject::connect(&manager, &JobManager::jobProgress, [&](const QString &, double fraction, const QString &message) {
        if (quiet || (lastProgress.isValid() && lastProgress.elapsed() < 2000 && fraction < 1))
            return;
        lastProgress.restart();
        c.err << QStringLiteral("[%1%] ").arg(int(fraction * 100), 3) << message << "\n";
        c.err.flush();
    });
    QObject::connect(&manager, &JobManager::jobFinished, [&](const QString &, JobState state, const QString &message) {
        finalState = state;
        finalMessage = message;
    });
    QObject::connect(&manager, &JobManager::idle, QCoreApplication::instance(), &QCoreApplication::quit, Qt::QueuedConnection);
    const QString jobId = manager.submit(spec);
    const QString runUuid = manager.job(jobId).runUuid;
    if (!quiet)
        c.err << "cairn: training job " << jobId << ", run " << runUuid << "\n", c.err.flush();
    QCoreApplication::exec();
    if (finalState != JobState::Finished)
        throw Error(QStringLiteral("training job %1 %2: %3 (see cairn jobs logs %1)").arg(jobId, jobStateName(finalState), finalMessage));
    return runUuid;
}

int autolabel(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Job name (single-label)."));
    parser.addOption({QStringLiteral("min-labels"), QStringLiteral("Human labels needed before training (default 20)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("threshold"), QStringLiteral("Confidence at which a machine label is accepted (default 0.9); "
                                                                  "below it, images wait for review."), QStringLiteral("P")});
    parser.addOption({QStringLiteral("epochs"), QStringLiteral("Training epochs (default 8)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("algorithm"), QStringLiteral("Image classifier plugin (default cnn)."), QStringLiteral("ID")});
    parser.addOption({{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("No progress lines.")});
    if (!c.parse(parser, QStringLiteral("cairn label autolabel NAME [--min-labels N] [--threshold P] [--epochs N]\n"
                                        "Trains a classifier on the human labels as a training job, pre-labels the other images\n"
                                        "(\"human-annotated\": \"no\") and queues those below the threshold for review, least confident first.")))
        return 0;
    const QString name = jobArgument(parser, 0, QStringLiteral("the job name"));
    noExtraArguments(parser, 1);
    AutoLabelOptions options;
    auto number = [&](const QString &option, double fallback, double low, double high) {
        if (!parser.isSet(option))
            return fallback;
        bool ok = false;
        const double v = parser.value(option).toDouble(&ok);
        if (!ok || v < low || v > high)
            throw UsageError(QStringLiteral("--%1 needs a number from %2 to %3").arg(option).arg(low).arg(high));
        return v;
    };
    options.minHumanLabels = int(number(QStringLiteral("min-labels"), options.minHumanLabels, 1, 1e9));
    options.threshold = number(QStringLiteral("threshold"), options.threshold, 0, 1);
    options.epochs = int(number(QStringLiteral("epochs"), options.epochs, 1, 10000));
    if (parser.isSet(QStringLiteral("algorithm")))
        options.algorithm = parser.value(QStringLiteral("algorithm"));
    const bool quiet = parser.isSet(QStringLiteral("quiet"));

    auto job = LabelingJob::open(c.workspace().path(), name);
    const AutoLabelRound round = prepareAutoLabel(*job, options);
    if (!quiet)
        c.err << QStringLiteral("cairn: training %1 on %2 human labels to pre-label %3 images\n")
                     .arg(options.algorithm).arg(round.humanLabels).arg(round.unlabeledItems.size()), c.err.flush();
    const QString runUuid = runTrainingJob(c, autoLabelJobSpec(*job, round, options), quiet);

    const QString modelDir = QDir(c.workspace().artifactDir(runUuid)).filePath(QStringLiteral("model"));
    const ModelCard card = ModelCard::load(modelDir);
    PluginManager plugins;
    AlgorithmPlugin *plugin = card.plugin.isEmpty() ? plugins.pluginFor(card.algorithm) : plugins.plugin(card.plugin);
    std::unique_ptr<Predictor> predictor = plugin->loadPredictor(card, modelDir);
    PredictionInput input;
    input.channel.type = data::ChannelSpec::Type::Manifest;
    input.channel.path = round.unlabeledManifest;
    const Predictions p = predictor->predict(input);
    job->reload(); // a person may have labeled meanwhile
    const AutoLabelResult r = applyPredictions(*job, round, p.classes, p.labels, p.probabilities, options.threshold);
    c.out << QStringLiteral("auto-labeled %1 images of '%2' (run %3): %4 accepted at confidence >= %5, %6 queued for review")
                 .arg(r.accepted + r.toReview).arg(name, runUuid).arg(r.accepted).arg(options.threshold).arg(r.toReview);
    if (r.skipped)
        c.out << QStringLiteral(", %1 labeled by a person meanwhile").arg(r.skipped);
    c.out << "\n";
    return 0;
}

int train(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Job name (single-label)."));
    parser.addOption({QStringLiteral("algorithm"), QStringLiteral("Image classifier plugin (default cnn)."), QStringLiteral("ID")});
    parser.addOption({QStringLiteral("epochs"), QStringLiteral("Training epochs (default: the plugin's)."), QStringLiteral("N")});
    parser.addOption({{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("No progress lines.")});
    if (!c.parse(parser, QStringLiteral("cairn label train NAME [--algorithm cnn] [--epochs N]\n"
                                        "Trains on the job's labeled images with their manifest as the train channel.")))
        return 0;
    const QString name = jobArgument(parser, 0, QStringLiteral("the job name"));
    noExtraArguments(parser, 1);
    auto job = LabelingJob::open(c.workspace().path(), name);
    JobSpec spec = trainingSpecFor(*job, parser.value(QStringLiteral("algorithm")).isEmpty() ? QStringLiteral("cnn") : parser.value(QStringLiteral("algorithm")));
    if (parser.isSet(QStringLiteral("epochs")))
        spec.hyperparameters.insert(QStringLiteral("epochs"), parser.value(QStringLiteral("epochs")).toInt());
    const QString runUuid = runTrainingJob(c, spec, parser.isSet(QStringLiteral("quiet")));
    c.out << QStringLiteral("trained %1 on the labels of '%2': run %3 (manifest %4)\n")
                 .arg(spec.algorithm, name, runUuid, spec.channels.value(QStringLiteral("train")).path);
    return 0;
}

} // namespace

int runLabelCommand(Context &c, const QString &verb)
{
    if (verb == QLatin1String("create"))
        return create(c);
    if (verb == QLatin1String("status") || verb == QLatin1String("list"))
        return status(c);
    if (verb == QLatin1String("import"))
        return importCommand(c);
    if (verb == QLatin1String("export"))
        return exportCommand(c);
    if (verb == QLatin1String("autolabel"))
        return autolabel(c);
    if (verb == QLatin1String("train"))
        return train(c);
    if (verb.isEmpty() && (c.arguments.contains(QStringLiteral("--help")) || c.arguments.contains(QStringLiteral("-h")))) {
        c.out << "Usage: cairn label create|status|import|export ...\n"
                 "  create NAME (--images DIR | --manifest FILE) [--type single-label|multi-label|boxes] --labels A,B,C\n"
                 "  status [NAME] [--json]\n"
                 "  import NAME PATH [--format manifest|coco|yolo|voc] [--replace]\n"
                 "  export NAME [--format manifest|coco|yolo|voc] [--output PATH]\n"
                 "  autolabel NAME [--min-labels N] [--threshold P]   pre-label with a classifier trained on the human labels\n"
                 "  train NAME [--algorithm cnn]                      a training job on the labels (manifest channel)\n"
                 "Label images in Cairn Studio's Labeling panel; jobs live in <workspace>/labeling/<name>/.\n";
        return 0;
    }
    throw UsageError(verb.isEmpty() ? QStringLiteral("label needs a verb: create, status, import or export")
                                    : QStringLiteral("unknown label verb '%1' (create, status, import, export, autolabel, train)").arg(verb));
}

} // namespace cairn::cli
