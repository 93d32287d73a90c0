// Submit-to-first-metric delay of the same XGBoost job (titanic, 30 rounds, one CPU) run as a
// plain local job and as a Slurm batch job on a private Slurm started here (localslurm.h),
// alternated: from `cairn train` starting to the job's first metric point being readable in the
// workspace's store (polled every 5 ms), and the whole job's wall time. Medians and their ratio.
#include "localslurm.h"
#include "loopbacksshd.h"

#include <sqlite3.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

namespace {

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v.at(v.size() / 2);
}

qint64 metricCount(const QString &database)
{
    sqlite3 *db = nullptr;
    qint64 n = -1;
    if (sqlite3_open_v2(database.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 50);
        sqlite3_stmt *st = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM metrics", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

struct Timing
{
    double firstMetricS = -1;
    double wallS = -1;
    bool ok = false;
};

Timing runJob(const QProcessEnvironment &env, const QString &ws, const QString &host)
{
    const QString db = ws + QStringLiteral("/cairn.db");
    const qint64 before = std::max<qint64>(0, metricCount(db));
    QProcess p;
    p.setProcessEnvironment(env);
    p.setStandardOutputFile(QProcess::nullDevice());
    p.setStandardErrorFile(QProcess::nullDevice());
    QElapsedTimer t;
    t.start();
    p.start(QStringLiteral(CAIRN_CLI_PATH),
            {QStringLiteral("--workspace"), ws, QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"),
             QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/titanic.csv"), QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"),
             QStringLiteral("num_round=30"), QStringLiteral("--cpus"), QStringLiteral("1"), QStringLiteral("--host"), host, QStringLiteral("--experiment"), QStringLiteral("bench")});
    Timing out;
    while (!p.waitForFinished(5)) {
        if (out.firstMetricS < 0 && metricCount(db) > before)
            out.firstMetricS = double(t.nsecsElapsed()) / 1e9;
        if (t.elapsed() > 300000) {
            p.kill();
            p.waitForFinished();
            return out;
        }
    }
    out.wallS = double(t.nsecsElapsed()) / 1e9;
    if (out.firstMetricS < 0 && metricCount(db) > before)
        out.firstMetricS = out.wallS;
    out.ok = p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0 && out.firstMetricS > 0;
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QString why = LocalSlurm::unavailableReason();
    if (!why.isEmpty()) {
        std::printf("bench_slurm: skipped: %s\n", qPrintable(why));
        return 0;
    }
    QTemporaryDir dir;
    LocalSlurm slurm;
    QString error;
    if (!slurm.start(dir.path() + QStringLiteral("/slurm"), &error)) {
        std::printf("bench_slurm: cannot start Slurm: %s\n", qPrintable(error));
        return 1;
    }
    const QProcessEnvironment env = slurm.environment(isolatedCliEnvironment(dir.path()));
    const QString ws = dir.path() + QStringLiteral("/ws");
    QProcess add;
    add.setProcessEnvironment(env);
    add.start(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("--workspace"), ws, QStringLiteral("hosts"), QStringLiteral("add"), QStringLiteral("--slurm"),
                                               QStringLiteral("cluster"), QStringLiteral("--cairn"), QStringLiteral(CAIRN_CLI_PATH), QStringLiteral("--work-dir"),
                                               dir.path() + QStringLiteral("/shared")});
    add.waitForFinished(-1);
    if (add.exitCode() != 0) {
        std::printf("bench_slurm: cannot add the cluster: %s\n", add.readAllStandardError().constData());
        return 1;
    }
    const int rounds = 5;
    runJob(env, ws, QStringLiteral("local")); // warm the page cache and the workspace
    runJob(env, ws, QStringLiteral("cluster"));
    QList<double> localFirst, slurmFirst, localWall, slurmWall;
    for (int i = 0; i < rounds; ++i) {
        for (const QString &host : {QStringLiteral("local"), QStringLiteral("cluster")}) {
            const Timing t = runJob(env, ws, host);
            if (!t.ok) {
                std::printf("bench_slurm: the %s job failed\n", qPrintable(host));
                return 1;
            }
            (host == QLatin1String("local") ? localFirst : slurmFirst) << t.firstMetricS;
            (host == QLatin1String("local") ? localWall : slurmWall) << t.wallS;
        }
    }
    std::printf("XGBoost titanic, 30 rounds, 1 CPU; %d runs each, alternated; medians\n", rounds);
    std::printf("submit to first metric in the store: local %.3f s, Slurm %.3f s (+%.3f s, ratio %.2f)\n", median(localFirst), median(slurmFirst),
                median(slurmFirst) - median(localFirst), median(slurmFirst) / median(localFirst));
    std::printf("whole job (cairn train's wall time): local %.3f s, Slurm %.3f s (ratio %.2f)\n", median(localWall), median(slurmWall),
                median(slurmWall) / median(localWall));
    return 0;
}
