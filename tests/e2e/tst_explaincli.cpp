// `cairn predict --explain` and `--importance` end to end: train a small XGBoost model with
// `cairn train`, then explain its predictions on raw rows.
#include "clirunner.h"

#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cairn;

class tst_ExplainCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QString m_run;

    ProcessResult cairn(const QStringList &args, int timeoutMs = 120000) { return cairnInWorkspace(m_ws, args, timeoutMs); }

    static QString titanic() { return QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/titanic.csv"); }

    QStringList linesOf(const QString &path)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        const ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), titanic(),
                                QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"), QStringLiteral("num_round=15"),
                                QStringLiteral("--experiment"), QStringLiteral("explain")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        Workspace ws(m_ws);
        RunQuery q;
        q.experimentIds = {ws.store().experimentByName(QStringLiteral("explain")).id};
        const QList<Run> runs = ws.store().searchRuns(q);
        QCOMPARE(runs.size(), 1);
        m_run = runs.first().uuid;
    }

    void explainAddsContributionsThatSumToThePrediction()
    {
        const QString out = m_dir.filePath(QStringLiteral("explained.csv"));
        const ProcessResult r = cairn({QStringLiteral("predict"), QStringLiteral("--model"), m_run, QStringLiteral("--input"), titanic(),
                                QStringLiteral("--output"), out, QStringLiteral("--explain")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("SHAP")), qPrintable(r.err));
        const QStringList lines = linesOf(out);
        QCOMPARE(lines.size(), 1310);
        QCOMPARE(lines.first(), QStringLiteral("prediction,probability_no,probability_yes,contribution_sex,contribution_age,"
                                               "contribution_passengerClass,contribution_base"));
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QStringList f = lines.at(i).split(QLatin1Char(','));
            QCOMPARE(f.size(), 7);
            double margin = 0;
            for (int j = 3; j < 7; ++j)
                margin += f.at(j).toDouble();
            // SHAP values are in log-odds: base + Σ = logit(P(yes)).
            const double probability = 1 / (1 + std::exp(-margin));
            QVERIFY2(std::abs(probability - f.at(2).toDouble()) < 1e-4, qPrintable(lines.at(i)));
        }
    }

    void importanceRanksSexFirst()
    {
        const QString imp = m_dir.filePath(QStringLiteral("importance.csv"));
        const ProcessResult r = cairn({QStringLiteral("predict"), QStringLiteral("--model"), m_run, QStringLiteral("--input"), titanic(),
                                QStringLiteral("--output"), m_dir.filePath(QStringLiteral("p.csv")), QStringLiteral("--importance"), imp,
                                QStringLiteral("--metric"), QStringLiteral("log_loss")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = linesOf(imp);
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines.first(), QStringLiteral("feature,importance,stddev"));
        QVERIFY2(lines.at(1).startsWith(QStringLiteral("sex,")), qPrintable(lines.join(QLatin1Char('\n'))));
        QVERIFY(lines.at(1).section(QLatin1Char(','), 1, 1).toDouble() > 0);
    }

    void reportsMistakes()
    {
        // Not a CSV: an image folder.
        ProcessResult r = cairn({QStringLiteral("predict"), QStringLiteral("--model"), m_run, QStringLiteral("--input"), m_dir.path(), QStringLiteral("--explain")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("CSV input only")), qPrintable(r.err));
        r = cairn({QStringLiteral("predict"), QStringLiteral("--model"), m_run, QStringLiteral("--input"), titanic(), QStringLiteral("--metric"), QStringLiteral("auc")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--importance")), qPrintable(r.err));
        r = cairn({QStringLiteral("predict"), QStringLiteral("--model"), m_run, QStringLiteral("--input"), titanic(),
                   QStringLiteral("--importance"), m_dir.filePath(QStringLiteral("i.csv")), QStringLiteral("--metric"), QStringLiteral("r2")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("unknown metric 'r2'")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(tst_ExplainCli)
#include "tst_explaincli.moc"
