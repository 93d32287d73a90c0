// Capture files (writer, rotation, reader, malformed lines), captured rows, model quality, and
// monitoring runs fired by a schedule — on real files in a temporary workspace.
#include "cairn/data/csvreader.h"
#include "cairn/monitor/baseline.h"
#include "cairn/monitor/capture.h"
#include "cairn/monitor/monitoringrun.h"
#include "cairn/monitor/quality.h"
#include "cairn/util/error.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <thread>

using namespace cairn;
using namespace cairn::monitor;

namespace {

QStringList jsonlFiles(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, {QStringLiteral("*.jsonl")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << it.next();
    out.sort();
    return out;
}

CaptureRecord record(const QByteArray &csvRow, const QByteArray &answer, qint64 timeMs)
{
    CaptureRecord r;
    r.inputContentType = "text/csv";
    r.inputData = csvRow;
    r.outputContentType = "text/csv";
    r.outputData = answer;
    r.eventId = CaptureWriter::newEventId();
    r.inferenceTimeMs = timeMs;
    r.model = QStringLiteral("churn");
    return r;
}

} // namespace

class tst_Monitoring : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writerKeepsEveryAcceptedRecord()
    {
        QTemporaryDir dir;
        CaptureWriter::Options o;
        o.directory = dir.path();
        o.queueCapacity = 1000000;
        CaptureWriter w(o);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        constexpr int threads = 8, each = 2500;
        std::vector<std::thread> pool;
        std::vector<QStringList> ids(threads);
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                for (int i = 0; i < each; ++i) {
                    CaptureRecord r = record(QByteArray::number(i) + ",x\n", "prediction\n1\n", now);
                    ids[size_t(t)] << r.eventId;
                    QVERIFY(w.offer(std::move(r)));
                }
            });
        for (std::thread &t : pool)
            t.join();
        w.stop();
        QCOMPARE(w.written(), quint64(threads * each));
        QCOMPARE(w.dropped(), quint64(0));
        QVERIFY(!w.offer(record("1,x\n", "", now))); // after stop: counted as dropped
        QCOMPARE(w.dropped(), quint64(1));
        const CaptureWindow window = readCapture(dir.path());
        QCOMPARE(window.records.size(), threads * each);
        QSet<QString> seen;
        for (const CaptureRecord &r : window.records)
            seen.insert(r.eventId);
        for (const QStringList &l : ids)
            for (const QString &id : l)
                QVERIFY(seen.contains(id));
        QCOMPARE(seen.size(), threads * each); // event ids are unique
    }

    void fullQueueDropsAndCounts()
    {
        // A queue of one record: offers never block; what does not fit is counted, not lost silently.
        QTemporaryDir dir;
        CaptureWriter::Options o;
        o.directory = dir.path();
        o.queueCapacity = 1;
        CaptureWriter w(o);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        int accepted = 0;
        for (int i = 0; i < 10000; ++i)
            accepted += w.offer(record("1,x\n", "prediction\n1\n", now)) ? 1 : 0;
        w.stop();
        QVERIFY(w.dropped() > 0);
        QCOMPARE(w.accepted() + w.dropped(), quint64(10000));
        QCOMPARE(w.written(), quint64(accepted));
        QCOMPARE(readCapture(dir.path()).records.size(), accepted);
    }

    void sageMakerShapeAndHourlyRotation()
    {
        QTemporaryDir dir;
        CaptureWriter::Options o;
        o.directory = dir.path();
        const QDateTime h10(QDate(2026, 12, 7), QTime(10, 59, 59), QTimeZone::utc());
        {
            CaptureWriter w(o);
            CaptureRecord a = record("1,x\n", "prediction\n0\n", h10.toMSecsSinceEpoch());
            a.inferenceId = QStringLiteral("client-7");
            QVERIFY(w.offer(a));
            QVERIFY(w.offer(record("2,y\n", "prediction\n1\n", h10.addSecs(2).toMSecsSinceEpoch())));
            CaptureRecord image = record(QByteArray("\x89PNG\r\n\x1a\n\0\xff", 10), "{\"predictions\":[]}", h10.addSecs(3).toMSecsSinceEpoch());
            image.inputContentType = "image/png";
            image.outputContentType = "application/json";
            QVERIFY(w.offer(image));
            w.flush();
            QCOMPARE(w.written(), quint64(3));
        }
        const QStringList files = jsonlFiles(dir.path());
        QCOMPARE(files.size(), 2);
        QVERIFY2(files.at(0).contains(QStringLiteral("/churn/2026/12/07/10/")), qPrintable(files.at(0)));
        QVERIFY(files.at(1).contains(QStringLiteral("/churn/2026/12/07/11/")));
        QFile f(files.at(0));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject line = QJsonDocument::fromJson(f.readLine()).object();
        const QJsonObject in = line.value(QStringLiteral("captureData")).toObject().value(QStringLiteral("endpointInput")).toObject();
        QCOMPARE(in.value(QStringLiteral("observedContentType")).toString(), QStringLiteral("text/csv"));
        QCOMPARE(in.value(QStringLiteral("mode")).toString(), QStringLiteral("INPUT"));
        QCOMPARE(in.value(QStringLiteral("encoding")).toString(), QStringLiteral("CSV"));
        QCOMPARE(in.value(QStringLiteral("data")).toString(), QStringLiteral("1,x\n"));
        const QJsonObject out = line.value(QStringLiteral("captureData")).toObject().value(QStringLiteral("endpointOutput")).toObject();
        QCOMPARE(out.value(QStringLiteral("mode")).toString(), QStringLiteral("OUTPUT"));
        const QJsonObject meta = line.value(QStringLiteral("eventMetadata")).toObject();
        QVERIFY(!meta.value(QStringLiteral("eventId")).toString().isEmpty());
        QCOMPARE(meta.value(QStringLiteral("inferenceTime")).toString(), QStringLiteral("2026-12-07T10:59:59.000Z"));
        QCOMPARE(meta.value(QStringLiteral("inferenceId")).toString(), QStringLiteral("client-7"));
        // The image travelled as base64 and comes back byte for byte.
        const CaptureWindow all = readCapture(dir.path());
        QCOMPARE(all.records.size(), 3);
        QCOMPARE(all.records.at(2).inputData, QByteArray("\x89PNG\r\n\x1a\n\0\xff", 10));
        // A window picks by inference time.
        const CaptureWindow hour11 = readCapture(dir.path(), h10.addSecs(1), h10.addSecs(3600));
        QCOMPARE(hour11.records.size(), 2);
    }

    void malformedLinesAreCountedWithFileAndLine()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m/2026/12/07/10/capture-1.jsonl"));
        QDir().mkpath(QFileInfo(path).absolutePath());
        const qint64 t = QDateTime(QDate(2026, 12, 7), QTime(10, 5), QTimeZone::utc()).toMSecsSinceEpoch();
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(record("1,a\n", "prediction\n1\n", t).toJsonLine() + "\n");
        f.write("{\"captureData\": {\"endpointInput\": \n");                      // line 2: cut JSON
        f.write("[1,2,3]\n");                                                    // line 3: not an object
        f.write("{\"captureData\":{\"endpointInput\":{\"data\":\"1,a\"}},\"eventMetadata\":{\"eventId\":\"e\",\"inferenceTime\":\"yesterday\"}}\n"); // line 4: bad time
        f.write("\n");
        f.write(record("2,b\n", "prediction\n0\n", t + 1).toJsonLine() + "\n");
        f.write("{\"captureData\":{\"endpointInput\":{\"data\":\"!!\",\"encoding\":\"BASE64\"}},\"eventMetadata\":{\"eventId\":\"e2\",\"inferenceTime\":\"2026-12-07T10:06:00Z\"}}\n"); // line 7
        f.close();
        const CaptureWindow w = readCapture(dir.path());
        QCOMPARE(w.records.size(), 2);
        QCOMPARE(w.malformed.size(), 4);
        QList<qint64> lines;
        for (const MalformedLine &m : w.malformed) {
            QCOMPARE(m.file, path);
            QVERIFY(!m.reason.isEmpty());
            lines << m.line;
        }
        QCOMPARE(lines, (QList<qint64>{2, 3, 4, 7}));
        QVERIFY(w.malformed.at(2).reason.contains(QStringLiteral("yesterday")));
    }

    void capturedRows()
    {
        CaptureWindow w;
        auto add = [&](const QByteArray &type, const QByteArray &body, const QByteArray &answer = "prediction,probability_no,probability_yes\nyes,0.2,0.8\n") {
            CaptureRecord r = record(body, answer, 0);
            r.inputContentType = type;
            w.records << r;
            return r.eventId;
        };
        add("text/csv", "30,male\n");
        add("text/csv", "sex,age\nfemale,40\n");                                     // a header, other order
        add("application/json", "{\"instances\":[{\"age\":50,\"sex\":\"male\"},{\"age\":51,\"sex\":\"female\"}]}",
            "prediction,probability_no,probability_yes\nno,0.9,0.1\nyes,0.3,0.7\n");
        add("application/json", "{\"dataframe_split\":{\"columns\":[\"age\",\"sex\"],\"data\":[[60,\"male\"]]}}");
        add("application/jsonlines", "{\"age\":70,\"sex\":\"female\",\"ticket\":\"A1\"}\n");  // an extra column
        add("text/csv", "name,sex,age\n\"Smith, Ann\",female,80\n");              // a header with a column the model ignores
        const QString bad = add("text/csv", "1,2,3\n");                                   // wrong field count
        QStringList ids;
        QList<MalformedLine> malformed;
        const data::Table t = capturedInputs(w, {QStringLiteral("age"), QStringLiteral("sex")}, {}, &ids, &malformed);
        QCOMPARE(t.rowCount(), 7);
        QCOMPARE(t.columnNames(), (QStringList{QStringLiteral("age"), QStringLiteral("sex"), QStringLiteral("ticket"), QStringLiteral("name")}));
        const data::Column &age = t.column(QStringLiteral("age"));
        QCOMPARE(age.values, (std::vector<double>{30, 40, 50, 51, 60, 70, 80}));
        QCOMPARE(t.column(QStringLiteral("name")).text(6), QStringLiteral("Smith, Ann"));
        QCOMPARE(t.column(QStringLiteral("sex")).text(1), QStringLiteral("female"));
        QCOMPARE(ids.at(2), w.records.at(2).eventId + QStringLiteral("#0"));
        QCOMPARE(ids.at(0), w.records.at(0).eventId);
        QCOMPARE(malformed.size(), 1);
        QCOMPARE(malformed.first().line, qint64(7));
        QVERIFY(malformed.first().reason.contains(bad));

        // Answers, quality from ground truth merged by event id, and CBPE.
        QStringList outIds;
        const data::Table out = capturedOutputs(w, &outIds);
        QCOMPARE(out.rowCount(), 8);
        QHash<QString, QString> labels{{outIds.at(0), QStringLiteral("yes")}, {outIds.at(2), QStringLiteral("no")}, {outIds.at(3), QStringLiteral("no")}};
        const QualityMetrics q = measureQuality(out, outIds, labels);
        QCOMPARE(q.problemType, QStringLiteral("binary"));
        QCOMPARE(q.count, qint64(3));
        QVERIFY(qAbs(q.metrics.value(QStringLiteral("accuracy")) - 2.0 / 3.0) < 1e-12);
        const QualityMetrics e = estimateQuality(out);
        QVERIFY(e.estimated);
        // Expected accuracy = mean of the top probability: (0.8·6 + 0.9 + 0.7) / 8.
        QVERIFY(qAbs(e.metrics.value(QStringLiteral("accuracy")) - (0.8 * 6 + 0.9 + 0.7) / 8) < 1e-12);
        QVERIFY(e.metrics.contains(QStringLiteral("auc")));
    }

    void groundTruthFiles()
    {
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("gt.csv"));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("eventId,label\ne1,yes\ne2,no\n");
        f.close();
        QCOMPARE(loadGroundTruth(csv).value(QStringLiteral("e2")), QStringLiteral("no"));
        const QString jsonl = dir.filePath(QStringLiteral("gt.jsonl"));
        QFile g(jsonl);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write("{\"groundTruthData\":{\"data\":\"1\",\"encoding\":\"CSV\"},\"eventMetadata\":{\"eventId\":\"e9\"},\"eventVersion\":\"0\"}\n{broken\n");
        g.close();
        try {
            loadGroundTruth(jsonl);
            QFAIL("a broken line must be an error");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(jsonl + QStringLiteral(":2")), qPrintable(e.message()));
        }
    }

    void scheduleFiresARun()
    {
        QTemporaryDir dir;
        const QString ws = dir.path();
        // Baseline: ages around 30; captured traffic: the first half like it, the second older.
        QByteArray train = "age,sex\n";
        for (int i = 0; i < 400; ++i)
            train += QByteArray::number(20 + i % 21) + (i % 2 ? ",male\n" : ",female\n");
        const data::Table t = data::CsvReader::parse(train, QStringLiteral("train.csv"));
        createBaseline(t, QStringLiteral("train.csv"), QDir(endpointMonitoringDir(ws, QStringLiteral("titanic"))).filePath(QStringLiteral("baseline")));
        CaptureWriter::Options o;
        o.directory = captureDir(ws, QStringLiteral("titanic"));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        {
            CaptureWriter w(o);
            for (int i = 0; i < 300; ++i) {
                const int age = i < 150 ? 20 + i % 21 : 45 + i % 21;
                QVERIFY(w.offer(record(QByteArray::number(age) + (i % 2 ? ",male\n" : ",female\n"), "prediction\n1\n",
                                       now.addSecs(-1800 + i).toMSecsSinceEpoch())));
            }
        }
        MonitoringSchedule s;
        s.endpoint = QStringLiteral("titanic");
        s.frequency = QStringLiteral("hourly");
        s.lastRun = now.addSecs(-7200);
        s.save(ws);
        QCOMPARE(MonitoringSchedule::list(ws).size(), 1);
        QVERIFY(MonitoringSchedule::load(ws, QStringLiteral("titanic"))->isDue(now));

        const QList<MonitoringRun> fired = runDueSchedules(ws, now);
        QCOMPARE(fired.size(), 1);
        const MonitoringRun &run = fired.first();
        QVERIFY2(run.status == QLatin1String("CompletedWithViolations"), qPrintable(run.status + QLatin1Char(' ') + run.error));
        QCOMPARE(run.records, qint64(300));
        QCOMPARE(run.driftedFeatures, QStringList{QStringLiteral("age")});
        QVERIFY(std::any_of(run.violations.begin(), run.violations.end(),
                            [](const Violation &v) { return v.featureName == QLatin1String("age") && v.checkType == QLatin1String("baseline_drift_check"); }));
        for (const char *file : {"run.json", "statistics.json", "constraint_violations.json", "drift.json", "report.md", "report.html"})
            QVERIFY2(QFile::exists(QDir(run.directory).filePath(QLatin1String(file))), file);
        // The next hour is not due yet; the run is listed with its scores.
        QVERIFY(runDueSchedules(ws, now.addSecs(60)).isEmpty());
        QCOMPARE(runDueSchedules(ws, now.addSecs(3601)).size(), 1);
        const QList<MonitoringRun> runs = listRuns(ws, QStringLiteral("titanic"));
        QCOMPARE(runs.size(), 2);
        QVERIFY(runs.first().featureScores.value(QStringLiteral("age")) > runs.first().featureScores.value(QStringLiteral("sex")));
        QCOMPARE(runs.first().drift().feature(QStringLiteral("age"))->drifted, true);
        QCOMPARE(runs.last().status, QStringLiteral("Failed")); // nothing captured in that window
        QVERIFY(runs.last().error.contains(QStringLiteral("no captured rows")));
        QCOMPARE(monitoredEndpoints(ws), QStringList{QStringLiteral("titanic")});
    }
};

QTEST_GUILESS_MAIN(tst_Monitoring)
#include "tst_monitoring.moc"
