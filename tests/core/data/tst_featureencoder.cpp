// Feature pipelines: categorical encodings (one-hot, codes, out-of-fold target encoding, auto),
// datetime parts, text features, imputation with indicators, the JSON a model card carries.
#include "cairn/data/csvreader.h"
#include "cairn/data/featureencoder.h"
#include "cairn/util/error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <cmath>

using namespace cairn;
using namespace cairn::data;

namespace {
QString errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const Error &e) {
        return e.message();
    }
    return {};
}

Table parse(const QByteArray &csv, const CsvOptions &options = {})
{
    return CsvReader::parse(csv, QStringLiteral("t.csv"), options);
}

bool near(double a, double b, double eps = 1e-5) { return std::abs(a - b) <= eps * std::max(1.0, std::abs(b)); }

/// Equal element by element, NaN equal to NaN.
bool sameMatrix(const std::vector<float> &a, const std::vector<float> &b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))))
            return false;
    return true;
}

/// A table with a categorical column `c` of the given values (empty = missing) and a row number
/// (a line of one empty field would be a blank line).
Table categories(const QStringList &values)
{
    QByteArray csv = "c,i\n";
    int i = 0;
    for (const QString &v : values)
        csv += v.toUtf8() + ',' + QByteArray::number(i++) + '\n';
    CsvOptions o;
    o.types.insert(QStringLiteral("c"), ColumnType::Categorical);
    return parse(csv, o);
}
} // namespace

class tst_FeatureEncoder : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void codesAndIndicatorsAsBefore()
    {
        const Table t = categories({QStringLiteral("red"), QStringLiteral("blue"), QStringLiteral("red"), QString()});
        FeatureEncoderOptions codes;
        codes.oneHot = false;
        FeatureEncoder e;
        e.fit(t, {QStringLiteral("c")}, codes);
        QCOMPARE(e.width(), 1);
        QCOMPARE(e.categoricalFeatures(), std::vector<bool>{true});
        QCOMPARE(e.featureNames(), QStringList{QStringLiteral("c")});
        const std::vector<float> x = e.transform(categories({QStringLiteral("blue"), QStringLiteral("green"), QString()}));
        QCOMPARE(x[0], 1.0f);
        QVERIFY(std::isnan(x[1])); // unseen
        QVERIFY(std::isnan(x[2])); // missing
        // Asked for explicitly, against the algorithm's own preference.
        FeatureEncoderOptions indicators = codes;
        indicators.categoricalEncoding = CategoricalEncoding::OneHot;
        e.fit(t, {QStringLiteral("c")}, indicators);
        QCOMPARE(e.featureNames(), (QStringList{QStringLiteral("c=red"), QStringLiteral("c=blue")}));
        QCOMPARE(e.categoricalFeatures(), (std::vector<bool>{false, false}));
        FeatureEncoderOptions ordinal;
        ordinal.categoricalEncoding = CategoricalEncoding::Ordinal;
        ordinal.imputeMissing = true;
        e.fit(t, {QStringLiteral("c")}, ordinal);
        const std::vector<float> y = e.transform(categories({QStringLiteral("red"), QString()}));
        QCOMPARE(y, (std::vector<float>{0.0f, -1.0f})); // imputing: missing code is -1, never NaN
    }

    void targetEncodingRegression()
    {
        const Table t = categories({QStringLiteral("a"), QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("b"), QStringLiteral("b"), QStringLiteral("c")});
        const EncoderTarget y = EncoderTarget::regression({1, 3, 2, 4, 6, 10});
        FeatureEncoderOptions o;
        o.categoricalEncoding = CategoricalEncoding::Target;
        o.targetSmoothing = 2;
        o.targetFolds = 6; // one row per fold: each row is encoded from all the others
        FeatureEncoder e;
        const std::vector<float> train = e.fitTransform(t, {QStringLiteral("c")}, o, y);
        QCOMPARE(e.featureNames(), QStringList{QStringLiteral("c_te")});
        QCOMPARE(e.featureColumns(), std::vector<int>{0});
        // Stored mapping: full training data. Prior 26/6; a: (1 + 3 + 2·prior) / (2 + 2).
        const double prior = 26.0 / 6.0;
        const std::vector<float> fresh = e.transform(categories({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("zzz"), QString()}));
        QVERIFY(near(fresh[0], (4 + 2 * prior) / 4));
        QVERIFY(near(fresh[1], (12 + 2 * prior) / 5));
        QVERIFY(near(fresh[2], (10 + 2 * prior) / 3));
        QVERIFY(near(fresh[3], prior)); // unseen
        QVERIFY(near(fresh[4], prior)); // missing
        // Training rows, leave one out: row 0 (a, 1) sees a = {3} and the prior of the other five (5).
        QVERIFY(near(train[0], (3 + 2 * 5.0) / 3));
        // Row 5 (c, 10) is c's only row: nothing is left of c, so it is the others' prior (16/5).
        QVERIFY(near(train[5], (0 + 2 * 3.2) / 2));
        QVERIFY(!near(train[0], fresh[0]));
    }

    void targetEncodingIsOutOfFold()
    {
        // 200 rows, 8 categories; changing one row's target never changes its own encoding but
        // does change rows of the same category in other folds.
        QStringList values;
        std::vector<double> target;
        for (int i = 0; i < 200; ++i) {
            values << QStringLiteral("k%1").arg(i % 8);
            target.push_back(double((i * 37) % 11));
        }
        const Table t = categories(values);
        FeatureEncoderOptions o;
        o.categoricalEncoding = CategoricalEncoding::Target;
        o.seed = 7;
        for (int row : {0, 13, 199}) {
            FeatureEncoder a, b;
            const std::vector<float> before = a.fitTransform(t, {QStringLiteral("c")}, o, EncoderTarget::regression(target));
            std::vector<double> changed = target;
            changed[size_t(row)] += 1000;
            const std::vector<float> after = b.fitTransform(t, {QStringLiteral("c")}, o, EncoderTarget::regression(changed));
            QCOMPARE(after[size_t(row)], before[size_t(row)]);
            int moved = 0;
            for (int r = 0; r < 200; ++r)
                moved += after[size_t(r)] != before[size_t(r)] ? 1 : 0;
            // The other folds' rows of that category (7 of 8 folds hold about 20 of its 25 rows) moved.
            QVERIFY2(moved >= 15, qPrintable(QString::number(moved)));
            // The stored mapping uses every row, the changed one included.
            QVERIFY(b.transform(t)[size_t(row)] != a.transform(t)[size_t(row)]);
        }
        // Deterministic for a seed.
        FeatureEncoder a, b;
        QCOMPARE(a.fitTransform(t, {QStringLiteral("c")}, o, EncoderTarget::regression(target)),
                 b.fitTransform(t, {QStringLiteral("c")}, o, EncoderTarget::regression(target)));
    }

    void targetEncodingClasses()
    {
        const Table t = categories({QStringLiteral("a"), QStringLiteral("a"), QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("b"), QString()});
        FeatureEncoderOptions o;
        o.categoricalEncoding = CategoricalEncoding::Target;
        o.targetSmoothing = 1;
        // Binary: one feature, the smoothed frequency of the second class.
        FeatureEncoder binary;
        binary.fit(t, {QStringLiteral("c")}, o, EncoderTarget::classification({1, 1, 0, 0, 0, 1}, {QStringLiteral("no"), QStringLiteral("yes")}));
        QCOMPARE(binary.width(), 1);
        const std::vector<float> xb = binary.transform(categories({QStringLiteral("a"), QStringLiteral("b"), QString()}));
        QVERIFY(near(xb[0], (2 + 0.5) / 4)); // prior 3/6
        QVERIFY(near(xb[1], (0 + 0.5) / 3));
        QVERIFY(near(xb[2], 0.5));
        // Multiclass: one feature per class, each a smoothed class frequency; they sum to 1.
        FeatureEncoder multi;
        multi.fit(t, {QStringLiteral("c")}, o,
                  EncoderTarget::classification({0, 1, 2, 2, 2, 0}, {QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("z")}));
        QCOMPARE(multi.featureNames(), (QStringList{QStringLiteral("c_te=x"), QStringLiteral("c_te=y"), QStringLiteral("c_te=z")}));
        QCOMPARE(multi.featureColumns(), (std::vector<int>{0, 0, 0}));
        const std::vector<float> xm = multi.transform(categories({QStringLiteral("b"), QStringLiteral("new")}));
        // Prior: x 2/6, y 1/6, z 3/6; b = {z, z}.
        QVERIFY(near(xm[0], (0 + 2.0 / 6) / 3));
        QVERIFY(near(xm[1], (0 + 1.0 / 6) / 3));
        QVERIFY(near(xm[2], (2 + 3.0 / 6) / 3));
        QVERIFY(near(xm[0] + xm[1] + xm[2], 1));
        QVERIFY(near(xm[3], 2.0 / 6) && near(xm[4], 1.0 / 6) && near(xm[5], 3.0 / 6));
        // No target: target encoding cannot be fitted.
        FeatureEncoder none;
        QVERIFY(errorOf([&] { none.fit(t, {QStringLiteral("c")}, o); }).contains(QStringLiteral("needs a target column")));
        QVERIFY(errorOf([&] { none.fit(t, {QStringLiteral("c")}, o, EncoderTarget::regression({1, 2})); }).contains(QStringLiteral("2 values for 6 rows")));
    }

    void autoByCardinality()
    {
        QByteArray csv = "low,high\n";
        for (int i = 0; i < 40; ++i)
            csv += QByteArray("l") + QByteArray::number(i % 3) + ",h" + QByteArray::number(i % 12) + '\n';
        CsvOptions types;
        types.types.insert(QStringLiteral("low"), ColumnType::Categorical);
        types.types.insert(QStringLiteral("high"), ColumnType::Categorical);
        const Table t = parse(csv, types);
        std::vector<double> y(40);
        for (int i = 0; i < 40; ++i)
            y[size_t(i)] = i % 12;
        FeatureEncoderOptions o;
        o.categoricalEncoding = CategoricalEncoding::Auto;
        FeatureEncoder e;
        e.fit(t, {QStringLiteral("low"), QStringLiteral("high")}, o, EncoderTarget::regression(y));
        QCOMPARE(e.featureNames(), (QStringList{QStringLiteral("low=l0"), QStringLiteral("low=l1"), QStringLiteral("low=l2"), QStringLiteral("high_te")}));
        QCOMPARE(e.featureColumns(), (std::vector<int>{0, 0, 0, 1}));
        // The learner asked for codes: few categories stay codes.
        FeatureEncoderOptions codes = o;
        codes.oneHot = false;
        e.fit(t, {QStringLiteral("low"), QStringLiteral("high")}, codes, EncoderTarget::regression(y));
        QCOMPARE(e.categoricalFeatures(), (std::vector<bool>{true, false}));
        // No target: many categories become codes.
        e.fit(t, {QStringLiteral("low"), QStringLiteral("high")}, o);
        QCOMPARE(e.featureNames(), (QStringList{QStringLiteral("low=l0"), QStringLiteral("low=l1"), QStringLiteral("low=l2"), QStringLiteral("high")}));
        QCOMPARE(e.categoricalFeatures(), (std::vector<bool>{false, false, false, true}));
        // The threshold: 12 categories are one-hot at 12.
        o.oneHotMaxCardinality = 12;
        e.fit(t, {QStringLiteral("high")}, o, EncoderTarget::regression(y));
        QCOMPARE(e.width(), 12);
    }

    void datetimeParts()
    {
        const Table t = parse("d,e\n2024-03-15 13:45:00,2024-01-01\n2023-12-31 00:00:00,2024-02-29\n,1969-12-31\n2024-03-16 13:45:00,2024-03-01\n");
        QCOMPARE(t.column(QStringLiteral("d")).type, ColumnType::Datetime);
        FeatureEncoderOptions o;
        o.datetimeParts = true;
        FeatureEncoder e;
        e.fit(t, {QStringLiteral("d"), QStringLiteral("e")}, o);
        QCOMPARE(e.featureNames(), (QStringList{QStringLiteral("d:year"), QStringLiteral("d:month"), QStringLiteral("d:day"), QStringLiteral("d:dayofweek"),
                                                QStringLiteral("d:hour"), QStringLiteral("e:year"), QStringLiteral("e:month"), QStringLiteral("e:day"),
                                                QStringLiteral("e:dayofweek")})); // e has no times of day
        const std::vector<float> x = e.transform(t);
        const int w = e.width();
        QCOMPARE(std::vector<float>(x.begin(), x.begin() + w), (std::vector<float>{2024, 3, 15, 4, 13, 2024, 1, 1, 0})); // Friday; Monday
        QCOMPARE(std::vector<float>(x.begin() + w, x.begin() + 2 * w), (std::vector<float>{2023, 12, 31, 6, 0, 2024, 2, 29, 3}));
        for (int i = 0; i < 5; ++i)
            QVERIFY(std::isnan(x[size_t(2 * w + i)])); // missing stays missing
        QCOMPARE(std::vector<float>(x.begin() + 2 * w + 5, x.begin() + 3 * w), (std::vector<float>{1969, 12, 31, 2}));
        // Imputed with the median of each part, plus an indicator.
        o.imputeMissing = o.imputeMedian = o.missingIndicators = true;
        e.fit(t, {QStringLiteral("d")}, o);
        QCOMPARE(e.featureNames().last(), QStringLiteral("d_missing"));
        QCOMPARE(e.featureColumns(), (std::vector<int>{0, 0, 0, 0, 0, 0}));
        const std::vector<float> y = e.transform(t);
        QCOMPARE(std::vector<float>(y.begin() + 12, y.begin() + 18), (std::vector<float>{2024, 3, 16, 5, 13, 1}));
        QCOMPARE(y[5], 0.0f);
        // At prediction time the column may arrive as text.
        CsvOptions asText;
        asText.types.insert(QStringLiteral("d"), ColumnType::Text);
        const std::vector<float> z = e.transform(parse("d\n2020-07-04T08:30:00\n", asText));
        QCOMPARE(z, (std::vector<float>{2020, 7, 4, 5, 8, 0}));
    }

    void textFeatures()
    {
        CsvOptions o;
        o.types.insert(QStringLiteral("t"), ColumnType::Text);
        const Table t = parse("t,n\n\"Smith, Mr. John\",1\n\"Smith, Mrs. Anna\",2\n\"Brown, Mr. Bob\",3\nMiss Eve,4\n,5\n", o);
        QCOMPARE(t.rowCount(), 5);
        FeatureEncoderOptions without;
        FeatureEncoder e;
        e.fit(t, {QStringLiteral("t")}, without);
        QCOMPARE(e.droppedColumns(), QStringList{QStringLiteral("t")});
        FeatureEncoderOptions with;
        with.textFeatures = true;
        e.fit(t, {QStringLiteral("t")}, with);
        QVERIFY(e.droppedColumns().isEmpty());
        // Tokens in at least two rows, most frequent first, ties alphabetical.
        QCOMPARE(e.featureNames(), (QStringList{QStringLiteral("t:length"), QStringLiteral("t:words"), QStringLiteral("t:word=mr"), QStringLiteral("t:word=smith")}));
        const std::vector<float> x = e.transform(t);
        QCOMPARE(std::vector<float>(x.begin(), x.begin() + 4), (std::vector<float>{15, 3, 1, 1}));
        QCOMPARE(std::vector<float>(x.begin() + 4, x.begin() + 8), (std::vector<float>{16, 3, 0, 1}));
        QCOMPARE(std::vector<float>(x.begin() + 12, x.begin() + 16), (std::vector<float>{8, 2, 0, 0}));
        QCOMPARE(std::vector<float>(x.begin() + 16, x.begin() + 20), (std::vector<float>{0, 0, 0, 0})); // missing = empty
        with.textTokens = 1;
        e.fit(t, {QStringLiteral("t")}, with);
        QCOMPARE(e.width(), 3);
        // Frequency threshold: 50 % of 5 rows is 3 rows; no token is in three.
        with.textTokens = 20;
        with.textMinFrequency = 0.5;
        e.fit(t, {QStringLiteral("t")}, with);
        QCOMPARE(e.width(), 2);
        // Standardised length and word count; indicators stay 0/1.
        with.textMinFrequency = 0.02;
        with.standardize = true;
        e.fit(t, {QStringLiteral("t")}, with);
        const std::vector<float> s = e.transform(t);
        double sum = 0;
        for (int r = 0; r < 5; ++r)
            sum += s[size_t(r * 4)];
        QVERIFY(std::abs(sum) < 1e-4);
        QCOMPARE(s[2], 1.0f);
    }

    void imputationAndIndicators()
    {
        const Table t = parse("x,y,b\n1,5,true\n,6,false\n3,7,\n10,8,true\n");
        FeatureEncoderOptions o;
        o.imputeMissing = o.imputeMedian = o.missingIndicators = true;
        FeatureEncoder e;
        e.fit(t, {QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("b")}, o);
        // Only columns with missing values at fit time get an indicator.
        QCOMPARE(e.featureNames(), (QStringList{QStringLiteral("x"), QStringLiteral("x_missing"), QStringLiteral("y"), QStringLiteral("b"), QStringLiteral("b_missing")}));
        QCOMPARE(e.featureColumns(), (std::vector<int>{0, 0, 1, 2, 2}));
        const std::vector<float> x = e.transform(parse("x,y,b\n,,\n2,6,false\n"));
        QCOMPARE(std::vector<float>(x.begin(), x.begin() + 5), (std::vector<float>{3, 1, 6.5f, 1, 1})); // medians; y had no missing, so none
        QCOMPARE(std::vector<float>(x.begin() + 5, x.end()), (std::vector<float>{2, 0, 6, 0, 0}));
        // Mean imputation (the older behaviour) without indicators.
        FeatureEncoderOptions mean;
        mean.imputeMissing = true;
        e.fit(t, {QStringLiteral("x")}, mean);
        QCOMPARE(e.width(), 1);
        QVERIFY(near(e.transform(parse("x,i\n,1\n"))[0], 14.0 / 3));
        // Standardised: the median in standard units.
        o.standardize = true;
        e.fit(t, {QStringLiteral("x")}, o);
        const double m = 14.0 / 3, sd = std::sqrt((1 + 9 + 100) / 3.0 - m * m);
        QVERIFY(near(e.transform(parse("x,i\n,1\n"))[0], (3 - m) / sd));
    }

    // 1e308 and 3.5e38 are finite doubles but infinite as the 32-bit floats training uses:
    // they were passed on and XGBoost failed deep inside with no row or column.
    void valuesBeyondFloatRangeNameColumnAndRow()
    {
        const Table t = parse("x,y\n1,2\n3.5e38,4\n-1e308,5\n3.4e38,6\n");
        FeatureEncoder e;
        e.fit(t, {QStringLiteral("y"), QStringLiteral("x")}, {});
        const QString message = errorOf([&] { e.transform(t, QStringLiteral("train.csv")); });
        QCOMPARE(message, QStringLiteral("train.csv, column 'x', data row 2: 3.5e+38 is beyond the range of 32-bit floats "
                                         "(±3.4e38) that training uses"));
        QVERIFY(errorOf([&] { e.transform(parse("x,y\n1,2\n2,-1e300\n")); }).startsWith(QStringLiteral("the input, column 'y', data row 2:")));
        // The largest float is fine.
        const std::vector<float> ok = e.transform(parse("x,y\n3.4e38,1\n"));
        QCOMPARE(ok[1], 3.4e38f);
        // Training checks the whole file first (rows are the file's, before any split); a
        // column left out of the features is not checked.
        QCOMPARE(errorOf([&] { FeatureEncoder::checkFloatRange(t, QStringLiteral("train.csv")); }), message);
        QVERIFY(errorOf([&] { FeatureEncoder::checkFloatRange(t, QStringLiteral("train.csv"), {QStringLiteral("x")}); }).isEmpty());
    }

    void jsonRoundTripAndPrediction()
    {
        // Every kind of feature at once, fitted with a target and read back from JSON.
        QByteArray csv = "num,cat,hi,when,note\n";
        std::vector<int> labels;
        for (int i = 0; i < 60; ++i) {
            csv += (i % 7 == 0 ? QByteArray() : QByteArray::number(i * 0.5)) + ',' + (i % 9 == 0 ? QByteArray() : "c" + QByteArray::number(i % 3)) + ",h"
                + QByteArray::number(i % 15) + ','
                + (i % 11 == 0 ? QByteArray() : "2021-0" + QByteArray::number(1 + i % 9) + "-1" + QByteArray::number(i % 10) + " 0" + QByteArray::number(i % 10) + ":00:00")
                + ",\"word" + QByteArray::number(i % 4) + " common text\"\n";
            labels.push_back(i % 3 == 0 ? 1 : 0);
        }
        CsvOptions types;
        types.types.insert(QStringLiteral("note"), ColumnType::Text);
        const Table t = parse(csv, types);
        FeatureEncoderOptions o;
        o.categoricalEncoding = CategoricalEncoding::Auto;
        o.datetimeParts = o.textFeatures = true;
        o.imputeMissing = o.imputeMedian = o.missingIndicators = true;
        o.standardize = true;
        const QStringList columns{QStringLiteral("num"), QStringLiteral("cat"), QStringLiteral("hi"), QStringLiteral("when"), QStringLiteral("note")};
        FeatureEncoder e;
        e.fitTransform(t, columns, o, EncoderTarget::classification(labels, {QStringLiteral("no"), QStringLiteral("yes")}));
        QVERIFY(e.featureNames().contains(QStringLiteral("hi_te")));
        QVERIFY(e.featureNames().contains(QStringLiteral("when:hour")));
        QVERIFY(e.featureNames().contains(QStringLiteral("note:word=common")));
        QVERIFY(e.featureNames().contains(QStringLiteral("num_missing")));
        QCOMPARE(int(e.featureColumns().size()), e.width());
        QCOMPARE(int(e.featureNames().size()), e.width());
        // Through text, as a model card stores it.
        const QJsonObject json = QJsonDocument::fromJson(QJsonDocument(e.toJson()).toJson()).object();
        const FeatureEncoder back = FeatureEncoder::fromJson(json);
        QCOMPARE(back.width(), e.width());
        QCOMPARE(back.featureNames(), e.featureNames());
        QCOMPARE(back.featureColumns(), e.featureColumns());
        QCOMPARE(back.inputColumns(), columns);
        QCOMPARE(back.categoricalFeatures(), e.categoricalFeatures());
        QVERIFY(sameMatrix(back.transform(t), e.transform(t)));
        // Raw rows: unseen categories, missing values, columns in another order, an extra column,
        // the text column read as categorical and a date-only value.
        const Table fresh = parse("extra,note,when,hi,cat,num\n1,brand new words,,h99,c7,\n2,common,2022-05-05,,c1,3\n");
        const std::vector<float> x = back.transform(fresh);
        QVERIFY(sameMatrix(x, e.transform(fresh)));
        for (float v : x)
            QVERIFY(std::isfinite(v)); // imputing: nothing missing reaches the learner
        const QStringList names = back.featureNames();
        for (const char *name : {"num_missing", "when_missing", "hi_te", "note:word=common"})
            QVERIFY2(names.contains(QLatin1String(name)), name);
        const int w = back.width();
        QCOMPARE(x[size_t(names.indexOf(QStringLiteral("num_missing")))], 1.0f);
        QCOMPARE(x[size_t(w + names.indexOf(QStringLiteral("num_missing")))], 0.0f);
        QCOMPARE(x[size_t(names.indexOf(QStringLiteral("when_missing")))], 1.0f);
        // Unseen and missing high-cardinality categories both encode as the prior.
        QCOMPARE(x[size_t(names.indexOf(QStringLiteral("hi_te")))], x[size_t(w + names.indexOf(QStringLiteral("hi_te")))]);
        QCOMPARE(x[size_t(w + names.indexOf(QStringLiteral("note:word=common")))], 1.0f);
        // A missing column is an error naming it.
        QVERIFY(errorOf([&] { back.transform(parse("num,cat\n1,c1\n"), QStringLiteral("new.csv")); }).contains(QStringLiteral("no column 'hi'")));
        // A broken card is an error, not a crash.
        QJsonObject broken = json;
        QJsonArray features = broken.value(QStringLiteral("features")).toArray();
        QJsonObject f0 = features.at(0).toObject();
        f0.insert(QStringLiteral("encoding"), QStringLiteral("magic"));
        features[0] = f0;
        broken.insert(QStringLiteral("features"), features);
        QVERIFY(errorOf([&] { FeatureEncoder::fromJson(broken); }).contains(QStringLiteral("unknown encoding 'magic'")));
    }

    void olderModelCardsLoad()
    {
        // What earlier builds wrote: no per-feature encoding, no fill, no new options.
        const QJsonObject old = QJsonDocument::fromJson(R"({
            "oneHot": true, "standardize": true, "imputeMissing": true, "maxCategories": 64,
            "features": [
                {"column": "x", "type": "numeric", "mean": 2, "scale": 1},
                {"column": "c", "type": "categorical", "categories": ["red", "blue"]},
                {"column": "d", "type": "datetime", "mean": 10, "scale": 5}
            ],
            "dropped": ["t"], "featureNames": ["x", "c=red", "c=blue", "d"]})").object();
        const FeatureEncoder e = FeatureEncoder::fromJson(old);
        QCOMPARE(e.width(), 4);
        QCOMPARE(e.featureNames(), (QStringList{QStringLiteral("x"), QStringLiteral("c=red"), QStringLiteral("c=blue"), QStringLiteral("d")}));
        QCOMPARE(e.featureColumns(), (std::vector<int>{0, 1, 1, 2}));
        QCOMPARE(e.droppedColumns(), QStringList{QStringLiteral("t")});
        QCOMPARE(e.options().categoricalEncoding, CategoricalEncoding::Default);
        const std::vector<float> x = e.transform(parse("x,c,d\n,blue,1970-01-16\n"));
        QCOMPARE(x, (std::vector<float>{0, 0, 1, 1})); // missing → mean → 0; days 15 → (15 - 10) / 5
        QJsonObject codes = old;
        codes.insert(QStringLiteral("oneHot"), false);
        const FeatureEncoder c = FeatureEncoder::fromJson(codes);
        QCOMPARE(c.width(), 3);
        QCOMPARE(c.categoricalFeatures(), (std::vector<bool>{false, true, false}));
    }
};

QTEST_GUILESS_MAIN(tst_FeatureEncoder)
#include "tst_featureencoder.moc"
