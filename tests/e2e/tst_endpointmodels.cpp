// Every kind of model behind one `cairn serve` (several models on one port) answers exactly what
// `cairn predict` writes for the same rows: XGBoost regression, k-means, an AutoML ensemble and,
// where the torch plugin is built, the linear learner, the MLP and the CNN (PNG bodies).
#include "servinghelpers.h"

#include "cairn/data/imagefolder.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cairn;
using namespace Qt::StringLiterals;

class tst_EndpointModels : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    struct Served
    {
        QString name;
        QString run;
        QString data;
    };
    QList<Served> m_models;
    QString m_cnnRun;

    static QString images() { return QStringLiteral(CAIRN_SHARED_DATA_DIR "/images/fashion200"); }

    static QString data(const QString &file) { return QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/") + file; }
    ProcessResult cairn(const QStringList &args) { return cairnInWorkspace(m_ws, args, 300000); }

    QString runOf(const QString &experiment)
    {
        Workspace ws(m_ws);
        RunQuery q;
        q.experimentIds = {ws.store().experimentByName(experiment).id};
        const QList<Run> runs = ws.store().searchRuns(q);
        for (const Run &r : runs)
            if (r.parentUuid.isEmpty())
                return r.uuid;
        return {};
    }

    bool train(const QString &name, const QString &file, const QStringList &args)
    {
        const ProcessResult r = cairn(QStringList{u"train"_s, u"--train"_s, data(file), u"--experiment"_s, name} + args);
        if (r.exitCode != 0) {
            qWarning() << r.err;
            return false;
        }
        m_models << Served{name, runOf(name), data(file)};
        return !m_models.last().run.isEmpty();
    }

    bool available(const QString &algorithm) { return cairn({u"algorithms"_s, u"describe"_s, algorithm}).exitCode == 0; }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(u"ws"_s);
        QVERIFY(train(u"regression"_s, u"penguins.csv"_s, {u"--algorithm"_s, u"xgboost"_s, u"--target"_s, u"body_mass_g"_s, u"--hp"_s, u"num_round=20"_s}));
        QVERIFY(train(u"kmeans"_s, u"iris.csv"_s, {u"--algorithm"_s, u"kmeans"_s, u"--target"_s, u"target"_s, u"--task"_s, u"clustering"_s, u"--hp"_s, u"k=3"_s}));
        if (available(u"linear-learner"_s)) {
            QVERIFY(train(u"linear"_s, u"titanic.csv"_s, {u"--algorithm"_s, u"linear-learner"_s, u"--target"_s, u"survived"_s}));
            QVERIFY(train(u"mlp"_s, u"wine.csv"_s, {u"--algorithm"_s, u"mlp"_s, u"--target"_s, u"target"_s}));
            // The CNN on 200 PNG images in class folders.
            const ProcessResult cnn = cairn({u"train"_s, u"--algorithm"_s, u"cnn"_s, u"--train"_s, images(), u"--experiment"_s, u"cnn"_s, u"--hp"_s,
                                             u"epochs=1"_s});
            QVERIFY2(cnn.exitCode == 0, qPrintable(cnn.err));
            m_cnnRun = runOf(u"cnn"_s);
            QVERIFY(!m_cnnRun.isEmpty());
        } else {
            qInfo("the torch plugin is not built: the linear learner and the MLP are not served here");
        }
        const ProcessResult automl = cairn({u"automl"_s, u"--train"_s, data(u"penguins.csv"_s), u"--target"_s, u"species"_s, u"--algorithms"_s, u"xgboost"_s,
                                            u"--max-candidates"_s, u"3"_s, u"--time-limit"_s, u"120"_s, u"--cpus"_s, u"2"_s, u"--experiment"_s, u"automl"_s});
        QVERIFY2(automl.exitCode == 0, qPrintable(automl.err));
        m_models << Served{u"automl"_s, runOf(u"automl"_s), data(u"penguins.csv"_s)};
        QVERIFY(!m_models.last().run.isEmpty());
    }

    void outputsEqualPredict()
    {
        QStringList args;
        for (const Served &m : std::as_const(m_models))
            args << u"--model"_s << u"%1=%2"_s.arg(m.name, m.run);
        ServeProcess serve;
        QString why;
        QVERIFY2(serve.start(m_ws, args + QStringList{u"--name"_s, u"models"_s}, &why), qPrintable(why));
        const QJsonArray described = QJsonDocument::fromJson(curl(serve.port, "GET", "/models").body).object().value(u"models"_s).toArray();
        QCOMPARE(described.size(), m_models.size());
        for (const Served &m : std::as_const(m_models)) {
            const QString out = m_dir.filePath(m.name + u".csv"_s);
            const ProcessResult p = cairn({u"predict"_s, u"--model"_s, m.run, u"--input"_s, m.data, u"--output"_s, out});
            QVERIFY2(p.exitCode == 0, qPrintable(p.err));
            QFile expected(out), input(m.data);
            QVERIFY(expected.open(QIODevice::ReadOnly) && input.open(QIODevice::ReadOnly));
            const QByteArray want = expected.readAll();
            const HttpAnswer a = curl(serve.port, "POST", "/models/" + m.name.toUtf8() + "/invocations", input.readAll(), {"Content-Type: text/csv"});
            QVERIFY2(a.status == 200, a.body.constData());
            if (a.body != want)
                QFAIL(qPrintable(u"%1: the endpoint's answer differs from cairn predict's:\n%2\nvs\n%3"_s.arg(m.name, QString::fromUtf8(a.body.left(300)),
                                                                                                               QString::fromUtf8(want.left(300)))));
        }
        if (!m_cnnRun.isEmpty()) {
            // The CNN behind the same port: one PNG per request gives cairn predict's row for it.
            ServeProcess cnnServe;
            QVERIFY2(cnnServe.start(m_ws, {u"--model"_s, u"cnn=%1"_s.arg(m_cnnRun), u"--name"_s, u"cnn"_s}, &why), qPrintable(why));
            const QString out = m_dir.filePath(u"cnn.csv"_s);
            const ProcessResult p = cairn({u"predict"_s, u"--model"_s, m_cnnRun, u"--input"_s, images(), u"--output"_s, out});
            QVERIFY2(p.exitCode == 0, qPrintable(p.err));
            QFile expected(out);
            QVERIFY(expected.open(QIODevice::ReadOnly));
            const QList<QByteArray> lines = expected.readAll().split('\n');
            const QStringList files = data::ImageFolder::scan(images()).files;
            for (int i = 0; i < files.size(); i += 20) {
                QFile png(files.at(i));
                QVERIFY(png.open(QIODevice::ReadOnly));
                const HttpAnswer a = curl(cnnServe.port, "POST", "/invocations", png.readAll(), {"Content-Type: image/png", "Accept: text/csv"});
                QVERIFY2(a.status == 200, a.body.constData());
                // The label is the same; the probabilities agree to float rounding (one image
                // is one batch here, cairn predict convolves many at once).
                const QList<QByteArray> got = a.body.split('\n');
                QCOMPARE(got.first(), lines.first());
                const QList<QByteArray> g = got.at(1).split(','), w = lines.at(i + 1).split(',');
                QCOMPARE(g.size(), w.size());
                QCOMPARE(g.first(), w.first());
                for (qsizetype j = 1; j < g.size(); ++j)
                    QVERIFY2(std::abs(g.at(j).toDouble() - w.at(j).toDouble()) < 1e-5, got.at(1).constData());
            }
            QCOMPARE(curl(cnnServe.port, "POST", "/invocations", "a,b\n1,2\n", {"Content-Type: text/csv"}).status, 400);
            QCOMPARE(curl(cnnServe.port, "POST", "/invocations", "not a png", {"Content-Type: image/png"}).status, 400);
        }
        // The AutoML winner is an ensemble when it beat its members; either way it was served.
        QFile card(QDir(m_ws).filePath(u"artifacts/%1/model/model.json"_s.arg(m_models.last().run)));
        QVERIFY(card.open(QIODevice::ReadOnly));
        qInfo("AutoML model served: %s", QJsonDocument::fromJson(card.readAll()).object().value(u"algorithm"_s).toString().toUtf8().constData());
    }
};

QTEST_GUILESS_MAIN(tst_EndpointModels)
#include "tst_endpointmodels.moc"
