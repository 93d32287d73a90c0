// `cairn serve` (an endpoint with SageMaker's container contract) and `cairn endpoints list|stop`.
#include "servingcommands.h"
#include "jobspecoptions.h"
#include "trainingcommands.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/monitor/capture.h"
#include "cairn/serving/endpoint.h"
#include "cairn/serving/endpointrecord.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QJsonArray>
#include <QSocketNotifier>
#include <QThread>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

namespace cairn::cli {

namespace {

int g_signalFd[2] = {-1, -1};

void onSignal(int signal)
{
    const char c = char(signal);
    [[maybe_unused]] const ssize_t n = ::write(g_signalFd[1], &c, 1);
}

/// The name an endpoint gets from its first model reference: "churn@champion" → "churn".
QString defaultName(const QString &ref)
{
    QString r = ref;
    if (const qsizetype eq = r.indexOf(QLatin1Char('=')); eq > 0 && !QFileInfo::exists(r))
        return r.left(eq);
    if (QFileInfo::exists(r)) {
        const QFileInfo info(r);
        QString base = info.isDir() ? info.fileName() : info.dir().dirName();
        if (base == QLatin1String("model"))
            base = QFileInfo(info.isDir() ? info.absolutePath() : info.dir().absolutePath()).fileName().left(8);
        r = base;
    }
    r = r.section(QLatin1Char('@'), 0, 0).section(QLatin1Char(':'), 0, 0);
    r.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]+")), QStringLiteral("-"));
    return r.left(64);
}

} // namespace

void runWithOneOpenMPThread()
{
    // The OpenMP runtime reads OMP_NUM_THREADS when it loads, before main(): set it and start
    // again. Unless the user chose a value.
    if (qEnvironmentVariableIsSet("OMP_NUM_THREADS"))
        return;
    qputenv("OMP_NUM_THREADS", "1");
    const QStringList args = QCoreApplication::arguments();
    std::vector<QByteArray> bytes;
    for (const QString &a : args)
        bytes.push_back(a.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &b : bytes)
        argv.push_back(b.data());
    argv.push_back(nullptr);
    ::execv("/proc/self/exe", argv.data());
    // execv failed: go on with the runtime's default threads.
}

int runServeCommand(Context &c, const QString &verb)
{
    if (!verb.isEmpty())
        throw UsageError(QStringLiteral("unexpected argument '%1' (see cairn serve --help)").arg(verb));
    QCommandLineParser parser;
    parser.addOption({{QStringLiteral("m"), QStringLiteral("model")},
                      QStringLiteral("A model to serve: a registered model (NAME, NAME:VERSION, NAME@ALIAS), a run id or a model folder; "
                                     "NAME=REF names it. Repeat to serve several models on one port (/models/NAME/invocations; the "
                                     "first also answers /invocations)."),
                      QStringLiteral("REF")});
    parser.addOption({QStringLiteral("variant"),
                      QStringLiteral("A production variant behind /invocations with its traffic weight, e.g. churn:3=80 (repeat: A/B test)."),
                      QStringLiteral("REF=WEIGHT")});
    parser.addOption({QStringLiteral("name"), QStringLiteral("The endpoint's name (default: the first model's)."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("port"), QStringLiteral("TCP port (default 8080; 0 picks a free one)."), QStringLiteral("PORT"), QStringLiteral("8080")});
    parser.addOption({QStringLiteral("host"), QStringLiteral("Address to bind (default 127.0.0.1; 0.0.0.0 serves other machines)."),
                      QStringLiteral("HOST"), QStringLiteral("127.0.0.1")});
    parser.addOption({QStringLiteral("workers"), QStringLiteral("Worker threads (default: the number of cores)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("token"), QStringLiteral("Require \"Authorization: Bearer TOKEN\" (also $CAIRN_ENDPOINT_TOKEN)."), QStringLiteral("TOKEN")});
    parser.addOption({QStringLiteral("max-payload-mb"), QStringLiteral("Largest request body in MB (default 6; larger bodies get 413)."), QStringLiteral("MB"),
                      QStringLiteral("6")});
    parser.addOption({QStringLiteral("poll-seconds"),
                      QStringLiteral("How often to look whether a reference points at another version (alias moved, new latest version) "
                                     "and swap it in (default 2; 0: only on SIGHUP)."),
                      QStringLiteral("S"), QStringLiteral("2")});
    parser.addOption({QStringLiteral("capture"),
                      QStringLiteral("Capture this percentage (0-100) of answered invocations, request and response, as JSON Lines in "
                                     "SageMaker's data capture shape under <workspace>/monitoring/NAME/capture (for cairn monitor)."),
                      QStringLiteral("PERCENT")});
    parser.addOption({QStringLiteral("capture-queue"),
                      QStringLiteral("Captured records that may wait to be written (default 20000); more are dropped and counted "
                                     "(cairn_capture_dropped_total in /metrics)."),
                      QStringLiteral("N"), QStringLiteral("20000")});
    if (!c.parse(parser, QStringLiteral("cairn serve --model REF [--model REF...] [--variant REF=WEIGHT...] [--port 8080] [--host 127.0.0.1]\n"
                                        "            [--workers N] [--token TOKEN] [--name NAME] [--capture PERCENT]\n"
                                        "Serves models over HTTP with SageMaker's container contract: GET /ping, POST /invocations\n"
                                        "(text/csv, application/json, application/jsonlines), GET /execution-parameters, GET /metrics.\n"
                                        "SIGTERM (or Ctrl+C) answers the requests in flight, then exits; SIGHUP reloads the models.")))
        return 0;
    const QStringList models = parser.values(QStringLiteral("model"));
    const QStringList variantArgs = parser.values(QStringLiteral("variant"));
    if (models.isEmpty() && variantArgs.isEmpty())
        throw UsageError(QStringLiteral("cairn serve needs --model (or --variant)"));
    bool ok = false;
    serving::Endpoint::Options options;
    options.port = quint16(parser.value(QStringLiteral("port")).toUInt(&ok));
    if (!ok || parser.value(QStringLiteral("port")).toUInt() > 65535)
        throw UsageError(QStringLiteral("--port must be 0-65535"));
    options.host = parser.value(QStringLiteral("host"));
    options.workers = parser.isSet(QStringLiteral("workers")) ? parser.value(QStringLiteral("workers")).toInt(&ok) : QThread::idealThreadCount();
    if (parser.isSet(QStringLiteral("workers")) && (!ok || options.workers < 1 || options.workers > 256))
        throw UsageError(QStringLiteral("--workers must be 1-256"));
    const double mb = numberOption(parser, QStringLiteral("max-payload-mb"), 0, Bound::Exclusive);
    options.maxBodyBytes = qint64(mb * 1024 * 1024);
    options.token = parser.isSet(QStringLiteral("token")) ? parser.value(QStringLiteral("token")).toUtf8() : qgetenv("CAIRN_ENDPOINT_TOKEN");
    if (parser.isSet(QStringLiteral("capture"))) {
        options.capturePercent = numberOption(parser, QStringLiteral("capture"), 0, Bound::Inclusive);
        if (options.capturePercent > 100)
            throw UsageError(QStringLiteral("--capture is a percentage: 0-100"));
        const int queue = parser.value(QStringLiteral("capture-queue")).toInt(&ok);
        if (!ok || queue < 1)
            throw UsageError(QStringLiteral("--capture-queue must be a whole number ≥ 1"));
        options.captureQueue = queue;
    }
    const int pollSeconds = parser.value(QStringLiteral("poll-seconds")).toInt(&ok);
    if (!ok || pollSeconds < 0)
        throw UsageError(QStringLiteral("--poll-seconds must be a whole number ≥ 0"));

    // Parallelism comes from the worker threads: an OpenMP team per request (XGBoost's
    // default) would only wake and spin beside them.
    runWithOneOpenMPThread();

    QList<serving::ModelSlotSpec> modelSpecs, variantSpecs;
    for (const QString &m : models)
        modelSpecs << serving::ModelSlotSpec{m, 1};
    for (const QString &v : variantArgs) {
        const qsizetype eq = v.lastIndexOf(QLatin1Char('='));
        const double w = eq > 0 ? v.mid(eq + 1).toDouble(&ok) : 0;
        if (eq <= 0 || !ok || w < 0)
            throw UsageError(QStringLiteral("--variant %1: write REF=WEIGHT, e.g. churn:3=80").arg(v));
        variantSpecs << serving::ModelSlotSpec{v.left(eq), w};
    }
    options.name = parser.isSet(QStringLiteral("name")) ? parser.value(QStringLiteral("name"))
                                                          : defaultName(models.isEmpty() ? variantSpecs.first().ref : models.first());
    if (!serving::EndpointRecord::isValidName(options.name))
        throw UsageError(QStringLiteral("endpoint name '%1': use letters, digits, '.', '_' and '-' (--name)").arg(options.name));
    const QString wsPath = c.workspace().path();
    options.captureDirectory = monitor::captureDir(wsPath, options.name);
    for (const serving::EndpointRecord &r : serving::EndpointRecord::list(wsPath))
        if (r.name == options.name)
            throw Error(QStringLiteral("an endpoint named '%1' already runs (pid %2, %3): stop it with cairn endpoints stop %1, or pick --name")
                            .arg(r.name).arg(r.pid).arg(r.url()));

    PluginManager plugins;
    Workspace &workspace = c.workspace();
    serving::Endpoint endpoint(options, modelSpecs, variantSpecs,
                               [&workspace](const QString &ref) { return serving::resolveModelReference(workspace, ref); }, plugins);
    // Accept connections first (SageMaker wants the socket within moments); /ping is 503 until loaded.
    endpoint.listen();

    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalFd) != 0)
        throw Error(QStringLiteral("cannot create the signal pipe"));
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (int s : {SIGTERM, SIGINT, SIGHUP})
        ::sigaction(s, &sa, nullptr);

    endpoint.load();
    serving::EndpointRecord record = endpoint.record();
    record.write(wsPath);

    QStringList served;
    for (const QJsonValue &v : record.models) {
        const QJsonObject o = v.toObject();
        QString s = o.value(QStringLiteral("name")).toString();
        if (o.value(QStringLiteral("version")).toInt() > 0)
            s += QStringLiteral(" v%1").arg(o.value(QStringLiteral("version")).toInt());
        if (o.contains(QStringLiteral("variant")))
            s += QStringLiteral(" (variant %1, %2%)").arg(o.value(QStringLiteral("variant")).toString()).arg(o.value(QStringLiteral("weight")).toDouble() * 100, 0, 'f', 1);
        else if (record.models.size() > 1)
            s += QStringLiteral(" (%1)").arg(o.value(QStringLiteral("route")).toString());
        served << s;
    }
    c.err << "cairn: endpoint " << options.name << " serves " << served.join(QStringLiteral(", ")) << " on " << record.url() << " ("
          << options.workers << " worker thread" << (options.workers == 1 ? "" : "s") << ")\n";
    if (options.capturePercent > 0)
        c.err << "cairn: capturing " << options.capturePercent << "% of invocations to " << options.captureDirectory << "\n";
    c.err.flush();

    int exitCode = 0;
    auto reload = [&](const char *why) {
        try {
            const QStringList changes = endpoint.reload();
            if (changes.isEmpty())
                return;
            record = endpoint.record();
            record.write(wsPath);
            for (const QString &line : changes)
                c.err << "cairn: swapped " << line << " (" << why << ")\n";
            c.err.flush();
        } catch (const Error &e) {
            c.err << "cairn: reload failed, the current models keep serving: " << e.message() << "\n";
            c.err.flush();
        }
    };
    QSocketNotifier notifier(g_signalFd[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, [&] {
        char s = 0;
        if (::read(g_signalFd[0], &s, 1) != 1)
            return;
        if (s == SIGHUP) {
            reload("SIGHUP");
            return;
        }
        c.err << "cairn: " << (s == SIGINT ? "interrupted" : "SIGTERM") << ": answering " << "the requests in flight, then stopping\n";
        c.err.flush();
        QCoreApplication::quit();
    });
    QTimer poll;
    if (pollSeconds > 0) {
        QObject::connect(&poll, &QTimer::timeout, [&] { reload("the reference moved"); });
        poll.start(pollSeconds * 1000);
    }
    QCoreApplication::exec();
    poll.stop();
    endpoint.stop(30000);
    record.remove(wsPath);
    if (const monitor::CaptureWriter *capture = endpoint.capture()) {
        c.err << "cairn: captured " << capture->written() << " invocations (" << capture->dropped() << " dropped, " << capture->writeErrors()
              << " write errors)\n";
        if (!capture->lastError().isEmpty())
            c.err << "cairn: capture: " << capture->lastError() << "\n";
    }
    c.err << "cairn: endpoint " << options.name << " stopped\n";
    c.err.flush();
    return exitCode;
}

int runEndpointsCommand(Context &c, const QString &verb)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    parser.addOption({QStringLiteral("timeout"), QStringLiteral("stop: seconds to wait for the endpoint to finish (default 60)."), QStringLiteral("S"),
                      QStringLiteral("60")});
    parser.addPositionalArgument(QStringLiteral("name"), QStringLiteral("stop: the endpoint to stop."));
    if (!c.parse(parser, QStringLiteral("cairn endpoints list [--format table|json]\n"
                                        "cairn endpoints stop NAME [--timeout S]\n"
                                        "Running endpoints of this workspace (started by cairn serve or the Models panel).")))
        return 0;
    const QString ws = c.workspace().path();
    if (verb == QLatin1String("list") || verb.isEmpty()) {
        const QList<serving::EndpointRecord> records = serving::EndpointRecord::list(ws);
        if (c.format(parser) == Format::Json) {
            QJsonArray a;
            for (const serving::EndpointRecord &r : records)
                a.append(r.toJson());
            c.printJson(a);
            return 0;
        }
        QList<QStringList> rows{{QStringLiteral("NAME"), QStringLiteral("URL"), QStringLiteral("PID"), QStringLiteral("MODELS"), QStringLiteral("STARTED")}};
        for (const serving::EndpointRecord &r : records) {
            QStringList models;
            for (const QJsonValue &v : r.models) {
                const QJsonObject o = v.toObject();
                QString m = o.value(QStringLiteral("name")).toString();
                if (o.value(QStringLiteral("version")).toInt() > 0)
                    m += QStringLiteral(":%1").arg(o.value(QStringLiteral("version")).toInt());
                if (o.contains(QStringLiteral("weight")))
                    m += QStringLiteral("=%1%").arg(o.value(QStringLiteral("weight")).toDouble() * 100, 0, 'f', 0);
                models << m;
            }
            rows << QStringList{r.name, r.url(), QString::number(r.pid), models.join(QStringLiteral(" ")),
                                QDateTime::fromMSecsSinceEpoch(r.started).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))};
        }
        if (records.isEmpty())
            c.out << "no endpoints running (start one with cairn serve --model REF)\n";
        else
            printAligned(c.out, rows);
        c.out.flush();
        return 0;
    }
    if (verb == QLatin1String("stop")) {
        if (parser.positionalArguments().size() != 1)
            throw UsageError(QStringLiteral("cairn endpoints stop needs the endpoint's name"));
        const double timeoutSeconds = numberOption(parser, QStringLiteral("timeout"), 0, Bound::Exclusive);
        const serving::EndpointRecord r = serving::EndpointRecord::find(ws, parser.positionalArguments().first());
        if (::kill(pid_t(r.pid), SIGTERM) != 0)
            throw Error(QStringLiteral("cannot signal endpoint %1 (pid %2): %3").arg(r.name).arg(r.pid).arg(QString::fromLocal8Bit(strerror(errno))));
        const QDeadlineTimer deadline(qint64(timeoutSeconds * 1000));
        while (r.alive() && !deadline.hasExpired())
            QThread::msleep(50);
        if (r.alive())
            throw Error(QStringLiteral("endpoint %1 (pid %2) is still answering requests after the timeout").arg(r.name).arg(r.pid));
        c.out << "stopped endpoint " << r.name << "\n";
        c.out.flush();
        return 0;
    }
    throw UsageError(QStringLiteral("unknown endpoints command '%1' (list, stop)").arg(verb));
}

} // namespace cairn::cli
