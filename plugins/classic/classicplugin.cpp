#include "classicplugin.h"

#include "kmeans.h"
#include "knn.h"

#include "cairn/algorithms/imagedata.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/tabular.h"
#include "cairn/data/split.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/store/types.h"
#include "cairn/util/error.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <map>

namespace cairn::plugins {

namespace {

/// Purity: share of rows whose label is their cluster's most common label. Rows without a
/// label (-1) are left out.
double purity(const std::vector<int> &clusters, const std::vector<int> &labels, int k, std::vector<int> *majority = nullptr)
{
    std::vector<std::map<int, qint64>> counts(static_cast<size_t>(k));
    qint64 labelled = 0;
    for (size_t i = 0; i < clusters.size(); ++i)
        if (labels[i] >= 0) {
            ++counts[size_t(clusters[i])][labels[i]];
            ++labelled;
        }
    qint64 hits = 0;
    if (majority)
        majority->assign(size_t(k), -1);
    for (int c = 0; c < k; ++c) {
        qint64 best = 0;
        for (const auto &[label, n] : counts[size_t(c)])
            if (n > best) {
                best = n;
                if (majority)
                    (*majority)[size_t(c)] = label;
            }
        hits += best;
    }
    return labelled ? double(hits) / double(labelled) : std::nan("");
}

struct Points
{
    std::vector<float> x;
    qsizetype rows = 0;
    std::vector<int> labels;
};

class KMeansTrainer : public Trainer
{
public:
    void run(JobContext &ctx) override
    {
        const JobSpec &spec = ctx.spec();
        const QJsonObject hp = ClassicPlugin::kmeansSchema().resolve(spec.hyperparameters);
        const data::ChannelSpec trainChannel = spec.channels.value(QStringLiteral("train"));
        Points train, validation;
        int width = 0;
        QStringList classes;
        ModelCard card;
        if (trainChannel.type == data::ChannelSpec::Type::Idx) {
            ctx.progress(0, QStringLiteral("reading %1").arg(trainChannel.path));
            const qint64 limit = hp.value(QStringLiteral("max_rows")).toInteger();
            ImageData img = readIdxImages(trainChannel, limit);
            width = int(img.itemSize());
            classes = img.classes;
            if (spec.hasChannel(QStringLiteral("validation"))) {
                ImageData v = readIdxImages(spec.channels.value(QStringLiteral("validation")), limit);
                if (v.itemSize() != width)
                    throw Error(QStringLiteral("validation images are %1×%2, training images %3×%4").arg(v.height).arg(v.width).arg(img.height).arg(img.width));
                validation = {std::move(v.pixels), v.count, std::move(v.labels)};
                train = {std::move(img.pixels), img.count, std::move(img.labels)};
            } else {
                const data::Split split = data::trainValidationSplit(img.count, spec.validationFraction, spec.seed, img.labels.empty() ? nullptr : &img.labels);
                auto take = [&](const std::vector<qsizetype> &rows) {
                    Points p;
                    p.rows = qsizetype(rows.size());
                    p.x.reserve(rows.size() * size_t(width));
                    for (qsizetype r : rows) {
                        p.x.insert(p.x.end(), img.pixels.begin() + r * width, img.pixels.begin() + (r + 1) * width);
                        if (!img.labels.empty())
                            p.labels.push_back(img.labels[size_t(r)]);
                    }
                    return p;
                };
                train = take(split.train);
                validation = take(split.validation);
            }
            ctx.log(QStringLiteral("%1 training images, %2 validation images of %3×%4").arg(train.rows).arg(validation.rows).arg(img.height).arg(img.width));
            card.algorithm = spec.algorithm;
            card.plugin = QStringLiteral("classic");
            card.task = taskName(Task::Clustering);
            card.classes = classes;
            card.inputSchema = QJsonArray{QJsonObject{{QStringLiteral("kind"), QStringLiteral("image")}, {QStringLiteral("channels"), img.channels},
                                                      {QStringLiteral("height"), img.height}, {QStringLiteral("width"), img.width}}};
            card.preprocessing = QJsonObject{{QStringLiteral("kind"), QStringLiteral("image")}, {QStringLiteral("scale"), QStringLiteral("1/255")}};
            card.hyperparameters = spec.hyperparameters;
            card.runUuid = spec.runUuid;
            card.jobId = spec.id;
            card.createdAt = nowMs();
        } else {
            data::FeatureEncoderOptions options;
            options.standardize = hp.value(QStringLiteral("standardize")).toBool();
            options.imputeMissing = true;
            TabularData d = prepareTabular(ctx, options, Task::Clustering);
            width = d.width;
            classes = d.classes;
            train = {std::move(d.xTrain), d.nTrain, std::move(d.labelsTrain)};
            validation = {std::move(d.xValidation), d.nValidation, std::move(d.labelsValidation)};
            card = tabularModelCard(ctx, d, QStringLiteral("classic"));
        }
        const int k = hp.value(QStringLiteral("k")).toInt();
        if (train.rows < k)
            throw Error(QStringLiteral("k is %1 but there are only %2 training rows").arg(k).arg(train.rows));

        KMeans::Options o;
        o.k = k;
        o.plusPlus = hp.value(QStringLiteral("init")).toString() == QLatin1String("k-means++");
        o.maxIterations = hp.value(QStringLiteral("max_iter")).toInt();
        o.tolerance = hp.value(QStringLiteral("tol")).toDouble();
        o.seed = spec.seed;
        o.threads = ctx.cpuCount();
        KMeans km(train.x.data(), train.rows, width, o);
        ctx.progress(0, QStringLiteral("seeding %1 centers (%2)").arg(k).arg(hp.value(QStringLiteral("init")).toString()));
        km.initialize();
        int iterations = 0;
        for (int it = 0; it < o.maxIterations; ++it) {
            if (ctx.stopRequested()) {
                ctx.log(QStringLiteral("stop requested after %1 iterations; saving the centers so far").arg(it), LogLevel::Warning);
                break;
            }
            double shift = 0;
            const double inertia = km.step(&shift);
            iterations = it + 1;
            ctx.logMetric(QStringLiteral("train.inertia"), inertia, it);
            ctx.logMetric(QStringLiteral("train.center_shift"), shift, it);
            ctx.progress(double(it + 1) / o.maxIterations, QStringLiteral("iteration %1/%2, inertia %3").arg(it + 1).arg(o.maxIterations).arg(inertia, 0, 'g', 6));
            if (km.converged(shift)) {
                ctx.log(QStringLiteral("converged after %1 iterations").arg(it + 1));
                break;
            }
        }
        double inertia = 0;
        const std::vector<int> assigned = KMeans::assign(km.centers(), k, train.x.data(), train.rows, width, o.threads, &inertia);
        ctx.logMetric(QStringLiteral("train.inertia"), inertia, iterations);
        QJsonObject metrics{{QStringLiteral("train.inertia"), inertia}, {QStringLiteral("iterations"), iterations}};
        std::vector<int> majority;
        if (!train.labels.empty()) {
            const double p = purity(assigned, train.labels, k, &majority);
            ctx.logMetric(QStringLiteral("train.purity"), p, iterations);
            metrics.insert(QStringLiteral("train.purity"), p);
        }
        if (validation.rows > 0) {
            double vInertia = 0;
            const std::vector<int> va = KMeans::assign(km.centers(), k, validation.x.data(), validation.rows, width, o.threads, &vInertia);
            ctx.logMetric(QStringLiteral("validation.inertia"), vInertia, iterations);
            metrics.insert(QStringLiteral("validation.inertia"), vInertia);
            if (!validation.labels.empty()) {
                const double p = purity(va, validation.labels, k);
                ctx.logMetric(QStringLiteral("validation.purity"), p, iterations);
                metrics.insert(QStringLiteral("validation.purity"), p);
                // Accuracy when each cluster predicts its training majority label.
                qint64 hits = 0, n = 0;
                for (size_t i = 0; i < va.size(); ++i)
                    if (validation.labels[i] >= 0) {
                        ++n;
                        hits += majority.size() > size_t(va[i]) && majority[size_t(va[i])] == validation.labels[i] ? 1 : 0;
                    }
                if (n && !majority.empty()) {
                    ctx.logMetric(QStringLiteral("validation.accuracy"), double(hits) / double(n), iterations);
                    metrics.insert(QStringLiteral("validation.accuracy"), double(hits) / double(n));
                }
            }
        }
        // Cluster sizes (and majority labels) as an artifact.
        std::vector<qint64> sizes(size_t(k), 0);
        for (int c : assigned)
            ++sizes[size_t(c)];
        QByteArray csv = "cluster,size,majority_label\n";
        QJsonArray clusterLabels;
        for (int c = 0; c < k; ++c) {
            const QString label = majority.empty() || majority[size_t(c)] < 0 ? QString() : classes.value(majority[size_t(c)]);
            csv += QByteArray::number(c) + ',' + QByteArray::number(sizes[size_t(c)]) + ',' + label.toUtf8() + '\n';
            clusterLabels.append(label);
        }
        writeOutputFile(ctx, QStringLiteral("clusters.csv"), csv);
        ctx.artifact(QStringLiteral("clusters.csv"), QStringLiteral("clusters"));

        QJsonArray centers;
        for (float v : km.centers())
            centers.append(double(v));
        const QJsonObject model{{QStringLiteral("k"), k}, {QStringLiteral("width"), width}, {QStringLiteral("centers"), centers}};
        writeOutputFile(ctx, QStringLiteral("model/kmeans.json"), QJsonDocument(model).toJson(QJsonDocument::Compact));
        card.files = QJsonObject{{QStringLiteral("centers"), QStringLiteral("kmeans.json")}};
        card.metrics = metrics;
        card.extra = QJsonObject{{QStringLiteral("k"), k}, {QStringLiteral("clusterLabels"), clusterLabels}, {QStringLiteral("iterations"), iterations}};
        card.save(QDir(ctx.outputDir()).filePath(QStringLiteral("model")));
        ctx.artifact(QStringLiteral("model/model.json"), QStringLiteral("model"));
        ctx.progress(1.0, QStringLiteral("done: %1 iterations").arg(iterations));
    }
};

class KMeansPredictor : public Predictor
{
public:
    KMeansPredictor(ModelCard card, const QString &dir) : m_card(std::move(card))
    {
        QFile f(QDir(dir).filePath(m_card.files.value(QStringLiteral("centers")).toString(QStringLiteral("kmeans.json"))));
        if (!f.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("cannot read the k-means model %1: %2").arg(f.fileName(), f.errorString()));
        const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
        m_k = o.value(QStringLiteral("k")).toInt();
        m_width = o.value(QStringLiteral("width")).toInt();
        for (const QJsonValue &v : o.value(QStringLiteral("centers")).toArray())
            m_centers.push_back(float(v.toDouble()));
        if (m_k <= 0 || m_width <= 0 || m_centers.size() != size_t(m_k) * size_t(m_width))
            throw Error(QStringLiteral("%1 is damaged (%2 center values for k=%3, width %4)").arg(f.fileName()).arg(m_centers.size()).arg(m_k).arg(m_width));
    }

    Predictions predict(const PredictionInput &input) override
    {
        std::vector<float> x;
        qsizetype rows = 0;
        if (input.table) {
            x = encodeForPrediction(m_card, *input.table);
            rows = input.table->rowCount();
        } else if (input.channel.type == data::ChannelSpec::Type::Idx) {
            ImageData img = readIdxImages(input.channel);
            if (img.itemSize() != m_width)
                throw Error(QStringLiteral("%1 has images of %2 values; the model was trained on %3").arg(input.channel.path).arg(img.itemSize()).arg(m_width));
            x = std::move(img.pixels);
            rows = img.count;
        } else {
            throw Error(QStringLiteral("k-means predicts from a CSV table or IDX images, not %1").arg(input.channel.path));
        }
        Predictions p;
        p.task = Task::Clustering;
        p.labels = KMeans::assign(m_centers, m_k, x.data(), rows, m_width, 1, nullptr);
        for (int c = 0; c < m_k; ++c)
            p.classes << QString::number(c);
        return p;
    }

private:
    ModelCard m_card;
    int m_k = 0;
    int m_width = 0;
    std::vector<float> m_centers;
};

} // namespace

ParameterSchema ClassicPlugin::kmeansSchema()
{
    return ParameterSchema({
        Parameter::integer(QStringLiteral("k"), 8, 1, 10000, QStringLiteral("Number of clusters.")),
        Parameter::choice(QStringLiteral("init"), QStringLiteral("k-means++"), {QStringLiteral("k-means++"), QStringLiteral("random")},
                          QStringLiteral("How the first centers are chosen: k-means++ spreads them out.")),
        Parameter::integer(QStringLiteral("max_iter"), 100, 1, 100000, QStringLiteral("Maximum Lloyd iterations.")),
        Parameter::real(QStringLiteral("tol"), 1e-4, 0, 1, QStringLiteral("Stop when the centers move less than this (relative to the data's variance)."), true),
        Parameter::boolean(QStringLiteral("standardize"), true, QStringLiteral("Scale table columns to mean 0, variance 1 first.")),
        Parameter::integer(QStringLiteral("max_rows"), 0, 0, 1e9, QStringLiteral("Use only the first N images of an IDX channel (0: all).")),
    });
}

QList<AlgorithmInfo> ClassicPlugin::algorithms() const
{
    AlgorithmInfo info;
    info.id = QStringLiteral("kmeans");
    info.name = QStringLiteral("k-means clustering");
    info.description = QStringLiteral("Groups rows (or IDX images) into k clusters; reports inertia per iteration and purity when labels exist.");
    info.tasks = {Task::Clustering};
    info.input = QStringLiteral("tabular");
    info.schema = kmeansSchema();
    AlgorithmInfo knn;
    knn.id = QStringLiteral("knn");
    knn.name = QStringLiteral("k-nearest neighbours");
    knn.description = QStringLiteral("Predicts from the k most similar training rows (standardised features, imputed missing values).");
    knn.tasks = {Task::Binary, Task::Multiclass, Task::Regression};
    knn.input = QStringLiteral("tabular");
    knn.schema = knnSchema();
    return {info, knn};
}

std::unique_ptr<Trainer> ClassicPlugin::createTrainer(const QString &algorithmId, const JobSpec &spec)
{
    if (algorithmId == QLatin1String("knn")) {
        knnSchema().resolve(spec.hyperparameters);
        return createKnnTrainer();
    }
    if (algorithmId != QLatin1String("kmeans"))
        throw Error(QStringLiteral("the classic plugin has no algorithm '%1'").arg(algorithmId));
    kmeansSchema().resolve(spec.hyperparameters);
    return std::make_unique<KMeansTrainer>();
}

std::unique_ptr<Predictor> ClassicPlugin::loadPredictor(const ModelCard &card, const QString &modelDir)
{
    if (card.algorithm == QLatin1String("knn"))
        return loadKnnPredictor(card, modelDir);
    return std::make_unique<KMeansPredictor>(card, modelDir);
}

} // namespace cairn::plugins
