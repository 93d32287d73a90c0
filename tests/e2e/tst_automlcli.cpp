// `cairn automl` end to end: a run on penguins (missing values, categorical columns) whose best
// model `cairn predict --model <run>` applies to raw rows with an unseen category and a missing
// value; bad input exits with one clear line and the right code.
#include "clirunner.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

class tst_AutoMLCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;

    ProcessResult cairn(const QStringList &args, int timeoutMs = 200000) { return cairnInWorkspace(m_ws, args, timeoutMs); }

    static int lines(const QString &text) { return int(text.trimmed().split(QLatin1Char('\n'), Qt::SkipEmptyParts).size()); }

private Q_SLOTS:
    void initTestCase() { m_ws = m_dir.filePath(QStringLiteral("ws")); }

    void penguinsThenPredictOnRawRows()
    {
        const ProcessResult r = cairn({QStringLiteral("automl"), QStringLiteral("--train"), sharedTable(QStringLiteral("penguins.csv")),
                                       QStringLiteral("--target"), QStringLiteral("species"), QStringLiteral("--max-candidates"), QStringLiteral("2"),
                                       QStringLiteral("--algorithms"), QStringLiteral("xgboost,linear-learner"),
                                       QStringLiteral("--time-limit"), QStringLiteral("150"), QStringLiteral("--cpus"), QStringLiteral("2"),
                                       QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject o = r.json().object();
        const QString run = o.value(QStringLiteral("run")).toString();
        QCOMPARE(run.size(), 32);
        QCOMPARE(o.value(QStringLiteral("task")).toString(), QStringLiteral("multiclass"));
        QCOMPARE(o.value(QStringLiteral("metric")).toString(), QStringLiteral("accuracy"));
        QCOMPARE(o.value(QStringLiteral("validation")).toString(), QStringLiteral("k-fold"));
        const QJsonArray board = o.value(QStringLiteral("leaderboard")).toArray();
        QVERIFY(board.size() >= 2);
        QVERIFY(o.value(QStringLiteral("best")).toObject().value(QStringLiteral("objective")).toDouble() > 0.9);
        QVERIFY2(r.err.contains(QLatin1String("candidate ")), qPrintable(r.err));

        // Raw rows: an island never seen in training, a missing bill length, a missing sex.
        const QString rows = writeFile(m_dir.path(), QStringLiteral("rows.csv"),
                                   "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n"
                                   "Atlantis,39.1,18.7,181,3750,male,2007\n"
                                   "Biscoe,,14.5,215,5000,female,2008\n"
                                   "Dream,49.0,19.5,210,3950,,2009\n");
        const ProcessResult p = cairn({QStringLiteral("predict"), QStringLiteral("--model"), run, QStringLiteral("--input"), rows});
        QVERIFY2(p.exitCode == 0, qPrintable(p.err));
        const QStringList out = p.out.trimmed().split(QLatin1Char('\n'));
        QCOMPARE(out.size(), 4);
        QVERIFY2(out.first().startsWith(QLatin1String("prediction,probability_Adelie,probability_Chinstrap,probability_Gentoo")), qPrintable(out.first()));
        QVERIFY2(out.at(1).startsWith(QLatin1String("Adelie,")), qPrintable(out.at(1)));
        QVERIFY2(out.at(2).startsWith(QLatin1String("Gentoo,")), qPrintable(out.at(2)));
        QVERIFY2(out.at(3).startsWith(QLatin1String("Chinstrap,")), qPrintable(out.at(3)));

        // The table form prints the leaderboard and the hint.
        const ProcessResult t = cairn({QStringLiteral("automl"), QStringLiteral("--train"), sharedTable(QStringLiteral("iris.csv")),
                                       QStringLiteral("--target"), QStringLiteral("target"), QStringLiteral("--max-candidates"), QStringLiteral("1"),
                                       QStringLiteral("--algorithms"), QStringLiteral("xgboost"), QStringLiteral("--quiet")});
        QVERIFY2(t.exitCode == 0, qPrintable(t.err));
        QVERIFY2(t.out.contains(QLatin1String("RANK")) && t.out.contains(QLatin1String("ACCURACY (OBJECTIVE)")), qPrintable(t.out));
        QVERIFY2(t.out.contains(QLatin1String("cairn predict --model ")), qPrintable(t.out));
        QVERIFY2(t.err.isEmpty(), qPrintable(t.err));
    }

    void badInput()
    {
        const QString iris = sharedTable(QStringLiteral("iris.csv"));
        ProcessResult r = cairn({QStringLiteral("automl"), QStringLiteral("--train"), m_dir.filePath(QStringLiteral("missing.csv")), QStringLiteral("--target"), QStringLiteral("y")});
        QCOMPARE(r.exitCode, 3); // a missing input (docs/cli.md)
        QCOMPARE(lines(r.err), 1);
        QVERIFY2(r.err.contains(QLatin1String("does not exist")), qPrintable(r.err));

        r = cairn({QStringLiteral("automl"), QStringLiteral("--train"), iris});
        QCOMPARE(r.exitCode, 2);

        r = cairn({QStringLiteral("automl"), QStringLiteral("--train"), iris, QStringLiteral("--target"), QStringLiteral("colour"), QStringLiteral("-q")});
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(lines(r.err), 1);
        QVERIFY2(r.err.contains(QLatin1String("'colour'")) && r.err.contains(QLatin1String("petal_length_cm")), qPrintable(r.err));

        r = cairn({QStringLiteral("automl"), QStringLiteral("--train"), iris, QStringLiteral("--target"), QStringLiteral("target"), QStringLiteral("--metric"), QStringLiteral("r2"), QStringLiteral("-q")});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(lines(r.err), 1);
        QVERIFY2(r.err.contains(QLatin1String("r2")) && r.err.contains(QLatin1String("accuracy")), qPrintable(r.err));

        r = cairn({QStringLiteral("automl"), QStringLiteral("--train"), iris, QStringLiteral("--target"), QStringLiteral("target"), QStringLiteral("--metric"), QStringLiteral("goodness")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QLatin1String("unknown metric 'goodness'")), qPrintable(r.err));

        r = cairn({QStringLiteral("automl"), QStringLiteral("--train"), iris, QStringLiteral("--target"), QStringLiteral("target"), QStringLiteral("--problem-type"), QStringLiteral("ranking")});
        QCOMPARE(r.exitCode, 2);

        QByteArray one = "x,label\n";
        for (int i = 0; i < 40; ++i)
            one += QByteArray::number(i) + ",same\n";
        r = cairn({QStringLiteral("automl"), QStringLiteral("--train"), writeFile(m_dir.path(), QStringLiteral("one.csv"), one), QStringLiteral("--target"), QStringLiteral("label"), QStringLiteral("-q")});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(lines(r.err), 1);
        QVERIFY2(r.err.contains(QLatin1String("class")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(tst_AutoMLCli)
#include "tst_automlcli.moc"
