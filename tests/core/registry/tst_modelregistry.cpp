// The model registry against a real workspace store and real models trained by `cairn train`
// (the real worker and XGBoost): lineage with data hashes, version numbering and references,
// the approval trail and its rules, aliases, cards, compare, and deletion guarded by endpoints.
#include "clirunner.h"

#include "cairn/algorithms/algorithmplugin.h"
#include "cairn/algorithms/modelloader.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/data/csvreader.h"
#include "cairn/registry/modelregistry.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;

namespace {

QString iris() { return QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/iris.csv"); }

QString fileSha256(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex());
}

QString errorOf(const std::function<void()> &fn)
{
    try {
        fn();
    } catch (const Error &e) {
        return e.message();
    }
    return {};
}

Predictions predictIris(const QString &modelDir)
{
    PluginManager plugins;
    auto predictor = loadPredictor(plugins, modelDir);
    const data::Table table = data::CsvReader::read(iris());
    PredictionInput input;
    input.channel.path = iris();
    input.table = &table;
    return predictor->predict(input);
}

} // namespace

class tst_ModelRegistry : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QString m_run1, m_run2;

    QString train(const QString &eta, const QString &runName)
    {
        const ProcessResult r = cairnInWorkspace(m_ws, {QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"),
                                                        QStringLiteral("--train"), iris(), QStringLiteral("--target"), QStringLiteral("target"),
                                                        QStringLiteral("--hp"), QStringLiteral("num_round=8"), QStringLiteral("--hp"),
                                                        QStringLiteral("eta=") + eta, QStringLiteral("--experiment"), QStringLiteral("iris"),
                                                        QStringLiteral("--run-name"), runName, QStringLiteral("--cpus"), QStringLiteral("1")},
                                                 180000);
        if (r.exitCode != 0)
            qWarning("%s\n%s", qPrintable(r.out), qPrintable(r.err));
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("run ([0-9a-f]{32}): finished")).match(r.out);
        return m.hasMatch() ? m.captured(1) : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        m_run1 = train(QStringLiteral("0.3"), QStringLiteral("first"));
        m_run2 = train(QStringLiteral("0.1"), QStringLiteral("second"));
        QVERIFY(!m_run1.isEmpty());
        QVERIFY(!m_run2.isEmpty());
    }

    void registersARunWithItsLineage()
    {
        Workspace ws(m_ws);
        ModelRegistry registry(ws);
        QVERIFY(registry.models().isEmpty());
        const ModelVersion v = registry.registerRun(QStringLiteral("iris"), m_run1.left(10), {QStringLiteral("first try"), {{QStringLiteral("team"), QStringLiteral("ml")}}, QStringLiteral("alice")});
        QCOMPARE(v.name, QStringLiteral("iris"));
        QCOMPARE(v.version, 1);
        QCOMPARE(v.approval, QStringLiteral("PendingManualApproval"));
        QCOMPARE(v.runUuid, m_run1);
        QCOMPARE(v.createdBy, QStringLiteral("alice"));
        QCOMPARE(v.description, QStringLiteral("first try"));
        QCOMPARE(v.tags.value(QStringLiteral("team")), QStringLiteral("ml"));
        // Its own copy of the files, under the workspace.
        QCOMPARE(QDir::cleanPath(v.modelDir), QDir::cleanPath(m_ws + QStringLiteral("/models/iris/1")));
        QVERIFY(QFile::exists(v.modelDir + QStringLiteral("/model.json")));
        QCOMPARE(v.lineage.value(QStringLiteral("model_sha256")).toString(), contentSha256(v.modelDir));

        const QJsonObject l = v.lineage;
        QCOMPARE(l.value(QStringLiteral("cairn_version")).toString(), QStringLiteral(CAIRN_VERSION));
        QCOMPARE(l.value(QStringLiteral("algorithm")).toString(), QStringLiteral("xgboost"));
        QCOMPARE(l.value(QStringLiteral("task")).toString(), QStringLiteral("multiclass"));
        QCOMPARE(l.value(QStringLiteral("run")).toObject().value(QStringLiteral("uuid")).toString(), m_run1);
        QCOMPARE(l.value(QStringLiteral("run")).toObject().value(QStringLiteral("experiment")).toString(), QStringLiteral("iris"));
        QCOMPARE(l.value(QStringLiteral("hyperparameters")).toObject().value(QStringLiteral("eta")).toVariant().toString(), QStringLiteral("0.3"));
        QCOMPARE(l.value(QStringLiteral("spec")).toObject().value(QStringLiteral("algorithm")).toString(), QStringLiteral("xgboost"));
        QVERIFY(!l.value(QStringLiteral("job")).toString().isEmpty());
        const QJsonArray channels = l.value(QStringLiteral("channels")).toArray();
        QCOMPARE(channels.size(), 1);
        const QJsonObject train = channels.first().toObject();
        QCOMPARE(train.value(QStringLiteral("name")).toString(), QStringLiteral("train"));
        QCOMPARE(train.value(QStringLiteral("sha256")).toString(), fileSha256(iris())); // hashed independently here
        QCOMPARE(train.value(QStringLiteral("bytes")).toInteger(), QFileInfo(iris()).size());
        const QJsonObject metrics = l.value(QStringLiteral("metrics")).toObject();
        QVERIFY2(metrics.contains(QStringLiteral("validation.accuracy")), qPrintable(QStringList(metrics.keys()).join(QLatin1Char(','))));
        QVERIFY(metrics.value(QStringLiteral("validation.accuracy")).toDouble() > 0.8);

        // The copy predicts exactly what the run's own model predicts.
        const Predictions fromRegistry = predictIris(v.modelDir);
        const Predictions fromRun = predictIris(ws.artifactDir(m_run1) + QStringLiteral("/model"));
        QCOMPARE(fromRegistry.rows(), 150);
        QCOMPARE(fromRegistry.labels, fromRun.labels);
        QCOMPARE(fromRegistry.probabilities, fromRun.probabilities);
        QCOMPARE(registry.versionsOfRun(m_run1).size(), 1);
        QCOMPARE(registry.versionsOfRun(m_run1).first().version, 1);
        QVERIFY(registry.versionsOfRun(m_run2).isEmpty());
        QVERIFY(registry.filesIntact(v));
        // The trail starts with the registration.
        const QList<ApprovalEvent> trail = registry.approvalTrail(QStringLiteral("iris:1"));
        QCOMPARE(trail.size(), 1);
        QCOMPARE(trail.first().status, QStringLiteral("PendingManualApproval"));
        QCOMPARE(trail.first().by, QStringLiteral("alice"));
    }

    void numbersVersionsAndResolvesReferences()
    {
        Workspace ws(m_ws);
        ModelRegistry registry(ws);
        QCOMPARE(registry.registerRun(QStringLiteral("iris"), m_run2).version, 2);
        QCOMPARE(registry.resolve(QStringLiteral("iris")).version, 2);
        QCOMPARE(registry.resolve(QStringLiteral("iris@latest")).version, 2);
        QCOMPARE(registry.resolve(QStringLiteral("iris:1")).version, 1);
        QCOMPARE(registry.resolve(QStringLiteral("iris:1")).runUuid, m_run1);
        QCOMPARE(registry.resolve(QStringLiteral("models:/iris/1")).version, 1);
        registry.setAlias(QStringLiteral("iris"), QStringLiteral("champion"), 1);
        registry.setAlias(QStringLiteral("iris"), QStringLiteral("challenger"), 2);
        QCOMPARE(registry.resolve(QStringLiteral("iris@champion")).version, 1);
        QCOMPARE(registry.resolve(QStringLiteral("models:/iris@challenger")).version, 2);
        registry.setAlias(QStringLiteral("iris"), QStringLiteral("champion"), 2); // moves
        QCOMPARE(registry.resolve(QStringLiteral("iris@champion")).version, 2);
        registry.setAlias(QStringLiteral("iris"), QStringLiteral("champion"), 1);
        const RegisteredModel m = registry.model(QStringLiteral("iris"));
        QCOMPARE(m.versionCount, 2);
        QCOMPARE(m.latestVersion, 2);
        QCOMPARE(m.aliases.value(QStringLiteral("champion")), 1);
        QCOMPARE(registry.version(QStringLiteral("iris:1")).aliases, QStringList{QStringLiteral("champion")});
        // What `cairn predict --model` and `cairn serve --model` accept.
        QCOMPARE(resolveModelDir(ws, QStringLiteral("iris@champion")), registry.resolve(QStringLiteral("iris:1")).modelDir);
        QCOMPARE(resolveModelDir(ws, QStringLiteral("iris")), registry.resolve(QStringLiteral("iris:2")).modelDir);
        QCOMPARE(QDir::cleanPath(resolveModelDir(ws, m_run2.left(8))), QDir::cleanPath(ws.artifactDir(m_run2) + QStringLiteral("/model")));

        // Mistakes name what there is.
        QVERIFY(errorOf([&] { registry.resolve(QStringLiteral("nope")); }).contains(QStringLiteral("no registered model named 'nope' (registered: iris)")));
        QVERIFY(errorOf([&] { registry.resolve(QStringLiteral("iris:9")); }).contains(QStringLiteral("has no version 9 (versions: 1, 2)")));
        QVERIFY(errorOf([&] { registry.resolve(QStringLiteral("iris@best")); }).contains(QStringLiteral("aliases: @challenger, @champion")));
        QVERIFY(errorOf([&] { registry.resolve(QStringLiteral("iris:x")); }).contains(QStringLiteral("not a model version")));
        QVERIFY(errorOf([&] { registry.registerRun(QStringLiteral("bad name"), m_run1); }).contains(QStringLiteral("not a valid model name")));
        QVERIFY(errorOf([&] { registry.setAlias(QStringLiteral("iris"), QStringLiteral("latest"), 1); }).contains(QStringLiteral("reserved")));
        QVERIFY(errorOf([&] { registry.registerFolder(QStringLiteral("iris"), m_dir.filePath(QStringLiteral("nowhere"))); }).contains(QStringLiteral("does not exist")));
        QCOMPARE(registry.versions(QStringLiteral("iris")).size(), 2); // nothing half-registered
    }

    void keepsTheApprovalTrailAndItsRules()
    {
        Workspace ws(m_ws);
        ModelRegistry registry(ws);
        registry.setApproval(QStringLiteral("iris:1"), Approval::Approved, QStringLiteral("bob"), QStringLiteral("beats the baseline"));
        registry.setApproval(QStringLiteral("iris:2"), Approval::Approved, QStringLiteral("bob"), QStringLiteral("looked fine"));
        // @challenger points at 2: rejecting it is refused until the alias moves.
        const QString refused = errorOf([&] { registry.setApproval(QStringLiteral("iris:2"), Approval::Rejected, QStringLiteral("carol"), {}); });
        QVERIFY2(refused.contains(QStringLiteral("@challenger")), qPrintable(refused));
        QCOMPARE(registry.version(QStringLiteral("iris:2")).approval, QStringLiteral("Approved"));
        registry.deleteAlias(QStringLiteral("iris"), QStringLiteral("challenger"));
        const ModelVersion rejected = registry.setApproval(QStringLiteral("iris:2"), Approval::Rejected, QStringLiteral("carol"), QStringLiteral("leaks the label"));
        QCOMPARE(rejected.approval, QStringLiteral("Rejected"));
        // No alias may point at a rejected version.
        QVERIFY(errorOf([&] { registry.setAlias(QStringLiteral("iris"), QStringLiteral("challenger"), 2); }).contains(QStringLiteral("is Rejected")));

        const QList<ApprovalEvent> trail = registry.approvalTrail(QStringLiteral("iris:2"));
        QCOMPARE(trail.size(), 3); // registered, approved, rejected: nothing overwritten
        QCOMPARE(trail.at(0).status, QStringLiteral("PendingManualApproval"));
        QCOMPARE(trail.at(1).status, QStringLiteral("Approved"));
        QCOMPARE(trail.at(1).comment, QStringLiteral("looked fine"));
        QCOMPARE(trail.at(2).status, QStringLiteral("Rejected"));
        QCOMPARE(trail.at(2).by, QStringLiteral("carol"));
        QCOMPARE(trail.at(2).comment, QStringLiteral("leaks the label"));
        QVERIFY(trail.at(2).time >= trail.at(1).time);
        QCOMPARE(approvalFromName(QStringLiteral("approved")), std::optional<Approval>(Approval::Approved));
        QVERIFY(!approvalFromName(QStringLiteral("maybe")));
    }

    void editsAndExportsTheCard()
    {
        Workspace ws(m_ws);
        ModelRegistry registry(ws);
        ModelCardText text;
        text.intendedUse = QStringLiteral("Classifying iris flowers | in the lab.");
        text.limitations = QStringLiteral("Three species only.");
        registry.setCard(QStringLiteral("iris@champion"), text);
        QCOMPARE(registry.card(QStringLiteral("iris:1")).intendedUse, text.intendedUse);
        QVERIFY(registry.card(QStringLiteral("iris:1")).updatedAt > 0);
        QVERIFY(registry.card(QStringLiteral("iris:2")).intendedUse.isEmpty());

        const QJsonObject json = registry.cardJson(QStringLiteral("iris:1"));
        QCOMPARE(json.value(QStringLiteral("intended_use")).toString(), text.intendedUse);
        QCOMPARE(json.value(QStringLiteral("limitations")).toString(), text.limitations);
        QCOMPARE(json.value(QStringLiteral("approval")).toString(), QStringLiteral("Approved"));
        QCOMPARE(json.value(QStringLiteral("training_data")).toObject().value(QStringLiteral("channels")).toArray().size(), 1);
        QVERIFY(json.value(QStringLiteral("metrics")).toObject().value(QStringLiteral("values")).toObject().contains(QStringLiteral("validation.accuracy")));
        QCOMPARE(json.value(QStringLiteral("approval_history")).toArray().size(), 2);

        const QString md = registry.cardMarkdown(QStringLiteral("iris:1"));
        for (const QString &section : {QStringLiteral("# Model card: iris, version 1"), QStringLiteral("## Intended use"), QStringLiteral("## Training data"),
                                       QStringLiteral("## Metrics"), QStringLiteral("## Limitations"), QStringLiteral("## Approval history")})
            QVERIFY2(md.contains(section), qPrintable(section));
        QVERIFY(md.contains(QStringLiteral("## Intended use\n\nClassifying iris flowers | in the lab.\n")));
        QVERIFY(md.contains(fileSha256(iris())));
        QVERIFY(md.contains(QStringLiteral("| validation.accuracy |")));
        QVERIFY(md.contains(QStringLiteral("beats the baseline")));
        QVERIFY(registry.cardMarkdown(QStringLiteral("iris:2")).contains(QStringLiteral("_Not written yet._")));
    }

    void comparesVersions()
    {
        Workspace ws(m_ws);
        ModelRegistry registry(ws);
        const VersionComparison cmp = registry.compare(QStringLiteral("iris"));
        QCOMPARE(cmp.versions, (QList<int>{1, 2}));
        const VersionComparison::Row *accuracy = cmp.metric(QStringLiteral("validation.accuracy"));
        QVERIFY(accuracy);
        QCOMPARE(accuracy->values.size(), 2);
        QVERIFY(!accuracy->values.at(0).isEmpty() && !accuracy->values.at(1).isEmpty());
        auto row = [&](const QString &section, const QString &key) {
            for (const auto &r : cmp.rows)
                if (r.section == section && r.key == key)
                    return r;
            return VersionComparison::Row{};
        };
        QVERIFY(row(QStringLiteral("hyperparameters"), QStringLiteral("eta")).differs);
        QCOMPARE(row(QStringLiteral("hyperparameters"), QStringLiteral("eta")).values, (QStringList{QStringLiteral("0.3"), QStringLiteral("0.1")}));
        QVERIFY(!row(QStringLiteral("hyperparameters"), QStringLiteral("max_depth")).differs);
        QVERIFY(!row(QStringLiteral("data"), QStringLiteral("train.sha256")).differs);
        QVERIFY(row(QStringLiteral("attributes"), QStringLiteral("approval")).differs);
        // The diff shows only what differs.
        const QString diff = cmp.toText(true);
        QVERIFY(diff.contains(QStringLiteral("hyperparameters.eta")));
        QVERIFY(!diff.contains(QStringLiteral("hyperparameters.max_depth")));
        QVERIFY(!diff.contains(QStringLiteral("train.sha256")));
        const QJsonObject json = cmp.toJson(true);
        for (const auto &r : json.value(QStringLiteral("rows")).toArray())
            QVERIFY(r.toObject().value(QStringLiteral("differs")).toBool());
        QCOMPARE(registry.compare(QStringLiteral("iris"), {2}).versions, QList<int>{2});
        QVERIFY(errorOf([&] { registry.compare(QStringLiteral("iris"), {7}); }).contains(QStringLiteral("no version 7")));
    }

    void survivesTheRunsDeletionAndRegistersFolders()
    {
        Workspace ws(m_ws);
        ModelRegistry registry(ws);
        // A folder copied out of the run: its card names the run, so the lineage comes along.
        const QString exported = m_dir.filePath(QStringLiteral("exported-model"));
        QVERIFY(QDir().mkpath(exported));
        for (const QString &f : QDir(ws.artifactDir(m_run1) + QStringLiteral("/model")).entryList(QDir::Files))
            QVERIFY(QFile::copy(ws.artifactDir(m_run1) + QStringLiteral("/model/") + f, exported + QLatin1Char('/') + f));
        const ModelVersion folder = registry.registerFolder(QStringLiteral("iris-exported"), exported + QStringLiteral("/model.json"));
        QCOMPARE(folder.version, 1);
        QCOMPARE(folder.source, QStringLiteral("folder"));
        QCOMPARE(folder.runUuid, m_run1);
        QCOMPARE(folder.lineage.value(QStringLiteral("channels")).toArray().size(), 1);

        // Deleting the run and its artifacts leaves the registered version usable.
        ws.store().deleteRun(m_run1);
        QVERIFY(QDir(ws.artifactDir(m_run1)).removeRecursively());
        const ResolvedModel champion = registry.resolve(QStringLiteral("iris@champion"));
        QCOMPARE(champion.runUuid, m_run1);
        QCOMPARE(predictIris(champion.modelDir).rows(), 150);
        QVERIFY(registry.filesIntact(registry.version(QStringLiteral("iris@champion"))));
        // A file edited behind the registry's back is noticed.
        {
            QFile f(folder.modelDir + QStringLiteral("/model.json"));
            QVERIFY(f.open(QIODevice::Append));
            f.write(" ");
        }
        QVERIFY(!registry.filesIntact(registry.version(QStringLiteral("iris-exported:1"))));
        QVERIFY(errorOf([&] { registry.registerRun(QStringLiteral("iris"), m_run1); }).contains(QStringLiteral("no saved model")));
    }

    void refusesToDeleteWhatAnEndpointServes()
    {
        Workspace ws(m_ws);
        ModelRegistry registry(ws);
        QDir().mkpath(registry.endpointsDir());
        auto writeEndpoint = [&](const QString &name, qint64 pid, int version) {
            QFile f(QDir(registry.endpointsDir()).filePath(name + QStringLiteral(".json")));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QJsonDocument(QJsonObject{{QStringLiteral("name"), name},
                                              {QStringLiteral("pid"), pid},
                                              {QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                                              {QStringLiteral("port"), 8080},
                                              {QStringLiteral("models"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("iris")},
                                                                                                {QStringLiteral("version"), version}}}},
                                              {QStringLiteral("started"), QStringLiteral("2026-01-01T00:00:00")}})
                        .toJson());
        };
        // A live endpoint (this test's own process stands for the server) serves version 2.
        writeEndpoint(QStringLiteral("iris-live"), QCoreApplication::applicationPid(), 2);
        // A dead one (a process that has exited) "serves" version 1: it does not count.
        QProcess gone;
        gone.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("echo $$")});
        QVERIFY(gone.waitForFinished());
        const qint64 deadPid = gone.readAllStandardOutput().trimmed().toLongLong();
        QVERIFY(deadPid > 0);
        writeEndpoint(QStringLiteral("iris-dead"), deadPid, 1);

        QCOMPARE(registry.endpointsServing(QStringLiteral("iris"), 2).size(), 1);
        QVERIFY(registry.endpointsServing(QStringLiteral("iris"), 1).isEmpty());
        const QString refused = errorOf([&] { registry.deleteVersion(QStringLiteral("iris:2")); });
        QVERIFY2(refused.contains(QStringLiteral("served by endpoint 'iris-live'")), qPrintable(refused));
        QVERIFY(errorOf([&] { registry.deleteModel(QStringLiteral("iris")); }).contains(QStringLiteral("iris-live")));
        QCOMPARE(registry.versions(QStringLiteral("iris")).size(), 2);
        QVERIFY(QFile::exists(registry.resolve(QStringLiteral("iris:2")).modelDir + QStringLiteral("/model.json")));

        // Version 1 is free to go: its files and alias go with it.
        const QString dir1 = registry.resolve(QStringLiteral("iris:1")).modelDir;
        registry.deleteVersion(QStringLiteral("iris:1"));
        QVERIFY(!QFileInfo::exists(dir1));
        QVERIFY(!registry.model(QStringLiteral("iris")).aliases.contains(QStringLiteral("champion")));
        QVERIFY(errorOf([&] { registry.resolve(QStringLiteral("iris:1")); }).contains(QStringLiteral("versions: 2")));
        // Once the endpoint is gone, version 2 can go too; numbers are never reused.
        QFile::remove(QDir(registry.endpointsDir()).filePath(QStringLiteral("iris-live.json")));
        registry.deleteVersion(QStringLiteral("iris:2"));
        QVERIFY(errorOf([&] { registry.resolve(QStringLiteral("iris")); }).contains(QStringLiteral("has no versions")));
        QCOMPARE(registry.registerRun(QStringLiteral("iris"), m_run2).version, 3);
        registry.deleteModel(QStringLiteral("iris-exported"));
        QVERIFY(!registry.hasModel(QStringLiteral("iris-exported")));
        QVERIFY(!QFileInfo::exists(registry.modelsRoot() + QStringLiteral("/iris-exported")));
    }
};

QTEST_GUILESS_MAIN(tst_ModelRegistry)
#include "tst_modelregistry.moc"
