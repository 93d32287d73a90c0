#include "recordingcontext.h"

#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/data/csvreader.h"
#include "cairn/data/imagefolder.h"
#include "cairn/util/error.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;
using namespace cairn::test;

#define DATA CAIRN_SHARED_DATA_DIR "/tabular/"

class tst_TorchPlugin : public QObject
{
    Q_OBJECT
    PluginManager m_plugins;
    QTemporaryDir m_dir;

    void run(RecordingContext &ctx)
    {
        m_plugins.pluginFor(ctx.spec().algorithm)->createTrainer(ctx.spec().algorithm, ctx.spec())->run(ctx);
    }

    /// The CNN on the first `images` Fashion-MNIST test images (IDX), 2 threads.
    JobSpec fashionMnistCnn(const QString &outputDir, int epochs, int images, int conv1, int conv2)
    {
        JobSpec s;
        s.algorithm = QStringLiteral("cnn");
        s.hyperparameters = {{QStringLiteral("epochs"), epochs}, {QStringLiteral("max_train_images"), images},
                             {QStringLiteral("conv1_channels"), conv1}, {QStringLiteral("conv2_channels"), conv2}};
        data::ChannelSpec train;
        train.type = data::ChannelSpec::Type::Idx;
        train.path = QStringLiteral(CAIRN_SHARED_DATA_DIR "/fashion-mnist/t10k-images-idx3-ubyte.gz");
        train.labelsPath = QStringLiteral(CAIRN_SHARED_DATA_DIR "/fashion-mnist/t10k-labels-idx1-ubyte.gz");
        s.channels.insert(QStringLiteral("train"), train);
        s.outputDir = m_dir.filePath(outputDir);
        s.resources.cpus = 2;
        return s;
    }

    Predictions predict(const QString &modelDir, const PredictionInput &in)
    {
        const ModelCard card = ModelCard::load(modelDir);
        return m_plugins.plugin(card.plugin)->loadPredictor(card, modelDir)->predict(in);
    }

private Q_SLOTS:
    void linearLearnerLogistic()
    {
        RecordingContext ctx(tabularSpec(QStringLiteral("linear-learner"), QStringLiteral(DATA "breast_cancer.csv"), QStringLiteral("target"),
                                         m_dir.filePath(QStringLiteral("bc")), {{QStringLiteral("epochs"), 20}, {QStringLiteral("l1"), 0.001}}));
        run(ctx);
        QVERIFY2(ctx.last.value(QStringLiteral("validation.accuracy")) > 0.93, qPrintable(QString::number(ctx.last.value(QStringLiteral("validation.accuracy")))));
        QVERIFY(ctx.last.value(QStringLiteral("validation.auc")) > 0.97);
        QVERIFY(ctx.steps.value(QStringLiteral("train.loss")).size() > 20);   // loss per step
        QCOMPARE(ctx.steps.value(QStringLiteral("validation.loss")).size(), 20); // per epoch
        const data::Table table = data::CsvReader::read(QStringLiteral(DATA "breast_cancer.csv"));
        PredictionInput in;
        in.table = &table;
        const Predictions p = predict(m_dir.filePath(QStringLiteral("bc/model")), in);
        QCOMPARE(p.rows(), table.rowCount());
        int correct = 0;
        for (qsizetype r = 0; r < table.rowCount(); ++r)
            correct += p.classes.at(p.labels[size_t(r)]) == table.column(QStringLiteral("target")).text(r) ? 1 : 0;
        QVERIFY(correct > 0.93 * table.rowCount());
    }

    void linearLearnerSoftmaxAndRegression()
    {
        RecordingContext iris(tabularSpec(QStringLiteral("linear-learner"), QStringLiteral(DATA "iris.csv"), QStringLiteral("target"),
                                          m_dir.filePath(QStringLiteral("iris")), {{QStringLiteral("epochs"), 60}, {QStringLiteral("batch_size"), 16}}));
        run(iris);
        QVERIFY2(iris.last.value(QStringLiteral("validation.accuracy")) > 0.85, qPrintable(QString::number(iris.last.value(QStringLiteral("validation.accuracy")))));
        RecordingContext wine(tabularSpec(QStringLiteral("linear-learner"), QStringLiteral(DATA "penguins.csv"), QStringLiteral("body_mass_g"),
                                          m_dir.filePath(QStringLiteral("penguins")), {{QStringLiteral("epochs"), 80}, {QStringLiteral("batch_size"), 32}}));
        run(wine);
        QVERIFY2(wine.last.value(QStringLiteral("validation.r2")) > 0.75, qPrintable(QString::number(wine.last.value(QStringLiteral("validation.r2")))));
        QVERIFY(wine.last.contains(QStringLiteral("validation.rmse")));
    }

    void mlpOnTitanic()
    {
        RecordingContext ctx(tabularSpec(QStringLiteral("mlp"), QStringLiteral(DATA "titanic.csv"), QStringLiteral("survived"),
                                         m_dir.filePath(QStringLiteral("titanic")),
                                         {{QStringLiteral("epochs"), 40}, {QStringLiteral("early_stopping_patience"), 8},
                                          {QStringLiteral("lr_schedule"), QStringLiteral("cosine")}}));
        ctx.spec();
        run(ctx);
        QVERIFY2(ctx.last.value(QStringLiteral("validation.auc")) > 0.8, qPrintable(QString::number(ctx.last.value(QStringLiteral("validation.auc")))));
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("titanic/model/model.pt"))));
        QVERIFY(ctx.artifacts.contains(QStringLiteral("confusion_matrix.csv")));
    }

    void mlpOnTitanicWithPreprocessing()
    {
        JobSpec spec = tabularSpec(QStringLiteral("mlp"), QStringLiteral(DATA "titanic.csv"), QStringLiteral("survived"), m_dir.filePath(QStringLiteral("titanic-pp")),
                                   {{QStringLiteral("epochs"), 40}, {QStringLiteral("early_stopping_patience"), 8}});
        spec.preprocessing = QJsonObject{{QStringLiteral("categoricalEncoding"), QStringLiteral("auto")}, {QStringLiteral("datetimeParts"), true},
                                         {QStringLiteral("textFeatures"), true}, {QStringLiteral("impute"), true}};
        RecordingContext ctx(spec);
        run(ctx);
        QVERIFY2(ctx.last.value(QStringLiteral("validation.auc")) > 0.8, qPrintable(QString::number(ctx.last.value(QStringLiteral("validation.auc")))));
        QVERIFY(ctx.logs.contains(QStringLiteral("preprocessing: missing indicators: age_missing")));
        QVERIFY(ctx.logs.contains(QStringLiteral("preprocessing: continuous features standardized")));
        // Raw rows with an unseen class and missing values predict.
        const data::Table rows = data::CsvReader::parse("name,sex,age,passengerClass\n\"Doe, Mrs. Jane\",female,30,1st\n\"Xu, Zed\",,,4th\n", QStringLiteral("new.csv"));
        PredictionInput in;
        in.table = &rows;
        const Predictions p = predict(m_dir.filePath(QStringLiteral("titanic-pp/model")), in);
        QCOMPARE(p.rows(), 2);
        for (double v : p.probabilities)
            QVERIFY(v >= 0 && v <= 1); // NaN fails
    }

    void debuggerCollectsWeights()
    {
        JobSpec s = tabularSpec(QStringLiteral("mlp"), QStringLiteral(DATA "iris.csv"), QStringLiteral("target"), m_dir.filePath(QStringLiteral("dbg")),
                                {{QStringLiteral("epochs"), 2}});
        s.debugger.collections = {QStringLiteral("weights"), QStringLiteral("gradients")};
        s.debugger.interval = 5;
        RecordingContext ctx(s);
        run(ctx);
        QVERIFY(ctx.tensors.contains(QStringLiteral("fc0.weight")));
        QVERIFY(ctx.tensors.contains(QStringLiteral("out.weight.grad")));
    }

    void debuggerCollectsActivationsOfFusedLayers()
    {
        // conv2 and fc1 run fused with their ReLU (and pooling, dropout): the probe still records
        // what the ReLU saw and gave, and recording changes nothing in the training.
        auto cnnSpec = [&](const QString &out, bool activations) {
            JobSpec s = fashionMnistCnn(out, 1, 640, 8, 16);
            if (activations) {
                s.debugger.collections = {QStringLiteral("activations")};
                s.debugger.interval = 4;
            }
            return s;
        };
        RecordingContext with(cnnSpec(QStringLiteral("act-on"), true));
        run(with);
        for (const char *layer : {"conv1", "conv2", "fc1"})
            for (const char *what : {".relu_input", ".relu_output", ".relu_activity"})
                QVERIFY2(with.tensors.contains(QLatin1String(layer) + QLatin1String(what)), qPrintable(QLatin1String(layer) + QLatin1String(what)));
        RecordingContext without(cnnSpec(QStringLiteral("act-off"), false));
        run(without);
        QVERIFY(without.tensors.isEmpty());
        QVERIFY(with.last.contains(QStringLiteral("validation.loss")));
        QCOMPARE(with.last.value(QStringLiteral("validation.loss")), without.last.value(QStringLiteral("validation.loss")));

        JobSpec mlp = tabularSpec(QStringLiteral("mlp"), QStringLiteral(DATA "iris.csv"), QStringLiteral("target"), m_dir.filePath(QStringLiteral("act-mlp")),
                                  {{QStringLiteral("epochs"), 2}});
        mlp.debugger.collections = {QStringLiteral("activations")};
        mlp.debugger.interval = 2;
        RecordingContext tabular(mlp);
        run(tabular);
        QVERIFY(tabular.tensors.contains(QStringLiteral("act0.relu_output")));
        QVERIFY(tabular.tensors.contains(QStringLiteral("act0.relu_activity")));
    }

    void cnnOnFashionMnistSubset()
    {
        const JobSpec s = fashionMnistCnn(QStringLiteral("cnn"), 2, 3000, 16, 32);
        data::ChannelSpec folder;
        folder.type = data::ChannelSpec::Type::ImageFolder;
        folder.path = QStringLiteral(CAIRN_SHARED_DATA_DIR "/images/fashion200");
        RecordingContext ctx(s);
        run(ctx);
        QVERIFY2(ctx.last.value(QStringLiteral("validation.accuracy")) > 0.65, qPrintable(QString::number(ctx.last.value(QStringLiteral("validation.accuracy")))));
        QCOMPARE(ctx.steps.value(QStringLiteral("epoch_time_s")).size(), 2);
        // The IDX-trained model classifies PNGs from an image folder (same 28×28 grey images).
        PredictionInput in;
        in.channel = folder;
        const Predictions p = predict(m_dir.filePath(QStringLiteral("cnn/model")), in);
        QCOMPARE(p.rows(), 200);
        QCOMPARE(p.probabilities.size(), size_t(2000));
        // And classifies them well: the folders are named after Fashion-MNIST's classes, which
        // the IDX labels number in this order.
        const QStringList fashion = {QStringLiteral("tshirt_top"), QStringLiteral("trouser"), QStringLiteral("pullover"), QStringLiteral("dress"),
                                     QStringLiteral("coat"),       QStringLiteral("sandal"),  QStringLiteral("shirt"),    QStringLiteral("sneaker"),
                                     QStringLiteral("bag"),        QStringLiteral("ankle_boot")};
        const data::ImageFolder truth = data::ImageFolder::scan(folder.path);
        QCOMPARE(truth.files.size(), 200);
        int hits = 0;
        for (qsizetype r = 0; r < p.rows(); ++r) {
            const QString predicted = p.classes.at(p.labels[size_t(r)]);
            bool numbered = false;
            const int digit = predicted.toInt(&numbered);
            hits += (numbered ? fashion.value(digit) : predicted) == truth.classes.at(truth.labels[size_t(r)]) ? 1 : 0;
            float sum = 0;
            for (int c = 0; c < 10; ++c)
                sum += p.probabilities[size_t(r) * 10 + size_t(c)];
            QVERIFY(std::abs(sum - 1.0f) < 1e-3f);
        }
        QVERIFY2(hits >= 120, qPrintable(QStringLiteral("%1 of 200 right").arg(hits))); // chance: 20
    }

    void deviceAutoUsesCpuAndCudaIsRefusedWithoutIt()
    {
        RecordingContext ctx(tabularSpec(QStringLiteral("mlp"), QStringLiteral(DATA "iris.csv"), QStringLiteral("target"), m_dir.filePath(QStringLiteral("dev-auto")),
                                         {{QStringLiteral("epochs"), 2}, {QStringLiteral("device"), QStringLiteral("auto")}}));
        run(ctx);
        const QStringList picked = ctx.logs.filter(QStringLiteral("device: "));
        QCOMPARE(picked.size(), 1);
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("dev-auto/model/model.pt"))));
        if (picked.first().contains(QStringLiteral("training on cuda:0")))
            QSKIP("a CUDA device is available to this libtorch, so device=auto trains on it and device=cuda is not refused");
        QVERIFY2(picked.first().startsWith(QStringLiteral("device: no CUDA device: training on CPU (")), qPrintable(picked.first()));

        // The model of a CPU-only run predicts as usual (the weights load onto the CPU).
        const data::Table table = data::CsvReader::read(QStringLiteral(DATA "iris.csv"));
        PredictionInput in;
        in.table = &table;
        QCOMPARE(predict(m_dir.filePath(QStringLiteral("dev-auto/model")), in).rows(), table.rowCount());

        RecordingContext cpu(tabularSpec(QStringLiteral("linear-learner"), QStringLiteral(DATA "iris.csv"), QStringLiteral("target"), m_dir.filePath(QStringLiteral("dev-cpu")),
                                         {{QStringLiteral("epochs"), 2}, {QStringLiteral("device"), QStringLiteral("cpu")}}));
        run(cpu);
        QCOMPARE(cpu.logs.filter(QStringLiteral("device: ")), QStringList{QStringLiteral("device: training on CPU (device=cpu)")});

        // device=cuda without CUDA fails before the first step, with the reason and the way out.
        RecordingContext cuda(tabularSpec(QStringLiteral("mlp"), QStringLiteral(DATA "iris.csv"), QStringLiteral("target"), m_dir.filePath(QStringLiteral("dev-cuda")),
                                          {{QStringLiteral("epochs"), 2}, {QStringLiteral("device"), QStringLiteral("cuda")}}));
        QString message;
        try {
            run(cuda);
        } catch (const Error &e) {
            message = e.message();
        }
        QVERIFY2(message.startsWith(QStringLiteral("device=cuda was asked for, but CUDA is not available: ")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("device=auto or device=cpu")), qPrintable(message));
        QVERIFY(cuda.steps.value(QStringLiteral("train.loss")).isEmpty());
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("dev-cuda/model/model.pt"))));

        // The CNN reads the same setting.
        JobSpec cnn = fashionMnistCnn(QStringLiteral("dev-cnn"), 1, 64, 4, 8);
        cnn.hyperparameters.insert(QStringLiteral("device"), QStringLiteral("cuda"));
        RecordingContext cnnCtx(cnn);
        message.clear();
        try {
            run(cnnCtx);
        } catch (const Error &e) {
            message = e.message();
        }
        QVERIFY2(message.startsWith(QStringLiteral("device=cuda was asked for")), qPrintable(message));
    }

    void cnnOnImageFolder()
    {
        JobSpec s;
        s.algorithm = QStringLiteral("cnn");
        s.hyperparameters = {{QStringLiteral("epochs"), 3}, {QStringLiteral("conv1_channels"), 8}, {QStringLiteral("conv2_channels"), 16},
                             {QStringLiteral("batch_size"), 16}};
        data::ChannelSpec folder;
        folder.type = data::ChannelSpec::Type::ImageFolder;
        folder.path = QStringLiteral(CAIRN_SHARED_DATA_DIR "/images/fashion200");
        s.channels.insert(QStringLiteral("train"), folder);
        s.outputDir = m_dir.filePath(QStringLiteral("folder"));
        RecordingContext ctx(s);
        run(ctx);
        const ModelCard card = ModelCard::load(m_dir.filePath(QStringLiteral("folder/model")));
        QCOMPARE(card.classes.size(), 10);
        QCOMPARE(card.classes.first(), QStringLiteral("ankle_boot"));
        // 10 classes from 160 images in 3 epochs: clearly better than chance (0.1).
        QVERIFY2(ctx.last.value(QStringLiteral("validation.accuracy")) > 0.3, qPrintable(QString::number(ctx.last.value(QStringLiteral("validation.accuracy")))));
    }
};

QTEST_GUILESS_MAIN(tst_TorchPlugin)
#include "tst_torchplugin.moc"
