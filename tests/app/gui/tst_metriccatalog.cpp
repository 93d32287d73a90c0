// What the charts and tables know about metrics: which share a chart, in which unit, and which
// come first — with the metric names the bundled algorithms really log.
#include "metriccatalog.h"

#include <QtTest>

using namespace cairn::gui;
using Unit = MetricCatalog::Unit;

class TestMetricCatalog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cnnDefaultsToItsPerEpochLosses()
    {
        // The CNN logs its batch loss every few steps (one point on a small set), the epoch mean
        // and the validation metrics once per epoch.
        const QHash<QString, qint64> cnn = {{QStringLiteral("train.loss"), 1},         {QStringLiteral("train.epoch_loss"), 3},
                                            {QStringLiteral("validation.loss"), 3},    {QStringLiteral("validation.accuracy"), 3},
                                            {QStringLiteral("learning_rate"), 3},      {QStringLiteral("epoch_time_s"), 3}};
        QCOMPARE(MetricCatalog::unitOf(QStringLiteral("cnn"), QStringLiteral("train.loss")), Unit::Step);
        QCOMPARE(MetricCatalog::unitOf(QStringLiteral("cnn"), QStringLiteral("train.epoch_loss")), Unit::Epoch);
        QCOMPARE(MetricCatalog::quantityOf(QStringLiteral("train.epoch_loss")), QStringLiteral("loss"));
        const QList<MetricCatalog::Group> groups = MetricCatalog::groups(QStringLiteral("cnn"), cnn);
        QVERIFY(!groups.isEmpty());
        QCOMPARE(groups.first().quantity, QStringLiteral("loss"));
        QCOMPARE(groups.first().unit, Unit::Epoch);
        QCOMPARE(groups.first().keys, (QStringList{QStringLiteral("train.epoch_loss"), QStringLiteral("validation.loss")}));
        QCOMPARE(groups.first().title(), QStringLiteral("loss · per epoch"));
        // The per-step loss is a chart of its own, and not the first: it has one point.
        bool perStep = false;
        for (const MetricCatalog::Group &g : groups)
            perStep = perStep || (g.unit == Unit::Step && g.keys == QStringList{QStringLiteral("train.loss")});
        QVERIFY(perStep);
        QCOMPARE(MetricCatalog::defaultCompareMetric(QStringLiteral("cnn"), cnn), QStringLiteral("validation.loss"));
    }

    void perStepLossWinsWhenEpochsAreSinglePoints()
    {
        // One epoch: the epoch curves are single values, the batch loss is the only curve.
        const QHash<QString, qint64> oneEpoch = {{QStringLiteral("train.loss"), 40}, {QStringLiteral("train.epoch_loss"), 1},
                                                 {QStringLiteral("validation.loss"), 1}};
        QCOMPARE(MetricCatalog::defaultCurves(QStringLiteral("cnn"), oneEpoch), QStringList{QStringLiteral("train.loss")});
    }

    void xgboostDefaultsToLogLossPerRound()
    {
        const QHash<QString, qint64> xgb = {{QStringLiteral("train.log_loss"), 60},     {QStringLiteral("validation.log_loss"), 61},
                                            {QStringLiteral("train.auc"), 60},          {QStringLiteral("validation.auc"), 61},
                                            {QStringLiteral("validation.accuracy"), 1}, {QStringLiteral("importance.sex=male"), 1},
                                            {QStringLiteral("best_iteration"), 1}};
        const QList<MetricCatalog::Group> groups = MetricCatalog::groups(QStringLiteral("xgboost"), xgb);
        QCOMPARE(groups.first().title(), QStringLiteral("log_loss · per boosting round"));
        QCOMPARE(groups.first().keys, (QStringList{QStringLiteral("train.log_loss"), QStringLiteral("validation.log_loss")}));
        for (const MetricCatalog::Group &g : groups)
            for (const QString &k : g.keys)
                QVERIFY2(!k.startsWith(QLatin1String("importance.")) && k != QLatin1String("best_iteration"), qPrintable(k));
        QCOMPARE(MetricCatalog::defaultCompareMetric(QStringLiteral("xgboost"), xgb), QStringLiteral("validation.log_loss"));
    }

    void unknownAlgorithmsPairTrainAndValidation()
    {
        // What a notebook logs through the Python client.
        const QHash<QString, qint64> py = {{QStringLiteral("train_loss"), 120}, {QStringLiteral("val_loss"), 120},
                                           {QStringLiteral("val_accuracy"), 120}};
        QCOMPARE(MetricCatalog::defaultCurves(QString(), py), (QStringList{QStringLiteral("train_loss"), QStringLiteral("val_loss")}));
        QCOMPARE(MetricCatalog::defaultCompareMetric(QString(), py), QStringLiteral("val_loss"));
        QCOMPARE(MetricCatalog::unitOf(QString(), QStringLiteral("val_loss")), Unit::Step);
    }

    void automlAndTuningRunsCountCandidatesAndTrials()
    {
        QCOMPARE(MetricCatalog::unitOf(QString(), QStringLiteral("candidate.objective")), Unit::Candidate);
        QCOMPARE(MetricCatalog::unitOf(QString(), QStringLiteral("best_objective")), Unit::Trial);
        const QHash<QString, qint64> automl = {{QStringLiteral("candidate.objective"), 8}, {QStringLiteral("best.objective"), 8},
                                               {QStringLiteral("objective"), 1}};
        QCOMPARE(MetricCatalog::groups(QString(), automl).first().keys,
                 (QStringList{QStringLiteral("best.objective"), QStringLiteral("candidate.objective")}));
    }

    void tableRanksValidationMetricsFirst()
    {
        // In the alphabetical order the store gives, feature importance and training times came first.
        const QStringList keys = {QStringLiteral("importance.age"),      QStringLiteral("learning_rate"),   QStringLiteral("objective"),
                                  QStringLiteral("train.log_loss"),      QStringLiteral("train_seconds"),   QStringLiteral("validation.accuracy"),
                                  QStringLiteral("validation.log_loss"), QStringLiteral("validation.auc"), QStringLiteral("test.accuracy")};
        const QStringList ranked = MetricCatalog::rankForTable(keys);
        QCOMPARE(ranked.mid(0, 5), (QStringList{QStringLiteral("objective"), QStringLiteral("validation.accuracy"), QStringLiteral("validation.auc"),
                                                QStringLiteral("validation.log_loss"), QStringLiteral("test.accuracy")}));
        QCOMPARE(ranked.at(5), QStringLiteral("train.log_loss"));
        QVERIFY(ranked.indexOf(QStringLiteral("importance.age")) > ranked.indexOf(QStringLiteral("learning_rate")));
        QVERIFY(ranked.indexOf(QStringLiteral("train_seconds")) > ranked.indexOf(QStringLiteral("learning_rate")));
        QVERIFY(MetricCatalog::isSingleValue(QStringLiteral("importance.age")));
        QVERIFY(MetricCatalog::isSingleValue(QStringLiteral("train_seconds")));
    }
};

QTEST_GUILESS_MAIN(TestMetricCatalog)
#include "tst_metriccatalog.moc"
