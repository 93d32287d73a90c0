// `cairn transform` end to end: the .out files equal `cairn predict`, joined input, failed
// records in the errors file with their line numbers, folders, and resuming after kill -9.
#include "clirunner.h"

#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_TransformCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QString m_run;
    QByteArray m_expected; ///< cairn predict on titanic.csv

    static QString titanic() { return QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/titanic.csv"); }
    ProcessResult cairn(const QStringList &args) { return cairnInWorkspace(m_ws, args, 300000); }
    static QByteArray readAll(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    static void write(const QString &path, const QByteArray &data)
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
    }
    QByteArray body(const QByteArray &csv) const { return csv.mid(csv.indexOf('\n') + 1); }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(u"ws"_s);
        ProcessResult r = cairn({u"train"_s, u"--algorithm"_s, u"xgboost"_s, u"--train"_s, titanic(), u"--target"_s, u"survived"_s, u"--hp"_s,
                                 u"num_round=15"_s, u"--experiment"_s, u"transform"_s});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        {
            cairn::Workspace ws(m_ws);
            cairn::RunQuery q;
            q.experimentIds = {ws.store().experimentByName(u"transform"_s).id};
            const QList<cairn::Run> runs = ws.store().searchRuns(q);
            QCOMPARE(runs.size(), 1);
            m_run = runs.first().uuid;
        }
        QVERIFY(!m_run.isEmpty());
        const QString out = m_dir.filePath(u"predicted.csv"_s);
        r = cairn({u"predict"_s, u"--model"_s, m_run, u"--input"_s, titanic(), u"--output"_s, out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        m_expected = readAll(out);
        QCOMPARE(m_expected.count('\n'), 1310);
    }

    void outputEqualsPredict_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::newRow("one batch") << QStringList{};
        QTest::newRow("many small batches, 2 threads") << QStringList{u"--max-payload-mb"_s, u"0.005"_s, u"--parallel"_s, u"2"_s};
        QTest::newRow("split None") << QStringList{u"--split-type"_s, u"None"_s};
    }
    void outputEqualsPredict()
    {
        QFETCH(QStringList, options);
        const QString out = m_dir.filePath(u"out-%1"_s.arg(QTest::currentDataTag()).replace(u' ', u'-').replace(u',', u'-'));
        const ProcessResult r = cairn(QStringList{u"transform"_s, u"--model"_s, m_run, u"--input"_s, titanic(), u"--output"_s, out} + options);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(readAll(QDir(out).filePath(u"titanic.csv.out"_s)), m_expected);
        QVERIFY(!QFile::exists(QDir(out).filePath(u"titanic.csv.out.progress"_s)));
        QVERIFY(!QFile::exists(QDir(out).filePath(u"titanic.csv.out.errors"_s)));
        QVERIFY(r.err.contains(u"1309 predictions"_s));
    }

    void joinSourceInput()
    {
        const QString out = m_dir.filePath(u"joined"_s);
        const ProcessResult r = cairn({u"transform"_s, u"--model"_s, m_run, u"--input"_s, titanic(), u"--output"_s, out, u"--join-source"_s, u"input"_s});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QList<QByteArray> joined = readAll(QDir(out).filePath(u"titanic.csv.out"_s)).split('\n');
        const QList<QByteArray> input = readAll(titanic()).replace('\r', "").split('\n');
        const QList<QByteArray> predicted = m_expected.split('\n');
        QCOMPARE(joined.size(), predicted.size());
        for (qsizetype i = 0; i + 1 < joined.size(); ++i)
            QCOMPARE(joined.at(i), input.at(i) + ',' + predicted.at(i));
    }

    void failedRecordsGoToTheErrorsFile()
    {
        // Lines 5 and 200 (of the file, header = line 1) hold an age that is not a number.
        QList<QByteArray> lines = readAll(titanic()).split('\n');
        for (int line : {5, 200})
            lines[line - 1] = lines[line - 1].left(lines[line - 1].lastIndexOf(',', lines[line - 1].lastIndexOf(',') - 1)) + ",not-a-number,\"1st\"";
        const QString in = m_dir.filePath(u"broken.csv"_s);
        write(in, lines.join('\n'));
        const QString out = m_dir.filePath(u"broken-out"_s);
        const ProcessResult r = cairn({u"transform"_s, u"--model"_s, m_run, u"--input"_s, in, u"--output"_s, out, u"--max-payload-mb"_s, u"0.01"_s});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(u"1307 predictions, 2 failed records"_s), qPrintable(r.err));
        const QList<QByteArray> errors = readAll(QDir(out).filePath(u"broken.csv.out.errors"_s)).split('\n');
        QVERIFY2(errors.at(0).startsWith("line 5: ") && errors.at(0).contains("age"), errors.at(0).constData());
        QVERIFY2(errors.at(1).startsWith("line 200: "), errors.at(1).constData());
        // Every other record is predicted as cairn predict does.
        QList<QByteArray> expected = m_expected.split('\n');
        expected.removeAt(199);
        expected.removeAt(4);
        QCOMPARE(readAll(QDir(out).filePath(u"broken.csv.out"_s)), expected.join('\n'));
    }

    void folderInputOneOutputPerFile()
    {
        const QString in = m_dir.filePath(u"folder"_s);
        QVERIFY(QDir().mkpath(in));
        const QByteArray all = readAll(titanic());
        const qsizetype half = all.indexOf('\n', all.size() / 2) + 1;
        write(QDir(in).filePath(u"a.csv"_s), all.left(half));
        write(QDir(in).filePath(u"b.csv"_s), all.left(all.indexOf('\n') + 1) + all.mid(half));
        const QString out = m_dir.filePath(u"folder-out"_s);
        ProcessResult r = cairn({u"transform"_s, u"--model"_s, m_run, u"--input"_s, in, u"--output"_s, out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QByteArray a = readAll(QDir(out).filePath(u"a.csv.out"_s)), b = readAll(QDir(out).filePath(u"b.csv.out"_s));
        QCOMPARE(a + body(b), m_expected);
        r = cairn({u"transform"_s, u"--model"_s, m_run, u"--input"_s, in, u"--output"_s, out});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.err.contains(u"exists already"_s));
    }

    void resumesAfterKill9()
    {
        // About a million records, in 1 MB batches on one thread.
        const QByteArray all = readAll(titanic());
        QByteArray big = all;
        for (int i = 1; i < 764; ++i)
            big += body(all);
        const QString in = m_dir.filePath(u"big.csv"_s);
        write(in, big);
        const QString out = m_dir.filePath(u"big-out"_s);
        const QString progress = QDir(out).filePath(u"big.csv.out.progress"_s);
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(u"CAIRN_WORKSPACE"_s);
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(CAIRN_CLI_PATH), {u"--workspace"_s, m_ws, u"transform"_s, u"--model"_s, m_run, u"--input"_s, in, u"--output"_s, out,
                                                 u"--max-payload-mb"_s, u"1"_s, u"--parallel"_s, u"1"_s});
        // Kill as soon as the first batches are written.
        QTRY_VERIFY_WITH_TIMEOUT(readAll(progress).contains("\"records\":") && !readAll(progress).contains("\"records\":0,"), 60000);
        p.kill();
        QVERIFY(p.waitForFinished());
        QVERIFY2(!QFile::exists(QDir(out).filePath(u"big.csv.out"_s)), "the run finished before it could be killed");
        QVERIFY(QFile::exists(QDir(out).filePath(u"big.csv.out.partial"_s)));
        const ProcessResult r = cairn({u"transform"_s, u"--model"_s, m_run, u"--input"_s, in, u"--output"_s, out, u"--max-payload-mb"_s, u"1"_s});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(u"resumed "_s), qPrintable(r.err));
        QByteArray expected = m_expected;
        for (int i = 1; i < 764; ++i)
            expected += body(m_expected);
        const QByteArray got = readAll(QDir(out).filePath(u"big.csv.out"_s));
        QCOMPARE(got.size(), expected.size());
        QVERIFY(got == expected);
    }

    void badArguments()
    {
        QCOMPARE(cairn({u"transform"_s, u"--model"_s, m_run, u"--input"_s, titanic()}).exitCode, 2);
        QCOMPARE(cairn({u"transform"_s, u"--model"_s, m_run, u"--input"_s, titanic(), u"--output"_s, m_dir.filePath(u"x"_s), u"--split-type"_s, u"RecordIO"_s}).exitCode, 2);
        const ProcessResult missing = cairn({u"transform"_s, u"--model"_s, m_run, u"--input"_s, m_dir.filePath(u"nothing.csv"_s), u"--output"_s, m_dir.filePath(u"x"_s)});
        QCOMPARE(missing.exitCode, 3);
        QVERIFY(missing.err.contains(u"does not exist"_s));
    }
};

QTEST_GUILESS_MAIN(tst_TransformCli)
#include "tst_transformcli.moc"
