#include "recordingcontext.h"

#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/data/csvreader.h"
#include "cairn/util/error.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;
using namespace cairn::test;

#define DATA CAIRN_SHARED_DATA_DIR "/tabular/"

class tst_XgboostPlugin : public QObject
{
    Q_OBJECT
    PluginManager m_plugins;
    QTemporaryDir m_dir;

    RecordingContext train(const QString &csv, const QString &target, const QJsonObject &hp, const QString &name)
    {
        RecordingContext ctx(tabularSpec(QStringLiteral("xgboost"), QStringLiteral(DATA) + csv, target, m_dir.filePath(name), hp));
        auto trainer = m_plugins.pluginFor(QStringLiteral("xgboost"))->createTrainer(QStringLiteral("xgboost"), ctx.spec());
        trainer->run(ctx);
        return ctx;
    }

private Q_SLOTS:
    void titanicBinary()
    {
        const RecordingContext ctx = train(QStringLiteral("titanic.csv"), QStringLiteral("survived"), {{QStringLiteral("num_round"), 60}, {QStringLiteral("eta"), 0.1}}, QStringLiteral("titanic"));
        QVERIFY2(ctx.last.value(QStringLiteral("validation.auc")) > 0.8, qPrintable(QString::number(ctx.last.value(QStringLiteral("validation.auc")))));
        QVERIFY(ctx.last.value(QStringLiteral("validation.accuracy")) > 0.75);
        QCOMPARE(ctx.steps.value(QStringLiteral("validation.logloss")).size(), 60); // a point per round
        QVERIFY(ctx.last.contains(QStringLiteral("validation.f1")));
        QVERIFY(ctx.last.contains(QStringLiteral("validation.balanced_accuracy")));
        QVERIFY(ctx.artifacts.contains(QStringLiteral("confusion_matrix.csv")));
        QVERIFY(ctx.artifacts.contains(QStringLiteral("feature_importance.csv")));
        QVERIFY(ctx.last.contains(QStringLiteral("importance.sex=female")) || ctx.last.contains(QStringLiteral("importance.sex=male")));
        QCOMPARE(ctx.lastProgress, 1.0);

        // The saved model predicts the same way from raw rows.
        const QString modelDir = m_dir.filePath(QStringLiteral("titanic/model"));
        const ModelCard card = ModelCard::load(modelDir);
        QCOMPARE(card.task, QStringLiteral("binary"));
        QCOMPARE(card.classes, QStringList({QStringLiteral("no"), QStringLiteral("yes")}));
        QVERIFY(QFile::exists(modelDir + QStringLiteral("/model.xgb.json")));
        auto predictor = m_plugins.plugin(card.plugin)->loadPredictor(card, modelDir);
        const data::Table table = data::CsvReader::read(QStringLiteral(DATA "titanic.csv"));
        PredictionInput in;
        in.table = &table;
        const Predictions p = predictor->predict(in);
        QCOMPARE(p.rows(), table.rowCount());
        QCOMPARE(p.probabilities.size(), size_t(table.rowCount()) * 2);
        int correct = 0;
        const data::Column &truth = table.column(QStringLiteral("survived"));
        for (qsizetype r = 0; r < table.rowCount(); ++r)
            correct += p.classes.at(p.labels[size_t(r)]) == truth.text(r) ? 1 : 0;
        QVERIFY(double(correct) / table.rowCount() > 0.78);
    }

    void penguinsMulticlassWithCategoricalAndEarlyStopping()
    {
        const RecordingContext ctx = train(QStringLiteral("penguins.csv"), QStringLiteral("species"),
                                           {{QStringLiteral("enable_categorical"), true}, {QStringLiteral("early_stopping_rounds"), 5},
                                            {QStringLiteral("num_round"), 200}},
                                           QStringLiteral("penguins"));
        QVERIFY(ctx.last.value(QStringLiteral("validation.accuracy")) > 0.9);
        QVERIFY(ctx.steps.value(QStringLiteral("validation.mlogloss")).size() < 200); // stopped early
        QVERIFY(ctx.last.contains(QStringLiteral("validation.f1_macro")));
        const ModelCard card = ModelCard::load(m_dir.filePath(QStringLiteral("penguins/model")));
        QCOMPARE(card.classes.size(), 3);
        QVERIFY(card.extra.value(QStringLiteral("categorical")).toBool());
    }

    void diamondsRegression()
    {
        const RecordingContext ctx = train(QStringLiteral("diamonds.csv"), QStringLiteral("price"), {{QStringLiteral("num_round"), 40}}, QStringLiteral("diamonds"));
        QVERIFY(ctx.last.value(QStringLiteral("validation.r2")) > 0.95);
        QVERIFY(ctx.last.value(QStringLiteral("validation.rmse")) < 800);
        QVERIFY(ctx.last.contains(QStringLiteral("validation.mae")));
        QVERIFY(ctx.last.contains(QStringLiteral("validation.mse")));
        QCOMPARE(ctx.params.value(QStringLiteral("task")), QStringLiteral("regression"));
    }

    void stopsWhenAskedAndKeepsTheModel()
    {
        RecordingContext ctx(tabularSpec(QStringLiteral("xgboost"), QStringLiteral(DATA "iris.csv"), QStringLiteral("target"),
                                         m_dir.filePath(QStringLiteral("stopped")), {{QStringLiteral("num_round"), 500}}));
        ctx.stopAfterMetrics(20);
        m_plugins.pluginFor(QStringLiteral("xgboost"))->createTrainer(QStringLiteral("xgboost"), ctx.spec())->run(ctx);
        QVERIFY(ctx.steps.value(QStringLiteral("train.mlogloss")).size() < 500);
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("stopped/model/model.json"))));
    }

    void badInputIsAnError()
    {
        auto errorOf = [&](const QString &csv, const QString &target, const QJsonObject &hp) {
            try {
                train(csv, target, hp, QStringLiteral("bad"));
            } catch (const Error &e) {
                return e.message();
            }
            return QString();
        };
        QVERIFY(errorOf(QStringLiteral("iris.csv"), QStringLiteral("nope"), {}).contains(QStringLiteral("no column 'nope'")));
        QVERIFY(errorOf(QStringLiteral("iris.csv"), QStringLiteral("target"), {{QStringLiteral("eta"), 5}}).contains(QStringLiteral("eta must be in")));
        QVERIFY(errorOf(QStringLiteral("iris.csv"), QStringLiteral("target"), {{QStringLiteral("num_class"), 7}}).contains(QStringLiteral("3 classes")));
        QVERIFY(errorOf(QStringLiteral("missing.csv"), QStringLiteral("target"), {}).contains(QStringLiteral("missing.csv")));
    }
};

QTEST_GUILESS_MAIN(tst_XgboostPlugin)
#include "tst_xgboostplugin.moc"
