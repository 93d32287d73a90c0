#include "cairn/store/searchfilter.h"

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
