#include "cairn/algorithms/ensemble.h"

#include "cairn/algorithms/explain.h"
#include "cairn/algorithms/modelloader.h"
#include "cairn/util/error.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cairn {

double TargetTransform::forward(double y) const
{
    return isNone() ? y : std::log1p(y);
}

double TargetTransform::inverse(double learnt) const
{
    if (isNone() || std::isnan(learnt))
        return learnt;
    return std::expm1(std::clamp(learnt, low, high));
}

QJsonObject TargetTransform::toJson() const
{
    if (isNone())
        return {};
    return QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("low"), low}, {QStringLiteral("high"), high}};
}

TargetTransform TargetTransform::fromJson(const QJsonObject &json)
{
    TargetTransform t;
    t.name = json.value(QStringLiteral("name")).toString();
    if (t.isNone())
        return t;
    if (t.name != QLatin1String("log1p"))
        throw Error(QStringLiteral("unknown target transform '%1' (this build knows log1p)").arg(t.name));
    // Saved with every transform: a model file without them has been edited or cut short.
    const QJsonValue low = json.value(QStringLiteral("low")), high = json.value(QStringLiteral("high"));
    if (!low.isDouble() || !high.isDouble() || !(low.toDouble() <= high.toDouble()))
        throw Error(QStringLiteral("the target transform log1p has no valid clamp bounds (\"low\" and \"high\" numbers, low <= high)"));
    t.low = low.toDouble();
    t.high = high.toDouble();
    return t;
}

TargetTransform TargetTransform::log1p(const std::vector<double> &values)
{
    TargetTransform t;
    t.name = QStringLiteral("log1p");
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values)
        if (std::isfinite(v) && v > -1) {
            lo = std::min(lo, std::log1p(v));
            hi = std::max(hi, std::log1p(v));
        }
    if (lo <= hi) {
        t.low = lo - 1;
        t.high = hi + 1;
    }
    return t;
}

QJsonObject StackCombiner::toJson() const
{
    if (isNone())
        return {};
    QJsonArray w;
    for (double x : weights)
        w.append(x);
    QJsonObject o{{QStringLiteral("combine"), combine}, {QStringLiteral("weights"), w}};
    if (combine == QLatin1String("linear")) {
        o.insert(QStringLiteral("intercept"), intercept);
    } else {
        QJsonArray b;
        for (double x : bias)
            b.append(x);
        o.insert(QStringLiteral("bias"), b);
        o.insert(QStringLiteral("floor"), floor);
    }
    return o;
}

StackCombiner StackCombiner::fromJson(const QJsonObject &json, qsizetype members, qsizetype classes)
{
    StackCombiner s;
    s.combine = json.value(QStringLiteral("combine")).toString();
    if (s.isNone())
        return s;
    const bool linear = s.combine == QLatin1String("linear");
    if (!linear && s.combine != QLatin1String("logpool"))
        throw Error(QStringLiteral("unknown stack combination '%1' (this build knows linear and logpool)").arg(s.combine));
    if (linear != (classes == 0))
        throw Error(QStringLiteral("the stack combination '%1' does not fit this model's task").arg(s.combine));
    auto numbers = [](const QJsonValue &v, std::vector<double> &out) {
        for (const QJsonValue &x : v.toArray()) {
            if (!x.isDouble() || !std::isfinite(x.toDouble()))
                return false;
            out.push_back(x.toDouble());
        }
        return true;
    };
    if (!numbers(json.value(QStringLiteral("weights")), s.weights) || qsizetype(s.weights.size()) != members)
        throw Error(QStringLiteral("the stack needs one finite weight per member (%1)").arg(members));
    if (linear) {
        if (!json.value(QStringLiteral("intercept")).isDouble())
            throw Error(QStringLiteral("the linear stack has no intercept"));
        s.intercept = json.value(QStringLiteral("intercept")).toDouble();
    } else {
        s.floor = json.value(QStringLiteral("floor")).toDouble(0);
        if (!numbers(json.value(QStringLiteral("bias")), s.bias) || qsizetype(s.bias.size()) != classes || !(s.floor > 0 && s.floor < 1))
            throw Error(QStringLiteral("the logpool stack needs one bias per class (%1) and a floor between 0 and 1").arg(classes));
    }
    return s;
}

void StackCombiner::combineRow(const double *memberOutputs, qsizetype k, double *out) const
{
    const size_t m = weights.size();
    if (combine == QLatin1String("linear")) {
        double v = intercept;
        for (size_t i = 0; i < m; ++i)
            v += weights[i] * memberOutputs[i];
        out[0] = v;
        return;
    }
    double top = -std::numeric_limits<double>::infinity();
    for (qsizetype c = 0; c < k; ++c) {
        double s = size_t(c) < bias.size() ? bias[size_t(c)] : 0.0;
        for (size_t i = 0; i < m; ++i) {
            const double p = memberOutputs[i * size_t(k) + size_t(c)];
            s += weights[i] * std::log(std::max(std::isnan(p) ? 0.0 : p, floor));
        }
        out[c] = s;
        top = std::max(top, s);
    }
    double total = 0;
    for (qsizetype c = 0; c < k; ++c)
        total += (out[c] = std::exp(out[c] - top));
    for (qsizetype c = 0; c < k; ++c)
        out[c] /= total;
}

bool isEnsembleCard(const ModelCard &card)
{
    return card.plugin == QLatin1String("cairn") && card.algorithm == QLatin1String("ensemble");
}

QList<EnsembleMember> ensembleMembers(const ModelCard &card)
{
    QList<EnsembleMember> members;
    for (const QJsonValue &v : card.extra.value(QStringLiteral("members")).toArray()) {
        const QJsonObject o = v.toObject();
        EnsembleMember m;
        m.path = o.value(QStringLiteral("path")).toString();
        m.weight = o.value(QStringLiteral("weight")).toDouble(1);
        if (m.path.isEmpty() || !(m.weight >= 0))
            throw Error(QStringLiteral("the ensemble card has a member without a path or with a negative weight"));
        members << m;
    }
    if (members.isEmpty())
        throw Error(QStringLiteral("the ensemble card lists no members (extra.members)"));
    return members;
}

void copyFolder(const QString &from, const QString &to)
{
    QDir target(to);
    if (target.exists() && !target.removeRecursively())
        throw Error(QStringLiteral("cannot replace %1").arg(to));
    if (!QDir().mkpath(to))
        throw Error(QStringLiteral("cannot create %1").arg(to));
    const QDir source(from);
    if (!source.exists())
        throw Error(QStringLiteral("model folder %1 does not exist").arg(from));
    QDirIterator it(from, QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString relative = source.relativeFilePath(path);
        const QString dest = QDir(to).filePath(relative);
        if (it.fileInfo().isDir()) {
            QDir().mkpath(dest);
            continue;
        }
        QDir().mkpath(QFileInfo(dest).absolutePath());
        if (!QFile::copy(path, dest))
            throw Error(QStringLiteral("cannot copy %1 to %2").arg(path, dest));
    }
}

void saveEnsembleModel(const QString &dir, ModelCard card, const QList<EnsembleMember> &sources)
{
    if (sources.isEmpty())
        throw Error(QStringLiteral("an ensemble needs at least one member"));
    double total = 0;
    for (const EnsembleMember &m : sources)
        total += m.weight;
    if (!(total > 0))
        throw Error(QStringLiteral("the ensemble's weights sum to zero"));
    QDir(QDir(dir).filePath(QStringLiteral("members"))).removeRecursively();
    QJsonArray members;
    for (qsizetype i = 0; i < sources.size(); ++i) {
        const QString relative = QStringLiteral("members/%1").arg(i);
        copyFolder(ModelCard::folderOf(sources.at(i).path), QDir(dir).filePath(relative));
        members.append(QJsonObject{{QStringLiteral("path"), relative}, {QStringLiteral("weight"), sources.at(i).weight / total}});
    }
    card.plugin = QStringLiteral("cairn");
    card.algorithm = QStringLiteral("ensemble");
    card.extra.insert(QStringLiteral("members"), members);
    card.files = QJsonObject{{QStringLiteral("members"), QStringLiteral("members")}};
    card.save(dir);
}

EnsemblePredictor::EnsemblePredictor(PluginManager &plugins, ModelCard card, const QString &dir)
    : m_card(std::move(card))
{
    m_task = taskFromName(m_card.task).value_or(Task::Regression);
    if (m_task == Task::Clustering || m_task == Task::ImageClassification)
        throw Error(QStringLiteral("ensembles of %1 models are not supported").arg(m_card.task));
    m_transform = TargetTransform::fromJson(m_card.extra.value(QStringLiteral("targetTransform")).toObject());
    if (!m_transform.isNone() && m_task != Task::Regression)
        throw Error(QStringLiteral("a target transform needs a regression model, not %1").arg(m_card.task));
    double total = 0;
    for (const EnsembleMember &m : ensembleMembers(m_card)) {
        Member member;
        const QString path = QDir::isAbsolutePath(m.path) ? m.path : QDir(dir).filePath(m.path);
        member.predictor = loadPredictor(plugins, path, &member.card);
        member.weight = m.weight;
        total += m.weight;
        m_members.push_back(std::move(member));
    }
    if (!(total > 0))
        throw Error(QStringLiteral("the ensemble's weights sum to zero"));
    for (Member &m : m_members)
        m.weight /= total;
    m_stack = StackCombiner::fromJson(m_card.extra.value(QStringLiteral("stack")).toObject(), qsizetype(m_members.size()),
                                      m_task == Task::Regression ? 0 : m_card.classes.size());
    if (!m_stack.isNone() && !m_transform.isNone())
        throw Error(QStringLiteral("a stack cannot have a target transform of its own (its members have theirs)"));
}

EnsemblePredictor::~EnsemblePredictor() = default;

Predictions EnsemblePredictor::predict(const PredictionInput &input)
{
    Predictions out;
    out.task = m_task;
    if (m_task == Task::Regression) {
        std::vector<std::vector<double>> each; // a stack combines the members' own values
        for (Member &m : m_members) {
            const Predictions p = m.predictor->predict(input);
            if (out.values.empty())
                out.values.assign(p.values.size(), 0.0);
            if (p.values.size() != out.values.size())
                throw Error(QStringLiteral("the ensemble's members returned different numbers of predictions"));
            if (!m_stack.isNone()) {
                each.push_back(p.values);
                continue;
            }
            for (size_t r = 0; r < p.values.size(); ++r)
                out.values[r] += m.weight * p.values[r];
        }
        if (!m_stack.isNone()) {
            std::vector<double> row(each.size());
            for (size_t r = 0; r < out.values.size(); ++r) {
                for (size_t i = 0; i < each.size(); ++i)
                    row[i] = each[i][r];
                m_stack.combineRow(row.data(), 1, &out.values[r]);
            }
        }
        for (double &v : out.values)
            v = m_transform.inverse(v);
        return out;
    }

    // Classification: the card's classes are the full list; members may know fewer.
    out.classes = m_card.classes;
    QHash<QString, int> index;
    for (int j = 0; j < out.classes.size(); ++j)
        index.insert(out.classes.at(j), j);
    qsizetype k = out.classes.size();
    std::vector<double> sum;
    std::vector<std::vector<double>> each; // a stack: each member's probabilities over the card's classes
    qsizetype rows = -1;
    for (Member &m : m_members) {
        const Predictions p = m.predictor->predict(input);
        if (rows < 0) {
            rows = p.rows();
            sum.assign(size_t(rows * k), 0.0);
        }
        if (p.rows() != rows)
            throw Error(QStringLiteral("the ensemble's members returned different numbers of predictions"));
        const qsizetype mk = p.classes.size();
        if (!m_stack.isNone()) {
            // Its biases are per class of the card: a class only a member knows is left out.
            std::vector<double> aligned(size_t(rows * k), 0.0);
            for (qsizetype j = 0; j < mk; ++j) {
                const int to = index.value(p.classes.at(j), -1);
                for (qsizetype r = 0; r < rows && to >= 0; ++r)
                    aligned[size_t(r * k + to)] = !p.probabilities.empty() ? double(p.probabilities[size_t(r * mk + j)])
                                                                            : (p.labels[size_t(r)] == j ? 1.0 : 0.0);
            }
            each.push_back(std::move(aligned));
            continue;
        }
        std::vector<int> map(size_t(mk), -1);
        for (qsizetype j = 0; j < mk; ++j) {
            auto it = index.constFind(p.classes.at(j));
            if (it == index.constEnd()) {
                // A member that knows a class the card does not: extend the list.
                index.insert(p.classes.at(j), int(out.classes.size()));
                out.classes << p.classes.at(j);
                std::vector<double> wider(size_t(rows * (k + 1)), 0.0);
                for (qsizetype r = 0; r < rows; ++r)
                    for (qsizetype c = 0; c < k; ++c)
                        wider[size_t(r * (k + 1) + c)] = sum[size_t(r * k + c)];
                sum.swap(wider);
                k += 1;
                it = index.constFind(p.classes.at(j));
            }
            map[size_t(j)] = it.value();
        }
        for (qsizetype r = 0; r < rows; ++r) {
            if (!p.probabilities.empty()) {
                for (qsizetype j = 0; j < mk; ++j)
                    sum[size_t(r * k + map[size_t(j)])] += m.weight * double(p.probabilities[size_t(r * mk + j)]);
            } else if (p.labels[size_t(r)] >= 0 && p.labels[size_t(r)] < mk) {
                sum[size_t(r * k + map[size_t(p.labels[size_t(r)])])] += m.weight;
            }
        }
    }
    rows = std::max<qsizetype>(rows, 0);
    if (!m_stack.isNone()) {
        std::vector<double> row(each.size() * size_t(k));
        for (qsizetype r = 0; r < rows; ++r) {
            for (size_t i = 0; i < each.size(); ++i)
                std::copy_n(each[i].begin() + r * k, k, row.begin() + qsizetype(i) * k);
            m_stack.combineRow(row.data(), k, &sum[size_t(r * k)]);
        }
    }
    out.probabilities.resize(size_t(rows * k));
    out.labels.resize(size_t(rows));
    for (qsizetype r = 0; r < rows; ++r) {
        int best = 0;
        for (qsizetype j = 0; j < k; ++j) {
            out.probabilities[size_t(r * k + j)] = float(sum[size_t(r * k + j)]);
            if (sum[size_t(r * k + j)] > sum[size_t(r * k + best)])
                best = int(j);
        }
        out.labels[size_t(r)] = best;
    }
    return out;
}

std::optional<Contributions> EnsemblePredictor::contributions(const PredictionInput &input)
{
    // The members explain the learnt scale (e.g. log), or a stack combines them in a way a
    // weighted sum does not follow: their sum would not add up to a prediction.
    if (!m_transform.isNone() || !m_stack.isNone())
        return std::nullopt;
    std::optional<Contributions> total;
    QStringList classNames;   // per explained row class, by name, to check members agree
    for (Member &m : m_members) {
        std::optional<Contributions> c = m.predictor->contributions(input);
        if (!c)
            return std::nullopt;
        QStringList rowClasses;
        for (int cls : c->rowClasses)
            rowClasses << m.card.classes.value(cls);
        if (!total) {
            total = Contributions{};
            total->method = c->method;
            total->features = c->features;
            total->target = c->target;
            total->output = c->output;
            total->values.assign(c->values.size(), 0.0);
            total->base.assign(c->base.size(), 0.0);
            for (const QString &name : rowClasses)
                total->rowClasses.push_back(int(m_card.classes.indexOf(name)));
            classNames = rowClasses;
        } else if (c->method != total->method || c->output != total->output || c->rows() != total->rows() || rowClasses != classNames) {
            return std::nullopt; // different spaces or classes: a sum would mean nothing
        }
        const qsizetype n = c->rows();
        for (qsizetype j = 0; j < c->features.size(); ++j) {
            qsizetype to = total->features.indexOf(c->features.at(j));
            if (to < 0) {
                // Widen the matrix for a column only this member uses.
                const qsizetype f = total->features.size();
                std::vector<double> wider(size_t(n * (f + 1)), 0.0);
                for (qsizetype r = 0; r < n; ++r)
                    for (qsizetype x = 0; x < f; ++x)
                        wider[size_t(r * (f + 1) + x)] = total->values[size_t(r * f + x)];
                total->values.swap(wider);
                total->features << c->features.at(j);
                to = f;
            }
            const qsizetype f = total->features.size();
            for (qsizetype r = 0; r < n; ++r)
                total->values[size_t(r * f + to)] += m.weight * c->value(r, j);
        }
        for (qsizetype r = 0; r < n; ++r)
            total->base[size_t(r)] += m.weight * c->base[size_t(r)];
    }
    return total;
}

} // namespace cairn
