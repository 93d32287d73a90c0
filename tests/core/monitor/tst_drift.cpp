// Drift statistics against scipy on the same samples, verdicts on shifted real data, SageMaker
// shapes of baselines and checks.
#include "cairn/data/csvreader.h"
#include "cairn/monitor/baseline.h"
#include "cairn/monitor/checks.h"
#include "cairn/monitor/drift.h"
#include "cairn/monitor/stattests.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <random>

using namespace cairn;
using namespace cairn::monitor;

namespace {

QJsonArray toJson(const std::vector<double> &v)
{
    QJsonArray a;
    for (double x : v)
        a.append(x);
    return a;
}

std::vector<double> normal(std::mt19937_64 &rng, size_t n, double mean, double sd, int roundDigits = -1)
{
    std::normal_distribution<double> d(mean, sd);
    std::vector<double> v(n);
    const double scale = roundDigits >= 0 ? std::pow(10.0, roundDigits) : 0;
    for (double &x : v) {
        x = d(rng);
        if (roundDigits >= 0)
            x = std::round(x * scale) / scale;
    }
    return v;
}

/// Close to 1e-9, relative for large values.
bool close(double a, double b, double tolerance = 1e-9)
{
    if (std::isinf(a) || std::isinf(b))
        return a == b;
    return std::fabs(a - b) <= tolerance * std::max(1.0, std::fabs(b));
}

data::Table readShared(const QString &name)
{
    return data::CsvReader::read(QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/") + name);
}

/// The rows of `t` picked by `rows`.
data::Table rowsOf(const data::Table &t, std::vector<qsizetype> rows)
{
    return t.select(rows);
}

QStringList drifted(const DriftReport &r)
{
    QStringList out;
    for (const FeatureDrift &f : r.features)
        if (f.drifted)
            out << f.name;
    return out;
}

} // namespace

class tst_Drift : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void againstScipy()
    {
        if (!QFile::exists(QStringLiteral("/usr/bin/python3")))
            QSKIP("/usr/bin/python3 is not installed");
        std::mt19937_64 rng(18);
        struct KsCase
        {
            std::vector<double> a, b;
            bool exact;
        };
        std::vector<KsCase> ks{
            {normal(rng, 50, 0, 1), normal(rng, 50, 0.3, 1), true},
            {normal(rng, 80, 0, 1), normal(rng, 120, 0.2, 1.2), true},
            {normal(rng, 300, 0, 1, 1), normal(rng, 1000, 0.1, 1, 1), true}, // ties
            {normal(rng, 1000, 0, 1), normal(rng, 1000, 0, 1), true},
            {normal(rng, 7, 0, 1), normal(rng, 13, 1, 1), true},
            {normal(rng, 997, 5, 2), normal(rng, 3001, 5.1, 2), true},
            {normal(rng, 2000, 0, 1), normal(rng, 20000, 0.05, 1), false}, // scipy's asymptotic branch
        };
        std::vector<std::pair<std::vector<double>, std::vector<double>>> chi{
            {{10, 20, 30, 40}, {12, 18, 33, 37}},
            {{5, 0, 7}, {4, 1.5, 6.5}},
            {{100, 250, 120, 30, 500}, {110.5, 240.2, 118.3, 41.0, 490.0}},
        };
        std::vector<std::pair<std::vector<double>, std::vector<double>>> ws{
            {normal(rng, 500, 0, 1), normal(rng, 700, 0.5, 2)},
            {normal(rng, 3, 0, 1), normal(rng, 5, 0, 1)},
            {normal(rng, 5000, 10, 3, 0), normal(rng, 4000, 11, 3, 0)},
        };
        std::vector<std::pair<std::vector<double>, std::vector<double>>> js{
            {{0.1, 0.2, 0.7}, {0.3, 0.3, 0.4}},
            {{0, 5, 10, 0}, {1, 4, 0, 7}},
            {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}},
        };
        const auto histA = normal(rng, 1234, 3, 2), histB = normal(rng, 877, 4, 2);

        QJsonObject input;
        QJsonArray a;
        for (const KsCase &k : ks)
            a.append(QJsonArray{toJson(k.a), toJson(k.b)});
        input.insert(QStringLiteral("ks"), a);
        a = {};
        for (const auto &c : chi)
            a.append(QJsonArray{toJson(c.first), toJson(c.second)});
        input.insert(QStringLiteral("chi"), a);
        a = {};
        for (const auto &c : ws)
            a.append(QJsonArray{toJson(c.first), toJson(c.second)});
        input.insert(QStringLiteral("ws"), a);
        a = {};
        for (const auto &c : js)
            a.append(QJsonArray{toJson(c.first), toJson(c.second)});
        input.insert(QStringLiteral("js"), a);
        input.insert(QStringLiteral("hist"), QJsonArray{toJson(histA), toJson(histB)});

        QTemporaryDir dir;
        const QString inPath = dir.filePath(QStringLiteral("in.json"));
        QFile f(inPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(input).toJson(QJsonDocument::Compact));
        f.close();
        const char *script = R"(
import json, sys, numpy as np
from scipy import stats
from scipy.spatial import distance
d = json.load(open(sys.argv[1]))
out = {}
out['ks'] = [list(map(float, stats.ks_2samp(a, b)[:2])) for a, b in d['ks']]
out['chi'] = [list(map(float, stats.chisquare(o, e))) for o, e in d['chi']]
out['ws'] = [float(stats.wasserstein_distance(u, v)) for u, v in d['ws']]
out['js'] = [float(distance.jensenshannon(p, q)) for p, q in d['js']]
out['js2'] = [float(distance.jensenshannon(p, q, base=2)) for p, q in d['js']]
a, b = d['hist']
edges = np.histogram_bin_edges(a + b, bins='sturges')
out['edges'] = [float(x) for x in edges]
out['counts'] = [float(x) for x in np.histogram(a, edges)[0]]
print(json.dumps(out))
)";
        QProcess p;
        p.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), QString::fromLatin1(script), inPath});
        QVERIFY(p.waitForFinished(120000));
        const QByteArray err = p.readAllStandardError();
        if (p.exitCode() != 0 && err.contains("No module named"))
            QSKIP("python3-scipy is not installed");
        QVERIFY2(p.exitCode() == 0, err.constData());
        const QJsonObject o = QJsonDocument::fromJson(p.readAllStandardOutput()).object();

        const QJsonArray ksOut = o.value(QStringLiteral("ks")).toArray();
        for (size_t i = 0; i < ks.size(); ++i) {
            const stats::TestResult r = stats::ks2samp(ks[i].a, ks[i].b);
            const double d = ksOut.at(qsizetype(i)).toArray().at(0).toDouble(), pv = ksOut.at(qsizetype(i)).toArray().at(1).toDouble();
            QVERIFY2(close(r.statistic, d), qPrintable(QStringLiteral("ks case %1: D %2 vs scipy %3").arg(i).arg(r.statistic, 0, 'g', 17).arg(d, 0, 'g', 17)));
            // scipy's large-sample branch evaluates the finite-n Kolmogorov distribution; ours the
            // limiting one (documented): within 1e-3 there, exact to 1e-9 elsewhere.
            const double tol = ks[i].exact ? 1e-9 : 1e-3;
            QVERIFY2(close(r.pValue, pv, tol), qPrintable(QStringLiteral("ks case %1: p %2 vs scipy %3").arg(i).arg(r.pValue, 0, 'g', 17).arg(pv, 0, 'g', 17)));
        }
        const QJsonArray chiOut = o.value(QStringLiteral("chi")).toArray();
        for (size_t i = 0; i < chi.size(); ++i) {
            const stats::TestResult r = stats::chiSquare(chi[i].first, chi[i].second);
            QVERIFY2(close(r.statistic, chiOut.at(qsizetype(i)).toArray().at(0).toDouble()), qPrintable(QString::number(i)));
            QVERIFY2(close(r.pValue, chiOut.at(qsizetype(i)).toArray().at(1).toDouble()),
                     qPrintable(QStringLiteral("chi case %1: p %2 vs %3").arg(i).arg(r.pValue, 0, 'g', 17).arg(chiOut.at(qsizetype(i)).toArray().at(1).toDouble(), 0, 'g', 17)));
        }
        const QJsonArray wsOut = o.value(QStringLiteral("ws")).toArray();
        for (size_t i = 0; i < ws.size(); ++i)
            QVERIFY2(close(stats::wassersteinDistance(ws[i].first, ws[i].second), wsOut.at(qsizetype(i)).toDouble()), qPrintable(QString::number(i)));
        const QJsonArray jsOut = o.value(QStringLiteral("js")).toArray(), js2Out = o.value(QStringLiteral("js2")).toArray();
        for (size_t i = 0; i < js.size(); ++i) {
            QVERIFY2(close(stats::jensenShannon(js[i].first, js[i].second), jsOut.at(qsizetype(i)).toDouble()), qPrintable(QString::number(i)));
            QVERIFY(close(stats::jensenShannon(js[i].first, js[i].second, 2), js2Out.at(qsizetype(i)).toDouble()));
        }
        std::vector<double> both = histA;
        both.insert(both.end(), histB.begin(), histB.end());
        const std::vector<double> edges = stats::sturgesEdges(histA, histB);
        const QJsonArray edgesOut = o.value(QStringLiteral("edges")).toArray();
        QCOMPARE(qsizetype(edges.size()), edgesOut.size());
        for (size_t i = 0; i < edges.size(); ++i)
            QVERIFY(close(edges[i], edgesOut.at(qsizetype(i)).toDouble()));
        const std::vector<double> counts = stats::histogramCounts(histA, edges);
        const QJsonArray countsOut = o.value(QStringLiteral("counts")).toArray();
        for (size_t i = 0; i < counts.size(); ++i)
            QCOMPARE(counts[i], countsOut.at(qsizetype(i)).toDouble());
    }

    void corrections()
    {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2), "BH") = 0.025 0.05 0.05 0.025 0.2
        const std::vector<double> bh = stats::benjaminiHochberg({0.01, 0.04, 0.03, 0.005, 0.2, qQNaN()});
        const std::vector<double> want{0.025, 0.05, 0.05, 0.025, 0.2};
        for (size_t i = 0; i < want.size(); ++i)
            QVERIFY(close(bh[i], want[i]));
        QVERIFY(std::isnan(bh[5]));
        const std::vector<double> bf = stats::bonferroni({0.01, 0.3});
        QVERIFY(close(bf[0], 0.02));
        QVERIFY(close(bf[1], 0.6));
        QVERIFY(close(stats::cohensH(0.5, 0.5), 0));
        QVERIFY(close(std::fabs(stats::cohensH(0.6, 0.4)), 2 * std::asin(std::sqrt(0.6)) - 2 * std::asin(std::sqrt(0.4))));
    }

    /// Large reference (distances): a shifted copy of diamonds flags the shifted columns only.
    void shiftedDiamonds()
    {
        QVERIFY2(QFile::exists(QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/diamonds.csv")), "../shared/data/tabular/diamonds.csv is missing");
        const data::Table all = readShared(QStringLiteral("diamonds.csv"));
        std::vector<qsizetype> even, odd;
        for (qsizetype r = 0; r < all.rowCount(); ++r)
            (r % 2 ? odd : even).push_back(r);
        const data::Table reference = rowsOf(all, even);
        data::Table current = rowsOf(all, odd);
        QCOMPARE(drifted(computeDrift(reference, current)), QStringList());
        // Shift: carat 20% heavier, a third of the "Ideal" cuts become "Fair".
        const int carat = current.indexOf(QStringLiteral("carat")), cut = current.indexOf(QStringLiteral("cut"));
        for (double &v : current.columns[carat].values)
            v *= 1.2;
        data::Column &c = current.columns[cut];
        const int ideal = int(c.categories.indexOf(QStringLiteral("Ideal"))), fair = int(c.categories.indexOf(QStringLiteral("Fair")));
        QVERIFY(ideal >= 0 && fair >= 0);
        int k = 0;
        for (std::int32_t &code : c.codes)
            if (code == ideal && k++ % 3 == 0)
                code = fair;
        const DriftReport r = computeDrift(reference, current);
        QCOMPARE(drifted(r), (QStringList{QStringLiteral("carat"), QStringLiteral("cut")}));
        QCOMPARE(r.feature(QStringLiteral("carat"))->method, QStringLiteral("wasserstein"));
        QCOMPARE(r.feature(QStringLiteral("cut"))->method, QStringLiteral("jensenshannon"));
        QVERIFY(r.feature(QStringLiteral("carat"))->psi > 0.1);
        // Overlays: shared bins, shares that sum to 1.
        const DriftHistogram &h = r.feature(QStringLiteral("carat"))->histogram;
        QCOMPARE(h.edges.size(), h.reference.size() + 1);
        double sum = 0;
        for (double x : h.current)
            sum += x;
        QVERIFY(close(sum, 1, 1e-12));
        // A round trip through drift.json keeps the verdicts.
        const DriftReport back = DriftReport::fromJson(r.toJson());
        QCOMPARE(drifted(back), drifted(r));
        QVERIFY(r.toMarkdown().contains(QStringLiteral("| carat |")));
        QVERIFY(r.toHtml().contains(QStringLiteral("<svg")));
    }

    /// Small reference (tests, BH correction, effect sizes): a shifted copy of titanic.
    void shiftedTitanic()
    {
        QVERIFY2(QFile::exists(QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/titanic.csv")), "../shared/data/tabular/titanic.csv is missing");
        const data::Table all = readShared(QStringLiteral("titanic.csv"));
        std::vector<qsizetype> first, second;
        for (qsizetype r = 0; r < all.rowCount(); ++r)
            (r % 2 ? second : first).push_back(r);
        const data::Table reference = rowsOf(all, first);
        QVERIFY(reference.rowCount() <= 1000);
        data::Table current = rowsOf(all, second);
        const DriftReport same = computeDrift(reference, current);
        QCOMPARE(drifted(same), QStringList());
        QCOMPARE(same.feature(QStringLiteral("name"))->method, QStringLiteral("none")); // free text
        QCOMPARE(same.feature(QStringLiteral("age"))->method, QStringLiteral("ks"));
        QCOMPARE(same.feature(QStringLiteral("sex"))->method, QStringLiteral("z"));
        QCOMPARE(same.feature(QStringLiteral("passengerClass"))->method, QStringLiteral("chisquare"));
        // Shift: everyone 12 years older, and half the men recorded as women.
        for (double &v : current.columns[current.indexOf(QStringLiteral("age"))].values)
            v += 12;
        data::Column &sex = current.columns[current.indexOf(QStringLiteral("sex"))];
        const int male = int(sex.categories.indexOf(QStringLiteral("male"))), female = int(sex.categories.indexOf(QStringLiteral("female")));
        int k = 0;
        for (std::int32_t &code : sex.codes)
            if (code == male && k++ % 2 == 0)
                code = female;
        const DriftReport r = computeDrift(reference, current);
        QCOMPARE(drifted(r), (QStringList{QStringLiteral("sex"), QStringLiteral("age")}));
        for (const FeatureDrift &f : r.features) {
            if (f.method == QLatin1String("none"))
                continue;
            QVERIFY2(!std::isnan(f.pValue) && !std::isnan(f.adjustedPValue) && !std::isnan(f.effectSize), qPrintable(f.name));
            QVERIFY(f.adjustedPValue >= f.pValue);
        }
        // The effect-size floor: a tiny shift in a huge sample is significant but not drift.
        DriftOptions o;
        o.smallReferenceRows = 1000000;
        std::mt19937_64 rng(7);
        data::Table big1, big2;
        data::Column x;
        x.name = QStringLiteral("x");
        x.values = normal(rng, 20000, 0, 1);
        big1.columns << x;
        x.values = normal(rng, 20000, 0.05, 1);
        big2.columns << x;
        const DriftReport tiny = computeDrift(big1, big2, o);
        QVERIFY(tiny.features.first().pValue < 0.05);
        QVERIFY(!tiny.features.first().drifted);
        o.effectSizeThreshold = 0;
        QVERIFY(computeDrift(big1, big2, o).features.first().drifted);
    }

    void baselineShapesAndChecks()
    {
        const QByteArray csv = "a,b,c\n1,x,0.5\n2,y,1.5\n3,x,2.5\n4,y,\n";
        const data::Table t = data::CsvReader::parse(csv, QStringLiteral("t.csv"));
        QTemporaryDir dir;
        const Baseline b = createBaseline(t, QStringLiteral("t.csv"), dir.path());
        const QJsonObject s = Baseline::load(dir.path()).statistics.toJson();
        QCOMPARE(s.value(QStringLiteral("dataset")).toObject().value(QStringLiteral("item_count")).toDouble(), 4.0);
        const QJsonArray features = s.value(QStringLiteral("features")).toArray();
        QCOMPARE(features.at(0).toObject().value(QStringLiteral("inferred_type")).toString(), QStringLiteral("Integral"));
        QCOMPARE(features.at(1).toObject().value(QStringLiteral("inferred_type")).toString(), QStringLiteral("String"));
        QCOMPARE(features.at(2).toObject().value(QStringLiteral("inferred_type")).toString(), QStringLiteral("Fractional"));
        const QJsonObject num = features.at(2).toObject().value(QStringLiteral("numerical_statistics")).toObject();
        QCOMPARE(num.value(QStringLiteral("common")).toObject().value(QStringLiteral("num_missing")).toDouble(), 1.0);
        QVERIFY(close(num.value(QStringLiteral("mean")).toDouble(), 1.5));
        QVERIFY(num.value(QStringLiteral("distribution")).toObject().value(QStringLiteral("kll")).toObject().value(QStringLiteral("buckets")).isArray());
        const QJsonObject str = features.at(1).toObject().value(QStringLiteral("string_statistics")).toObject();
        QCOMPARE(str.value(QStringLiteral("distinct_count")).toDouble(), 2.0);
        const QJsonObject cons = b.constraints.toJson();
        const QJsonObject mc = cons.value(QStringLiteral("monitoring_config")).toObject();
        QCOMPARE(mc.value(QStringLiteral("distribution_constraints")).toObject().value(QStringLiteral("comparison_threshold")).toDouble(), 0.1);
        QVERIFY(mc.contains(QStringLiteral("datatype_check_threshold")));
        QVERIFY(mc.contains(QStringLiteral("domain_content_threshold")));
        QCOMPARE(cons.value(QStringLiteral("features")).toArray().at(1).toObject().value(QStringLiteral("string_constraints")).toObject()
                     .value(QStringLiteral("domains")).toArray().size(), 2);
        QCOMPARE(b.constraints.feature(QStringLiteral("c"))->completeness, 0.75);

        // Current data: 'a' fractional, 'b' with a new value, 'c' less complete, 'd' extra; 'c' kept.
        const data::Table cur = data::CsvReader::parse("a,b,c,d\n1.5,x,,1\n2,z,,2\n3,x,1,3\n", QStringLiteral("cur.csv"));
        const DriftReport drift = computeDrift(b.reference(), cur);
        const QList<Violation> v = checkConstraints(b, computeStatistics(cur), cur, drift);
        QStringList kinds;
        for (const Violation &x : v)
            kinds << x.featureName + QLatin1Char(':') + x.checkType;
        QVERIFY2(kinds.contains(QStringLiteral("a:data_type_check")), qPrintable(kinds.join(QLatin1Char(' '))));
        QVERIFY(kinds.contains(QStringLiteral("b:categorical_values_check")));
        QVERIFY(kinds.contains(QStringLiteral("c:completeness_check")));
        QVERIFY(kinds.contains(QStringLiteral("d:extra_column_check")));
        const data::Table missing = data::CsvReader::parse("a,b\n1,x\n", QStringLiteral("m.csv"));
        const QList<Violation> mv = checkConstraints(b, computeStatistics(missing), missing, computeDrift(b.reference(), missing));
        QVERIFY(std::any_of(mv.begin(), mv.end(), [](const Violation &x) { return x.checkType == QLatin1String("missing_column_check") && x.featureName == QLatin1String("c"); }));
        // Relaxing: a lower domain threshold lets the new value through.
        Baseline relaxed = b;
        relaxed.constraints.feature(QStringLiteral("b"))->monitoringConfigOverrides.insert(QStringLiteral("domain_content_threshold"), 0.5);
        const QList<Violation> rv = checkConstraints(relaxed, computeStatistics(cur), cur, drift);
        QVERIFY(std::none_of(rv.begin(), rv.end(), [](const Violation &x) { return x.checkType == QLatin1String("categorical_values_check"); }));
        // constraint_violations.json shape.
        const QJsonObject vj = violationsToJson(v);
        const QJsonObject first = vj.value(QStringLiteral("violations")).toArray().first().toObject();
        QVERIFY(first.contains(QStringLiteral("feature_name")) && first.contains(QStringLiteral("constraint_check_type")) && first.contains(QStringLiteral("description")));
    }
};

QTEST_GUILESS_MAIN(tst_Drift)
#include "tst_drift.moc"
