// The plugin API: parameter schemas, metrics, model cards, tensor statistics, plugin discovery.
#include "cairn/algorithms/metrics.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/parameterschema.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/util/error.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cairn;

namespace {
ParameterSchema sample()
{
    return ParameterSchema({Parameter::integer(QStringLiteral("rounds"), 10, 1, 100, QStringLiteral("r")),
                            Parameter::real(QStringLiteral("eta"), 0.3, 0.001, 1, QStringLiteral("e"), true),
                            Parameter::boolean(QStringLiteral("flag"), false, QStringLiteral("f")),
                            Parameter::choice(QStringLiteral("mode"), QStringLiteral("a"), {QStringLiteral("a"), QStringLiteral("b")}, QStringLiteral("m"))});
}
QString errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const Error &e) {
        return e.message();
    }
    return {};
}
} // namespace

class tst_AlgorithmsApi : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void schemaResolvesDefaultsAndValidates()
    {
        const ParameterSchema s = sample();
        const QJsonObject r = s.resolve(QJsonObject{{QStringLiteral("eta"), 0.1}});
        QCOMPARE(r.value(QStringLiteral("rounds")).toInt(), 10);
        QCOMPARE(r.value(QStringLiteral("eta")).toDouble(), 0.1);
        QCOMPARE(r.value(QStringLiteral("mode")).toString(), QStringLiteral("a"));
        // Text values (hand-written specs) are parsed by type.
        QCOMPARE(s.resolve(QJsonObject{{QStringLiteral("rounds"), QStringLiteral("20")}}).value(QStringLiteral("rounds")).toInt(), 20);
        const QString e = errorOf([&] {
            s.resolve(QJsonObject{{QStringLiteral("rounds"), 0}, {QStringLiteral("nope"), 1}, {QStringLiteral("mode"), QStringLiteral("c")}});
        });
        QVERIFY2(e.contains(QStringLiteral("rounds must be in [1, 100]")), qPrintable(e));
        QVERIFY2(e.contains(QStringLiteral("unknown hyperparameter 'nope'")), qPrintable(e));
        QVERIFY2(e.contains(QStringLiteral("mode must be one of a, b")), qPrintable(e));
        QVERIFY(!errorOf([&] { s.resolve(QJsonObject{{QStringLiteral("rounds"), 2.5}}); }).isEmpty());
    }

    void schemaParsesAssignments()
    {
        const ParameterSchema s = sample();
        const QJsonObject r = s.parseAssignments({QStringLiteral("rounds=5"), QStringLiteral("flag=true"), QStringLiteral("mode=b")});
        QCOMPARE(r.value(QStringLiteral("rounds")).toDouble(), 5.0);
        QCOMPARE(r.value(QStringLiteral("flag")).toBool(), true);
        QVERIFY(errorOf([&] { s.parseAssignments({QStringLiteral("rounds=five")}); }).contains(QStringLiteral("not a valid whole number")));
        QVERIFY(errorOf([&] { s.parseAssignments({QStringLiteral("rounds")}); }).contains(QStringLiteral("not key=value")));
        QVERIFY(errorOf([&] { s.parseAssignments({QStringLiteral("flag=maybe")}); }).contains(QStringLiteral("true/false")));
        // The schema survives JSON (what forms and the tuner receive).
        const ParameterSchema back = ParameterSchema::fromJson(s.toJson());
        QCOMPARE(back.parameters().size(), 4);
        QVERIFY(back.find(QStringLiteral("eta"))->logScale);
        QCOMPARE(*back.find(QStringLiteral("rounds"))->max, 100.0);
    }

    void binaryMetrics()
    {
        // sklearn: roc_auc_score([0,0,1,1],[0.1,0.4,0.35,0.8]) == 0.75
        const std::vector<int> truth{0, 0, 1, 1};
        const std::vector<float> probs{0.9f, 0.1f, 0.6f, 0.4f, 0.65f, 0.35f, 0.2f, 0.8f};
        const ClassificationMetrics m = classificationMetrics(truth, probs, 2);
        QCOMPARE(m.auc, 0.75);
        QCOMPARE(m.accuracy, 0.75);
        QCOMPARE(m.precision, 1.0);
        QCOMPARE(m.recall, 0.5);
        QVERIFY(std::abs(m.f1 - 2.0 / 3.0) < 1e-12);
        QVERIFY(std::abs(m.logLoss - 0.4722875) < 1e-6);
        QCOMPARE(m.confusion[1][0], 1);
        QCOMPARE(m.balancedAccuracy, 0.75);
        QCOMPARE(confusionMatrixCsv(m, {QStringLiteral("no"), QStringLiteral("yes")}),
                 QStringLiteral("truth\\predicted,no,yes\nno,2,0\nyes,1,1\n"));
    }

    void multiclassAndRegressionMetrics()
    {
        const std::vector<int> truth{0, 1, 2, 2};
        const std::vector<float> probs{1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1};
        const ClassificationMetrics m = classificationMetrics(truth, probs, 3);
        QCOMPARE(m.accuracy, 0.75);
        QCOMPARE(m.balancedAccuracy, (1.0 + 1.0 + 0.5) / 3.0);
        QVERIFY(std::abs(m.f1Macro - (1.0 + 2.0 / 3.0 + 2.0 / 3.0) / 3.0) < 1e-12);
        // sklearn: r2_score([3,-0.5,2,7],[2.5,0,2,8]) == 0.948608...
        const RegressionMetrics r = regressionMetrics({3, -0.5, 2, 7}, {2.5, 0, 2, 8});
        QCOMPARE(r.mse, 0.375);
        QCOMPARE(r.mae, 0.5);
        QVERIFY(std::abs(r.r2 - 0.9486081370449679) < 1e-12);
        QVERIFY(std::isnan(rocAuc({1, 1}, {0.2, 0.3})));
    }

    void tensorStats()
    {
        const float data[] = {0, 1, 2, 3, NAN, INFINITY};
        const TensorStats s = TensorStats::of(QStringLiteral("w"), 3, data, 6, 3);
        QCOMPARE(s.nanCount, 1);
        QCOMPARE(s.infCount, 1);
        QCOMPARE(s.min, 0.0);
        QCOMPARE(s.max, 3.0);
        QCOMPARE(s.mean, 1.5);
        QCOMPARE(s.counts, (std::vector<qint64>{1, 1, 2}));
    }

    void modelCardRoundTrip()
    {
        QTemporaryDir dir;
        ModelCard c;
        c.algorithm = QStringLiteral("xgboost");
        c.plugin = QStringLiteral("xgboost");
        c.task = QStringLiteral("binary");
        c.classes = {QStringLiteral("no"), QStringLiteral("yes")};
        c.files = QJsonObject{{QStringLiteral("booster"), QStringLiteral("m.json")}};
        c.save(dir.path());
        const ModelCard back = ModelCard::load(dir.path());
        QCOMPARE(back.classes, c.classes);
        QCOMPARE(back.files, c.files);
        QVERIFY(errorOf([&] { ModelCard::load(dir.filePath(QStringLiteral("nothing"))); }).contains(QStringLiteral("no model card")));
        QJsonObject future = c.toJson();
        future.insert(QStringLiteral("formatVersion"), 99);
        QVERIFY(errorOf([&] { ModelCard::fromJson(future, QStringLiteral("x")); }).contains(QStringLiteral("newer Cairn")));
    }

    void pluginManagerFindsBuildTreePlugins()
    {
        PluginManager plugins;
        QStringList ids;
        for (const QJsonObject &o : plugins.algorithmMetadata())
            ids << o.value(QStringLiteral("id")).toString();
        QVERIFY2(ids.contains(QStringLiteral("xgboost")), qPrintable(ids.join(QLatin1Char(','))));
        const AlgorithmInfo info = plugins.algorithm(QStringLiteral("xgboost"));
        QVERIFY(info.schema.find(QStringLiteral("num_round")));
        QVERIFY(info.tasks.contains(Task::Binary));
        QVERIFY(errorOf([&] { plugins.pluginFor(QStringLiteral("no-such")); }).contains(QStringLiteral("unknown algorithm 'no-such'")));
        // Two managers are independent objects; an empty search path finds nothing.
        PluginManager none(QStringList{QStringLiteral("/nonexistent")});
        QVERIFY(none.algorithmMetadata().isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_AlgorithmsApi)
#include "tst_algorithmsapi.moc"
