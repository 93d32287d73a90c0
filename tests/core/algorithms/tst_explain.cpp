// Explanations on hand-made models whose contributions and importances are known exactly:
// occlusion contributions, permutation importance, SHAP importance.
#include "cairn/algorithms/explain.h"
#include "cairn/algorithms/metrics.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/data/table.h"
#include "cairn/util/error.h"

#include <QHash>
#include <QJsonObject>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <functional>

using namespace cairn;

namespace {

data::Column numeric(const QString &name, std::vector<double> values)
{
    data::Column c;
    c.name = name;
    c.values = std::move(values);
    return c;
}

data::Column categorical(const QString &name, const QStringList &texts)
{
    data::Column c;
    c.name = name;
    c.type = data::ColumnType::Categorical;
    for (const QString &t : texts) {
        if (t.isEmpty()) {
            c.codes.push_back(-1);
            continue;
        }
        if (!c.categories.contains(t))
            c.categories << t;
        c.codes.push_back(int(c.categories.indexOf(t)));
    }
    return c;
}

/// a, b numeric; c categorical (x, y); plus the targets y (number) and label (no/yes).
data::Table sample()
{
    data::Table t;
    t.columns << numeric(QStringLiteral("a"), {1, 2, 3, 4, 5})
              << numeric(QStringLiteral("b"), {0, 1, 0, 1, 1})
              << categorical(QStringLiteral("c"), {QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("y"), QStringLiteral("x"), QStringLiteral("y")});
    return t;
}

ModelCard card(const QString &task, const QString &target, const QStringList &classes = {})
{
    ModelCard m;
    m.task = task;
    m.target = target;
    m.classes = classes;
    for (const char *name : {"a", "b", "c"})
        m.inputSchema.append(QJsonObject{{QStringLiteral("name"), QLatin1String(name)}});
    return m;
}

/// A model that is a fixed function of each row's a, b and c, and keeps every table it is given.
class FakePredictor : public Predictor
{
public:
    enum Kind { Linear, Binary, Multiclass };
    explicit FakePredictor(Kind kind) : m_kind(kind) {}

    /// Linear: 2a − 3b + 5·[c = x] + 1. Binary: P(yes) = 0.1 + 0.1a + 0.2·[c = x].
    /// Multiclass: P = (0.6 − 0.1a, 0.2 + 0.05a, 0.2 + 0.05a).
    Predictions predict(const PredictionInput &input) override
    {
        const data::Table &t = *input.table;
        seen.push_back(t);
        const data::Column &a = t.column(QStringLiteral("a"));
        const data::Column &b = t.column(QStringLiteral("b"));
        const data::Column &c = t.column(QStringLiteral("c"));
        Predictions p;
        for (qsizetype r = 0; r < t.rowCount(); ++r) {
            const double x = c.text(r) == QLatin1String("x") ? 1 : 0;
            const double av = a.values[size_t(r)], bv = b.values[size_t(r)];
            if (m_kind == Linear) {
                p.task = Task::Regression;
                p.values.push_back(2 * av - 3 * bv + 5 * x + 1);
                continue;
            }
            std::vector<float> probs;
            if (m_kind == Binary) {
                p.task = Task::Binary;
                p.classes = {QStringLiteral("no"), QStringLiteral("yes")};
                const double yes = 0.1 + 0.1 * av + 0.2 * x;
                probs = {float(1 - yes), float(yes)};
            } else {
                p.task = Task::Multiclass;
                p.classes = {QStringLiteral("k0"), QStringLiteral("k1"), QStringLiteral("k2")};
                probs = {float(0.6 - 0.1 * av), float(0.2 + 0.05 * av), float(0.2 + 0.05 * av)};
            }
            p.probabilities.insert(p.probabilities.end(), probs.begin(), probs.end());
            p.labels.push_back(int(std::max_element(probs.begin(), probs.end()) - probs.begin()));
        }
        return p;
    }

    std::vector<data::Table> seen;

private:
    Kind m_kind;
};

QString errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const Error &e) {
        return e.message();
    }
    return {};
}

} // namespace

class tst_Explain : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void occlusionOfALinearModelIsExactAndAdditive()
    {
        FakePredictor model(FakePredictor::Linear);
        const data::Table rows = sample();
        const Contributions c = explainRows(model, card(QStringLiteral("regression"), QStringLiteral("y")), rows);
        QCOMPARE(c.method, QStringLiteral("occlusion"));
        QCOMPARE(c.output, QStringLiteral("value"));
        QCOMPARE(c.features, QStringList({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
        QVERIFY(c.rowClasses.empty());
        QCOMPARE(c.rows(), 5);
        // Background: median a = 3, median b = 1, mode c = y. Base = 2·3 − 3·1 + 0 + 1 = 4.
        const double a[] = {1, 2, 3, 4, 5}, b[] = {0, 1, 0, 1, 1}, x[] = {1, 0, 0, 1, 0};
        for (int r = 0; r < 5; ++r) {
            QCOMPARE(c.base[size_t(r)], 4.0);
            QCOMPARE(c.value(r, 0), 2 * (a[r] - 3));
            QCOMPARE(c.value(r, 1), -3 * (b[r] - 1));
            QCOMPARE(c.value(r, 2), 5 * x[r]);
            QCOMPARE(c.base[size_t(r)] + c.value(r, 0) + c.value(r, 1) + c.value(r, 2), 2 * a[r] - 3 * b[r] + 5 * x[r] + 1);
        }
        // One predict call for the rows, one for the base row, one per column.
        QCOMPARE(model.seen.size(), size_t(2 + 3));
    }

    void occlusionTakesTheBackgroundRows()
    {
        FakePredictor model(FakePredictor::Linear);
        data::Table background;
        background.columns << numeric(QStringLiteral("a"), {10, 20, std::nan(""), 30})
                           << numeric(QStringLiteral("b"), {2, 2, 2, 7})
                           << categorical(QStringLiteral("c"), {QStringLiteral("x"), QStringLiteral("x"), QStringLiteral(""), QStringLiteral("z")});
        const Contributions c = occlusionContributions(model, card(QStringLiteral("regression"), QStringLiteral("y")), sample(), &background);
        // Background: median a = 20 (missing ignored), b = 2, c = x. Base = 40 − 6 + 5 + 1 = 40.
        QCOMPARE(c.base.front(), 40.0);
        QCOMPARE(c.value(0, 0), 2 * (1 - 20.0));
        QCOMPARE(c.value(1, 1), -3 * (1 - 2.0));
        QCOMPARE(c.value(0, 2), 0.0);  // row 0 is x already
        QCOMPARE(c.value(1, 2), -5.0); // y where the background says x
    }

    void occlusionExplainsThePositiveClassOrThePredictedClass()
    {
        FakePredictor binary(FakePredictor::Binary);
        const Contributions c = explainRows(binary, card(QStringLiteral("binary"), QStringLiteral("label"), {QStringLiteral("no"), QStringLiteral("yes")}), sample());
        QCOMPARE(c.output, QStringLiteral("probability"));
        QCOMPARE(c.target, QStringLiteral("yes"));
        QCOMPARE(c.rowClasses, std::vector<int>(5, 1));
        // P(yes) at the background (a = 3, c = y) = 0.4; contributions 0.1(a − 3), 0, 0.2·[c = x].
        const double a[] = {1, 2, 3, 4, 5}, x[] = {1, 0, 0, 1, 0};
        for (int r = 0; r < 5; ++r) {
            QVERIFY(std::abs(c.base[size_t(r)] - 0.4) < 1e-6);
            QVERIFY(std::abs(c.value(r, 0) - 0.1 * (a[r] - 3)) < 1e-6);
            QCOMPARE(c.value(r, 1), 0.0);
            QVERIFY(std::abs(c.value(r, 2) - 0.2 * x[r]) < 1e-6);
        }

        FakePredictor multi(FakePredictor::Multiclass);
        const Contributions m = explainRows(multi, card(QStringLiteral("multiclass"), QStringLiteral("label"), {QStringLiteral("k0"), QStringLiteral("k1"), QStringLiteral("k2")}), sample());
        QVERIFY(m.target.isEmpty());
        // a = 1, 2: k0 is the most likely; a = 3, 4, 5: k1 (ties go to the first class).
        QCOMPARE(m.rowClasses, std::vector<int>({0, 0, 1, 1, 1}));
        QVERIFY(std::abs(m.base[0] - 0.3) < 1e-6);  // P(k0 | a = 3)
        QVERIFY(std::abs(m.base[4] - 0.35) < 1e-6); // P(k1 | a = 3)
        QVERIFY(std::abs(m.value(0, 0) - (-0.1) * (1 - 3)) < 1e-6);
        QVERIFY(std::abs(m.value(4, 0) - 0.05 * (5 - 3)) < 1e-6);
        QCOMPARE(m.value(4, 2), 0.0);
    }

    void permutationImportanceIsTheMetricLossOfShuffledColumns()
    {
        // Truth = the model's own output: the reference MSE is 0, so a column's importance is the
        // mean MSE of the shuffled copies, which we recompute from the tables the model saw.
        FakePredictor model(FakePredictor::Linear);
        data::Table rows;
        rows.columns << numeric(QStringLiteral("a"), {1, 2, 3, 4, 5, 6, 7, 8})
                     << numeric(QStringLiteral("b"), {0, 0, 0, 0, 0, 0, 0, 0})
                     << categorical(QStringLiteral("c"), {QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("y"), QStringLiteral("x"),
                                                          QStringLiteral("y"), QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("y")});
        std::vector<double> y;
        for (int r = 0; r < 8; ++r)
            y.push_back(2 * (r + 1) + 5 * (rows.columns[2].text(r) == QLatin1String("x") ? 1 : 0) + 1);
        rows.columns << numeric(QStringLiteral("y"), y);
        const int repeats = 4;
        const QList<FeatureImportance> imp = permutationImportance(model, card(QStringLiteral("regression"), QStringLiteral("y")), rows, QStringLiteral("mse"), repeats, 7);
        QCOMPARE(imp.size(), 3);
        QCOMPARE(model.seen.size(), size_t(1 + 3)); // the reference, then one call per column

        // Recompute each column's importance from what the model was given.
        QHash<QString, std::pair<double, double>> expected;
        for (int call = 1; call <= 3; ++call) {
            const data::Table &t = model.seen[size_t(call)];
            QCOMPARE(t.rowCount(), 8 * repeats);
            const QString column = QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}.at(call - 1);
            std::vector<double> losses;
            for (int k = 0; k < repeats; ++k) {
                // Each repeat is a permutation of the column; the other columns are untouched.
                QStringList shuffled, original;
                double mse = 0;
                for (int r = 0; r < 8; ++r) {
                    const qsizetype row = qsizetype(k) * 8 + r;
                    shuffled << t.column(column).text(row);
                    original << rows.column(column).text(r);
                    for (const QString &other : {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")})
                        if (other != column)
                            QCOMPARE(t.column(other).text(row), rows.column(other).text(r));
                    const double xr = t.column(QStringLiteral("c")).text(row) == QLatin1String("x") ? 1 : 0;
                    const double f = 2 * t.column(QStringLiteral("a")).values[size_t(row)] - 3 * t.column(QStringLiteral("b")).values[size_t(row)] + 5 * xr + 1;
                    mse += (f - y[size_t(r)]) * (f - y[size_t(r)]) / 8;
                }
                shuffled.sort();
                original.sort();
                QCOMPARE(shuffled, original);
                losses.push_back(mse);
            }
            double mean = 0, var = 0;
            for (double l : losses)
                mean += l / repeats;
            for (double l : losses)
                var += (l - mean) * (l - mean) / repeats;
            expected.insert(column, {mean, std::sqrt(var)});
        }
        for (const FeatureImportance &f : imp) {
            QVERIFY2(std::abs(f.importance - expected.value(f.feature).first) < 1e-9, qPrintable(f.feature));
            QVERIFY2(std::abs(f.stddev - expected.value(f.feature).second) < 1e-9, qPrintable(f.feature));
        }
        // A constant column cannot matter; sorted most important first.
        QCOMPARE(imp.last().feature, QStringLiteral("b"));
        QCOMPARE(imp.last().importance, 0.0);
        QCOMPARE(imp.last().stddev, 0.0);
        QVERIFY(imp.first().importance > 0);
        QVERIFY(imp[0].importance >= imp[1].importance);

        // The same seed shuffles the same way.
        FakePredictor again(FakePredictor::Linear);
        const QList<FeatureImportance> imp2 = permutationImportance(again, card(QStringLiteral("regression"), QStringLiteral("y")), rows, QStringLiteral("mse"), repeats, 7);
        QCOMPARE(imp2.first().importance, imp.first().importance);
    }

    void permutationImportanceIsOrientedSoBiggerMatters()
    {
        // Labels follow c exactly: shuffling c costs accuracy (a gain metric) and raises log loss.
        FakePredictor model(FakePredictor::Binary);
        data::Table rows;
        QStringList cs, labels;
        std::vector<double> a, b;
        for (int r = 0; r < 40; ++r) {
            const bool x = (r * 7) % 3 == 0;
            cs << (x ? QStringLiteral("x") : QStringLiteral("y"));
            labels << (x ? QStringLiteral("yes") : QStringLiteral("no"));
            a.push_back(r % 2 ? 3.5 : 2.5); // P(yes) = 0.35 or 0.45, + 0.2 for x: x decides the class
            b.push_back(r % 5);
        }
        rows.columns << numeric(QStringLiteral("a"), a) << numeric(QStringLiteral("b"), b) << categorical(QStringLiteral("c"), cs)
                     << categorical(QStringLiteral("label"), labels);
        const ModelCard m = card(QStringLiteral("binary"), QStringLiteral("label"), {QStringLiteral("no"), QStringLiteral("yes")});
        for (const QString &metric : {QStringLiteral("accuracy"), QStringLiteral("log_loss"), QStringLiteral("auc")}) {
            const QList<FeatureImportance> imp = permutationImportance(model, m, rows, metric, 5, 3);
            QCOMPARE(imp.first().feature, QStringLiteral("c"));
            QVERIFY2(imp.first().importance > 0, qPrintable(metric));
            for (const FeatureImportance &f : imp)
                if (f.feature == QLatin1String("b"))
                    QCOMPARE(f.importance, 0.0);
        }
        QVERIFY(isLossMetric(QStringLiteral("log_loss")) && isLossMetric(QStringLiteral("rmse")) && !isLossMetric(QStringLiteral("r2")));
        QVERIFY(errorOf([&] { permutationImportance(model, m, rows, QStringLiteral("r2")); }).contains(QStringLiteral("unknown metric 'r2'")));
        data::Table noTarget = sample();
        QVERIFY(errorOf([&] { permutationImportance(model, m, noTarget, {}); }).contains(QStringLiteral("target column 'label'")));
    }

    void shapImportanceIsTheMeanAbsoluteContribution()
    {
        Contributions c;
        c.method = QStringLiteral("shap");
        c.features = {QStringLiteral("p"), QStringLiteral("q")};
        c.values = {1, -4, -3, 0, 2, 3};
        c.base = {0, 0, 0};
        const QList<FeatureImportance> imp = shapImportance(c);
        QCOMPARE(imp.size(), 2);
        QCOMPARE(imp[0].feature, QStringLiteral("q"));
        QVERIFY(std::abs(imp[0].importance - 7.0 / 3) < 1e-12);
        QCOMPARE(imp[1].feature, QStringLiteral("p"));
        QCOMPARE(imp[1].importance, 2.0);
        // |q| = 4, 0, 3: population stddev sqrt(26)/3; |p| = 1, 3, 2: sqrt(2/3).
        QVERIFY(std::abs(imp[0].stddev - std::sqrt(26.0) / 3) < 1e-12);
        QVERIFY(std::abs(imp[1].stddev - std::sqrt(2.0 / 3)) < 1e-12);
        QCOMPARE(importanceCsv(imp), QByteArray("feature,importance,stddev\nq,2.3333333,1.6996732\np,2,0.81649658\n"));
        QCOMPARE(importanceToJson(imp).first().toObject().value(QStringLiteral("feature")).toString(), QStringLiteral("q"));
    }
};

QTEST_GUILESS_MAIN(tst_Explain)
#include "tst_explain.moc"
