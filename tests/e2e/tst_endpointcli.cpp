// `cairn serve` end to end: a real endpoint answering curl and keep-alive clients with the
// answers of `cairn predict` for every payload form; token, size cap, malformed bodies,
// concurrency, production variants, hot swap (folder and registry alias), SIGTERM draining.
#include "servinghelpers.h"

#include "cairn/data/csvreader.h"
#include "cairn/data/csvwriter.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <csignal>
#include <thread>

using namespace cairn;

class tst_EndpointCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QString m_run, m_run2;
    QByteArray m_expected;      ///< cairn predict on titanic.csv (model 1)
    QByteArray m_expected2;     ///< the same with model 2
    QStringList m_columns;      ///< the model's input columns
    data::Table m_table;
    ServeProcess m_serve;

    static QString titanic() { return QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/titanic.csv"); }
    ProcessResult cairn(const QStringList &args) { return cairnInWorkspace(m_ws, args, 300000); }

    QString train(int rounds, const QString &experiment)
    {
        const ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), titanic(),
                                       QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"),
                                       QStringLiteral("num_round=%1").arg(rounds), QStringLiteral("--experiment"), experiment});
        if (r.exitCode != 0)
            qWarning() << r.err;
        Workspace ws(m_ws);
        RunQuery q;
        q.experimentIds = {ws.store().experimentByName(experiment).id};
        const QList<Run> runs = ws.store().searchRuns(q);
        return runs.isEmpty() ? QString() : runs.first().uuid;
    }

    QByteArray predict(const QString &model)
    {
        const QString out = m_dir.filePath(QStringLiteral("predict-%1.csv").arg(model.left(8)));
        const ProcessResult r = cairn({QStringLiteral("predict"), QStringLiteral("--model"), model, QStringLiteral("--input"), titanic(),
                                       QStringLiteral("--output"), out});
        if (r.exitCode != 0)
            qWarning() << r.err;
        QFile f(out);
        f.open(QIODevice::ReadOnly);
        return f.readAll();
    }

    /// Row r of titanic as a JSON value of the given column.
    QJsonValue cell(qsizetype r, const QString &column) const
    {
        const data::Column &c = m_table.column(column);
        if (c.isMissing(r))
            return QJsonValue::Null;
        return c.isNumeric() && c.type == data::ColumnType::Numeric ? QJsonValue(c.values[size_t(r)]) : QJsonValue(c.text(r));
    }
    QJsonObject record(qsizetype r) const
    {
        QJsonObject o;
        for (const QString &c : m_columns)
            o.insert(c, cell(r, c));
        return o;
    }
    QJsonArray values(qsizetype r) const
    {
        QJsonArray a;
        for (const QString &c : m_columns)
            a.append(cell(r, c));
        return a;
    }

    /// JSON predictions back to the CSV lines `cairn predict` writes.
    static QByteArray jsonToCsv(const QByteArray &json, const QByteArray &header, bool lines = false)
    {
        QByteArray out = header;
        QJsonArray preds;
        if (lines) {
            for (const QByteArray &l : json.split('\n'))
                if (!l.trimmed().isEmpty())
                    preds.append(QJsonDocument::fromJson(l).object());
        } else {
            preds = QJsonDocument::fromJson(json).object().value(QStringLiteral("predictions")).toArray();
        }
        const QList<QByteArray> names = header.trimmed().split(',');
        for (const QJsonValue &v : preds) {
            const QJsonObject o = v.toObject();
            QStringList fields;
            for (const QByteArray &n : names) {
                const QJsonValue x = o.value(QString::fromUtf8(n));
                fields << (x.isString() ? x.toString() : QString::number(x.toDouble(), 'g', 6));
            }
            out += data::csvLine(fields);
        }
        return out;
    }
    QByteArray expectedHeader() const { return m_expected.left(m_expected.indexOf('\n') + 1); }
    QByteArray expectedLine(const QByteArray &all, qsizetype r) const { return all.split('\n').at(r + 1); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(QFile::exists(QStringLiteral("/usr/bin/curl")));
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        m_run = train(15, QStringLiteral("serve"));
        QVERIFY(!m_run.isEmpty());
        m_run2 = train(3, QStringLiteral("serve2"));
        QVERIFY(!m_run2.isEmpty());
        m_expected = predict(m_run);
        m_expected2 = predict(m_run2);
        QCOMPARE(m_expected.count('\n'), 1310);
        QVERIFY(m_expected != m_expected2);
        m_table = data::CsvReader::read(titanic());
        QString why;
        QVERIFY2(m_serve.start(m_ws, {QStringLiteral("--model"), m_run, QStringLiteral("--name"), QStringLiteral("titanic"), QStringLiteral("--workers"),
                                      QStringLiteral("2")},
                               &why),
                 qPrintable(why));
        const HttpAnswer models = curl(m_serve.port, "GET", "/models");
        QCOMPARE(models.status, 200);
        for (const QJsonValue &c : QJsonDocument::fromJson(models.body).object().value(QStringLiteral("models")).toArray().first().toObject().value(QStringLiteral("inputColumns")).toArray())
            m_columns << c.toString();
        QCOMPARE(m_columns.size(), 3);
    }

    void contractRoutes()
    {
        const HttpAnswer ping = curl(m_serve.port, "GET", "/ping");
        QCOMPARE(ping.status, 200);
        QVERIFY(ping.body.isEmpty());
        const HttpAnswer params = curl(m_serve.port, "GET", "/execution-parameters");
        QCOMPARE(params.status, 200);
        const QJsonObject p = QJsonDocument::fromJson(params.body).object();
        QCOMPARE(p.value(QStringLiteral("MaxPayloadInMB")).toInt(), 6);
        QCOMPARE(p.value(QStringLiteral("BatchStrategy")).toString(), QStringLiteral("MULTI_RECORD"));
        const HttpAnswer unknown = curl(m_serve.port, "GET", "/nothing-here");
        QCOMPARE(unknown.status, 404);
        QVERIFY(QJsonDocument::fromJson(unknown.body).object().value(QStringLiteral("error")).toString().contains(QStringLiteral("/nothing-here")));
        QCOMPARE(curl(m_serve.port, "GET", "/invocations").status, 405);
        QCOMPARE(curl(m_serve.port, "POST", "/models/nobody/invocations", "a,b", {"Content-Type: text/csv"}).status, 404);
        // The endpoint is recorded in the workspace while it serves.
        const ProcessResult list = cairn({QStringLiteral("endpoints"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(list.exitCode, 0);
        const QJsonArray endpoints = list.json().array();
        QCOMPARE(endpoints.size(), 1);
        QCOMPARE(endpoints.first().toObject().value(QStringLiteral("name")).toString(), QStringLiteral("titanic"));
        QCOMPARE(endpoints.first().toObject().value(QStringLiteral("port")).toInt(), int(m_serve.port));
    }

    void csvWithAndWithoutHeaderEqualsPredict()
    {
        QFile f(titanic());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray csv = f.readAll();
        const HttpAnswer withHeader = curl(m_serve.port, "POST", "/invocations", csv, {"Content-Type: text/csv"});
        QCOMPARE(withHeader.status, 200);
        QCOMPARE(withHeader.header("content-type"), QByteArray("text/csv"));
        QCOMPARE(withHeader.body, m_expected);
        // Without a header: the model's input columns in their order.
        QByteArray bare;
        for (qsizetype r = 0; r < m_table.rowCount(); ++r) {
            QStringList fields;
            for (const QString &c : m_columns)
                fields << m_table.column(c).text(r);
            bare += data::csvLine(fields);
        }
        const HttpAnswer headerless = curl(m_serve.port, "POST", "/invocations", bare, {"Content-Type: text/csv"});
        QCOMPARE(headerless.status, 200);
        QCOMPARE(headerless.body, m_expected);
        // The same body sent in chunks (Transfer-Encoding: chunked).
        const HttpAnswer chunked = curl(m_serve.port, "POST", "/invocations", csv, {"Content-Type: text/csv", "Transfer-Encoding: chunked"});
        QCOMPARE(chunked.status, 200);
        QCOMPARE(chunked.body, m_expected);
    }

    void jsonFormsEqualPredict_data()
    {
        QTest::addColumn<QString>("form");
        for (const char *f : {"dataframe_split", "dataframe_records", "instances", "instances_lists", "sagemaker_features", "inputs", "array", "jsonlines"})
            QTest::newRow(f) << QString::fromLatin1(f);
    }
    void jsonFormsEqualPredict()
    {
        QFETCH(QString, form);
        QJsonArray records, lists, features;
        QJsonObject columnar;
        for (qsizetype r = 0; r < m_table.rowCount(); ++r) {
            records.append(record(r));
            lists.append(values(r));
            features.append(QJsonObject{{QStringLiteral("features"), values(r)}});
        }
        for (const QString &c : m_columns) {
            QJsonArray col;
            for (qsizetype r = 0; r < m_table.rowCount(); ++r)
                col.append(cell(r, c));
            columnar.insert(c, col);
        }
        QJsonDocument doc;
        QByteArray body, type = "Content-Type: application/json";
        if (form == QLatin1String("dataframe_split"))
            doc = QJsonDocument(QJsonObject{{form, QJsonObject{{QStringLiteral("columns"), QJsonArray::fromStringList(m_columns)}, {QStringLiteral("data"), lists}}}});
        else if (form == QLatin1String("dataframe_records") || form == QLatin1String("instances"))
            doc = QJsonDocument(QJsonObject{{form, records}});
        else if (form == QLatin1String("instances_lists"))
            doc = QJsonDocument(QJsonObject{{QStringLiteral("instances"), lists}});
        else if (form == QLatin1String("sagemaker_features"))
            doc = QJsonDocument(QJsonObject{{QStringLiteral("instances"), features}});
        else if (form == QLatin1String("inputs"))
            doc = QJsonDocument(QJsonObject{{QStringLiteral("inputs"), columnar}});
        else if (form == QLatin1String("array"))
            doc = QJsonDocument(records);
        if (form == QLatin1String("jsonlines")) {
            for (const QJsonValue &v : records)
                body += QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact) + '\n';
            type = "Content-Type: application/jsonlines";
        } else {
            body = doc.toJson(QJsonDocument::Compact);
        }
        const HttpAnswer a = curl(m_serve.port, "POST", "/invocations", body, {type});
        QVERIFY2(a.status == 200, a.body.constData());
        QCOMPARE(jsonToCsv(a.body, expectedHeader(), form == QLatin1String("jsonlines")), m_expected);
    }

    void acceptPicksTheAnswerFormat()
    {
        const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("instances"), QJsonArray{record(0), record(1)}}}).toJson(QJsonDocument::Compact);
        const HttpAnswer csv = curl(m_serve.port, "POST", "/invocations", body, {"Content-Type: application/json", "Accept: text/csv"});
        QCOMPARE(csv.status, 200);
        QCOMPARE(csv.header("content-type"), QByteArray("text/csv"));
        QCOMPARE(csv.body, expectedHeader() + expectedLine(m_expected, 0) + '\n' + expectedLine(m_expected, 1) + '\n');
        const HttpAnswer json = curl(m_serve.port, "POST", "/invocations", "female,29,1st\n", {"Content-Type: text/csv", "Accept: application/json"});
        QCOMPARE(json.status, 200);
        QCOMPARE(json.header("content-type"), QByteArray("application/json"));
        QVERIFY(json.body.startsWith("{\"predictions\":[{\"prediction\":"));
        const HttpAnswer lines = curl(m_serve.port, "POST", "/invocations", body, {"Content-Type: application/json", "Accept: application/jsonlines"});
        QCOMPARE(lines.body.count('\n'), 2);
        QCOMPARE(curl(m_serve.port, "POST", "/invocations", body, {"Content-Type: application/json", "Accept: image/png"}).status, 406);
        QCOMPARE(curl(m_serve.port, "POST", "/invocations", body, {"Content-Type: application/xml"}).status, 415);
    }

    void malformedBodiesName()
    {
        auto error = [&](const QByteArray &body, const QByteArray &type) {
            const HttpAnswer a = curl(m_serve.port, "POST", "/invocations", body, {"Content-Type: " + type});
            [&] { QCOMPARE(a.status, 400); }();
            return QJsonDocument::fromJson(a.body).object();
        };
        QJsonObject e = error("{\"instances\": [", "application/json");
        QVERIFY(e.value(QStringLiteral("error")).toString().contains(QStringLiteral("not JSON")));
        // Row 3 has a word where the model wants a number.
        QJsonArray rows{record(0), record(1), record(2)};
        QJsonObject bad = record(2);
        bad.insert(QStringLiteral("age"), QStringLiteral("old"));
        rows.replace(2, bad);
        e = error(QJsonDocument(QJsonObject{{QStringLiteral("instances"), rows}}).toJson(), "application/json");
        QCOMPARE(e.value(QStringLiteral("row")).toInt(), 3);
        QCOMPARE(e.value(QStringLiteral("column")).toString(), QStringLiteral("age"));
        e = error("sex,age,passengerClass\nmale,22,3rd\nfemale,abc,1st\n", "text/csv");
        QCOMPARE(e.value(QStringLiteral("row")).toInt(), 2);
        QCOMPARE(e.value(QStringLiteral("column")).toString(), QStringLiteral("age"));
        e = error("male,22,3rd\nfemale,30\n", "text/csv");
        QCOMPARE(e.value(QStringLiteral("row")).toInt(), 2);
        QJsonObject missing = record(0);
        missing.remove(QStringLiteral("sex"));
        e = error(QJsonDocument(QJsonObject{{QStringLiteral("dataframe_records"), QJsonArray{record(0), missing}}}).toJson(), "application/json");
        QCOMPARE(e.value(QStringLiteral("row")).toInt(), 2);
        QCOMPARE(e.value(QStringLiteral("column")).toString(), QStringLiteral("sex"));
        e = error("{\"dataframe_split\": {\"columns\": [\"sex\"], \"data\": [[\"male\"]]}}", "application/json");
        QVERIFY(e.value(QStringLiteral("error")).toString().contains(QStringLiteral("lacks")));
        e = error("", "text/csv");
        QVERIFY(e.value(QStringLiteral("error")).toString().contains(QStringLiteral("empty")));
        e = error("{\"sex\": \"male\", \"age\": 3}\nnot json\n", "application/jsonlines");
        QCOMPARE(e.value(QStringLiteral("row")).toInt(), 1);
    }

    void bodyOverTheCapIs413()
    {
        QByteArray big;
        while (big.size() < 7 * 1024 * 1024)
            big += "female,29,1st\n";
        // curl sends Expect: 100-continue for a large body; also without it.
        QCOMPARE(curl(m_serve.port, "POST", "/invocations", big, {"Content-Type: text/csv"}).status, 413);
        QCOMPARE(curl(m_serve.port, "POST", "/invocations", big, {"Content-Type: text/csv", "Expect:"}).status, 413);
        QCOMPARE(curl(m_serve.port, "GET", "/ping").status, 200);
    }

    void bearerToken()
    {
        ServeProcess secured;
        QString why;
        QVERIFY2(secured.start(m_ws, {QStringLiteral("--model"), m_run, QStringLiteral("--name"), QStringLiteral("secured"), QStringLiteral("--token"),
                                      QStringLiteral("s3cret-token")},
                               &why),
                 qPrintable(why));
        const QByteArray row = "female,29,1st\n";
        QCOMPARE(curl(secured.port, "GET", "/ping").status, 200);
        QCOMPARE(curl(secured.port, "POST", "/invocations", row, {"Content-Type: text/csv"}).status, 401);
        QCOMPARE(curl(secured.port, "POST", "/invocations", row, {"Content-Type: text/csv", "Authorization: Bearer s3cret-tokeX"}).status, 401);
        QCOMPARE(curl(secured.port, "POST", "/invocations", row, {"Content-Type: text/csv", "Authorization: Bearer s3cret"}).status, 401);
        const HttpAnswer ok = curl(secured.port, "POST", "/invocations", row, {"Content-Type: text/csv", "Authorization: Bearer s3cret-token"});
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.body, expectedHeader() + expectedLine(m_expected, 0) + '\n');
        QCOMPARE(curl(secured.port, "GET", "/metrics").status, 401);
    }

    void eightClientsThousandRequestsEach()
    {
        std::atomic<int> wrong{0}, done{0};
        QByteArray firstWrong;
        std::mutex m;
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&, t] {
                KeepAliveClient client(m_serve.port);
                for (int i = 0; i < 1000; ++i) {
                    const qsizetype r = (t * 1000 + i) % m_table.rowCount();
                    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("dataframe_records"), QJsonArray{record(r)}}}).toJson(QJsonDocument::Compact);
                    const HttpAnswer a = client.post("/invocations", "application/json", body, "Accept: text/csv\r\n");
                    if (a.status == 200 && a.body == expectedHeader() + expectedLine(m_expected, r) + '\n') {
                        ++done;
                        continue;
                    }
                    if (++wrong == 1) {
                        std::lock_guard lock(m);
                        firstWrong = QByteArray::number(a.status) + " " + a.body;
                    }
                }
            });
        for (std::thread &t : threads)
            t.join();
        QVERIFY2(wrong == 0, firstWrong.constData());
        QCOMPARE(done.load(), 8000);
        const HttpAnswer metrics = curl(m_serve.port, "GET", "/metrics");
        QVERIFY(metrics.body.contains("cairn_invocation_duration_seconds_bucket{model=\""));
    }

    void productionVariantsSplitTraffic()
    {
        ServeProcess ab;
        QString why;
        QVERIFY2(ab.start(m_ws, {QStringLiteral("--variant"), QStringLiteral("a=%1=80").arg(m_run), QStringLiteral("--variant"),
                                 QStringLiteral("b=%1=20").arg(m_run2), QStringLiteral("--name"), QStringLiteral("ab")},
                          &why),
                 qPrintable(why));
        KeepAliveClient client(ab.port);
        int a = 0, b = 0;
        const int n = 2000;
        for (int i = 0; i < n; ++i) {
            const qsizetype r = i % m_table.rowCount();
            const HttpAnswer ans = client.post("/invocations", "text/csv", data::csvLine({m_table.column(m_columns[0]).text(r), m_table.column(m_columns[1]).text(r),
                                                                                           m_table.column(m_columns[2]).text(r)}));
            QCOMPARE(ans.status, 200);
            const QByteArray variant = ans.header("x-amzn-invoked-production-variant");
            // Each variant answers with its own model.
            if (variant == "a") {
                ++a;
                QCOMPARE(ans.body.split('\n').at(1), expectedLine(m_expected, r));
            } else {
                QCOMPARE(variant, QByteArray("b"));
                ++b;
                QCOMPARE(ans.body.split('\n').at(1), expectedLine(m_expected2, r));
            }
        }
        // 80 % ± 4 points (about 4.5 standard deviations at n = 2000).
        QVERIFY2(std::abs(double(a) / n - 0.8) < 0.04, qPrintable(QStringLiteral("variant a got %1 of %2").arg(a).arg(n)));
        const HttpAnswer metrics = curl(ab.port, "GET", "/metrics");
        QVERIFY2(metrics.body.contains("cairn_invocations_total{variant=\"a\"} " + QByteArray::number(a) + "\n"), metrics.body.constData());
        QVERIFY(metrics.body.contains("cairn_invocations_total{variant=\"b\"} " + QByteArray::number(b) + "\n"));
        // A client may pick the variant.
        const HttpAnswer pinned = curl(ab.port, "POST", "/invocations", "female,29,1st\n", {"Content-Type: text/csv", "X-Amzn-SageMaker-Target-Variant: b"});
        QCOMPARE(pinned.header("x-amzn-invoked-production-variant"), QByteArray("b"));
    }

    void severalModelsOnOnePort()
    {
        ServeProcess multi;
        QString why;
        QVERIFY2(multi.start(m_ws, {QStringLiteral("--model"), QStringLiteral("one=%1").arg(m_run), QStringLiteral("--model"),
                                    QStringLiteral("two=%1").arg(m_run2), QStringLiteral("--name"), QStringLiteral("multi")},
                             &why),
                 qPrintable(why));
        const QByteArray row = "female,29,1st\n";
        QCOMPARE(curl(multi.port, "POST", "/models/one/invocations", row, {"Content-Type: text/csv"}).body.split('\n').at(1), expectedLine(m_expected, 0));
        QCOMPARE(curl(multi.port, "POST", "/models/two/invocations", row, {"Content-Type: text/csv"}).body.split('\n').at(1), expectedLine(m_expected2, 0));
        QCOMPARE(curl(multi.port, "POST", "/invocations", row, {"Content-Type: text/csv"}).body.split('\n').at(1), expectedLine(m_expected, 0));
    }

    void hotSwapUnderLoadDropsNothing()
    {
        // A model folder that is replaced while clients keep calling.
        const QString folder = m_dir.filePath(QStringLiteral("swapme"));
        QVERIFY(QDir().mkpath(folder));
        const QString from1 = QDir(m_ws).filePath(QStringLiteral("artifacts/%1/model").arg(m_run));
        const QString from2 = QDir(m_ws).filePath(QStringLiteral("artifacts/%1/model").arg(m_run2));
        for (const QString &f : QDir(from1).entryList(QDir::Files))
            QVERIFY(QFile::copy(QDir(from1).filePath(f), QDir(folder).filePath(f)));
        ServeProcess swap;
        QString why;
        QVERIFY2(swap.start(m_ws, {QStringLiteral("--model"), folder, QStringLiteral("--name"), QStringLiteral("swap"), QStringLiteral("--poll-seconds"),
                                   QStringLiteral("0")},
                            &why),
                 qPrintable(why));
        std::atomic<bool> stop{false};
        std::atomic<int> failures{0}, fromNew{0}, total{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                KeepAliveClient client(swap.port);
                for (int i = 0; !stop.load(); ++i) {
                    const qsizetype r = (t * 7919 + i) % m_table.rowCount();
                    const HttpAnswer a = client.post("/invocations", "application/json",
                                                     QJsonDocument(QJsonObject{{QStringLiteral("instances"), QJsonArray{record(r)}}}).toJson(QJsonDocument::Compact),
                                                     "Accept: text/csv\r\n");
                    ++total;
                    const QByteArray line = a.status == 200 ? a.body.split('\n').value(1) : QByteArray();
                    if (line == expectedLine(m_expected2, r) && line != expectedLine(m_expected, r))
                        ++fromNew;
                    else if (line != expectedLine(m_expected, r) && line != expectedLine(m_expected2, r))
                        ++failures;
                }
            });
        QTRY_VERIFY_WITH_TIMEOUT(total.load() > 500, 30000);
        // Replace the model's files (each file atomically), then ask for a reload.
        for (const QString &f : QDir(from2).entryList(QDir::Files)) {
            const QString tmp = QDir(folder).filePath(f + QStringLiteral(".new"));
            QVERIFY(QFile::copy(QDir(from2).filePath(f), tmp));
            QFile::remove(QDir(folder).filePath(f));
            QVERIFY(QFile::rename(tmp, QDir(folder).filePath(f)));
        }
        swap.signal(SIGHUP);
        QTRY_VERIFY_WITH_TIMEOUT(fromNew.load() > 200, 30000);
        stop.store(true);
        for (std::thread &t : threads)
            t.join();
        QCOMPARE(failures.load(), 0);
        QVERIFY(swap.stderrText().contains("swapped model"));
        QVERIFY(curl(swap.port, "GET", "/metrics").body.contains("cairn_model_swaps_total 1\n"));
    }

    void followsARegistryAlias()
    {
        QCOMPARE(cairn({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("titanic"), QStringLiteral("--run"), m_run}).exitCode, 0);
        QCOMPARE(cairn({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("titanic"), QStringLiteral("--run"), m_run2}).exitCode, 0);
        QCOMPARE(cairn({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("titanic"), QStringLiteral("champion"), QStringLiteral("1")}).exitCode, 0);
        ServeProcess champion;
        QString why;
        QVERIFY2(champion.start(m_ws, {QStringLiteral("--model"), QStringLiteral("titanic@champion"), QStringLiteral("--name"), QStringLiteral("champion"),
                                       QStringLiteral("--poll-seconds"), QStringLiteral("1")},
                                &why),
                 qPrintable(why));
        const QByteArray row = "female,29,1st\n";
        HttpAnswer a = curl(champion.port, "POST", "/invocations", row, {"Content-Type: text/csv"});
        QCOMPARE(a.header("x-cairn-model"), QByteArray("titanic:1"));
        QCOMPARE(a.body.split('\n').at(1), expectedLine(m_expected, 0));
        // The registry refuses to delete a version an endpoint serves.
        const ProcessResult refused = cairn({QStringLiteral("models"), QStringLiteral("delete"), QStringLiteral("titanic:1")});
        QVERIFY2(refused.exitCode != 0, qPrintable(refused.out));
        QCOMPARE(cairn({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("titanic"), QStringLiteral("champion"), QStringLiteral("2")}).exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(curl(champion.port, "POST", "/invocations", row, {"Content-Type: text/csv"}).header("x-cairn-model"), QByteArray("titanic:2"), 20000);
        a = curl(champion.port, "POST", "/invocations", row, {"Content-Type: text/csv"});
        QCOMPARE(a.body.split('\n').at(1), expectedLine(m_expected2, 0));
        const ProcessResult list = cairn({QStringLiteral("endpoints"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
        bool recorded = false;
        for (const QJsonValue &e : list.json().array())
            if (e.toObject().value(QStringLiteral("name")).toString() == QLatin1String("champion"))
                recorded = e.toObject().value(QStringLiteral("models")).toArray().first().toObject().value(QStringLiteral("version")).toInt() == 2;
        QVERIFY(recorded);
    }

    void sigtermAnswersRequestsInFlight()
    {
        ServeProcess draining;
        QString why;
        QVERIFY2(draining.start(m_ws, {QStringLiteral("--model"), m_run, QStringLiteral("--name"), QStringLiteral("draining"), QStringLiteral("--workers"),
                                       QStringLiteral("1")},
                                &why),
                 qPrintable(why));
        // Large batches (run on the server's pool one at a time) keep requests in flight.
        QFile f(titanic());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray csv = f.readAll();
        QByteArray body = csv;
        for (int i = 0; i < 49; ++i)
            body += csv.mid(csv.indexOf('\n') + 1);
        std::atomic<int> ok{0}, bad{0}, sent{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&] {
                KeepAliveClient client(draining.port);
                const HttpAnswer a = client.post("/invocations", "text/csv", body, {}, &sent);
                (a.status == 200 && a.body.count('\n') == 1 + 50 * 1309) ? ++ok : ++bad;
            });
        // Every request written (so read by the server: the bodies exceed the socket buffers)
        // and the first ones running.
        QTRY_VERIFY_WITH_TIMEOUT(sent.load() == 8, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(!curl(draining.port, "GET", "/metrics").body.contains("cairn_requests_in_flight 0\n"), 30000);
        // The container contract: /ping answers while the batches run, not queued behind them
        // (how fast is bench_serving's to say).
        QElapsedTimer pingTime;
        pingTime.start();
        QCOMPARE(curl(draining.port, "GET", "/ping").status, 200);
        const int doneAtPing = ok.load() + bad.load();
        qInfo("/ping answered in %lld ms with %d of 8 batches done", pingTime.elapsed(), doneAtPing);
        QVERIFY2(doneAtPing < 8, "/ping was answered only after every batch");
        draining.signal(SIGTERM);
        for (std::thread &t : threads)
            t.join();
        QCOMPARE(bad.load(), 0);
        QCOMPARE(ok.load(), 8);
        QVERIFY(draining.waitForExit(30000));
        QCOMPARE(draining.exitCode(), 0);
        QVERIFY(!QFile::exists(QDir(m_ws).filePath(QStringLiteral("endpoints/draining.json"))));
    }

    void endpointsStop()
    {
        const ProcessResult stop = cairn({QStringLiteral("endpoints"), QStringLiteral("stop"), QStringLiteral("titanic")});
        QVERIFY2(stop.exitCode == 0, qPrintable(stop.err));
        QVERIFY(m_serve.waitForExit(30000));
        QCOMPARE(m_serve.exitCode(), 0);
        const ProcessResult list = cairn({QStringLiteral("endpoints"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
        for (const QJsonValue &e : list.json().array())
            QVERIFY(e.toObject().value(QStringLiteral("name")).toString() != QLatin1String("titanic"));
        QCOMPARE(cairn({QStringLiteral("endpoints"), QStringLiteral("stop"), QStringLiteral("titanic")}).exitCode, 1);
    }
};

QTEST_GUILESS_MAIN(tst_EndpointCli)
#include "tst_endpointcli.moc"
