// `cairn transform`: SageMaker-style batch transform of CSV files with a model.
#include "jobspecoptions.h"
#include "servingcommands.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/serving/batchtransform.h"
#include "cairn/serving/modelreference.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QLocale>
#include <QThread>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace cairn::cli {

namespace {

std::atomic<bool> g_stop{false};

void onInterrupt(int)
{
    g_stop.store(true);
}

} // namespace

int runTransformCommand(Context &c, const QString &verb)
{
    if (!verb.isEmpty())
        throw UsageError(QStringLiteral("unexpected argument '%1' (see cairn transform --help)").arg(verb));
    QCommandLineParser parser;
    parser.addOption({{QStringLiteral("m"), QStringLiteral("model")},
                      QStringLiteral("A registered model (NAME, NAME:VERSION, NAME@ALIAS), a run id or a model folder."), QStringLiteral("REF")});
    parser.addOption({{QStringLiteral("i"), QStringLiteral("input")}, QStringLiteral("A CSV file, or a folder whose files are all transformed."),
                      QStringLiteral("FILE_OR_DIR")});
    parser.addOption({{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("Folder for the <file>.out results."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("split-type"), QStringLiteral("Line (records are lines, sent in mini-batches) or None (a file is one batch)."),
                      QStringLiteral("TYPE"), QStringLiteral("Line")});
    parser.addOption({QStringLiteral("max-payload-mb"), QStringLiteral("Largest mini-batch in MB (default 6)."), QStringLiteral("MB"), QStringLiteral("6")});
    parser.addOption({QStringLiteral("join-source"), QStringLiteral("input: each output line starts with its input line; none (default)."),
                      QStringLiteral("SOURCE"), QStringLiteral("none")});
    parser.addOption({QStringLiteral("parallel"), QStringLiteral("Mini-batches predicted at once (default: the number of cores)."), QStringLiteral("N")});
    if (!c.parse(parser, QStringLiteral("cairn transform --model REF --input FILE_OR_DIR --output DIR [--split-type Line] [--max-payload-mb 6]\n"
                                        "                [--join-source input] [--parallel N]\n"
                                        "Batch transform: every input CSV gives DIR/<file>.out with a prediction row per record (the\n"
                                        "same values as cairn predict). Records that cannot be read go to <file>.out.errors with their\n"
                                        "line numbers while the rest go on. Run the same command again to resume an interrupted run.")))
        return 0;
    for (const char *required : {"model", "input", "output"})
        if (!parser.isSet(QLatin1String(required)))
            throw UsageError(QStringLiteral("cairn transform needs --model, --input and --output"));
    serving::BatchTransform::Options options;
    options.input = parser.value(QStringLiteral("input"));
    options.output = parser.value(QStringLiteral("output"));
    const QString split = parser.value(QStringLiteral("split-type"));
    if (split.compare(QLatin1String("Line"), Qt::CaseInsensitive) == 0)
        options.splitLines = true;
    else if (split.compare(QLatin1String("None"), Qt::CaseInsensitive) == 0)
        options.splitLines = false;
    else
        throw UsageError(QStringLiteral("--split-type %1: use Line or None").arg(split));
    bool ok = false;
    const double mb = numberOption(parser, QStringLiteral("max-payload-mb"), 0, Bound::Exclusive);
    options.maxPayloadBytes = qint64(mb * 1024 * 1024);
    const QString join = parser.value(QStringLiteral("join-source"));
    if (join.compare(QLatin1String("input"), Qt::CaseInsensitive) == 0)
        options.joinSource = true;
    else if (join.compare(QLatin1String("none"), Qt::CaseInsensitive) != 0)
        throw UsageError(QStringLiteral("--join-source %1: use input or none").arg(join));
    options.parallel = parser.isSet(QStringLiteral("parallel")) ? parser.value(QStringLiteral("parallel")).toInt(&ok) : QThread::idealThreadCount();
    if (parser.isSet(QStringLiteral("parallel")) && (!ok || options.parallel < 1 || options.parallel > 256))
        throw UsageError(QStringLiteral("--parallel must be 1-256"));

    if (!QFileInfo::exists(options.input))
        throw InputError(QStringLiteral("input %1 does not exist").arg(options.input));
    const serving::ResolvedReference ref = serving::resolveModelReference(c.workspace(), parser.value(QStringLiteral("model")));
    // Mini-batches run in parallel: one OpenMP thread each keeps the cores from being oversubscribed.
    if (options.parallel > 1)
        runWithOneOpenMPThread();
    PluginManager plugins;
    const serving::ServedModel model(plugins, ref.modelDir);
    serving::BatchTransform transform(model, options);

    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    const bool tty = ::isatty(STDERR_FILENO);
    QElapsedTimer clock;
    clock.start();
    qint64 lastPrint = -1;
    auto onProgress = [&](const serving::BatchTransform::Progress &p) {
        const double fraction = p.bytesTotal > 0 ? double(p.bytesDone) / double(p.bytesTotal) : 1.0;
        const qint64 now = clock.elapsed();
        if (!tty && now - lastPrint < 1000 && fraction < 1)
            return;
        lastPrint = now;
        const int width = 30;
        const int filled = int(fraction * width);
        const QString bar = QString(filled, QLatin1Char('#')) + QString(width - filled, QLatin1Char('.'));
        QString line = QStringLiteral("[%1] %2% %3 records").arg(bar).arg(int(fraction * 100), 3).arg(QLocale(QLocale::English).toString(p.records));
        if (p.failed)
            line += QStringLiteral(", %1 failed").arg(p.failed);
        if (p.fileCount > 1)
            line += QStringLiteral(" (file %1/%2)").arg(p.fileIndex + 1).arg(p.fileCount);
        line += QStringLiteral(" %1 s").arg(double(now) / 1000, 0, 'f', 1);
        c.err << (tty ? "\r" : "") << line << (tty ? "" : "\n");
        c.err.flush();
    };
    const QList<serving::BatchTransform::FileResult> results = transform.run(onProgress, &g_stop);
    if (tty)
        c.err << "\n";
    qint64 failed = 0;
    bool finished = true;
    for (const auto &r : results) {
        if (r.alreadyDone) {
            c.err << "cairn: " << r.output << " exists already (delete it to transform " << r.input << " again)\n";
            continue;
        }
        if (r.resumedAtLine > 0)
            c.err << "cairn: resumed " << r.input << " at line " << r.resumedAtLine << "\n";
        c.err << "cairn: " << (r.finished ? "wrote " : "stopped; partial results in ") << (r.finished ? r.output : r.output + QStringLiteral(".partial"))
              << " (" << r.records << " predictions" << (r.failed ? QStringLiteral(", %1 failed records in %2").arg(r.failed).arg(r.errors) : QString()) << ")\n";
        failed += r.failed;
        finished = finished && r.finished;
    }
    if (!finished)
        c.err << "cairn: interrupted: run the same command again to resume\n";
    c.err << "cairn: " << QString::number(double(clock.elapsed()) / 1000, 'f', 2) << " s\n";
    c.err.flush();
    return !finished ? ExitInterrupted : failed > 0 ? ExitFailed : ExitOk;
}

} // namespace cairn::cli
