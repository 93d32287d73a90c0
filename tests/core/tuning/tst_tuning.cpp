#include "testfunctions.h"

#include "cairn/algorithms/parameterschema.h"
#include "cairn/tuning/earlystopping.h"
#include "cairn/tuning/strategy.h"
#include "cairn/util/error.h"

#include <QtTest>

#include <set>

using namespace cairn;
using namespace cairn::tuning;

class TestTuning : public QObject
{
    Q_OBJECT

private:
    static ParameterSchema schema()
    {
        return ParameterSchema({Parameter::real(QStringLiteral("eta"), 0.3, 0.0, 1.0, QStringLiteral("step size"), true),
                                Parameter::integer(QStringLiteral("max_depth"), 6, 1, 30, QStringLiteral("depth")),
                                Parameter::choice(QStringLiteral("booster"), QStringLiteral("gbtree"),
                                                  {QStringLiteral("gbtree"), QStringLiteral("dart"), QStringLiteral("gblinear")},
                                                  QStringLiteral("booster")),
                                Parameter::boolean(QStringLiteral("shuffle"), true, QStringLiteral("shuffle"))});
    }

    static double run(Strategy &strategy, bool isBranin, int trials)
    {
        double best = INFINITY;
        for (int i = 0; i < trials; ++i) {
            std::vector<double> x;
            if (!strategy.suggest(x))
                break;
            const double y = testfunctions::evaluate(strategy.space(), x, isBranin);
            strategy.observe(x, y);
            best = std::min(best, y);
        }
        return best;
    }

private Q_SLOTS:
    void rangesParse()
    {
        const SearchSpace space = SearchSpace::fromRanges(
            schema(), {QStringLiteral("eta=0.01:0.3:log"), QStringLiteral("max_depth=3:10"), QStringLiteral("booster=gbtree,dart"),
                       QStringLiteral("shuffle=true,false")});
        QCOMPARE(space.size(), 4);
        const Dimension &eta = space.dimensions().at(0);
        QVERIFY(eta.logScale);
        QCOMPARE(eta.fromUnit(0).toDouble(), 0.01);
        QCOMPARE(eta.fromUnit(1).toDouble(), 0.3);
        QVERIFY(qAbs(eta.fromUnit(0.5).toDouble() - std::sqrt(0.01 * 0.3)) < 1e-9); // geometric middle
        QCOMPARE(space.dimensions().at(1).kind, Dimension::Kind::Integer);
        QCOMPARE(space.dimensions().at(1).fromUnit(0.5).toInteger(), 7);
        const QJsonObject params = space.toParams({0.2, 0.0, 0.9, 0.1});
        QCOMPARE(params.value(QStringLiteral("max_depth")).toInteger(), 3);
        QCOMPARE(params.value(QStringLiteral("booster")).toString(), QStringLiteral("dart"));
        QCOMPARE(params.value(QStringLiteral("shuffle")).toBool(), true);
        // round trip through the unit cube
        QCOMPARE(space.toParams(space.toUnit(params)), params);
        QCOMPARE(SearchSpace::fromJson(space.toJson()).toParams({0.2, 0.0, 0.9, 0.1}), params);
    }

    void badRangesAreExplained_data()
    {
        QTest::addColumn<QString>("range");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown") << "colour=1:2" << "no parameter 'colour'";
        QTest::newRow("no equals") << "eta" << "name=low:high";
        QTest::newRow("reversed") << "eta=0.3:0.01" << "low must be below high";
        QTest::newRow("log of zero") << "eta=0:0.3:log" << "positive";
        QTest::newRow("outside schema") << "max_depth=0:50" << "outside";
        QTest::newRow("bad flag") << "eta=0.1:0.2:cubic" << "not log";
        QTest::newRow("bad choice") << "booster=gbtree,forest" << "forest";
        QTest::newRow("one choice") << "booster=gbtree" << "at least two";
        QTest::newRow("not numbers") << "eta=a:b" << "low:high";
    }
    void badRangesAreExplained()
    {
        QFETCH(QString, range);
        QFETCH(QString, mentions);
        try {
            SearchSpace::fromRanges(schema(), {range});
            QFAIL("expected an error");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(mentions), qPrintable(e.message()));
        }
        QVERIFY_THROWS_EXCEPTION(Error, SearchSpace::fromRanges(schema(), {QStringLiteral("eta=0.1:0.2"), QStringLiteral("eta=0.1:0.3")}));
        QVERIFY_THROWS_EXCEPTION(Error, Strategy::create(QStringLiteral("annealing"), testfunctions::braninSpace(), 1));
    }

    void gridCoversEveryCombinationOnce()
    {
        const SearchSpace space = SearchSpace::fromRanges(schema(), {QStringLiteral("max_depth=1:3"), QStringLiteral("booster=gbtree,dart")});
        GridStrategy grid(space, 1, 5);
        std::set<QString> seen;
        std::vector<double> x;
        while (grid.suggest(x)) {
            const QJsonObject p = space.toParams(x);
            seen.insert(QStringLiteral("%1-%2").arg(p.value(QStringLiteral("max_depth")).toInteger()).arg(p.value(QStringLiteral("booster")).toString()));
        }
        QCOMPARE(seen.size(), size_t(6)); // 3 depths × 2 boosters, each once
    }

    void bayesianFindsBraninOptimum()
    {
        // Three seeds; each must come within 0.1 of the global minimum 0.397887 in 40 trials.
        for (quint64 seed : {1, 2, 3}) {
            BayesianStrategy strategy(testfunctions::braninSpace(), seed);
            const double best = run(strategy, true, 40);
            QVERIFY2(best < 0.5, qPrintable(QStringLiteral("seed %1: best %2").arg(seed).arg(best)));
        }
    }

    void bayesianFindsHartmannRegion()
    {
        // Global minimum -3.32237; the next local minimum is about -3.2.
        BayesianStrategy strategy(testfunctions::hartmannSpace(), 7);
        const double best = run(strategy, false, 70);
        QVERIFY2(best < -3.0, qPrintable(QString::number(best)));
    }

    void bayesianBeatsRandomOnBranin()
    {
        double bayes = 0, random = 0;
        for (quint64 seed : {11, 12, 13}) {
            BayesianStrategy b(testfunctions::braninSpace(), seed);
            RandomStrategy r(testfunctions::braninSpace(), seed);
            bayes += run(b, true, 25);
            random += run(r, true, 25);
        }
        QVERIFY2(bayes < random, qPrintable(QStringLiteral("bayesian %1 vs random %2").arg(bayes).arg(random)));
    }

    void pendingPointsSpreadParallelSuggestions()
    {
        BayesianStrategy strategy(testfunctions::braninSpace(), 5);
        run(strategy, true, 10);
        std::vector<std::vector<double>> batch;
        for (int i = 0; i < 4; ++i) {
            std::vector<double> x;
            QVERIFY(strategy.suggest(x));
            strategy.addPending(x);
            batch.push_back(x);
        }
        for (size_t i = 0; i < batch.size(); ++i)
            for (size_t j = i + 1; j < batch.size(); ++j) {
                const double d = std::hypot(batch[i][0] - batch[j][0], batch[i][1] - batch[j][1]);
                QVERIFY2(d > 1e-3, "parallel suggestions must differ");
            }
        // A failed trial (NaN) is dropped, not learned from.
        strategy.observe(batch[0], std::nan(""));
        QCOMPARE(strategy.observations(), 10);
    }

    void medianRuleStopsPoorTrials()
    {
        MedianStoppingRule rule(3, 3);
        // Three good trials with falling loss, then a poor one.
        for (int t = 0; t < 3; ++t)
            for (int s = 1; s <= 10; ++s)
                rule.report(t, s, 1.0 / s + 0.01 * t);
        for (int s = 1; s <= 2; ++s)
            rule.report(3, s, 5.0);
        QVERIFY(!rule.shouldStop(3, 2)); // too early to judge
        rule.report(3, 3, 5.0);
        QVERIFY(rule.shouldStop(3, 3));
        // A good newcomer is kept.
        for (int s = 1; s <= 3; ++s)
            rule.report(4, s, 0.5 / s);
        QVERIFY(!rule.shouldStop(4, 3));
        // Not enough others: never stop.
        MedianStoppingRule lonely(1, 3);
        lonely.report(0, 1, 1);
        lonely.report(1, 1, 9);
        QVERIFY(!lonely.shouldStop(1, 1));
    }
};

QTEST_GUILESS_MAIN(TestTuning)
#include "tst_tuning.moc"
