// An AutoML search spread over hosts: real XGBoost candidates on this machine and on a real sshd
// on a loopback port (the SSH host), at once; every candidate records where it trained, the
// leaderboard is complete, and a host that cannot be reached gives its candidates to the others.
#include "clirunner.h"
#include "loopbacksshd.h"

#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <pwd.h>
#include <unistd.h>

using namespace cairn;

class tst_AutoMLHosts : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_t;
    QString m_ws;
    LoopbackSshd m_sshd;
    QProcessEnvironment m_env;

    ProcessResult cairn(const QStringList &args, int timeoutMs = 180000)
    {
        return runProgram(QStringLiteral(CAIRN_CLI_PATH), QStringList{QStringLiteral("--workspace"), m_ws} + args, m_env, timeoutMs);
    }

    // A small table, XGBoost only, a few candidates: what is tested is where they run. Each host
    // has room for the 5 folds of one candidate, so the first two candidates go one each. The search
    // ends with its last candidate; the long limit only keeps a busy machine from cutting it short.
    static QStringList automlArgs(const QString &hosts, int candidates, const QString &name)
    {
        return {QStringLiteral("automl"), QStringLiteral("--train"), QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/iris.csv"),
                QStringLiteral("--target"), QStringLiteral("target"), QStringLiteral("--algorithms"), QStringLiteral("xgboost"),
                QStringLiteral("--time-limit"), QStringLiteral("150"), QStringLiteral("--max-candidates"), QString::number(candidates),
                QStringLiteral("--cpus"), QStringLiteral("5"), QStringLiteral("--hosts"), hosts, QStringLiteral("--name"), name,
                QStringLiteral("--format"), QStringLiteral("json")};
    }

    static QString tagOf(ExperimentStore &store, const Run &run, const QString &key)
    {
        for (const Tag &t : store.tags(run.id))
            if (t.key == key)
                return t.value;
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString missing = loopbackSshMissing(); !missing.isEmpty())
            QSKIP(qPrintable(missing));
        m_t = m_dir.path();
        m_ws = m_t + QStringLiteral("/ws");
        const QString started = startLoopbackSshd(m_sshd, QStringLiteral(CAIRN_CLI_PATH), m_t, &m_env);
        QVERIFY2(started.isEmpty(), qPrintable(started));
        const QString failed = addLoopbackHost(QStringLiteral(CAIRN_CLI_PATH), m_sshd, QStringLiteral("gpu1"), m_t + QStringLiteral("/remote work"),
                                               m_env, {QStringLiteral("--job-limit"), QStringLiteral("5")});
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
        // Nothing listens on this port: the host cannot be reached.
        const QString unreachable = addUnreachableHost(QStringLiteral(CAIRN_CLI_PATH), m_sshd, QStringLiteral("down"), m_env);
        QVERIFY2(unreachable.isEmpty(), qPrintable(unreachable));
    }

    void cleanupTestCase() { m_sshd.stop(); }

    void candidatesSpreadOverLocalAndSsh()
    {
        const ProcessResult r = cairn(automlArgs(QStringLiteral("local,gpu1"), 2, QStringLiteral("spread")));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.err.contains(QStringLiteral("  on gpu1")) && r.err.contains(QStringLiteral("  on local")), qPrintable(r.err));
        const QJsonObject out = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const QString runUuid = out.value(QStringLiteral("run")).toString();
        QVERIFY2(!runUuid.isEmpty(), qPrintable(r.out));

        Workspace ws(m_ws);
        ExperimentStore &store = ws.store();
        QCOMPARE(store.run(runUuid).status, RunStatus::Finished);
        // The saved leaderboard holds every candidate, finished, with the host it trained on.
        QFile file(QDir(ws.artifactDir(runUuid)).filePath(QStringLiteral("automl/leaderboard.json")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray board = QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("candidates")).toArray();
        QSet<QString> hosts;
        int candidates = 0;
        for (const QJsonValue &v : board) {
            const QJsonObject c = v.toObject();
            if (c.value(QStringLiteral("ensemble")).toBool())
                continue;
            ++candidates;
            QVERIFY2(c.value(QStringLiteral("state")).toString() == QLatin1String("finished"), qPrintable(r.err));
            QVERIFY(c.value(QStringLiteral("objective")).isDouble());
            const QString host = c.value(QStringLiteral("host")).toString();
            hosts.insert(host);
            // The candidate's run and each of its fold runs record the host.
            const Run run = store.run(c.value(QStringLiteral("runUuid")).toString());
            QCOMPARE(tagOf(store, run, QStringLiteral("cairn.host")), host);
            const QList<Run> folds = store.childRuns(run.uuid);
            QVERIFY(!folds.isEmpty());
            for (const Run &fold : folds) {
                QCOMPARE(fold.status, RunStatus::Finished);
                QCOMPARE(tagOf(store, fold, QStringLiteral("cairn.host")), host);
                if (host == QLatin1String("gpu1"))
                    QCOMPARE(fold.host, QStringLiteral("gpu1"));
            }
        }
        QCOMPARE(candidates, 2);
        QCOMPARE(hosts, (QSet<QString>{QStringLiteral("local"), QStringLiteral("gpu1")}));
        QCOMPARE(out.value(QStringLiteral("leaderboard")).toArray().size(), board.size());
        QVERIFY(QFileInfo::exists(QDir(ws.artifactDir(runUuid)).filePath(QStringLiteral("model/model.json"))));
    }

    void unreachableHostGivesItsCandidatesToTheOthers()
    {
        const ProcessResult r = cairn(automlArgs(QStringLiteral("down,local"), 1, QStringLiteral("with-down")));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.err.contains(QStringLiteral("host 'down' cannot run candidates")), qPrintable(r.err));
        const QString runUuid = QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("run")).toString();
        Workspace ws(m_ws);
        ExperimentStore &store = ws.store();
        const Run run = store.run(runUuid);
        QCOMPARE(tagOf(store, run, QStringLiteral("automl.dropped_hosts")), QStringLiteral("down"));
        int finishedHere = 0;
        for (const Run &c : store.childRuns(run.uuid))
            if (tagOf(store, c, QStringLiteral("automl.candidate")) != QLatin1String("ensemble"))
                finishedHere += c.status == RunStatus::Finished && tagOf(store, c, QStringLiteral("cairn.host")) == QLatin1String("local") ? 1 : 0;
        QVERIFY2(finishedHere == 1, qPrintable(r.err));
        // With no host left the search fails and says why; an unknown name is refused at once.
        const ProcessResult none = cairn(automlArgs(QStringLiteral("down"), 1, QStringLiteral("all-down")));
        QCOMPARE(none.exitCode, 1);
        QVERIFY2(none.err.contains(QStringLiteral("no host is left to run the candidates")) && none.err.contains(QStringLiteral("down: ")), qPrintable(none.err));
        QCOMPARE(cairn(automlArgs(QStringLiteral("local,nope"), 1, QStringLiteral("x"))).exitCode, 1);
    }
};

QTEST_GUILESS_MAIN(tst_AutoMLHosts)
#include "tst_automlhosts.moc"
