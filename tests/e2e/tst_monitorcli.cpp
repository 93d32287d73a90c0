// The model monitor end to end: `cairn serve --capture 100` under concurrent load and a SIGTERM
// (nothing acknowledged is lost), traffic that shifts halfway, `cairn monitor baseline|run|
// violations|compare|relax|schedule|daemon` and their exit codes.
#include "servinghelpers.h"

#include "cairn/data/csvreader.h"
#include "cairn/data/csvwriter.h"
#include "cairn/monitor/capture.h"
#include "cairn/monitor/checks.h"
#include "cairn/monitor/monitoringrun.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <mutex>
#include <random>
#include <thread>

using namespace cairn;

class tst_MonitorCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QString m_run;
    data::Table m_table;
    QSet<QString> m_acked;            ///< event ids answered with 200
    QHash<QString, QString> m_truth;  ///< event id → survived of the row sent

    static QString titanic() { return QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/titanic.csv"); }
    ProcessResult cairn(const QStringList &args) { return cairnInWorkspace(m_ws, args, 300000); }

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFile::exists(titanic()))
            QSKIP("the shared data (titanic.csv) is not there");
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        const ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), titanic(),
                                       QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"), QStringLiteral("num_round=10"),
                                       QStringLiteral("--experiment"), QStringLiteral("monitor")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        Workspace ws(m_ws);
        RunQuery q;
        q.experimentIds = {ws.store().experimentByName(QStringLiteral("monitor")).id};
        const QList<Run> runs = ws.store().searchRuns(q);
        QVERIFY(!runs.isEmpty());
        m_run = runs.first().uuid;
        m_table = data::CsvReader::read(titanic());
    }

    void captureUnderLoadLosesNothingAcknowledged()
    {
        ServeProcess serve;
        QString why;
        QVERIFY2(serve.start(m_ws, {QStringLiteral("--model"), m_run, QStringLiteral("--name"), QStringLiteral("titanic"), QStringLiteral("--workers"),
                                    QStringLiteral("2"), QStringLiteral("--capture"), QStringLiteral("100")},
                             &why),
                 qPrintable(why));
        // Rows in a seeded random order; from the 600th request on, everyone is 25 years older.
        std::vector<qsizetype> order(size_t(m_table.rowCount()));
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), std::mt19937(18));
        const data::Column &sex = m_table.column(QStringLiteral("sex")), &age = m_table.column(QStringLiteral("age")),
                           &cls = m_table.column(QStringLiteral("passengerClass")), &survived = m_table.column(QStringLiteral("survived"));
        constexpr int kThreads = 8, kEach = 150, kShiftAt = 600;
        std::atomic<int> next{0}, answered{0}, sent{0};
        std::mutex mutex;
        auto work = [&] {
            KeepAliveClient client(serve.port);
            for (int i; (i = next.fetch_add(1)) < kThreads * kEach;) {
                const qsizetype r = order[size_t(i) % order.size()];
                const QString a = age.isMissing(r) ? QString() : QString::number(age.values[size_t(r)] + (i >= kShiftAt ? 25 : 0));
                // Column order of the model's input: sex, age, passengerClass.
                const HttpAnswer ans = client.post("/invocations", "text/csv", data::csvLine({sex.text(r), a, cls.text(r)}), {}, &sent);
                if (ans.status == 0)
                    continue; // the server is stopping: not acknowledged
                if (ans.status != 200)
                    continue;
                ++answered;
                const QByteArray id = ans.header("x-cairn-event-id");
                std::lock_guard<std::mutex> lock(mutex);
                if (!id.isEmpty()) {
                    m_acked.insert(QString::fromLatin1(id));
                    m_truth.insert(QString::fromLatin1(id), survived.text(r));
                }
            }
        };
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back(work);
        // /metrics counts captures while the load runs.
        QTRY_VERIFY_WITH_TIMEOUT(answered.load() >= 200, 60000);
        const HttpAnswer metrics = curl(serve.port, "GET", "/metrics");
        QVERIFY(metrics.body.contains("cairn_capture_records_total "));
        QVERIFY(metrics.body.contains("cairn_capture_dropped_total 0"));
        // SIGTERM while requests still come: what was answered is on disk when the process exits.
        QTRY_VERIFY_WITH_TIMEOUT(next.load() >= kThreads * kEach * 9 / 10, 120000);
        serve.signal(SIGTERM);
        for (std::thread &t : threads)
            t.join();
        QVERIFY(serve.waitForExit(60000));
        QCOMPARE(serve.exitCode(), 0);
        QVERIFY2(serve.stderrText().contains("captured "), serve.stderrText().constData());
        QVERIFY(m_acked.size() >= 200);
        QCOMPARE(m_acked.size(), answered.load()); // every 200 carried an event id (none dropped)

        const monitor::CaptureWindow w = monitor::readCapture(monitor::captureDir(m_ws, QStringLiteral("titanic")));
        QCOMPARE(w.malformed.size(), 0);
        QSet<QString> onDisk;
        for (const monitor::CaptureRecord &r : w.records)
            onDisk.insert(r.eventId);
        for (const QString &id : std::as_const(m_acked))
            QVERIFY2(onDisk.contains(id), qPrintable(QStringLiteral("acknowledged event %1 is not in the capture").arg(id)));
        QCOMPARE(onDisk.size(), w.records.size());
        // The capture files are hourly JSON Lines under the endpoint's model folder.
        QVERIFY(w.files.first().contains(QStringLiteral("/monitoring/titanic/capture/")));
    }

    void monitoringRunFindsTheShift()
    {
        QVERIFY(!m_acked.isEmpty());
        ProcessResult r = cairn({QStringLiteral("monitor"), QStringLiteral("baseline"), QStringLiteral("--endpoint"), QStringLiteral("titanic"),
                                 QStringLiteral("--model"), m_run});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        const QString baseline = QDir(monitor::endpointMonitoringDir(m_ws, QStringLiteral("titanic"))).filePath(QStringLiteral("baseline"));
        for (const char *f : {"statistics.json", "constraints.json", "reference.csv", "outputs.csv", "baseline.json"})
            QVERIFY2(QFile::exists(QDir(baseline).filePath(QLatin1String(f))), f);
        const monitor::Baseline b = monitor::Baseline::load(baseline);
        QVERIFY(!b.statistics.feature(QStringLiteral("survived"))); // the label is not a feature
        QVERIFY(b.quality.contains(QStringLiteral("accuracy")));

        // Ground truth for the captured events.
        QByteArray gt = "eventId,label\n";
        for (auto it = m_truth.cbegin(); it != m_truth.cend(); ++it)
            gt += it.key().toLatin1() + ',' + it.value().toUtf8() + '\n';
        const QString gtPath = writeFile(QDir(m_dir.path()), QStringLiteral("truth.csv"), gt);

        r = cairn({QStringLiteral("monitor"), QStringLiteral("run"), QStringLiteral("--endpoint"), QStringLiteral("titanic"), QStringLiteral("--last"),
                   QStringLiteral("2h"), QStringLiteral("--ground-truth"), gtPath, QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 1, qPrintable(r.err + r.out)); // a violation was found
        const QJsonObject run = r.json().object();
        QVERIFY2(run.value(QStringLiteral("status")).toString() == QLatin1String("CompletedWithViolations"), qPrintable(r.out + r.err));
        QCOMPARE(run.value(QStringLiteral("drifted_features")).toArray(), QJsonArray{QStringLiteral("age")});
        QCOMPARE(run.value(QStringLiteral("quality")).toObject().value(QStringLiteral("estimated")).toBool(), false);
        QCOMPARE(qint64(run.value(QStringLiteral("quality")).toObject().value(QStringLiteral("count")).toDouble()), qint64(m_truth.size()));
        QVERIFY(run.value(QStringLiteral("estimated_quality")).toObject().value(QStringLiteral("metrics")).toObject().contains(QStringLiteral("accuracy")));
        const QString dir = run.value(QStringLiteral("directory")).toString();
        const QList<monitor::Violation> v = monitor::loadViolations(QDir(dir).filePath(QStringLiteral("constraint_violations.json")));
        QVERIFY(std::any_of(v.begin(), v.end(), [](const monitor::Violation &x) {
            return x.featureName == QLatin1String("age") && x.checkType == QLatin1String("baseline_drift_check");
        }));
        QVERIFY(QFile::exists(QDir(dir).filePath(QStringLiteral("report.html"))));

        r = cairn({QStringLiteral("monitor"), QStringLiteral("violations"), QStringLiteral("--endpoint"), QStringLiteral("titanic")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.contains(QStringLiteral("baseline_drift_check")));
        r = cairn({QStringLiteral("monitor"), QStringLiteral("runs"), QStringLiteral("--endpoint"), QStringLiteral("titanic")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QStringLiteral("CompletedWithViolations")));

        // Relaxing age's threshold past the shift turns the drift violation off.
        r = cairn({QStringLiteral("monitor"), QStringLiteral("relax"), QStringLiteral("--endpoint"), QStringLiteral("titanic"), QStringLiteral("--feature"),
                   QStringLiteral("age"), QStringLiteral("--comparison-threshold"), QStringLiteral("100")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = cairn({QStringLiteral("monitor"), QStringLiteral("run"), QStringLiteral("--endpoint"), QStringLiteral("titanic"), QStringLiteral("--last"),
                   QStringLiteral("2h"), QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY(!r.json().object().value(QStringLiteral("drifted_features")).toArray().contains(QStringLiteral("age")));
    }

    void compareAndExitCodes()
    {
        const QDir d(m_dir.path());
        QByteArray shifted = "sex,age,passengerClass\n", same = shifted;
        const data::Column &sex = m_table.column(QStringLiteral("sex")), &age = m_table.column(QStringLiteral("age")),
                           &cls = m_table.column(QStringLiteral("passengerClass"));
        for (qsizetype r = 0; r < m_table.rowCount(); ++r) {
            same += data::csvLine({sex.text(r), age.text(r), cls.text(r)});
            shifted += data::csvLine({sex.text(r), age.isMissing(r) ? QString() : QString::number(age.values[size_t(r)] * 1.5), cls.text(r)});
        }
        const QString a = writeFile(d, QStringLiteral("a.csv"), same), b = writeFile(d, QStringLiteral("b.csv"), shifted);
        ProcessResult r = cairn({QStringLiteral("monitor"), QStringLiteral("compare"), QStringLiteral("--reference"), a, QStringLiteral("--current"), a});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        const QString out = d.filePath(QStringLiteral("compare"));
        r = cairn({QStringLiteral("monitor"), QStringLiteral("compare"), QStringLiteral("--reference"), a, QStringLiteral("--current"), b,
                   QStringLiteral("--out"), out});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains(QStringLiteral("age")) && r.out.contains(QStringLiteral("DRIFT")), qPrintable(r.out));
        for (const char *f : {"statistics.json", "constraints.json", "constraint_violations.json", "drift.json", "report.md", "report.html"})
            QVERIFY2(QFile::exists(QDir(out).filePath(QLatin1String(f))), f);
        r = cairn({QStringLiteral("monitor"), QStringLiteral("compare"), QStringLiteral("--reference"), d.filePath(QStringLiteral("missing.csv")),
                   QStringLiteral("--current"), a});
        QCOMPARE(r.exitCode, 3);
        QVERIFY(r.err.contains(QStringLiteral("missing.csv")));
        r = cairn({QStringLiteral("monitor"), QStringLiteral("compare"), QStringLiteral("--reference"), a, QStringLiteral("--current"), a,
                   QStringLiteral("--method"), QStringLiteral("bogus")});
        QCOMPARE(r.exitCode, 2);
        const QString base = d.filePath(QStringLiteral("base"));
        r = cairn({QStringLiteral("monitor"), QStringLiteral("baseline"), QStringLiteral("--data"), a, QStringLiteral("--out"), base});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(QFile::exists(QDir(base).filePath(QStringLiteral("statistics.json"))) && QFile::exists(QDir(base).filePath(QStringLiteral("constraints.json"))));
        r = cairn({QStringLiteral("monitor"), QStringLiteral("baseline"), QStringLiteral("--data"), a, QStringLiteral("--out"), base,
                   QStringLiteral("--target"), QStringLiteral("survivd")});
        QCOMPARE(r.exitCode, 3);
        r = cairn({QStringLiteral("monitor"), QStringLiteral("baseline"), QStringLiteral("--data"), a});
        QCOMPARE(r.exitCode, 2); // no --out
        r = cairn({QStringLiteral("monitor"), QStringLiteral("frobnicate")});
        QCOMPARE(r.exitCode, 2);
        r = cairn({QStringLiteral("monitor"), QStringLiteral("run"), QStringLiteral("--endpoint"), QStringLiteral("nothing-here")});
        QCOMPARE(r.exitCode, 1); // no baseline: the run fails
        QVERIFY(r.err.contains(QStringLiteral("baseline")));
    }

    void scheduleFiresFromTheDaemon()
    {
        ProcessResult r = cairn({QStringLiteral("monitor"), QStringLiteral("schedule"), QStringLiteral("--endpoint"), QStringLiteral("titanic"),
                                 QStringLiteral("--every"), QStringLiteral("hourly")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = cairn({QStringLiteral("monitor"), QStringLiteral("schedule"), QStringLiteral("--endpoint"), QStringLiteral("titanic"),
                   QStringLiteral("--every"), QStringLiteral("weekly")});
        QCOMPARE(r.exitCode, 2);
        const int before = int(monitor::listRuns(m_ws, QStringLiteral("titanic")).size());
        // A daemon fires the schedule that never ran at once, then waits for the next hour.
        QProcess daemon;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("CAIRN_WORKSPACE"));
        daemon.setProcessEnvironment(env);
        daemon.start(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("--workspace"), m_ws, QStringLiteral("monitor"), QStringLiteral("daemon"),
                                                     QStringLiteral("--interval"), QStringLiteral("0.5")});
        QVERIFY(daemon.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(monitor::listRuns(m_ws, QStringLiteral("titanic")).size() == before + 1, 60000);
        QTest::qWait(1500); // more looks: not due again
        daemon.terminate();
        QVERIFY(daemon.waitForFinished(30000));
        QCOMPARE(daemon.exitCode(), 0);
        QCOMPARE(int(monitor::listRuns(m_ws, QStringLiteral("titanic")).size()), before + 1);
        QVERIFY(QString::fromUtf8(daemon.readAllStandardOutput()).contains(QStringLiteral("titanic run")));
        const auto s = monitor::MonitoringSchedule::load(m_ws, QStringLiteral("titanic"));
        QVERIFY(s && s->lastRun.isValid());
        r = cairn({QStringLiteral("monitor"), QStringLiteral("daemon"), QStringLiteral("--once")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.isEmpty());
        r = cairn({QStringLiteral("monitor"), QStringLiteral("schedule")});
        QVERIFY(r.out.contains(QStringLiteral("titanic")) && r.out.contains(QStringLiteral("hourly")));
    }
};

QTEST_GUILESS_MAIN(tst_MonitorCli)
#include "tst_monitorcli.moc"
