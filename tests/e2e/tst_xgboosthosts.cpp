// XGBoost over several hosts through XGBoost's own collective (its tracker on rank 0's host,
// XGCommunicatorInit on each rank): a real sshd on a loopback port registered under two host
// names, real `cairn worker` ranks over SSH. Each rank trains on its shard of the rows (every
// second row), and the model scores on the validation rows as one worker's model on all rows does,
// where a worker alone on one shard scores clearly worse.
#include "clirunner.h"
#include "distributedjobs.h"
#include "loopbacksshd.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;

namespace {

// How far the distributed model's validation RMSE may be from one worker's on all the rows (the
// trees could differ a little: each rank sketches its own shard's quantiles). A worker alone on
// one shard must be further off than this, or the comparison could not tell.
constexpr double kRelativeTolerance = 0.01;

} // namespace

class tst_XgboostHosts : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_t;
    LoopbackSshd m_sshd;
    QProcessEnvironment m_env;

    /// Trains the same XGBoost model on `table` in workspace `ws`, with `extra` options (the
    /// hosts), scored on the same validation rows.
    Run train(const QString &ws, const QString &table, const QStringList &extra)
    {
        const ProcessResult r = runProgram(QStringLiteral(CAIRN_CLI_PATH),
                                           QStringList{QStringLiteral("--workspace"), ws, QStringLiteral("train"), QStringLiteral("--algorithm"),
                                                       QStringLiteral("xgboost"), QStringLiteral("--train"), table, QStringLiteral("--validation"),
                                                       m_t + QStringLiteral("/valid.csv"), QStringLiteral("--target"), QStringLiteral("price"),
                                                       QStringLiteral("--hp"), QStringLiteral("num_round=100"), QStringLiteral("--hp"),
                                                       QStringLiteral("max_depth=6"), QStringLiteral("--cpus"), QStringLiteral("1")}
                                               + extra,
                                           m_env, 240000);
        if (r.exitCode != 0)
            qWarning("%s", qPrintable(r.err + r.out));
        const QList<Run> runs = Workspace(ws).store().searchRuns({});
        return runs.isEmpty() ? Run() : runs.first();
    }

    static double last(const QString &ws, const Run &run, const QString &key)
    {
        const auto values = Workspace(ws).store().metricHistory(run.id, key).values;
        return values.isEmpty() ? -1 : values.last();
    }

    /// "this rank trains on N of the M training rows" from a log: {N, M}.
    static QPair<int, int> shardOf(const QString &text)
    {
        static const QRegularExpression re(QStringLiteral("this rank trains on (\\d+) of the (\\d+) training rows"));
        const auto m = re.match(text);
        return m.hasMatch() ? qMakePair(m.captured(1).toInt(), m.captured(2).toInt()) : qMakePair(-1, -1);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString missing = loopbackSshMissing(); !missing.isEmpty())
            QSKIP(qPrintable(missing));
        m_t = m_dir.path();
        const QString started = startLoopbackSshd(m_sshd, QStringLiteral(CAIRN_CLI_PATH), m_t, &m_env);
        QVERIFY2(started.isEmpty(), qPrintable(started));
        m_env.insert(QStringLiteral("CAIRN_DIST_TIMEOUT"), QStringLiteral("60"));
        // The diamonds table: every fifth row for validation, the rest to train on, and rank 0's
        // shard of those (every second row) alone.
        QFile all(sharedTable(QStringLiteral("diamonds.csv")));
        QVERIFY(all.open(QIODevice::ReadOnly));
        QList<QByteArray> lines = all.readAll().split('\n');
        while (!lines.isEmpty() && lines.last().trimmed().isEmpty())
            lines.removeLast();
        QByteArray train = lines.first() + '\n', valid = train, shard = train;
        for (qsizetype i = 1, t = 0; i < lines.size(); ++i) {
            if (i % 5 == 0) {
                valid += lines.at(i) + '\n';
                continue;
            }
            train += lines.at(i) + '\n';
            if (t++ % 2 == 0)
                shard += lines.at(i) + '\n';
        }
        QDir dir(m_t);
        writeFile(dir, QStringLiteral("train.csv"), train);
        writeFile(dir, QStringLiteral("valid.csv"), valid);
        writeFile(dir, QStringLiteral("shard0.csv"), shard);
        const QString failed = addTwoLoopbackNodes(QStringLiteral(CAIRN_CLI_PATH), m_sshd, m_t, m_env);
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void cleanupTestCase() { m_sshd.stop(); }

    void twoHostsScoreAsOneWorker()
    {
        const QString one = m_t + QStringLiteral("/ws-one");
        const QString two = m_t + QStringLiteral("/ws-two");
        const QString half = m_t + QStringLiteral("/ws-shard");
        const Run single = train(one, m_t + QStringLiteral("/train.csv"), {});
        QCOMPARE(single.status, RunStatus::Finished);
        const Run alone = train(half, m_t + QStringLiteral("/shard0.csv"), {});
        QCOMPARE(alone.status, RunStatus::Finished);
        const Run spread = train(two, m_t + QStringLiteral("/train.csv"), {QStringLiteral("--hosts"), QStringLiteral("node-a,node-b")});
        QCOMPARE(spread.status, RunStatus::Finished);
        QCOMPARE(spread.host, QStringLiteral("node-a, node-b"));
        QMap<QString, QString> tags;
        for (const Tag &t : Workspace(two).store().tags(spread.id))
            tags.insert(t.key, t.value);
        const QString ranks = tags.value(QStringLiteral("distributed.ranks"));
        QVERIFY2(ranks.contains(QStringLiteral("0=node-a")) && ranks.contains(QStringLiteral("1=node-b")), qPrintable(ranks));

        // Each rank trained on its half of the same training rows.
        const QList<JobRecord> jobs = JobRecord::list(two);
        QCOMPARE(jobs.size(), 1);
        const QString jobDir = JobRecord::dirOf(two, jobs.first().id);
        QFile log(QDir(jobDir).filePath(QStringLiteral("job.log")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QString rankZeroLog = QString::fromUtf8(log.readAll());
        QFile rankOne(QDir(jobDir).filePath(QStringLiteral("rank-1.jsonl")));
        QVERIFY2(rankOne.open(QIODevice::ReadOnly), qPrintable(rankOne.fileName()));
        QString rankOneLog;
        for (const JobEvent &e : distributedjobs::parseEvents(rankOne.readAll()))
            rankOneLog += e.data.value(QStringLiteral("message")).toString() + QLatin1Char('\n');
        const auto shard0 = shardOf(rankZeroLog);
        const auto shard1 = shardOf(rankOneLog);
        QVERIFY2(shard0.first > 0 && shard1.first > 0, qPrintable(rankZeroLog.right(2000) + rankOneLog.right(2000)));
        QCOMPARE(shard0.second, shard1.second);
        QCOMPARE(shard0.first + shard1.first, shard0.second);
        QVERIFY(qAbs(shard0.first - shard1.first) <= 1);
        QVERIFY2(rankZeroLog.contains(QStringLiteral("XGBoost rank 0 of 2")) && rankOneLog.contains(QStringLiteral("XGBoost rank 1 of 2")),
                 qPrintable(rankZeroLog.right(2000) + rankOneLog.right(2000)));

        // The same quality as one worker on all the rows, on the same validation rows.
        const double rmseOne = last(one, single, QStringLiteral("validation.rmse"));
        const double rmseTwo = last(two, spread, QStringLiteral("validation.rmse"));
        const double rmseShard = last(half, alone, QStringLiteral("validation.rmse"));
        qInfo("validation.rmse: 1 worker %.6f, 2 workers over SSH hosts %.6f (%+.4f %%), 1 worker on rank 0's shard alone %.6f (%+.4f %%)", rmseOne,
              rmseTwo, 100.0 * (rmseTwo - rmseOne) / rmseOne, rmseShard, 100.0 * (rmseShard - rmseOne) / rmseOne);
        QVERIFY(rmseOne > 0 && rmseTwo > 0 && rmseShard > 0);
        QVERIFY2(qAbs(rmseShard - rmseOne) > kRelativeTolerance * rmseOne, "a worker alone on one shard scores as well: the comparison cannot tell");
        QVERIFY2(qAbs(rmseTwo - rmseOne) <= kRelativeTolerance * rmseOne, qPrintable(QStringLiteral("%1 vs %2").arg(rmseTwo).arg(rmseOne)));
        // Rank 0's model came back into the run.
        QVERIFY(QFileInfo(QDir(Workspace(two).artifactDir(spread.uuid)).filePath(QStringLiteral("model/model.json"))).size() > 0);
    }
};

QTEST_GUILESS_MAIN(tst_XgboostHosts)
#include "tst_xgboosthosts.moc"
