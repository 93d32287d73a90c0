#include "recordingcontext.h"

#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/data/csvreader.h"
#include "cairn/util/error.h"

#include <QTemporaryDir>
#include <QTest>

using namespace cairn;
using namespace cairn::test;

class tst_ClassicPlugin : public QObject
{
    Q_OBJECT
    PluginManager m_plugins;
    QTemporaryDir m_dir;

private Q_SLOTS:
    void kmeansOnIris()
    {
        RecordingContext ctx(tabularSpec(QStringLiteral("kmeans"), QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/iris.csv"), QStringLiteral("target"),
                                         m_dir.filePath(QStringLiteral("iris")), {{QStringLiteral("k"), 3}}));
        m_plugins.pluginFor(QStringLiteral("kmeans"))->createTrainer(QStringLiteral("kmeans"), ctx.spec())->run(ctx);
        QVERIFY2(ctx.last.value(QStringLiteral("train.purity")) > 0.8, qPrintable(QString::number(ctx.last.value(QStringLiteral("train.purity")))));
        const QList<qint64> steps = ctx.steps.value(QStringLiteral("train.inertia"));
        QVERIFY(steps.size() >= 2);
        QVERIFY(ctx.artifacts.contains(QStringLiteral("clusters.csv")));
        // Inertia never rises under Lloyd's algorithm (beyond float rounding of the centers).
        const QList<double> inertia = ctx.values.value(QStringLiteral("train.inertia"));
        QCOMPARE(inertia.size(), steps.size());
        for (qsizetype i = 1; i < inertia.size(); ++i)
            QVERIFY2(inertia.at(i) <= inertia.at(i - 1) * (1 + 1e-6),
                     qPrintable(QStringLiteral("step %1: %2 after %3").arg(steps.at(i)).arg(inertia.at(i), 0, 'g', 17).arg(inertia.at(i - 1), 0, 'g', 17)));
        QVERIFY(inertia.last() < inertia.first());
        const ModelCard card = ModelCard::load(m_dir.filePath(QStringLiteral("iris/model")));
        QCOMPARE(card.task, QStringLiteral("clustering"));
        auto predictor = m_plugins.plugin(card.plugin)->loadPredictor(card, m_dir.filePath(QStringLiteral("iris/model")));
        const data::Table table = data::CsvReader::read(QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/iris.csv"));
        PredictionInput in;
        in.table = &table;
        const Predictions p = predictor->predict(in);
        QCOMPARE(p.rows(), 150);
        QSet<int> used(p.labels.begin(), p.labels.end());
        QCOMPARE(used.size(), 3);
        // The first 50 rows (setosa) share one cluster.
        QSet<int> setosa(p.labels.begin(), p.labels.begin() + 50);
        QCOMPARE(setosa.size(), 1);
    }

    void kmeansOnFashionMnistIdx()
    {
        JobSpec s;
        s.algorithm = QStringLiteral("kmeans");
        s.hyperparameters = {{QStringLiteral("k"), 10}, {QStringLiteral("max_rows"), 3000}, {QStringLiteral("max_iter"), 30}};
        data::ChannelSpec train;
        train.type = data::ChannelSpec::Type::Idx;
        train.path = QStringLiteral(CAIRN_SHARED_DATA_DIR "/fashion-mnist/t10k-images-idx3-ubyte.gz");
        train.labelsPath = QStringLiteral(CAIRN_SHARED_DATA_DIR "/fashion-mnist/t10k-labels-idx1-ubyte.gz");
        s.channels.insert(QStringLiteral("train"), train);
        s.outputDir = m_dir.filePath(QStringLiteral("fmnist"));
        RecordingContext ctx(s);
        m_plugins.pluginFor(QStringLiteral("kmeans"))->createTrainer(QStringLiteral("kmeans"), s)->run(ctx);
        // k-means on raw Fashion-MNIST pixels reaches about 0.5-0.6 purity; chance is 0.1.
        QVERIFY2(ctx.last.value(QStringLiteral("validation.purity")) > 0.4, qPrintable(QString::number(ctx.last.value(QStringLiteral("validation.purity")))));
        const ModelCard card = ModelCard::load(m_dir.filePath(QStringLiteral("fmnist/model")));
        QCOMPARE(card.extra.value(QStringLiteral("clusterLabels")).toArray().size(), 10);
    }

    void rejectsMoreClustersThanRows()
    {
        RecordingContext ctx(tabularSpec(QStringLiteral("kmeans"), QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/iris.csv"), QString(),
                                         m_dir.filePath(QStringLiteral("toomany")), {{QStringLiteral("k"), 500}}));
        QString message;
        try {
            m_plugins.pluginFor(QStringLiteral("kmeans"))->createTrainer(QStringLiteral("kmeans"), ctx.spec())->run(ctx);
        } catch (const Error &e) {
            message = e.message();
        }
        QVERIFY2(message.contains(QStringLiteral("k is 500")), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(tst_ClassicPlugin)
#include "tst_classicplugin.moc"
