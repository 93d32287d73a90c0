// The same XGBoost jobs on this machine and on a loopback SSH host (a private sshd started here),
// alternated, medians and their ratio (issue 15 target: ≤ 1.10). The host's data cache is warmed
// first, as it is after a data set's first job.
#include "loopbacksshd.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <unistd.h>
#include <pwd.h>

namespace {

QProcessEnvironment g_env;

int cairn(const QStringList &args)
{
    QProcess p;
    p.setProcessEnvironment(g_env);
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(QStringLiteral(CAIRN_CLI_PATH), args);
    p.waitForFinished(-1);
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v.at(v.size() / 2);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (!LoopbackSshd::available()) {
        std::printf("bench_sshjob: openssh-server is not installed (scripts/setup installs it)\n");
        return 1;
    }
    QTemporaryDir dir;
    const QString t = dir.path();
    LoopbackSshd sshd;
    QString error;
    if (!sshd.start(t, QFileInfo(QStringLiteral(CAIRN_CLI_PATH)).absolutePath(), &error)) {
        std::printf("bench_sshjob: %s\n", qPrintable(error));
        return 1;
    }
    g_env = QProcessEnvironment::systemEnvironment();
    g_env.insert(QStringLiteral("CAIRN_HOSTS_FILE"), t + QStringLiteral("/hosts.json"));
    g_env.insert(QStringLiteral("CAIRN_SSH_CONFIG"), t + QStringLiteral("/none"));
    g_env.insert(QStringLiteral("XDG_CACHE_HOME"), t + QStringLiteral("/cache"));
    QFile(t + QStringLiteral("/known_hosts")).open(QIODevice::WriteOnly);
    const QString ws = t + QStringLiteral("/ws");
    if (cairn({QStringLiteral("hosts"), QStringLiteral("add"), QStringLiteral("loopback"), QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
               QStringLiteral("--port"), QString::number(sshd.port()), QStringLiteral("--user"), QString::fromLocal8Bit(::getpwuid(::getuid())->pw_name),
               QStringLiteral("--identity"), sshd.userKey(), QStringLiteral("--known-hosts"), t + QStringLiteral("/known_hosts"),
               QStringLiteral("--work-dir"), t + QStringLiteral("/remote"), QStringLiteral("--ssh-config"), QStringLiteral("/dev/null")}) != 0
        || cairn({QStringLiteral("hosts"), QStringLiteral("probe"), QStringLiteral("loopback"), QStringLiteral("--accept-new-host-key"), QStringLiteral("--format"), QStringLiteral("json")}) != 0)
        return 1;

    struct Case { const char *name; QString data; QString target; QString rounds; };
    const QString data = QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/");
    const QList<Case> cases{{"titanic, 100 rounds", data + QStringLiteral("titanic.csv"), QStringLiteral("survived"), QStringLiteral("100")},
                            {"diamonds, 300 rounds", data + QStringLiteral("diamonds.csv"), QStringLiteral("price"), QStringLiteral("300")}};
    const int repeats = 5;
    for (const Case &c : cases) {
        auto train = [&](const QString &host) {
            QElapsedTimer t;
            t.start();
            if (cairn({QStringLiteral("--workspace"), ws, QStringLiteral("train"), QStringLiteral("-a"), QStringLiteral("xgboost"), QStringLiteral("--train"), c.data,
                       QStringLiteral("--target"), c.target, QStringLiteral("--hp"), QStringLiteral("num_round=") + c.rounds, QStringLiteral("--cpus"),
                       QStringLiteral("1"), QStringLiteral("--host"), host, QStringLiteral("-q")}) != 0)
                qFatal("the job on %s failed", qPrintable(host));
            return double(t.nsecsElapsed()) / 1e9;
        };
        train(QStringLiteral("loopback")); // the host's cache gets the data once
        QList<double> local, remote;
        for (int i = 0; i < repeats; ++i) {
            local << train(QStringLiteral("local"));
            remote << train(QStringLiteral("loopback"));
        }
        std::printf("%-22s local %6.2f s   ssh %6.2f s   ratio %.2f (target ≤ 1.10)\n", c.name, median(local), median(remote),
                    median(remote) / median(local));
        std::fflush(stdout);
    }
    return 0;
}
