// prepareTabular: the job spec's "preprocessing" refines the algorithm's encoder options, the
// model card carries the pipeline, and encodeForPrediction reproduces it on raw rows.
#include "../../plugins/recordingcontext.h"

#include "cairn/algorithms/tabular.h"
#include "cairn/data/csvreader.h"
#include "cairn/util/error.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cairn;
using namespace cairn::test;

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

bool sameMatrix(const std::vector<float> &a, const std::vector<float> &b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))))
            return false;
    return true;
}

/// id, sex (2 categories), city (15), age (some missing), joined (datetime), note (free text), y.
QByteArray people(int rows, int offset = 0)
{
    QByteArray csv = "id,sex,city,age,joined,note,y\n";
    for (int j = 0; j < rows; ++j) {
        const int i = j + offset;
        csv += QByteArray::number(1000 + i) + ',' + (i % 2 ? "male" : "female") + ",city" + QByteArray::number(i % 15) + ','
            + (i % 6 == 0 ? QByteArray() : QByteArray::number(20 + i % 40)) + ",2020-0" + QByteArray::number(1 + i % 9) + "-1" + QByteArray::number(i % 10)
            + ",\"note " + QByteArray::number(i * 7919 % 1000) + (i % 3 ? " urgent" : " routine") + " item " + QByteArray::number(i) + "\","
            + ((i % 15) < 6 || i % 2 ? "yes" : "no") + '\n';
    }
    return csv;
}
} // namespace

class tst_Tabular : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_train, m_validation;

    JobSpec spec(const QJsonObject &preprocessing, const QString &name)
    {
        JobSpec s = tabularSpec(QStringLiteral("test"), m_train, QStringLiteral("y"), m_dir.filePath(name));
        s.preprocessing = preprocessing;
        return s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_train = m_dir.filePath(QStringLiteral("train.csv"));
        m_validation = m_dir.filePath(QStringLiteral("validation.csv"));
        for (const auto &[path, csv] : {std::pair{m_train, people(120)}, std::pair{m_validation, people(30, 500)}}) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(csv);
        }
        const data::Table t = data::CsvReader::read(m_train);
        QCOMPARE(t.column(QStringLiteral("note")).type, data::ColumnType::Text);
        QCOMPARE(t.column(QStringLiteral("joined")).type, data::ColumnType::Datetime);
    }

    void emptyPreprocessingIsTheAlgorithmsOwn()
    {
        data::FeatureEncoderOptions codes; // as XGBoost asks with enable_categorical
        codes.oneHot = false;
        JobSpec s = spec({}, QStringLiteral("plain"));
        s.validationFraction = 0;
        RecordingContext ctx(s);
        const TabularData d = prepareTabular(ctx, codes);
        QCOMPARE(d.encoder.featureNames(),
                 (QStringList{QStringLiteral("id"), QStringLiteral("sex"), QStringLiteral("city"), QStringLiteral("age"), QStringLiteral("joined")}));
        QCOMPARE(d.encoder.categoricalFeatures(), (std::vector<bool>{false, true, true, false, false}));
        QCOMPARE(d.encoder.droppedColumns(), QStringList{QStringLiteral("note")});
        QVERIFY(ctx.logs.contains(QStringLiteral("text columns not used as features: note")));
        // Exactly what fitting the encoder directly gives.
        data::Table t = data::CsvReader::read(m_train);
        data::FeatureEncoder direct;
        direct.fit(t, {QStringLiteral("id"), QStringLiteral("sex"), QStringLiteral("city"), QStringLiteral("age"), QStringLiteral("joined"), QStringLiteral("note")}, codes);
        QVERIFY(sameMatrix(d.xTrain, direct.transform(t)));
    }

    void specRefinesTheAlgorithmsOptions()
    {
        const QJsonObject pp{{QStringLiteral("exclude"), QJsonArray{QStringLiteral("id")}},
                             {QStringLiteral("categoricalEncoding"), QStringLiteral("auto")},
                             {QStringLiteral("datetimeParts"), true},
                             {QStringLiteral("textFeatures"), true},
                             {QStringLiteral("impute"), true}};
        data::FeatureEncoderOptions codes;
        codes.oneHot = false;
        JobSpec s = spec(pp, QStringLiteral("auto"));
        s.validationFraction = 0;
        RecordingContext ctx(s);
        const TabularData d = prepareTabular(ctx, codes);
        const QStringList names = d.encoder.featureNames();
        QVERIFY(!d.encoder.inputColumns().contains(QStringLiteral("id")));
        QCOMPARE(names.mid(0, 4), (QStringList{QStringLiteral("sex"), QStringLiteral("city_te"), QStringLiteral("age"), QStringLiteral("age_missing")}));
        QVERIFY(names.contains(QStringLiteral("joined:month")));
        QVERIFY(names.contains(QStringLiteral("note:length")));
        QVERIFY(names.contains(QStringLiteral("note:word=urgent")));
        QCOMPARE(d.encoder.categoricalFeatures().at(0), true); // few categories stay codes for this learner
        QVERIFY(ctx.logs.contains(QStringLiteral("excluded from the features: id")));
        QVERIFY(ctx.logs.contains(QStringLiteral("preprocessing: target encoded, out of fold (categories): city (15)")));
        QVERIFY(ctx.logs.contains(QStringLiteral("preprocessing: missing indicators: age_missing")));
        // Training rows carry out-of-fold target means; the stored mapping is the full-data one.
        const data::Table t = data::CsvReader::read(m_train);
        const std::vector<float> full = d.encoder.transform(t);
        int differ = 0;
        for (qsizetype r = 0; r < d.nTrain; ++r)
            differ += d.xTrain[size_t(r * d.width + 1)] != full[size_t(r * d.width + 1)] ? 1 : 0;
        QVERIFY(differ > d.nTrain / 2);
        for (qsizetype c = 0; c < d.width; ++c)
            if (c != 1)
                for (qsizetype r = 0; r < d.nTrain; ++r)
                    QVERIFY(d.xTrain[size_t(r * d.width + c)] == full[size_t(r * d.width + c)]
                            || (std::isnan(d.xTrain[size_t(r * d.width + c)]) && std::isnan(full[size_t(r * d.width + c)])));
        // The seed of the spec seeds the folds.
        JobSpec other = s;
        other.seed = 7;
        RecordingContext ctx2(other);
        QVERIFY(prepareTabular(ctx2, codes).xTrain != d.xTrain);
    }

    void scaleAndImputeRefineInBothDirections()
    {
        data::FeatureEncoderOptions net; // as the linear and MLP learners ask
        net.standardize = true;
        net.imputeMissing = true;
        RecordingContext off(spec({{QStringLiteral("scale"), false}, {QStringLiteral("impute"), false}}, QStringLiteral("off")));
        const TabularData a = prepareTabular(off, net);
        QVERIFY(!a.encoder.options().standardize);
        QVERIFY(a.encoder.options().imputeMissing); // the network cannot take NaN: kept
        QVERIFY(!a.encoder.featureNames().contains(QStringLiteral("age_missing")));
        for (float v : a.xTrain)
            QVERIFY(std::isfinite(v));
        data::FeatureEncoderOptions trees;
        RecordingContext on(spec({{QStringLiteral("scale"), true}, {QStringLiteral("categoricalEncoding"), QStringLiteral("onehot")},
                                  {QStringLiteral("oneHotMaxCardinality"), 100}},
                                 QStringLiteral("on")));
        const TabularData b = prepareTabular(on, trees);
        QVERIFY(b.encoder.options().standardize);
        QVERIFY(b.encoder.featureNames().contains(QStringLiteral("city=city14")));
        QVERIFY(b.encoder.options().maxCategories >= 100);
    }

    void badSettingsAreClearErrors()
    {
        const data::FeatureEncoderOptions base;
        auto failing = [&](const QJsonObject &pp) {
            RecordingContext ctx(spec(pp, QStringLiteral("bad")));
            return errorOf([&] { prepareTabular(ctx, base); });
        };
        const QString unknown = failing({{QStringLiteral("exclude"), QJsonArray{QStringLiteral("age"), QStringLiteral("nope"), QStringLiteral("gone")}}});
        QVERIFY2(unknown.contains(QStringLiteral("excludes columns 'nope', 'gone'")), qPrintable(unknown));
        QVERIFY(unknown.contains(QStringLiteral("id, sex, city, age, joined, note, y")));
        QVERIFY(failing({{QStringLiteral("bogus"), 1}}).contains(QStringLiteral("unknown setting \"bogus\"")));
        QVERIFY(failing({{QStringLiteral("categoricalEncoding"), QStringLiteral("hash")}}).contains(QStringLiteral("must be onehot, ordinal, target or auto (not hash)")));
        QVERIFY(failing({{QStringLiteral("impute"), QStringLiteral("yes")}}).contains(QStringLiteral("\"impute\" must be true or false")));
        QVERIFY(failing({{QStringLiteral("exclude"), QStringLiteral("id")}}).contains(QStringLiteral("\"exclude\" must be a list")));
        QVERIFY(failing({{QStringLiteral("oneHotMaxCardinality"), -1}}).contains(QStringLiteral("whole number")));
        // Excluding everything leaves nothing to learn from.
        QJsonArray all;
        for (const char *c : {"id", "sex", "city", "age", "joined", "note"})
            all.append(QLatin1String(c));
        QVERIFY(failing({{QStringLiteral("exclude"), all}}).contains(QStringLiteral("no usable feature columns")));
    }

    void modelCardReproducesThePipelineOnRawRows()
    {
        JobSpec s = spec({{QStringLiteral("categoricalEncoding"), QStringLiteral("auto")}, {QStringLiteral("datetimeParts"), true},
                          {QStringLiteral("textFeatures"), true}, {QStringLiteral("impute"), true}, {QStringLiteral("exclude"), QJsonArray{QStringLiteral("id")}}},
                         QStringLiteral("card"));
        data::ChannelSpec validation;
        validation.path = m_validation;
        s.channels.insert(QStringLiteral("validation"), validation);
        RecordingContext ctx(s);
        data::FeatureEncoderOptions net;
        net.standardize = true;
        net.imputeMissing = true;
        const TabularData d = prepareTabular(ctx, net);
        QCOMPARE(d.nValidation, 30);
        const ModelCard card = ModelCard::fromJson(tabularModelCard(ctx, d, QStringLiteral("test")).toJson(), QStringLiteral("model.json"));
        QVERIFY(!card.inputSchema.isEmpty());
        // The validation rows, read raw, encode as they did at training time.
        const data::Table raw = data::CsvReader::read(m_validation);
        QVERIFY(sameMatrix(encodeForPrediction(card, raw), d.xValidation));
        // Rows with unseen categories and missing values, without the target or excluded column.
        const data::Table fresh = data::CsvReader::parse("sex,city,age,joined,note\nother,atlantis,,,\n,city3,44,2021-05-05,urgent item\n", QStringLiteral("new.csv"));
        const std::vector<float> x = encodeForPrediction(card, fresh);
        QCOMPARE(qsizetype(x.size()), 2 * d.width);
        for (float v : x)
            QVERIFY(std::isfinite(v));
    }
};

QTEST_GUILESS_MAIN(tst_Tabular)
#include "tst_tabular.moc"
