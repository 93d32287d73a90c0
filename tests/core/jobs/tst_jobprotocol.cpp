// The job spec and the event/control line format.
#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/jobs/workercontext.h"
#include "cairn/util/error.h"

#include <QTemporaryDir>
#include <QThread>
#include <QTest>

#include <cmath>
#include <cstdio>

using namespace cairn;

class tst_JobProtocol : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void specRoundTrip()
    {
        JobSpec s;
        s.id = QStringLiteral("job-1");
        s.algorithm = QStringLiteral("xgboost");
        s.hyperparameters = QJsonObject{{QStringLiteral("eta"), 0.1}};
        data::ChannelSpec train;
        train.path = QStringLiteral("/data/t.csv");
        s.channels.insert(QStringLiteral("train"), train);
        data::ChannelSpec idx;
        idx.type = data::ChannelSpec::Type::Idx;
        idx.path = QStringLiteral("/data/x-images-idx3-ubyte.gz");
        idx.labelsPath = QStringLiteral("/data/x-labels-idx1-ubyte.gz");
        s.channels.insert(QStringLiteral("validation"), idx);
        s.seed = 12345678901234ULL;
        s.resources.cpus = 3;
        s.debugger.collections = {QStringLiteral("weights")};
        s.stopping.maxRuntimeSeconds = 60;
        s.preprocessing = QJsonObject{{QStringLiteral("categoricalEncoding"), QStringLiteral("auto")},
                                      {QStringLiteral("exclude"), QJsonArray{QStringLiteral("id")}}};
        QVERIFY(!JobSpec().toJson().contains(QStringLiteral("preprocessing"))); // empty: not written
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("spec.json"));
        s.save(path);
        const JobSpec b = JobSpec::load(path);
        QCOMPARE(b.algorithm, s.algorithm);
        QCOMPARE(b.hyperparameters, s.hyperparameters);
        QCOMPARE(b.seed, s.seed);
        QCOMPARE(b.resources.cpus, 3);
        QCOMPARE(b.channels.value(QStringLiteral("validation")).type, data::ChannelSpec::Type::Idx);
        QCOMPARE(b.channels.value(QStringLiteral("validation")).labelsPath, idx.labelsPath);
        QCOMPARE(b.debugger.collections, s.debugger.collections);
        QCOMPARE(b.stopping.maxRuntimeSeconds, 60);
        QCOMPARE(b.preprocessing, s.preprocessing);
    }

    void specRejectsWhatItCannotRun()
    {
        auto errorOf = [](const QJsonObject &o) {
            try {
                JobSpec::fromJson(o, QStringLiteral("spec.json"));
            } catch (const Error &e) {
                return e.message();
            }
            return QString();
        };
        const QJsonObject train{{QStringLiteral("train"), QJsonObject{{QStringLiteral("path"), QStringLiteral("a.csv")}}}};
        QVERIFY(errorOf(QJsonObject{{QStringLiteral("algorithm"), QStringLiteral("x")}, {QStringLiteral("channels"), train}}).contains(QStringLiteral("no \"version\"")));
        QVERIFY(errorOf(QJsonObject{{QStringLiteral("version"), 2}, {QStringLiteral("algorithm"), QStringLiteral("x")}, {QStringLiteral("channels"), train}})
                    .contains(QStringLiteral("version 2 is not supported")));
        QVERIFY(errorOf(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("channels"), train}}).contains(QStringLiteral("no \"algorithm\"")));
        QVERIFY(errorOf(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("algorithm"), QStringLiteral("x")}}).contains(QStringLiteral("no \"train\" channel")));
        const QJsonObject badType{{QStringLiteral("train"), QJsonObject{{QStringLiteral("path"), QStringLiteral("a")}, {QStringLiteral("type"), QStringLiteral("parquet")}}}};
        QVERIFY(errorOf(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("algorithm"), QStringLiteral("x")}, {QStringLiteral("channels"), badType}})
                    .contains(QStringLiteral("unknown channel type 'parquet'")));
        QVERIFY(errorOf(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("algorithm"), QStringLiteral("x")}, {QStringLiteral("channels"), train},
                                    {QStringLiteral("preprocessing"), QStringLiteral("auto")}})
                    .contains(QStringLiteral("\"preprocessing\" must be an object")));
    }

    // Found by a hostile user: --cpus 40000 or resources.cpus 1,000,000 killed the worker with
    // SIGSEGV. The spec takes whole numbers only; the worker refuses more CPUs than it has.
    void cpusAreCheckedInTheSpecAndOnTheHost()
    {
        auto specWith = [](const QJsonValue &cpus) {
            return QJsonObject{{QStringLiteral("version"), 1},
                               {QStringLiteral("algorithm"), QStringLiteral("x")},
                               {QStringLiteral("channels"), QJsonObject{{QStringLiteral("train"), QJsonObject{{QStringLiteral("path"), QStringLiteral("a.csv")}}}}},
                               {QStringLiteral("resources"), QJsonObject{{QStringLiteral("cpus"), cpus}}}};
        };
        QCOMPARE(JobSpec::fromJson(specWith(2), QStringLiteral("spec.json")).resources.cpus, 2);
        QCOMPARE(JobSpec::fromJson(specWith(0), QStringLiteral("spec.json")).resources.cpus, 0);
        for (const QJsonValue &bad : {QJsonValue(1000000), QJsonValue(-1), QJsonValue(2.5), QJsonValue(1e300), QJsonValue(QStringLiteral("4"))}) {
            try {
                JobSpec::fromJson(specWith(bad), QStringLiteral("spec.json"));
                QFAIL("expected an error");
            } catch (const Error &e) {
                QVERIFY2(e.message().startsWith(QStringLiteral("spec.json: resources.cpus must be a whole number of CPUs")), qPrintable(e.message()));
            }
        }

        JobSpec spec;
        spec.algorithm = QStringLiteral("x");
        std::FILE *f = std::tmpfile();
        const int cores = std::max(1, QThread::idealThreadCount());
        for (int cpus : {0, 1, cores})
            WorkerContext{[&] { JobSpec s = spec; s.resources.cpus = cpus; return s; }(), f}.checkResources();
        for (int cpus : {cores + 1, 40000}) {
            spec.resources.cpus = cpus;
            try {
                WorkerContext(spec, f).checkResources();
                QFAIL("expected an error");
            } catch (const Error &e) {
                QCOMPARE(e.message(), QStringLiteral("the job asks for %1 CPUs, but this machine has %2 (set --cpus or resources.cpus to "
                                                     "at most %2, or 0 for all)").arg(cpus).arg(cores));
            }
        }
        std::fclose(f);
    }

    void parsesEvents()
    {
        auto e = JobEvent::parse(R"({"type":"metric","key":"loss","value":0.5,"step":3,"ts":1000})");
        QVERIFY(e);
        QCOMPARE(e->type, JobEvent::Type::Metric);
        QCOMPARE(e->value(), 0.5);
        QCOMPARE(e->step(), 3);
        QCOMPARE(e->timestamp, 1000);
        e = JobEvent::parse(R"({"type":"metric","key":"loss","value":null,"step":1})");
        QVERIFY(e && std::isnan(e->value()));
        e = JobEvent::parse(R"({"type":"metric","key":"loss","value":"-Infinity","step":1})");
        QVERIFY(e && std::isinf(e->value()) && e->value() < 0);
        QVERIFY(JobEvent::parse(R"({"type":"status","status":"finished"})"));
        // Round trip through toLine keeps NaN.
        const auto back = JobEvent::parse(JobEvent::metric(QStringLiteral("k"), NAN, 2).toLine().trimmed());
        QVERIFY(back && std::isnan(back->value()));
    }

    void rejectsMalformedEvents_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("why");
        QTest::newRow("not json") << QByteArray("hello world") << QStringLiteral("not JSON");
        QTest::newRow("truncated") << QByteArray(R"({"type":"metric","key":"a")") << QStringLiteral("not JSON");
        QTest::newRow("array") << QByteArray("[1,2]") << QStringLiteral("not a JSON object");
        QTest::newRow("no type") << QByteArray(R"({"key":"a"})") << QStringLiteral("no \"type\"");
        QTest::newRow("unknown type") << QByteArray(R"({"type":"explode"})") << QStringLiteral("unknown event type");
        QTest::newRow("metric no key") << QByteArray(R"({"type":"metric","value":1})") << QStringLiteral("without \"key\"");
        QTest::newRow("metric text") << QByteArray(R"({"type":"metric","key":"a","value":"high"})") << QStringLiteral("text value");
        QTest::newRow("metric object") << QByteArray(R"({"type":"metric","key":"a","value":{}})") << QStringLiteral("no numeric");
        QTest::newRow("param number") << QByteArray(R"({"type":"param","key":"a","value":1})") << QStringLiteral("text \"value\"");
        QTest::newRow("progress") << QByteArray(R"({"type":"progress","fraction":"half"})") << QStringLiteral("fraction");
        QTest::newRow("status") << QByteArray(R"({"type":"status"})") << QStringLiteral("without \"status\"");
        QTest::newRow("binary") << QByteArray("\x00\xff\xfe{", 4) << QStringLiteral("not JSON");
    }
    void rejectsMalformedEvents()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, why);
        QString error;
        QVERIFY(!JobEvent::parse(line, &error));
        QVERIFY2(error.contains(why), qPrintable(error));
    }

    void workerContextWritesLinesAndReadsControl()
    {
        QTemporaryDir dir;
        JobSpec spec;
        spec.algorithm = QStringLiteral("x");
        spec.outputDir = dir.filePath(QStringLiteral("out"));
        spec.debugger.collections = {QStringLiteral("weights")};
        spec.debugger.interval = 10;
        std::FILE *f = std::tmpfile();
        WorkerContext ctx(spec, f);
        ctx.logMetric(QStringLiteral("loss"), 0.25, 7);
        ctx.progress(1.5, QStringLiteral("over"));
        const float w[] = {1, 2, 3};
        ctx.tensorStats(TensorStats::of(QStringLiteral("fc.weight"), 10, w, 3));
        QVERIFY(ctx.collects(QStringLiteral("weights"), 20));
        QVERIFY(!ctx.collects(QStringLiteral("weights"), 21));
        QVERIFY(!ctx.collects(QStringLiteral("gradients"), 20));
        QVERIFY(!ctx.stopRequested());
        QVERIFY(!ctx.handleControlLine("nonsense"));
        QVERIFY(ctx.handleControlLine(R"({"type":"stop"})"));
        QVERIFY(ctx.stopRequested());
        std::rewind(f);
        QList<JobEvent> events;
        char buf[4096];
        while (std::fgets(buf, sizeof buf, f)) {
            const auto e = JobEvent::parse(QByteArray(buf).trimmed());
            QVERIFY2(e, buf);
            events << *e;
        }
        std::fclose(f);
        QCOMPARE(events.size(), 3);
        QCOMPARE(events[0].key(), QStringLiteral("loss"));
        QCOMPARE(events[1].fraction(), 1.0); // clamped
        QCOMPARE(events[2].type, JobEvent::Type::Histogram);
        QCOMPARE(events[2].data.value(QStringLiteral("mean")).toDouble(), 2.0);
        QVERIFY(QFileInfo(spec.outputDir).isDir());
    }
};

QTEST_GUILESS_MAIN(tst_JobProtocol)
#include "tst_jobprotocol.moc"
