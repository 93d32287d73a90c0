// cairn debug tensors|show|rules|catalogue against a workspace with synthetic debugger data.
#include "clirunner.h"
#include "debuggertestdata.h"

#include "cairn/workspace/workspace.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace cairn;
using namespace cairn::debugger::testdata;

class TestDebuggerCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_run;

    ProcessResult cli(const QStringList &args) { return cairnCli(QStringList{QStringLiteral("--workspace"), m_dir.path()} + args); }

private Q_SLOTS:
    void initTestCase()
    {
        Workspace ws(m_dir.path());
        const qint64 id = newRun(ws.store(), QStringLiteral("vanishing"));
        Builder b{ws.store(), id};
        b.tensor(QStringLiteral("fc1.weight"), QStringLiteral("weights"), steps(0, 40, 10), [](qint64 s, QRandomGenerator &r) { return normal(r, 64, 0, 0.1 + 0.01 * double(s)); });
        b.tensor(QStringLiteral("fc1.weight.grad"), QStringLiteral("gradients"), steps(0, 40, 10),
                 [](qint64 s, QRandomGenerator &r) { return normal(r, 64, 0, s >= 20 ? 1e-10 : 1e-3); });
        b.flush();
        m_run = ws.store().runsByIds({id}).first().uuid;
    }

    void listsAndShowsTensors()
    {
        ProcessResult r = cli({QStringLiteral("debug"), QStringLiteral("tensors"), m_run.left(8)});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QLatin1String("fc1.weight.grad")) && r.out.contains(QLatin1String("gradients")));
        r = cli({QStringLiteral("debug"), QStringLiteral("show"), m_run, QStringLiteral("fc1.weight"), QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray samples = r.json().object().value(QStringLiteral("samples")).toArray();
        QCOMPARE(samples.size(), 5);
        QCOMPARE(samples.at(4).toObject().value(QStringLiteral("step")).toInt(), 40);
        QCOMPARE(samples.at(0).toObject().value(QStringLiteral("counts")).toArray().size(), 64);
        r = cli({QStringLiteral("debug"), QStringLiteral("show"), m_run, QStringLiteral("fc1.weight"), QStringLiteral("--format"), QStringLiteral("csv")});
        QCOMPARE(r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 6);
        r = cli({QStringLiteral("debug"), QStringLiteral("show"), m_run, QStringLiteral("nope")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains(QLatin1String("no tensor 'nope'")));
    }

    void evaluatesRulesAfterwards()
    {
        ProcessResult r = cli({QStringLiteral("debug"), QStringLiteral("rules"), m_run, QStringLiteral("--rule"), QStringLiteral("VanishingGradient"),
                               QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        QJsonObject v = r.json().array().at(0).toObject();
        QCOMPARE(v.value(QStringLiteral("status")).toString(), QStringLiteral("IssuesFound"));
        QCOMPARE(v.value(QStringLiteral("step")).toInt(), 20);
        // A parameter changes the verdict; --fail-on-issues makes issues an exit code.
        r = cli({QStringLiteral("debug"), QStringLiteral("rules"), m_run, QStringLiteral("--rule"), QStringLiteral("VanishingGradient"),
                 QStringLiteral("--param"), QStringLiteral("threshold=1e-12"), QStringLiteral("--fail-on-issues")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QLatin1String("NoIssuesFound")));
        r = cli({QStringLiteral("debug"), QStringLiteral("rules"), m_run, QStringLiteral("--fail-on-issues")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.contains(QLatin1String("TreeDepth")));
        r = cli({QStringLiteral("debug"), QStringLiteral("rules"), m_run, QStringLiteral("--rule"), QStringLiteral("Nope")});
        QCOMPARE(r.exitCode, 2);
        r = cli({QStringLiteral("debug"), QStringLiteral("rules"), m_run, QStringLiteral("--param"), QStringLiteral("Overfit.patience=x")});
        QCOMPARE(r.exitCode, 2);
        r = cli({QStringLiteral("debug"), QStringLiteral("catalogue"), QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().array().size(), 16);
    }
};

QTEST_GUILESS_MAIN(TestDebuggerCli)
#include "tst_debuggercli.moc"
