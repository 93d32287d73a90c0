#include "cairn/algorithms/explain.h"

#include "cairn/algorithms/metrics.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/task.h"
#include "cairn/data/featureencoder.h"
#include "cairn/data/table.h"
#include "cairn/util/error.h"

#include <QHash>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace cairn {

std::optional<Contributions> Predictor::contributions(const PredictionInput &)
{
    return std::nullopt;
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Predictions predictTable(Predictor &predictor, const data::Table &table)
{
    PredictionInput input;
    input.channel.type = data::ChannelSpec::Type::Csv;
    input.table = &table;
    return predictor.predict(input);
}

Task taskOf(const ModelCard &card, const Predictions &p)
{
    return taskFromName(card.task).value_or(p.task);
}

/// The scalar that occlusion explains, per row: P(positive class), P(class[r]) or the value.
double outputOf(const Predictions &p, qsizetype row, int cls)
{
    if (p.task == Task::Regression)
        return p.values[size_t(row)];
    const qsizetype k = p.classes.size();
    if (!p.probabilities.empty())
        return double(p.probabilities[size_t(row * k + cls)]);
    return p.labels[size_t(row)] == cls ? 1.0 : 0.0; // a classifier without probabilities
}

/// A column of `rows.rowCount()` copies of the background value of `source` (taken from
/// `from`, which may be another table with the same column name).
data::Column backgroundColumn(const data::Column &source, const data::Column &from, qsizetype rows)
{
    data::Column c;
    c.name = source.name;
    c.type = source.type;
    c.categories = source.categories;
    if (source.isNumeric()) {
        double v = kNaN;
        if (from.isNumeric()) {
            std::vector<double> present;
            for (double x : from.values)
                if (!std::isnan(x))
                    present.push_back(x);
            if (!present.empty()) {
                if (source.type == data::ColumnType::Boolean) {
                    const auto ones = std::count(present.begin(), present.end(), 1.0);
                    v = 2 * ones > qsizetype(present.size()) ? 1.0 : 0.0;
                } else {
                    // The lower median: an actual value of the column (a whole number stays one).
                    const size_t mid = (present.size() - 1) / 2;
                    std::nth_element(present.begin(), present.begin() + qsizetype(mid), present.end());
                    v = present[mid];
                }
            }
        }
        c.values.assign(size_t(rows), v);
        return c;
    }
    // Categorical or text: the most frequent value (first seen on ties).
    int code = -1;
    std::vector<qsizetype> counts(size_t(from.categories.size()), 0);
    if (!from.isNumeric()) {
        for (auto k : from.codes)
            if (k >= 0)
                ++counts[size_t(k)];
        const auto best = std::max_element(counts.begin(), counts.end());
        if (best != counts.end() && *best > 0) {
            const QString text = from.categories.at(int(best - counts.begin()));
            code = int(c.categories.indexOf(text));
            if (code < 0) {
                c.categories << text;
                code = int(c.categories.size()) - 1;
            }
        }
    }
    c.codes.assign(size_t(rows), code);
    return c;
}

struct Truth
{
    std::vector<qsizetype> rows;   ///< rows of the input with a known target
    std::vector<int> labels;       ///< classification
    std::vector<double> values;    ///< regression
};

double metricOf(Task task, const Truth &truth, const Predictions &p, const QString &metric, qsizetype offset = 0)
{
    const size_t n = truth.rows.size();
    QMap<QString, double> values;
    if (task == Task::Regression) {
        std::vector<double> predicted(n);
        for (size_t i = 0; i < n; ++i)
            predicted[i] = p.values[size_t(offset) + i];
        values = regressionMetrics(truth.values, predicted).values();
    } else {
        const int k = int(p.classes.size());
        std::vector<float> probs(n * size_t(k), 0.0f);
        for (size_t i = 0; i < n; ++i) {
            const size_t src = size_t(offset) + i;
            if (!p.probabilities.empty())
                std::copy_n(p.probabilities.begin() + qsizetype(src * size_t(k)), k, probs.begin() + qsizetype(i * size_t(k)));
            else
                probs[i * size_t(k) + size_t(p.labels[src])] = 1.0f;
        }
        values = classificationMetrics(truth.labels, probs, k).values();
    }
    if (!values.contains(metric))
        throw Error(QStringLiteral("unknown metric '%1' for a %2 model (use one of: %3)")
                        .arg(metric, taskName(task), values.keys().join(QStringLiteral(", "))));
    return values.value(metric);
}

} // namespace

QStringList modelInputColumns(const ModelCard &card)
{
    const QJsonObject encoder = card.preprocessing.value(QStringLiteral("encoder")).toObject();
    if (!encoder.isEmpty())
        return data::FeatureEncoder::fromJson(encoder).inputColumns();
    QStringList names;
    for (const QJsonValue &v : card.inputSchema) {
        const QString name = v.toObject().value(QStringLiteral("name")).toString();
        if (!name.isEmpty() && name != card.target)
            names << name;
    }
    if (names.isEmpty())
        throw Error(QStringLiteral("the model card lists no input columns; it cannot be explained column by column"));
    return names;
}

Contributions explainRows(Predictor &predictor, const ModelCard &card, const data::Table &rows, const data::Table *background)
{
    PredictionInput input;
    input.channel.type = data::ChannelSpec::Type::Csv;
    input.table = &rows;
    if (std::optional<Contributions> own = predictor.contributions(input))
        return std::move(*own);
    return occlusionContributions(predictor, card, rows, background);
}

Contributions occlusionContributions(Predictor &predictor, const ModelCard &card, const data::Table &rows, const data::Table *background)
{
    Contributions c;
    c.method = QStringLiteral("occlusion");
    c.features = modelInputColumns(card);
    const qsizetype n = rows.rowCount();
    const qsizetype m = c.features.size();
    if (n == 0)
        return c;
    const data::Table &from = background && background->rowCount() > 0 ? *background : rows;

    const Predictions original = predictTable(predictor, rows);
    const Task task = taskOf(card, original);
    if (task == Task::Clustering)
        throw Error(QStringLiteral("clustering models have no output to explain"));
    if (original.rows() != n)
        throw Error(QStringLiteral("the model returned %1 predictions for %2 rows").arg(original.rows()).arg(n));
    c.output = task == Task::Regression ? QStringLiteral("value") : QStringLiteral("probability");
    if (isClassification(task)) {
        c.rowClasses.resize(size_t(n));
        for (qsizetype r = 0; r < n; ++r)
            c.rowClasses[size_t(r)] = task == Task::Binary ? 1 : original.labels[size_t(r)];
        if (task == Task::Binary)
            c.target = original.classes.value(1);
    }
    auto cls = [&](qsizetype r) { return c.rowClasses.empty() ? 0 : c.rowClasses[size_t(r)]; };

    // Every column at its background value, one row: the base.
    data::Table baseRow = rows.select({0});
    for (data::Column &col : baseRow.columns) {
        const int fi = from.indexOf(col.name);
        if (fi >= 0)
            col = backgroundColumn(col, from.columns.at(fi), 1);
    }
    const Predictions basePrediction = predictTable(predictor, baseRow);
    c.base.resize(size_t(n));
    for (qsizetype r = 0; r < n; ++r)
        c.base[size_t(r)] = outputOf(basePrediction, 0, cls(r));

    c.values.assign(size_t(n * m), 0.0);
    for (qsizetype j = 0; j < m; ++j) {
        const QString &name = c.features.at(j);
        const int ci = rows.indexOf(name);
        if (ci < 0)
            throw Error(QStringLiteral("the rows to explain have no column '%1', which the model was trained on").arg(name));
        const int fi = from.indexOf(name);
        if (fi < 0)
            throw Error(QStringLiteral("the background rows have no column '%1'").arg(name));
        data::Table occluded = rows;
        occluded.columns[ci] = backgroundColumn(rows.columns.at(ci), from.columns.at(fi), n);
        const Predictions p = predictTable(predictor, occluded);
        for (qsizetype r = 0; r < n; ++r)
            c.values[size_t(r * m + j)] = outputOf(original, r, cls(r)) - outputOf(p, r, cls(r));
    }
    return c;
}

bool isLossMetric(const QString &metric)
{
    return metric == QLatin1String("log_loss") || metric == QLatin1String("mse") || metric == QLatin1String("rmse")
           || metric == QLatin1String("mae");
}

QList<FeatureImportance> permutationImportance(Predictor &predictor, const ModelCard &card, const data::Table &rows,
                                               const QString &metricName, int repeats, quint64 seed)
{
    if (card.target.isEmpty() || rows.indexOf(card.target) < 0)
        throw Error(QStringLiteral("permutation importance needs the target column '%1' in the rows").arg(card.target));
    repeats = std::max(1, repeats);
    const QStringList features = modelInputColumns(card);
    const std::optional<Task> cardTask = taskFromName(card.task);
    if (!cardTask || *cardTask == Task::Clustering)
        throw Error(QStringLiteral("permutation importance needs a classification or regression model (this one: %1)").arg(card.task));
    const Task task = *cardTask;
    const QString metric = !metricName.isEmpty() ? metricName
                           : task == Task::Binary ? QStringLiteral("f1")
                           : task == Task::Multiclass ? QStringLiteral("accuracy")
                                                      : QStringLiteral("mse");

    // Rows with a known target.
    Truth truth;
    const data::Column &target = rows.column(card.target);
    QHash<QString, int> classIndex;
    for (int i = 0; i < card.classes.size(); ++i)
        classIndex.insert(card.classes.at(i), i);
    for (qsizetype r = 0; r < rows.rowCount(); ++r) {
        if (target.isMissing(r))
            continue;
        if (task == Task::Regression) {
            if (!target.isNumeric())
                throw Error(QStringLiteral("target column '%1' is not numeric; the model is a regression").arg(card.target));
            truth.values.push_back(target.values[size_t(r)]);
        } else {
            const auto it = classIndex.constFind(target.text(r));
            if (it == classIndex.cend())
                continue;
            truth.labels.push_back(*it);
        }
        truth.rows.push_back(r);
    }
    const qsizetype n = qsizetype(truth.rows.size());
    if (n < 2)
        throw Error(QStringLiteral("permutation importance needs at least two rows with a known '%1'").arg(card.target));
    const data::Table base = rows.select(truth.rows);
    const double reference = metricOf(task, truth, predictTable(predictor, base), metric);
    const double sign = isLossMetric(metric) ? -1.0 : 1.0;

    // All repeats of one column in one predict call: the rows stacked `repeats` times.
    std::vector<qsizetype> stackedRows;
    for (int k = 0; k < repeats; ++k)
        for (qsizetype r = 0; r < n; ++r)
            stackedRows.push_back(r);
    const data::Table stacked = base.select(stackedRows);
    std::mt19937_64 rng(seed);
    QList<FeatureImportance> out;
    for (const QString &name : features) {
        const int ci = stacked.indexOf(name);
        if (ci < 0)
            throw Error(QStringLiteral("the rows have no column '%1', which the model was trained on").arg(name));
        std::vector<qsizetype> order;
        for (int k = 0; k < repeats; ++k) {
            std::vector<qsizetype> perm(static_cast<size_t>(n));
            for (qsizetype r = 0; r < n; ++r)
                perm[size_t(r)] = r;
            // A portable Fisher-Yates (std::shuffle's draws differ between standard libraries).
            for (qsizetype i = n - 1; i > 0; --i)
                std::swap(perm[size_t(i)], perm[size_t(rng() % quint64(i + 1))]);
            order.insert(order.end(), perm.begin(), perm.end());
        }
        data::Table shuffled = stacked;
        const data::Table permutedColumn = base.select(order);
        shuffled.columns[ci] = permutedColumn.columns.at(ci);
        const Predictions p = predictTable(predictor, shuffled);
        std::vector<double> drops;
        for (int k = 0; k < repeats; ++k)
            drops.push_back(sign * (reference - metricOf(task, truth, p, metric, qsizetype(k) * n)));
        double mean = 0;
        for (double d : drops)
            mean += d;
        mean /= double(drops.size());
        double var = 0;
        for (double d : drops)
            var += (d - mean) * (d - mean);
        out << FeatureImportance{name, mean, std::sqrt(var / double(drops.size()))};
    }
    std::stable_sort(out.begin(), out.end(), [](const FeatureImportance &a, const FeatureImportance &b) { return a.importance > b.importance; });
    return out;
}

QList<FeatureImportance> shapImportance(const Contributions &contributions)
{
    QList<FeatureImportance> out;
    const qsizetype n = contributions.rows();
    for (qsizetype j = 0; j < contributions.features.size(); ++j) {
        double sum = 0, sq = 0;
        for (qsizetype r = 0; r < n; ++r) {
            const double a = std::abs(contributions.value(r, j));
            sum += a;
            sq += a * a;
        }
        const double mean = n ? sum / double(n) : 0;
        const double var = n ? std::max(0.0, sq / double(n) - mean * mean) : 0;
        out << FeatureImportance{contributions.features.at(j), mean, std::sqrt(var)};
    }
    std::stable_sort(out.begin(), out.end(), [](const FeatureImportance &a, const FeatureImportance &b) { return a.importance > b.importance; });
    return out;
}

QJsonArray importanceToJson(const QList<FeatureImportance> &importance)
{
    QJsonArray a;
    for (const FeatureImportance &f : importance)
        a.append(QJsonObject{{QStringLiteral("feature"), f.feature}, {QStringLiteral("importance"), f.importance}, {QStringLiteral("stddev"), f.stddev}});
    return a;
}

QByteArray importanceCsv(const QList<FeatureImportance> &importance)
{
    QByteArray csv = "feature,importance,stddev\n";
    for (const FeatureImportance &f : importance) {
        QString name = f.feature;
        if (name.contains(QLatin1Char(',')) || name.contains(QLatin1Char('"')) || name.contains(QLatin1Char('\n')))
            name = QLatin1Char('"') + name.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
        csv += name.toUtf8() + ',' + QByteArray::number(f.importance, 'g', 8) + ',' + QByteArray::number(f.stddev, 'g', 8) + '\n';
    }
    return csv;
}

} // namespace cairn
