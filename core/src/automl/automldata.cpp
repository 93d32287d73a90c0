// AutoML's data side: preparation (profile, folds, fold CSVs), search spaces, scoring.
#include "automlsupport.h"

#include "cairn/algorithms/metrics.h"
#include "cairn/data/csvreader.h"
#include "cairn/data/split.h"
#include "cairn/util/error.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QLocale>
#include <QSaveFile>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

namespace cairn::automl {

std::vector<int> kFoldAssignment(qsizetype n, int k, quint64 seed, const std::vector<int> *strata)
{
    std::vector<int> fold(size_t(std::max<qsizetype>(n, 0)), -1);
    if (k < 1 || n <= 0)
        return fold;
    std::mt19937_64 rng(seed);
    std::map<int, std::vector<qsizetype>> groups;
    for (qsizetype i = 0; i < n; ++i) {
        const int g = strata ? (*strata)[size_t(i)] : 0;
        if (g >= 0)
            groups[g].push_back(i);
    }
    // Each class deals its shuffled rows round the folds, starting where the previous class
    // stopped, so fold sizes differ by at most one row overall.
    int next = 0;
    for (auto &[g, rows] : groups) {
        if (qsizetype(rows.size()) < k && strata)
            continue; // too rare to appear in every fold's training data and be validated on
        for (qsizetype i = qsizetype(rows.size()) - 1; i > 0; --i) {
            const auto j = qsizetype(rng() % quint64(i + 1));
            std::swap(rows[size_t(i)], rows[size_t(j)]);
        }
        for (qsizetype row : rows) {
            fold[size_t(row)] = next;
            next = (next + 1) % k;
        }
    }
    return fold;
}

std::vector<double> greedyEnsemble(const std::vector<std::vector<double>> &predictions, int rounds,
                                   const std::function<double(const std::vector<double> &)> &score)
{
    const size_t m = predictions.size();
    std::vector<double> weights(m, 0.0);
    if (m == 0 || rounds < 1)
        return weights;
    const size_t len = predictions.front().size();
    std::vector<double> sum(len, 0.0), trial(len);
    std::vector<int> picks(m, 0);
    for (int round = 0; round < rounds; ++round) {
        double bestScore = std::numeric_limits<double>::infinity();
        size_t best = m;
        for (size_t j = 0; j < m; ++j) {
            for (size_t i = 0; i < len; ++i)
                trial[i] = (sum[i] + predictions[j][i]) / double(round + 1);
            const double s = score(trial);
            if (std::isfinite(s) && s < bestScore) {
                bestScore = s;
                best = j;
            }
        }
        if (best == m)
            break;
        for (size_t i = 0; i < len; ++i)
            sum[i] += predictions[best][i];
        ++picks[best];
    }
    int total = 0;
    for (int p : picks)
        total += p;
    for (size_t j = 0; j < m; ++j)
        weights[j] = total > 0 ? double(picks[j]) / total : 0.0;
    return weights;
}

bool skewedPositiveTarget(const std::vector<double> &values)
{
    // Prices, sizes, performance figures: a few rows far above the rest decide squared errors,
    // and models that learn the logarithm are not fitted to them alone.
    double sum = 0;
    qsizetype n = 0;
    for (double v : values) {
        if (std::isnan(v))
            continue;
        if (!(v > 0) || !std::isfinite(v))
            return false;
        sum += v;
        ++n;
    }
    if (n < 20)
        return false;
    const double mean = sum / double(n);
    double m2 = 0, m3 = 0;
    for (double v : values)
        if (!std::isnan(v)) {
            const double d = v - mean;
            m2 += d * d;
            m3 += d * d * d;
        }
    m2 /= double(n);
    m3 /= double(n);
    return m2 > 0 && m3 / std::pow(m2, 1.5) > 2.0;
}

namespace detail {

std::vector<qsizetype> PreparedData::scoredRows() const
{
    std::vector<qsizetype> rows;
    for (size_t i = 0; i < fold.size(); ++i)
        if (fold[i] >= 0)
            rows.push_back(qsizetype(i));
    return rows;
}

int chooseFolds(qsizetype rows, int timeLimitSeconds)
{
    if (rows > kMaxRowsForKFold)
        return 1;
    // Every fold is a training job that starts a process; short budgets on larger tables buy
    // more candidates with fewer folds.
    if (timeLimitSeconds > 0 && timeLimitSeconds < 180 && rows > 5000)
        return 3;
    return 5;
}

int chooseRepeats(qsizetype rows, int folds, int timeLimitSeconds)
{
    if (folds < 2)
        return 1;
    // Under a few thousand rows one split of the folds is noisy enough to pick the wrong
    // candidate; repeating k-fold with other seeds averages that away, and the models are cheap.
    // Each fold is a process, though: only where the budget leaves room for several candidates.
    if (rows <= 1000 && timeLimitSeconds >= 60)
        return 2;
    if (rows <= 3000 && timeLimitSeconds >= 180)
        return 2;
    return 1;
}

QString className(const data::Column &c, qsizetype row)
{
    if (c.isMissing(row))
        return {};
    if (!c.isNumeric())
        return c.categories.at(c.codes[size_t(row)]);
    if (c.type == data::ColumnType::Boolean) {
        const int i = c.values[size_t(row)] != 0 ? 1 : 0;
        return c.categories.size() == 2 ? c.categories.at(i) : (i ? QStringLiteral("true") : QStringLiteral("false"));
    }
    return QString::number(c.values[size_t(row)], 'g', 17);
}

QStringList classNames(const data::Column &c)
{
    // The order of tabular.cpp's classNames(): sorted names, sorted numbers, booleans as spelt.
    if (c.type == data::ColumnType::Boolean)
        return c.categories.size() == 2 ? c.categories : QStringList{QStringLiteral("false"), QStringLiteral("true")};
    if (!c.isNumeric()) {
        QSet<int> used;
        for (auto code : c.codes)
            if (code >= 0)
                used.insert(code);
        QStringList names;
        for (int code : used)
            names << c.categories.at(code);
        std::sort(names.begin(), names.end());
        return names;
    }
    std::vector<double> values;
    for (double v : c.values)
        if (!std::isnan(v))
            values.push_back(v);
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    QStringList names;
    for (double v : values)
        names << QString::number(v, 'g', 17);
    return names;
}

namespace {

QByteArray csvField(const QString &s)
{
    QByteArray b = s.toUtf8();
    if (b.contains(',') || b.contains('"') || b.contains('\n') || b.contains('\r') || (!b.isEmpty() && (b.front() == ' ' || b.back() == ' ')))
        b = '"' + b.replace('"', "\"\"") + '"';
    return b;
}

QString cellText(const data::Column &c, qsizetype row)
{
    if (c.isMissing(row))
        return {};
    if (c.type == data::ColumnType::Numeric)
        return QString::number(c.values[size_t(row)], 'g', QLocale::FloatingPointShortest);
    return c.text(row);
}

void writeJson(const QString &path, const QJsonObject &object)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(object).toJson(QJsonDocument::Indented)) < 0 || !f.commit())
        throw Error(QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
}

} // namespace

void writeCsv(const QString &path, const data::Table &table, const std::vector<qsizetype> &rows)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
    QByteArray out;
    QList<QByteArray> header;
    for (const data::Column &c : table.columns)
        header << csvField(c.name);
    out += header.join(',') + '\n';
    for (qsizetype r : rows) {
        for (qsizetype j = 0; j < table.columns.size(); ++j) {
            if (j)
                out += ',';
            out += csvField(cellText(table.columns.at(j), r));
        }
        out += '\n';
        if (out.size() > (1 << 20)) {
            f.write(out);
            out.clear();
        }
    }
    f.write(out);
    if (!f.commit())
        throw Error(QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
}

PreparedData prepareData(const AutoMLSpec &spec, const QString &artifactDir)
{
    PreparedData p;
    try {
        data::Table table = data::CsvReader::read(spec.trainPath);
        p.sourceRows = table.rowCount();
        const int ti = table.indexOf(spec.target);
        if (ti < 0)
            throw Error(QStringLiteral("%1 has no column '%2' (columns: %3)")
                            .arg(QFileInfo(spec.trainPath).fileName(), spec.target, table.columnNames().join(QStringLiteral(", "))));
        std::vector<qsizetype> known;
        for (qsizetype r = 0; r < table.rowCount(); ++r)
            if (!table.columns.at(ti).isMissing(r))
                known.push_back(r);
        if (qsizetype(known.size()) < table.rowCount())
            table = table.select(known);
        std::optional<Task> problemType;
        if (spec.problemType != QLatin1String("auto") && !spec.problemType.isEmpty())
            problemType = taskFromName(spec.problemType);
        p.profile = profileTable(table, spec.target, problemType);
        p.task = p.profile.task;
        p.metric = spec.metric.isEmpty() || spec.metric == QLatin1String("auto") ? defaultMetric(p.task) : spec.metric;
        if (!metricsFor(p.task).contains(p.metric))
            throw Error(QStringLiteral("metric '%1' does not apply to %2 problems (use one of: %3)")
                            .arg(p.metric, taskName(p.task), metricsFor(p.task).join(QStringLiteral(", "))));
        p.maximize = metricMaximized(p.metric);

        const QStringList dropped = p.profile.droppedColumns();
        QList<data::Column> kept;
        for (data::Column &c : table.columns)
            if (!dropped.contains(c.name))
                kept << std::move(c);
        table.columns = std::move(kept);
        const qsizetype n = table.rowCount();
        const int minimum = 10;
        if (n < minimum)
            throw Error(QStringLiteral("%1 has %2 rows with a known '%3'; AutoML needs at least %4")
                            .arg(QFileInfo(spec.trainPath).fileName()).arg(n).arg(spec.target).arg(minimum));
        if (table.columns.size() < 2)
            throw Error(QStringLiteral("no column is left to learn '%1' from (every other column was dropped: see the profile)").arg(spec.target));

        const data::Column &target = table.column(spec.target);
        std::vector<int> strata;
        if (isClassification(p.task)) {
            p.classes = classNames(target);
            QHash<QString, int> index;
            for (int i = 0; i < p.classes.size(); ++i)
                index.insert(p.classes.at(i), i);
            p.labels.resize(size_t(n));
            for (qsizetype r = 0; r < n; ++r)
                p.labels[size_t(r)] = index.value(className(target, r), -1);
            strata = p.labels;
        } else {
            p.values.assign(target.values.begin(), target.values.end());
        }

        p.folds = chooseFolds(n, spec.timeLimitSeconds);
        p.holdout = p.folds == 1;
        if (p.holdout) {
            // Classes with a single row cannot be on both sides: they train.
            if (!strata.empty()) {
                std::vector<int> counts(size_t(p.classes.size()), 0);
                for (int l : strata)
                    ++counts[size_t(l)];
                for (int &l : strata)
                    if (counts[size_t(l)] < 2)
                        l = -1;
            }
            const data::Split split = data::trainValidationSplit(n, 0.2, spec.seed, strata.empty() ? nullptr : &strata);
            p.fold.assign(size_t(n), -1);
            for (qsizetype r : split.validation)
                p.fold[size_t(r)] = 0;
            p.repeatFold = {p.fold};
        } else {
            p.repeats = chooseRepeats(n, p.folds, spec.timeLimitSeconds);
            for (int rep = 0; rep < p.repeats; ++rep)
                p.repeatFold.push_back(kFoldAssignment(n, p.folds, spec.seed + quint64(rep) * 7919, strata.empty() ? nullptr : &strata));
            p.fold = p.repeatFold.front();
        }

        // A heavily skewed positive target: the same folds again with log1p(target).
        data::Table logTable;
        if (p.task == Task::Regression && skewedPositiveTarget(p.values)) {
            p.logTarget = TargetTransform::log1p(p.values);
            logTable = table;
            data::Column &learnt = logTable.columns[table.indexOf(spec.target)];
            learnt.type = data::ColumnType::Numeric;
            for (double &v : learnt.values)
                v = p.logTarget.forward(v);
        }
        const QDir foldDir(QDir(artifactDir).filePath(QStringLiteral("automl/folds")));
        for (int f = 0; f < p.foldJobs(); ++f) {
            std::vector<qsizetype> train, validation;
            for (qsizetype r = 0; r < n; ++r)
                (p.validates(f, r) ? validation : train).push_back(r);
            if (validation.empty() || train.empty())
                throw Error(QStringLiteral("fold %1 of %2 has no rows to %3").arg(f % p.folds + 1).arg(p.folds).arg(train.empty() ? QStringLiteral("train on") : QStringLiteral("validate on")));
            p.trainCsv << foldDir.filePath(QStringLiteral("fold_%1_train.csv").arg(f));
            p.validationCsv << foldDir.filePath(QStringLiteral("fold_%1_valid.csv").arg(f));
            writeCsv(p.trainCsv.last(), table, train);
            writeCsv(p.validationCsv.last(), table, validation);
            if (!p.logTarget.isNone()) {
                std::vector<double> seen;
                for (qsizetype r : train)
                    seen.push_back(p.values[size_t(r)]);
                p.logFoldTransform.push_back(TargetTransform::log1p(seen));
                p.logTrainCsv << foldDir.filePath(QStringLiteral("fold_%1_train_log1p.csv").arg(f));
                p.logValidationCsv << foldDir.filePath(QStringLiteral("fold_%1_valid_log1p.csv").arg(f));
                writeCsv(p.logTrainCsv.last(), logTable, train);
                writeCsv(p.logValidationCsv.last(), logTable, validation);
            }
        }
        // A subsample of fold 0's rows that an algorithm is timed on before its first candidate
        // starts, when the folds are large enough for the cost to depend on their size.
        {
            std::vector<qsizetype> train, validation;
            for (qsizetype r = 0; r < n; ++r)
                (p.validates(0, r) ? validation : train).push_back(r);
            if (qsizetype(train.size()) >= kProbeMinRows) {
                std::mt19937_64 rng(spec.seed ^ 0x9e3779b97f4a7c15ULL);
                std::shuffle(train.begin(), train.end(), rng);
                std::shuffle(validation.begin(), validation.end(), rng);
                const size_t keep = std::clamp<size_t>(train.size() / 8, 250, 2000);
                p.probeScale = double(train.size()) / double(keep);
                train.resize(keep);
                validation.resize(std::min(validation.size(), std::max<size_t>(50, size_t(double(validation.size()) / p.probeScale))));
                std::sort(train.begin(), train.end());
                std::sort(validation.begin(), validation.end());
                p.probeTrainCsv = foldDir.filePath(QStringLiteral("probe_train.csv"));
                p.probeValidationCsv = foldDir.filePath(QStringLiteral("probe_valid.csv"));
                writeCsv(p.probeTrainCsv, table, train);
                writeCsv(p.probeValidationCsv, table, validation);
            }
        }
        p.table = std::move(table);

        QJsonObject profile = p.profile.toJson();
        profile.insert(QStringLiteral("sourceRows"), p.sourceRows);
        profile.insert(QStringLiteral("metric"), p.metric);
        profile.insert(QStringLiteral("validation"), p.holdout ? QStringLiteral("holdout") : QStringLiteral("k-fold"));
        profile.insert(QStringLiteral("folds"), p.folds);
        profile.insert(QStringLiteral("repeats"), p.repeats);
        if (!p.logTarget.isNone())
            profile.insert(QStringLiteral("targetTransform"), p.logTarget.toJson());
        writeJson(QDir(artifactDir).filePath(QStringLiteral("automl/profile.json")), profile);
    } catch (const Error &e) {
        p.error = e.message();
    } catch (const std::exception &e) {
        p.error = QString::fromUtf8(e.what());
    }
    return p;
}

namespace {
using tuning::Dimension;

Dimension real(const QString &name, double low, double high, bool log = false)
{
    Dimension d;
    d.name = name;
    d.kind = Dimension::Kind::Real;
    d.low = low;
    d.high = high;
    d.logScale = log;
    return d;
}

Dimension integer(const QString &name, double low, double high, bool log = false)
{
    Dimension d = real(name, low, high, log);
    d.kind = Dimension::Kind::Integer;
    return d;
}
} // namespace

AlgorithmPlan planFor(const QString &algorithm, const ParameterSchema &schema, std::optional<Task> task, int columns, qsizetype rows)
{
    AlgorithmPlan plan;
    QList<Dimension> dims;
    if (algorithm == QLatin1String("xgboost")) {
        dims = {integer(QStringLiteral("num_round"), 50, 1000, true), real(QStringLiteral("eta"), 0.01, 0.3, true),
                integer(QStringLiteral("max_depth"), 2, 10), real(QStringLiteral("min_child_weight"), 0.5, 20, true),
                real(QStringLiteral("subsample"), 0.5, 1), real(QStringLiteral("colsample_bytree"), 0.4, 1),
                real(QStringLiteral("lambda"), 0.01, 10, true), real(QStringLiteral("alpha"), 0, 2)};
        // Tuned trials may run long: stop on the validation fold once it stops improving.
        plan.tunedFixed.insert(QStringLiteral("early_stopping_rounds"), 30);
        // XGBoost stops on the last metric listed; for two classes that is AUC by default, which
        // plateaus within a few rounds and stops small learning rates long before they fit.
        if (task == Task::Binary)
            plan.tunedFixed.insert(QStringLiteral("eval_metric"), QStringLiteral("auc,logloss"));
        // Proven configurations of other libraries, reached through XGBoost, so that the
        // leaderboard starts from what a user of those libraries gets by default.
        const bool classes = task && isClassification(*task);
        const QString stopMetric = task == Task::Binary ? QStringLiteral("auc,logloss") : QStringLiteral("auto");
        // scikit-learn's HistGradientBoosting: leaf-wise trees of 31 leaves, at least 20 rows a
        // leaf, learning rate 0.1, no L2, early stopping on a validation share.
        plan.presets.append({QStringLiteral("histogram GBM"),
                             QJsonObject{{QStringLiteral("grow_policy"), QStringLiteral("lossguide")},
                                         {QStringLiteral("max_leaves"), 31},
                                         {QStringLiteral("max_depth"), 0},
                                         {QStringLiteral("eta"), 0.1},
                                         {QStringLiteral("min_child_weight"), classes ? 2.0 : 20.0},
                                         {QStringLiteral("lambda"), 0.0},
                                         {QStringLiteral("num_round"), 300},
                                         {QStringLiteral("early_stopping_rounds"), 20},
                                         {QStringLiteral("eval_metric"), stopMetric}}});
        // A random forest: one round of many deep trees on bootstrap-sized row samples, with
        // √columns per split for classes and all columns for regression (scikit-learn's defaults).
        const double perSplit = classes && columns > 0 ? std::clamp(1.0 / std::sqrt(double(columns)), 0.1, 1.0) : 1.0;
        QJsonObject forest{{QStringLiteral("num_round"), 1},
                           {QStringLiteral("eta"), 1.0},
                           {QStringLiteral("num_parallel_tree"), rows > 20000 ? 60 : 150},
                           {QStringLiteral("subsample"), 0.632},
                           {QStringLiteral("colsample_bynode"), perSplit},
                           {QStringLiteral("max_depth"), 14},
                           {QStringLiteral("min_child_weight"), classes ? 0.3 : 1.0},
                           {QStringLiteral("lambda"), 0.01}};
        plan.presets.append({QStringLiteral("random forest"), forest});
        // Extremely randomised trees cannot be grown by XGBoost; its nearest cousin: every row,
        // coarse histogram bins (fewer, rougher thresholds) and half the columns per split.
        QJsonObject extra = forest;
        extra.insert(QStringLiteral("subsample"), 1.0);
        extra.insert(QStringLiteral("max_bin"), 16);
        extra.insert(QStringLiteral("colsample_bynode"), std::min(perSplit, 0.5));
        plan.presets.append({QStringLiteral("randomised trees"), extra});
        // Slow, shallow boosting with row and column sampling (a common Kaggle starting point).
        plan.presets.append({QStringLiteral("slow GBM"),
                             QJsonObject{{QStringLiteral("eta"), 0.05},
                                         {QStringLiteral("max_depth"), 5},
                                         {QStringLiteral("subsample"), 0.8},
                                         {QStringLiteral("colsample_bytree"), 0.8},
                                         {QStringLiteral("num_round"), 1000},
                                         {QStringLiteral("early_stopping_rounds"), 50},
                                         {QStringLiteral("eval_metric"), stopMetric}}});
    } else if (algorithm == QLatin1String("knn")) {
        dims = {integer(QStringLiteral("k"), 3, 50, true)};
        plan.presets.append({QStringLiteral("distance-weighted"), QJsonObject{{QStringLiteral("k"), 10}, {QStringLiteral("weights"), QStringLiteral("distance")}}});
    } else if (algorithm == QLatin1String("linear-learner")) {
        dims = {real(QStringLiteral("learning_rate"), 3e-3, 0.1, true), real(QStringLiteral("l1"), 0, 0.01),
                real(QStringLiteral("weight_decay"), 0, 0.01), integer(QStringLiteral("epochs"), 10, 100)};
        plan.fixed.insert(QStringLiteral("early_stopping_patience"), 5);
        plan.impute = true;
    } else if (algorithm == QLatin1String("mlp")) {
        // Learning rates below ~3e-4 rarely converge within the epochs a short budget allows.
        dims = {integer(QStringLiteral("hidden_layers"), 1, 3), integer(QStringLiteral("units"), 32, 256, true),
                real(QStringLiteral("learning_rate"), 3e-4, 1e-2, true), real(QStringLiteral("dropout"), 0, 0.4),
                real(QStringLiteral("weight_decay"), 0, 1e-3), integer(QStringLiteral("epochs"), 30, 150, true)};
        plan.fixed.insert(QStringLiteral("early_stopping_patience"), 5);
        plan.impute = true;
    } else {
        QStringList names;
        for (const Parameter &prm : schema.parameters())
            if (prm.tunable && prm.min && prm.max && (prm.type == Parameter::Type::Int || prm.type == Parameter::Type::Float))
                names << prm.name;
        plan.space = tuning::SearchSpace::fromSchema(schema, names);
        return plan;
    }
    // Keep only what this build's schema knows, inside its bounds.
    QList<Dimension> usable;
    for (Dimension d : dims) {
        const Parameter *prm = schema.find(d.name);
        if (!prm)
            continue;
        if (prm->min)
            d.low = std::max(d.low, *prm->min);
        if (prm->max)
            d.high = std::min(d.high, *prm->max);
        if (d.high > d.low)
            usable << d;
    }
    plan.space = tuning::SearchSpace(usable);
    auto keepKnown = [&](QJsonObject &o) {
        for (const QString &key : o.keys())
            if (!schema.find(key))
                o.remove(key);
    };
    keepKnown(plan.fixed);
    keepKnown(plan.tunedFixed);
    // A preset that needs a setting this build lacks is a different model: leave it out.
    QList<AlgorithmPlan::Preset> presets;
    for (const AlgorithmPlan::Preset &preset : std::as_const(plan.presets)) {
        bool known = true;
        for (const QString &key : preset.hyper.keys())
            known = known && schema.find(key);
        if (known)
            presets.append(preset);
    }
    plan.presets = presets;
    return plan;
}

QMap<QString, double> scoreCompact(const PreparedData &data, const std::vector<double> &compact, const std::vector<qsizetype> &rows)
{
    QMap<QString, double> all;
    if (data.task == Task::Regression) {
        std::vector<double> truth;
        truth.reserve(rows.size());
        for (qsizetype r : rows)
            truth.push_back(data.values[size_t(r)]);
        all = regressionMetrics(truth, compact).values();
    } else {
        const int k = data.width();
        std::vector<int> truth;
        truth.reserve(rows.size());
        for (qsizetype r : rows)
            truth.push_back(data.labels[size_t(r)]);
        std::vector<float> probs(compact.size());
        for (size_t i = 0; i < compact.size(); ++i)
            probs[i] = float(compact[i]);
        all = classificationMetrics(truth, probs, k).values();
    }
    QMap<QString, double> out;
    for (const QString &name : metricsFor(data.task))
        out.insert(name, all.value(name, std::numeric_limits<double>::quiet_NaN()));
    return out;
}

double selectionScore(const PreparedData &data, const std::vector<double> &compact, const std::vector<qsizetype> &rows)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (data.logTarget.isNone() || data.task != Task::Regression || data.foldJobs() < 2)
        return scoreCompact(data, compact, rows).value(data.metric, nan);
    // The range of the target each fold job trained on.
    const qsizetype n = qsizetype(data.values.size());
    std::vector<double> low(size_t(data.foldJobs()), std::numeric_limits<double>::infinity());
    std::vector<double> high(size_t(data.foldJobs()), -std::numeric_limits<double>::infinity());
    for (int job = 0; job < data.foldJobs(); ++job)
        for (qsizetype r = 0; r < n; ++r)
            if (!data.validates(job, r) && !std::isnan(data.values[size_t(r)])) {
                low[size_t(job)] = std::min(low[size_t(job)], data.values[size_t(r)]);
                high[size_t(job)] = std::max(high[size_t(job)], data.values[size_t(r)]);
            }
    std::vector<qsizetype> inRange;
    std::vector<double> part;
    for (size_t i = 0; i < rows.size(); ++i) {
        const double y = data.values[size_t(rows[i])];
        bool within = true;
        for (int job = 0; job < data.foldJobs() && within; ++job)
            if (data.validates(job, rows[i]))
                within = y >= low[size_t(job)] && y <= high[size_t(job)];
        if (within) {
            inRange.push_back(rows[i]);
            part.push_back(compact[i]);
        }
    }
    if (inRange.size() < 2)
        return scoreCompact(data, compact, rows).value(data.metric, nan);
    return scoreCompact(data, part, inRange).value(data.metric, nan);
}

QMap<QString, double> scoreRows(const PreparedData &data, const std::vector<double> &oof, const std::vector<qsizetype> &rows)
{
    const int w = data.width();
    std::vector<double> compact;
    compact.reserve(rows.size() * size_t(w));
    for (qsizetype r : rows)
        for (int j = 0; j < w; ++j)
            compact.push_back(oof[size_t(r) * size_t(w) + size_t(j)]);
    return scoreCompact(data, compact, rows);
}

} // namespace detail
} // namespace cairn::automl
