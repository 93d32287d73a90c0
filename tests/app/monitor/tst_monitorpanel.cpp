// The Monitor panel in the real main window, against the real core and a real endpoint: an
// XGBoost model trained by `cairn train` on titanic.csv and registered, served by `cairn serve
// --capture 100`, sent the titanic rows and then a copy with age and sex shifted. From the panel:
// the baseline from the model's training data (a CSV that cannot be read refused, the baseline
// kept), a monitoring run over each half (the first clean; the second flags exactly age and sex,
// raises the status bar alert, and shows in the timeline, the drift table with sparklines, the
// distribution overlay and the quality chart measured from labels and estimated with CBPE), a
// comparison of the two tables, an hourly schedule that fires, a window without traffic failing
// with its reason, and "Retrain on recent data" filling the Training panel's form.
#include "../xgboostpanelsetup.h"
#include "../../e2e/servinghelpers.h"

#include "curveplot.h"
#include "datapicker.h"
#include "mainwindow.h"
#include "monitorpanel.h"
#include "monitorplots.h"
#include "panelregistry.h"
#include "parameterform.h"
#include "sparklinedelegate.h"
#include "studiocontext.h"
#include "trainingpanel.h"

#include "cairn/data/csvreader.h"
#include "cairn/data/csvwriter.h"
#include "cairn/monitor/baseline.h"
#include "cairn/monitor/capture.h"

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace cairn;
using namespace cairn::panels;

namespace {
const QString kEndpoint = QStringLiteral("titanic");

template<class T>
T *findPanel(const studio::MainWindow &window)
{
    for (gui::Panel *p : window.panels())
        if (auto *t = qobject_cast<T *>(p))
            return t;
    return nullptr;
}

/// The drift table's verdicts: feature → drifted.
QMap<QString, bool> verdicts(const MonitorPanel &panel)
{
    QMap<QString, bool> out;
    QTableWidget *t = panel.driftTable();
    for (int row = 0; row < t->rowCount(); ++row)
        out.insert(t->item(row, MonitorPanel::FeatureColumn)->data(Qt::UserRole + 1).toString(),
                   t->item(row, MonitorPanel::DriftedColumn)->data(Qt::UserRole + 2).toDouble() > 0);
    return out;
}
} // namespace

class TestMonitorPanel : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws, m_shifted, m_labels;
    QDateTime m_start, m_boundary;
    ServeProcess m_serve;
    std::unique_ptr<gui::StudioContext> m_context;
    std::unique_ptr<studio::MainWindow> m_window;
    MonitorPanel *m_panel = nullptr;

    /// Starts a background task of the panel and waits until it has ended and the panel has
    /// reloaded what it shows.
    bool waitTask(const std::function<void()> &start, QString *error)
    {
        QSignalSpy spy(m_panel, &MonitorPanel::taskFinished);
        QSignalSpy loaded(m_panel, &MonitorPanel::sourceLoaded);
        start();
        if (spy.isEmpty() && !spy.wait(60000))
            return false;
        *error = spy.first().first().toString();
        if (loaded.isEmpty() && !loaded.wait(20000))
            return false;
        return !m_panel->isBusy();
    }

    /// Sends the rows of `table` (the model's inputs) in batches of 100 and records each row's
    /// label under the id the endpoint captured it with ("EVENT#k").
    void send(const data::Table &table, QByteArray &labels)
    {
        KeepAliveClient client(m_serve.port);
        // The model's inputs, as its clients send them.
        const QStringList features{QStringLiteral("sex"), QStringLiteral("age"), QStringLiteral("passengerClass")};
        const data::Column &label = table.column(QStringLiteral("survived"));
        for (qsizetype first = 0; first < table.rowCount(); first += 100) {
            const qsizetype last = std::min(table.rowCount(), first + 100);
            QByteArray body = data::csvLine(features);
            for (qsizetype r = first; r < last; ++r) {
                QStringList fields;
                for (const QString &f : features)
                    fields << table.column(f).text(r);
                body += data::csvLine(fields);
            }
            const HttpAnswer a = client.post("/invocations", "text/csv", body);
            QCOMPARE(a.status, 200);
            const QByteArray id = a.header("x-cairn-event-id");
            QVERIFY(!id.isEmpty());
            for (qsizetype r = first; r < last; ++r)
                labels += id + '#' + QByteArray::number(r - first) + ',' + label.text(r).toUtf8() + '\n';
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString titanic = xgboostpanel::sharedTable(QStringLiteral("titanic.csv"));
        if (const QString why = xgboostpanel::setUp(titanic); !why.isEmpty())
            QSKIP(qPrintable(why));
        QVERIFY(m_dir.isValid());
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        const ProcessResult trained = cairnInWorkspace(m_ws, {QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"),
                                                              titanic, QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"),
                                                              QStringLiteral("num_round=10"), QStringLiteral("--cpus"), QStringLiteral("1")});
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));
        const QRegularExpressionMatch run = QRegularExpression(QStringLiteral("run ([0-9a-f]{32}): finished")).match(trained.out);
        QVERIFY2(run.hasMatch(), qPrintable(trained.out));
        const ProcessResult registered = cairnInWorkspace(m_ws, {QStringLiteral("models"), QStringLiteral("register"), kEndpoint, QStringLiteral("--run"), run.captured(1)});
        QVERIFY2(registered.exitCode == 0, qPrintable(registered.err));

        // The shifted copy: everyone 30 years older, men and women swapped.
        data::Table table = data::CsvReader::read(titanic);
        data::Table shifted = table;
        for (data::Column &c : shifted.columns) {
            if (c.name == QLatin1String("age"))
                for (double &v : c.values)
                    v += 30;
            if (c.name == QLatin1String("sex"))
                for (QString &cat : c.categories)
                    cat = cat == QLatin1String("male") ? QStringLiteral("female") : QStringLiteral("male");
        }
        QByteArray csv = data::csvLine(shifted.columnNames());
        for (qsizetype r = 0; r < shifted.rowCount(); ++r) {
            QStringList fields;
            for (const data::Column &c : shifted.columns)
                fields << c.text(r);
            csv += data::csvLine(fields);
        }
        m_shifted = writeFile(QDir(m_dir.path()), QStringLiteral("titanic-shifted.csv"), csv);

        QString why;
        QVERIFY2(m_serve.start(m_ws, {QStringLiteral("--model"), kEndpoint + QStringLiteral(":1"), QStringLiteral("--name"), kEndpoint,
                                      QStringLiteral("--capture"), QStringLiteral("100"), QStringLiteral("--workers"), QStringLiteral("2")},
                               &why),
                 qPrintable(why));

        // Traffic whose distribution shifts halfway.
        QByteArray labels = "eventId,label\n";
        m_start = QDateTime::currentDateTimeUtc();
        send(table, labels);
        QTest::qWait(20); // the two halves a few milliseconds apart on the capture's clock
        m_boundary = QDateTime::currentDateTimeUtc();
        QTest::qWait(20);
        send(shifted, labels);
        m_labels = writeFile(QDir(m_dir.path()), QStringLiteral("labels.csv"), labels);
        const qsizetype requests = (table.rowCount() + 99) / 100 * 2;
        const QString captured = monitor::captureDir(m_ws, kEndpoint);
        QTRY_COMPARE_WITH_TIMEOUT(monitor::readCapture(captured).records.size(), requests, 30000);

        m_context = std::make_unique<gui::StudioContext>();
        m_context->openWorkspace(m_ws);
        m_window = std::make_unique<studio::MainWindow>(m_context.get(), studio::createPanels(m_context.get()));
        m_window->resize(1500, 950);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QVERIFY(m_window->raisePanel(QStringLiteral("monitor")));
        m_panel = findPanel<MonitorPanel>(*m_window);
        QVERIFY(m_panel);
    }

    void cleanupTestCase() { m_serve.kill(); }

    void baselineFromTheModelsTrainingData()
    {
        QSignalSpy loaded(m_panel, &MonitorPanel::sourceLoaded);
        QVERIFY(m_panel->selectSource(kEndpoint));
        QVERIFY(loaded.wait(20000));
        QCOMPARE(m_panel->currentSource(), kEndpoint);
        QVERIFY(!m_panel->baseline());
        QVERIFY(!m_panel->runButton()->isEnabled()); // nothing to compare with yet
        QVERIFY(m_panel->infoLabel()->text().contains(QStringLiteral("No baseline")));

        // The registry knows what the served model learned from.
        const auto [csv, target] = m_panel->modelTrainingData();
        QCOMPARE(QFileInfo(csv).canonicalFilePath(), QFileInfo(xgboostpanel::sharedTable(QStringLiteral("titanic.csv"))).canonicalFilePath());
        QCOMPARE(target, QStringLiteral("survived"));

        QString error;
        QVERIFY(waitTask([&] { m_panel->createBaseline(csv, target); }, &error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(m_panel->baseline());
        const monitor::Baseline &b = *m_panel->baseline();
        QStringList names;
        for (const monitor::FeatureStatistics &f : b.statistics.features)
            names << f.name;
        QCOMPARE(names, (QStringList{QStringLiteral("sex"), QStringLiteral("age"), QStringLiteral("passengerClass")}));
        QCOMPARE(b.statistics.feature(QStringLiteral("age"))->inferredType, monitor::InferredType::Fractional);
        QCOMPARE(b.statistics.feature(QStringLiteral("sex"))->inferredType, monitor::InferredType::String);
        QVERIFY(QFileInfo::exists(b.constraintsPath()));
        // The model's own validation scores are what windows are held against.
        QVERIFY(b.quality.value(QStringLiteral("accuracy")).isDouble());
        QVERIFY(m_panel->runButton()->isEnabled());
        QVERIFY(m_panel->infoLabel()->text().contains(QStringLiteral("titanic.csv")));

        // A file that cannot be read: a clear error, and the baseline made before is kept.
        QVERIFY(waitTask([&] { m_panel->createBaseline(m_dir.filePath(QStringLiteral("missing.csv")), QStringLiteral("survived")); }, &error));
        QVERIFY(error.contains(QStringLiteral("missing.csv")));
        QVERIFY(m_panel->messageLabel()->isVisible());
        QVERIFY(m_panel->messageLabel()->text().contains(QStringLiteral("missing.csv")));
        QVERIFY(m_panel->baseline());
        QCOMPARE(m_panel->baseline()->statistics.features.size(), 3);
    }

    void runsFlagTheShiftedColumns()
    {
        m_panel->setGroundTruth(m_labels);
        auto *alert = m_window->findChild<QPushButton *>(QStringLiteral("alertButton"));
        QVERIFY(alert);
        QVERIFY(!alert->isVisible());

        // The first half: the data the model was trained on.
        QString error;
        QVERIFY(waitTask([&] { m_panel->runWindow(m_start.addSecs(-60), m_boundary); }, &error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(m_panel->runs().size(), 1);
        const monitor::MonitoringRun first = m_panel->runs().first();
        QCOMPARE(first.rows, qint64(1309));
        QVERIFY2(first.violations.isEmpty(), qPrintable(first.violations.isEmpty() ? QString() : first.violations.first().description));
        QVERIFY(!alert->isVisible());

        // The second half: age and sex shifted.
        QVERIFY(waitTask([&] { m_panel->runWindow(m_boundary, QDateTime::currentDateTimeUtc()); }, &error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(m_panel->runs().size(), 2);
        const monitor::MonitoringRun second = m_panel->runs().last();
        QCOMPARE(second.rows, qint64(1309));
        QCOMPARE(second.driftedFeatures, (QStringList{QStringLiteral("sex"), QStringLiteral("age")}));
        // Of the inputs, exactly the shifted ones break baseline_drift_check (the model's answers
        // may drift too: they have their own rows).
        QSet<QString> flagged;
        for (const monitor::Violation &v : second.violations)
            if (v.checkType == QLatin1String("baseline_drift_check") && m_panel->baseline()->statistics.feature(v.featureName))
                flagged << v.featureName;
        QCOMPARE(flagged, (QSet<QString>{QStringLiteral("sex"), QStringLiteral("age")}));
        // SageMaker's files are on disk.
        for (const char *file : {"constraint_violations.json", "statistics.json", "drift.json", "report.html"})
            QVERIFY2(QFileInfo::exists(QDir(second.directory).filePath(QString::fromLatin1(file))), file);

        // The alert in the status bar names the endpoint and the features; a click shows the panel.
        QTRY_VERIFY_WITH_TIMEOUT(alert->isVisible(), 10000);
        QVERIFY(alert->text().contains(kEndpoint));
        QVERIFY(alert->text().contains(QStringLiteral("age")));
        QVERIFY(alert->text().contains(QStringLiteral("sex")));
        m_window->grab().save(xgboostpanel::screenshotPath(QStringLiteral("monitor-window.png")));

        // The timeline: two runs, the second with violations, selected.
        QCOMPARE(m_panel->timeline()->runCount(), 2);
        QCOMPARE(m_panel->timeline()->violationBars(), 1);
        QCOMPARE(m_panel->timeline()->selected(), 1);
        QCOMPARE(m_panel->runsView()->topLevelItemCount(), 2);
        QCOMPARE(m_panel->selectedRunId(), second.id);

        // The drift table flags exactly the shifted columns.
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->shownRunId(), second.id, 10000);
        QCOMPARE(m_panel->driftReport().features.size(), 3);
        QVERIFY(!m_panel->predictionDrift().features.isEmpty()); // the baseline kept the model's answers
        QCOMPARE(m_panel->driftTable()->rowCount(), 3 + m_panel->predictionDrift().features.size());
        const QMap<QString, bool> drifted = verdicts(*m_panel);
        QCOMPARE(drifted.value(QStringLiteral("age")), true);
        QCOMPARE(drifted.value(QStringLiteral("sex")), true);
        QCOMPARE(drifted.value(QStringLiteral("passengerClass")), false);
        // A sparkline per feature: one point per run, this run marked.
        for (int row = 0; row < m_panel->driftTable()->rowCount(); ++row) {
            if (!m_panel->driftReport().feature(m_panel->driftTable()->item(row, 0)->data(Qt::UserRole + 1).toString()))
                continue;
            const QModelIndex trend = m_panel->driftTable()->model()->index(row, MonitorPanel::TrendColumn);
            QCOMPARE(trend.data(SparklineDelegate::SeriesRole).value<QList<double>>().size(), 2);
            QCOMPARE(trend.data(SparklineDelegate::MarkRole).toInt(), 1);
        }
        // The most drifted feature's distributions are shown; another one on request.
        QVERIFY(!m_panel->selectedFeature().isEmpty());
        QVERIFY(m_panel->selectFeature(QStringLiteral("age")));
        QVERIFY(m_panel->distributionPlot()->binCount() > 3);
        QVERIFY(m_panel->selectFeature(QStringLiteral("sex")));
        QCOMPARE(m_panel->distributionPlot()->binCount(), 2);
        QVERIFY(!m_panel->selectFeature(QStringLiteral("name"))); // left out of the baseline

        // Quality over the windows: measured from the labels, CBPE's estimate, the baseline.
        QVERIFY(second.quality.metrics.contains(QStringLiteral("accuracy")));
        QVERIFY(!second.quality.estimated);
        QVERIFY(second.estimatedQuality.metrics.contains(QStringLiteral("accuracy")));
        QCOMPARE(m_panel->qualityMetricBox()->currentText(), QStringLiteral("accuracy"));
        QCOMPARE(m_panel->qualityPlot()->curveCount(), 3);
        QVERIFY(m_panel->violationsView()->topLevelItemCount() >= 2);
        QVERIFY(m_panel->reportButton()->isEnabled());
        m_panel->grab().save(xgboostpanel::screenshotPath(QStringLiteral("monitor-panel.png")));

        // The clean run: nothing drifted.
        QVERIFY(m_panel->selectRun(first.id));
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->shownRunId(), first.id, 10000);
        const QMap<QString, bool> clean = verdicts(*m_panel);
        QCOMPARE(clean.size(), 3 + m_panel->predictionDrift().features.size());
        QVERIFY(!clean.values().contains(true));
        QCOMPARE(m_panel->violationsView()->topLevelItemCount(), 0);

        // Clicking the alert raises the panel and the alert goes.
        alert->click();
        QVERIFY(!alert->isVisible());
    }

    void compareTwoTables()
    {
        QString error;
        QVERIFY(waitTask([&] { m_panel->compareTables(xgboostpanel::sharedTable(QStringLiteral("titanic.csv")), m_shifted); }, &error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(m_panel->currentSource(), MonitorPanel::comparisonsSource());
        QCOMPARE(m_panel->runs().size(), 1);
        QCOMPARE(m_panel->runs().first().driftedFeatures, (QStringList{QStringLiteral("sex"), QStringLiteral("age")}));
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->shownRunId(), m_panel->runs().first().id, 10000);
        QCOMPARE(m_panel->driftTable()->rowCount(), 5); // name, survived, sex, age, passengerClass
        const QMap<QString, bool> drifted = verdicts(*m_panel);
        QCOMPARE(drifted.keys(true), (QList<QString>{QStringLiteral("age"), QStringLiteral("sex")}));
        QVERIFY(!m_panel->runButton()->isEnabled());
        QVERIFY(!m_panel->retrainButton()->isEnabled());
        QVERIFY(QFileInfo::exists(QDir(m_panel->runs().first().directory).filePath(QStringLiteral("constraint_violations.json"))));
        m_panel->grab().save(xgboostpanel::screenshotPath(QStringLiteral("monitor-compare.png")));
    }

    void scheduleFires()
    {
        QSignalSpy loaded(m_panel, &MonitorPanel::sourceLoaded);
        QVERIFY(m_panel->selectSource(kEndpoint));
        QVERIFY(loaded.wait(20000));
        QCOMPARE(m_panel->runs().size(), 2);
        // A schedule that never ran is due at once: the studio runs it (over the last hour).
        QVERIFY(m_panel->setSchedule(QStringLiteral("hourly")));
        const auto schedule = monitor::MonitoringSchedule::load(m_ws, kEndpoint);
        QVERIFY(schedule);
        QCOMPARE(schedule->frequency, QStringLiteral("hourly"));
        QCOMPARE(schedule->groundTruth, m_labels);
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->runs().size(), 3, 60000);
        QCOMPARE(m_panel->scheduleBox()->currentData().toString(), QStringLiteral("hourly"));
        const auto fired = monitor::MonitoringSchedule::load(m_ws, kEndpoint);
        QVERIFY(fired && fired->lastRun.isValid());
        QVERIFY(m_panel->infoLabel()->text().contains(QStringLiteral("hourly")));
        QVERIFY(m_panel->setSchedule(QString()));
        QVERIFY(!monitor::MonitoringSchedule::load(m_ws, kEndpoint));
    }

    void windowWithoutTrafficFails()
    {
        QString error;
        const QDateTime past = QDateTime(QDate(2020, 1, 1), QTime(0, 0), Qt::UTC);
        const qsizetype before = m_panel->runs().size();
        QVERIFY(waitTask([&] { m_panel->runWindow(past, past.addSecs(3600)); }, &error));
        QVERIFY(error.contains(QStringLiteral("no captured rows")));
        QVERIFY(m_panel->messageLabel()->text().contains(QStringLiteral("no captured rows")));
        QCOMPARE(m_panel->runs().size(), before + 1);
        QCOMPARE(m_panel->runs().last().status, QStringLiteral("Failed"));
        QVERIFY(!m_panel->retrainButton()->isEnabled()); // a failed run has no rows to train on
    }

    void retrainOnRecentData()
    {
        // The shifted half, with its labels, into the Training panel's form.
        QString shiftedRun;
        for (const monitor::MonitoringRun &r : m_panel->runs())
            if (r.windowStart == m_boundary)
                shiftedRun = r.id;
        QVERIFY(m_panel->selectRun(shiftedRun));
        QVERIFY(m_panel->retrainButton()->isEnabled());
        QString error, csv;
        QVERIFY(waitTask([&] { csv = m_panel->retrainOnRecentData(); }, &error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const data::Table recent = data::CsvReader::read(csv);
        QCOMPARE(recent.rowCount(), qsizetype(1309));
        QCOMPARE(recent.columnNames(), (QStringList{QStringLiteral("sex"), QStringLiteral("age"), QStringLiteral("passengerClass"), QStringLiteral("survived")}));
        double age = 0;
        for (double v : recent.column(QStringLiteral("age")).values)
            age += std::isnan(v) ? 0 : v;
        QVERIFY(age / 1309 > 40); // the shifted ages, not the training data's

        auto *training = findPanel<TrainingPanel>(*m_window);
        QVERIFY(training);
        QTRY_COMPARE_WITH_TIMEOUT(training->dataPicker()->trainPath(), csv, 10000);
        QCOMPARE(training->algorithmId(), QStringLiteral("xgboost"));
        QCOMPARE(training->parameterForm()->values().value(QStringLiteral("num_round")).toInt(), 10);
        QTRY_COMPARE_WITH_TIMEOUT(training->dataPicker()->target(), QStringLiteral("survived"), 10000);
        m_window->grab().save(xgboostpanel::screenshotPath(QStringLiteral("monitor-retrain.png")));

        // Without labels, retraining is refused with the reason.
        m_panel->setGroundTruth(QString());
        QSignalSpy refused(m_panel, &MonitorPanel::taskFinished);
        QVERIFY(m_panel->retrainOnRecentData().isEmpty());
        QCOMPARE(refused.size(), 1);
        QVERIFY(refused.first().first().toString().contains(QStringLiteral("labels")));
        QVERIFY(m_panel->messageLabel()->text().contains(QStringLiteral("labels")));
    }
};

QTEST_MAIN(TestMonitorPanel)
#include "tst_monitorpanel.moc"
