#include "recordingcontext.h"

#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/data/csvreader.h"
#include "cairn/util/error.h"

#include <QFile>
#include <QTemporaryDir>

#include <cmath>
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

    void knnRegressionWithMissingValues()
    {
        // y = 3a + b; every fifth b is missing (median + indicator), c is a category.
        const QString csv = m_dir.filePath(QStringLiteral("knn.csv"));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QByteArray text = "a,b,c,y\n";
        for (int i = 0; i < 300; ++i) {
            const double a = (i * 37 % 100) / 10.0, b = (i * 11 % 50) / 10.0;
            text += QByteArray::number(a) + ',' + (i % 5 == 0 ? QByteArray() : QByteArray::number(b)) + ',' + (i % 2 ? "x" : "y") + ','
                    + QByteArray::number(3 * a + (i % 5 == 0 ? 2.5 : b)) + '\n';
        }
        f.write(text);
        f.close();
        RecordingContext ctx(tabularSpec(QStringLiteral("knn"), csv, QStringLiteral("y"), m_dir.filePath(QStringLiteral("knn")),
                                         {{QStringLiteral("k"), 1}}));
        m_plugins.pluginFor(QStringLiteral("knn"))->createTrainer(QStringLiteral("knn"), ctx.spec())->run(ctx);
        QVERIFY2(ctx.last.value(QStringLiteral("validation.r2")) > 0.9, qPrintable(QString::number(ctx.last.value(QStringLiteral("validation.r2")))));
        const ModelCard card = ModelCard::load(m_dir.filePath(QStringLiteral("knn/model")));
        QCOMPARE(card.algorithm, QStringLiteral("knn"));
        auto predictor = m_plugins.plugin(card.plugin)->loadPredictor(card, m_dir.filePath(QStringLiteral("knn/model")));
        // Raw rows, with a missing number and an unseen category.
        const QString rows = m_dir.filePath(QStringLiteral("knn-rows.csv"));
        QFile r(rows);
        QVERIFY(r.open(QIODevice::WriteOnly));
        r.write("a,b,c\n3.7,1.1,x\n5,,z\n"); // the first is row 1 of the table: y = 12.2
        r.close();
        const data::Table table = data::CsvReader::read(rows);
        PredictionInput in;
        in.table = &table;
        const Predictions p = predictor->predict(in);
        QCOMPARE(p.rows(), 2);
        QVERIFY2(std::abs(p.values[0] - 12.2) < 3, qPrintable(QString::number(p.values[0])));
        QVERIFY(std::isfinite(p.values[1]));
        // A damaged model file is refused with its name.
        QFile bin(m_dir.filePath(QStringLiteral("knn/model/knn.bin")));
        QVERIFY(bin.open(QIODevice::ReadWrite));
        bin.resize(bin.size() / 2);
        bin.close();
        try {
            m_plugins.plugin(card.plugin)->loadPredictor(card, m_dir.filePath(QStringLiteral("knn/model")));
            QFAIL("a truncated model loaded");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("knn.bin")), qPrintable(e.message()));
        }
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
