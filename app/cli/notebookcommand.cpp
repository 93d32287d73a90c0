// cairn notebook run, cairn kernels list: notebooks without the GUI.
#include "clicontext.h"
#include "jobspecoptions.h"

#include "cairn/notebook/kernelclient.h"
#include "cairn/notebook/kernelspec.h"
#include "cairn/notebook/notebook.h"
#include "cairn/notebook/notebookrunner.h"
#include "cairn/notebook/outputs.h"
#include "cairn/remote/host.h"
#include "cairn/remote/remotekernel.h"
#include "cairn/store/runexport.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <memory>

namespace cairn::cli {

namespace {

QString availableKernels()
{
    QStringList names;
    for (const KernelSpec &spec : KernelSpec::findAll())
        names << spec.name;
    return names.isEmpty() ? QStringLiteral("none is installed (install python3-ipykernel)") : names.join(QStringLiteral(", "));
}

int runNotebook(Context &c)
{
    const QString usage = QStringLiteral("cairn notebook run FILE.ipynb [--kernel NAME] [--host NAME] [--output OUT.ipynb] [--timeout S]");
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The notebook to run."));
    parser.addOption({QStringLiteral("kernel"), QStringLiteral("Kernel name (default: the notebook's, else python3)."), QStringLiteral("NAME")});
    parser.addOption({{QStringLiteral("o"), QStringLiteral("output")},
                      QStringLiteral("Where to save the notebook with its outputs (default: over FILE)."), QStringLiteral("OUT")});
    parser.addOption({QStringLiteral("host"),
                      QStringLiteral("Run the kernel on this host (default: the notebook's metadata.cairn.host, else local)."),
                      QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("timeout"), QStringLiteral("Longest a cell may run, in seconds (default: no limit)."), QStringLiteral("S")});
    parser.addOption({QStringLiteral("startup-timeout"), QStringLiteral("Longest the kernel may take to start, in seconds (default 60)."),
                      QStringLiteral("S")});
    if (!c.parse(parser, usage))
        return 0;
    const QStringList args = parser.positionalArguments();
    if (args.size() != 1)
        throw UsageError(QStringLiteral("usage: %1").arg(usage));
    auto seconds = [&](const QString &name, double fallback) {
        return parser.isSet(name) ? numberOption(parser, name, 0, Bound::Exclusive) : fallback;
    };
    const double timeout = seconds(QStringLiteral("timeout"), 0);
    const double startupTimeout = seconds(QStringLiteral("startup-timeout"), 60);

    const QString path = QFileInfo(args.first()).absoluteFilePath();
    Notebook notebook = Notebook::load(path);
    QString kernelName = parser.value(QStringLiteral("kernel"));
    if (kernelName.isEmpty())
        kernelName = notebook.kernelName();
    if (kernelName.isEmpty())
        kernelName = QStringLiteral("python3");
    QString hostName = parser.value(QStringLiteral("host"));
    if (hostName.isEmpty())
        hostName = notebook.metadata().value(QLatin1String("cairn")).toObject().value(QLatin1String("host")).toString();
    const remote::Host host = hostName.isEmpty() ? remote::Host::local() : remote::HostStore().host(hostName);
    const QString output = parser.isSet(QStringLiteral("output")) ? QFileInfo(parser.value(QStringLiteral("output"))).absoluteFilePath() : path;

    QElapsedTimer clock;
    clock.start();
    // On an SSH host the kernel runs there and the client talks to it through forwarded ports.
    std::unique_ptr<remote::RemoteKernel> remoteKernel;
    std::unique_ptr<KernelClient> localClient;
    KernelClient *clientPtr = nullptr;
    QString kernelTitle = kernelName;
    if (host.isLocal()) {
        const KernelSpec spec = KernelSpec::find(kernelName);
        if (!spec.isValid())
            throw Error(QStringLiteral("no kernel named '%1'; available: %2").arg(kernelName, availableKernels()));
        if (parser.isSet(QStringLiteral("kernel")))
            notebook.setKernelSpec(spec.name, spec.displayName, spec.language);
        kernelTitle = spec.displayName;
        localClient = std::make_unique<KernelClient>();
        localClient->start(spec, notebookLaunchOptions(c.workspace().path(), path));
        clientPtr = localClient.get();
    } else {
        remoteKernel = std::make_unique<remote::RemoteKernel>(host);
        remoteKernel->start(kernelName);
        clientPtr = remoteKernel->client();
        kernelTitle = QStringLiteral("%1 on %2").arg(kernelName, host.name);
    }
    if (parser.isSet(QStringLiteral("host"))) {
        QJsonObject metadata = notebook.metadata();
        QJsonObject cairnMeta = metadata.value(QLatin1String("cairn")).toObject();
        if (host.isLocal())
            cairnMeta.remove(QStringLiteral("host"));
        else
            cairnMeta[QStringLiteral("host")] = host.name;
        metadata[QStringLiteral("cairn")] = cairnMeta;
        notebook.setMetadata(metadata);
    }
    KernelClient &client = *clientPtr;
    auto shutdownKernel = [&] {
        if (remoteKernel)
            remoteKernel->shutdown();
        else
            client.shutdown();
    };
    if (!client.waitForReady(int(startupTimeout * 1000))) {
        shutdownKernel();
        throw Error(QStringLiteral("the kernel %1 did not start within %2 s").arg(kernelTitle).arg(startupTimeout));
    }
    const QJsonObject languageInfo = client.kernelInfo().value(QLatin1String("language_info")).toObject();
    if (!languageInfo.isEmpty()) {
        QJsonObject metadata = notebook.metadata();
        metadata[QStringLiteral("language_info")] = languageInfo;
        notebook.setMetadata(metadata);
    }

    NotebookRunner runner(&client);
    runner.setCellTimeout(int(timeout * 1000));
    int done = 0;
    runner.setProgressCallback([&](int index, int total) {
        c.err << "cairn: [" << ++done << "/" << total << "] running cell " << index << "\n";
        c.err.flush();
    });
    const NotebookRunner::Result result = runner.run(notebook);
    shutdownKernel();
    notebook.save(output);

    if (!result.ok) {
        c.out.flush();
        for (const QString &line : result.traceback)
            c.err << stripAnsi(line) << "\n";
        c.err.flush();
        QString what = result.ename;
        if (!result.evalue.isEmpty())
            what += QStringLiteral(": ") + stripAnsi(result.evalue);
        throw Error(QStringLiteral("cell %1 failed: %2 (outputs so far saved to %3)").arg(result.failedCell).arg(what, output));
    }
    c.out << QStringLiteral("Ran %1 code cells of %2 in %3 s; saved %4\n")
                 .arg(result.executedCells)
                 .arg(QFileInfo(path).fileName())
                 .arg(clock.elapsed() / 1000.0, 0, 'f', 1)
                 .arg(output);
    return 0;
}

int listKernels(Context &c)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    parser.addOption({QStringLiteral("host"), QStringLiteral("List the kernels of this host (default: local)."), QStringLiteral("NAME")});
    if (!c.parse(parser, QStringLiteral("cairn kernels list [--host NAME] [--format table|json|csv]")))
        return 0;
    const Format format = c.format(parser);
    const QString hostName = parser.value(QStringLiteral("host"));
    if (!hostName.isEmpty() && hostName != QLatin1String(remote::Host::kLocalName)) {
        const remote::Host host = remote::HostStore().host(hostName);
        const QJsonArray specs = remote::RemoteKernel::listSpecs(host);
        if (specs.isEmpty())
            throw Error(QStringLiteral("host '%1' has no kernel: install python3-ipykernel there (Debian/Ubuntu: sudo apt install python3-ipykernel)")
                            .arg(host.name));
        if (format == Format::Json) {
            c.printJson(specs);
            return 0;
        }
        RunTable table;
        table.columns = {QStringLiteral("name"), QStringLiteral("display_name"), QStringLiteral("language"), QStringLiteral("host"), QStringLiteral("python")};
        for (const QJsonValue &v : specs) {
            const QJsonObject o = v.toObject();
            table.rows << QStringList{o.value(QLatin1String("name")).toString(), o.value(QLatin1String("display_name")).toString(),
                                      o.value(QLatin1String("language")).toString(), host.name, o.value(QLatin1String("python")).toString()};
        }
        c.out << (format == Format::Csv ? table.toCsv() : table.toText());
        return 0;
    }
    const QList<KernelSpec> specs = KernelSpec::findAll();
    if (format == Format::Json) {
        QJsonArray array;
        for (const KernelSpec &spec : specs)
            array.append(QJsonObject{{QStringLiteral("name"), spec.name},
                                     {QStringLiteral("display_name"), spec.displayName},
                                     {QStringLiteral("language"), spec.language},
                                     {QStringLiteral("interrupt_mode"), spec.interruptMode},
                                     {QStringLiteral("path"), spec.directory},
                                     {QStringLiteral("argv"), QJsonArray::fromStringList(spec.argv)}});
        c.printJson(array);
        return 0;
    }
    RunTable table;
    table.columns = {QStringLiteral("name"), QStringLiteral("display_name"), QStringLiteral("language"), QStringLiteral("path")};
    for (const KernelSpec &spec : specs)
        table.rows << QStringList{spec.name, spec.displayName, spec.language, spec.directory};
    c.out << (format == Format::Csv ? table.toCsv() : table.toText());
    return 0;
}

} // namespace

int runNotebookCommand(Context &context, const QString &verb)
{
    if (verb == QLatin1String("run"))
        return runNotebook(context);
    throw UsageError(QStringLiteral("usage: cairn notebook run FILE.ipynb [--kernel NAME] [--host NAME] [--output OUT.ipynb] [--timeout S]"));
}

int runKernelsCommand(Context &context, const QString &verb)
{
    if (verb == QLatin1String("list") || verb.isEmpty())
        return listKernels(context);
    throw UsageError(QStringLiteral("usage: cairn kernels list [--host NAME] [--format table|json|csv]"));
}

} // namespace cairn::cli
