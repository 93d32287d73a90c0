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
}

EnsemblePredictor::~EnsemblePredictor() = default;

Predictions EnsemblePredictor::predict(const PredictionInput &input)
{
    Predictions out;
    out.task = m_task;
    if (m_task == Task::Regression) {
        for (Member &m : m_members) {
            const Predictions p = m.predictor->predict(input);
            if (out.values.empty())
                out.values.assign(p.values.size(), 0.0);
            if (p.values.size() != out.values.size())
                throw Error(QStringLiteral("the ensemble's members returned different numbers of predictions"));
            for (size_t r = 0; r < p.values.size(); ++r)
                out.values[r] += m.weight * p.values[r];
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
    // The members explain the learnt scale (e.g. log): their sum does not add up to a prediction.
    if (!m_transform.isNone())
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
