// The same XGBoost jobs on this machine and on a loopback SSH host (a private sshd started here),
// alternated, medians and their ratio (issue 15 target: ≤ 1.10). The host's data cache is warmed
// first, as it is after a data set's first job. Then a logging job of 100,000 metric points
// (XGBoost on iris, 50,000 rounds, train and validation rmse), local vs SSH: the time ratio, every
// point stored once, and the delay from a point being written by the worker (its timestamp) to it
// being readable in the workspace's store (polled every 5 ms here; target ≤ 200 ms median).
#include "loopbacksshd.h"

#include <sqlite3.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>

#include <QDateTime>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
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

double percentile(QList<double> v, double p)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v.at(std::min<qsizetype>(v.size() - 1, qsizetype(p * double(v.size()))));
}

/// Reads the store as another process would while a job writes it: every 5 ms the points added
/// since the last look, each one's delay being now minus the time the worker logged it.
class StorePoller
{
public:
    explicit StorePoller(const QString &database)
    {
        if (sqlite3_open_v2(QFile::encodeName(database).constData(), &m_db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
            qFatal("cannot open %s", qPrintable(database));
        sqlite3_busy_timeout(m_db, 1000);
        m_last = scalar("SELECT coalesce(max(rowid), 0) FROM metrics");
        m_thread = std::thread([this] { run(); });
    }
    ~StorePoller() { sqlite3_close(m_db); }

    /// Stops after one last look; the delays of the points seen.
    QList<double> finish()
    {
        m_stop = true;
        m_thread.join();
        return m_delays;
    }
    qint64 firstRowid() const { return m_first; }

private:
    qint64 scalar(const char *sql)
    {
        sqlite3_stmt *st = nullptr;
        sqlite3_prepare_v2(m_db, sql, -1, &st, nullptr);
        const qint64 v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_finalize(st);
        return v;
    }
    void run()
    {
        m_first = m_last + 1;
        sqlite3_stmt *st = nullptr;
        sqlite3_prepare_v2(m_db, "SELECT rowid, timestamp FROM metrics WHERE rowid > ?1 ORDER BY rowid", -1, &st, nullptr);
        for (bool last = false; !last;) {
            last = m_stop.load();
            sqlite3_bind_int64(st, 1, m_last);
            while (sqlite3_step(st) == SQLITE_ROW) {
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                m_last = sqlite3_column_int64(st, 0);
                m_delays << double(now - sqlite3_column_int64(st, 1));
            }
            sqlite3_reset(st);
            if (!last)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        sqlite3_finalize(st);
    }

    sqlite3 *m_db = nullptr;
    qint64 m_last = 0;
    qint64 m_first = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
    QList<double> m_delays;
};

/// Points of the two per-round metrics stored for the newest run (rounds 0-49,999: the final
/// validation value is logged at step 50,000 too), and how many (step, key) pairs are stored more
/// than once.
QPair<qint64, qint64> storedRoundPoints(const QString &database)
{
    sqlite3 *db = nullptr;
    sqlite3_open_v2(QFile::encodeName(database).constData(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt *st = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT count(*), count(*) - count(DISTINCT m.key_id || ':' || m.step) FROM metrics m JOIN metric_keys k ON k.id = m.key_id "
                       "WHERE m.run_id = (SELECT max(id) FROM runs) AND k.name IN ('train.rmse', 'validation.rmse') AND m.step < 50000",
                       -1, &st, nullptr);
    QPair<qint64, qint64> out{-1, -1};
    if (sqlite3_step(st) == SQLITE_ROW)
        out = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1)};
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
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

    // The logging job: 100,000 points, each one followed from the worker to the store.
    const QString database = ws + QStringLiteral("/cairn.db");
    auto logging = [&](const QString &host, QList<double> *delays) {
        StorePoller poller(database);
        QElapsedTimer t;
        t.start();
        if (cairn({QStringLiteral("--workspace"), ws, QStringLiteral("train"), QStringLiteral("-a"), QStringLiteral("xgboost"), QStringLiteral("--train"),
                   data + QStringLiteral("iris.csv"), QStringLiteral("--target"), QStringLiteral("petal_width_cm"), QStringLiteral("--hp"),
                   QStringLiteral("num_round=50000"), QStringLiteral("--hp"), QStringLiteral("eval_metric=rmse"), QStringLiteral("--hp"),
                   QStringLiteral("eta=0.001"), QStringLiteral("--cpus"), QStringLiteral("1"), QStringLiteral("--host"), host, QStringLiteral("-q")}) != 0)
            qFatal("the logging job on %s failed", qPrintable(host));
        const double seconds = double(t.nsecsElapsed()) / 1e9;
        *delays << poller.finish();
        const auto [points, duplicates] = storedRoundPoints(database);
        if (points != 100000 || duplicates != 0)
            std::printf("  %s: %lld per-round points stored (expected 100000), %lld twice\n", qPrintable(host), points, duplicates);
        return seconds;
    };
    QList<double> warmUp, local, remote, localDelays, remoteDelays;
    logging(QStringLiteral("loopback"), &warmUp); // the host's cache gets iris once
    const int rounds = 3;
    for (int i = 0; i < rounds; ++i) {
        local << logging(QStringLiteral("local"), &localDelays);
        remote << logging(QStringLiteral("loopback"), &remoteDelays);
    }
    std::printf("%-22s local %6.2f s   ssh %6.2f s   ratio %.2f (target ≤ 1.10)\n", "100,000-point logging", median(local), median(remote),
                median(remote) / median(local));
    std::printf("%-22s local median %4.0f ms p95 %4.0f ms   ssh median %4.0f ms p95 %4.0f ms (target ≤ 200 ms median; %lld points a job)\n",
                "  worker → store delay", median(localDelays), percentile(localDelays, 0.95), median(remoteDelays), percentile(remoteDelays, 0.95),
                qint64(remoteDelays.size() / rounds));
    return 0;
}
