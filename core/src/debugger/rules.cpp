// The built-in rules, after SageMaker Debugger's catalogue (names and default parameters).
// Each reads only what RunData loaded (fresh samples since the last evaluation, loss series)
// and keeps its own state, so that evaluating while a job runs costs little.
#include "cairn/debugger/rule.h"

#include "cairn/debugger/rundata.h"
#include "cairn/util/error.h"

#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>

namespace cairn::debugger {

QString ruleStatusName(RuleStatus status)
{
    switch (status) {
    case RuleStatus::InProgress: return QStringLiteral("InProgress");
    case RuleStatus::NoIssuesFound: return QStringLiteral("NoIssuesFound");
    case RuleStatus::IssuesFound: return QStringLiteral("IssuesFound");
    case RuleStatus::Error: return QStringLiteral("Error");
    case RuleStatus::NotApplicable: return QStringLiteral("NotApplicable");
    }
    return QStringLiteral("Error");
}

std::optional<RuleStatus> ruleStatusFromName(const QString &name)
{
    for (RuleStatus s : {RuleStatus::InProgress, RuleStatus::NoIssuesFound, RuleStatus::IssuesFound, RuleStatus::Error, RuleStatus::NotApplicable})
        if (ruleStatusName(s).compare(name, Qt::CaseInsensitive) == 0)
            return s;
    return std::nullopt;
}

QJsonObject RuleInfo::defaults() const
{
    QJsonObject o;
    for (const RuleParameter &p : parameters)
        o.insert(p.name, p.defaultValue);
    return o;
}

RuleConfig RuleConfig::fromJson(const QJsonValue &value)
{
    RuleConfig c;
    if (value.isString()) {
        c.name = value.toString();
        return c;
    }
    const QJsonObject o = value.toObject();
    c.name = o.value(QStringLiteral("name")).toString();
    c.parameters = o.value(QStringLiteral("parameters")).toObject();
    if (c.parameters.isEmpty())
        c.parameters = o.value(QStringLiteral("params")).toObject();
    if (o.contains(QStringLiteral("actions"))) {
        c.actions.clear();
        for (const QJsonValue &a : o.value(QStringLiteral("actions")).toArray())
            c.actions << a.toString().toLower();
    }
    return c;
}

QJsonObject RuleConfig::toJson() const
{
    return QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("parameters"), parameters},
                       {QStringLiteral("actions"), QJsonArray::fromStringList(actions)}};
}

QList<RuleConfig> RuleConfig::listFromJson(const QJsonArray &rules)
{
    QList<RuleConfig> out;
    for (const QJsonValue &v : rules) {
        RuleConfig c = fromJson(v);
        createRule(c.name, c.parameters); // validates name and parameters
        for (const QString &a : c.actions)
            if (a != QLatin1String("stop") && a != QLatin1String("notify"))
                throw Error(QStringLiteral("rule %1: unknown action '%2' (use stop or notify)").arg(c.name, a));
        out << c;
    }
    return out;
}

Rule::Rule(const RuleInfo &info, const QJsonObject &parameters) : m_info(info), m_params(info.defaults())
{
    for (auto it = parameters.begin(); it != parameters.end(); ++it) {
        if (!m_params.contains(it.key())) {
            QStringList known;
            for (const RuleParameter &p : info.parameters)
                known << p.name;
            throw Error(QStringLiteral("rule %1 has no parameter '%2' (it has: %3)")
                            .arg(info.name, it.key(), known.isEmpty() ? QStringLiteral("none") : known.join(QStringLiteral(", "))));
        }
        QJsonValue v = it.value();
        // Parameters typed on a command line arrive as text: keep the default's type.
        const QJsonValue def = m_params.value(it.key());
        if (v.isString() && def.isDouble()) {
            bool ok = false;
            const double d = v.toString().toDouble(&ok);
            if (!ok)
                throw Error(QStringLiteral("rule %1: parameter %2 needs a number, not '%3'").arg(info.name, it.key(), v.toString()));
            v = d;
        } else if (v.isString() && def.isBool()) {
            const QString t = v.toString().toLower();
            if (t != QLatin1String("true") && t != QLatin1String("false") && t != QLatin1String("1") && t != QLatin1String("0"))
                throw Error(QStringLiteral("rule %1: parameter %2 needs true or false, not '%3'").arg(info.name, it.key(), v.toString()));
            v = t == QLatin1String("true") || t == QLatin1String("1");
        } else if (v.isString() && def.isArray()) {
            v = QJsonArray::fromStringList(v.toString().split(QLatin1Char(','), Qt::SkipEmptyParts));
        }
        m_params.insert(it.key(), v);
    }
}

double Rule::param(const char *name) const { return m_params.value(QLatin1String(name)).toDouble(); }
QString Rule::textParam(const char *name) const { return m_params.value(QLatin1String(name)).toString(); }
bool Rule::boolParam(const char *name) const { return m_params.value(QLatin1String(name)).toBool(); }
QStringList Rule::listParam(const char *name) const
{
    QStringList out;
    const QJsonValue v = m_params.value(QLatin1String(name));
    if (v.isArray())
        for (const QJsonValue &e : v.toArray())
            out << e.toString();
    else if (!v.toString().isEmpty())
        out = v.toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
    return out;
}

void Rule::fire(qint64 step, const QString &tensor, const QString &message)
{
    if (m_fired)
        return;
    m_fired = true;
    m_step = step;
    m_tensor = tensor;
    m_message = message;
}

QString Rule::notApplicable(const QString &why)
{
    m_notApplicable = why;
    return {};
}

RuleResult Rule::evaluate(RunData &data, bool finished)
{
    RuleResult r;
    r.rule = m_info.name;
    r.parameters = m_params;
    r.evaluatedStep = data.latestStep();
    r.updatedTime = nowMs();
    // What the run's algorithm rules out, before looking at its data.
    const QString algorithm = data.algorithm();
    if (m_notApplicable.isEmpty() && !algorithm.isEmpty()) {
        const bool trees = algorithm == QLatin1String("xgboost");
        if (m_info.xgboost && !trees)
            m_notApplicable = QStringLiteral("%1 looks at XGBoost's trees, and this run trained %2.").arg(m_info.name, algorithm);
        else if (m_info.neuralNetwork && trees)
            m_notApplicable = QStringLiteral("%1 looks at the tensors of a neural network, and XGBoost has none.").arg(m_info.name);
    }
    QString error;
    if (!m_fired && m_notApplicable.isEmpty()) {
        try {
            error = check(data, finished);
        } catch (const std::exception &e) {
            error = QString::fromUtf8(e.what());
        }
    }
    if (!m_fired && !m_notApplicable.isEmpty()) {
        r.status = RuleStatus::NotApplicable;
        r.message = m_notApplicable.startsWith(kNotApplicablePrefix) ? m_notApplicable : kNotApplicablePrefix + m_notApplicable;
    } else if (m_fired) {
        r.status = RuleStatus::IssuesFound;
        r.step = m_step;
        r.tensor = m_tensor;
        r.message = m_message;
    } else if (!error.isEmpty()) {
        r.status = RuleStatus::Error;
        r.message = error;
    } else {
        r.status = finished ? RuleStatus::NoIssuesFound : RuleStatus::InProgress;
    }
    return r;
}

namespace {

QString num(double v) { return QString::number(v, 'g', 4); }
QString pct(double v) { return QString::number(v, 'f', 1) + QLatin1Char('%'); }

QString missing(const QString &what, const QString &collection)
{
    return QStringLiteral("no %1 were recorded for this run: turn on the '%2' collection of the debugger").arg(what, collection);
}

/// Whether the run recorded tensors of a neural network (a script's run names no algorithm).
bool recordsNetwork(const RunData &data)
{
    return !data.select({QStringLiteral("weights"), QStringLiteral("biases"), QStringLiteral("gradients"), QStringLiteral("activations")}).isEmpty();
}

QString noTrees(const QString &rule)
{
    return QStringLiteral("%1 looks at XGBoost's trees, and this run recorded the tensors of a neural network.").arg(rule);
}

// ---------------------------------------------------------------------------------------------

class VanishingGradient : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool finished) override
    {
        const double threshold = param("threshold");
        const auto tensors = data.select({QStringLiteral("gradients")});
        for (const auto *t : tensors)
            for (const TensorSample &s : t->fresh) {
                const double m = s.meanAbs();
                if (std::isfinite(m) && m < threshold)
                    fire(s.step, t->info.name,
                         QStringLiteral("The gradients of %1 vanished at step %2: their mean absolute value %3 is below %4. "
                                        "Layers before it barely learn. Try ReLU instead of sigmoid/tanh, batch normalisation, "
                                        "residual connections or a better initialisation.")
                             .arg(t->info.name).arg(s.step).arg(num(m), num(threshold)));
            }
        return finished && tensors.isEmpty() ? missing(QStringLiteral("gradients"), QStringLiteral("gradients")) : QString();
    }
};

class ExplodingTensor : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool) override
    {
        const bool onlyNan = boolParam("only_nan");
        for (const auto *t : data.select(listParam("collection_names"), textParam("tensor_regex")))
            for (const TensorSample &s : t->fresh)
                if (s.nanCount > 0 || (!onlyNan && s.infCount > 0))
                    fire(s.step, t->info.name,
                         QStringLiteral("%1 holds %2 NaN and %3 infinite values at step %4: training diverged. "
                                        "Lower the learning rate, clip gradients, or check the input data for NaN.")
                             .arg(t->info.name).arg(s.nanCount).arg(s.infCount).arg(s.step));
        if (textParam("tensor_regex").isEmpty() && listParam("collection_names").isEmpty()) {
            const ScalarSeries loss = data.loss(false);
            for (int i = 0; i < loss.values.size(); ++i) {
                const double v = loss.values.at(i);
                if (std::isnan(v) || (!onlyNan && std::isinf(v))) {
                    fire(loss.steps.at(i), loss.name,
                         QStringLiteral("The loss (%1) became %2 at step %3: training diverged. Lower the learning rate or clip gradients.")
                             .arg(loss.name, std::isnan(v) ? QStringLiteral("NaN") : QStringLiteral("infinite")).arg(loss.steps.at(i)));
                    break;
                }
            }
        }
        return {};
    }
};

ScalarSeries selectLoss(RunData &data, const QString &regex, bool useLosses, const QString &mode)
{
    const bool validation = mode.compare(QLatin1String("EVAL"), Qt::CaseInsensitive) == 0;
    if (!regex.isEmpty() || !useLosses) {
        const auto tensors = data.select({}, regex.isEmpty() ? QStringLiteral(".*loss.*") : regex);
        ScalarSeries out;
        // Only what was loaded so far: the whole history of a scalar is small, so rules that
        // need it keep it (see LossNotDecreasing).
        if (!tensors.isEmpty()) {
            out.name = tensors.first()->info.name;
            for (const TensorSample &s : tensors.first()->fresh) {
                out.steps << s.step;
                out.values << s.mean;
                out.timestamps << s.timestamp;
            }
        }
        return out;
    }
    return data.loss(validation);
}

class LossNotDecreasing : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool finished) override
    {
        ScalarSeries fresh = selectLoss(data, textParam("tensor_regex"), boolParam("use_losses_collection"), textParam("mode"));
        const bool accumulate = !textParam("tensor_regex").isEmpty() || !boolParam("use_losses_collection");
        if (accumulate) {
            m_series.name = fresh.name;
            m_series.steps += fresh.steps;
            m_series.values += fresh.values;
        } else {
            m_series = fresh;
        }
        if (m_series.isEmpty())
            return finished ? missing(QStringLiteral("losses"), QStringLiteral("losses")) + QStringLiteral(" (or log a train.loss metric)") : QString();
        // SageMaker's definition: every num_steps, the loss at this step is compared with the
        // loss at the previous check, at least num_steps behind. With a loss saved every 3 steps
        // and num_steps 10, step 21 is compared with step 9 and the next check is at step 33
        // (31 and 32 have no loss). It fires at the step of the check.
        const qint64 every = std::max<qint64>(1, qint64(param("num_steps")));
        const double diff = param("diff_percent");
        for (; m_next < m_series.steps.size(); ++m_next) {
            const qint64 step = m_series.steps.at(m_next);
            const double now = m_series.values.at(m_next);
            if (!std::isfinite(now))
                continue; // ExplodingTensor's business
            if (m_reference < 0) {
                m_reference = m_next;
                continue;
            }
            const qint64 referenceStep = m_series.steps.at(m_reference);
            if (step < referenceStep + every)
                continue;
            const double before = m_series.values.at(m_reference);
            if (!(now < before - std::fabs(before) * diff / 100.0)) {
                const double change = before != 0 ? (before - now) / std::fabs(before) * 100.0 : 0;
                fire(step, m_series.name,
                     QStringLiteral("The loss (%1) did not decrease by %2 between step %3 and step %4 (num_steps %5): it went from %6 to %7 "
                                    "(%8). Training has stalled: try a larger learning rate, another optimiser, or stop here if it has converged.")
                         .arg(m_series.name, pct(diff)).arg(referenceStep).arg(step).arg(every).arg(num(before), num(now),
                              change >= 0 ? QStringLiteral("down %1").arg(pct(change)) : QStringLiteral("up %1").arg(pct(-change))));
                break;
            }
            m_reference = m_next;
        }
        return {};
    }

private:
    ScalarSeries m_series;
    qsizetype m_next = 0;       // the first point not looked at yet
    qsizetype m_reference = -1; // the point of the previous check
};

/// The mean training loss up to each validation point (since the previous one).
QList<QPair<qint64, QPair<double, double>>> alignLosses(const ScalarSeries &train, const ScalarSeries &val, qint64 start)
{
    QList<QPair<qint64, QPair<double, double>>> out;
    int ti = 0;
    double lastTrain = std::numeric_limits<double>::quiet_NaN();
    for (int vi = 0; vi < val.steps.size(); ++vi) {
        const qint64 step = val.steps.at(vi);
        double sum = 0;
        int n = 0;
        while (ti < train.steps.size() && train.steps.at(ti) <= step) {
            if (std::isfinite(train.values.at(ti))) {
                sum += train.values.at(ti);
                ++n;
            }
            ++ti;
        }
        if (n > 0)
            lastTrain = sum / n;
        if (step >= start && std::isfinite(lastTrain) && std::isfinite(val.values.at(vi)))
            out << qMakePair(step, qMakePair(lastTrain, val.values.at(vi)));
    }
    return out;
}

class Overfit : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool finished) override
    {
        const ScalarSeries train = data.loss(false), val = data.loss(true);
        if (train.isEmpty() || val.isEmpty())
            return finished ? QStringLiteral("Overfit compares the training loss with the validation loss; the run has %1. "
                                             "Give the job a validation channel (or log validation.loss).")
                                  .arg(train.isEmpty() ? QStringLiteral("no training loss") : QStringLiteral("no validation loss"))
                            : QString();
        const double ratio = param("ratio_threshold");
        const int patience = std::max(1, int(param("patience")));
        int run = 0;
        for (const auto &[step, losses] : alignLosses(train, val, qint64(param("start_step")))) {
            const double r = losses.first != 0 ? (losses.second - losses.first) / std::fabs(losses.first) : 0;
            run = r > ratio ? run + 1 : 0;
            if (run >= patience) {
                fire(step, val.name,
                     QStringLiteral("The model overfits from step %1: the validation loss %2 is %3 above the training loss %4 "
                                    "(more than %5 for %6 evaluation(s) in a row). Add regularisation or data, or stop earlier.")
                         .arg(step).arg(num(losses.second), pct(r * 100), num(losses.first), pct(ratio * 100)).arg(patience));
                break;
            }
        }
        return {};
    }
};

class Overtraining : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool finished) override
    {
        const ScalarSeries train = data.loss(false), val = data.loss(true);
        if (train.isEmpty() && val.isEmpty())
            return finished ? missing(QStringLiteral("losses"), QStringLiteral("losses")) : QString();
        const double delta = param("delta");
        auto stalled = [&](const ScalarSeries &s, int patience, const QString &what) {
            if (s.isEmpty() || patience <= 0)
                return;
            double best = std::numeric_limits<double>::infinity();
            int since = 0;
            for (int i = 0; i < s.values.size(); ++i) {
                const double v = s.values.at(i);
                if (!std::isfinite(v))
                    continue;
                if (v < best - delta) {
                    best = v;
                    since = 0;
                } else if (++since >= patience) {
                    fire(s.steps.at(i), s.name,
                         QStringLiteral("The %1 loss (%2) has not improved by %3 for %4 evaluations (best %5, now %6 at step %7): "
                                        "further training is wasted or overtrains. Stop earlier or use early stopping.")
                             .arg(what, s.name, num(delta)).arg(patience).arg(num(best), num(v)).arg(s.steps.at(i)));
                    return;
                }
            }
        };
        stalled(val, int(param("patience_validation")), QStringLiteral("validation"));
        stalled(train, int(param("patience_train")), QStringLiteral("training"));
        return {};
    }
};

class WeightUpdateRatio : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool finished) override
    {
        const auto tensors = data.select({QStringLiteral("update_ratios")});
        const qint64 every = std::max<qint64>(1, qint64(param("num_steps")));
        const double large = param("large_threshold"), small = param("small_threshold");
        for (const auto *t : tensors) {
            QString weight = t->info.name;
            weight.remove(QRegularExpression(QStringLiteral("\\.update_ratio$")));
            for (const TensorSample &s : t->fresh) {
                const auto seen = m_lastChecked.constFind(t->info.name);
                if (seen != m_lastChecked.cend() && s.step - *seen < every)
                    continue;
                m_lastChecked.insert(t->info.name, s.step);
                const double r = s.mean;
                if (!std::isfinite(r))
                    continue;
                if (r > large)
                    fire(s.step, t->info.name,
                         QStringLiteral("At step %1 the update of %2 is %3 times the weights themselves (above %4): the learning "
                                        "rate is far too large and training will diverge.").arg(s.step).arg(weight, num(r), num(large)));
                else if (r < small)
                    fire(s.step, t->info.name,
                         QStringLiteral("At step %1 the update of %2 is only %3 of the weights (below %4): the weights are frozen; "
                                        "the learning rate is too small or the gradients vanished.").arg(s.step).arg(weight, num(r), num(small)));
            }
        }
        return finished && tensors.isEmpty() ? missing(QStringLiteral("weight update ratios"), QStringLiteral("update_ratios")) : QString();
    }

private:
    QHash<QString, qint64> m_lastChecked;
};

class DeadRelu : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool finished) override
    {
        const auto outputs = data.select({}, textParam("tensor_regex"));
        const double inactivity = param("threshold_inactivity"), layer = param("threshold_layer");
        for (const auto *t : outputs) {
            // The per-unit activity ("<layer>.relu_activity", % of a batch where the unit fired)
            // says which units are dead; without it, the share of zero outputs stands in.
            QString activityName = t->info.name;
            activityName.replace(QLatin1String("relu_output"), QLatin1String("relu_activity"));
            const auto act = data.select({}, QRegularExpression::escape(activityName) + QLatin1Char('$'));
            if (!act.isEmpty() && act.first() != t) {
                for (const TensorSample &s : act.first()->fresh) {
                    const double finite = double(s.count - s.nanCount - s.infCount);
                    if (finite <= 0)
                        continue;
                    const double dead = std::max(s.countBelow(inactivity), s.min >= inactivity ? 0.0 : double(s.zeroCount)) / finite * 100.0;
                    if (dead > layer)
                        fire(s.step, t->info.name,
                             QStringLiteral("At step %1, %2 of the ReLU units after %3 are dead (active for less than %4 of the batch; "
                                            "the limit is %5). They no longer learn: lower the learning rate, use LeakyReLU, or check the initialisation.")
                                 .arg(s.step).arg(pct(dead), t->info.name.section(QLatin1Char('.'), 0, -2), pct(inactivity), pct(layer)));
                }
            } else {
                for (const TensorSample &s : t->fresh) {
                    const double zero = s.zeroFraction() * 100.0;
                    if (std::isfinite(zero) && zero > std::max(layer, 100.0 - inactivity))
                        fire(s.step, t->info.name,
                             QStringLiteral("At step %1, %2 of the outputs of %3 are zero: its ReLUs are dead and no longer learn.")
                                 .arg(s.step).arg(pct(zero), t->info.name));
                }
            }
        }
        if (outputs.isEmpty()) {
            const auto recorded = data.select({QStringLiteral("activations")});
            if (!recorded.isEmpty())
                return notApplicable(QStringLiteral("the model has no ReLU layer (none of its %1 recorded activations matches %2).")
                                         .arg(recorded.size()).arg(textParam("tensor_regex")));
        }
        return finished && outputs.isEmpty() ? missing(QStringLiteral("ReLU outputs"), QStringLiteral("activations")) : QString();
    }
};

class SaturatedActivation : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool finished) override
    {
        const auto inputs = data.select({}, textParam("tensor_regex"));
        const double layer = param("threshold_layer");
        for (const auto *t : inputs) {
            const bool tanh = t->info.name.contains(QLatin1String("tanh"), Qt::CaseInsensitive);
            const double lo = tanh ? param("threshold_tanh_min") : param("threshold_sigmoid_min");
            const double hi = tanh ? param("threshold_tanh_max") : param("threshold_sigmoid_max");
            for (const TensorSample &s : t->fresh) {
                const double finite = double(s.count - s.nanCount - s.infCount);
                if (finite <= 0)
                    continue;
                const double saturated = (s.countBelow(lo) + s.countAbove(hi) + double(s.infCount)) / double(s.count) * 100.0;
                if (saturated > layer)
                    fire(s.step, t->info.name,
                         QStringLiteral("At step %1, %2 of the inputs of %3 lie outside [%4, %5], where the %6 is flat: its gradient "
                                        "vanishes. Normalise the inputs or the pre-activations, or lower the learning rate.")
                             .arg(s.step).arg(pct(saturated), t->info.name, num(lo), num(hi), tanh ? QStringLiteral("tanh") : QStringLiteral("sigmoid")));
            }
        }
        if (inputs.isEmpty()) {
            // The activations were recorded, but the model has no tanh or sigmoid to saturate
            // (the MLP and CNN use ReLU): nothing to check, rather than "turn on activations".
            const auto recorded = data.select({QStringLiteral("activations")});
            if (!recorded.isEmpty())
                return notApplicable(QStringLiteral("the model has no tanh or sigmoid layer (none of its %1 recorded activations matches %2).")
                                         .arg(recorded.size()).arg(textParam("tensor_regex")));
        }
        return finished && inputs.isEmpty() ? missing(QStringLiteral("tanh or sigmoid inputs"), QStringLiteral("activations")) : QString();
    }
};

class PoorWeightInitialization : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool finished) override
    {
        const qint64 steps = qint64(param("steps"));
        const double threshold = param("threshold");
        auto inputs = data.select({}, textParam("activation_inputs_regex"));
        bool fromWeights = false;
        if (inputs.size() < 2) {
            inputs = data.select({QStringLiteral("weights")});
            fromWeights = true;
        }
        // Per step: the variance of each layer (weights scaled by their fan-in, which a good
        // initialisation makes alike across layers).
        std::map<qint64, QList<QPair<double, QString>>> perStep;
        for (const auto *t : inputs) {
            double fanIn = 1;
            if (fromWeights) {
                QString bias = t->info.name;
                bias.replace(QLatin1String("weight"), QLatin1String("bias"));
                const auto b = data.select({}, QRegularExpression::escape(bias) + QLatin1Char('$'));
                if (b.isEmpty() || b.first()->fresh.empty())
                    continue;
                const double out = double(b.first()->fresh.front().count);
                if (out <= 0 || t->fresh.empty())
                    continue;
                fanIn = double(t->fresh.front().count) / out;
            }
            for (const TensorSample &s : t->fresh)
                if (s.step < m_firstStep + steps || m_firstStep < 0)
                    perStep[s.step] << qMakePair(s.variance() * fanIn, t->info.name);
        }
        for (const auto &[step, layers] : perStep) {
            if (m_firstStep < 0)
                m_firstStep = step;
            if (step >= m_firstStep + std::max<qint64>(1, steps) || layers.size() < 2)
                continue;
            auto [lo, hi] = std::minmax_element(layers.begin(), layers.end());
            const double ratio = lo->first > 0 ? hi->first / lo->first : std::numeric_limits<double>::infinity();
            if (ratio > threshold)
                fire(step, lo->second,
                     QStringLiteral("Poor initialisation: at step %1 the %2 variance of %3 is %4 times that of %5 (limit %6). "
                                    "Activations shrink or blow up through the layers: use Kaiming/Xavier initialisation.")
                         .arg(step).arg(fromWeights ? QStringLiteral("fan-in-scaled weight") : QStringLiteral("activation input"),
                                        hi->second, num(ratio), lo->second, num(threshold)));
        }
        if (finished && perStep.empty() && m_firstStep < 0)
            return QStringLiteral("PoorWeightInitialization needs the activation inputs (activations collection) or the weights and "
                                  "biases of at least two layers at the first steps");
        return {};
    }

private:
    qint64 m_firstStep = -1;
};

class AllZero : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool finished) override
    {
        const auto tensors = data.select(listParam("collection_names"), textParam("tensor_regex"));
        const double threshold = param("threshold");
        for (const auto *t : tensors)
            for (const TensorSample &s : t->fresh) {
                const double zero = s.zeroFraction() * 100.0;
                if (std::isfinite(zero) && zero >= threshold)
                    fire(s.step, t->info.name,
                         QStringLiteral("At step %1, %2 of %3 are zero (limit %4): the layer carries no signal. Check its "
                                        "initialisation, a frozen or disconnected layer, or dead activations before it.")
                             .arg(s.step).arg(pct(zero), t->info.name, pct(threshold)));
            }
        return finished && tensors.isEmpty() ? QStringLiteral("no tensors of the collections %1 were recorded")
                                                   .arg(listParam("collection_names").join(QStringLiteral(", "))) : QString();
    }
};

bool close(double a, double b, double rtol, double atol, bool equalNan)
{
    if (std::isnan(a) || std::isnan(b))
        return equalNan && std::isnan(a) && std::isnan(b);
    if (a == b)
        return true;
    return std::fabs(a - b) <= atol + rtol * std::fabs(b);
}

class UnchangedTensor : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool finished) override
    {
        const auto tensors = data.select(listParam("collection_names"), textParam("tensor_regex"));
        const int n = std::max(2, int(param("num_steps")));
        const double rtol = param("rtol"), atol = param("atol");
        const bool equalNan = boolParam("equal_nan");
        for (const auto *t : tensors) {
            auto &recent = m_recent[t->info.name];
            for (const TensorSample &s : t->fresh) {
                recent.push_back(s);
                while (int(recent.size()) > n)
                    recent.pop_front();
                if (int(recent.size()) < n)
                    continue;
                bool same = true;
                const TensorSample &a = recent.front();
                for (size_t i = 1; i < recent.size() && same; ++i) {
                    const TensorSample &b = recent[i];
                    same = close(a.mean, b.mean, rtol, atol, equalNan) && close(a.std, b.std, rtol, atol, equalNan)
                        && close(a.min, b.min, rtol, atol, equalNan) && close(a.max, b.max, rtol, atol, equalNan)
                        && close(a.l1, b.l1, rtol, atol, equalNan) && close(a.l2, b.l2, rtol, atol, equalNan)
                        && a.counts == b.counts;
                }
                if (same)
                    fire(s.step, t->info.name,
                         QStringLiteral("%1 has not changed over the %2 saved steps up to step %3: the layer does not learn. "
                                        "Is it frozen, disconnected from the loss, or is the learning rate zero?")
                             .arg(t->info.name).arg(n).arg(s.step));
            }
        }
        return finished && tensors.isEmpty() ? QStringLiteral("no tensors of the collections %1 were recorded")
                                                   .arg(listParam("collection_names").join(QStringLiteral(", "))) : QString();
    }

private:
    QHash<QString, std::deque<TensorSample>> m_recent;
};

class TensorVariance : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool finished) override
    {
        const auto tensors = data.select(listParam("collection_names"), textParam("tensor_regex"));
        const double hi = param("max_threshold"), lo = param("min_threshold");
        for (const auto *t : tensors)
            for (const TensorSample &s : t->fresh) {
                if (s.count < 2)
                    continue;
                const double v = s.variance();
                if (!std::isfinite(v))
                    continue;
                if (v > hi)
                    fire(s.step, t->info.name, QStringLiteral("The variance of %1 is %2 at step %3, above %4: its values are "
                                                              "exploding. Lower the learning rate or add normalisation.")
                                                   .arg(t->info.name, num(v)).arg(s.step).arg(num(hi)));
                else if (v < lo)
                    fire(s.step, t->info.name, QStringLiteral("The variance of %1 is %2 at step %3, below %4: its values have "
                                                              "collapsed to a constant and carry no information.")
                                                   .arg(t->info.name, num(v)).arg(s.step).arg(num(lo)));
            }
        return finished && tensors.isEmpty() ? QStringLiteral("no tensors of the collections %1 were recorded")
                                                   .arg(listParam("collection_names").join(QStringLiteral(", "))) : QString();
    }
};

class ClassImbalance : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool finished) override
    {
        const auto labels = data.select({}, textParam("labels_regex"));
        const RunData::Tensor *label = nullptr;
        for (const auto *t : labels)
            if (!t->info.name.endsWith(QLatin1String("_mispredicted")))
                label = t;
        if (!label)
            return finished ? missing(QStringLiteral("labels"), QStringLiteral("labels")) : QString();
        const auto wrong = data.select({}, QRegularExpression::escape(label->info.name + QStringLiteral("_mispredicted")) + QLatin1Char('$'));
        auto add = [](std::vector<double> &acc, const TensorSample &s) {
            if (acc.size() < s.counts.size())
                acc.resize(s.counts.size(), 0);
            for (size_t i = 0; i < s.counts.size(); ++i)
                acc[i] += s.counts[i];
        };
        std::map<qint64, const TensorSample *> wrongAt;
        if (!wrong.isEmpty())
            for (const TensorSample &s : wrong.first()->fresh)
                wrongAt[s.step] = &s;
        // Judged after each step once `samples` labels were seen (at the end with fewer).
        for (size_t i = 0; i < label->fresh.size() && !hasFired(); ++i) {
            const TensorSample &s = label->fresh[i];
            add(m_labels, s);
            if (const auto it = wrongAt.find(s.step); it != wrongAt.end())
                add(m_wrong, *it->second);
            m_seen += double(s.count);
            if (m_edges.empty())
                m_edges = s.edges;
            const bool last = i + 1 == label->fresh.size();
            if (m_seen >= param("samples") || (finished && last))
                judge(s.step, label->info.name);
        }
        if (finished && label->fresh.empty() && m_seen > 0 && m_seen < param("samples"))
            judge(label->info.lastStep, label->info.name);
        return {};
    }

private:
    void judge(qint64 step, const QString &tensor)
    {
        // Classes are the histogram's bins that are centred on an integer.
        double lo = std::numeric_limits<double>::infinity(), hi = 0;
        int loClass = -1, hiClass = -1;
        for (size_t i = 0; i < m_labels.size(); ++i) {
            const double centre = i + 1 < m_edges.size() ? (m_edges[i] + m_edges[i + 1]) / 2 : double(i);
            if (std::fabs(centre - std::round(centre)) > 0.25)
                continue;
            if (m_labels[i] < lo) {
                lo = m_labels[i];
                loClass = int(std::lround(centre));
            }
            if (m_labels[i] > hi) {
                hi = m_labels[i];
                hiClass = int(std::lround(centre));
            }
            if (i < m_wrong.size() && m_labels[i] > 0) {
                const double rate = m_wrong[i] / m_labels[i];
                if (rate > param("threshold_misprediction"))
                    fire(step, tensor,
                         QStringLiteral("Class %1 is mispredicted %2 of the time (limit %3) over %4 samples: the model ignores it. "
                                        "Balance the classes (weights or resampling) or collect more examples of it.")
                             .arg(int(std::lround(centre))).arg(pct(rate * 100), pct(param("threshold_misprediction") * 100)).arg(m_seen));
            }
        }
        const double ratio = lo > 0 ? hi / lo : std::numeric_limits<double>::infinity();
        if (loClass >= 0 && ratio > param("threshold_imbalance"))
            fire(step, tensor,
                 QStringLiteral("The classes are imbalanced: class %1 has %2 samples and class %3 only %4 (ratio %5, limit %6). "
                                "Weight the loss by class or resample the training data.")
                     .arg(hiClass).arg(hi).arg(loClass).arg(lo).arg(num(ratio), num(param("threshold_imbalance"))));
    }

    std::vector<double> m_labels, m_wrong, m_edges;
    double m_seen = 0;
};

class StalledTrainingRule : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool) override
    {
        const qint64 thresholdMs = qint64(param("threshold") * 1000);
        const Run &run = data.run();
        const qint64 last = std::max(data.lastActivity(), run.startTime);
        const bool running = run.status == RunStatus::Running;
        const qint64 end = running ? data.now() : (run.endTime > 0 ? run.endTime : last);
        if (last > 0 && end - last > thresholdMs)
            fire(std::max<qint64>(0, data.latestStep()), QString(),
                 QStringLiteral("Training stalled: nothing was recorded for %1 s after step %2 (limit %3 s). The job may be "
                                "stuck on data loading, a deadlock, or a very slow step.")
                     .arg((end - last) / 1000).arg(std::max<qint64>(0, data.latestStep())).arg(param("threshold")));
        return {};
    }
};

class TreeDepth : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool finished) override
    {
        const auto tensors = data.select({QStringLiteral("tree_depth")});
        const double depth = param("depth");
        for (const auto *t : tensors)
            for (const TensorSample &s : t->fresh)
                if (std::isfinite(s.max) && s.max < depth)
                    fire(s.step, t->info.name,
                         QStringLiteral("At round %1 the deepest tree has depth %2, below %3: XGBoost rejected deeper splits because "
                                        "they did not improve the loss. The model may be too simple for the data, or max_depth "
                                        "can be lowered to train faster.").arg(s.step).arg(num(s.max), num(depth)));
        if (finished && tensors.isEmpty() && recordsNetwork(data))
            return notApplicable(noTrees(name()));
        return finished && tensors.isEmpty() ? missing(QStringLiteral("tree depths"), QStringLiteral("tree_depth")) : QString();
    }
};

class FeatureImportanceOverweight : public Rule
{
public:
    using Rule::Rule;
    QString check(RunData &data, bool finished) override
    {
        const auto tensors = data.select({}, textParam("tensor_regex"));
        const int n = std::max(1, int(param("nfeatures")));
        const double threshold = param("threshold");
        std::map<qint64, QList<QPair<double, QString>>> perStep;
        for (const auto *t : tensors)
            for (const TensorSample &s : t->fresh)
                if (std::isfinite(s.mean))
                    perStep[s.step] << qMakePair(s.mean, t->info.name.section(QLatin1Char('/'), -1));
        for (auto &[step, features] : perStep) {
            if (features.size() <= n)
                continue;
            double total = 0;
            for (const auto &f : features)
                total += f.first;
            if (total <= 0)
                continue;
            std::sort(features.begin(), features.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
            double top = 0;
            QStringList names;
            for (int i = 0; i < n; ++i) {
                top += features.at(i).first;
                names << features.at(i).second;
            }
            if (top / total > threshold)
                fire(step, tensors.first()->info.name.section(QLatin1Char('/'), 0, -2),
                     QStringLiteral("At round %1 the %2 most important features (%3) carry %4 of the importance (limit %5): the model "
                                    "leans on few features. Check them for leakage of the target.")
                         .arg(step).arg(n).arg(names.join(QStringLiteral(", ")), pct(top / total * 100), pct(threshold * 100)));
        }
        if (finished && tensors.isEmpty() && recordsNetwork(data))
            return notApplicable(noTrees(name()));
        return finished && tensors.isEmpty() ? missing(QStringLiteral("feature importances"), QStringLiteral("feature_importance")) : QString();
    }
};

template<typename R>
std::unique_ptr<Rule> make(const RuleInfo &info, const QJsonObject &params)
{
    return std::make_unique<R>(info, params);
}

QJsonArray names(std::initializer_list<const char *> list)
{
    QJsonArray a;
    for (const char *s : list)
        a.append(QLatin1String(s));
    return a;
}

struct Entry
{
    RuleInfo info;
    std::unique_ptr<Rule> (*create)(const RuleInfo &, const QJsonObject &);
};

const QList<Entry> &entries()
{
    static const QList<Entry> list = [] {
        using P = RuleParameter;
        const QString all = QString();
        QList<Entry> l;
        l << Entry{{QStringLiteral("VanishingGradient"), QStringLiteral("Gradients become so small that the layers before them stop learning."),
                    {QStringLiteral("gradients")}, {P{QStringLiteral("threshold"), 0.0000001, QStringLiteral("mean absolute gradient below which it fires")}}},
                   &make<VanishingGradient>};
        l << Entry{{QStringLiteral("ExplodingTensor"), QStringLiteral("A tensor (or the loss) holds NaN or infinite values."), {},
                    {P{QStringLiteral("collection_names"), QJsonArray(), QStringLiteral("collections to check (empty: all)")},
                     P{QStringLiteral("tensor_regex"), all, QStringLiteral("tensors to check (empty: all)")},
                     P{QStringLiteral("only_nan"), false, QStringLiteral("fire on NaN only, not on infinities")}}},
                   &make<ExplodingTensor>};
        l << Entry{{QStringLiteral("LossNotDecreasing"), QStringLiteral("The loss does not decrease by diff_percent over num_steps steps."),
                    {QStringLiteral("losses")},
                    {P{QStringLiteral("tensor_regex"), all, QStringLiteral("the loss tensor (empty: the losses collection or train.loss)")},
                     P{QStringLiteral("use_losses_collection"), true, QStringLiteral("use the losses collection (or the loss metrics)")},
                     P{QStringLiteral("num_steps"), 10, QStringLiteral("steps between checks")},
                     P{QStringLiteral("diff_percent"), 0.1, QStringLiteral("minimum decrease in percent")},
                     P{QStringLiteral("mode"), QStringLiteral("TRAIN"), QStringLiteral("TRAIN or EVAL loss")}}},
                   &make<LossNotDecreasing>};
        l << Entry{{QStringLiteral("Overfit"), QStringLiteral("The validation loss moves away from the training loss."), {QStringLiteral("losses")},
                    {P{QStringLiteral("tensor_regex"), all, QStringLiteral("unused when losses come from the metrics")},
                     P{QStringLiteral("start_step"), 0, QStringLiteral("first step to check")},
                     P{QStringLiteral("patience"), 1, QStringLiteral("evaluations in a row above the ratio")},
                     P{QStringLiteral("ratio_threshold"), 0.1, QStringLiteral("(validation - training) / training loss")}}},
                   &make<Overfit>};
        l << Entry{{QStringLiteral("Overtraining"), QStringLiteral("The training or validation loss stops improving."), {QStringLiteral("losses")},
                    {P{QStringLiteral("patience_train"), 5, QStringLiteral("training evaluations without improvement")},
                     P{QStringLiteral("patience_validation"), 10, QStringLiteral("validation evaluations without improvement")},
                     P{QStringLiteral("delta"), 0.01, QStringLiteral("improvement that counts as a new best")}}},
                   &make<Overtraining>};
        l << Entry{{QStringLiteral("WeightUpdateRatio"), QStringLiteral("Updates are far too large or too small compared with the weights."),
                    {QStringLiteral("update_ratios")},
                    {P{QStringLiteral("num_steps"), 500, QStringLiteral("steps between checks")},
                     P{QStringLiteral("large_threshold"), 10, QStringLiteral("ratio above which it fires")},
                     P{QStringLiteral("small_threshold"), 0.00000001, QStringLiteral("ratio below which it fires")},
                     P{QStringLiteral("epsilon"), 0.000000001, QStringLiteral("added to the weight norm by the collectors")}}},
                   &make<WeightUpdateRatio>};
        l << Entry{{QStringLiteral("DeadRelu"), QStringLiteral("Too many ReLU units of a layer never activate."), {QStringLiteral("activations")},
                    {P{QStringLiteral("tensor_regex"), QStringLiteral(".*relu_output"), QStringLiteral("the ReLU outputs")},
                     P{QStringLiteral("threshold_inactivity"), 1.0, QStringLiteral("activity in percent below which a unit is dead")},
                     P{QStringLiteral("threshold_layer"), 50.0, QStringLiteral("percent of dead units of a layer")}}},
                   &make<DeadRelu>};
        l << Entry{{QStringLiteral("SaturatedActivation"), QStringLiteral("Inputs of tanh or sigmoid lie where their gradient is zero."),
                    {QStringLiteral("activations")},
                    {P{QStringLiteral("tensor_regex"), QStringLiteral(".*tanh_input|.*sigmoid_input"), QStringLiteral("the activation inputs")},
                     P{QStringLiteral("threshold_tanh_min"), -9.4999, QString()}, P{QStringLiteral("threshold_tanh_max"), 9.4999, QString()},
                     P{QStringLiteral("threshold_sigmoid_min"), -23.0, QString()}, P{QStringLiteral("threshold_sigmoid_max"), 16.99999, QString()},
                     P{QStringLiteral("threshold_layer"), 50.0, QStringLiteral("percent of saturated inputs of a layer")}}},
                   &make<SaturatedActivation>};
        l << Entry{{QStringLiteral("PoorWeightInitialization"), QStringLiteral("Layers start with very different variances."),
                    {QStringLiteral("activations"), QStringLiteral("weights")},
                    {P{QStringLiteral("activation_inputs_regex"), QStringLiteral(".*relu_input|.*tanh_input|.*sigmoid_input"), QString()},
                     P{QStringLiteral("threshold"), 10.0, QStringLiteral("largest over smallest variance")},
                     P{QStringLiteral("steps"), 10, QStringLiteral("steps from the start to check")}}},
                   &make<PoorWeightInitialization>};
        l << Entry{{QStringLiteral("AllZero"), QStringLiteral("A tensor is (nearly) all zeros."), {QStringLiteral("weights"), QStringLiteral("gradients")},
                    {P{QStringLiteral("collection_names"), names({"weights", "gradients"}), QString()},
                     P{QStringLiteral("tensor_regex"), all, QString()},
                     P{QStringLiteral("threshold"), 100.0, QStringLiteral("percent of zeros")}}},
                   &make<AllZero>};
        l << Entry{{QStringLiteral("UnchangedTensor"), QStringLiteral("A tensor stays the same over several saved steps."), {QStringLiteral("weights")},
                    {P{QStringLiteral("collection_names"), names({"weights"}), QString()},
                     P{QStringLiteral("tensor_regex"), all, QString()},
                     P{QStringLiteral("num_steps"), 3, QStringLiteral("saved steps compared")},
                     P{QStringLiteral("rtol"), 0.00001, QString()}, P{QStringLiteral("atol"), 0.00000001, QString()},
                     P{QStringLiteral("equal_nan"), false, QString()}}},
                   &make<UnchangedTensor>};
        l << Entry{{QStringLiteral("TensorVariance"), QStringLiteral("A tensor's variance leaves [min_threshold, max_threshold]."), {QStringLiteral("weights")},
                    {P{QStringLiteral("collection_names"), names({"weights"}), QString()},
                     P{QStringLiteral("tensor_regex"), all, QString()},
                     P{QStringLiteral("max_threshold"), 10000.0, QStringLiteral("SageMaker requires it; Cairn's default")},
                     P{QStringLiteral("min_threshold"), 1e-12, QStringLiteral("SageMaker requires it; Cairn's default")}}},
                   &make<TensorVariance>};
        l << Entry{{QStringLiteral("ClassImbalance"), QStringLiteral("Classes are imbalanced or one class is mostly mispredicted."),
                    {QStringLiteral("labels")},
                    {P{QStringLiteral("threshold_imbalance"), 10.0, QStringLiteral("largest over smallest class count")},
                     P{QStringLiteral("threshold_misprediction"), 0.7, QStringLiteral("share of a class mispredicted")},
                     P{QStringLiteral("samples"), 500, QStringLiteral("samples to see before judging")},
                     P{QStringLiteral("labels_regex"), QStringLiteral(".*labels"), QStringLiteral("the labels tensor")}}},
                   &make<ClassImbalance>};
        l << Entry{{QStringLiteral("StalledTrainingRule"), QStringLiteral("Nothing is recorded for threshold seconds."), {},
                    {P{QStringLiteral("threshold"), 1800, QStringLiteral("seconds without progress")},
                     P{QStringLiteral("stop_training_on_fire"), false, QStringLiteral("stop the job when it fires")}}},
                   &make<StalledTrainingRule>};
        RuleInfo tree{QStringLiteral("TreeDepth"), QStringLiteral("XGBoost trees stay shallower than depth."), {QStringLiteral("tree_depth")},
                      {P{QStringLiteral("depth"), 4, QStringLiteral("depth below which it fires")}}};
        tree.xgboost = true;
        l << Entry{tree, &make<TreeDepth>};
        RuleInfo fi{QStringLiteral("FeatureImportanceOverweight"), QStringLiteral("A few features carry most of the importance."),
                    {QStringLiteral("feature_importance")},
                    {P{QStringLiteral("threshold"), 0.8, QStringLiteral("share of the top features")},
                     P{QStringLiteral("nfeatures"), 3, QStringLiteral("how many top features")},
                     P{QStringLiteral("tensor_regex"), QStringLiteral(".*feature_importance/weight"), QString()}}};
        fi.xgboost = true;
        l << Entry{fi, &make<FeatureImportanceOverweight>};
        // SageMaker: "not available for the XGBoost algorithm".
        for (Entry &e : l)
            e.info.neuralNetwork = QStringList{QStringLiteral("VanishingGradient"), QStringLiteral("WeightUpdateRatio"), QStringLiteral("DeadRelu"),
                                               QStringLiteral("SaturatedActivation"), QStringLiteral("PoorWeightInitialization")}
                                       .contains(e.info.name);
        return l;
    }();
    return list;
}

} // namespace

const QList<RuleInfo> &ruleCatalogue()
{
    static const QList<RuleInfo> infos = [] {
        QList<RuleInfo> out;
        for (const Entry &e : entries())
            out << e.info;
        return out;
    }();
    return infos;
}

std::optional<RuleInfo> findRule(const QString &name)
{
    for (const Entry &e : entries())
        if (e.info.name.compare(name, Qt::CaseInsensitive) == 0)
            return e.info;
    return std::nullopt;
}

std::unique_ptr<Rule> createRule(const QString &name, const QJsonObject &parameters)
{
    for (const Entry &e : entries())
        if (e.info.name.compare(name, Qt::CaseInsensitive) == 0)
            return e.create(e.info, parameters);
    QStringList known;
    for (const Entry &e : entries())
        known << e.info.name;
    throw Error(QStringLiteral("unknown debugger rule '%1' (known: %2)").arg(name, known.join(QStringLiteral(", "))));
}

} // namespace cairn::debugger
