// `cairn agent --socket PATH --idle-exit SECONDS`: the per-host agent that runs job scripts sent
// over a Unix socket (started on an SSH host by the job manager; not in --help).
#include "clicontext.h"

#include "cairn/remote/hostagent.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>

#include <fcntl.h>
#include <unistd.h>

namespace cairn::cli {

namespace {
int g_quitPipe[2] = {-1, -1};
void onTerminate(int)
{
    const char c = 0;
    [[maybe_unused]] const ssize_t n = ::write(g_quitPipe[1], &c, 1);
}
} // namespace

int runAgentCommand(Context &c, const QString &verb)
{
    if (!verb.isEmpty())
        throw UsageError(QStringLiteral("cairn agent takes no sub-command (got '%1')").arg(verb));
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("socket"), QStringLiteral("The Unix socket to listen on (in a folder of this user with mode 0700)."), QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("idle-exit"), QStringLiteral("End after SECONDS with no connection and no script running (default 600)."),
                      QStringLiteral("SECONDS"), QStringLiteral("600")});
    if (!c.parse(parser, QStringLiteral("cairn agent --socket PATH [--idle-exit SECONDS]\n"
                                        "Runs the job scripts of a job manager on this host, sent over a Unix socket that the job\n"
                                        "manager forwards over its SSH connection. Started by the job manager; not run by hand.")))
        return 0;
    if (!parser.isSet(QStringLiteral("socket")))
        throw UsageError(QStringLiteral("cairn agent needs --socket PATH"));
    bool ok = false;
    const int idle = parser.value(QStringLiteral("idle-exit")).toInt(&ok);
    if (!ok || idle <= 0)
        throw UsageError(QStringLiteral("--idle-exit takes a number of seconds above 0 (got '%1')").arg(parser.value(QStringLiteral("idle-exit"))));
    remote::HostAgent agent(parser.value(QStringLiteral("socket")), idle);
    QString error;
    if (!agent.listen(&error)) {
        if (error.isEmpty())
            return 0; // another agent serves this socket
        throw Error(error);
    }
    QObject::connect(&agent, &remote::HostAgent::idle, QCoreApplication::instance(), &QCoreApplication::quit);
    // SIGTERM ends it as the idle time does: its socket and pid file are removed.
    if (::pipe2(g_quitPipe, O_CLOEXEC) == 0) {
        auto *notifier = new QSocketNotifier(g_quitPipe[0], QSocketNotifier::Read, &agent);
        QObject::connect(notifier, &QSocketNotifier::activated, QCoreApplication::instance(), &QCoreApplication::quit);
        ::signal(SIGTERM, onTerminate);
    }
    return QCoreApplication::exec();
}

} // namespace cairn::cli
