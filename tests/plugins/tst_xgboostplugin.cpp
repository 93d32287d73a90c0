#include "recordingcontext.h"

#include "cairn/algorithms/explain.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/data/csvreader.h"
#include "cairn/data/featureencoder.h"
#include "cairn/util/error.h"

#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

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
        // A point per round under our own name, then the final score of the kept model.
        QCOMPARE(ctx.steps.value(QStringLiteral("validation.log_loss")).size(), 61);
        QCOMPARE(ctx.steps.value(QStringLiteral("train.log_loss")).size(), 60);
        QVERIFY(!ctx.steps.contains(QStringLiteral("validation.logloss"))); // one name per quantity
        QVERIFY(!ctx.steps.contains(QStringLiteral("train.logloss")));
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

    void titanicWithPreprocessing()
    {
        // Native categories (codes), the passenger's name as text features, imputed ages.
        JobSpec spec = tabularSpec(QStringLiteral("xgboost"), QStringLiteral(DATA "titanic.csv"), QStringLiteral("survived"), m_dir.filePath(QStringLiteral("titanic-pp")),
                                   {{QStringLiteral("num_round"), 60}, {QStringLiteral("eta"), 0.1}, {QStringLiteral("enable_categorical"), true}});
        spec.preprocessing = QJsonObject{{QStringLiteral("categoricalEncoding"), QStringLiteral("auto")}, {QStringLiteral("datetimeParts"), true},
                                         {QStringLiteral("textFeatures"), true}, {QStringLiteral("impute"), true}};
        RecordingContext ctx(spec);
        m_plugins.pluginFor(QStringLiteral("xgboost"))->createTrainer(QStringLiteral("xgboost"), ctx.spec())->run(ctx);
        QVERIFY2(ctx.last.value(QStringLiteral("validation.auc")) > 0.8, qPrintable(QString::number(ctx.last.value(QStringLiteral("validation.auc")))));
        QVERIFY(ctx.last.value(QStringLiteral("validation.accuracy")) > 0.75);
        QVERIFY(!ctx.logs.filter(QStringLiteral("preprocessing: category codes (categories): sex (2), passengerClass (3)")).isEmpty());
        QVERIFY(!ctx.logs.filter(QStringLiteral("preprocessing: text features: name (length, words, ")).isEmpty());
        const QString modelDir = m_dir.filePath(QStringLiteral("titanic-pp/model"));
        const ModelCard card = ModelCard::load(modelDir);
        const QJsonArray names = card.preprocessing.value(QStringLiteral("encoder")).toObject().value(QStringLiteral("featureNames")).toArray();
        QVERIFY(names.contains(QStringLiteral("name:word=mr")));
        QVERIFY(names.contains(QStringLiteral("age_missing")));
        // Raw rows with an unseen class, a missing sex and age, and a name without known words.
        const data::Table rows = data::CsvReader::parse("name,sex,age,passengerClass\n\"Doe, Mr. John\",male,30,1st\n\"Xu, Zed\",,,4th\n", QStringLiteral("new.csv"));
        PredictionInput in;
        in.table = &rows;
        const Predictions p = m_plugins.plugin(card.plugin)->loadPredictor(card, modelDir)->predict(in);
        QCOMPARE(p.rows(), 2);
        for (double v : p.probabilities)
            QVERIFY(v >= 0 && v <= 1);
    }

    void penguinsMulticlassWithCategoricalAndEarlyStopping()
    {
        const RecordingContext ctx = train(QStringLiteral("penguins.csv"), QStringLiteral("species"),
                                           {{QStringLiteral("enable_categorical"), true}, {QStringLiteral("early_stopping_rounds"), 5},
                                            {QStringLiteral("num_round"), 200}},
                                           QStringLiteral("penguins"));
        QVERIFY(ctx.last.value(QStringLiteral("validation.accuracy")) > 0.9);
        QVERIFY(ctx.steps.value(QStringLiteral("validation.log_loss")).size() < 200); // stopped early
        QVERIFY(ctx.steps.contains(QStringLiteral("validation.error"))); // XGBoost's merror, under our name
        QVERIFY(!ctx.steps.contains(QStringLiteral("validation.mlogloss")));
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

    /// Uses the models the tests above saved.
    void shapContributionsAddUpToThePrediction()
    {
        auto load = [&](const QString &name) {
            const QString dir = m_dir.filePath(name + QStringLiteral("/model"));
            const ModelCard card = ModelCard::load(dir);
            return std::make_pair(card, m_plugins.plugin(card.plugin)->loadPredictor(card, dir));
        };
        {
            // Binary: base + Σ contributions = the log-odds of the positive class.
            auto [card, predictor] = load(QStringLiteral("titanic"));
            const data::Table table = data::CsvReader::read(QStringLiteral(DATA "titanic.csv"));
            const Contributions c = explainRows(*predictor, card, table);
            QCOMPARE(c.method, QStringLiteral("shap"));
            QCOMPARE(c.output, QStringLiteral("margin"));
            QCOMPARE(c.target, QStringLiteral("yes"));
            QCOMPARE(c.features, QStringList({QStringLiteral("sex"), QStringLiteral("age"), QStringLiteral("passengerClass")}));
            QCOMPARE(c.rows(), table.rowCount());
            PredictionInput in;
            in.table = &table;
            const Predictions p = predictor->predict(in);
            for (qsizetype r = 0; r < table.rowCount(); ++r) {
                double margin = c.base[size_t(r)];
                for (qsizetype j = 0; j < c.features.size(); ++j)
                    margin += c.value(r, j);
                const double probability = 1 / (1 + std::exp(-margin));
                QVERIFY2(std::abs(probability - p.probabilities[size_t(r) * 2 + 1]) < 1e-5, qPrintable(QString::number(r)));
            }
            // Sex moves predictions most, both by SHAP and by permutation.
            QCOMPARE(shapImportance(c).first().feature, QStringLiteral("sex"));
            const QList<FeatureImportance> imp = permutationImportance(*predictor, card, table, QStringLiteral("accuracy"), 3, 1);
            QCOMPARE(imp.size(), 3);
            QVERIFY(imp.first().feature == QLatin1String("sex") || imp.at(1).feature == QLatin1String("sex"));
            for (const FeatureImportance &f : imp)
                if (f.feature == QLatin1String("sex"))
                    QVERIFY2(f.importance > 0.1, qPrintable(QString::number(f.importance)));
        }
        {
            // A pipeline of many features per column (text tokens, missing indicators, category
            // codes): still one contribution per input column, and they add up.
            JobSpec spec = tabularSpec(QStringLiteral("xgboost"), QStringLiteral(DATA "titanic.csv"), QStringLiteral("survived"), m_dir.filePath(QStringLiteral("titanic-explain")),
                                       {{QStringLiteral("num_round"), 30}, {QStringLiteral("enable_categorical"), true}});
            spec.preprocessing = QJsonObject{{QStringLiteral("categoricalEncoding"), QStringLiteral("auto")}, {QStringLiteral("textFeatures"), true},
                                             {QStringLiteral("impute"), true}};
            RecordingContext ctx(spec);
            m_plugins.pluginFor(QStringLiteral("xgboost"))->createTrainer(QStringLiteral("xgboost"), ctx.spec())->run(ctx);
            auto [card, predictor] = load(QStringLiteral("titanic-explain"));
            QVERIFY(data::FeatureEncoder::fromJson(card.preprocessing.value(QStringLiteral("encoder")).toObject()).width() > 10);
            const data::Table table = data::CsvReader::read(QStringLiteral(DATA "titanic.csv"));
            const Contributions c = explainRows(*predictor, card, table);
            QCOMPARE(c.method, QStringLiteral("shap"));
            QVERIFY(c.features.contains(QStringLiteral("name")));
            QVERIFY(c.features.contains(QStringLiteral("age")));
            QCOMPARE(c.features.size(), QSet<QString>(c.features.begin(), c.features.end()).size());
            PredictionInput in;
            in.table = &table;
            const Predictions p = predictor->predict(in);
            for (qsizetype r = 0; r < table.rowCount(); ++r) {
                double margin = c.base[size_t(r)];
                for (qsizetype j = 0; j < c.features.size(); ++j)
                    margin += c.value(r, j);
                QVERIFY2(std::abs(1 / (1 + std::exp(-margin)) - p.probabilities[size_t(r) * 2 + 1]) < 1e-5, qPrintable(QString::number(r)));
            }
        }
        {
            // Regression: base + Σ contributions = the value.
            auto [card, predictor] = load(QStringLiteral("diamonds"));
            std::vector<qsizetype> first;
            for (qsizetype r = 0; r < 2000; ++r)
                first.push_back(r * 25);
            const data::Table table = data::CsvReader::read(QStringLiteral(DATA "diamonds.csv")).select(first);
            const Contributions c = explainRows(*predictor, card, table);
            QVERIFY(c.rowClasses.empty());
            QVERIFY(c.target.isEmpty());
            PredictionInput in;
            in.table = &table;
            const Predictions p = predictor->predict(in);
            for (qsizetype r = 0; r < table.rowCount(); ++r) {
                double value = c.base[size_t(r)];
                for (qsizetype j = 0; j < c.features.size(); ++j)
                    value += c.value(r, j);
                QVERIFY2(std::abs(value - p.values[size_t(r)]) < 1e-2 + 1e-5 * std::abs(p.values[size_t(r)]), qPrintable(QString::number(r)));
            }
            QCOMPARE(c.features.size(), 9);
        }
        {
            // Multiclass with categorical splits: each row explains its predicted class.
            auto [card, predictor] = load(QStringLiteral("penguins"));
            const data::Table table = data::CsvReader::read(QStringLiteral(DATA "penguins.csv"));
            const Contributions c = explainRows(*predictor, card, table);
            PredictionInput in;
            in.table = &table;
            const Predictions p = predictor->predict(in);
            QCOMPARE(c.rowClasses, p.labels);
            QVERIFY(c.target.isEmpty());
            QVERIFY(c.features.contains(QStringLiteral("island")));
            for (double v : c.values)
                QVERIFY(std::isfinite(v));
        }
    }

    void stopsWhenAskedAndKeepsTheModel()
    {
        RecordingContext ctx(tabularSpec(QStringLiteral("xgboost"), QStringLiteral(DATA "iris.csv"), QStringLiteral("target"),
                                         m_dir.filePath(QStringLiteral("stopped")), {{QStringLiteral("num_round"), 500}}));
        ctx.stopAfterMetrics(20);
        m_plugins.pluginFor(QStringLiteral("xgboost"))->createTrainer(QStringLiteral("xgboost"), ctx.spec())->run(ctx);
        QVERIFY(ctx.steps.value(QStringLiteral("train.log_loss")).size() < 500);
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
