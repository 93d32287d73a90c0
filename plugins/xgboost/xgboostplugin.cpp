#include "xgboostplugin.h"

#include "cairn/algorithms/explain.h"
#include "cairn/algorithms/metrics.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/tabular.h"
#include "cairn/jobs/distributed.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/util/error.h"

#include <QDir>
#include <QProcess>
#include <QSysInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace cairn::plugins {

namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

/// XGBoost's last error without its native stack trace and source location: a user reads the
/// reason, never a backtrace.
QString lastError()
{
    QString text = QString::fromUtf8(XGBGetLastError());
    if (const qsizetype trace = text.indexOf(QLatin1String("Stack trace:")); trace >= 0)
        text.truncate(trace);
    static const QRegularExpression location(QStringLiteral("^\\[\\d\\d:\\d\\d:\\d\\d\\]\\s+\\S+:\\d+:\\s*"), QRegularExpression::MultilineOption);
    text.remove(location);
    return text.trimmed();
}

/// Our name for a metric XGBoost evaluates each round, so that one quantity has one name across
/// algorithms and beside our own final scores: XGBoost's logloss and mlogloss are our log_loss,
/// its merror (the multiclass error rate) is error, like its binary error.
QString metricName(const QString &xgboostName)
{
    if (xgboostName == QLatin1String("logloss") || xgboostName == QLatin1String("mlogloss"))
        return QStringLiteral("log_loss");
    if (xgboostName == QLatin1String("merror"))
        return QStringLiteral("error");
    return xgboostName;
}

void check(int rc, const char *what)
{
    if (rc != 0)
        throw Error(QStringLiteral("XGBoost: %1 failed: %2").arg(QLatin1String(what), lastError()));
}

struct DMatrix
{
    DMatrixHandle h = nullptr;
    ~DMatrix() { if (h) XGDMatrixFree(h); }
};

struct Booster
{
    BoosterHandle h = nullptr;
    ~Booster() { if (h) XGBoosterFree(h); }
};

/// XGBoost refuses feature names with [ ] < and commas confuse its dumps.
QByteArray safeName(const QString &name)
{
    // Compiled once: endpoints name the features of every request.
    static const QRegularExpression forbidden(QStringLiteral("[\\[\\]<,]"));
    QString s = name;
    s.replace(forbidden, QStringLiteral("_"));
    return s.toUtf8();
}

void makeMatrix(DMatrix &m, const std::vector<float> &x, qsizetype rows, int width, int threads,
                const std::vector<bool> &categorical, const QStringList &names)
{
    check(XGDMatrixCreateFromMat_omp(x.data(), bst_ulong(rows), bst_ulong(width), kMissing, &m.h, threads), "creating the data matrix");
    std::vector<QByteArray> nameBytes;
    std::vector<const char *> namePtrs, typePtrs;
    for (const QString &n : names)
        nameBytes.push_back(safeName(n));
    for (const QByteArray &b : nameBytes)
        namePtrs.push_back(b.constData());
    if (int(namePtrs.size()) == width)
        check(XGDMatrixSetStrFeatureInfo(m.h, "feature_name", namePtrs.data(), bst_ulong(width)), "naming features");
    if (std::find(categorical.begin(), categorical.end(), true) != categorical.end()) {
        for (bool c : categorical)
            typePtrs.push_back(c ? "c" : "q");
        check(XGDMatrixSetStrFeatureInfo(m.h, "feature_type", typePtrs.data(), bst_ulong(width)), "setting feature types");
    }
}

QString objectiveFor(Task task, const QString &chosen)
{
    if (chosen != QLatin1String("auto"))
        return chosen;
    switch (task) {
    case Task::Binary: return QStringLiteral("binary:logistic");
    case Task::Multiclass: return QStringLiteral("multi:softprob");
    default: return QStringLiteral("reg:squarederror");
    }
}

std::optional<Task> taskOfObjective(const QString &objective)
{
    if (objective.startsWith(QLatin1String("binary:")))
        return Task::Binary;
    if (objective.startsWith(QLatin1String("multi:")))
        return Task::Multiclass;
    if (objective.startsWith(QLatin1String("reg:")) || objective.startsWith(QLatin1String("count:")))
        return Task::Regression;
    return std::nullopt;
}

bool higherIsBetter(const QString &metric)
{
    return metric.startsWith(QLatin1String("auc")) || metric.startsWith(QLatin1String("map")) || metric.startsWith(QLatin1String("ndcg")) || metric.startsWith(QLatin1String("pre"));
}

int treeDepth(const QJsonObject &node)
{
    int depth = 0;
    for (const QJsonValue &child : node.value(QLatin1String("children")).toArray())
        depth = std::max(depth, 1 + treeDepth(child.toObject()));
    return depth;
}

/// The debugger's collections per round (when due): feature importance by weight and gain,
/// one scalar per feature, and the depths of the trees this round added.
void collectDebugger(JobContext &ctx, BoosterHandle booster, int round, bool linear)
{
    if (ctx.collects(QStringLiteral("feature_importance"), round)) {
        for (const char *type : {"weight", "gain"}) {
            if (linear && std::string(type) == "gain")
                continue;
            const QByteArray config = QByteArray(R"({"importance_type":")") + type + "\"}";
            bst_ulong n = 0, dim = 0;
            const char **names = nullptr;
            const bst_ulong *shape = nullptr;
            const float *scores = nullptr;
            if (XGBoosterFeatureScore(booster, config.constData(), &n, &names, &dim, &shape, &scores) != 0 || dim < 1)
                continue;
            const bst_ulong stride = dim == 1 ? 1 : std::max<bst_ulong>(1, shape[dim - 1]);
            for (bst_ulong i = 0; i < n; ++i) {
                float v = 0;
                for (bst_ulong j = 0; j < stride; ++j)
                    v += std::abs(scores[i * stride + j]);
                TensorStats st = TensorStats::of(QStringLiteral("feature_importance/%1/%2").arg(QLatin1String(type), QString::fromUtf8(names[i])),
                                                 round, &v, 1);
                st.collection = QStringLiteral("feature_importance");
                ctx.tensorStats(st);
            }
        }
    }
    if (!linear && ctx.collects(QStringLiteral("tree_depth"), round)) {
        bst_ulong n = 0;
        const char **dump = nullptr;
        if (XGBoosterDumpModelEx(booster, "", 0, "json", &n, &dump) != 0 || n == 0)
            return;
        // Every round adds the same number of trees (classes × parallel trees): take the last ones.
        const bst_ulong perRound = std::max<bst_ulong>(1, n / bst_ulong(round + 1));
        std::vector<float> depths;
        for (bst_ulong t = n - std::min(n, perRound); t < n; ++t)
            depths.push_back(float(treeDepth(QJsonDocument::fromJson(QByteArray(dump[t])).object())));
        TensorStats st = TensorStats::of(QStringLiteral("trees.depth"), round, depths.data(), qint64(depths.size()));
        st.collection = QStringLiteral("tree_depth");
        ctx.tensorStats(st);
    }
}

/// Predictions of `booster` on `m` as class probabilities (rows × k) or values.
void predict(BoosterHandle booster, DMatrixHandle m, qsizetype rows, Task task, int k, const QString &objective,
             std::vector<float> *probabilities, std::vector<double> *values)
{
    bst_ulong len = 0;
    const float *out = nullptr;
    check(XGBoosterPredict(booster, m, 0, 0, 0, &len, &out), "predicting");
    if (task == Task::Regression) {
        values->assign(out, out + len);
        return;
    }
    probabilities->assign(size_t(rows) * size_t(k), 0.0f);
    if (task == Task::Binary && qsizetype(len) == rows) {
        for (qsizetype r = 0; r < rows; ++r) {
            const float p = std::clamp(out[r], 0.0f, 1.0f);
            (*probabilities)[size_t(r) * 2] = 1.0f - p;
            (*probabilities)[size_t(r) * 2 + 1] = p;
        }
    } else if (objective == QLatin1String("multi:softmax") && qsizetype(len) == rows) {
        for (qsizetype r = 0; r < rows; ++r)
            (*probabilities)[size_t(r) * size_t(k) + size_t(std::clamp(int(out[r]), 0, k - 1))] = 1.0f;
    } else if (qsizetype(len) == rows * k) {
        probabilities->assign(out, out + len);
    } else {
        throw Error(QStringLiteral("XGBoost returned %1 predictions for %2 rows of %3 classes").arg(len).arg(rows).arg(k));
    }
}

/// XGBoost's own collective (rabit) for a job of several ranks: rank 0 runs the tracker, which
/// XGBoost 1.7 ships in Python only (xgboost.tracker from python3-xgboost), and every rank joins
/// with XGCommunicatorInit. Trees are then grown from histograms all-reduced over the ranks' shards.
class RabitCollective
{
public:
    explicit RabitCollective(JobContext &ctx)
    {
        const std::optional<DistributedPlace> place = DistributedPlace::fromEnvironment();
        if (!place || place->worldSize == 1)
            return;
        m_place = *place;
        bool ok = false;
        const double timeout = qEnvironmentVariable("CAIRN_DIST_TIMEOUT").toDouble(&ok);
        const int timeoutSeconds = ok && timeout > 0 ? int(std::ceil(timeout)) : 120;
        if (m_place.rank == 0) {
            static const char *script = "import sys\n"
                                        "from xgboost.tracker import RabitTracker\n"
                                        "n = int(sys.argv[2])\n"
                                        "t = RabitTracker(host_ip=sys.argv[1], n_workers=n, port=int(sys.argv[3]), sortby='task')\n"
                                        "t.start(n)\n"
                                        "print('ready', flush=True)\n"
                                        "t.join()\n";
            m_tracker.setProcessChannelMode(QProcess::MergedChannels);
            m_tracker.start(qEnvironmentVariable("CAIRN_PYTHON", QStringLiteral("/usr/bin/python3")),
                            {QStringLiteral("-c"), QString::fromLatin1(script), m_place.masterAddr, QString::number(m_place.worldSize),
                             QString::number(m_place.masterPort)});
            QByteArray said;
            while (!said.contains("ready") && m_tracker.waitForReadyRead(timeoutSeconds * 1000))
                said += m_tracker.readAll();
            if (!said.contains("ready"))
                throw Error(QStringLiteral("distributed: XGBoost's tracker did not start on %1:%2 (it needs python3 with the xgboost module, "
                                           "Debian's python3-xgboost): %3")
                                .arg(m_place.masterAddr).arg(m_place.masterPort).arg(QString::fromLocal8Bit(said.right(600)).trimmed()));
        }
        const QJsonObject config{{QStringLiteral("dmlc_communicator"), QStringLiteral("rabit")},
                                 {QStringLiteral("DMLC_TRACKER_URI"), m_place.masterAddr},
                                 {QStringLiteral("DMLC_TRACKER_PORT"), m_place.masterPort},
                                 {QStringLiteral("DMLC_TASK_ID"), QString::number(m_place.rank)},
                                 {QStringLiteral("DMLC_WORKER_CONNECT_RETRY"), 30},
                                 {QStringLiteral("rabit_timeout"), true},
                                 {QStringLiteral("rabit_timeout_sec"), timeoutSeconds}};
        check(XGCommunicatorInit(QJsonDocument(config).toJson(QJsonDocument::Compact).constData()), "joining the other ranks (XGBoost's collective)");
        m_active = true;
        ctx.log(QStringLiteral("distributed: XGBoost rank %1 of %2 on %3 (tracker %4:%5)")
                    .arg(XGCommunicatorGetRank()).arg(XGCommunicatorGetWorldSize()).arg(QSysInfo::machineHostName(), m_place.masterAddr).arg(m_place.masterPort));
        if (m_place.rank == 0) {
            ctx.logParam(QStringLiteral("distributed.world_size"), QString::number(m_place.worldSize));
            ctx.setTag(QStringLiteral("distributed.backend"), QStringLiteral("xgboost rabit (%1 variables)").arg(m_place.source));
        }
    }
    ~RabitCollective() { finish(); }

    bool active() const { return m_active; }
    int rank() const { return m_place.rank; }
    int worldSize() const { return m_place.worldSize; }
    /// Whether any rank was asked to stop: every rank stops after the same round.
    bool anyStop(bool mine)
    {
        if (!m_active)
            return mine;
        float flag = mine ? 1.0f : 0.0f;
        check(XGCommunicatorAllreduce(&flag, 1, /* kFloat */ 6, /* kMax */ 0), "agreeing on a stop");
        return flag > 0;
    }
    /// Leaves the collective: after this, rank 0 scores and saves on its own.
    void finish()
    {
        if (!m_active)
            return;
        m_active = false;
        XGCommunicatorFinalize();
        if (m_tracker.state() != QProcess::NotRunning && !m_tracker.waitForFinished(5000))
            m_tracker.kill();
    }

private:
    DistributedPlace m_place;
    QProcess m_tracker;
    bool m_active = false;
};

class XgboostTrainer : public Trainer
{
public:
    void run(JobContext &ctx) override
    {
        const JobSpec &spec = ctx.spec();
        const QJsonObject hp = XgboostPlugin::schema().resolve(spec.hyperparameters);
        const bool categorical = hp.value(QStringLiteral("enable_categorical")).toBool();
        const QString chosenObjective = hp.value(QStringLiteral("objective")).toString();
        data::FeatureEncoderOptions options;
        options.oneHot = !categorical;
        options.maxCategories = categorical ? 4096 : 64;
        TabularData d = prepareTabular(ctx, options, taskOfObjective(chosenObjective));
        if (d.task == Task::Clustering)
            throw Error(QStringLiteral("XGBoost does not do clustering; use kmeans"));
        const int threads = ctx.cpuCount();
        RabitCollective collective(ctx);
        if (collective.active()) {
            // This rank's shard of the training rows: every world-size-th, from its rank on.
            std::vector<float> x;
            std::vector<int> labels;
            std::vector<double> values;
            qsizetype rows = 0;
            for (qsizetype r = collective.rank(); r < d.nTrain; r += collective.worldSize(), ++rows) {
                x.insert(x.end(), d.xTrain.begin() + r * d.width, d.xTrain.begin() + (r + 1) * d.width);
                if (!d.labelsTrain.empty())
                    labels.push_back(d.labelsTrain[size_t(r)]);
                if (!d.valuesTrain.empty())
                    values.push_back(d.valuesTrain[size_t(r)]);
            }
            ctx.log(QStringLiteral("distributed: this rank trains on %1 of the %2 training rows").arg(rows).arg(d.nTrain));
            d.xTrain = std::move(x);
            d.labelsTrain = std::move(labels);
            d.valuesTrain = std::move(values);
            d.nTrain = rows;
        }
        const QString objective = objectiveFor(d.task, chosenObjective);
        const int k = d.classCount();

        auto labelsOf = [&](const std::vector<int> &l, const std::vector<double> &v) {
            std::vector<float> y;
            if (d.task == Task::Regression)
                for (double x : v) y.push_back(float(x));
            else
                for (int x : l) y.push_back(float(x));
            return y;
        };
        const QStringList featureNames = d.encoder.featureNames();
        const std::vector<bool> catFeatures = d.encoder.categoricalFeatures();
        DMatrix train, validation;
        makeMatrix(train, d.xTrain, d.nTrain, d.width, threads, catFeatures, featureNames);
        const std::vector<float> yTrain = labelsOf(d.labelsTrain, d.valuesTrain);
        check(XGDMatrixSetFloatInfo(train.h, "label", yTrain.data(), bst_ulong(yTrain.size())), "setting labels");
        const bool hasValidation = d.nValidation > 0;
        if (hasValidation) {
            makeMatrix(validation, d.xValidation, d.nValidation, d.width, threads, catFeatures, featureNames);
            const std::vector<float> yVal = labelsOf(d.labelsValidation, d.valuesValidation);
            check(XGDMatrixSetFloatInfo(validation.h, "label", yVal.data(), bst_ulong(yVal.size())), "setting validation labels");
        }
        // Free the encoded copies: XGBoost holds its own.
        d.xTrain = {};

        Booster booster;
        DMatrixHandle both[2] = {train.h, validation.h};
        check(XGBoosterCreate(both, hasValidation ? 2 : 1, &booster.h), "creating the booster");
        {
            // Name the booster's features so importance and dumps speak the table's language.
            std::vector<QByteArray> bytes;
            std::vector<const char *> ptrs;
            for (const QString &n : featureNames)
                bytes.push_back(safeName(n));
            for (const QByteArray &b : bytes)
                ptrs.push_back(b.constData());
            if (int(ptrs.size()) == d.width)
                check(XGBoosterSetStrFeatureInfo(booster.h, "feature_name", ptrs.data(), bst_ulong(ptrs.size())), "naming features");
        }
        auto set = [&](const char *key, const QString &value) {
            check(XGBoosterSetParam(booster.h, key, value.toUtf8().constData()), key);
        };
        auto num = [&](const char *key) { return QString::number(hp.value(QLatin1String(key)).toDouble(), 'g', 17); };
        set("objective", objective);
        set("nthread", QString::number(threads));
        set("seed", QString::number(spec.seed % 2147483647));
        set("verbosity", QStringLiteral("1"));
        for (const char *key : {"eta", "max_depth", "min_child_weight", "subsample", "colsample_bytree", "colsample_bylevel",
                                "colsample_bynode", "alpha", "lambda", "gamma", "max_bin", "scale_pos_weight",
                                "num_parallel_tree", "max_leaves"})
            set(key, num(key));
        set("grow_policy", hp.value(QStringLiteral("grow_policy")).toString());
        set("booster", hp.value(QStringLiteral("booster")).toString());
        QString treeMethod = hp.value(QStringLiteral("tree_method")).toString();
        if (categorical && treeMethod != QLatin1String("hist") && treeMethod != QLatin1String("approx")) {
            ctx.log(QStringLiteral("categorical features need tree_method hist or approx: using hist"), LogLevel::Warning);
            treeMethod = QStringLiteral("hist");
        }
        set("tree_method", treeMethod);
        if (d.task == Task::Multiclass) {
            const int given = hp.value(QStringLiteral("num_class")).toInt();
            if (given != 0 && given != k)
                throw Error(QStringLiteral("num_class is %1 but the target has %2 classes (%3); leave num_class at 0").arg(given).arg(k).arg(d.classes.join(QStringLiteral(", "))));
            set("num_class", QString::number(k));
        }
        QStringList metrics = hp.value(QStringLiteral("eval_metric")).toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
        if (metrics.isEmpty() || metrics == QStringList{QStringLiteral("auto")})
            metrics = d.task == Task::Binary ? QStringList{QStringLiteral("logloss"), QStringLiteral("auc")}
                      : d.task == Task::Multiclass ? QStringList{QStringLiteral("merror"), QStringLiteral("mlogloss")}
                                                   : QStringList{QStringLiteral("mae"), QStringLiteral("rmse")};
        for (const QString &m : metrics)
            set("eval_metric", m.trimmed());
        ctx.logParam(QStringLiteral("objective_resolved"), objective);
        ctx.logParam(QStringLiteral("task"), taskName(d.task));

        const int rounds = hp.value(QStringLiteral("num_round")).toInt();
        const int patience = hp.value(QStringLiteral("early_stopping_rounds")).toInt();
        const QString stopMetric = metrics.last().trimmed();
        const bool maximize = higherIsBetter(stopMetric);
        double best = maximize ? -HUGE_VAL : HUGE_VAL;
        int bestRound = -1;
        int done = 0;
        const char *evalNames[2] = {"train", "validation"};
        static const QRegularExpression item(QStringLiteral("(train|validation)-([^:\\s]+):(\\S+)"));
        for (int i = 0; i < rounds; ++i) {
            if (collective.anyStop(ctx.stopRequested())) {
                ctx.log(QStringLiteral("stop requested: keeping the %1 rounds trained so far").arg(i), LogLevel::Warning);
                break;
            }
            check(XGBoosterUpdateOneIter(booster.h, i, train.h), "training a round");
            done = i + 1;
            const char *evalOut = nullptr;
            check(XGBoosterEvalOneIter(booster.h, i, both, evalNames, hasValidation ? 2 : 1, &evalOut), "evaluating");
            auto it = item.globalMatch(QString::fromUtf8(evalOut));
            while (it.hasNext()) {
                const auto m = it.next();
                const double v = m.captured(3).toDouble();
                ctx.logMetric(m.captured(1) + QLatin1Char('.') + metricName(m.captured(2)), v, i);
                if (m.captured(1) == QLatin1String("validation") && m.captured(2) == stopMetric) {
                    if (maximize ? v > best : v < best) {
                        best = v;
                        bestRound = i;
                    }
                }
            }
            collectDebugger(ctx, booster.h, i, hp.value(QStringLiteral("booster")).toString() == QLatin1String("gblinear"));
            ctx.progress(double(i + 1) / rounds, QStringLiteral("round %1/%2").arg(i + 1).arg(rounds));
            if (patience > 0 && hasValidation && bestRound >= 0 && i - bestRound >= patience) {
                ctx.log(QStringLiteral("early stopping: validation %1 has not improved for %2 rounds (best %3 at round %4)")
                            .arg(stopMetric).arg(patience).arg(best).arg(bestRound));
                break;
            }
        }
        if (done == 0)
            throw Error(QStringLiteral("stopped before the first round; no model to save"));
        // Every rank has the same trees; rank 0 scores and saves them.
        const bool master = !collective.active() || collective.rank() == 0;
        collective.finish();
        if (!master)
            return;
        BoosterHandle finalBooster = booster.h;
        Booster sliced;
        if (patience > 0 && bestRound >= 0 && bestRound + 1 < done && hp.value(QStringLiteral("booster")).toString() != QLatin1String("gblinear")) {
            check(XGBoosterSlice(booster.h, 0, bestRound + 1, 1, &sliced.h), "keeping the best rounds");
            finalBooster = sliced.h;
            ctx.logMetric(QStringLiteral("best_iteration"), bestRound, bestRound);
        }

        ModelCard card = tabularModelCard(ctx, d, QStringLiteral("xgboost"));
        // Final metrics with our own definitions, comparable across algorithms.
        QJsonObject finalMetrics;
        auto score = [&](const QString &prefix, DMatrixHandle m, qsizetype rows, const std::vector<int> &labels, const std::vector<double> &values, const QString &confusionFile) {
            std::vector<float> probs;
            std::vector<double> preds;
            predict(finalBooster, m, rows, d.task, k, objective, &probs, &preds);
            if (d.task == Task::Regression) {
                const RegressionMetrics r = regressionMetrics(values, preds);
                reportRegression(ctx, prefix, r, done);
                for (auto [key, v] : r.values().asKeyValueRange())
                    finalMetrics.insert(prefix + QLatin1Char('.') + key, v);
            } else {
                const ClassificationMetrics c = classificationMetrics(labels, probs, k);
                reportClassification(ctx, prefix, c, d.classes, done, confusionFile);
                for (auto [key, v] : c.values().asKeyValueRange())
                    finalMetrics.insert(prefix + QLatin1Char('.') + key, v);
            }
        };
        if (hasValidation)
            score(QStringLiteral("validation"), validation.h, d.nValidation, d.labelsValidation, d.valuesValidation, QStringLiteral("confusion_matrix.csv"));
        if (spec.hasChannel(QStringLiteral("test"))) {
            const data::Table test = readChannelTable(spec.channels.value(QStringLiteral("test")));
            const std::vector<float> xt = d.encoder.transform(test, spec.channels.value(QStringLiteral("test")).path);
            DMatrix tm;
            makeMatrix(tm, xt, test.rowCount(), d.width, threads, catFeatures, featureNames);
            const data::Column &tc = test.column(d.target);
            std::vector<int> tl;
            std::vector<double> tv;
            std::vector<qsizetype> keep;
            for (qsizetype r = 0; r < test.rowCount(); ++r) {
                if (tc.isMissing(r))
                    continue;
                if (d.task == Task::Regression)
                    tv.push_back(tc.values[size_t(r)]);
                else
                    tl.push_back(int(d.classes.indexOf(tc.text(r))));
                keep.push_back(r);
            }
            if (qsizetype(keep.size()) == test.rowCount() && std::find(tl.begin(), tl.end(), -1) == tl.end())
                score(QStringLiteral("test"), tm.h, test.rowCount(), tl, tv, QStringLiteral("confusion_matrix_test.csv"));
            else
                ctx.log(QStringLiteral("test data has rows without a known target; not scored"), LogLevel::Warning);
        }

        // Feature importance (gain); gblinear only has weights.
        const bool linear = hp.value(QStringLiteral("booster")).toString() == QLatin1String("gblinear");
        bst_ulong nFeatures = 0, dim = 0;
        const char **fnames = nullptr;
        const bst_ulong *shape = nullptr;
        const float *scores = nullptr;
        const QByteArray importanceConfig = linear ? QByteArray(R"({"importance_type":"weight"})") : QByteArray(R"({"importance_type":"gain"})");
        if (XGBoosterFeatureScore(finalBooster, importanceConfig.constData(), &nFeatures, &fnames, &dim, &shape, &scores) == 0 && dim >= 1) {
            QList<std::pair<double, QString>> imp;
            const bst_ulong stride = nFeatures ? (shape[dim - 1] ? (dim == 1 ? 1 : shape[dim - 1]) : 1) : 1;
            for (bst_ulong i = 0; i < nFeatures; ++i) {
                double s = 0;
                for (bst_ulong j = 0; j < stride; ++j)
                    s += std::abs(scores[i * stride + j]);
                imp << std::make_pair(s, QString::fromUtf8(fnames[i]));
            }
            std::sort(imp.begin(), imp.end(), [](auto &a, auto &b) { return a.first > b.first; });
            QByteArray csv = linear ? "feature,weight\n" : "feature,gain\n";
            for (const auto &[s, n] : imp)
                csv += n.toUtf8() + ',' + QByteArray::number(s, 'g', 8) + '\n';
            writeOutputFile(ctx, QStringLiteral("feature_importance.csv"), csv);
            ctx.artifact(QStringLiteral("feature_importance.csv"), QStringLiteral("feature-importance"));
            for (int i = 0; i < std::min<int>(20, int(imp.size())); ++i)
                ctx.logMetric(QStringLiteral("importance.") + imp[i].second, imp[i].first, 0);
        } else {
            ctx.log(QStringLiteral("no feature importance: %1").arg(lastError()), LogLevel::Warning);
        }

        const QString modelDir = QDir(ctx.outputDir()).filePath(QStringLiteral("model"));
        QDir().mkpath(modelDir);
        const QString boosterFile = QDir(modelDir).filePath(QStringLiteral("model.xgb.json"));
        check(XGBoosterSaveModel(finalBooster, QFile::encodeName(boosterFile).constData()), "saving the model");
        card.files = QJsonObject{{QStringLiteral("booster"), QStringLiteral("model.xgb.json")}};
        card.metrics = finalMetrics;
        card.extra = QJsonObject{{QStringLiteral("objective"), objective}, {QStringLiteral("rounds"), done},
                                 {QStringLiteral("bestIteration"), bestRound}, {QStringLiteral("categorical"), categorical}};
        card.save(modelDir);
        ctx.artifact(QStringLiteral("model/model.json"), QStringLiteral("model"));
        ctx.artifact(QStringLiteral("model/model.xgb.json"), QStringLiteral("model-file"));
        ctx.progress(1.0, QStringLiteral("done: %1 rounds").arg(done));
    }
};

class XgboostPredictor : public Predictor
{
public:
    XgboostPredictor(ModelCard card, const QString &dir) : m_card(std::move(card))
    {
        const QString file = QDir(dir).filePath(m_card.files.value(QStringLiteral("booster")).toString(QStringLiteral("model.xgb.json")));
        check(XGBoosterCreate(nullptr, 0, &m_booster.h), "creating the booster");
        check(XGBoosterLoadModel(m_booster.h, QFile::encodeName(file).constData()), "loading the model");
        m_task = taskFromName(m_card.task).value_or(Task::Regression);
        m_objective = m_card.extra.value(QStringLiteral("objective")).toString();
        // Read once, not per call (an endpoint predicts one row at a time).
        m_encoder = data::FeatureEncoder::fromJson(m_card.preprocessing.value(QStringLiteral("encoder")).toObject());
        m_categorical = m_encoder.categoricalFeatures();
        m_featureNames = m_encoder.featureNames();
    }

    Predictions predict(const PredictionInput &input) override
    {
        if (!input.table)
            throw Error(QStringLiteral("the XGBoost model predicts from a table (CSV); %1 is not one").arg(input.channel.path));
        const data::FeatureEncoder &encoder = m_encoder;
        const std::vector<float> x = encoder.transform(*input.table, input.channel.path);
        const qsizetype rows = input.table->rowCount();
        DMatrix m;
        makeMatrix(m, x, rows, encoder.width(), 0, m_categorical, m_featureNames);
        Predictions p;
        p.task = m_task;
        p.classes = m_card.classes;
        const int k = int(p.classes.size());
        cairn::plugins::predict(m_booster.h, m.h, rows, m_task, k, m_objective, &p.probabilities, &p.values);
        if (m_task != Task::Regression) {
            p.labels.resize(size_t(rows));
            for (qsizetype r = 0; r < rows; ++r) {
                const float *row = p.probabilities.data() + size_t(r) * size_t(k);
                p.labels[size_t(r)] = int(std::max_element(row, row + k) - row);
            }
        }
        return p;
    }

    /// Tree SHAP values (XGBoost's pred_contribs) in margin space, summed from the encoded
    /// features (one-hot indicators) back to the input columns.
    std::optional<Contributions> contributions(const PredictionInput &input) override
    {
        if (!input.table)
            throw Error(QStringLiteral("the XGBoost model explains rows of a table (CSV); %1 is not one").arg(input.channel.path));
        const data::FeatureEncoder encoder = data::FeatureEncoder::fromJson(m_card.preprocessing.value(QStringLiteral("encoder")).toObject());
        const std::vector<float> x = encoder.transform(*input.table, input.channel.path);
        const qsizetype rows = input.table->rowCount();
        const int width = encoder.width();
        DMatrix m;
        makeMatrix(m, x, rows, width, 0, encoder.categoricalFeatures(), encoder.featureNames());
        // strict_shape: rows × output groups × (features + bias) for every objective.
        static const char *config = R"({"type": 2, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": true})";
        const bst_ulong *shape = nullptr;
        bst_ulong dim = 0;
        const float *out = nullptr;
        check(XGBoosterPredictFromDMatrix(m_booster.h, m.h, config, &shape, &dim, &out), "computing contributions");
        if (dim != 3 || qsizetype(shape[0]) != rows || shape[1] < 1 || qsizetype(shape[2]) != qsizetype(width) + 1)
            throw Error(QStringLiteral("XGBoost returned contributions of an unexpected shape for %1 rows of %2 features").arg(rows).arg(width));
        const size_t groups = size_t(shape[1]);
        const size_t stride = size_t(width) + 1;
        const std::vector<int> columnOf = encoder.featureColumns();
        if (qsizetype(columnOf.size()) != width)
            throw Error(QStringLiteral("the model's encoder maps %1 of its %2 features to columns; re-train the model").arg(columnOf.size()).arg(width));

        Contributions c;
        c.method = QStringLiteral("shap");
        c.output = QStringLiteral("margin");
        c.features = encoder.inputColumns();
        const size_t nf = size_t(c.features.size());
        c.values.assign(size_t(rows) * nf, 0.0);
        c.base.resize(size_t(rows));
        if (isClassification(m_task)) {
            c.rowClasses.resize(size_t(rows));
            if (groups == 1)
                c.target = m_card.classes.value(1);
        }
        for (qsizetype r = 0; r < rows; ++r) {
            const float *row = out + size_t(r) * groups * stride;
            // Multiclass: explain the predicted class, the group with the largest margin.
            size_t g = 0;
            if (groups > 1) {
                double best = -HUGE_VAL;
                for (size_t j = 0; j < groups; ++j) {
                    double margin = 0;
                    for (size_t i = 0; i < stride; ++i)
                        margin += double(row[j * stride + i]);
                    if (margin > best) {
                        best = margin;
                        g = j;
                    }
                }
            }
            const float *block = row + g * stride;
            for (int i = 0; i < width; ++i)
                c.values[size_t(r) * nf + size_t(columnOf[size_t(i)])] += double(block[i]);
            c.base[size_t(r)] = double(block[width]);
            if (!c.rowClasses.empty())
                c.rowClasses[size_t(r)] = groups > 1 ? int(g) : 1;
        }
        return c;
    }

private:
    ModelCard m_card;
    Booster m_booster;
    Task m_task = Task::Regression;
    QString m_objective;
    data::FeatureEncoder m_encoder;
    std::vector<bool> m_categorical;
    QStringList m_featureNames;
};

} // namespace

/// eval_metric: XGBoost's own metric names (1.7), checked before a job starts so that a typo
/// never reaches the library.
static Parameter evalMetricParameter()
{
    Parameter p = Parameter::string(QStringLiteral("eval_metric"), QStringLiteral("auto"),
                                    QStringLiteral("Comma-separated XGBoost metrics per round (auto: logloss,auc / merror,mlogloss / mae,rmse); the last drives early stopping."));
    p.choices = QStringList{QStringLiteral("auto"), QStringLiteral("rmse"), QStringLiteral("rmsle"), QStringLiteral("mae"), QStringLiteral("mape"),
                            QStringLiteral("mphe"), QStringLiteral("logloss"), QStringLiteral("error"), QStringLiteral("error@"),
                            QStringLiteral("merror"), QStringLiteral("mlogloss"), QStringLiteral("auc"), QStringLiteral("aucpr"),
                            QStringLiteral("ndcg"), QStringLiteral("ndcg@"), QStringLiteral("map"), QStringLiteral("map@"), QStringLiteral("pre"),
                            QStringLiteral("pre@"), QStringLiteral("poisson-nloglik"), QStringLiteral("gamma-nloglik"), QStringLiteral("cox-nloglik"),
                            QStringLiteral("gamma-deviance"), QStringLiteral("tweedie-nloglik"), QStringLiteral("tweedie-nloglik@"),
                            QStringLiteral("aft-nloglik"), QStringLiteral("interval-regression-accuracy")};
    return p;
}

ParameterSchema XgboostPlugin::schema()
{
    return ParameterSchema({
        Parameter::integer(QStringLiteral("num_round"), 100, 1, 100000, QStringLiteral("Boosting rounds (trees per class).")),
        Parameter::real(QStringLiteral("eta"), 0.3, 0.0001, 1, QStringLiteral("Learning rate: shrinks each tree's contribution."), true),
        Parameter::integer(QStringLiteral("max_depth"), 6, 0, 64, QStringLiteral("Maximum tree depth (0: no limit, hist only).")),
        Parameter::real(QStringLiteral("min_child_weight"), 1, 0, 1000, QStringLiteral("Minimum sum of instance weight (hessian) in a child.")),
        Parameter::real(QStringLiteral("subsample"), 1, 0.01, 1, QStringLiteral("Share of rows sampled for each tree.")),
        Parameter::real(QStringLiteral("colsample_bytree"), 1, 0.01, 1, QStringLiteral("Share of columns sampled for each tree.")),
        Parameter::real(QStringLiteral("colsample_bylevel"), 1, 0.01, 1, QStringLiteral("Share of columns sampled for each depth level.")),
        Parameter::real(QStringLiteral("colsample_bynode"), 1, 0.01, 1, QStringLiteral("Share of columns sampled for each split.")),
        Parameter::real(QStringLiteral("alpha"), 0, 0, 1000, QStringLiteral("L1 regularisation on leaf weights.")),
        Parameter::real(QStringLiteral("lambda"), 1, 0, 1000, QStringLiteral("L2 regularisation on leaf weights.")),
        Parameter::real(QStringLiteral("gamma"), 0, 0, 1000, QStringLiteral("Minimum loss reduction to make a split.")),
        Parameter::choice(QStringLiteral("objective"), QStringLiteral("auto"),
                          {QStringLiteral("auto"), QStringLiteral("binary:logistic"), QStringLiteral("binary:hinge"),
                           QStringLiteral("multi:softprob"), QStringLiteral("multi:softmax"), QStringLiteral("reg:squarederror"),
                           QStringLiteral("reg:squaredlogerror"), QStringLiteral("reg:absoluteerror"), QStringLiteral("reg:pseudohubererror"),
                           QStringLiteral("count:poisson"), QStringLiteral("reg:gamma"), QStringLiteral("reg:tweedie")},
                          QStringLiteral("Learning objective; auto picks it from the target (binary:logistic, multi:softprob or reg:squarederror).")),
        Parameter::integer(QStringLiteral("num_class"), 0, 0, 100000, QStringLiteral("Classes for multi:* objectives (0: from the data).")),
        evalMetricParameter(),
        Parameter::integer(QStringLiteral("early_stopping_rounds"), 0, 0, 100000, QStringLiteral("Stop when the validation metric has not improved for this many rounds (0: off).")),
        Parameter::choice(QStringLiteral("booster"), QStringLiteral("gbtree"), {QStringLiteral("gbtree"), QStringLiteral("gblinear"), QStringLiteral("dart")},
                          QStringLiteral("Trees, a linear model, or trees with dropout.")),
        Parameter::choice(QStringLiteral("tree_method"), QStringLiteral("hist"), {QStringLiteral("auto"), QStringLiteral("exact"), QStringLiteral("approx"), QStringLiteral("hist")},
                          QStringLiteral("Split finding: hist is fastest on large data.")),
        Parameter::integer(QStringLiteral("max_bin"), 256, 2, 65536, QStringLiteral("Histogram bins per feature (hist).")),
        Parameter::real(QStringLiteral("scale_pos_weight"), 1, 0, 1e6, QStringLiteral("Weight of positive rows (binary, unbalanced classes).")),
        Parameter::integer(QStringLiteral("num_parallel_tree"), 1, 1, 10000,
                           QStringLiteral("Trees grown per round; with one round, subsample and colsample_bynode this is a random forest.")),
        Parameter::choice(QStringLiteral("grow_policy"), QStringLiteral("depthwise"), {QStringLiteral("depthwise"), QStringLiteral("lossguide")},
                          QStringLiteral("Grow trees level by level, or split the leaf with the largest gain first (hist/approx).")),
        Parameter::integer(QStringLiteral("max_leaves"), 0, 0, 1000000, QStringLiteral("Leaves per tree at most (0: no limit; for lossguide).")),
        Parameter::boolean(QStringLiteral("enable_categorical"), false,
                           QStringLiteral("Pass categorical columns as categories (hist/approx) instead of one-hot indicators.")),
    });
}

QList<AlgorithmInfo> XgboostPlugin::algorithms() const
{
    AlgorithmInfo info;
    info.id = QStringLiteral("xgboost");
    info.name = QStringLiteral("XGBoost (gradient-boosted trees)");
    info.description = QStringLiteral("Gradient-boosted decision trees for tables: classification and regression, missing values handled natively.");
    info.tasks = {Task::Binary, Task::Multiclass, Task::Regression};
    info.input = QStringLiteral("tabular");
    info.distributed = true; // through XGBoost's collective (RabitCollective)
    info.schema = schema();
    return {info};
}

std::unique_ptr<Trainer> XgboostPlugin::createTrainer(const QString &algorithmId, const JobSpec &spec)
{
    if (algorithmId != QLatin1String("xgboost"))
        throw Error(QStringLiteral("the xgboost plugin has no algorithm '%1'").arg(algorithmId));
    schema().resolve(spec.hyperparameters); // fail before any data is read
    return std::make_unique<XgboostTrainer>();
}

std::unique_ptr<Predictor> XgboostPlugin::loadPredictor(const ModelCard &card, const QString &modelDir)
{
    return std::make_unique<XgboostPredictor>(card, modelDir);
}

} // namespace cairn::plugins
