// IDX files, image folders, labeling manifests, splits and the feature encoder.
#include "cairn/data/csvreader.h"
#include "cairn/data/featureencoder.h"
#include "cairn/data/idxreader.h"
#include "cairn/data/imagefolder.h"
#include "cairn/data/manifest.h"
#include "cairn/data/split.h"
#include "cairn/util/error.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

#include <cmath>
#include <set>

using namespace cairn;
using namespace cairn::data;

namespace {
QByteArray idxBytes(quint8 type, const QList<quint32> &dims, const QByteArray &payload)
{
    QByteArray b;
    b += char(0);
    b += char(0);
    b += char(type);
    b += char(dims.size());
    for (quint32 d : dims) {
        b += char(d >> 24);
        b += char(d >> 16);
        b += char(d >> 8);
        b += char(d);
    }
    return b + payload;
}

void writeFile(const QString &path, const QByteArray &bytes, bool gzip)
{
    if (gzip) {
        gzFile f = gzopen(QFile::encodeName(path).constData(), "wb");
        QVERIFY(f);
        gzwrite(f, bytes.constData(), unsigned(bytes.size()));
        gzclose(f);
    } else {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }
}

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

class tst_DataChannels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void idxPlainAndGzip()
    {
        QTemporaryDir dir;
        QByteArray pixels;
        for (int i = 0; i < 2 * 3 * 2; ++i)
            pixels += char(i);
        for (bool gz : {false, true}) {
            const QString path = dir.filePath(gz ? QStringLiteral("a.idx.gz") : QStringLiteral("a.idx"));
            writeFile(path, idxBytes(0x08, {2, 3, 2}, pixels), gz);
            const IdxArray a = IdxReader::read(path);
            QCOMPARE(a.dims, (std::vector<qint64>{2, 3, 2}));
            QCOMPARE(a.items(), 2);
            QCOMPARE(a.itemSize(), 6);
            QCOMPARE(a.value(7), 7.0);
        }
        // Big-endian int32 elements come back in host order.
        const QString ints = dir.filePath(QStringLiteral("i.idx"));
        writeFile(ints, idxBytes(0x0C, {2}, QByteArray("\x00\x00\x01\x00\xFF\xFF\xFF\xFE", 8)), false);
        const IdxArray a = IdxReader::read(ints);
        QCOMPARE(a.value(0), 256.0);
        QCOMPARE(a.value(1), -2.0);
    }

    void idxBadInput()
    {
        QTemporaryDir dir;
        const QString p = dir.filePath(QStringLiteral("bad.idx"));
        writeFile(p, QByteArray("\x01\x02\x08\x01", 4), false);
        QVERIFY(errorOf([&] { IdxReader::read(p); }).contains(QStringLiteral("not an IDX file")));
        writeFile(p, idxBytes(0x07, {1}, "x"), false);
        QVERIFY(errorOf([&] { IdxReader::read(p); }).contains(QStringLiteral("unknown IDX element type")));
        writeFile(p, idxBytes(0x08, {10, 10}, QByteArray(50, 'x')), true);
        const QString truncated = errorOf([&] { IdxReader::read(p); });
        QVERIFY2(truncated.contains(QStringLiteral("truncated")) && truncated.contains(QStringLiteral("100")), qPrintable(truncated));
        writeFile(p, idxBytes(0x08, {2}, QByteArray(3, 'x')), false);
        QVERIFY(errorOf([&] { IdxReader::read(p); }).contains(QStringLiteral("bytes after")));
        writeFile(p, QByteArray("\x00\x00", 2), false);
        QVERIFY(errorOf([&] { IdxReader::read(p); }).contains(QStringLiteral("too short")));
        QVERIFY(errorOf([&] { IdxReader::read(dir.filePath(QStringLiteral("none"))); }).contains(QStringLiteral("does not exist")));
        // Found by fuzzing: a 39-byte file whose header promises 4 GB made the reader allocate
        // them all before reading; it is now "truncated" without that allocation.
        for (bool gz : {false, true}) {
            writeFile(p, idxBytes(0x08, {0x00080002, 4, 0x0803}, QByteArray(20, 'x')), gz);
            const QString huge = errorOf([&] { IdxReader::read(p); });
            QVERIFY2(huge.contains(QStringLiteral("truncated: the header promises 4301275160 bytes of data but only 20 are there")), qPrintable(huge));
        }
        // Dimensions whose product overflows are refused, not multiplied on.
        writeFile(p, idxBytes(0x08, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, QByteArray()), false);
        QVERIFY(errorOf([&] { IdxReader::read(p); }).contains(QStringLiteral("more than 64 G elements")));
    }

    void idxFashionMnistLabels()
    {
        const IdxArray labels = IdxReader::read(QStringLiteral(CAIRN_SHARED_DATA_DIR "/fashion-mnist/t10k-labels-idx1-ubyte.gz"));
        QCOMPARE(labels.items(), 10000);
        std::vector<int> counts(10, 0);
        for (qint64 i = 0; i < labels.items(); ++i)
            ++counts[size_t(labels.value(i))];
        for (int c : counts)
            QCOMPARE(c, 1000);
    }

    void imageFolder()
    {
        const ImageFolder f = ImageFolder::scan(QStringLiteral(CAIRN_SHARED_DATA_DIR "/images/fashion200"));
        QCOMPARE(f.classes.size(), 10);
        QCOMPARE(f.files.size(), 200);
        QCOMPARE(f.classes.first(), QStringLiteral("ankle_boot"));
        QCOMPARE(f.labels.front(), 0);
        QTemporaryDir empty;
        QVERIFY(errorOf([&] { ImageFolder::scan(empty.path()); }).contains(QStringLiteral("no class folders")));
        QVERIFY(errorOf([&] { ImageFolder::scan(empty.filePath(QStringLiteral("x"))); }).contains(QStringLiteral("does not exist")));
    }

    void manifest()
    {
        QTemporaryDir dir;
        const QString p = dir.filePath(QStringLiteral("m.manifest"));
        QFile f(p);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"source-ref\": \"imgs/a.png\", \"animal\": 1, \"animal-metadata\": {\"class-name\": \"dog\"}}\n"
                "{\"source-ref\": \"file:///data/b.png\", \"animal\": 0, \"animal-metadata\": {\"class-name\": \"cat\"}}\n"
                "\n"
                "{\"source-ref\": \"c.png\"}\n");
        f.close();
        const Manifest m = Manifest::read(p);
        QCOMPARE(m.labelAttribute, QStringLiteral("animal"));
        QCOMPARE(m.classes, QStringList({QStringLiteral("cat"), QStringLiteral("dog")}));
        QCOMPARE(int(m.entries.size()), 3);
        QCOMPARE(m.entries[0].source, QDir(dir.path()).filePath(QStringLiteral("imgs/a.png")));
        QCOMPARE(m.entries[0].label, 1);
        QCOMPARE(m.entries[1].source, QStringLiteral("/data/b.png"));
        QCOMPARE(m.entries[2].label, -1);
        QCOMPARE(m.entries[2].line, 4);

        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("{\"source-ref\": \"a.png\", \"label\": \"cat\"}\n{not json\n");
        f.close();
        QVERIFY2(errorOf([&] { Manifest::read(p); }).contains(QStringLiteral("m.manifest:2:")), qPrintable(errorOf([&] { Manifest::read(p); })));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("{\"source-ref\": \"s3://bucket/a.png\", \"label\": \"cat\"}\n");
        f.close();
        QVERIFY(errorOf([&] { Manifest::read(p); }).contains(QStringLiteral("remote")));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("{\"label\": \"cat\"}\n");
        f.close();
        QVERIFY(errorOf([&] { Manifest::read(p); }).contains(QStringLiteral(":1: the item has no \"source-ref\"")));
    }

    void splitIsSeededAndStratified()
    {
        std::vector<int> strata;
        for (int i = 0; i < 1000; ++i)
            strata.push_back(i < 900 ? 0 : 1); // 10% minority
        const Split a = trainValidationSplit(1000, 0.2, 7, &strata);
        const Split b = trainValidationSplit(1000, 0.2, 7, &strata);
        const Split c = trainValidationSplit(1000, 0.2, 8, &strata);
        QCOMPARE(a.validation, b.validation);
        QVERIFY(a.validation != c.validation);
        QCOMPARE(a.train.size() + a.validation.size(), size_t(1000));
        int minority = 0;
        for (qsizetype r : a.validation)
            minority += strata[size_t(r)];
        QCOMPARE(minority, 20); // exactly 20% of the 100 minority rows
        std::set<qsizetype> all(a.train.begin(), a.train.end());
        all.insert(a.validation.begin(), a.validation.end());
        QCOMPARE(all.size(), size_t(1000));
        // A class of two rows keeps one on each side.
        std::vector<int> tiny{0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
        const Split t = trainValidationSplit(10, 0.1, 1, &tiny);
        int tinyVal = 0;
        for (qsizetype r : t.validation)
            tinyVal += tiny[size_t(r)];
        QCOMPARE(tinyVal, 1);
    }

    void featureEncoderRoundTrip()
    {
        CsvOptions text;
        text.types.insert(QStringLiteral("t"), ColumnType::Text);
        const Table train = CsvReader::parse("x,c,b,t\n1,red,yes,some text\n3,blue,no,other\n,red,yes,more\n", QStringLiteral("train.csv"), text);
        FeatureEncoderOptions o;
        o.standardize = true;
        o.imputeMissing = true;
        FeatureEncoder e;
        e.fit(train, {QStringLiteral("x"), QStringLiteral("c"), QStringLiteral("b"), QStringLiteral("t")}, o);
        QCOMPARE(e.width(), 4); // x, c=red, c=blue, b
        QCOMPARE(e.droppedColumns(), QStringList{QStringLiteral("t")});
        const FeatureEncoder back = FeatureEncoder::fromJson(e.toJson());
        QCOMPARE(back.featureNames(), e.featureNames());
        // New rows: an unseen category and columns in another order.
        const Table fresh = CsvReader::parse("c,b,x\ngreen,no,3\nred,yes,\n", QStringLiteral("new.csv"));
        const std::vector<float> x = back.transform(fresh);
        QCOMPARE(x.size(), size_t(8));
        QCOMPARE(x[0], 1.0f);       // (3 - mean 2) / std 1
        QCOMPARE(x[1] + x[2], 0.0f); // unseen: all indicators off
        QCOMPARE(x[4], 0.0f);       // missing → mean → 0 after standardising
        QCOMPARE(x[5], 1.0f);       // red
        QVERIFY(std::abs(x[7] - 0.70710677f) < 1e-5f); // yes = 1, standardised: (1 - 2/3) / sqrt(2/9)
        const Table missing = CsvReader::parse("c,b\nred,no\n", QStringLiteral("new.csv"));
        QVERIFY(errorOf([&] { back.transform(missing, QStringLiteral("new.csv")); }).contains(QStringLiteral("no column 'x'")));
    }
};

QTEST_GUILESS_MAIN(tst_DataChannels)
#include "tst_datachannels.moc"
