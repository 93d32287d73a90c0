#include "cairn/automl/dataprofile.h"

#include "cairn/algorithms/tabular.h"
#include "cairn/util/error.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace cairn::automl {

namespace {

using data::Column;
using data::ColumnType;

// Heuristics need enough rows to mean anything: in a table of five rows every name is unique.
constexpr qsizetype kMinRowsForId = 20;
constexpr qsizetype kMinRowsForLeak = 30;
constexpr double kIdUniqueShare = 0.95;
constexpr double kLeakAccuracy = 0.99;
constexpr double kLeakCorrelation = 0.99;
constexpr int kTopValues = 5;

QString percent(double share)
{
    return QString::number(100.0 * share, 'f', share > 0.999 && share < 1.0 ? 2 : 1);
}

/// Each row's value as a small integer (dense, first-seen order); -1 when missing.
std::vector<int> groupIds(const Column &c, int *count)
{
    std::vector<int> ids(size_t(c.size()), -1);
    int next = 0;
    if (c.isNumeric()) {
        std::unordered_map<double, int> seen;
        for (size_t i = 0; i < ids.size(); ++i) {
            const double v = c.values[i];
            if (std::isnan(v))
                continue;
            auto [it, inserted] = seen.try_emplace(v, next);
            if (inserted)
                ++next;
            ids[i] = it->second;
        }
    } else {
        std::vector<int> remap(size_t(c.categories.size()), -1);
        for (size_t i = 0; i < ids.size(); ++i) {
            const int code = c.codes[i];
            if (code < 0)
                continue;
            if (remap[size_t(code)] < 0)
                remap[size_t(code)] = next++;
            ids[i] = remap[size_t(code)];
        }
    }
    *count = next;
    return ids;
}

/// The most frequent values with their counts, most frequent first (ties by first appearance).
QJsonArray topValues(const Column &c, const std::vector<int> &ids, int groups)
{
    std::vector<qsizetype> counts(size_t(groups), 0);
    std::vector<qsizetype> firstRow(size_t(groups), -1);
    for (size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] < 0)
            continue;
        if (counts[size_t(ids[i])]++ == 0)
            firstRow[size_t(ids[i])] = qsizetype(i);
    }
    std::vector<int> order(static_cast<size_t>(groups));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return counts[size_t(a)] > counts[size_t(b)]; });
    QJsonArray top;
    for (int k = 0; k < std::min(groups, kTopValues); ++k) {
        const int g = order[size_t(k)];
        top.append(QJsonObject{{QStringLiteral("value"), c.text(firstRow[size_t(g)])},
                               {QStringLiteral("count"), double(counts[size_t(g)])}});
    }
    return top;
}

struct Moments
{
    qsizetype n = 0;
    double min = 0, max = 0, mean = 0, std = 0;
    bool integer = true;
};

Moments momentsOf(const std::vector<double> &values)
{
    Moments m;
    double sum = 0, sumSq = 0;
    for (double v : values) {
        if (std::isnan(v))
            continue;
        if (m.n == 0)
            m.min = m.max = v;
        m.min = std::min(m.min, v);
        m.max = std::max(m.max, v);
        m.integer = m.integer && std::floor(v) == v;
        sum += v;
        ++m.n;
    }
    if (m.n == 0)
        return m;
    m.mean = sum / double(m.n);
    for (double v : values)
        if (!std::isnan(v))
            sumSq += (v - m.mean) * (v - m.mean);
    m.std = m.n > 1 ? std::sqrt(sumSq / double(m.n - 1)) : 0.0;
    return m;
}

QJsonObject summaryOf(const Column &c, const std::vector<int> &ids, int groups)
{
    QJsonObject s;
    switch (c.type) {
    case ColumnType::Numeric: {
        const Moments m = momentsOf(c.values);
        if (m.n == 0)
            break;
        s.insert(QStringLiteral("min"), m.min);
        s.insert(QStringLiteral("max"), m.max);
        s.insert(QStringLiteral("mean"), m.mean);
        s.insert(QStringLiteral("std"), m.std);
        s.insert(QStringLiteral("integer"), m.integer);
        break;
    }
    case ColumnType::Datetime: {
        const Moments m = momentsOf(c.values);
        if (m.n == 0)
            break;
        s.insert(QStringLiteral("min"), QDateTime::fromMSecsSinceEpoch(qint64(m.min), Qt::UTC).toString(Qt::ISODate));
        s.insert(QStringLiteral("max"), QDateTime::fromMSecsSinceEpoch(qint64(m.max), Qt::UTC).toString(Qt::ISODate));
        break;
    }
    case ColumnType::Text: {
        double length = 0, words = 0;
        qsizetype n = 0;
        for (size_t i = 0; i < c.codes.size(); ++i) {
            if (c.codes[i] < 0)
                continue;
            const QString &v = c.categories.at(c.codes[i]);
            length += double(v.size());
            words += double(v.split(QLatin1Char(' '), Qt::SkipEmptyParts).size());
            ++n;
        }
        if (n > 0) {
            s.insert(QStringLiteral("meanLength"), length / double(n));
            s.insert(QStringLiteral("meanWords"), words / double(n));
        }
        s.insert(QStringLiteral("top"), topValues(c, ids, groups));
        break;
    }
    case ColumnType::Categorical:
    case ColumnType::Boolean:
        s.insert(QStringLiteral("top"), topValues(c, ids, groups));
        break;
    }
    return s;
}

/// Long free text (sentences, descriptions) carries information even when every value is
/// different; short unique strings (names, codes, keys) identify rows.
bool isLongText(const ColumnProfile &p)
{
    return p.type == ColumnType::Text && p.summary.value(QStringLiteral("meanLength")).toDouble() > 30.0
        && p.summary.value(QStringLiteral("meanWords")).toDouble() >= 3.0;
}

/// ID-like: a value per row (nearly), as text or as whole numbers that count rows.
QString idReason(const Column &c, const ColumnProfile &p, qsizetype rows)
{
    if (rows < kMinRowsForId || double(p.distinct) <= kIdUniqueShare * double(rows))
        return {};
    const QString unique = p.distinct == rows
        ? QStringLiteral("unique for %1 of %2 rows").arg(p.distinct).arg(rows)
        : QStringLiteral("%1 distinct values in %2 rows").arg(p.distinct).arg(rows);
    if (p.type == ColumnType::Categorical || (p.type == ColumnType::Text && !isLongText(p)))
        return unique + QStringLiteral(": looks like an ID");
    if (p.type != ColumnType::Numeric || !p.summary.value(QStringLiteral("integer")).toBool())
        return {};
    // Whole numbers that are all different are measurements too (prices, areas); an ID is
    // dense like a row number or runs in row order.
    const double span = p.summary.value(QStringLiteral("max")).toDouble() - p.summary.value(QStringLiteral("min")).toDouble() + 1.0;
    bool monotone = true;
    int direction = 0;
    double previous = std::nan("");
    for (double v : c.values) {
        if (std::isnan(v))
            continue;
        if (!std::isnan(previous) && v != previous) {
            const int d = v > previous ? 1 : -1;
            if (direction == 0)
                direction = d;
            else if (d != direction) {
                monotone = false;
                break;
            }
        }
        previous = v;
    }
    if (span <= 2.0 * double(rows) || monotone)
        return unique + QStringLiteral(" of whole numbers %1: looks like an ID")
                            .arg(monotone ? QStringLiteral("in row order") : QStringLiteral("that count rows"));
    return {};
}

/// Share of rows whose class is the most frequent class of their value of `groups`
/// (missing is a value of its own): 1.0 when the column alone tells the class.
double groupPurity(const std::vector<int> &groups, int groupCount, const std::vector<int> &labels, int classes)
{
    std::vector<qsizetype> counts(size_t(groupCount + 1) * size_t(classes), 0);
    qsizetype n = 0;
    for (size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0)
            continue;
        const int g = groups[i] < 0 ? groupCount : groups[i];
        ++counts[size_t(g) * size_t(classes) + size_t(labels[i])];
        ++n;
    }
    qsizetype right = 0;
    for (int g = 0; g <= groupCount; ++g)
        right += *std::max_element(counts.begin() + g * classes, counts.begin() + (g + 1) * classes);
    return n ? double(right) / double(n) : 0.0;
}

/// Rank AUC of a numeric column for the binary labels (0/1), rows with both present.
double rankAuc(const std::vector<double> &values, const std::vector<int> &labels)
{
    std::vector<std::pair<double, int>> rows;
    for (size_t i = 0; i < labels.size(); ++i)
        if (labels[i] >= 0 && !std::isnan(values[i]))
            rows.emplace_back(values[i], labels[i]);
    std::sort(rows.begin(), rows.end());
    double positives = 0, rankSum = 0;
    for (size_t i = 0; i < rows.size();) {
        size_t j = i;
        while (j < rows.size() && rows[j].first == rows[i].first)
            ++j;
        const double rank = (double(i) + double(j - 1)) / 2.0 + 1.0;   // ties share the mean rank
        for (size_t k = i; k < j; ++k)
            if (rows[k].second == 1) {
                rankSum += rank;
                ++positives;
            }
        i = j;
    }
    const double negatives = double(rows.size()) - positives;
    if (positives == 0 || negatives == 0)
        return 0.5;
    return (rankSum - positives * (positives + 1) / 2.0) / (positives * negatives);
}

/// How well intervals of the column tell the class: the rows sorted by value fall into runs of
/// one class; k classes in k runs are perfectly separated, and each row out of place adds at
/// most two changes of class, so this is 1 - (changes - (k - 1)) / 2 / rows.
double thresholdAccuracy(const std::vector<double> &values, const std::vector<int> &labels, int classes)
{
    std::vector<std::pair<double, int>> rows;
    for (size_t i = 0; i < labels.size(); ++i)
        if (labels[i] >= 0 && !std::isnan(values[i]))
            rows.emplace_back(values[i], labels[i]);
    if (rows.empty())
        return 0.0;
    std::sort(rows.begin(), rows.end());
    qsizetype changes = 0;
    for (size_t i = 1; i < rows.size(); ++i)
        changes += rows[i].second != rows[i - 1].second ? 1 : 0;
    const double errors = std::max(0.0, double(changes - (classes - 1)) / 2.0);
    return 1.0 - errors / double(rows.size());
}

double correlation(const std::vector<double> &a, const std::vector<double> &b)
{
    double n = 0, ma = 0, mb = 0;
    for (size_t i = 0; i < a.size(); ++i)
        if (!std::isnan(a[i]) && !std::isnan(b[i])) {
            ma += a[i];
            mb += b[i];
            ++n;
        }
    if (n < 2)
        return 0.0;
    ma /= n;
    mb /= n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < a.size(); ++i)
        if (!std::isnan(a[i]) && !std::isnan(b[i])) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

/// Why `c` leaks the target, or empty. A column that alone predicts the target almost
/// perfectly is either the answer written down (a later outcome, a recoding of the label) or
/// so strong that the problem needs no model: either way training on it misleads.
QString leakReason(const Column &c, const std::vector<int> &ids, int groups, const ColumnProfile &p,
                   const DataProfile &profile, const std::vector<int> &labels, int classes,
                   const std::vector<double> &targetValues, qsizetype labelled)
{
    if (labelled < kMinRowsForLeak || p.distinct < 2)
        return {};
    if (profile.task == Task::Regression) {
        if (!c.isNumeric())
            return {};
        const double r = correlation(c.values, targetValues);
        if (std::abs(r) > kLeakCorrelation)
            return QStringLiteral("correlation with '%1' is %2: it leaks the target")
                .arg(profile.target, QString::number(r, 'f', 4));
        return {};
    }
    // The majority class alone is right this often; a leak must do far better than that too
    // (on a 99.5 % / 0.5 % target every column is "99 % right").
    std::vector<qsizetype> classCounts(size_t(classes), 0);
    for (int l : labels)
        if (l >= 0)
            ++classCounts[size_t(l)];
    const double baseline = double(*std::max_element(classCounts.begin(), classCounts.end())) / double(labelled);
    auto leaks = [&](double accuracy) {
        return accuracy > kLeakAccuracy && (1.0 - accuracy) < 0.1 * (1.0 - baseline);
    };
    // Values that repeat: each value maps to a class.
    if (p.distinct * 2 <= labelled) {
        const double purity = groupPurity(ids, groups, labels, classes);
        if (leaks(purity))
            return QStringLiteral("its %1 values tell '%2' for %3 % of rows on their own: it leaks the target")
                .arg(p.distinct).arg(profile.target, percent(purity));
        return {};
    }
    if (!c.isNumeric())
        return {};
    if (profile.task == Task::Binary) {
        const double auc = rankAuc(c.values, labels);
        const double separation = std::max(auc, 1.0 - auc);
        if (separation > kLeakAccuracy)
            return QStringLiteral("it ranks the classes of '%1' on its own (AUC %2): it leaks the target")
                .arg(profile.target, QString::number(separation, 'f', 4));
    }
    const double accuracy = thresholdAccuracy(c.values, labels, classes);
    if (leaks(accuracy))
        return QStringLiteral("thresholds on it tell '%1' for %2 % of rows on their own: it leaks the target")
            .arg(profile.target, percent(accuracy));
    return {};
}

QJsonObject numericDistribution(const Column &c, qsizetype missing)
{
    std::vector<double> v;
    v.reserve(c.values.size());
    for (double x : c.values)
        if (!std::isnan(x))
            v.push_back(x);
    std::sort(v.begin(), v.end());
    const Moments m = momentsOf(v);
    QJsonObject d{{QStringLiteral("kind"), QStringLiteral("numeric")}, {QStringLiteral("missing"), double(missing)}};
    if (v.empty())
        return d;
    d.insert(QStringLiteral("min"), m.min);
    d.insert(QStringLiteral("max"), m.max);
    d.insert(QStringLiteral("mean"), m.mean);
    d.insert(QStringLiteral("std"), m.std);
    auto quantile = [&](double q) {
        const double pos = q * double(v.size() - 1);
        const size_t lo = size_t(std::floor(pos));
        const size_t hi = std::min(v.size() - 1, lo + 1);
        return v[lo] + (pos - double(lo)) * (v[hi] - v[lo]);
    };
    QJsonObject quantiles;
    for (double q : {0.05, 0.25, 0.5, 0.75, 0.95})
        quantiles.insert(QString::number(q), quantile(q));
    d.insert(QStringLiteral("quantiles"), quantiles);
    constexpr int bins = 20;
    const double width = (m.max - m.min) / bins;
    QJsonArray edges, counts;
    std::vector<qsizetype> n(bins, 0);
    for (double x : v) {
        int b = width > 0 ? int((x - m.min) / width) : 0;
        ++n[size_t(std::clamp(b, 0, bins - 1))];
    }
    for (int b = 0; b <= bins; ++b)
        edges.append(m.min + b * width);
    for (qsizetype k : n)
        counts.append(double(k));
    d.insert(QStringLiteral("histogram"), QJsonObject{{QStringLiteral("edges"), edges}, {QStringLiteral("counts"), counts}});
    return d;
}

/// Class labels (0..k-1, -1 when missing) of the target, classes in sorted order (numbers
/// numerically), as the trainers name them.
std::vector<int> classLabels(const Column &c, QStringList *names, QList<qsizetype> *counts)
{
    struct Value { QString text; double number; qsizetype count; qsizetype firstRow; };
    int groups = 0;
    const std::vector<int> ids = groupIds(c, &groups);
    std::vector<Value> values(static_cast<size_t>(groups));
    for (size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] < 0)
            continue;
        Value &v = values[size_t(ids[i])];
        if (v.count++ == 0) {
            v.text = c.text(qsizetype(i));
            v.number = c.isNumeric() ? c.values[i] : 0.0;
        }
    }
    std::vector<int> order(static_cast<size_t>(groups));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        const Value &x = values[size_t(a)], &y = values[size_t(b)];
        return c.isNumeric() ? x.number < y.number : x.text < y.text;
    });
    std::vector<int> rank(static_cast<size_t>(groups));
    for (int k = 0; k < groups; ++k) {
        rank[size_t(order[size_t(k)])] = k;
        *names << values[size_t(order[size_t(k)])].text;
        *counts << values[size_t(order[size_t(k)])].count;
    }
    std::vector<int> labels(ids.size(), -1);
    for (size_t i = 0; i < ids.size(); ++i)
        if (ids[i] >= 0)
            labels[i] = rank[size_t(ids[i])];
    return labels;
}

Task checkedTask(const Column &target, std::optional<Task> requested, qsizetype classCount)
{
    const Task inferred = inferTask(target);
    Task task = requested.value_or(inferred);
    const QString name = target.name;
    if (task == Task::Clustering || task == Task::ImageClassification)
        throw Error(QStringLiteral("AutoML solves binary, multiclass and regression problems, not %1").arg(taskName(task)));
    if (task == Task::Regression) {
        if (target.type == ColumnType::Categorical || target.type == ColumnType::Text || target.type == ColumnType::Boolean)
            throw Error(QStringLiteral("regression needs a numeric target; '%1' is %2 (pick binary or multiclass)")
                            .arg(name, columnTypeName(target.type)));
        return task;
    }
    if (classCount < 2)
        throw Error(QStringLiteral("target '%1' has %2 class(es); classification needs at least two")
                        .arg(name).arg(classCount));
    if (!requested) {
        // inferTask counts categories; the classes are the values that occur.
        return classCount == 2 ? Task::Binary : Task::Multiclass;
    }
    if (task == Task::Binary && classCount > 2)
        throw Error(QStringLiteral("target '%1' has %2 classes; binary classification needs exactly two (pick multiclass)")
                        .arg(name).arg(classCount));
    constexpr qsizetype maxClasses = 200;
    if (classCount > maxClasses)
        throw Error(QStringLiteral("target '%1' has %2 distinct values, too many for classification (pick regression)")
                        .arg(name).arg(classCount));
    return task;
}

} // namespace

QJsonObject ColumnProfile::toJson() const
{
    return QJsonObject{
        {QStringLiteral("name"), name},
        {QStringLiteral("type"), data::columnTypeName(type)},
        {QStringLiteral("missing"), double(missing)},
        {QStringLiteral("distinct"), double(distinct)},
        {QStringLiteral("flag"), flag},
        {QStringLiteral("reason"), reason},
        {QStringLiteral("dropped"), dropped},
        {QStringLiteral("summary"), summary},
    };
}

ColumnProfile ColumnProfile::fromJson(const QJsonObject &o)
{
    ColumnProfile p;
    p.name = o.value(QStringLiteral("name")).toString();
    p.type = data::columnTypeFromName(o.value(QStringLiteral("type")).toString()).value_or(ColumnType::Numeric);
    p.missing = qsizetype(o.value(QStringLiteral("missing")).toDouble());
    p.distinct = qsizetype(o.value(QStringLiteral("distinct")).toDouble());
    p.flag = o.value(QStringLiteral("flag")).toString();
    p.reason = o.value(QStringLiteral("reason")).toString();
    p.dropped = o.value(QStringLiteral("dropped")).toBool();
    p.summary = o.value(QStringLiteral("summary")).toObject();
    return p;
}

QStringList DataProfile::droppedColumns() const
{
    QStringList names;
    for (const ColumnProfile &c : columns)
        if (c.dropped)
            names << c.name;
    return names;
}

QStringList DataProfile::featureColumns() const
{
    QStringList names;
    for (const ColumnProfile &c : columns)
        if (!c.dropped && c.name != target)
            names << c.name;
    return names;
}

const ColumnProfile *DataProfile::column(const QString &name) const
{
    for (const ColumnProfile &c : columns)
        if (c.name == name)
            return &c;
    return nullptr;
}

QJsonObject DataProfile::toJson() const
{
    QJsonArray cols;
    for (const ColumnProfile &c : columns)
        cols.append(c.toJson());
    return QJsonObject{
        {QStringLiteral("rows"), double(rows)},
        {QStringLiteral("target"), target},
        {QStringLiteral("task"), taskName(task)},
        {QStringLiteral("columns"), cols},
        {QStringLiteral("targetDistribution"), targetDistribution},
    };
}

DataProfile DataProfile::fromJson(const QJsonObject &o)
{
    DataProfile p;
    p.rows = qsizetype(o.value(QStringLiteral("rows")).toDouble());
    p.target = o.value(QStringLiteral("target")).toString();
    const QString task = o.value(QStringLiteral("task")).toString();
    const std::optional<Task> t = taskFromName(task);
    if (!t)
        throw Error(QStringLiteral("data profile: unknown task '%1'").arg(task));
    p.task = *t;
    for (const QJsonValue &c : o.value(QStringLiteral("columns")).toArray())
        p.columns << ColumnProfile::fromJson(c.toObject());
    p.targetDistribution = o.value(QStringLiteral("targetDistribution")).toObject();
    return p;
}

DataProfile profileTable(const data::Table &table, const QString &target, std::optional<Task> problemType)
{
    const Column &targetColumn = table.column(target);   // throws naming the columns there are
    DataProfile profile;
    profile.rows = table.rowCount();
    profile.target = target;

    QStringList classNames;
    QList<qsizetype> classCounts;
    const std::vector<int> labels = classLabels(targetColumn, &classNames, &classCounts);
    profile.task = checkedTask(targetColumn, problemType, classNames.size());
    const bool classification = profile.task != Task::Regression;
    const qsizetype targetMissing = targetColumn.missingCount();
    const qsizetype labelled = profile.rows - targetMissing;

    if (classification) {
        QJsonArray classes;
        for (int k = 0; k < classNames.size(); ++k)
            classes.append(QJsonObject{{QStringLiteral("value"), classNames.at(k)}, {QStringLiteral("count"), double(classCounts.at(k))}});
        profile.targetDistribution = QJsonObject{{QStringLiteral("kind"), QStringLiteral("classes")},
                                                 {QStringLiteral("classes"), classes},
                                                 {QStringLiteral("missing"), double(targetMissing)}};
    } else {
        profile.targetDistribution = numericDistribution(targetColumn, targetMissing);
    }

    for (const Column &c : table.columns) {
        ColumnProfile p;
        p.name = c.name;
        p.type = c.type;
        p.missing = c.missingCount();
        int groups = 0;
        const std::vector<int> ids = groupIds(c, &groups);
        p.distinct = groups;
        p.summary = summaryOf(c, ids, groups);
        if (c.name == target) {
            p.flag = QStringLiteral("target");
            p.reason = QStringLiteral("the column to predict");
        } else if (p.distinct <= 1) {
            p.flag = QStringLiteral("constant");
            qsizetype first = 0;
            while (first < c.size() && c.isMissing(first))
                ++first;
            p.reason = p.distinct == 0
                ? QStringLiteral("every value is missing")
                : QStringLiteral("the same value in every row ('%1')%2")
                      .arg(c.text(first), p.missing ? QStringLiteral(" or missing") : QString());
        } else if (const QString why = idReason(c, p, profile.rows); !why.isEmpty()) {
            p.flag = QStringLiteral("id");
            p.reason = why;
        } else if (const QString why = leakReason(c, ids, groups, p, profile, labels, int(classNames.size()),
                                                  targetColumn.isNumeric() ? targetColumn.values : std::vector<double>{},
                                                  labelled);
                   !why.isEmpty()) {
            p.flag = QStringLiteral("leak");
            p.reason = why;
        }
        p.dropped = !p.flag.isEmpty() && p.flag != QLatin1String("target");
        profile.columns << p;
    }
    return profile;
}

QString defaultMetric(Task task)
{
    switch (task) {
    case Task::Binary: return QStringLiteral("f1");
    case Task::Multiclass: return QStringLiteral("accuracy");
    case Task::Regression: return QStringLiteral("mse");
    default: break;
    }
    throw Error(QStringLiteral("AutoML has no metric for %1").arg(taskName(task)));
}

QStringList metricsFor(Task task)
{
    switch (task) {
    case Task::Binary:
        return {QStringLiteral("f1"), QStringLiteral("auc"), QStringLiteral("accuracy"), QStringLiteral("balanced_accuracy"),
                QStringLiteral("precision"), QStringLiteral("recall"), QStringLiteral("log_loss")};
    case Task::Multiclass:
        return {QStringLiteral("accuracy"), QStringLiteral("f1_macro"), QStringLiteral("balanced_accuracy"), QStringLiteral("log_loss")};
    case Task::Regression:
        return {QStringLiteral("mse"), QStringLiteral("rmse"), QStringLiteral("mae"), QStringLiteral("r2")};
    default:
        return {};
    }
}

bool metricMaximized(const QString &metric)
{
    return metric != QLatin1String("log_loss") && metric != QLatin1String("mse")
        && metric != QLatin1String("rmse") && metric != QLatin1String("mae");
}

} // namespace cairn::automl
