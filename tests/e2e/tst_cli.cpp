// The `cairn` command line end to end: every verb on a real workspace, and bad input giving a
// non-zero exit with a one-line error.
#include "clirunner.h"

#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace cairn;

class TestCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_runA, m_runB;

    ProcessResult cli(QStringList args)
    {
        args << QStringLiteral("--workspace") << m_dir.path();
        return cairnCli(args);
    }

private Q_SLOTS:
    void initTestCase()
    {
        Workspace ws(m_dir.path());
        ExperimentStore &s = ws.store();
        const qint64 exp = s.createExperiment(QStringLiteral("titanic"));
        const Run a = s.createRun({.experimentId = exp, .name = QStringLiteral("rf-depth-4")});
        const Run b = s.createRun({.experimentId = exp, .name = QStringLiteral("rf-depth-8")});
        s.logParam(a.uuid, QStringLiteral("max_depth"), QStringLiteral("4"));
        s.logParam(b.uuid, QStringLiteral("max_depth"), QStringLiteral("8"));
        s.logParam(a.uuid, QStringLiteral("n_estimators"), QStringLiteral("200"));
        s.logParam(b.uuid, QStringLiteral("n_estimators"), QStringLiteral("200"));
        s.logMetric(a.uuid, {QStringLiteral("accuracy"), 0.81, 0, 0});
        s.logMetric(b.uuid, {QStringLiteral("accuracy"), 0.84, 0, 0});
        s.setRunStatus(a.uuid, RunStatus::Finished);
        s.setRunStatus(b.uuid, RunStatus::Finished);
        m_runA = a.uuid;
        m_runB = b.uuid;
    }

    void version()
    {
        const ProcessResult r = cairnCli({QStringLiteral("--version")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith(QStringLiteral("cairn ")));
    }

    void experimentsVerbs()
    {
        QCOMPARE(cli({QStringLiteral("experiments"), QStringLiteral("create"), QStringLiteral("scratch")}).exitCode, 0);
        QCOMPARE(cli({QStringLiteral("experiments"), QStringLiteral("rename"), QStringLiteral("scratch"), QStringLiteral("scratch2")}).exitCode, 0);
        QCOMPARE(cli({QStringLiteral("experiments"), QStringLiteral("delete"), QStringLiteral("scratch2")}).exitCode, 0);
        ProcessResult list = cli({QStringLiteral("experiments"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(list.json().array().size(), 2);
        list = cli({QStringLiteral("experiments"), QStringLiteral("list"), QStringLiteral("--deleted"), QStringLiteral("--format"), QStringLiteral("csv")});
        QVERIFY(list.out.contains(QStringLiteral("scratch2")));
        QCOMPARE(cli({QStringLiteral("experiments"), QStringLiteral("restore"), QStringLiteral("scratch2")}).exitCode, 0);
        list = cli({QStringLiteral("experiments"), QStringLiteral("list")});
        QVERIFY(list.out.contains(QStringLiteral("scratch2")));
        QVERIFY(list.out.contains(QStringLiteral("titanic")));
    }

    void runsListFilterOrder()
    {
        ProcessResult r = cli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--experiment"), QStringLiteral("titanic"),
                               QStringLiteral("--order-by"), QStringLiteral("metrics.accuracy DESC"), QStringLiteral("--format"),
                               QStringLiteral("csv"), QStringLiteral("--columns"), QStringLiteral("name,params.max_depth,metrics.accuracy")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, QStringLiteral("name,params.max_depth,metrics.accuracy\r\nrf-depth-8,8,0.84\r\nrf-depth-4,4,0.81\r\n"));
        r = cli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--filter"), QStringLiteral("params.max_depth < 5")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QStringLiteral("rf-depth-4")));
        QVERIFY(!r.out.contains(QStringLiteral("rf-depth-8")));
    }

    void runsCompare()
    {
        ProcessResult r = cli({QStringLiteral("runs"), QStringLiteral("compare"), m_runA, m_runB});
        QCOMPARE(r.exitCode, 0);
        const QString line = r.out.split(QLatin1Char('\n')).filter(QStringLiteral("params.max_depth")).value(0);
        QVERIFY2(line.contains(QLatin1Char('*')) && line.contains(QLatin1Char('4')) && line.contains(QLatin1Char('8')), qPrintable(r.out));
        const QString same = r.out.split(QLatin1Char('\n')).filter(QStringLiteral("params.n_estimators")).value(0);
        QVERIFY(!same.contains(QLatin1Char('*')));
        r = cli({QStringLiteral("runs"), QStringLiteral("compare"), m_runA, m_runB, QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.json().object().value(QStringLiteral("runs")).toArray().size(), 2);
        r = cli({QStringLiteral("runs"), QStringLiteral("compare"), m_runA, m_runB, QStringLiteral("--diff-only")});
        QVERIFY(!r.out.contains(QStringLiteral("n_estimators")));
    }

    void runsExportTagRenameDeleteRestore()
    {
        const QString csv = m_dir.filePath(QStringLiteral("runs.csv"));
        ProcessResult r = cli({QStringLiteral("runs"), QStringLiteral("export"), QStringLiteral("--output"), csv});
        QCOMPARE(r.exitCode, 0);
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString header = QString::fromUtf8(f.readLine());
        QVERIFY(header.contains(QStringLiteral("params.max_depth")) && header.contains(QStringLiteral("metrics.accuracy")));

        QCOMPARE(cli({QStringLiteral("runs"), QStringLiteral("tag"), m_runA, QStringLiteral("keep=yes")}).exitCode, 0);
        QCOMPARE(cli({QStringLiteral("runs"), QStringLiteral("rename"), m_runA, QStringLiteral("best")}).exitCode, 0);
        r = cli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--filter"), QStringLiteral("tags.keep = 'yes'"),
                 QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.json().array().first().toObject().value(QStringLiteral("name")).toString(), QStringLiteral("best"));
        QCOMPARE(cli({QStringLiteral("runs"), QStringLiteral("delete"), m_runA}).exitCode, 0);
        r = cli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.json().array().size(), 1);
        QCOMPARE(cli({QStringLiteral("runs"), QStringLiteral("restore"), m_runA}).exitCode, 0);
        r = cli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.json().array().size(), 2);
    }

    void badInputIsOneLineAndNonZero_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << 2 << "unknown command";
        QTest::newRow("unknown verb") << QStringList{QStringLiteral("runs"), QStringLiteral("explode")} << 2 << "unknown verb";
        // Filter mistakes are usage mistakes, shown with the expression and a caret (3 lines).
        QTest::newRow("bad filter") << QStringList{QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--filter"), QStringLiteral("metrics.acc >> 1")} << 2 << "position 14";
        QTest::newRow("bad order") << QStringList{QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--order-by"), QStringLiteral("metrics.acc upward")} << 2 << "position";
        QTest::newRow("bad format") << QStringList{QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("xml")} << 2 << "--format";
        QTest::newRow("unknown run") << QStringList{QStringLiteral("runs"), QStringLiteral("show"), QStringLiteral("abcdef12")} << 1 << "no run";
        QTest::newRow("not a run id") << QStringList{QStringLiteral("runs"), QStringLiteral("show"), QStringLiteral("x")} << 1 << "not a run id";
        QTest::newRow("duplicate experiment") << QStringList{QStringLiteral("experiments"), QStringLiteral("create"), QStringLiteral("titanic")} << 1 << "already exists";
        QTest::newRow("missing experiment") << QStringList{QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("-e"), QStringLiteral("nope")} << 1 << "no experiment";
        QTest::newRow("unknown option") << QStringList{QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--colour")} << 2 << "Unknown option";
        QTest::newRow("compare one") << QStringList{QStringLiteral("runs"), QStringLiteral("compare"), QStringLiteral("abcd")} << 2 << "at least two";
        QTest::newRow("bad max") << QStringList{QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--max"), QStringLiteral("lots")} << 2 << "--max";
    }
    void badInputIsOneLineAndNonZero()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, mentions);
        const ProcessResult r = cli(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(mentions), qPrintable(r.err));
        QCOMPARE(r.err.trimmed().count(QLatin1Char('\n')), mentions.startsWith(QLatin1String("position")) ? 2 : 0);
        QVERIFY2(r.err.startsWith(QStringLiteral("cairn: error: ")), qPrintable(r.err));
    }

    void workspaceFromEnvironment()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CAIRN_WORKSPACE"), m_dir.path());
        const ProcessResult r = cairnCli({QStringLiteral("workspace"), QStringLiteral("info"), QStringLiteral("--format"), QStringLiteral("json")}, env);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().object().value(QStringLiteral("path")).toString(), Workspace::resolvePath(m_dir.path()));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
