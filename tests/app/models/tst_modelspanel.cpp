// The Models panel against the real registry and a real endpoint: two XGBoost models trained by
// `cairn train` on titanic.csv, one registered by the CLI and one from the panel; the list with
// approval states, the lineage (run link, channel hashes), approve with a comment (the store
// changes, the trail grows), the card saved and exported, the diff of what differs and a metric's
// trend; then `cairn serve` started from the panel on a free port, a CSV row sent from the invoke
// form answered exactly as `cairn predict` answers it, the live metrics and log, a model reference
// that does not exist refused with the endpoint's own message, and the endpoint stopped.
#include "endpointsview.h"
#include "modelspanel.h"
#include "studiocontext.h"

#include "curveplot.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/registry/modelregistry.h"
#include "cairn/serving/endpointrecord.h"
#include "cairn/workspace/workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace cairn;
using namespace cairn::panels;

namespace {
QString titanic()
{
    return QDir::cleanPath(QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/titanic.csv"));
}

QString screenshotPath(const QString &name)
{
    const QString dir = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots"));
    QDir().mkpath(dir);
    return QDir(dir).filePath(name);
}

struct Result
{
    int code = -1;
    QString out, err;
};

Result cairnCli(const QString &ws, const QStringList &args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("CAIRN_WORKSPACE"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(CAIRN_CLI_PATH), QStringList{QStringLiteral("--workspace"), ws} + args);
    Result r;
    if (!p.waitForFinished(180000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}
} // namespace

class TestModelsPanel : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QString m_run1, m_run2;
    std::unique_ptr<gui::StudioContext> m_context;
    std::unique_ptr<ModelsPanel> m_panel;

    QString train(const QString &depth)
    {
        const Result r = cairnCli(m_ws, {QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), titanic(),
                                         QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"), QStringLiteral("num_round=10"),
                                         QStringLiteral("--hp"), QStringLiteral("max_depth=") + depth, QStringLiteral("--cpus"), QStringLiteral("1")});
        if (r.code != 0)
            qWarning("%s\n%s", qPrintable(r.out), qPrintable(r.err));
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("run ([0-9a-f]{32}): finished")).match(r.out);
        return m.hasMatch() ? m.captured(1) : QString();
    }

    QTreeWidgetItem *modelItem() const
    {
        QTreeWidget *tree = m_panel->modelsView();
        return tree->topLevelItemCount() > 0 ? tree->topLevelItem(0) : nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        PluginManager plugins;
        bool xgboost = false;
        for (const QJsonObject &m : plugins.algorithmMetadata())
            xgboost = xgboost || m.value(QStringLiteral("id")).toString() == QLatin1String("xgboost");
        if (!xgboost)
            QSKIP("the XGBoost plugin is not built (libxgboost missing)");
        // The shared data is part of the checkout's surroundings, as for every e2e test: its
        // absence is a failure, not a silent skip.
        QVERIFY2(QFile::exists(titanic()), "../shared/data/tabular/titanic.csv is missing");
        qputenv("CAIRN_CLI", CAIRN_CLI_PATH);
        QVERIFY(m_dir.isValid());
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        m_run1 = train(QStringLiteral("2"));
        m_run2 = train(QStringLiteral("5"));
        QVERIFY(!m_run1.isEmpty() && !m_run2.isEmpty());
        const Result r = cairnCli(m_ws, {QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("titanic"), QStringLiteral("--run"), m_run1});
        QVERIFY2(r.code == 0, qPrintable(r.err));

        m_context = std::make_unique<gui::StudioContext>();
        m_context->openWorkspace(m_ws);
        m_panel = std::make_unique<ModelsPanel>(m_context.get());
        m_panel->resize(1400, 900);
        m_panel->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    }

    void cleanupTestCase()
    {
        // Never leave an endpoint behind, whatever failed.
        if (m_ws.isEmpty())
            return;
        for (const serving::EndpointRecord &r : serving::EndpointRecord::list(m_ws))
            cairnCli(m_ws, {QStringLiteral("endpoints"), QStringLiteral("stop"), r.name});
    }

    void listsTheRegisteredModel()
    {
        QTreeWidgetItem *top = modelItem();
        QVERIFY(top);
        QCOMPARE(top->text(0), QStringLiteral("titanic"));
        QCOMPARE(top->childCount(), 1);
        QCOMPARE(top->text(1), QStringLiteral("Pending approval"));

        // The second version is registered from the panel (what the run menus ask for).
        QCOMPARE(m_panel->registerRunAs(m_run2, QStringLiteral("titanic")), QStringLiteral("titanic:2"));
        QCOMPARE(modelItem()->childCount(), 2);
        QCOMPARE(m_panel->selectedVersion(), QStringLiteral("titanic:2"));
        QCOMPARE(ModelRegistry(m_context->workspace()).version(QStringLiteral("titanic:2")).runUuid, m_run2);
        // A run that does not exist: a clear error, nothing registered.
        QVERIFY(m_panel->registerRunAs(QStringLiteral("ffffffff"), QStringLiteral("titanic")).isEmpty());
        QVERIFY2(!m_panel->messageLabel()->text().isEmpty(), "no error shown");
        QCOMPARE(ModelRegistry(m_context->workspace()).versions(QStringLiteral("titanic")).size(), 2);

        // Lineage: the run as a link, the data channels with their hashes.
        QVERIFY(m_panel->selectVersion(QStringLiteral("titanic:1")));
        QVERIFY2(m_panel->lineageView()->text().contains(QStringLiteral("run:") + m_run1), qPrintable(m_panel->lineageView()->text()));
        QVERIFY(m_panel->lineageView()->text().contains(QStringLiteral("max_depth")));
        QVERIFY(m_panel->channelsTable()->rowCount() >= 1);
        QCOMPARE(m_panel->channelsTable()->item(0, 2)->text().size(), 64);
        QSignalSpy showRun(m_context.get(), &gui::StudioContext::showRunRequested);
        Q_EMIT m_panel->lineageView()->linkActivated(QStringLiteral("run:") + m_run1);
        QCOMPARE(showRun.size(), 1);
        QCOMPARE(showRun.first().first().toString(), m_run1);
    }

    void approvesWithAComment()
    {
        QVERIFY(m_panel->selectVersion(QStringLiteral("titanic:1")));
        m_panel->commentEdit()->setText(QStringLiteral("AUC fine on the hold-out"));
        QVERIFY(m_panel->approveSelected(true));
        ModelRegistry registry(m_context->workspace());
        QCOMPARE(registry.version(QStringLiteral("titanic:1")).approval, QStringLiteral("Approved"));
        const QList<ApprovalEvent> trail = registry.approvalTrail(QStringLiteral("titanic:1"));
        QCOMPARE(trail.size(), 2);
        QCOMPARE(trail.last().comment, QStringLiteral("AUC fine on the hold-out"));
        QCOMPARE(m_panel->selectedVersion(), QStringLiteral("titanic:1"));
        QCOMPARE(m_panel->trailView()->topLevelItemCount(), 2);
        QCOMPARE(m_panel->trailView()->topLevelItem(1)->text(3), QStringLiteral("AUC fine on the hold-out"));
        QCOMPARE(m_panel->modelsView()->currentItem()->text(1), QStringLiteral("Approved"));

        // An alias on a rejected version is refused by the registry, and the panel says so.
        QVERIFY(m_panel->selectVersion(QStringLiteral("titanic:2")));
        m_panel->commentEdit()->setText(QStringLiteral("overfits"));
        QVERIFY(m_panel->approveSelected(false));
        QCOMPARE(registry.version(QStringLiteral("titanic:2")).approval, QStringLiteral("Rejected"));
        m_panel->findChild<QLineEdit *>(QStringLiteral("alias"))->setText(QStringLiteral("champion"));
        QMetaObject::invokeMethod(m_panel->findChild<QPushButton *>(QStringLiteral("setAlias")), "click");
        QVERIFY(m_panel->messageLabel()->text().contains(QStringLiteral("Rejected"), Qt::CaseInsensitive));
        QVERIFY(registry.model(QStringLiteral("titanic")).aliases.isEmpty());
        QVERIFY(m_panel->selectVersion(QStringLiteral("titanic:1")));
        m_panel->findChild<QLineEdit *>(QStringLiteral("alias"))->setText(QStringLiteral("champion"));
        QMetaObject::invokeMethod(m_panel->findChild<QPushButton *>(QStringLiteral("setAlias")), "click");
        QCOMPARE(registry.model(QStringLiteral("titanic")).aliases.value(QStringLiteral("champion")), 1);
    }

    void editsAndExportsTheCard()
    {
        QVERIFY(m_panel->selectVersion(QStringLiteral("titanic:1")));
        m_panel->cardEdit(0)->setPlainText(QStringLiteral("Teaching survival analysis"));
        m_panel->cardEdit(3)->setPlainText(QStringLiteral("1912 passengers only"));
        QVERIFY(m_panel->saveCard());
        const ModelCardText card = ModelRegistry(m_context->workspace()).card(QStringLiteral("titanic:1"));
        QCOMPARE(card.intendedUse, QStringLiteral("Teaching survival analysis"));
        QCOMPARE(card.limitations, QStringLiteral("1912 passengers only"));
        // Shown again after a refresh (another version, then back).
        QVERIFY(m_panel->selectVersion(QStringLiteral("titanic:2")));
        QVERIFY(m_panel->cardEdit(0)->toPlainText().isEmpty());
        QVERIFY(m_panel->selectVersion(QStringLiteral("titanic:1")));
        QCOMPARE(m_panel->cardEdit(0)->toPlainText(), QStringLiteral("Teaching survival analysis"));

        const QString md = m_dir.filePath(QStringLiteral("card.md"));
        const QString json = m_dir.filePath(QStringLiteral("card.json"));
        QVERIFY(m_panel->exportCard(md));
        QVERIFY(m_panel->exportCard(json));
        QVERIFY(readFile(md).contains(QStringLiteral("Teaching survival analysis")));
        const QJsonObject o = QJsonDocument::fromJson(readFile(json).toUtf8()).object();
        QCOMPARE(o.value(QStringLiteral("intended_use")).toString(), QStringLiteral("Teaching survival analysis"));
        QCOMPARE(o.value(QStringLiteral("version")).toInt(), 1);
        // An export that cannot be written: an error, no crash.
        QVERIFY(!m_panel->exportCard(QStringLiteral("/nonexistent/dir/card.md")));
        QVERIFY(m_panel->messageLabel()->text().contains(QStringLiteral("/nonexistent/dir/card.md")));
    }

    void comparesVersions()
    {
        QVERIFY(m_panel->selectVersion(QStringLiteral("titanic")));
        m_panel->tabs()->setCurrentIndex(2);
        QTableWidget *diff = m_panel->diffTable();
        QCOMPARE(diff->columnCount(), 4); // section, key, v1, v2
        QVERIFY(diff->rowCount() > 0);
        bool depth = false;
        for (int r = 0; r < diff->rowCount(); ++r) {
            depth = depth || diff->item(r, 1)->text() == QLatin1String("max_depth");
            // Only what differs: no row with equal values.
            QVERIFY2(diff->item(r, 2)->text() != diff->item(r, 3)->text(), qPrintable(diff->item(r, 1)->text()));
        }
        QVERIFY(depth);
        QVERIFY(m_panel->trendMetricBox()->count() > 0);
        QCOMPARE(m_panel->trendPlot()->curveCount(), 1);
        m_panel->grab().save(screenshotPath(QStringLiteral("models-compare.png")));
        // Everything, equal rows included.
        const int differing = diff->rowCount();
        m_panel->findChild<QCheckBox *>(QStringLiteral("onlyDifferences"))->setChecked(false);
        QVERIFY(m_panel->diffTable()->rowCount() > differing);
        m_panel->findChild<QCheckBox *>(QStringLiteral("onlyDifferences"))->setChecked(true);
    }

    void servesInvokesAndStops()
    {
        EndpointsView *view = m_panel->endpointsView();
        // What Deploy in a run's menu asks for.
        Q_EMIT m_context->deployModelRequested(QStringLiteral("titanic@champion"));
        QCOMPARE(view->modelEdit()->text(), QStringLiteral("titanic@champion"));
        QCOMPARE(m_panel->tabs()->currentWidget(), static_cast<QWidget *>(view));

        // A reference that names nothing: the endpoint's own error, no endpoint.
        view->startEndpoint(QStringLiteral("titanic:9"), QStringLiteral("broken"), 0);
        auto *status = view->findChild<QLabel *>(QStringLiteral("endpointStatus"));
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("did not start")), 30000);
        QVERIFY2(status->text().contains(QStringLiteral("9")), qPrintable(status->text()));
        QVERIFY(view->endpointNames().isEmpty());

        view->startEndpoint(QStringLiteral("titanic@champion"), QStringLiteral("gui-titanic"), 0); // 0: a free port
        QTRY_VERIFY_WITH_TIMEOUT(view->endpointNames().contains(QStringLiteral("gui-titanic")), 30000);
        QVERIFY(view->selectEndpoint(QStringLiteral("gui-titanic")));
        QTRY_VERIFY_WITH_TIMEOUT(view->logView()->toPlainText().contains(QStringLiteral("serves titanic v1")), 15000);
        // The registry knows the version is served: deleting it is refused.
        QVERIFY(!ModelRegistry(m_context->workspace()).endpointsServing(QStringLiteral("titanic"), 1).isEmpty());
        // Two polls of /metrics give the first rate.
        QTRY_VERIFY_WITH_TIMEOUT(view->rateLabel()->text().contains(QStringLiteral("requests/s")), 15000);

        const QStringList lines = readFile(titanic()).split(QLatin1Char('\n'));
        const QString rows = lines.mid(0, 3).join(QLatin1Char('\n')) + QLatin1Char('\n');
        view->contentTypeBox()->setCurrentText(QStringLiteral("text/csv"));
        view->requestEdit()->setPlainText(rows);
        QSignalSpy answered(view, &EndpointsView::invokeFinished);
        view->invoke();
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 1, 30000);
        QVERIFY2(answered.first().first().toInt() == 200, qPrintable(view->responseView()->toPlainText()));
        QVERIFY(view->responseStatus()->text().contains(QStringLiteral("titanic:1")));
        // Exactly what `cairn predict` writes for the same rows.
        const QString input = m_dir.filePath(QStringLiteral("rows.csv"));
        const QString output = m_dir.filePath(QStringLiteral("predicted.csv"));
        {
            QFile f(input);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(rows.toUtf8());
        }
        const Result predicted = cairnCli(m_ws, {QStringLiteral("predict"), QStringLiteral("--model"), QStringLiteral("titanic:1"), QStringLiteral("--input"), input,
                                                 QStringLiteral("--output"), output});
        QVERIFY2(predicted.code == 0, qPrintable(predicted.err));
        QCOMPARE(view->responseView()->toPlainText(), readFile(output));
        QTRY_VERIFY_WITH_TIMEOUT(view->requestsSeen() >= 1, 15000);

        // The same rows as MLflow's JSON records, answered as CSV (Accept): the same predictions.
        view->contentTypeBox()->setCurrentText(QStringLiteral("application/json"));
        view->findChild<QComboBox *>(QStringLiteral("accept"))->setCurrentText(QStringLiteral("text/csv"));
        view->requestEdit()->setPlainText(QStringLiteral(
            R"({"dataframe_records": [{"sex": "female", "age": 29, "passengerClass": "1st"}, {"sex": "male", "age": 0.916700006, "passengerClass": "1st"}]})"));
        view->invoke();
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 2, 30000);
        QCOMPARE(answered.last().first().toInt(), 200);
        QCOMPARE(view->responseView()->toPlainText(), readFile(output));
        view->contentTypeBox()->setCurrentText(QStringLiteral("text/csv"));
        view->findChild<QComboBox *>(QStringLiteral("accept"))->setCurrentIndex(0);

        // A malformed body: the endpoint's 400 with the row and column is shown.
        view->requestEdit()->setPlainText(lines.first() + QStringLiteral("\n\"X, Mr. Y\",\"no\",\"male\",old,\"3rd\"\n"));
        view->invoke();
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 3, 30000);
        QCOMPARE(answered.last().first().toInt(), 400);
        QVERIFY(view->responseView()->toPlainText().contains(QStringLiteral("\"error\"")));
        view->requestEdit()->setPlainText(rows);
        view->invoke();
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 4, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(view->requestsSeen() >= 4, 15000);

        m_panel->grab().save(screenshotPath(QStringLiteral("models-endpoints.png")));
        m_panel->tabs()->setCurrentIndex(0);
        QVERIFY(m_panel->selectVersion(QStringLiteral("titanic:1")));
        QVERIFY(m_panel->findChild<QLabel *>(QStringLiteral("versionHeader"))->text().contains(QStringLiteral("gui-titanic"))); // served by
        m_panel->grab().save(screenshotPath(QStringLiteral("models-version.png")));

        view->stopEndpoint(QStringLiteral("gui-titanic"));
        QTRY_VERIFY_WITH_TIMEOUT(view->endpointNames().isEmpty(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(view->logView()->toPlainText().contains(QStringLiteral("stopped")) || view->selectedEndpoint().isEmpty(), 15000);
        QVERIFY(serving::EndpointRecord::list(m_ws).isEmpty());
    }
};

QTEST_MAIN(TestModelsPanel)
#include "tst_modelspanel.moc"
