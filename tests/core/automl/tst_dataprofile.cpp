#include "cairn/automl/dataprofile.h"
#include "cairn/data/csvreader.h"
#include "cairn/util/error.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QTest>

using namespace cairn;
using namespace cairn::automl;
using data::ColumnType;

class tst_DataProfile : public QObject
{
    Q_OBJECT

    static data::Table shared(const QString &name)
    {
        return data::CsvReader::read(QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/") + name + QStringLiteral(".csv"));
    }

    static const ColumnProfile &col(const DataProfile &p, const QString &name)
    {
        const ColumnProfile *c = p.column(name);
        if (!c)
            qFatal("no column %s", qPrintable(name));
        return *c;
    }

    static QString errorOf(const data::Table &t, const QString &target, std::optional<Task> task)
    {
        try {
            profileTable(t, target, task);
        } catch (const Error &e) {
            return e.message();
        }
        return {};
    }

    static qsizetype classTotal(const DataProfile &p)
    {
        qsizetype n = 0;
        for (const QJsonValue &c : p.targetDistribution.value(QStringLiteral("classes")).toArray())
            n += qsizetype(c.toObject().value(QStringLiteral("count")).toDouble());
        return n;
    }

    /// 200 rows with one column of each kind the analysis must recognise.
    static data::Table handMade()
    {
        QRandomGenerator rng(7);
        QByteArray csv = "rowid,key,constant,empty,mostly,leak_cat,leak_num,noise,review,label\n";
        const char *words[] = {"great", "product", "arrived", "late", "but", "works", "well", "would", "buy", "again"};
        for (int i = 0; i < 200; ++i) {
            const bool yes = rng.bounded(2) == 1;
            QByteArray review;
            for (int w = 0; w < 8; ++w)
                review += QByteArray(words[rng.bounded(10)]) + ' ';
            review += QByteArray::number(i);   // every review different, several words, long
            csv += QByteArray::number(1000 + i) + ',' + "user-" + QByteArray::number(i * 7919 % 10007) + ",x,,"
                + (i % 4 == 0 ? QByteArray() : QByteArray::number(rng.bounded(5))) + ','
                + (yes ? "approved" : "rejected") + ','
                + QByteArray::number(yes ? 10.0 + rng.generateDouble() : rng.generateDouble(), 'f', 6) + ','
                + QByteArray::number(rng.generateDouble(), 'f', 6) + ',' + review + ','
                + (yes ? "yes" : "no") + '\n';
        }
        return data::CsvReader::parse(csv, QStringLiteral("handmade.csv"));
    }

private Q_SLOTS:
    void titanic()
    {
        const DataProfile p = profileTable(shared(QStringLiteral("titanic")), QStringLiteral("survived"));
        QCOMPARE(p.task, Task::Binary);
        QCOMPARE(p.rows, 1309);
        QCOMPARE(col(p, QStringLiteral("survived")).flag, QStringLiteral("target"));
        QVERIFY(!col(p, QStringLiteral("survived")).dropped);
        // Names are short, every one different: they identify passengers.
        const ColumnProfile &name = col(p, QStringLiteral("name"));
        QCOMPARE(name.flag, QStringLiteral("id"));
        QVERIFY(name.dropped);
        QVERIFY2(name.reason.contains(QStringLiteral("1309")) && name.reason.contains(QStringLiteral("ID")), qPrintable(name.reason));
        const ColumnProfile &age = col(p, QStringLiteral("age"));
        QCOMPARE(age.type, ColumnType::Numeric);
        QCOMPARE(age.missing, 263);
        QCOMPARE(age.distinct, 98);
        QVERIFY(age.summary.value(QStringLiteral("min")).toDouble() < 1.0);
        QCOMPARE(age.summary.value(QStringLiteral("max")).toDouble(), 80.0);
        QVERIFY(qAbs(age.summary.value(QStringLiteral("mean")).toDouble() - 29.88) < 0.01);
        const ColumnProfile &pclass = col(p, QStringLiteral("passengerClass"));
        QCOMPARE(pclass.distinct, 3);
        const QJsonArray top = pclass.summary.value(QStringLiteral("top")).toArray();
        QCOMPARE(top.size(), 3);
        QCOMPARE(top.first().toObject().value(QStringLiteral("value")).toString(), QStringLiteral("3rd"));
        QCOMPARE(top.first().toObject().value(QStringLiteral("count")).toInt(), 709);
        // Sex predicts survival well but far from perfectly: a feature, not a leak.
        QCOMPARE(col(p, QStringLiteral("sex")).flag, QString());
        QCOMPARE(p.droppedColumns(), QStringList{QStringLiteral("name")});
        QCOMPARE(p.featureColumns(), QStringList({QStringLiteral("sex"), QStringLiteral("age"), QStringLiteral("passengerClass")}));
        QCOMPARE(p.targetDistribution.value(QStringLiteral("kind")).toString(), QStringLiteral("classes"));
        QCOMPARE(classTotal(p), 1309);
        QCOMPARE(defaultMetric(p.task), QStringLiteral("f1"));
    }

    void classificationSets_data()
    {
        QTest::addColumn<QString>("set");
        QTest::addColumn<QString>("target");
        QTest::addColumn<Task>("task");
        QTest::addColumn<int>("classes");
        QTest::newRow("iris") << "iris" << "target" << Task::Multiclass << 3;
        QTest::newRow("penguins") << "penguins" << "species" << Task::Multiclass << 3;
        QTest::newRow("wine") << "wine" << "target" << Task::Multiclass << 3;
        QTest::newRow("breast_cancer") << "breast_cancer" << "target" << Task::Binary << 2;
    }

    void classificationSets()
    {
        QFETCH(QString, set);
        QFETCH(QString, target);
        QFETCH(Task, task);
        QFETCH(int, classes);
        const data::Table t = shared(set);
        const DataProfile p = profileTable(t, target);
        QCOMPARE(p.task, task);
        QCOMPARE(p.columns.size(), t.columnCount());
        QCOMPARE(p.targetDistribution.value(QStringLiteral("classes")).toArray().size(), classes);
        QCOMPARE(classTotal(p) + qsizetype(p.targetDistribution.value(QStringLiteral("missing")).toDouble()), t.rowCount());
        // Strong features (petal width, worst perimeter, flavanoids, whole-number areas that are
        // almost all different) are kept: none of these sets has an ID, a constant or a leak.
        QVERIFY2(p.droppedColumns().isEmpty(), qPrintable(p.droppedColumns().join(QLatin1Char(','))));
        QCOMPARE(p.featureColumns().size(), t.columnCount() - 1);
    }

    void penguinsMissing()
    {
        const DataProfile p = profileTable(shared(QStringLiteral("penguins")), QStringLiteral("species"));
        QCOMPARE(col(p, QStringLiteral("sex")).missing, 11);
        QCOMPARE(col(p, QStringLiteral("bill_length_mm")).missing, 2);
        QCOMPARE(col(p, QStringLiteral("island")).type, ColumnType::Categorical);
        QCOMPARE(col(p, QStringLiteral("year")).distinct, 3);
    }

    void diamondsRegression()
    {
        const DataProfile p = profileTable(shared(QStringLiteral("diamonds")), QStringLiteral("price"));
        QCOMPARE(p.task, Task::Regression);
        QVERIFY2(p.droppedColumns().isEmpty(), qPrintable(p.droppedColumns().join(QLatin1Char(','))));
        const QJsonObject d = p.targetDistribution;
        QCOMPARE(d.value(QStringLiteral("kind")).toString(), QStringLiteral("numeric"));
        QCOMPARE(d.value(QStringLiteral("min")).toDouble(), 326.0);
        QCOMPARE(d.value(QStringLiteral("max")).toDouble(), 18823.0);
        QCOMPARE(d.value(QStringLiteral("quantiles")).toObject().value(QStringLiteral("0.5")).toDouble(), 2401.0);
        qsizetype n = 0;
        for (const QJsonValue &c : d.value(QStringLiteral("histogram")).toObject().value(QStringLiteral("counts")).toArray())
            n += c.toInteger();
        QCOMPARE(n, 53940);
        QCOMPARE(d.value(QStringLiteral("histogram")).toObject().value(QStringLiteral("edges")).toArray().size(), 21);
        QCOMPARE(col(p, QStringLiteral("cut")).distinct, 5);
        QCOMPARE(defaultMetric(p.task), QStringLiteral("mse"));
    }

    void flagsHandMadeColumns()
    {
        const DataProfile p = profileTable(handMade(), QStringLiteral("label"));
        QCOMPARE(p.task, Task::Binary);
        QCOMPARE(col(p, QStringLiteral("rowid")).flag, QStringLiteral("id"));
        QVERIFY2(col(p, QStringLiteral("rowid")).reason.startsWith(QStringLiteral("unique for 200 of 200 rows")),
                 qPrintable(col(p, QStringLiteral("rowid")).reason));
        QCOMPARE(col(p, QStringLiteral("key")).flag, QStringLiteral("id"));
        QCOMPARE(col(p, QStringLiteral("constant")).flag, QStringLiteral("constant"));
        QVERIFY(col(p, QStringLiteral("constant")).reason.contains(QStringLiteral("'x'")));
        QCOMPARE(col(p, QStringLiteral("empty")).flag, QStringLiteral("constant"));
        QCOMPARE(col(p, QStringLiteral("empty")).missing, 200);
        QCOMPARE(col(p, QStringLiteral("empty")).reason, QStringLiteral("every value is missing"));
        QCOMPARE(col(p, QStringLiteral("mostly")).missing, 50);
        QCOMPARE(col(p, QStringLiteral("mostly")).distinct, 5);
        QCOMPARE(col(p, QStringLiteral("mostly")).flag, QString());
        QCOMPARE(col(p, QStringLiteral("leak_cat")).flag, QStringLiteral("leak"));
        QVERIFY2(col(p, QStringLiteral("leak_cat")).reason.contains(QStringLiteral("label")), qPrintable(col(p, QStringLiteral("leak_cat")).reason));
        QCOMPARE(col(p, QStringLiteral("leak_num")).flag, QStringLiteral("leak"));
        QVERIFY(col(p, QStringLiteral("leak_num")).reason.contains(QStringLiteral("AUC")));
        QCOMPARE(col(p, QStringLiteral("noise")).flag, QString());
        // Long free text stays even though every review is different.
        QCOMPARE(col(p, QStringLiteral("review")).type, ColumnType::Text);
        QCOMPARE(col(p, QStringLiteral("review")).flag, QString());
        QVERIFY(col(p, QStringLiteral("review")).summary.value(QStringLiteral("meanWords")).toDouble() >= 9.0);
        QCOMPARE(p.droppedColumns(), QStringList({QStringLiteral("rowid"), QStringLiteral("key"), QStringLiteral("constant"),
                                                  QStringLiteral("empty"), QStringLiteral("leak_cat"), QStringLiteral("leak_num")}));
        QCOMPARE(p.featureColumns(), QStringList({QStringLiteral("mostly"), QStringLiteral("noise"), QStringLiteral("review")}));
    }

    void leaksInMulticlassAndRegression()
    {
        QRandomGenerator rng(11);
        QByteArray csv = "grade,score,copy,measure,noise,amount\n";
        for (int i = 0; i < 300; ++i) {
            const int grade = rng.bounded(3);
            const double amount = rng.generateDouble() * 100;
            // score: thresholds tell the grade; copy: amount written down again with rounding.
            csv += "g" + QByteArray::number(grade) + ',' + QByteArray::number(grade * 10 + rng.generateDouble() * 5, 'f', 4) + ','
                + QByteArray::number(amount * 2 + rng.generateDouble() * 0.1, 'f', 4) + ','
                + QByteArray::number(amount + rng.generateDouble() * 60, 'f', 4) + ','
                + QByteArray::number(rng.generateDouble(), 'f', 4) + ',' + QByteArray::number(amount, 'f', 4) + '\n';
        }
        const data::Table t = data::CsvReader::parse(csv, QStringLiteral("grades.csv"));
        const DataProfile m = profileTable(t, QStringLiteral("grade"));
        QCOMPARE(m.task, Task::Multiclass);
        QCOMPARE(col(m, QStringLiteral("score")).flag, QStringLiteral("leak"));
        QCOMPARE(col(m, QStringLiteral("noise")).flag, QString());
        QCOMPARE(col(m, QStringLiteral("measure")).flag, QString());
        const DataProfile r = profileTable(t, QStringLiteral("amount"));
        QCOMPARE(r.task, Task::Regression);
        QCOMPARE(col(r, QStringLiteral("copy")).flag, QStringLiteral("leak"));
        QVERIFY2(col(r, QStringLiteral("copy")).reason.startsWith(QStringLiteral("correlation with 'amount' is ")),
                 qPrintable(col(r, QStringLiteral("copy")).reason));
        QCOMPARE(col(r, QStringLiteral("measure")).flag, QString());   // correlated, not a copy
        QCOMPARE(col(r, QStringLiteral("score")).flag, QString());
        QCOMPARE(col(r, QStringLiteral("grade")).flag, QString());
    }

    void imbalancedTargetIsNoLeakEverywhere()
    {
        // With 1 positive in 200 rows the majority class alone is 99.5 % right; a column that
        // is "right" as often tells nothing.
        QByteArray csv = "flag,level,label\n";
        for (int i = 0; i < 200; ++i)
            csv += QByteArray(i % 3 == 0 ? "a" : "b") + ',' + QByteArray::number(i % 7) + ',' + (i == 5 ? "1" : "0") + '\n';
        const DataProfile p = profileTable(data::CsvReader::parse(csv, QStringLiteral("rare.csv")), QStringLiteral("label"));
        QCOMPARE(p.task, Task::Binary);
        QVERIFY2(p.droppedColumns().isEmpty(), qPrintable(p.droppedColumns().join(QLatin1Char(','))));
    }

    void problemTypeOverride()
    {
        const data::Table iris = shared(QStringLiteral("iris"));
        QVERIFY(errorOf(iris, QStringLiteral("target"), Task::Regression).contains(QStringLiteral("numeric target")));
        QVERIFY(errorOf(iris, QStringLiteral("target"), Task::Binary).contains(QStringLiteral("3 classes")));
        QVERIFY(errorOf(iris, QStringLiteral("nope"), {}).contains(QStringLiteral("sepal_length_cm")));
        // Sepal width as the target: regression by default, classes when asked for... too many.
        QCOMPARE(profileTable(iris, QStringLiteral("sepal_width_cm")).task, Task::Regression);
        const data::Table diamonds = shared(QStringLiteral("diamonds"));
        QVERIFY(errorOf(diamonds, QStringLiteral("price"), Task::Multiclass).contains(QStringLiteral("too many")));

        // Whole numbers with few values: classes by default, regression when asked for.
        QByteArray csv = "x,rating\n";
        for (int i = 0; i < 60; ++i)
            csv += QByteArray::number(i % 13) + ',' + QByteArray::number(1 + i % 5) + '\n';
        const data::Table ratings = data::CsvReader::parse(csv, QStringLiteral("ratings.csv"));
        QCOMPARE(profileTable(ratings, QStringLiteral("rating")).task, Task::Multiclass);
        const DataProfile asRegression = profileTable(ratings, QStringLiteral("rating"), Task::Regression);
        QCOMPARE(asRegression.task, Task::Regression);
        QCOMPARE(asRegression.targetDistribution.value(QStringLiteral("kind")).toString(), QStringLiteral("numeric"));

        QByteArray one = "x,label\n";
        for (int i = 0; i < 40; ++i)
            one += QByteArray::number(i) + ",same\n";
        const data::Table single = data::CsvReader::parse(one, QStringLiteral("one.csv"));
        QVERIFY(errorOf(single, QStringLiteral("label"), {}).contains(QStringLiteral("at least two")));
        QVERIFY(errorOf(single, QStringLiteral("label"), Task::Multiclass).contains(QStringLiteral("at least two")));
        QVERIFY(errorOf(single, QStringLiteral("x"), Task::Clustering).contains(QStringLiteral("clustering")));
    }

    void metrics()
    {
        QCOMPARE(defaultMetric(Task::Binary), QStringLiteral("f1"));
        QCOMPARE(defaultMetric(Task::Multiclass), QStringLiteral("accuracy"));
        QCOMPARE(defaultMetric(Task::Regression), QStringLiteral("mse"));
        QCOMPARE(metricsFor(Task::Binary), QStringList({"f1", "auc", "accuracy", "balanced_accuracy", "precision", "recall", "log_loss"}));
        QCOMPARE(metricsFor(Task::Multiclass), QStringList({"accuracy", "f1_macro", "balanced_accuracy", "log_loss"}));
        QCOMPARE(metricsFor(Task::Regression), QStringList({"mse", "rmse", "mae", "r2"}));
        for (Task t : {Task::Binary, Task::Multiclass, Task::Regression})
            QCOMPARE(metricsFor(t).first(), defaultMetric(t));
        for (const char *m : {"log_loss", "mse", "rmse", "mae"})
            QVERIFY(!metricMaximized(QLatin1String(m)));
        for (const char *m : {"f1", "auc", "accuracy", "balanced_accuracy", "precision", "recall", "f1_macro", "r2"})
            QVERIFY(metricMaximized(QLatin1String(m)));
    }

    void jsonRoundTrip()
    {
        for (const auto &[set, target] : {std::pair{"titanic", "survived"}, std::pair{"diamonds", "price"}}) {
            const DataProfile p = profileTable(shared(QLatin1String(set)), QLatin1String(target));
            const DataProfile back = DataProfile::fromJson(p.toJson());
            QCOMPARE(back.toJson(), p.toJson());
            QCOMPARE(back.task, p.task);
            QCOMPARE(back.rows, p.rows);
            QCOMPARE(back.columns.size(), p.columns.size());
            for (int i = 0; i < p.columns.size(); ++i) {
                QCOMPARE(back.columns.at(i).type, p.columns.at(i).type);
                QCOMPARE(back.columns.at(i).dropped, p.columns.at(i).dropped);
            }
            QCOMPARE(back.droppedColumns(), p.droppedColumns());
        }
        const DataProfile hand = profileTable(handMade(), QStringLiteral("label"));
        QCOMPARE(DataProfile::fromJson(hand.toJson()).toJson(), hand.toJson());
    }
};

QTEST_GUILESS_MAIN(tst_DataProfile)
#include "tst_dataprofile.moc"
