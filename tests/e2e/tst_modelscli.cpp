// `cairn models ...` end to end with the real binary: register runs trained by `cairn train`,
// list/show/versions (table and JSON), approve/reject with comments, aliases, tags, the model
// card (edit, Markdown and JSON export), compare (trend and diff), `cairn predict --model
// NAME@ALIAS`, and deletion refused while a live endpoint serves the version.
#include "clirunner.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

class tst_ModelsCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QString m_run1, m_run2;

    ProcessResult cairn(const QStringList &args, int timeoutMs = 120000) { return cairnInWorkspace(m_ws, args, timeoutMs); }
    static QString titanic() { return QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/titanic.csv"); }

    QString train(const QString &depth)
    {
        const ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), titanic(),
                                       QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"), QStringLiteral("num_round=20"),
                                       QStringLiteral("--hp"), QStringLiteral("max_depth=") + depth, QStringLiteral("--experiment"), QStringLiteral("churn"),
                                       QStringLiteral("--cpus"), QStringLiteral("1")},
                                      180000);
        if (r.exitCode != 0)
            qWarning("%s\n%s", qPrintable(r.out), qPrintable(r.err));
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("run ([0-9a-f]{32}): finished")).match(r.out);
        return m.hasMatch() ? m.captured(1) : QString();
    }

    static QString readFile(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        m_run1 = train(QStringLiteral("2"));
        m_run2 = train(QStringLiteral("5"));
        QVERIFY(!m_run1.isEmpty() && !m_run2.isEmpty());
    }

    void registersAndLists()
    {
        ProcessResult r = cairn({QStringLiteral("models"), QStringLiteral("list")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QStringLiteral("no registered models")));

        r = cairn({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("titanic"), QStringLiteral("--run"), m_run1.left(8),
                   QStringLiteral("--description"), QStringLiteral("shallow trees"), QStringLiteral("--tag"), QStringLiteral("stage=dev")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("registered titanic:1 (PendingManualApproval) from run ") + m_run1), qPrintable(r.out));
        r = cairn({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("titanic"), m_run2, QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject v2 = r.json().object();
        QCOMPARE(v2.value(QStringLiteral("version")).toInt(), 2);
        QCOMPARE(v2.value(QStringLiteral("run_id")).toString(), m_run2);
        QVERIFY(QFile::exists(v2.value(QStringLiteral("model_dir")).toString() + QStringLiteral("/model.json")));
        QVERIFY(v2.value(QStringLiteral("model_dir")).toString().startsWith(m_ws + QStringLiteral("/models/titanic/2")));
        const QJsonObject lineage = v2.value(QStringLiteral("lineage")).toObject();
        QCOMPARE(lineage.value(QStringLiteral("channels")).toArray().first().toObject().value(QStringLiteral("sha256")).toString().size(), 64);
        QVERIFY(lineage.value(QStringLiteral("metrics")).toObject().contains(QStringLiteral("validation.auc")));

        r = cairn({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray models = r.json().array();
        QCOMPARE(models.size(), 1);
        QCOMPARE(models.first().toObject().value(QStringLiteral("latest_version")).toInt(), 2);
        r = cairn({QStringLiteral("models"), QStringLiteral("list")});
        QVERIFY(r.out.contains(QStringLiteral("titanic")) && r.out.contains(QStringLiteral("PendingManualApproval")));
        r = cairn({QStringLiteral("models"), QStringLiteral("versions"), QStringLiteral("titanic")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QStringLiteral("validation.auc=")));
        QCOMPARE(r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 3);
    }

    void approvesRejectsAndAliases()
    {
        ProcessResult r = cairn({QStringLiteral("models"), QStringLiteral("approve"), QStringLiteral("titanic:1"), QStringLiteral("--comment"),
                                 QStringLiteral("AUC above 0.8"), QStringLiteral("--by"), QStringLiteral("alice")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.out.trimmed(), QStringLiteral("titanic:1 is Approved"));
        r = cairn({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("titanic"), QStringLiteral("champion"), QStringLiteral("1")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = cairn({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("titanic"), QStringLiteral("challenger"), QStringLiteral("2")});
        QCOMPARE(r.exitCode, 0);
        // Rejecting the challenger is refused while the alias points there.
        r = cairn({QStringLiteral("models"), QStringLiteral("reject"), QStringLiteral("titanic@challenger"), QStringLiteral("-m"), QStringLiteral("overfits")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith(QStringLiteral("cairn: error: version 2 of 'titanic' is @challenger")), qPrintable(r.err));
        QCOMPARE(cairn({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("titanic"), QStringLiteral("challenger"), QStringLiteral("--delete")}).exitCode, 0);
        r = cairn({QStringLiteral("models"), QStringLiteral("reject"), QStringLiteral("titanic"), QStringLiteral("2"), QStringLiteral("-m"), QStringLiteral("overfits"),
                   QStringLiteral("--by"), QStringLiteral("bob")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = cairn({QStringLiteral("models"), QStringLiteral("approve"), QStringLiteral("titanic:2"), QStringLiteral("-m"), QStringLiteral("fixed on second look")});
        QCOMPARE(r.exitCode, 0);
        r = cairn({QStringLiteral("models"), QStringLiteral("tag"), QStringLiteral("titanic"), QStringLiteral("owner=ml-team")});
        QCOMPARE(r.exitCode, 0);
        r = cairn({QStringLiteral("models"), QStringLiteral("tag"), QStringLiteral("titanic:2"), QStringLiteral("reviewed=yes")});
        QCOMPARE(r.exitCode, 0);

        r = cairn({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("titanic:2"), QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject v = r.json().object();
        QCOMPARE(v.value(QStringLiteral("approval")).toString(), QStringLiteral("Approved"));
        QVERIFY(v.value(QStringLiteral("files_intact")).toBool());
        QCOMPARE(v.value(QStringLiteral("tags")).toObject().value(QStringLiteral("reviewed")).toString(), QStringLiteral("yes"));
        const QJsonArray trail = v.value(QStringLiteral("approval_history")).toArray();
        QCOMPARE(trail.size(), 3);
        QCOMPARE(trail.at(1).toObject().value(QStringLiteral("status")).toString(), QStringLiteral("Rejected"));
        QCOMPARE(trail.at(1).toObject().value(QStringLiteral("by")).toString(), QStringLiteral("bob"));
        QCOMPARE(trail.at(1).toObject().value(QStringLiteral("comment")).toString(), QStringLiteral("overfits"));
        QCOMPARE(trail.at(2).toObject().value(QStringLiteral("comment")).toString(), QStringLiteral("fixed on second look"));

        r = cairn({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("titanic@champion")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QStringLiteral("version    1")));
        QVERIFY(r.out.contains(QStringLiteral("aliases    @champion")));
        QVERIFY(r.out.contains(QStringLiteral("AUC above 0.8")));
        QVERIFY(r.out.contains(QStringLiteral("max_depth = 2")));
        r = cairn({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("titanic"), QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().object().value(QStringLiteral("aliases")).toObject().value(QStringLiteral("champion")).toInt(), 1);
        QCOMPARE(r.json().object().value(QStringLiteral("tags")).toObject().value(QStringLiteral("owner")).toString(), QStringLiteral("ml-team"));
    }

    void predictsThroughAnAlias()
    {
        const QString byAlias = m_dir.filePath(QStringLiteral("alias.csv"));
        const QString byRun = m_dir.filePath(QStringLiteral("run.csv"));
        ProcessResult r = cairn({QStringLiteral("predict"), QStringLiteral("--model"), QStringLiteral("titanic@champion"), QStringLiteral("--input"), titanic(),
                                 QStringLiteral("--output"), byAlias});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = cairn({QStringLiteral("predict"), QStringLiteral("--model"), m_run1, QStringLiteral("--input"), titanic(), QStringLiteral("--output"), byRun});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(readFile(byAlias).count(QLatin1Char('\n')), 1310);
        QCOMPARE(readFile(byAlias), readFile(byRun));
        r = cairn({QStringLiteral("predict"), QStringLiteral("--model"), QStringLiteral("titanic@nobody"), QStringLiteral("--input"), titanic()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("model 'titanic' has no alias 'nobody' (aliases: @champion)")), qPrintable(r.err));
    }

    void editsAndExportsTheCard()
    {
        ProcessResult r = cairn({QStringLiteral("models"), QStringLiteral("card"), QStringLiteral("titanic:1"), QStringLiteral("--intended-use"),
                                 QStringLiteral("Teaching survival analysis."), QStringLiteral("--limitations"), QStringLiteral("1912 passengers only.")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.startsWith(QStringLiteral("# Model card: titanic, version 1")));
        QVERIFY(r.out.contains(QStringLiteral("## Intended use\n\nTeaching survival analysis.")));
        const QString md = m_dir.filePath(QStringLiteral("card.md"));
        const QString json = m_dir.filePath(QStringLiteral("card.json"));
        QCOMPARE(cairn({QStringLiteral("models"), QStringLiteral("card"), QStringLiteral("titanic@champion"), QStringLiteral("--output"), md}).exitCode, 0);
        QCOMPARE(cairn({QStringLiteral("models"), QStringLiteral("card"), QStringLiteral("titanic:1"), QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("-o"), json}).exitCode, 0);
        QVERIFY(readFile(md).contains(QStringLiteral("1912 passengers only.")));
        QVERIFY(readFile(md).contains(QStringLiteral("| validation.auc |")));
        const QJsonObject card = QJsonDocument::fromJson(readFile(json).toUtf8()).object();
        QCOMPARE(card.value(QStringLiteral("intended_use")).toString(), QStringLiteral("Teaching survival analysis."));
        QCOMPARE(card.value(QStringLiteral("approval")).toString(), QStringLiteral("Approved"));
        // The exported JSON edits another version's card.
        r = cairn({QStringLiteral("models"), QStringLiteral("card"), QStringLiteral("titanic:2"), QStringLiteral("--from"), json, QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().object().value(QStringLiteral("limitations")).toString(), QStringLiteral("1912 passengers only."));
        QCOMPARE(r.json().object().value(QStringLiteral("version")).toInt(), 2);
        r = cairn({QStringLiteral("models"), QStringLiteral("card"), QStringLiteral("titanic:1"), QStringLiteral("--format"), QStringLiteral("pdf")});
        QCOMPARE(r.exitCode, 2);
    }

    void comparesVersions()
    {
        ProcessResult r = cairn({QStringLiteral("models"), QStringLiteral("compare"), QStringLiteral("titanic"), QStringLiteral("--diff-only")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("hyperparameters.max_depth")));
        QVERIFY(!r.out.contains(QStringLiteral("hyperparameters.num_round")));
        QVERIFY(!r.out.contains(QStringLiteral("train.sha256")));
        r = cairn({QStringLiteral("models"), QStringLiteral("compare"), QStringLiteral("titanic"), QStringLiteral("--metric"), QStringLiteral("validation.auc"),
                   QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray trend = r.json().object().value(QStringLiteral("trend")).toArray();
        QCOMPARE(trend.size(), 2);
        QVERIFY(trend.at(0).toObject().value(QStringLiteral("value")).toDouble() > 0.7);
        QVERIFY(trend.at(1).toObject().value(QStringLiteral("value")).toDouble() > 0.7);
        r = cairn({QStringLiteral("models"), QStringLiteral("compare"), QStringLiteral("titanic"), QStringLiteral("--metric"), QStringLiteral("validation.auc")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QStringLiteral("CHANGE")));
        r = cairn({QStringLiteral("models"), QStringLiteral("compare"), QStringLiteral("titanic"), QStringLiteral("--metric"), QStringLiteral("nope")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains(QStringLiteral("validation.auc")));
    }

    void deletionIsRefusedWhileServed()
    {
        // A live process stands for the server that `cairn serve` records.
        QProcess server;
        server.start(QStringLiteral("/bin/sleep"), {QStringLiteral("120")});
        QVERIFY(server.waitForStarted());
        QDir().mkpath(m_ws + QStringLiteral("/endpoints"));
        QFile f(m_ws + QStringLiteral("/endpoints/titanic-prod.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(QJsonObject{{QStringLiteral("name"), QStringLiteral("titanic-prod")},
                                          {QStringLiteral("pid"), server.processId()},
                                          {QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                                          {QStringLiteral("port"), 8080},
                                          {QStringLiteral("models"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("titanic")}, {QStringLiteral("version"), 1}}}},
                                          {QStringLiteral("started"), QStringLiteral("2026-12-07T09:00:00")}})
                    .toJson());
        f.close();
        ProcessResult r = cairn({QStringLiteral("models"), QStringLiteral("delete"), QStringLiteral("titanic@champion")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("served by endpoint 'titanic-prod'")), qPrintable(r.err));
        r = cairn({QStringLiteral("models"), QStringLiteral("delete"), QStringLiteral("titanic")});
        QCOMPARE(r.exitCode, 2); // a bare name needs --all
        QVERIFY(r.err.contains(QStringLiteral("--all")));
        QCOMPARE(cairn({QStringLiteral("models"), QStringLiteral("delete"), QStringLiteral("titanic"), QStringLiteral("--all")}).exitCode, 1);
        QCOMPARE(cairn({QStringLiteral("models"), QStringLiteral("versions"), QStringLiteral("titanic"), QStringLiteral("--format"), QStringLiteral("json")}).json().array().size(), 2);

        server.kill();
        server.waitForFinished();
        r = cairn({QStringLiteral("models"), QStringLiteral("delete"), QStringLiteral("titanic:1")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.out.trimmed(), QStringLiteral("deleted titanic:1"));
        QVERIFY(!QFileInfo::exists(m_ws + QStringLiteral("/models/titanic/1")));
        r = cairn({QStringLiteral("models"), QStringLiteral("delete"), QStringLiteral("titanic"), QStringLiteral("--all")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(cairn({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")}).json().array().size(), 0);
    }

    void registersTheBestTuningTrial()
    {
        const ProcessResult t = cairn({QStringLiteral("tune"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), titanic(),
                                       QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"), QStringLiteral("num_round=10"),
                                       QStringLiteral("--range"), QStringLiteral("max_depth=2,4"), QStringLiteral("--strategy"), QStringLiteral("grid"),
                                       QStringLiteral("--max-trials"), QStringLiteral("2"), QStringLiteral("--parallel"), QStringLiteral("1"),
                                       QStringLiteral("--objective"), QStringLiteral("validation:auc"), QStringLiteral("--cpus"), QStringLiteral("1")},
                                      240000);
        QVERIFY2(t.exitCode == 0, qPrintable(t.out + t.err));
        const QString tuning = QRegularExpression(QStringLiteral("tuning run ([0-9a-f]{32})")).match(t.out).captured(1);
        const QString best = QRegularExpression(QStringLiteral("best run ([0-9a-f]{32})")).match(t.out).captured(1);
        QVERIFY2(!tuning.isEmpty() && !best.isEmpty(), qPrintable(t.out));
        const ProcessResult r = cairn({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("tuned"), QStringLiteral("--run"), tuning,
                                       QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().object().value(QStringLiteral("run_id")).toString(), best);
        QCOMPARE(r.json().object().value(QStringLiteral("lineage")).toObject().value(QStringLiteral("run")).toObject().value(QStringLiteral("parent")).toString(), tuning);
        QCOMPARE(cairn({QStringLiteral("models"), QStringLiteral("delete"), QStringLiteral("tuned"), QStringLiteral("--all")}).exitCode, 0);
    }

    void concurrentRegistrationsGetTheirOwnVersions()
    {
        // Four processes register at once: SQLite's write lock orders them, none fails, and
        // each version has its own number and its own files.
        QList<QProcess *> procs;
        for (int i = 0; i < 4; ++i) {
            auto *p = new QProcess(this);
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.remove(QStringLiteral("CAIRN_WORKSPACE"));
            p->setProcessEnvironment(env);
            p->start(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("--workspace"), m_ws, QStringLiteral("models"), QStringLiteral("register"),
                                                      QStringLiteral("busy"), QStringLiteral("--run"), i % 2 ? m_run1 : m_run2});
            procs << p;
        }
        for (QProcess *p : procs) {
            QVERIFY(p->waitForFinished(120000));
            QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
        }
        const ProcessResult r = cairn({QStringLiteral("models"), QStringLiteral("versions"), QStringLiteral("busy"), QStringLiteral("--format"), QStringLiteral("json")});
        QList<int> numbers;
        for (const auto &v : r.json().array()) {
            numbers << v.toObject().value(QStringLiteral("version")).toInt();
            QVERIFY(QFile::exists(v.toObject().value(QStringLiteral("model_dir")).toString() + QStringLiteral("/model.json")));
        }
        QCOMPARE(numbers, (QList<int>{1, 2, 3, 4}));
        QVERIFY(QDir(m_ws + QStringLiteral("/models")).entryList({QStringLiteral(".staging-*")}, QDir::Dirs | QDir::Hidden).isEmpty());
        qDeleteAll(procs);
        QCOMPARE(cairn({QStringLiteral("models"), QStringLiteral("delete"), QStringLiteral("busy"), QStringLiteral("--all")}).exitCode, 0);
    }

    void reportsMistakes()
    {
        ProcessResult r = cairn({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("ghost")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith(QStringLiteral("cairn: error: no registered model named 'ghost'")), qPrintable(r.err));
        r = cairn({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("bad/name"), QStringLiteral("--run"), m_run1});
        QCOMPARE(r.exitCode, 2);
        r = cairn({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("x")});
        QCOMPARE(r.exitCode, 2);
        r = cairn({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("x"), QStringLiteral("--run"), QStringLiteral("ffffffff")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains(QStringLiteral("ffffffff")));
        QCOMPARE(cairn({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")}).json().array().size(), 0); // nothing half-made
        r = cairn({QStringLiteral("models"), QStringLiteral("frobnicate")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains(QStringLiteral("register, list, show")));
        r = cairn({QStringLiteral("models"), QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QStringLiteral("NAME@champion")));
    }
};

QTEST_GUILESS_MAIN(tst_ModelsCli)
#include "tst_modelscli.moc"
