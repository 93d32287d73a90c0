// How the real `cairn` reports mistakes (issue 20 items 4, 5, 11, 14; issue 21's stack trace):
// typos in a target, a ragged CSV, a hyperparameter outside the schema's choices and a missing
// file are refused before any job or run exists, with one `cairn: error:` line and the exit code
// docs/cli.md gives; a job that fails while training says why once, without a library
// backtrace; `--rule` prints each rule's verdict; filter errors point at the position.
#include "clirunner.h"
#include "sparsecsv.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/jobs/jobspec.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;

class tst_CliErrors : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;

    ProcessResult cairn(const QStringList &args) { return cairnInWorkspace(m_ws, args, 180000); }

    static QStringList errorLines(const QString &err)
    {
        QStringList out;
        for (const QString &l : err.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            if (l.startsWith(QLatin1String("cairn: error:")))
                out << l;
        return out;
    }

    /// Nothing was created: no job folder and no run.
    void verifyNothingCreated()
    {
        QVERIFY2(JobRecord::list(m_ws).isEmpty(), "a job was created");
        const ProcessResult runs = cairn({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--all"), QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(runs.exitCode, 0);
        QVERIFY2(runs.json().array().isEmpty(), qPrintable(runs.out));
    }

    QStringList train(const QString &csv, const QString &target) const
    {
        return {QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), csv,
                QStringLiteral("--target"), target};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        if (!QFileInfo::exists(sharedTable(QStringLiteral("titanic.csv"))))
            QFAIL("the shared data (../shared/data/tabular) is missing");
    }

    void init()
    {
        // A fresh workspace for each case, so that "nothing was created" means it.
        m_ws = m_dir.filePath(QStringLiteral("ws-%1").arg(QTest::currentTestFunction()));
        QDir(m_ws).removeRecursively();
    }

    void targetTypoIsRefusedBeforeAnyRun()
    {
        const ProcessResult r = cairn(train(sharedTable(QStringLiteral("titanic.csv")), QStringLiteral("survivd")));
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(errorLines(r.err).size(), 1);
        QVERIFY2(r.err.contains(QLatin1String("'survivd' is not a column of titanic.csv; did you mean 'survived'?")), qPrintable(r.err));
        QVERIFY2(!r.err.contains(QLatin1String("job")), qPrintable(r.err));
        verifyNothingCreated();
    }

    void raggedCsvIsRefusedBeforeAnyRun()
    {
        // The bad row is far below the rows a preview reads: the whole file is checked.
        QByteArray text = "a,b,y\n";
        for (int i = 0; i < 1200; ++i)
            text += QByteArray::number(i) + "," + QByteArray::number(i % 7) + "," + QByteArray::number(i % 2) + "\n";
        text += "5,6,1,9\n"; // line 1202
        const ProcessResult r = cairn(train(writeFile(m_dir.path(), QStringLiteral("ragged.csv"), text), QStringLiteral("y")));
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(errorLines(r.err).size(), 1);
        QVERIFY2(r.err.contains(QLatin1String("ragged.csv:1202:")), qPrintable(r.err));
        verifyNothingCreated();
    }

    void hyperparameterChoicesAreChecked()
    {
        ProcessResult r = cairn(train(sharedTable(QStringLiteral("iris.csv")), QStringLiteral("target")) + QStringList{QStringLiteral("--hp"), QStringLiteral("eval_metric=bogus")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(errorLines(r.err).size(), 1);
        QVERIFY2(r.err.contains(QLatin1String("eval_metric")) && r.err.contains(QLatin1String("'bogus'")) && r.err.contains(QLatin1String("mlogloss")),
                 qPrintable(r.err));
        QVERIFY2(!r.err.contains(QLatin1String("Stack trace")) && !r.err.contains(QLatin1String("[bt]")), qPrintable(r.err));
        r = cairn(train(sharedTable(QStringLiteral("iris.csv")), QStringLiteral("target")) + QStringList{QStringLiteral("--hp"), QStringLiteral("booster=gbtre")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QLatin1String("booster must be one of gbtree, gblinear, dart")), qPrintable(r.err));
        // Settings the algorithm cannot take: a task it does not do, more CPUs than the machine has,
        // a collection that does not exist. All of them at once.
        r = cairn(train(sharedTable(QStringLiteral("iris.csv")), QStringLiteral("target"))
                  + QStringList{QStringLiteral("--task"), QStringLiteral("clustering"), QStringLiteral("--cpus"), QStringLiteral("100000"),
                                QStringLiteral("--collect"), QStringLiteral("tree_dpth")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QLatin1String("3 problems")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QLatin1String("xgboost does not do clustering")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QLatin1String("100000 CPUs")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QLatin1String("did you mean 'tree_depth'?")), qPrintable(r.err));
        QCOMPARE(errorLines(r.err).size(), 1);
        verifyNothingCreated();
    }

    void automlTargetTypoMakesNoRun()
    {
        const ProcessResult r = cairn({QStringLiteral("automl"), QStringLiteral("--train"), sharedTable(QStringLiteral("iris.csv")), QStringLiteral("--target"),
                                       QStringLiteral("nope"), QStringLiteral("--time-limit"), QStringLiteral("30")});
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(errorLines(r.err).size(), 1);
        QVERIFY2(r.err.contains(QLatin1String("'nope' is not a column of iris.csv")) && r.err.contains(QLatin1String("petal_length_cm")), qPrintable(r.err));
        verifyNothingCreated();
    }

    // A CSV too big for this machine's memory (sparse: a real header and rows, then a hole of at
    // least 10 GB and at least the machine's memory) is refused from its head by `cairn train`,
    // `cairn tune` and `cairn automl` before anything exists, and by the worker itself (as on a
    // remote host).
    void csvTooBigForMemoryIsRefusedBeforeAnyRun()
    {
        const QString csv = m_dir.filePath(QStringLiteral("huge.csv"));
        if (!writeSparseCsv(csv, 20, tooBigForMemory()))
            QSKIP("this file system cannot hold a sparse file of 10 GB or this machine's memory");
        auto checkRefusal = [&](const ProcessResult &r, int exitCode) {
            QVERIFY2(r.exitCode == exitCode, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err)));
            QVERIFY2(r.err.contains(csv + QStringLiteral(" is too big to read into memory: the file is "))
                         && r.err.contains(QLatin1String("is available")) && r.err.contains(QLatin1String("Use a sample of its rows")),
                     qPrintable(r.err));
        };
        QElapsedTimer clock;
        clock.start();
        ProcessResult r = cairn(train(csv, QStringLiteral("y")));
        qInfo("cairn train refused it in %lld ms", clock.restart());
        checkRefusal(r, 3);
        QCOMPARE(errorLines(r.err).size(), 1);
        r = cairn({QStringLiteral("automl"), QStringLiteral("--train"), csv, QStringLiteral("--target"), QStringLiteral("y"),
                   QStringLiteral("--time-limit"), QStringLiteral("30")});
        qInfo("cairn automl refused it in %lld ms", clock.restart());
        checkRefusal(r, 3);
        QCOMPARE(errorLines(r.err).size(), 1);
        QStringList tune = train(csv, QStringLiteral("y"));
        tune[0] = QStringLiteral("tune");
        r = cairn(tune << QStringLiteral("--range") << QStringLiteral("max_depth=2:8:int") << QStringLiteral("--max-trials") << QStringLiteral("2")
                       << QStringLiteral("--objective") << QStringLiteral("validation:rmse"));
        qInfo("cairn tune refused it in %lld ms", clock.restart());
        checkRefusal(r, 3);
        QCOMPARE(errorLines(r.err).size(), 1);
        verifyNothingCreated();

        // The worker checks too: it fails with the reason in its status event.
        JobSpec spec;
        spec.algorithm = QStringLiteral("xgboost");
        spec.target = QStringLiteral("y");
        data::ChannelSpec train;
        train.path = csv;
        spec.channels.insert(QStringLiteral("train"), train);
        spec.outputDir = m_dir.filePath(QStringLiteral("worker-out"));
        const QString specPath = writeFile(m_dir.path(), QStringLiteral("spec.json"), QJsonDocument(spec.toJson()).toJson());
        clock.restart();
        r = cairn({QStringLiteral("worker"), QStringLiteral("--spec"), specPath});
        qInfo("cairn worker refused it in %lld ms", clock.elapsed());
        QVERIFY2(r.exitCode != 0, qPrintable(r.out));
        bool failed = false;
        for (const QString &line : r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const QJsonObject event = QJsonDocument::fromJson(line.toUtf8()).object();
            const QJsonObject data = event.contains(QStringLiteral("data")) ? event.value(QStringLiteral("data")).toObject() : event;
            if (data.value(QStringLiteral("status")).toString() == QLatin1String("failed"))
                failed = data.value(QStringLiteral("message")).toString().contains(csv + QStringLiteral(" is too big to read into memory"));
        }
        QVERIFY2(failed, qPrintable(r.out + r.err));
    }

    // The memory available is bounded by the process's cgroup: a 300 MB table is refused in a
    // cgroup of 512 MB (made here with the kernel's cgroup v2 or v1 memory controller, as root).
    void csvTooBigForTheCgroupLimitIsRefused()
    {
        QString group;
        QString limitFile;
        if (QFile::exists(QStringLiteral("/sys/fs/cgroup/cgroup.subtree_control"))) {
            QFile controllers(QStringLiteral("/sys/fs/cgroup/cgroup.subtree_control"));
            if (controllers.open(QIODevice::ReadOnly) && controllers.readAll().contains("memory")) {
                group = QStringLiteral("/sys/fs/cgroup/cairn-tst-clierrors-%1").arg(QCoreApplication::applicationPid());
                limitFile = QStringLiteral("memory.max");
            }
        } else if (QFile::exists(QStringLiteral("/sys/fs/cgroup/memory/memory.limit_in_bytes"))) {
            group = QStringLiteral("/sys/fs/cgroup/memory/cairn-tst-clierrors-%1").arg(QCoreApplication::applicationPid());
            limitFile = QStringLiteral("memory.limit_in_bytes");
        }
        if (group.isEmpty() || !QDir().mkdir(group))
            QSKIP("no cgroup memory controller this test may use (it needs root and cgroup v2 with memory enabled at the root, or v1)");
        auto removeGroup = qScopeGuard([&] { QDir().rmdir(group); });
        {
            QFile limit(group + QLatin1Char('/') + limitFile);
            QVERIFY(limit.open(QIODevice::WriteOnly));
            QVERIFY(limit.write(QByteArray::number(qint64(512) << 20)) > 0);
        }
        const QString csv = m_dir.filePath(QStringLiteral("mid.csv"));
        if (!writeSparseCsv(csv, 20, qint64(300) << 20))
            QSKIP("this file system cannot hold a sparse file of 300 MB");
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("CAIRN_WORKSPACE"));
        const ProcessResult r = runProgram(QStringLiteral("/bin/sh"),
                                           {QStringLiteral("-c"), QStringLiteral("echo $$ > \"$1/cgroup.procs\" && exec \"$2\" --workspace \"$3\" train "
                                                                                 "--algorithm xgboost --train \"$4\" --target y"),
                                            QStringLiteral("sh"), group, QStringLiteral(CAIRN_CLI_PATH), m_ws, csv},
                                           env);
        QVERIFY2(r.exitCode == 3, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err)));
        QVERIFY2(r.err.contains(csv + QStringLiteral(" is too big to read into memory")) && r.err.contains(group + QLatin1Char('/') + limitFile),
                 qPrintable(r.err));
        verifyNothingCreated();
    }

    void missingFilesAndUsageMistakes()
    {
        ProcessResult r = cairn(train(m_dir.filePath(QStringLiteral("missing.csv")), QStringLiteral("y")));
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(errorLines(r.err).size(), 1);
        QVERIFY2(r.err.startsWith(QLatin1String("cairn: error: ")) && r.err.contains(QLatin1String("does not exist")), qPrintable(r.err));
        r = cairn({QStringLiteral("train"), QStringLiteral("--frobnicate")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith(QLatin1String("cairn: error: ")), qPrintable(r.err));
        r = cairn({QStringLiteral("frobnicate")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith(QLatin1String("cairn: error: unknown command")), qPrintable(r.err));
        r = cairn(train(sharedTable(QStringLiteral("iris.csv")), QStringLiteral("target")) + QStringList{QStringLiteral("--algorithm"), QStringLiteral("torch-mlp")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QLatin1String("torch-mlp")), qPrintable(r.err));
    }

    // A reason found only while training still fails the job, and it is said once.
    void numberOptionsAreChecked()
    {
        // Each number option says which option and what it was given, before anything starts.
        const QList<QPair<QStringList, QString>> cases{
            {{QStringLiteral("transform"), QStringLiteral("--model"), QStringLiteral("m"), QStringLiteral("--input"), QStringLiteral("in.csv"),
              QStringLiteral("--output"), QStringLiteral("out"), QStringLiteral("--max-payload-mb"), QStringLiteral("abc")},
             QStringLiteral("--max-payload-mb needs a number > 0, not 'abc'")},
            {{QStringLiteral("serve"), QStringLiteral("--model"), QStringLiteral("m"), QStringLiteral("--max-payload-mb"), QStringLiteral("0")},
             QStringLiteral("--max-payload-mb needs a number > 0, not '0'")},
            {{QStringLiteral("endpoints"), QStringLiteral("stop"), QStringLiteral("nope"), QStringLiteral("--timeout"), QStringLiteral("soon")},
             QStringLiteral("--timeout needs a number > 0, not 'soon'")},
        };
        for (const auto &[args, message] : cases) {
            const ProcessResult r = cairn(args);
            QCOMPARE(r.exitCode, 2);
            QCOMPARE(errorLines(r.err).size(), 1);
            QVERIFY2(r.err.contains(message), qPrintable(r.err));
        }
    }

    void failedJobSaysWhyOnce()
    {
        const QString csv = writeFile(m_dir.path(), QStringLiteral("negative.csv"), "x,y\n1,2\n2,-1\n3,4\n4,0\n5,3\n6,2\n7,-2\n8,5\n9,1\n10,3\n");
        const ProcessResult r = cairn(train(csv, QStringLiteral("y")) + QStringList{QStringLiteral("--task"), QStringLiteral("regression"), QStringLiteral("--hp"), QStringLiteral("objective=reg:gamma")});
        QCOMPARE(r.exitCode, 1);
        const QStringList errors = errorLines(r.err);
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors.first().startsWith(QLatin1String("cairn: error: job ")) && errors.first().contains(QLatin1String("failed")), qPrintable(r.err));
        // XGBoost's reason, once, without its native backtrace or source location.
        const QString reason = errors.first().section(QLatin1String("failed: "), 1);
        QVERIFY2(reason.contains(QLatin1String("XGBoost")), qPrintable(r.err));
        QVERIFY2(!r.err.contains(QLatin1String("Stack trace")) && !r.err.contains(QLatin1String("[bt]")) && !r.err.contains(QLatin1String(".cc:")),
                 qPrintable(r.err));
        QVERIFY2(!r.err.contains(QLatin1String("status: failed")) && !r.err.contains(QLatin1String("[cairn] job")), qPrintable(r.err));
        QVERIFY2(!r.err.contains(QLatin1String("stderr: cairn worker")), qPrintable(r.err));
        QVERIFY2(r.out.contains(QLatin1String(": failed")), qPrintable(r.out));
        // The run is kept as FAILED; the job's log keeps every line.
        const QList<JobRecord> jobs = JobRecord::list(m_ws);
        QCOMPARE(jobs.size(), 1);
        QCOMPARE(jobs.first().state, JobState::Failed);
        QFile log(QDir(JobRecord::dirOf(m_ws, jobs.first().id)).filePath(QStringLiteral("job.log")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QVERIFY(log.readAll().contains("status: failed"));
    }

    void trainPrintsEachRulesVerdict()
    {
        const ProcessResult r = cairn(train(sharedTable(QStringLiteral("iris.csv")), QStringLiteral("target"))
                                      + QStringList{QStringLiteral("--hp"), QStringLiteral("num_round=20"), QStringLiteral("--collect"),
                                                    QStringLiteral("tree_depth,feature_importance"), QStringLiteral("--collect-every"), QStringLiteral("1"),
                                                    QStringLiteral("--rule"), QStringLiteral("TreeDepth"), QStringLiteral("--rule-param"),
                                                    QStringLiteral("TreeDepth.depth=1"), QStringLiteral("--rule"), QStringLiteral("SaturatedActivation"),
                                                    QStringLiteral("--rule"), QStringLiteral("LossNotDecreasing")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QLatin1String("debugger rules:")), qPrintable(r.out));
        const QRegularExpression tree(QStringLiteral("^TreeDepth\\s+(NoIssuesFound|IssuesFound)"), QRegularExpression::MultilineOption);
        QVERIFY2(tree.match(r.out).hasMatch(), qPrintable(r.out));
        const QRegularExpression saturated(QStringLiteral("^SaturatedActivation\\s+NotApplicable\\s+-\\s+Not applicable: .*XGBoost"), QRegularExpression::MultilineOption);
        QVERIFY2(saturated.match(r.out).hasMatch(), qPrintable(r.out));
        QVERIFY2(QRegularExpression(QStringLiteral("^LossNotDecreasing\\s+\\w+"), QRegularExpression::MultilineOption).match(r.out).hasMatch(), qPrintable(r.out));

        // A missing input to predict with is an input mistake too (exit 3), not a usage one.
        const QString model = r.out.section(QLatin1String("model: "), 1).section(QLatin1Char('\n'), 0, 0).trimmed();
        QVERIFY2(QFileInfo::exists(model), qPrintable(r.out));
        const ProcessResult p = cairn({QStringLiteral("predict"), QStringLiteral("--model"), model, QStringLiteral("--input"), m_dir.filePath(QStringLiteral("missing.csv"))});
        QCOMPARE(p.exitCode, 3);
        QVERIFY2(p.err.startsWith(QLatin1String("cairn: error: input ")) && p.err.contains(QLatin1String("does not exist")), qPrintable(p.err));
    }

    void filterErrorsPointAtThePosition()
    {
        const QString filter = QStringLiteral("metrics.acc > 0.9 and params.eta = ");
        const ProcessResult r = cairn({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--filter"), filter});
        QCOMPARE(r.exitCode, 2);
        const QStringList lines = r.err.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY2(lines.size() == 3, qPrintable(r.err));
        QVERIFY2(lines.at(0).startsWith(QLatin1String("cairn: error: bad --filter at position ")), qPrintable(r.err));
        QCOMPARE(lines.at(1), QStringLiteral("  ") + filter);
        const int caret = int(lines.at(2).indexOf(QLatin1Char('^')));
        const int position = lines.at(0).section(QLatin1String("position "), 1).section(QLatin1Char(':'), 0, 0).toInt();
        QCOMPARE(caret, 2 + position - 1);
        QVERIFY(lines.at(2).trimmed() == QLatin1String("^"));
    }

    void helpListsEveryCommand()
    {
        const ProcessResult r = cairn({QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QLatin1String("label create|status|import|export|autolabel|train")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QLatin1String("Exit codes:")), qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(tst_CliErrors)
#include "tst_clierrors.moc"
