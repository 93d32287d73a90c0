// The CNN for images: by default the classic two-convolution MNIST network of the PyTorch
// examples (conv3×3-32, conv3×3-64, max-pool 2, dropout, dense 128, dropout, dense classes).
#include "torchcommon.h"
#include "dataparallel.h"
#include "torchplugin.h"
#include "imageloader.h"

#include "cairn/algorithms/metrics.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/data/split.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/store/types.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>

namespace cairn::plugins {

namespace {

struct CnnConfig
{
    int channels = 1, height = 28, width = 28, classes = 10;
    int conv1 = 32, conv2 = 64, fc = 128;
    double dropoutConv = 0.25, dropoutFc = 0.5;

    QJsonObject toJson() const
    {
        return {{QStringLiteral("channels"), channels}, {QStringLiteral("height"), height}, {QStringLiteral("width"), width},
                {QStringLiteral("classes"), classes}, {QStringLiteral("conv1"), conv1}, {QStringLiteral("conv2"), conv2},
                {QStringLiteral("fc"), fc}, {QStringLiteral("dropoutConv"), dropoutConv}, {QStringLiteral("dropoutFc"), dropoutFc}};
    }
    static CnnConfig fromJson(const QJsonObject &o)
    {
        CnnConfig c;
        c.channels = o.value(QStringLiteral("channels")).toInt(1);
        c.height = o.value(QStringLiteral("height")).toInt();
        c.width = o.value(QStringLiteral("width")).toInt();
        c.classes = o.value(QStringLiteral("classes")).toInt();
        c.conv1 = o.value(QStringLiteral("conv1")).toInt(32);
        c.conv2 = o.value(QStringLiteral("conv2")).toInt(64);
        c.fc = o.value(QStringLiteral("fc")).toInt(128);
        c.dropoutConv = o.value(QStringLiteral("dropoutConv")).toDouble(0.25);
        c.dropoutFc = o.value(QStringLiteral("dropoutFc")).toDouble(0.5);
        if (c.height < 5 || c.width < 5 || c.classes < 2)
            throw Error(QStringLiteral("the model card's network description is incomplete; re-train the model"));
        return c;
    }
};

struct CnnImpl : torch::nn::Module
{
    explicit CnnImpl(const CnnConfig &c) : config(c)
    {
        conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(c.channels, c.conv1, 3)));
        conv2 = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(c.conv1, c.conv2, 3)));
        const int64_t flat = int64_t(c.conv2) * ((c.height - 4) / 2) * ((c.width - 4) / 2);
        fc1 = register_module("fc1", torch::nn::Linear(flat, c.fc));
        fc2 = register_module("fc2", torch::nn::Linear(c.fc, c.classes));
    }

    torch::Tensor forward(torch::Tensor x)
    {
        x = probe.apply(QStringLiteral("conv1"), QStringLiteral("relu"), conv1->forward(x));
        x = conv2->forward(x);
        probe.observe(QStringLiteral("conv2"), QStringLiteral("relu"), x);
        x = fused::reluMaxPool2Dropout(x, config.dropoutConv, is_training());
        x = fc1->forward(torch::flatten(x, 1));
        probe.observe(QStringLiteral("fc1"), QStringLiteral("relu"), x);
        x = fused::reluDropout(x, config.dropoutFc, is_training());
        return fc2->forward(x);
    }

    CnnConfig config;
    torchutil::ActivationProbe probe; // the debugger's activations collection
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Cnn);

torch::Tensor imagesTensor(const ImageData &d, const std::vector<float> &mean, const std::vector<float> &sd)
{
    torch::Tensor t = torch::from_blob(const_cast<float *>(d.pixels.data()), {d.count, d.channels, d.height, d.width}, torch::kFloat).clone();
    for (int c = 0; c < d.channels; ++c)
        t.select(1, c).sub_(mean[size_t(c)]).div_(sd[size_t(c)]);
    return t;
}

torch::Tensor labelsTensor(const std::vector<int> &labels)
{
    std::vector<int64_t> l(labels.begin(), labels.end());
    return torch::from_blob(l.data(), {qint64(l.size())}, torch::kLong).clone();
}

/// Logits in batches: the whole test set at once would need gigabytes for the activations, and
/// batches this small keep each activation under glibc's 32 MB mmap threshold, in reused heap
/// memory instead of fresh pages (validating 10,000 images: 2.2 s at 1,000 or 256, 1.85 s at 128).
torch::Tensor logits(Cnn &net, const torch::Tensor &x, int64_t batch = 128)
{
    torch::NoGradGuard noGrad;
    net->eval();
    const torch::Device device = net->parameters().front().device(); // images stay in host memory
    std::vector<torch::Tensor> parts;
    for (int64_t b = 0; b < x.size(0); b += batch)
        parts.push_back(net->forward(x.slice(0, b, std::min<int64_t>(x.size(0), b + batch)).to(device)));
    return torch::cat(parts, 0);
}

ImageData subset(const ImageData &d, const std::vector<qsizetype> &rows)
{
    ImageData s;
    s.channels = d.channels;
    s.height = d.height;
    s.width = d.width;
    s.classes = d.classes;
    s.count = qint64(rows.size());
    const qint64 item = d.itemSize();
    s.pixels.reserve(rows.size() * size_t(item));
    for (qsizetype r : rows) {
        s.pixels.insert(s.pixels.end(), d.pixels.begin() + r * item, d.pixels.begin() + (r + 1) * item);
        s.labels.push_back(d.labels[size_t(r)]);
    }
    return s;
}

class CnnTrainer : public Trainer
{
public:
    void run(JobContext &ctx) override
    {
        const JobSpec &spec = ctx.spec();
        const QJsonObject hp = TorchPlugin::cnnSchema().resolve(spec.hyperparameters);
        fused::setThreads(ctx.cpuCount());
        torch::manual_seed(spec.seed);
        const std::unique_ptr<torchutil::DataParallel> dp = torchutil::DataParallel::join(ctx);
        const int size = hp.value(QStringLiteral("image_size")).toInt();
        const data::ChannelSpec trainChannel = spec.channels.value(QStringLiteral("train"));
        ctx.progress(0, QStringLiteral("reading %1").arg(trainChannel.path));
        ImageData train = loadImages(trainChannel, 0, size, size, hp.value(QStringLiteral("max_train_images")).toInteger());
        if (train.labels.empty())
            throw Error(QStringLiteral("%1 has no labels: give the labels file (--train-labels) or use labelled folders").arg(trainChannel.path));
        if (train.classes.size() < 2)
            throw Error(QStringLiteral("the training images have %1 class(es); at least two are needed").arg(train.classes.size()));
        ImageData validation;
        if (spec.hasChannel(QStringLiteral("validation"))) {
            validation = loadImages(spec.channels.value(QStringLiteral("validation")), train.channels, train.height, train.width, 0, train.classes);
        } else if (spec.validationFraction > 0) {
            const data::Split split = data::trainValidationSplit(train.count, spec.validationFraction, spec.seed, &train.labels);
            validation = subset(train, split.validation);
            train = subset(train, split.train);
        }
        ctx.log(QStringLiteral("%1 training images, %2 validation images, %3×%4×%5, %6 classes")
                    .arg(train.count).arg(validation.count).arg(train.channels).arg(train.height).arg(train.width).arg(train.classes.size()));

        // Per-channel normalisation from the training images (as transforms.Normalize does).
        std::vector<float> mean(size_t(train.channels), 0.0f), sd(size_t(train.channels), 1.0f);
        {
            const qint64 plane = qint64(train.height) * train.width;
            for (int c = 0; c < train.channels; ++c) {
                double s = 0, sq = 0;
                for (qint64 i = 0; i < train.count; ++i) {
                    const float *p = train.pixels.data() + i * train.itemSize() + c * plane;
                    for (qint64 j = 0; j < plane; ++j) {
                        s += p[j];
                        sq += double(p[j]) * p[j];
                    }
                }
                const double n = double(train.count * plane);
                mean[size_t(c)] = float(s / n);
                sd[size_t(c)] = float(std::sqrt(std::max(1e-12, sq / n - (s / n) * (s / n))));
            }
        }
        CnnConfig config;
        config.channels = train.channels;
        config.height = train.height;
        config.width = train.width;
        config.classes = int(train.classes.size());
        config.conv1 = hp.value(QStringLiteral("conv1_channels")).toInt();
        config.conv2 = hp.value(QStringLiteral("conv2_channels")).toInt();
        config.fc = hp.value(QStringLiteral("fc_units")).toInt();
        config.dropoutConv = hp.value(QStringLiteral("dropout_conv")).toDouble();
        config.dropoutFc = hp.value(QStringLiteral("dropout_fc")).toDouble();
        const torch::Device device = torchutil::trainingDevice(ctx, hp.value(QStringLiteral("device")).toString());
        Cnn net(config);
        net->to(device);
        dp->attach(*net);

        const torch::Tensor xTrain = imagesTensor(train, mean, sd);
        const torch::Tensor yTrain = labelsTensor(train.labels);
        train.pixels = {};
        // Every rank computes the logits of its shard of the validation images and rank 0 scores
        // them all: the other ranks would otherwise wait for rank 0's pass. Rank 0 keeps all the
        // images to score a restored best model at the end.
        torch::Tensor xVal, xValMine, yVal;
        if (validation.count > 0) {
            xVal = imagesTensor(validation, mean, sd);
            xValMine = dp->shard(xVal).contiguous();
            if (dp->isMaster())
                yVal = labelsTensor(validation.labels).to(device);
            else
                xVal = torch::Tensor();
        }

        const double baseLr = hp.value(QStringLiteral("learning_rate")).toDouble();
        auto optimizer = torchutil::makeOptimizer(hp.value(QStringLiteral("optimizer")).toString(), net->parameters(), baseLr,
                                                  hp.value(QStringLiteral("weight_decay")).toDouble());
        const int epochs = hp.value(QStringLiteral("epochs")).toInt();
        const qint64 batch = hp.value(QStringLiteral("batch_size")).toInt();
        const int patience = hp.value(QStringLiteral("early_stopping_patience")).toInt();
        const qint64 logEvery = hp.value(QStringLiteral("log_every")).toInt();
        const QString schedule = hp.value(QStringLiteral("lr_schedule")).toString();
        const qint64 n = xTrain.size(0);
        const qint64 stepsPerEpoch = (n + batch - 1) / batch;
        torch::Generator gen = at::detail::createCPUGenerator(spec.seed);
        double bestLoss = HUGE_VAL;
        int bestEpoch = -1;
        std::string best;
        qint64 step = 0;
        int done = 0;
        QJsonObject finalMetrics;
        torch::Tensor lastValidationLogits; // of the model as it is after the last epoch
        bool stopping = false; // agreed by every rank: they stop after the same step
        for (int epoch = 0; epoch < epochs && !stopping; ++epoch) {
            QElapsedTimer timer;
            timer.start();
            const double lr = torchutil::scheduledLr(schedule, baseLr, epoch, epochs); // at the epoch's start
            dp->epochStarted();
            net->train();
            const torch::Tensor perm = torch::randperm(n, gen);
            double lossSum = 0;
            qint64 seen = 0, mine = 0;
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
                    loss = torch::cross_entropy_loss(net->forward(xTrain.index_select(0, idx).to(device)), yTrain.index_select(0, idx).to(device));
                    net->probe.disarm();
                }
                // The global batch's loss is the sum over ranks of each one's mean times its share.
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
                lossSum += l * double(global.size(0));
                seen += global.size(0);
                mine += idx.size(0);
                if (step % logEvery == 0)
                    ctx.logMetric(QStringLiteral("train.loss"), l, step);
                ++step;
                if (b % 20 == 0)
                    ctx.progress((epoch + double(b + 1) / stepsPerEpoch) / epochs,
                                 QStringLiteral("epoch %1/%2, step %3/%4").arg(epoch + 1).arg(epochs).arg(b + 1).arg(stepsPerEpoch));
            }
            const double seconds = timer.nsecsElapsed() / 1e9;
            done = epoch + 1;
            dp->logThroughput(ctx, double(mine) / std::max(1e-9, seconds), done);
            ctx.logMetric(QStringLiteral("train.epoch_loss"), seen ? lossSum / double(seen) : NAN, done);
            ctx.logMetric(QStringLiteral("epoch_time_s"), seconds, done);
            ctx.logMetric(QStringLiteral("learning_rate"), lr, done);
            bool earlyStop = false;
            const torch::Tensor out = xValMine.defined() ? dp->unshard(logits(net, xValMine), validation.count) : torch::Tensor();
            if (!dp->isMaster()) {
                ctx.log(QStringLiteral("epoch %1: %2 s (rank 0 scores the validation)").arg(done).arg(seconds, 0, 'f', 1));
            } else if (out.defined()) {
                lastValidationLogits = out;
                const double vLoss = torch::cross_entropy_loss(out, yVal).item<double>();
                torchutil::checkLoss(vLoss, QStringLiteral("validation"), step);
                ctx.logMetric(QStringLiteral("validation.loss"), vLoss, done);
                const ClassificationMetrics m = classificationMetrics(validation.labels, torchutil::toVector(torch::softmax(out, 1)), config.classes);
                reportClassification(ctx, QStringLiteral("validation"), m, train.classes, done);
                ctx.log(QStringLiteral("epoch %1: %2 s, validation accuracy %3, loss %4").arg(done).arg(seconds, 0, 'f', 1).arg(m.accuracy, 0, 'f', 4).arg(vLoss, 0, 'f', 4));
                if (vLoss < bestLoss) {
                    bestLoss = vLoss;
                    bestEpoch = epoch;
                    if (patience > 0)
                        best = torchutil::snapshot(*net);
                } else if (patience > 0 && epoch - bestEpoch >= patience) {
                    ctx.log(QStringLiteral("early stopping after epoch %1 (best epoch %2)").arg(done).arg(bestEpoch + 1));
                    earlyStop = true;
                }
            } else {
                ctx.log(QStringLiteral("epoch %1: %2 s, training loss %3").arg(done).arg(seconds, 0, 'f', 1).arg(lossSum / double(std::max<qint64>(1, seen)), 0, 'f', 4));
            }
            if (dp->agree(earlyStop))
                break;
        }
        if (done == 0)
            throw Error(QStringLiteral("stopped before the first epoch ended; no model to save"));
        if (!dp->isMaster())
            return; // rank 0 scores and writes the model
        if (patience > 0 && !best.empty() && bestEpoch + 1 < done) {
            torchutil::restore(*net, best);
            lastValidationLogits = torch::Tensor();
        }
        auto score = [&](const QString &prefix, const torch::Tensor &x, const std::vector<int> &labels, const QString &file,
                         const torch::Tensor &known = {}) {
            const torch::Tensor out = known.defined() ? known : logits(net, x);
            const ClassificationMetrics m = classificationMetrics(labels, torchutil::toVector(torch::softmax(out, 1)), config.classes);
            reportClassification(ctx, prefix, m, train.classes, done, file);
            for (auto [k, v] : m.values().asKeyValueRange())
                finalMetrics.insert(prefix + QLatin1Char('.') + k, v);
        };
        if (xVal.defined())
            score(QStringLiteral("validation"), xVal, validation.labels, QStringLiteral("confusion_matrix.csv"), lastValidationLogits);
        if (spec.hasChannel(QStringLiteral("test"))) {
            const ImageData test = loadImages(spec.channels.value(QStringLiteral("test")), config.channels, config.height, config.width, 0, train.classes);
            if (!test.labels.empty())
                score(QStringLiteral("test"), imagesTensor(test, mean, sd), test.labels, QStringLiteral("confusion_matrix_test.csv"));
        }

        ModelCard card;
        card.algorithm = spec.algorithm;
        card.plugin = QStringLiteral("torch");
        card.task = taskName(Task::ImageClassification);
        card.classes = train.classes;
        card.inputSchema = QJsonArray{QJsonObject{{QStringLiteral("kind"), QStringLiteral("image")}, {QStringLiteral("channels"), config.channels},
                                                  {QStringLiteral("height"), config.height}, {QStringLiteral("width"), config.width}}};
        QJsonArray m, s;
        for (int c = 0; c < config.channels; ++c) {
            m.append(mean[size_t(c)]);
            s.append(sd[size_t(c)]);
        }
        card.preprocessing = QJsonObject{{QStringLiteral("kind"), QStringLiteral("image")}, {QStringLiteral("scale"), QStringLiteral("1/255")},
                                         {QStringLiteral("mean"), m}, {QStringLiteral("std"), s},
                                         {QStringLiteral("resize"), QStringLiteral("%1x%2").arg(config.width).arg(config.height)}};
        card.hyperparameters = spec.hyperparameters;
        card.metrics = finalMetrics;
        card.runUuid = spec.runUuid;
        card.jobId = spec.id;
        card.createdAt = nowMs();
        card.files = QJsonObject{{QStringLiteral("weights"), QStringLiteral("model.pt")}};
        card.extra = QJsonObject{{QStringLiteral("network"), config.toJson()}, {QStringLiteral("epochs"), done}};
        const QString modelDir = QDir(ctx.outputDir()).filePath(QStringLiteral("model"));
        QDir().mkpath(modelDir);
        torchutil::saveModule(*net, QDir(modelDir).filePath(QStringLiteral("model.pt")));
        card.save(modelDir);
        ctx.artifact(QStringLiteral("model/model.json"), QStringLiteral("model"));
        ctx.artifact(QStringLiteral("model/model.pt"), QStringLiteral("model-file"));
        ctx.progress(1.0, QStringLiteral("done: %1 epochs").arg(done));
    }
};

class CnnPredictor : public Predictor
{
public:
    CnnPredictor(ModelCard card, const QString &dir)
        : m_card(std::move(card)), m_config(CnnConfig::fromJson(m_card.extra.value(QStringLiteral("network")).toObject())), m_net(m_config)
    {
        torchutil::loadModule(*m_net, QDir(dir).filePath(m_card.files.value(QStringLiteral("weights")).toString(QStringLiteral("model.pt"))));
        for (const QJsonValue &v : m_card.preprocessing.value(QStringLiteral("mean")).toArray())
            m_mean.push_back(float(v.toDouble()));
        for (const QJsonValue &v : m_card.preprocessing.value(QStringLiteral("std")).toArray())
            m_std.push_back(float(v.toDouble()));
        if (int(m_mean.size()) != m_config.channels || int(m_std.size()) != m_config.channels)
            throw Error(QStringLiteral("the model card's normalisation does not match the network; re-train the model"));
    }

    Predictions predict(const PredictionInput &input) override
    {
        const ImageData images = loadImages(input.channel, m_config.channels, m_config.height, m_config.width, 0);
        const torch::Tensor out = logits(m_net, imagesTensor(images, m_mean, m_std));
        Predictions p;
        p.task = Task::ImageClassification;
        p.classes = m_card.classes;
        p.probabilities = torchutil::toVector(torch::softmax(out, 1));
        for (int64_t v : torchutil::toVector(out.argmax(1).to(torch::kFloat)))
            p.labels.push_back(int(v));
        return p;
    }

private:
    ModelCard m_card;
    CnnConfig m_config;
    Cnn m_net;
    std::vector<float> m_mean, m_std;
};

} // namespace

std::unique_ptr<Trainer> makeCnnTrainer()
{
    return std::make_unique<CnnTrainer>();
}

std::unique_ptr<Predictor> loadCnnPredictor(const ModelCard &card, const QString &modelDir)
{
    return std::make_unique<CnnPredictor>(card, modelDir);
}

} // namespace cairn::plugins
