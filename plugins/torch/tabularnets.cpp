// The linear learner and the MLP: one fully connected network class, with no hidden layer
// for the linear learner.
#include "torchcommon.h"
#include "dataparallel.h"
#include "torchplugin.h"

#include "cairn/algorithms/metrics.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/tabular.h"
#include "cairn/jobs/jobspec.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>

namespace cairn::plugins {

namespace {

struct NetConfig
{
    int inputs = 0;
    int outputs = 1;
    std::vector<int> hidden;
    QString activation = QStringLiteral("relu");
    double dropout = 0;

    QJsonObject toJson() const
    {
        QJsonArray h;
        for (int u : hidden)
            h.append(u);
        return {{QStringLiteral("inputs"), inputs}, {QStringLiteral("outputs"), outputs}, {QStringLiteral("hidden"), h},
                {QStringLiteral("activation"), activation}, {QStringLiteral("dropout"), dropout}};
    }
    static NetConfig fromJson(const QJsonObject &o)
    {
        NetConfig c;
        c.inputs = o.value(QStringLiteral("inputs")).toInt();
        c.outputs = o.value(QStringLiteral("outputs")).toInt(1);
        for (const QJsonValue &v : o.value(QStringLiteral("hidden")).toArray())
            c.hidden.push_back(v.toInt());
        c.activation = o.value(QStringLiteral("activation")).toString(QStringLiteral("relu"));
        c.dropout = o.value(QStringLiteral("dropout")).toDouble();
        if (c.inputs <= 0 || c.outputs <= 0)
            throw Error(QStringLiteral("the model card's network description is incomplete; re-train the model"));
        return c;
    }
};

struct TabularNetImpl : torch::nn::Module
{
    explicit TabularNetImpl(const NetConfig &c) : config(c)
    {
        int in = c.inputs;
        for (size_t i = 0; i < c.hidden.size(); ++i) {
            layers.push_back(register_module("fc" + std::to_string(i), torch::nn::Linear(in, c.hidden[i])));
            in = c.hidden[i];
        }
        out = register_module("out", torch::nn::Linear(in, c.outputs));
    }

    torch::Tensor forward(torch::Tensor x)
    {
        for (auto &layer : layers) {
            x = layer->forward(x);
            const QString kind = config.activation == QLatin1String("tanh") || config.activation == QLatin1String("gelu")
                    || config.activation == QLatin1String("sigmoid") ? config.activation : QStringLiteral("relu");
            const QString name = QStringLiteral("act%1").arg(&layer - layers.data());
            if (kind == QLatin1String("relu")) {
                probe.observe(name, kind, x);
                x = fused::reluDropout(x, config.dropout, is_training());
            } else {
                x = probe.apply(name, kind, x);
                if (config.dropout > 0)
                    x = torch::dropout(x, config.dropout, is_training());
            }
        }
        return out->forward(x);
    }

    NetConfig config;
    torchutil::ActivationProbe probe; // the debugger's activations collection
    std::vector<torch::nn::Linear> layers;
    torch::nn::Linear out{nullptr};
};
TORCH_MODULE(TabularNet);

torch::Tensor matrix(const std::vector<float> &x, qsizetype rows, int width)
{
    return torch::from_blob(const_cast<float *>(x.data()), {rows, width}, torch::kFloat).clone();
}

/// Probabilities (rows × k) from the network's outputs.
std::vector<float> probabilities(const torch::Tensor &out, Task task)
{
    if (task == Task::Binary) {
        const torch::Tensor p = torch::sigmoid(out.view({-1}));
        return torchutil::toVector(torch::stack({1 - p, p}, 1));
    }
    return torchutil::toVector(torch::softmax(out, 1));
}

class TabularNetTrainer : public Trainer
{
public:
    explicit TabularNetTrainer(bool linear) : m_linear(linear) {}

    void run(JobContext &ctx) override
    {
        const JobSpec &spec = ctx.spec();
        const QJsonObject hp = (m_linear ? TorchPlugin::linearSchema() : TorchPlugin::mlpSchema()).resolve(spec.hyperparameters);
        fused::setThreads(ctx.cpuCount());
        torch::manual_seed(spec.seed);
        const std::unique_ptr<torchutil::DataParallel> dp = torchutil::DataParallel::join(ctx);
        data::FeatureEncoderOptions options;
        options.standardize = true;
        options.imputeMissing = true;
        TabularData d = prepareTabular(ctx, options);
        if (d.task == Task::Clustering)
            throw Error(QStringLiteral("%1 does not do clustering; use kmeans").arg(spec.algorithm));
        const int k = d.classCount();

        NetConfig config;
        config.inputs = d.width;
        config.outputs = d.task == Task::Multiclass ? k : 1;
        if (!m_linear) {
            config.hidden.assign(size_t(hp.value(QStringLiteral("hidden_layers")).toInt()), hp.value(QStringLiteral("units")).toInt());
            config.activation = hp.value(QStringLiteral("activation")).toString();
            config.dropout = hp.value(QStringLiteral("dropout")).toDouble();
        }
        const torch::Device device = torchutil::trainingDevice(ctx, hp.value(QStringLiteral("device")).toString());
        TabularNet net(config);
        net->to(device);
        dp->attach(*net);

        // Regression targets are standardised for training and mapped back for metrics.
        double yMean = 0, yStd = 1;
        if (d.task == Task::Regression) {
            double s = 0, sq = 0;
            for (double v : d.valuesTrain) {
                s += v;
                sq += v * v;
            }
            yMean = s / double(std::max<size_t>(1, d.valuesTrain.size()));
            yStd = std::sqrt(std::max(1e-24, sq / double(std::max<size_t>(1, d.valuesTrain.size())) - yMean * yMean));
        }
        auto targets = [&](const std::vector<int> &labels, const std::vector<double> &values) {
            if (d.task == Task::Regression) {
                std::vector<float> y;
                for (double v : values)
                    y.push_back(float((v - yMean) / yStd));
                return torch::from_blob(y.data(), {qint64(y.size())}, torch::kFloat).clone();
            }
            std::vector<int64_t> y(labels.begin(), labels.end());
            return torch::from_blob(y.data(), {qint64(y.size())}, torch::kLong).clone();
        };
        // The training set stays in host memory and each batch moves to the device; the
        // validation set moves once.
        const torch::Tensor xTrain = matrix(d.xTrain, d.nTrain, d.width);
        const torch::Tensor yTrain = targets(d.labelsTrain, d.valuesTrain);
        const bool validates = d.nValidation && dp->isMaster(); // rank 0 validates
        const torch::Tensor xVal = validates ? matrix(d.xValidation, d.nValidation, d.width).to(device) : torch::Tensor();
        const torch::Tensor yVal = validates ? targets(d.labelsValidation, d.valuesValidation).to(device) : torch::Tensor();

        auto lossOf = [&](const torch::Tensor &out, const torch::Tensor &y) {
            if (d.task == Task::Binary)
                return torch::binary_cross_entropy_with_logits(out.view({-1}), y.to(torch::kFloat));
            if (d.task == Task::Multiclass)
                return torch::cross_entropy_loss(out, y);
            return torch::mse_loss(out.view({-1}), y);
        };

        const double baseLr = hp.value(QStringLiteral("learning_rate")).toDouble();
        auto optimizer = torchutil::makeOptimizer(hp.value(QStringLiteral("optimizer")).toString(), net->parameters(), baseLr,
                                                  hp.value(QStringLiteral("weight_decay")).toDouble());
        const double l1 = m_linear ? hp.value(QStringLiteral("l1")).toDouble() : 0.0;
        const int epochs = hp.value(QStringLiteral("epochs")).toInt();
        const qint64 batch = hp.value(QStringLiteral("batch_size")).toInt();
        const int patience = hp.value(QStringLiteral("early_stopping_patience")).toInt();
        const QString schedule = hp.value(QStringLiteral("lr_schedule")).toString();
        const qint64 n = d.nTrain;
        const qint64 stepsPerEpoch = (n + batch - 1) / batch;
        const qint64 logEvery = std::max<qint64>(1, stepsPerEpoch / 20);
        torch::Generator gen = at::detail::createCPUGenerator(spec.seed);

        double bestLoss = HUGE_VAL;
        int bestEpoch = -1;
        std::string best;
        qint64 step = 0;
        int done = 0;
        QJsonObject finalMetrics;
        bool stopping = false; // agreed by every rank: they stop after the same step
        for (int epoch = 0; epoch < epochs && !stopping; ++epoch) {
            QElapsedTimer timer;
            timer.start();
            qint64 mine = 0;
            const double lr = torchutil::scheduledLr(schedule, baseLr, epoch, epochs); // at the epoch's start
            net->train();
            dp->epochStarted();
            const torch::Tensor perm = torch::randperm(n, gen);
            double epochLoss = 0;
            for (qint64 b = 0; b < stepsPerEpoch && !stopping; ++b) {
                const torch::Tensor global = perm.slice(0, b * batch, std::min(n, (b + 1) * batch));
                const torch::Tensor idx = dp->shard(global); // this rank's rows of the global batch
                const double share = double(idx.size(0)) / double(global.size(0));
                torchutil::setLr(*optimizer, torchutil::scheduledLr(schedule, baseLr, epoch + double(b) / double(stepsPerEpoch), epochs));
                fused::clearGradients(*optimizer);
                torch::Tensor loss;
                if (idx.size(0) > 0) {
                    if (dp->isMaster())
                        net->probe.arm(ctx, step);
                    loss = lossOf(net->forward(xTrain.index_select(0, idx).to(device)), yTrain.index_select(0, idx).to(device));
                    net->probe.disarm();
                    // The penalty is added on every rank; the shares add up to one.
                    if (l1 > 0)
                        for (const auto &p : net->named_parameters())
                            if (p.key().find("weight") != std::string::npos)
                                loss = loss + l1 * p.value().abs().sum() / double(n);
                }
                dp->beforeBackward(loss.defined() ? loss.item<double>() * share : 0.0, ctx.stopRequested(), step);
                if (loss.defined())
                    (share == 1.0 ? loss : loss * share).backward();
                const torchutil::DataParallel::StepResult r = dp->afterBackward();
                stopping = r.stop;
                if (dp->isMaster())
                    torchutil::collectStats(ctx, *net, step);
                const double l = r.loss;
                torchutil::checkLoss(l, QStringLiteral("training"), step);
                optimizer->step();
                mine += idx.size(0);
                epochLoss += l * double(global.size(0));
                if (step % logEvery == 0)
                    ctx.logMetric(QStringLiteral("train.loss"), l, step);
                ++step;
            }
            done = epoch + 1;
            dp->logThroughput(ctx, double(mine) / std::max(1e-9, timer.nsecsElapsed() / 1e9), epoch + 1);
            ctx.logMetric(QStringLiteral("train.epoch_loss"), epochLoss / double(n), epoch + 1);
            ctx.logMetric(QStringLiteral("learning_rate"), lr, epoch + 1);
            bool earlyStop = false;
            if (validates) {
                torch::NoGradGuard noGrad;
                net->eval();
                const torch::Tensor out = net->forward(xVal);
                const double vLoss = lossOf(out, yVal).item<double>();
                torchutil::checkLoss(vLoss, QStringLiteral("validation"), step);
                ctx.logMetric(QStringLiteral("validation.loss"), vLoss, epoch + 1);
                finalMetrics = evaluate(ctx, d, out, yMean, yStd, epoch + 1, false);
                if (vLoss < bestLoss) {
                    bestLoss = vLoss;
                    bestEpoch = epoch;
                    if (patience > 0)
                        best = torchutil::snapshot(*net);
                } else if (patience > 0 && epoch - bestEpoch >= patience) {
                    ctx.log(QStringLiteral("early stopping: validation loss has not improved for %1 epochs (best %2 after epoch %3)")
                                .arg(patience).arg(bestLoss).arg(bestEpoch + 1));
                    earlyStop = true;
                }
            }
            ctx.progress(double(epoch + 1) / epochs, QStringLiteral("epoch %1/%2").arg(epoch + 1).arg(epochs));
            if (dp->agree(earlyStop))
                break;
        }
        if (done == 0)
            throw Error(QStringLiteral("stopped before the first epoch ended; no model to save"));
        if (!dp->isMaster())
            return; // rank 0 scores and writes the model
        if (patience > 0 && !best.empty() && bestEpoch + 1 < done) {
            torchutil::restore(*net, best);
            ctx.log(QStringLiteral("restored the weights of epoch %1").arg(bestEpoch + 1));
        }
        if (validates) {
            torch::NoGradGuard noGrad;
            net->eval();
            finalMetrics = evaluate(ctx, d, net->forward(xVal), yMean, yStd, done, true);
        }

        ModelCard card = tabularModelCard(ctx, d, QStringLiteral("torch"));
        const QString modelDir = QDir(ctx.outputDir()).filePath(QStringLiteral("model"));
        QDir().mkpath(modelDir);
        torchutil::saveModule(*net, QDir(modelDir).filePath(QStringLiteral("model.pt")));
        card.files = QJsonObject{{QStringLiteral("weights"), QStringLiteral("model.pt")}};
        card.metrics = finalMetrics;
        card.extra = QJsonObject{{QStringLiteral("network"), config.toJson()}, {QStringLiteral("targetMean"), yMean},
                                 {QStringLiteral("targetStd"), yStd}, {QStringLiteral("epochs"), done}};
        card.save(modelDir);
        ctx.artifact(QStringLiteral("model/model.json"), QStringLiteral("model"));
        ctx.artifact(QStringLiteral("model/model.pt"), QStringLiteral("model-file"));
        ctx.progress(1.0, QStringLiteral("done: %1 epochs").arg(done));
    }

private:
    static QJsonObject evaluate(JobContext &ctx, const TabularData &d, const torch::Tensor &out, double yMean, double yStd, qint64 step, bool final)
    {
        QJsonObject metrics;
        if (d.task == Task::Regression) {
            std::vector<double> pred;
            for (float v : torchutil::toVector(out.view({-1})))
                pred.push_back(double(v) * yStd + yMean);
            const RegressionMetrics r = regressionMetrics(d.valuesValidation, pred);
            reportRegression(ctx, QStringLiteral("validation"), r, step);
            for (auto [k, v] : r.values().asKeyValueRange())
                metrics.insert(QStringLiteral("validation.") + k, v);
        } else {
            const ClassificationMetrics c = classificationMetrics(d.labelsValidation, probabilities(out, d.task), d.classCount());
            reportClassification(ctx, QStringLiteral("validation"), c, d.classes, step, final ? QStringLiteral("confusion_matrix.csv") : QString());
            for (auto [k, v] : c.values().asKeyValueRange())
                metrics.insert(QStringLiteral("validation.") + k, v);
        }
        return metrics;
    }

    bool m_linear;
};

class TabularNetPredictor : public Predictor
{
public:
    TabularNetPredictor(ModelCard card, const QString &dir)
        : m_card(std::move(card)), m_net(NetConfig::fromJson(m_card.extra.value(QStringLiteral("network")).toObject()))
    {
        torchutil::loadModule(*m_net, QDir(dir).filePath(m_card.files.value(QStringLiteral("weights")).toString(QStringLiteral("model.pt"))));
        m_net->eval();
        m_task = taskFromName(m_card.task).value_or(Task::Regression);
    }

    Predictions predict(const PredictionInput &input) override
    {
        if (!input.table)
            throw Error(QStringLiteral("this model predicts from a table (CSV); %1 is not one").arg(input.channel.path));
        const std::vector<float> x = encodeForPrediction(m_card, *input.table);
        const qsizetype rows = input.table->rowCount();
        torch::NoGradGuard noGrad;
        const torch::Tensor out = m_net->forward(matrix(x, rows, m_net->config.inputs));
        Predictions p;
        p.task = m_task;
        p.classes = m_card.classes;
        if (m_task == Task::Regression) {
            const double mean = m_card.extra.value(QStringLiteral("targetMean")).toDouble();
            const double sd = m_card.extra.value(QStringLiteral("targetStd")).toDouble(1);
            for (float v : torchutil::toVector(out.view({-1})))
                p.values.push_back(double(v) * sd + mean);
            return p;
        }
        p.probabilities = probabilities(out, m_task);
        const int k = int(p.classes.size());
        for (qsizetype r = 0; r < rows; ++r) {
            const float *row = p.probabilities.data() + size_t(r) * size_t(k);
            p.labels.push_back(int(std::max_element(row, row + k) - row));
        }
        return p;
    }

private:
    ModelCard m_card;
    TabularNet m_net;
    Task m_task = Task::Regression;
};

} // namespace

std::unique_ptr<Trainer> makeTabularNetTrainer(bool linear)
{
    return std::make_unique<TabularNetTrainer>(linear);
}

std::unique_ptr<Predictor> loadTabularNetPredictor(const ModelCard &card, const QString &modelDir)
{
    return std::make_unique<TabularNetPredictor>(card, modelDir);
}

} // namespace cairn::plugins
