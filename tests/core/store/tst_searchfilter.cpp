#include "cairn/store/experimentstore.h"
#include "cairn/store/searchfilter.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace cairn;

class TestSearchFilter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validExpressionsCompile_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<int>("bindings");
        QTest::newRow("empty") << "" << 0;
        QTest::newRow("spaces") << "   " << 0;
        QTest::newRow("mlflow example")
            << "metrics.acc > 0.9 and params.eta = '0.1' and tags.model = 'xgb' and attributes.status = 'FINISHED'" << 7;
        QTest::newRow("or and parens") << "(metrics.a < 1 OR metrics.b >= 2) AND NOT tags.x = 'y'" << 6;
        QTest::newRow("backtick key") << "metrics.`val loss` <= 0.3" << 2;
        QTest::newRow("double-quoted key") << "params.\"learning rate\" != '0.1'" << 2;
        QTest::newRow("dotted key") << "tags.mlflow.source.type = 'NOTEBOOK'" << 2;
        QTest::newRow("bare attribute") << "status = 'running' and name like 'xgb%'" << 2;
        QTest::newRow("in list") << "params.booster IN ('gbtree', 'dart')" << 3;
        QTest::newRow("not in") << "status NOT IN ('FAILED','KILLED')" << 2;
        QTest::newRow("is null") << "metrics.auc IS NULL and tags.t IS NOT NULL" << 2;
        QTest::newRow("nan") << "metrics.loss = NaN" << 1;
        QTest::newRow("infinity") << "metrics.loss < inf" << 2;
        QTest::newRow("scientific") << "metrics.lr > 1e-4" << 2;
        QTest::newRow("negative") << "metrics.delta > -0.5" << 2;
        QTest::newRow("date") << "start_time > '2026-01-01'" << 1;
        QTest::newRow("quote in string") << "tags.note = 'it''s'" << 2;
        QTest::newRow("double equals") << "metrics.a == 1" << 2;
    }
    void validExpressionsCompile()
    {
        QFETCH(QString, expression);
        QFETCH(int, bindings);
        const CompiledFilter f = SearchFilter::compile(expression);
        QCOMPARE(f.bindings.size(), bindings);
        QCOMPARE(f.sql.count(QLatin1Char('?')), bindings);
        QCOMPARE(f.sql.isEmpty(), expression.trimmed().isEmpty());
    }

    void badExpressionsNameThePosition_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<int>("position");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown prefix") << "metricz.acc > 1" << 0 << "unknown field type";
        QTest::newRow("unknown attribute") << "colour = 'red'" << 0 << "unknown field";
        QTest::newRow("missing operator") << "metrics.acc 0.9" << 12 << "operator";
        QTest::newRow("missing value") << "metrics.acc >" << 13 << "value";
        QTest::newRow("string for metric") << "metrics.acc > 'high'" << 14 << "numbers";
        QTest::newRow("unquoted string") << "tags.model = xgb" << 13 << "quotes";
        QTest::newRow("unclosed string") << "tags.model = 'xgb" << 13 << "never closed";
        QTest::newRow("unclosed paren") << "(metrics.a > 1" << 14 << "never closed";
        QTest::newRow("dangling and") << "metrics.a > 1 and" << 17 << "condition";
        QTest::newRow("junk after") << "metrics.a > 1 metrics.b > 2" << 14 << "AND, OR";
        QTest::newRow("empty key") << "metrics. > 1" << 8 << "key";
        QTest::newRow("like number") << "name LIKE 5" << 10 << "pattern";
        QTest::newRow("in without parens") << "status IN 'A'" << 10 << "'('";
        QTest::newRow("bad date") << "start_time > 'yesterday'" << 13 << "ISO date";
    }
    void badExpressionsNameThePosition()
    {
        QFETCH(QString, expression);
        QFETCH(int, position);
        QFETCH(QString, mentions);
        try {
            SearchFilter::compile(expression);
            QFAIL("expected a syntax error");
        } catch (const SearchSyntaxError &e) {
            QCOMPARE(e.position(), position);
            QVERIFY2(e.message().contains(mentions), qPrintable(e.message()));
            QVERIFY(e.message().startsWith(QStringLiteral("at position %1:").arg(position + 1)));
            QVERIFY(e.pointAt(expression).endsWith(QString(position, QLatin1Char(' ')) + QLatin1Char('^')));
        }
    }

    void neverCrashesOnNoise()
    {
        // Every prefix of a valid expression either compiles or reports a position within it.
        const QString full = QStringLiteral("(metrics.`a b` >= -1e3 or params.x in ('1', 2)) and not tags.t is not null");
        for (int i = 0; i <= full.size(); ++i) {
            const QString prefix = full.left(i);
            try {
                SearchFilter::compile(prefix);
            } catch (const SearchSyntaxError &e) {
                QVERIFY(e.position() >= 0 && e.position() <= prefix.size());
            }
        }
        for (const char *junk : {"((((", "))))", "'", "`", "\"", "= = =", "and or not", "metrics.", ".", ",,,"}) {
            try {
                SearchFilter::compile(QString::fromLatin1(junk));
                QFAIL(junk);
            } catch (const SearchSyntaxError &) {
            }
        }
    }

    // Found by a hostile user: 9,000 '(' or 26,000 NOT overflowed the stack, and ~99 levels
    // reached SQLite's "parser stack overflow".
    void nestingIsBoundedInTheLanguagesWords_data()
    {
        QTest::addColumn<QString>("open");
        QTest::addColumn<QString>("close");
        QTest::newRow("parentheses") << "(" << ")";
        QTest::newRow("not") << "not " << "";
        QTest::newRow("both") << "not (" << ")";
    }
    void nestingIsBoundedInTheLanguagesWords()
    {
        QFETCH(QString, open);
        QFETCH(QString, close);
        const QString condition = QStringLiteral("metrics.acc > 0.5");
        auto nested = [&](int levels) { return open.repeated(levels) + condition + close.repeated(levels); };
        const int perRepeat = open.count(QLatin1Char('(')) + open.count(QStringLiteral("not"));
        const int deepest = SearchFilter::maxNesting / perRepeat;

        // The deepest allowed filter runs in SQLite and finds the run.
        QTemporaryDir dir;
        ExperimentStore store(dir.filePath(QStringLiteral("cairn.db")));
        const QString uuid = store.createRun({}).uuid;
        store.logMetric(uuid, {.key = QStringLiteral("acc"), .value = 0.9});
        const int expected = open.count(QStringLiteral("not")) * deepest % 2 == 0 ? 1 : 0;
        QCOMPARE(store.searchRuns({.filter = nested(deepest)}).size(), expected);

        for (int levels : {deepest + 1, 9000, 26000}) {
            const QString text = nested(levels);
            try {
                SearchFilter::compile(text);
                QFAIL("expected a nesting error");
            } catch (const SearchSyntaxError &e) {
                QVERIFY2(e.message().contains(QStringLiteral("nested more than %1 levels").arg(SearchFilter::maxNesting)),
                         qPrintable(e.message()));
                QVERIFY(!e.message().contains(QStringLiteral("SELECT")));
                QVERIFY(e.position() < text.size());
            }
        }
    }

    // Long flat chains stay within SQLite's limits (1000-level expression trees, 32766 variables).
    void longChainsRunOrAreRefused()
    {
        QTemporaryDir dir;
        ExperimentStore store(dir.filePath(QStringLiteral("cairn.db")));
        const QString uuid = store.createRun({}).uuid;
        store.logMetric(uuid, {.key = QStringLiteral("acc"), .value = 0.9});
        for (const char *joiner : {" and ", " or "}) {
            QStringList terms;
            for (int i = 0; i < SearchFilter::maxConditions; ++i)
                terms << QStringLiteral("metrics.acc > %1").arg(i % 2 ? 0.1 : 0.2);
            QCOMPARE(store.searchRuns({.filter = terms.join(QLatin1String(joiner))}).size(), 1);
            terms << QStringLiteral("metrics.acc > 0");
            QVERIFY_THROWS_EXCEPTION(SearchSyntaxError, SearchFilter::compile(terms.join(QLatin1String(joiner))));
        }
        QStringList values;
        for (int i = 0; i < SearchFilter::maxListValues; ++i)
            values << QString::number(i);
        QCOMPARE(store.searchRuns({.filter = QStringLiteral("params.x IN (%1)").arg(values.join(QLatin1Char(',')))}).size(), 0);
        values << QStringLiteral("1");
        QVERIFY_THROWS_EXCEPTION(SearchSyntaxError, SearchFilter::compile(QStringLiteral("params.x IN (%1)").arg(values.join(QLatin1Char(',')))));
    }

    void orderBy()
    {
        const QList<OrderTerm> terms = SearchFilter::parseOrderBy(QStringLiteral("metrics.auc DESC, params.eta, start_time asc"));
        QCOMPARE(terms.size(), 3);
        QCOMPARE(terms.at(0).field.kind, SearchField::Metric);
        QCOMPARE(terms.at(0).field.key, QStringLiteral("auc"));
        QVERIFY(terms.at(0).descending);
        QCOMPARE(terms.at(1).field.kind, SearchField::Param);
        QVERIFY(!terms.at(1).descending);
        QCOMPARE(terms.at(2).field.kind, SearchField::Attribute);
        QVERIFY(SearchFilter::parseOrderBy(QString()).isEmpty());
        QVERIFY_THROWS_EXCEPTION(SearchSyntaxError, SearchFilter::parseOrderBy(QStringLiteral("metrics.auc sideways")));
        QVERIFY_THROWS_EXCEPTION(SearchSyntaxError, SearchFilter::parseOrderBy(QStringLiteral("bogus DESC")));
    }
};

QTEST_GUILESS_MAIN(TestSearchFilter)
#include "tst_searchfilter.moc"
