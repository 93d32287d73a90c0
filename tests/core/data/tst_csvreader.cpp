#include "../../e2e/sparsecsv.h"

#include "cairn/data/csvreader.h"
#include "cairn/util/error.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <sys/resource.h>

using namespace cairn;
using namespace cairn::data;

class tst_CsvReader : public QObject
{
    Q_OBJECT

    static QString errorOf(const QByteArray &text, const CsvOptions &options = {})
    {
        try {
            CsvReader::parse(text, QStringLiteral("t.csv"), options);
        } catch (const Error &e) {
            return e.message();
        }
        return {};
    }

private Q_SLOTS:
    // A preview of a 10 GB file (sparse here: a real head, then zeros) reads its head only: the
    // page faults of the read show whether the rest of the file was touched.
    void previewOfAHugeFileReadsOnlyItsHead()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("huge.csv"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("a,b,c\n");
        for (int i = 0; i < 2000; ++i)
            f.write(QByteArray::number(i) + ",x" + QByteArray::number(i % 7) + "," + QByteArray::number(i * 0.5) + "\n");
        if (!f.resize(qint64(10) << 30))
            QSKIP("this file system cannot hold a sparse 10 GB file");
        f.close();
        rusage before{}, after{};
        getrusage(RUSAGE_SELF, &before);
        cairn::data::CsvOptions options;
        options.maxRows = 500;
        const cairn::data::Table t = cairn::data::CsvReader::read(path, options);
        getrusage(RUSAGE_SELF, &after);
        QCOMPARE(t.rowCount(), qsizetype(500));
        QCOMPARE(t.columns.size(), qsizetype(3));
        // Reading the whole 10 GB through the mapping took over 25,000 faults (and 39 s) here.
        const long faults = (after.ru_minflt - before.ru_minflt) + (after.ru_majflt - before.ru_majflt);
        qInfo("page faults for a 500-row preview of a 10 GB file: %ld", faults);
        QVERIFY2(faults < 2000, qPrintable(QString::number(faults)));
    }

    // A whole read of a file whose columns cannot fit in memory is refused from its head alone:
    // a sparse file of at least 10 GB and at least this machine's memory (16 one-digit numbers a
    // row take 32 bytes of text and 128 bytes as columns) must be refused touching a few pages.
    void wholeReadOfAFileTooBigForMemoryIsRefusedFromItsHead()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("huge.csv"));
        const qint64 size = tooBigForMemory();
        if (!writeSparseCsv(path, 5, size))
            QSKIP("this file system cannot hold a sparse file of 10 GB or this machine's memory");
        const CsvMemoryEstimate e = CsvReader::estimateMemory(path);
        QCOMPARE(e.sampleRows, qsizetype(5));
        QCOMPARE(e.columns, qsizetype(16));
        QVERIFY2(std::abs(double(e.rows) - double(size) / 32.0) < double(size) / 32.0 * 0.01, qPrintable(QString::number(e.rows)));
        QVERIFY2(e.bytes >= size * 4 - (qint64(1) << 20), qPrintable(QString::number(e.bytes)));

        rusage before{}, after{};
        getrusage(RUSAGE_SELF, &before);
        QString message;
        try {
            CsvReader::read(path);
        } catch (const Error &error) {
            message = error.message();
        }
        getrusage(RUSAGE_SELF, &after);
        const long faults = (after.ru_minflt - before.ru_minflt) + (after.ru_majflt - before.ru_majflt);
        qInfo("page faults for refusing a whole read of a %lld-byte file: %ld", size, faults);
        qInfo("%s", qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("is too big to read into memory")), qPrintable(message));
        QVERIFY2(message.contains(path) && message.contains(QLatin1String("is available")) && message.contains(QLatin1String("sample")),
                 qPrintable(message));
        QVERIFY2(faults < 2000, qPrintable(QString::number(faults)));
        // A preview of the same file still reads.
        CsvOptions head;
        head.maxRows = 3;
        QCOMPARE(CsvReader::read(path, head).rowCount(), qsizetype(3));
    }

    // On an ordinary file the estimate is close: rows from the head's bytes per row, text
    // columns costed per distinct value; and the check lets it through.
    void memoryEstimateOfAnOrdinaryFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("t.csv"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x,colour,name,\"note\"\n");
        const qsizetype rows = 60000;
        for (qsizetype r = 0; r < rows; ++r)
            f.write(QByteArray::number(r * 0.25) + (r % 3 ? ",red," : ",blue,") + "name" + QByteArray::number(r) + ",\"a, b\"\n");
        f.close();
        const CsvMemoryEstimate e = CsvReader::estimateMemory(path);
        QVERIFY(e.sampleRows > 1000 && e.sampleRows < rows); // the head only
        QVERIFY2(std::abs(double(e.rows - rows)) < rows * 0.1, qPrintable(QString::number(e.rows)));
        // x: 8 bytes; colour: 4; name: 4 + a string per row; note: 4 (one category).
        const double perRow = double(e.bytes) / double(rows);
        QVERIFY2(perRow > 8 + 4 + 4 + 4 + 96 && perRow < 200, qPrintable(QString::number(perRow)));
        CsvReader::checkMemory(path);
        QCOMPARE(CsvReader::read(path).rowCount(), rows);
    }

    void infersTypes()
    {
        const Table t = CsvReader::parse("num,cat,flag,when,name\n"
                                         "1.5,a,true,2024-01-02,alice smith\n"
                                         "-2,b,false,2024-01-03 10:20:30,bob jones\n"
                                         "3e2,a,TRUE,2024-02-01T00:00:00Z,carol white\n"
                                         ",a,,,dave\n",
                                         QStringLiteral("t.csv"));
        QCOMPARE(t.rowCount(), 4);
        QCOMPARE(t.column(QStringLiteral("num")).type, ColumnType::Numeric);
        QCOMPARE(t.column(QStringLiteral("num")).values[2], 300.0);
        QVERIFY(std::isnan(t.column(QStringLiteral("num")).values[3]));
        QCOMPARE(t.column(QStringLiteral("cat")).type, ColumnType::Categorical);
        QCOMPARE(t.column(QStringLiteral("cat")).categories, QStringList({QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(t.column(QStringLiteral("flag")).type, ColumnType::Boolean);
        QCOMPARE(t.column(QStringLiteral("flag")).values[1], 0.0);
        QCOMPARE(t.column(QStringLiteral("flag")).missingCount(), 1);
        QCOMPARE(t.column(QStringLiteral("when")).type, ColumnType::Datetime);
        // 2024-01-02T00:00:00Z
        QCOMPARE(t.column(QStringLiteral("when")).values[0], 1704153600000.0);
        QCOMPARE(t.column(QStringLiteral("when")).values[1], 1704277230000.0);
        QCOMPARE(t.column(QStringLiteral("name")).type, ColumnType::Text);
    }

    void quotedFieldsAndEscapes()
    {
        const Table t = CsvReader::parse("\"a\",\"b\"\n\"x, y\",\"he said \"\"hi\"\"\"\n\"multi\nline\",2\n", QStringLiteral("t.csv"));
        QCOMPARE(t.rowCount(), 2);
        QCOMPARE(t.column(QStringLiteral("a")).text(0), QStringLiteral("x, y"));
        QCOMPARE(t.column(QStringLiteral("b")).text(0), QStringLiteral("he said \"hi\""));
        QCOMPARE(t.column(QStringLiteral("a")).text(1), QStringLiteral("multi\nline"));
    }

    void bomDelimitersAndLineEnds_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("comma crlf") << QByteArray("x,y\r\n1,2\r\n3,4\r\n");
        QTest::newRow("semicolon") << QByteArray("x;y\n1;2\n3;4\n");
        QTest::newRow("tab") << QByteArray("x\ty\n1\t2\n3\t4");
        QTest::newRow("bom") << QByteArray("\xEF\xBB\xBFx,y\n1,2\n3,4\n");
        QTest::newRow("blank lines") << QByteArray("x,y\n\n1,2\n\n3,4\n\n");
    }
    void bomDelimitersAndLineEnds()
    {
        QFETCH(QByteArray, text);
        const Table t = CsvReader::parse(text, QStringLiteral("t.csv"));
        QCOMPARE(t.columnNames(), QStringList({QStringLiteral("x"), QStringLiteral("y")}));
        QCOMPARE(t.rowCount(), 2);
        QCOMPARE(t.column(QStringLiteral("y")).values[1], 4.0);
    }

    void decimalCommaWithSemicolons()
    {
        const Table t = CsvReader::parse("a;b\n1,5;x\n2,25;y\n", QStringLiteral("t.csv"));
        QCOMPARE(t.column(QStringLiteral("a")).type, ColumnType::Numeric);
        QCOMPARE(t.column(QStringLiteral("a")).values[1], 2.25);
    }

    void missingTokens()
    {
        const Table t = CsvReader::parse("a,b\nNA,x\n1,NULL\n?,y\n", QStringLiteral("t.csv"));
        QCOMPARE(t.column(QStringLiteral("a")).type, ColumnType::Numeric);
        QCOMPARE(t.column(QStringLiteral("a")).missingCount(), 2);
        QCOMPARE(t.column(QStringLiteral("b")).missingCount(), 1);
    }

    void lateTypeChangeRereadsAsText()
    {
        // Numbers first, then a word far down: the column becomes categorical, keeping "007".
        QByteArray text = "code,v\n";
        for (int i = 0; i < 100; ++i)
            text += (i == 0 ? QByteArray("007") : QByteArray::number(i % 5)) + "," + QByteArray::number(i) + "\n";
        text += "unknown,1\n";
        const Table t = CsvReader::parse(text, QStringLiteral("t.csv"));
        const Column &c = t.column(QStringLiteral("code"));
        QCOMPARE(c.type, ColumnType::Categorical);
        QCOMPARE(c.text(0), QStringLiteral("007"));
        QCOMPARE(c.text(100), QStringLiteral("unknown"));
        QCOMPARE(t.column(QStringLiteral("v")).type, ColumnType::Numeric);
    }

    void typeOverride()
    {
        CsvOptions o;
        o.types.insert(QStringLiteral("zip"), ColumnType::Categorical);
        const Table t = CsvReader::parse("zip\n01234\n99999\n", QStringLiteral("t.csv"), o);
        QCOMPARE(t.column(QStringLiteral("zip")).type, ColumnType::Categorical);
        QCOMPARE(t.column(QStringLiteral("zip")).text(0), QStringLiteral("01234"));
        o.types.clear();
        o.types.insert(QStringLiteral("n"), ColumnType::Numeric);
        const QString e = errorOf("n\n1\nabc\n", o);
        QVERIFY2(e.contains(QStringLiteral("t.csv:3:1")) && e.contains(QStringLiteral("not numeric")), qPrintable(e));
    }

    void raggedRowsNameLineAndColumn()
    {
        QString e = errorOf("a,b,c\n1,2,3\n4,5,6,7\n");
        QVERIFY2(e.startsWith(QStringLiteral("t.csv:3:7:")), qPrintable(e));
        QVERIFY2(e.contains(QStringLiteral("more fields")), qPrintable(e));
        e = errorOf("a,b,c\n1,2,3\n4,5\n");
        QVERIFY2(e.startsWith(QStringLiteral("t.csv:3:")), qPrintable(e));
        QVERIFY2(e.contains(QStringLiteral("2 field(s)")), qPrintable(e));
    }

    void badEncodingNamesLineAndColumn()
    {
        QString e = errorOf("name,v\nok,1\ncaf\xE9,2\n");
        QVERIFY2(e.startsWith(QStringLiteral("t.csv:3:4:")), qPrintable(e));
        QVERIFY2(e.contains(QStringLiteral("UTF-8")), qPrintable(e));
        e = errorOf("\xFF\xFEn\0a\0m\0e\0");
        QVERIFY2(e.contains(QStringLiteral("UTF-16")), qPrintable(e));
    }

    void unterminatedQuote()
    {
        const QString e = errorOf("a,b\n1,\"open\n2,3\n");
        QVERIFY2(e.startsWith(QStringLiteral("t.csv:2:3:")), qPrintable(e));
        QVERIFY2(e.contains(QStringLiteral("never closed")), qPrintable(e));
    }

    void junkAfterClosingQuote()
    {
        const QString e = errorOf("a,b\n\"x\"y,1\n");
        QVERIFY2(e.startsWith(QStringLiteral("t.csv:2:4:")), qPrintable(e));
    }

    void emptyAndHeaderOnly()
    {
        QVERIFY(errorOf("").contains(QStringLiteral("empty")));
        const Table t = CsvReader::parse("a,b\n", QStringLiteral("t.csv"));
        QCOMPARE(t.columnCount(), 2);
        QCOMPARE(t.rowCount(), 0);
    }

    void duplicateAndEmptyHeaderNames()
    {
        const Table t = CsvReader::parse("a,a,\n1,2,3\n", QStringLiteral("t.csv"));
        QCOMPARE(t.columnNames(), QStringList({QStringLiteral("a"), QStringLiteral("a.1"), QStringLiteral("column_3")}));
    }

    void garbageNeverCrashes()
    {
        // Random bytes: either a table or a cairn::Error, never a crash.
        quint32 seed = 7;
        for (int round = 0; round < 300; ++round) {
            QByteArray text;
            const int n = int(seed % 200);
            for (int i = 0; i < n; ++i) {
                seed = seed * 1664525u + 1013904223u;
                const char alphabet[] = "ab,;\t\"\n\r 1.e-\xC3\xA9\xFF";
                text += alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
            }
            try {
                const Table t = CsvReader::parse(text, QStringLiteral("fuzz.csv"));
                for (const Column &c : t.columns)
                    QCOMPARE(c.size(), t.rowCount());
            } catch (const Error &) {
            }
        }
    }

    void parallelParseMatchesSequential()
    {
        // Over 8 MB so the reader splits it; maxRows forces the one-thread path for comparison.
        QByteArray text = "id,num,cat,late,sparse,quoted\n";
        const int rows = 300000;
        for (int i = 0; i < rows; ++i) {
            text += QByteArray::number(i) + ',' + QByteArray::number(i * 0.5) + ",c" + QByteArray::number(i % 7 + (i > rows / 2 ? 7 : 0)) + ',';
            text += (i == rows - 5 ? QByteArray("word") : QByteArray::number(i % 3)) + ',';
            text += (i > rows * 3 / 4 && i % 2 ? QByteArray("s") + QByteArray::number(i % 4) : QByteArray()) + ',';
            text += "\"a, \"\"b\"\" " + QByteArray::number(i % 5) + "\"\n";
        }
        QVERIFY(text.size() > (8 << 20));
        const Table par = CsvReader::parse(text, QStringLiteral("big.csv"));
        CsvOptions one;
        one.maxRows = 1LL << 40;
        const Table seq = CsvReader::parse(text, QStringLiteral("big.csv"), one);
        QCOMPARE(par.rowCount(), rows);
        QCOMPARE(seq.rowCount(), rows);
        for (int c = 0; c < par.columnCount(); ++c) {
            const Column &a = par.columns.at(c);
            const Column &b = seq.columns.at(c);
            QVERIFY2(a.type == b.type, qPrintable(a.name));
            for (qsizetype r = 0; r < rows; r += 997)
                QCOMPARE(a.text(r), b.text(r));
            QCOMPARE(a.text(rows - 5), b.text(rows - 5));
            QCOMPARE(a.missingCount(), b.missingCount());
        }
        QCOMPARE(par.column(QStringLiteral("late")).type, ColumnType::Categorical);
        QCOMPARE(par.column(QStringLiteral("late")).text(rows - 5), QStringLiteral("word"));
        QCOMPARE(par.column(QStringLiteral("cat")).categories.size(), 14);
        QCOMPARE(par.column(QStringLiteral("quoted")).text(3), QStringLiteral("a, \"b\" 3"));
        // An error in a later chunk still names its true line.
        QByteArray broken = text;
        broken += "1,2,3\n";
        bool named = false;
        try {
            CsvReader::parse(broken, QStringLiteral("big.csv"));
        } catch (const Error &e) {
            named = e.message().startsWith(QStringLiteral("big.csv:%1:").arg(rows + 2));
        }
        QVERIFY(named);
    }

    // Found by a hostile user: 1e-400 was read as +infinity, and inf or 1e400 went on to the
    // learners. Underflow is 0 (as in pandas), NaN in any spelling is missing, an infinity is an
    // error naming line and column.
    void nonFiniteNumbers()
    {
        const Table t = CsvReader::parse("a,b\n1e-400,1\n-1e-400,-nan\n3.5e38,NAN\n1e308,2\n", QStringLiteral("t.csv"));
        const Column &a = t.column(QStringLiteral("a"));
        QCOMPARE(a.type, ColumnType::Numeric);
        QCOMPARE(a.values[0], 0.0);
        QVERIFY(std::signbit(a.values[1]) && a.values[1] == 0.0);
        QCOMPARE(a.values[2], 3.5e38);
        QCOMPARE(a.values[3], 1e308);
        const Column &b = t.column(QStringLiteral("b"));
        QCOMPARE(b.type, ColumnType::Numeric);
        QCOMPARE(b.missingCount(), 2);

        QCOMPARE(errorOf("a,b\n1,2\n3, inf\n"), QStringLiteral("t.csv:3:4: 'inf' in column 'b' is not a finite number (numbers beyond "
                                                               "±1.8e308 and infinities are not read; leave the field empty or write NA "
                                                               "for a missing value)"));
        QVERIFY(errorOf("a\n-Infinity\n2\n").startsWith(QStringLiteral("t.csv:2:1: '-Infinity' in column 'a'")));
        QVERIFY(errorOf("a\n1\n\"1e400\"\n").startsWith(QStringLiteral("t.csv:3:2: '1e400' in column 'a'")));
        CsvOptions numeric;
        numeric.types.insert(QStringLiteral("a"), ColumnType::Numeric);
        QVERIFY(errorOf("a\n1\n-1e999\n", numeric).startsWith(QStringLiteral("t.csv:3:1: '-1e999'")));
        CsvOptions semicolon;
        semicolon.delimiter = ';';
        QVERIFY(errorOf("a;b\n1,5;2\n1e999;3\n", semicolon).startsWith(QStringLiteral("t.csv:3:1: '1e999'")));

        // A text column may hold the word: it is read as text.
        const Table words = CsvReader::parse("w\ninf\nfinite\ninf\n", QStringLiteral("t.csv"));
        QVERIFY(!words.column(QStringLiteral("w")).isNumeric());
        QCOMPARE(words.column(QStringLiteral("w")).text(0), QStringLiteral("inf"));

        // Over 8 MB (the parallel path): the line is still exact.
        QByteArray big = "x,y\n";
        const int rows = 1000000;
        for (int i = 0; i < rows; ++i)
            big += QByteArray::number(i) + ",0.25\n";
        QVERIFY(big.size() > (8 << 20));
        big += "1,inf\n";
        QVERIFY2(errorOf(big).startsWith(QStringLiteral("t.csv:%1:3: 'inf' in column 'y'").arg(rows + 2)), qPrintable(errorOf(big).left(200)));
    }

    void readsFilesAndMaxRows()
    {
        const Table t = CsvReader::read(QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/titanic.csv"));
        QCOMPARE(t.rowCount(), 1309);
        QCOMPARE(t.column(QStringLiteral("survived")).type, ColumnType::Boolean);
        QCOMPARE(t.column(QStringLiteral("survived")).categories, QStringList({QStringLiteral("no"), QStringLiteral("yes")}));
        QCOMPARE(t.column(QStringLiteral("sex")).type, ColumnType::Categorical);
        QCOMPARE(t.column(QStringLiteral("age")).type, ColumnType::Numeric);
        QCOMPARE(t.column(QStringLiteral("age")).missingCount(), 263);
        QCOMPARE(t.column(QStringLiteral("name")).type, ColumnType::Text);
        CsvOptions head;
        head.maxRows = 10;
        QCOMPARE(CsvReader::read(QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/diamonds.csv"), head).rowCount(), 10);
        bool threw = false;
        try {
            CsvReader::read(QStringLiteral("/nonexistent/file.csv"));
        } catch (const Error &e) {
            threw = e.message().contains(QStringLiteral("/nonexistent/file.csv"));
        }
        QVERIFY(threw);
    }
};

QTEST_GUILESS_MAIN(tst_CsvReader)
#include "tst_csvreader.moc"
