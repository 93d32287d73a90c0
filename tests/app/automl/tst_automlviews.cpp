// The AutoML views name what they show: each leaderboard row names its candidate
// ("linear-learner-7"), so the members an ensemble lists can be found; counts use real plural
// forms in English and Chinese ("1 AutoML run.", not "1 AutoML run(s)."); statuses and dates
// follow the interface's language.
#include "../algorithmruns.h"

#include "automlpanel.h"
#include "leaderboardmodel.h"
#include "studioapp.h"
#include "studiocontext.h"

#include "cairn/automl/automljob.h"

#include <QApplication>
#include <QLabel>
#include <QTemporaryDir>
#include <QTranslator>
#include <QTreeWidget>
#include <QtTest>

using namespace cairn;
using namespace cairn::panels;

class TestAutoMLViews : public QObject
{
    Q_OBJECT

    static void useLanguage(const QString &language)
    {
        for (QTranslator *t : qApp->findChildren<QTranslator *>()) {
            QCoreApplication::removeTranslator(t);
            delete t;
        }
        studio::installTranslations(*qobject_cast<QApplication *>(QCoreApplication::instance()), language);
    }

private Q_SLOTS:
    void leaderboardNamesCandidates()
    {
        automl::Candidate linear;
        linear.index = 7;
        linear.algorithm = QStringLiteral("linear-learner");
        linear.state = QStringLiteral("finished");
        linear.objective = 0.81;
        linear.host = QStringLiteral("local");
        automl::Candidate xgb;
        xgb.index = 3;
        xgb.algorithm = QStringLiteral("xgboost");
        xgb.state = QStringLiteral("finished");
        xgb.objective = 0.84;
        xgb.host = QStringLiteral("gpu 1");
        automl::Candidate ensemble;
        ensemble.index = 9;
        ensemble.ensemble = true;
        ensemble.algorithm = QStringLiteral("ensemble");
        ensemble.state = QStringLiteral("finished");
        ensemble.objective = 0.86;
        ensemble.params = QJsonObject{{QStringLiteral("xgboost-3"), 0.6}, {QStringLiteral("linear-learner-7"), 0.4}};
        LeaderboardModel model;
        model.setCandidates({ensemble, xgb, linear}, QStringLiteral("accuracy"));
        QCOMPARE(model.headerData(LeaderboardModel::CandidateColumn, Qt::Horizontal).toString(), QStringLiteral("Candidate"));
        QCOMPARE(model.item(1, LeaderboardModel::CandidateColumn)->text(), QStringLiteral("xgboost-3"));
        QCOMPARE(model.item(2, LeaderboardModel::CandidateColumn)->text(), QStringLiteral("linear-learner-7"));
        QCOMPARE(model.item(0, LeaderboardModel::CandidateColumn)->text(), QStringLiteral("ensemble"));
        // Every member the ensemble names is a row of the leaderboard.
        const QString members = model.item(0, LeaderboardModel::AlgorithmColumn)->text();
        for (const QString &member : ensemble.params.keys()) {
            QVERIFY2(members.contains(member), qPrintable(members));
            QVERIFY(!model.findItems(member, Qt::MatchExactly, LeaderboardModel::CandidateColumn).isEmpty());
        }
        QCOMPARE(model.item(0, LeaderboardModel::ObjectiveColumn)->text(), QStringLiteral("0.86"));
        // Each candidate shows the host that trained it; the ensemble is built here from them.
        const int host = model.hostColumn();
        QCOMPARE(model.headerData(host, Qt::Horizontal).toString(), QStringLiteral("Host"));
        QCOMPARE(model.headerData(host + 1, Qt::Horizontal).toString(), QStringLiteral("State"));
        QCOMPARE(model.item(1, host)->text(), QStringLiteral("gpu 1"));
        QCOMPARE(model.item(2, host)->text(), QStringLiteral("local"));
        QCOMPARE(model.item(0, host)->text(), QString());
        QCOMPARE(model.columnCount(), host + 2);

        // A stack that did not beat the best candidate by more than the noise is listed, not ranked.
        automl::Candidate stack = ensemble;
        stack.index = 10;
        stack.algorithm = QStringLiteral("stack");
        stack.state = QStringLiteral("rejected");
        stack.message = QStringLiteral("the stack not used, xgboost-3 is kept");
        model.setCandidates({ensemble, xgb, linear, stack}, QStringLiteral("accuracy"));
        QCOMPARE(model.item(3, LeaderboardModel::CandidateColumn)->text(), QStringLiteral("stack"));
        QCOMPARE(model.item(3, LeaderboardModel::AlgorithmColumn)->text(), QStringLiteral("stack of linear-learner-7, xgboost-3"));
        QCOMPARE(model.item(3, host + 1)->text(), QStringLiteral("Not used"));
        QCOMPARE(model.item(3, LeaderboardModel::RankColumn)->text(), QString());
    }

    void pluralsAndDatesInBothLanguages()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        const qint64 experiment = context.store().createExperiment(QStringLiteral("automl"));
        const Run first = algorithmruns::automlRun(context.store(), experiment, QStringLiteral("titanic-automl"));

        useLanguage(QStringLiteral("en"));
        {
            AutoMLPanel panel(&context);
            auto *status = panel.findChild<QLabel *>(QStringLiteral("automlStatus"));
            QVERIFY(status);
            QCOMPARE(status->text(), QStringLiteral("1 AutoML run."));
            QTreeWidgetItem *row = panel.runsView()->topLevelItem(0);
            QCOMPARE(row->text(1), QStringLiteral("Finished"));
            QCOMPARE(row->text(2), QLocale().toString(QDateTime::fromMSecsSinceEpoch(first.startTime), QLocale::ShortFormat));
            algorithmruns::automlRun(context.store(), experiment, QStringLiteral("second"));
            context.notifyStoreChanged();
            QTRY_COMPARE(status->text(), QStringLiteral("2 AutoML runs."));
        }

        useLanguage(QStringLiteral("zh_CN"));
        {
            AutoMLPanel panel(&context);
            auto *status = panel.findChild<QLabel *>(QStringLiteral("automlStatus"));
            QCOMPARE(status->text(), QStringLiteral("2 个 AutoML 运行。"));
            const QList<QTreeWidgetItem *> rows = panel.runsView()->findItems(QStringLiteral("titanic-automl"), Qt::MatchExactly);
            QCOMPARE(rows.size(), 1);
            QTreeWidgetItem *row = rows.first();
            QCOMPARE(row->text(1), QStringLiteral("已完成"));
            // The date in the Chinese locale's format, e.g. 2026/12/7 09:30.
            const QDateTime started = QDateTime::fromMSecsSinceEpoch(first.startTime);
            QCOMPARE(row->text(2), QLocale(QStringLiteral("zh_CN")).toString(started, QLocale::ShortFormat));
            QVERIFY(row->text(2) != QLocale(QStringLiteral("en_US")).toString(started, QLocale::ShortFormat));
            LeaderboardModel model;
            model.setCandidates({}, QStringLiteral("accuracy"));
            QCOMPARE(model.headerData(model.hostColumn(), Qt::Horizontal).toString(), QStringLiteral("主机"));
            QCOMPARE(LeaderboardModel::stateText(QStringLiteral("rejected")), QStringLiteral("未采用"));
            automl::Candidate stack;
            stack.ensemble = true;
            stack.algorithm = QStringLiteral("stack");
            stack.params = QJsonObject{{QStringLiteral("xgboost-3"), 1.2}};
            QCOMPARE(LeaderboardModel::algorithmText(stack), QStringLiteral("xgboost-3 的堆叠"));
        }
        useLanguage(QStringLiteral("en"));
    }
};

QTEST_MAIN(TestAutoMLViews)
#include "tst_automlviews.moc"
