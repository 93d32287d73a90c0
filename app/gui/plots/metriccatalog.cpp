#include "metriccatalog.h"

#include <algorithm>

namespace cairn::gui {

namespace {

const QStringList &torchAlgorithms()
{
    static const QStringList ids = {QStringLiteral("cnn"), QStringLiteral("mlp"), QStringLiteral("linear-learner")};
    return ids;
}

// Prefixes that name the data split of an unqualified key ("val_loss", "train_accuracy").
const QStringList &splitPrefixes()
{
    static const QStringList prefixes = {QStringLiteral("train_"),      QStringLiteral("training_"), QStringLiteral("validation_"),
                                         QStringLiteral("val_"),        QStringLiteral("valid_"),    QStringLiteral("test_"),
                                         QStringLiteral("eval_")};
    return prefixes;
}

bool isValidationKey(const QString &key)
{
    return key.startsWith(QLatin1String("validation.")) || key.startsWith(QLatin1String("validation_"))
        || key.startsWith(QLatin1String("val_")) || key.startsWith(QLatin1String("val.")) || key.startsWith(QLatin1String("valid_"))
        || key.startsWith(QLatin1String("eval"));
}

bool isTrainKey(const QString &key)
{
    return key.startsWith(QLatin1String("train.")) || key.startsWith(QLatin1String("train_")) || key.startsWith(QLatin1String("training"));
}

// Lower is earlier: what an algorithm optimises comes before what it merely reports.
int chartRank(const QString &quantity)
{
    static const QStringList order = {QStringLiteral("loss"),  QStringLiteral("log_loss"), QStringLiteral("rmse"),
                                      QStringLiteral("objective"), QStringLiteral("error"), QStringLiteral("auc"),
                                      QStringLiteral("accuracy"), QStringLiteral("mae"),   QStringLiteral("mse"),
                                      QStringLiteral("inertia"), QStringLiteral("r2"),     QStringLiteral("f1")};
    const qsizetype i = order.indexOf(quantity);
    return i < 0 ? int(order.size()) : int(i);
}

// The order runs are ranked by in a table: the scores people compare first.
int tableRank(const QString &quantity)
{
    static const QStringList order = {QStringLiteral("objective"), QStringLiteral("accuracy"), QStringLiteral("auc"),
                                      QStringLiteral("log_loss"),  QStringLiteral("loss"),     QStringLiteral("f1"),
                                      QStringLiteral("rmse"),      QStringLiteral("r2"),       QStringLiteral("mae"),
                                      QStringLiteral("error"),     QStringLiteral("inertia"),  QStringLiteral("purity")};
    const qsizetype i = order.indexOf(quantity);
    return i < 0 ? int(order.size()) : int(i);
}

int unitRank(MetricCatalog::Unit unit)
{
    // A per-epoch chart pairs training with validation; a per-batch one is noisier and alone.
    switch (unit) {
    case MetricCatalog::Unit::Epoch: return 0;
    case MetricCatalog::Unit::Round: return 0;
    case MetricCatalog::Unit::Iteration: return 0;
    case MetricCatalog::Unit::Candidate: return 1;
    case MetricCatalog::Unit::Trial: return 1;
    case MetricCatalog::Unit::Step: return 2;
    }
    return 2;
}

} // namespace

MetricCatalog::Unit MetricCatalog::unitOf(const QString &algorithm, const QString &key)
{
    if (key.startsWith(QLatin1String("candidate.")) || key.startsWith(QLatin1String("best.")))
        return Unit::Candidate; // an AutoML run: one point per candidate
    if (key == QLatin1String("trial_objective") || key == QLatin1String("best_objective"))
        return Unit::Trial; // a tuning run: one point per trial
    if (torchAlgorithms().contains(algorithm))
        return key == QLatin1String("train.loss") ? Unit::Step : Unit::Epoch; // train.loss: every few batches
    if (algorithm == QLatin1String("xgboost"))
        return Unit::Round;
    if (algorithm == QLatin1String("kmeans"))
        return Unit::Iteration;
    return key.contains(QLatin1String("epoch")) ? Unit::Epoch : Unit::Step;
}

QString MetricCatalog::unitText(Unit unit)
{
    switch (unit) {
    case Unit::Step: return tr("per step");
    case Unit::Epoch: return tr("per epoch");
    case Unit::Round: return tr("per boosting round");
    case Unit::Iteration: return tr("per iteration");
    case Unit::Candidate: return tr("per candidate");
    case Unit::Trial: return tr("per trial");
    }
    return {};
}

QString MetricCatalog::axisText(Unit unit)
{
    switch (unit) {
    case Unit::Step: return tr("step");
    case Unit::Epoch: return tr("epoch");
    case Unit::Round: return tr("boosting round");
    case Unit::Iteration: return tr("iteration");
    case Unit::Candidate: return tr("candidate");
    case Unit::Trial: return tr("trial");
    }
    return {};
}

QString MetricCatalog::quantityOf(const QString &key)
{
    if (key == QLatin1String("trial_objective") || key == QLatin1String("best_objective"))
        return QStringLiteral("objective");
    const qsizetype dot = key.indexOf(QLatin1Char('.'));
    if (dot >= 0) {
        QString rest = key.mid(dot + 1);
        if (rest.startsWith(QLatin1String("epoch_")))
            rest = rest.mid(6); // train.epoch_loss: the loss, averaged over an epoch
        return rest;
    }
    for (const QString &prefix : splitPrefixes())
        if (key.startsWith(prefix) && key.size() > prefix.size())
            return key.mid(prefix.size());
    return key;
}

bool MetricCatalog::isSingleValue(const QString &key)
{
    return key.startsWith(QLatin1String("importance.")) || key == QLatin1String("train_seconds") || key == QLatin1String("best_iteration")
        || key.startsWith(QLatin1String("predict_"));
}

QString MetricCatalog::Group::title() const
{
    return tr("%1 · %2").arg(quantity, unitText(unit));
}

QList<MetricCatalog::Group> MetricCatalog::groups(const QString &algorithm, const QHash<QString, qint64> &points)
{
    QList<Group> out;
    QStringList keys = points.keys();
    keys.sort();
    for (const QString &key : std::as_const(keys)) {
        if (isSingleValue(key))
            continue;
        const QString quantity = quantityOf(key);
        const Unit unit = unitOf(algorithm, key);
        auto it = std::find_if(out.begin(), out.end(), [&](const Group &g) { return g.quantity == quantity && g.unit == unit; });
        if (it == out.end()) {
            out.append(Group{quantity, unit, {}, 0});
            it = out.end() - 1;
        }
        it->keys << key;
        it->points = std::max(it->points, points.value(key));
    }
    for (Group &g : out) // validation after training: the legend reads train, then validation
        std::stable_sort(g.keys.begin(), g.keys.end(), [](const QString &a, const QString &b) { return isTrainKey(a) && !isTrainKey(b); });
    std::stable_sort(out.begin(), out.end(), [](const Group &a, const Group &b) {
        const bool aCurve = a.points > 1, bCurve = b.points > 1;
        if (aCurve != bCurve)
            return aCurve;
        if (chartRank(a.quantity) != chartRank(b.quantity))
            return chartRank(a.quantity) < chartRank(b.quantity);
        if (unitRank(a.unit) != unitRank(b.unit))
            return unitRank(a.unit) < unitRank(b.unit);
        return a.quantity < b.quantity;
    });
    return out;
}

QStringList MetricCatalog::defaultCurves(const QString &algorithm, const QHash<QString, qint64> &points)
{
    const QList<Group> all = groups(algorithm, points);
    return all.isEmpty() ? QStringList() : all.first().keys;
}

QString MetricCatalog::defaultCompareMetric(const QString &algorithm, const QHash<QString, qint64> &points)
{
    const QStringList keys = defaultCurves(algorithm, points);
    for (const QString &k : keys)
        if (isValidationKey(k) && points.value(k) > 1)
            return k;
    for (const QString &k : keys)
        if (points.value(k) > 1)
            return k;
    return keys.value(0);
}

QStringList MetricCatalog::rankForTable(const QStringList &keys)
{
    auto tier = [](const QString &key) {
        if (key == QLatin1String("objective"))
            return 0;
        if (isSingleValue(key))
            return 6;
        if (isValidationKey(key))
            return 1;
        if (key.startsWith(QLatin1String("test")))
            return 2;
        if (isTrainKey(key))
            return 4;
        if (key == QLatin1String("learning_rate") || key.contains(QLatin1String("time")))
            return 5;
        return 3;
    };
    QStringList out = keys;
    std::stable_sort(out.begin(), out.end(), [&](const QString &a, const QString &b) {
        const int ta = tier(a), tb = tier(b);
        if (ta != tb)
            return ta < tb;
        const int ra = tableRank(quantityOf(a)), rb = tableRank(quantityOf(b));
        if (ra != rb)
            return ra < rb;
        return a < b;
    });
    return out;
}

} // namespace cairn::gui
