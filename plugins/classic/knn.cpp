#include "knn.h"

#include "cairn/algorithms/metrics.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/tabular.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/util/error.h"

#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QSaveFile>

#include <cstring>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cairn::plugins {

namespace {

const char kMagic[] = "CAIRNKNN1";

/// The training rows a k-NN model compares with.
struct Points
{
    Task task = Task::Regression;
    int width = 0;
    int classes = 0;
    qsizetype rows = 0;
    std::vector<float> x;         ///< rows × width
    std::vector<int> labels;      ///< classification
    std::vector<double> values;   ///< regression
};

/// Per query row: class probabilities (rows × classes) or values.
void neighbours(const Points &p, const float *x, qsizetype rows, int k, bool byDistance, std::vector<float> *probabilities,
                std::vector<double> *values)
{
    k = int(std::min<qsizetype>(k, p.rows));
    std::vector<std::pair<float, qsizetype>> dist(size_t(p.rows));
    if (p.task == Task::Regression)
        values->assign(size_t(rows), 0.0);
    else
        probabilities->assign(size_t(rows) * size_t(p.classes), 0.0f);
    for (qsizetype r = 0; r < rows; ++r) {
        const float *q = x + size_t(r) * size_t(p.width);
        for (qsizetype i = 0; i < p.rows; ++i) {
            const float *t = p.x.data() + size_t(i) * size_t(p.width);
            float d = 0;
            for (int j = 0; j < p.width; ++j) {
                const float e = q[j] - t[j];
                d += e * e;
            }
            dist[size_t(i)] = {d, i};
        }
        std::nth_element(dist.begin(), dist.begin() + (k - 1), dist.end());
        double total = 0;
        std::vector<double> votes(size_t(std::max(p.classes, 1)), 0.0);
        double sum = 0;
        for (int n = 0; n < k; ++n) {
            const auto [d, i] = dist[size_t(n)];
            const double w = byDistance ? 1.0 / (std::sqrt(double(d)) + 1e-6) : 1.0;
            total += w;
            if (p.task == Task::Regression)
                sum += w * p.values[size_t(i)];
            else
                votes[size_t(p.labels[size_t(i)])] += w;
        }
        if (p.task == Task::Regression) {
            (*values)[size_t(r)] = sum / total;
        } else {
            for (int c = 0; c < p.classes; ++c)
                (*probabilities)[size_t(r) * size_t(p.classes) + size_t(c)] = float(votes[size_t(c)] / total);
        }
    }
}

std::vector<int> argmax(const std::vector<float> &probabilities, int classes)
{
    std::vector<int> labels(probabilities.size() / size_t(std::max(classes, 1)));
    for (size_t r = 0; r < labels.size(); ++r) {
        const auto begin = probabilities.begin() + qsizetype(r * size_t(classes));
        labels[r] = int(std::max_element(begin, begin + classes) - begin);
    }
    return labels;
}

class KnnTrainer : public Trainer
{
public:
    void run(JobContext &ctx) override
    {
        const JobSpec &spec = ctx.spec();
        const QJsonObject hp = knnSchema().resolve(spec.hyperparameters);
        data::FeatureEncoderOptions options;
        options.standardize = true; // distances need comparable scales
        options.imputeMissing = true;
        options.imputeMedian = true;
        options.missingIndicators = true;
        TabularData d = prepareTabular(ctx, options);
        if (d.task == Task::Clustering)
            throw Error(QStringLiteral("k-nearest neighbours needs a target to predict; use kmeans for clustering"));
        const int k = hp.value(QStringLiteral("k")).toInt();
        const bool byDistance = hp.value(QStringLiteral("weights")).toString() == QLatin1String("distance");
        if (d.nTrain < 1)
            throw Error(QStringLiteral("no training rows"));
        Points p;
        p.task = d.task;
        p.width = d.width;
        p.classes = d.classCount();
        p.rows = d.nTrain;
        p.x = std::move(d.xTrain);
        p.labels = d.labelsTrain;
        p.values = d.valuesTrain;
        ctx.log(QStringLiteral("%1 training rows of %2 features; k = %3 (%4 votes)").arg(p.rows).arg(p.width).arg(k).arg(byDistance ? QStringLiteral("distance-weighted") : QStringLiteral("equal")));

        ModelCard card = tabularModelCard(ctx, d, QStringLiteral("classic"));
        QJsonObject metrics;
        if (d.nValidation > 0) {
            ctx.progress(0.5, QStringLiteral("scoring %1 validation rows").arg(d.nValidation));
            std::vector<float> probs;
            std::vector<double> values;
            neighbours(p, d.xValidation.data(), d.nValidation, k, byDistance, &probs, &values);
            if (d.task == Task::Regression) {
                const RegressionMetrics m = regressionMetrics(d.valuesValidation, values);
                reportRegression(ctx, QStringLiteral("validation"), m, 0);
                for (auto [key, v] : m.values().asKeyValueRange())
                    metrics.insert(QStringLiteral("validation.") + key, v);
            } else {
                const ClassificationMetrics m = classificationMetrics(d.labelsValidation, probs, p.classes);
                reportClassification(ctx, QStringLiteral("validation"), m, d.classes, 0, QStringLiteral("confusion_matrix.csv"));
                for (auto [key, v] : m.values().asKeyValueRange())
                    metrics.insert(QStringLiteral("validation.") + key, v);
            }
        }

        const QString dir = QDir(ctx.outputDir()).filePath(QStringLiteral("model"));
        QDir().mkpath(dir);
        QSaveFile f(QDir(dir).filePath(QStringLiteral("knn.bin")));
        if (!f.open(QIODevice::WriteOnly))
            throw Error(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
        QDataStream out(&f);
        out.writeRawData(kMagic, int(sizeof(kMagic)));
        out << qint32(p.width) << qint32(p.classes) << qint64(p.rows);
        out.writeRawData(reinterpret_cast<const char *>(p.x.data()), int(p.x.size() * sizeof(float)));
        if (p.task == Task::Regression)
            out.writeRawData(reinterpret_cast<const char *>(p.values.data()), int(p.values.size() * sizeof(double)));
        else
            out.writeRawData(reinterpret_cast<const char *>(p.labels.data()), int(p.labels.size() * sizeof(int)));
        if (!f.commit())
            throw Error(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
        card.files = QJsonObject{{QStringLiteral("points"), QStringLiteral("knn.bin")}};
        card.metrics = metrics;
        card.extra = QJsonObject{{QStringLiteral("k"), k}, {QStringLiteral("weights"), hp.value(QStringLiteral("weights"))}};
        card.save(dir);
        ctx.artifact(QStringLiteral("model/model.json"), QStringLiteral("model"));
        ctx.progress(1.0, QStringLiteral("done"));
    }
};

class KnnPredictor : public Predictor
{
public:
    KnnPredictor(ModelCard card, const QString &dir) : m_card(std::move(card))
    {
        const QJsonObject hp = knnSchema().resolve(m_card.hyperparameters);
        m_k = m_card.extra.value(QStringLiteral("k")).toInt(hp.value(QStringLiteral("k")).toInt());
        m_byDistance = m_card.extra.value(QStringLiteral("weights")).toString(hp.value(QStringLiteral("weights")).toString()) == QLatin1String("distance");
        const std::optional<Task> task = taskFromName(m_card.task);
        if (!task || *task == Task::Clustering)
            throw Error(QStringLiteral("the k-NN model has an unknown task '%1'").arg(m_card.task));
        m_points.task = *task;
        QFile f(QDir(dir).filePath(m_card.files.value(QStringLiteral("points")).toString(QStringLiteral("knn.bin"))));
        if (!f.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("cannot read the k-NN model %1: %2").arg(f.fileName(), f.errorString()));
        QDataStream in(&f);
        char magic[sizeof(kMagic)] = {};
        qint32 width = 0, classes = 0;
        qint64 rows = 0;
        in.readRawData(magic, int(sizeof(kMagic)));
        in >> width >> classes >> rows;
        const qint64 need = rows * width * qint64(sizeof(float)) + rows * qint64(m_points.task == Task::Regression ? sizeof(double) : sizeof(int));
        if (std::memcmp(magic, kMagic, sizeof(kMagic)) != 0 || width <= 0 || rows <= 0 || f.size() - f.pos() != need)
            throw Error(QStringLiteral("%1 is not a k-NN model or is damaged").arg(f.fileName()));
        m_points.width = width;
        m_points.classes = classes;
        m_points.rows = rows;
        m_points.x.resize(size_t(rows) * size_t(width));
        in.readRawData(reinterpret_cast<char *>(m_points.x.data()), int(m_points.x.size() * sizeof(float)));
        if (m_points.task == Task::Regression) {
            m_points.values.resize(size_t(rows));
            in.readRawData(reinterpret_cast<char *>(m_points.values.data()), int(rows * qint64(sizeof(double))));
        } else {
            m_points.labels.resize(size_t(rows));
            in.readRawData(reinterpret_cast<char *>(m_points.labels.data()), int(rows * qint64(sizeof(int))));
            for (int l : m_points.labels)
                if (l < 0 || l >= classes)
                    throw Error(QStringLiteral("%1 is damaged (class %2 of %3)").arg(f.fileName()).arg(l).arg(classes));
        }
    }

    Predictions predict(const PredictionInput &input) override
    {
        if (!input.table && input.channel.type != data::ChannelSpec::Type::Csv)
            throw Error(QStringLiteral("k-nearest neighbours predicts from a CSV table, not %1").arg(input.channel.path));
        const data::Table table = input.table ? data::Table() : readChannelTable(input.channel);
        const data::Table &rows = input.table ? *input.table : table;
        const std::vector<float> x = encodeForPrediction(m_card, rows);
        Predictions p;
        p.task = m_points.task;
        p.classes = m_card.classes;
        neighbours(m_points, x.data(), rows.rowCount(), m_k, m_byDistance, &p.probabilities, &p.values);
        if (p.task != Task::Regression)
            p.labels = argmax(p.probabilities, m_points.classes);
        return p;
    }

private:
    ModelCard m_card;
    Points m_points;
    int m_k = 5;
    bool m_byDistance = false;
};

} // namespace

ParameterSchema knnSchema()
{
    return ParameterSchema({
        Parameter::integer(QStringLiteral("k"), 5, 1, 1000, QStringLiteral("Neighbours that vote (or average) for each row.")),
        Parameter::choice(QStringLiteral("weights"), QStringLiteral("uniform"), {QStringLiteral("uniform"), QStringLiteral("distance")},
                          QStringLiteral("Equal votes, or votes weighted by 1 / distance.")),
    });
}

std::unique_ptr<Trainer> createKnnTrainer()
{
    return std::make_unique<KnnTrainer>();
}

std::unique_ptr<Predictor> loadKnnPredictor(const ModelCard &card, const QString &modelDir)
{
    return std::make_unique<KnnPredictor>(card, modelDir);
}

} // namespace cairn::plugins
