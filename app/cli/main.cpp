// cairn: the command line of Cairn Studio. It links cairn-core alone (no GUI libraries).
#include "clicontext.h"
#include "servingcommands.h"
#include "trainingcommands.h"

#include "cairn/store/searchfilter.h"

#include <QCoreApplication>

#include <cstdio>

using namespace cairn;
using namespace cairn::cli;

namespace cairn::cli {
int runNotebookCommand(Context &context, const QString &verb); // notebookcommand.cpp
int runKernelsCommand(Context &context, const QString &verb);
} // namespace cairn::cli

namespace {

const char *kUsage = R"(Usage: cairn [--workspace DIR] COMMAND [ARGS]

Commands:
  experiments list|create|rename|delete|restore   manage experiments
  runs list|show|compare|export|delete|restore|rename|tag
                                                  browse, search and compare runs
  workspace info|init                             where the workspace is and what it holds
  algorithms list|describe ID                     the training algorithms the plugins offer
  train --algorithm ID --train PATH --target COL  train a model as a job (see cairn train --help)
  tune --algorithm ID ... --range NAME=LOW:HIGH   tune hyperparameters (see cairn tune --help)
  predict --model MODEL --input FILE              apply a model (registered, a run's, a folder) to rows
  automl --train CSV --target COL                 automatic machine learning: the best model within a
                                                  time limit, with a leaderboard (see cairn automl --help)
  jobs list|logs|stop|show|attach                 training jobs of this workspace (attach: follow jobs
                                                  left running on an SSH host again)
  hosts list|add|remove|probe|install-worker|start|stop|usage|queue
                                                  machines jobs run on: local and SSH hosts, Slurm clusters
                                                  (see cairn hosts add --help; queue: a cluster's partitions and jobs)
  worker --spec FILE                              run one job (started by the job manager)
  notebook run FILE.ipynb [--kernel NAME] [--output OUT.ipynb] [--timeout S]
                                                  run a notebook headlessly and save its outputs
  kernels list                                    the Jupyter kernels installed
  label create|status|import|export|autolabel|train
                                                  image labeling jobs, machine labels from a model
                                                  trained on the human labels (see cairn label --help)
  debug tensors|show|rules|catalogue RUN ...      debugger tensors over steps and rules (cairn debug rules RUN)
  models register|list|show|versions|approve|reject|alias|tag|card|compare|delete
                                                  the model registry: versions with lineage, approval,
                                                  aliases (NAME@champion), model cards (see cairn models --help)
  serve --model REF [--port 8080]                 an HTTP endpoint with SageMaker's container contract
                                                  (/ping, /invocations, /metrics; see cairn serve --help)
  endpoints list|stop NAME                        the running endpoints of this workspace
  transform --model REF --input PATH --output DIR batch transform of CSV files (resumable)
  monitor baseline|run|compare|schedule|violations|runs|relax|daemon
                                                  model monitoring: baselines, drift and data-quality
                                                  checks of captured traffic (see cairn monitor --help)

Every command takes --help. The workspace is --workspace DIR, else $CAIRN_WORKSPACE,
else ~/CairnWorkspace.

Exit codes: 0 success, 1 the work failed, 2 a mistake in the command line, 3 a missing or
unusable input file or column (nothing was created), 130 stopped with Ctrl-C.
)";

} // namespace

namespace cairn::cli {
int runLabelCommand(Context &context, const QString &verb); // labelcommand.cpp
int runDebugCommand(Context &context, const QString &verb); // debuggercommand.cpp
int runAutoMLCommand(Context &context, const QString &verb); // automlcommand.cpp
int runHostsCommand(Context &context, const QString &verb); // hostscommand.cpp
int runModelsCommand(Context &context, const QString &verb); // modelscommand.cpp
int runMonitorCommand(Context &context, const QString &verb); // monitorcommand.cpp
int runAgentCommand(Context &context, const QString &verb); // agentcommand.cpp (hidden)
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("cairn"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CAIRN_VERSION));

    QStringList args = app.arguments().mid(1);
    QString workspacePath;
    // --workspace may also stand before the command.
    for (int i = 0; i < args.size(); ++i) {
        if (args.at(i) == QLatin1String("--workspace") && i + 1 < args.size()) {
            workspacePath = args.at(i + 1);
            args.remove(i, 2);
            break;
        }
        if (args.at(i).startsWith(QLatin1String("--workspace="))) {
            workspacePath = args.at(i).mid(12);
            args.remove(i);
            break;
        }
        if (!args.at(i).startsWith(QLatin1Char('-')))
            break;
    }

    QTextStream err(stderr);
    if (args.isEmpty() || args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")
        || args.first() == QLatin1String("help")) {
        QTextStream(stdout) << kUsage;
        return args.isEmpty() ? 2 : 0;
    }
    if (args.first() == QLatin1String("--version") || args.first() == QLatin1String("version")) {
        QTextStream(stdout) << "cairn " << CAIRN_VERSION << "\n";
        return 0;
    }

    const QString command = args.takeFirst();
    QString verb;
    if (!args.isEmpty() && !args.first().startsWith(QLatin1Char('-')))
        verb = args.takeFirst();
    Context context(args, workspacePath);
    try {
        if (command == QLatin1String("experiments") || command == QLatin1String("experiment"))
            return runExperimentsCommand(context, verb);
        if (command == QLatin1String("runs") || command == QLatin1String("run"))
            return runRunsCommand(context, verb);
        if (command == QLatin1String("workspace"))
            return runWorkspaceCommand(context, verb);
        if (command == QLatin1String("algorithms") || command == QLatin1String("algorithm"))
            return runAlgorithmsCommand(context, verb);
        if (command == QLatin1String("train"))
            return runTrainCommand(context, verb);
        if (command == QLatin1String("tune"))
            return runTuneCommand(context, verb);
        if (command == QLatin1String("predict"))
            return runPredictCommand(context, verb);
        if (command == QLatin1String("automl"))
            return runAutoMLCommand(context, verb);
        if (command == QLatin1String("jobs") || command == QLatin1String("job"))
            return runJobsCommand(context, verb);
        if (command == QLatin1String("hosts") || command == QLatin1String("host"))
            return runHostsCommand(context, verb);
        if (command == QLatin1String("worker"))
            return runWorkerCommand(context, verb);
        if (command == QLatin1String("agent"))
            return runAgentCommand(context, verb);
        if (command == QLatin1String("notebook") || command == QLatin1String("notebooks"))
            return runNotebookCommand(context, verb);
        if (command == QLatin1String("kernels") || command == QLatin1String("kernel"))
            return runKernelsCommand(context, verb);
        if (command == QLatin1String("label") || command == QLatin1String("labels"))
            return runLabelCommand(context, verb);
        if (command == QLatin1String("debug") || command == QLatin1String("debugger"))
            return runDebugCommand(context, verb);
        if (command == QLatin1String("models") || command == QLatin1String("model"))
            return runModelsCommand(context, verb);
        if (command == QLatin1String("serve"))
            return runServeCommand(context, verb);
        if (command == QLatin1String("endpoints") || command == QLatin1String("endpoint"))
            return runEndpointsCommand(context, verb);
        if (command == QLatin1String("transform"))
            return runTransformCommand(context, verb);
        if (command == QLatin1String("monitor"))
            return runMonitorCommand(context, verb);
        throw UsageError(QStringLiteral("unknown command '%1' (see cairn --help)").arg(command));
    } catch (const UsageError &e) {
        context.out.flush();
        err << "cairn: error: " << e.message() << "\n";
        return ExitUsage;
    } catch (const InputError &e) {
        context.out.flush();
        err << "cairn: error: " << e.message() << "\n";
        return ExitInput;
    } catch (const SearchSyntaxError &e) {
        context.out.flush();
        err << "cairn: error: bad filter at position " << e.position() + 1 << ": " << e.what_() << "\n";
        return ExitUsage;
    } catch (const Error &e) {
        context.out.flush();
        err << "cairn: error: " << e.message() << "\n";
        return ExitFailed;
    }
}
