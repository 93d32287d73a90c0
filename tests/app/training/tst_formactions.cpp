// The Train and Start tuning buttons stay in view below their long forms (in a short window too),
// Ctrl+Enter presses them, the Tuning form's choice summaries are never cut off, and Clone brings
// back every setting of a job: debugger collections (also those the form does not list), rule
// parameters, seed, validation fraction, time limit. A real XGBoost job runs through `cairn worker`.
#include "../xgboostpanelsetup.h"
#include "datapicker.h"
#include "debuggerconfigwidget.h"
#include "jobservice.h"
#include "parameterform.h"
#include "studiocontext.h"
#include "trainingpanel.h"
#include "tuningpanel.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/jobs/jobmanager.h"

#include <QComboBox>
#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSignalSpy>
#include <QStyle>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

using namespace cairn;

namespace {

QString titanic()
{
    return xgboostpanel::sharedTable(QStringLiteral("titanic.csv"));
}

bool loadTitanic(gui::DataPicker *picker)
{
    QSignalSpy loaded(picker, &gui::DataPicker::previewLoaded);
    picker->setTrainPath(titanic());
    return loaded.wait(10000) && loaded.first().first().toBool();
}

/// The button lies inside the panel's visible area, outside the form's scroll area.
bool inView(QWidget *panel, QWidget *button)
{
    auto *scroll = panel->findChild<QScrollArea *>(QStringLiteral("formScroll"));
    const QRect where(button->mapTo(panel, QPoint(0, 0)), button->size());
    return scroll && !scroll->isAncestorOf(button) && button->isVisible() && panel->rect().contains(where);
}

} // namespace

class TestFormActions : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (const QString missing = xgboostpanel::setUp(titanic()); !missing.isEmpty())
            QSKIP(qPrintable(missing));
    }

    void trainStaysInViewAndCtrlEnterTrains()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        panels::TrainingPanel panel(&context);
        panel.resize(1300, 520); // a laptop screen with the dock tabs: the form scrolls
        panel.show();
        panel.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        QVERIFY(panel.selectAlgorithm(QStringLiteral("xgboost")));
        QVERIFY(loadTitanic(panel.dataPicker()));
        QVERIFY(panel.parameterForm()->setText(QStringLiteral("num_round"), QStringLiteral("3")));
        auto *scroll = panel.findChild<QScrollArea *>(QStringLiteral("formScroll"));
        QVERIFY(scroll);
        QTRY_VERIFY(scroll->verticalScrollBar()->maximum() > 0);
        QVERIFY(inView(&panel, panel.trainButton()));
        scroll->verticalScrollBar()->setValue(0);
        QVERIFY(inView(&panel, panel.trainButton()));
        QVERIFY(panel.grab().save(xgboostpanel::screenshotPath(QStringLiteral("training-form-pinned.png"))));

        // Ctrl+Enter in any field of the form starts the job.
        QVERIFY2(panel.trainButton()->isEnabled(), qPrintable(panel.formMessage()->text()));
        QSignalSpy clicked(panel.trainButton(), &QPushButton::clicked);
        QSignalSpy ended(&panel, &panels::TrainingPanel::jobEnded);
        panel.runNameEdit()->setFocus();
        QTest::keyClick(panel.runNameEdit(), Qt::Key_Return, Qt::ControlModifier);
        QCOMPARE(clicked.size(), 1);
        QVERIFY(!panel.selectedJobId().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!ended.isEmpty(), 60000);
    }

    void cloneBringsBackEverySetting()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        panels::TrainingPanel panel(&context);
        panel.resize(1300, 850);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        JobManager *manager = gui::JobService::of(&context)->manager();
        QVERIFY(manager);

        // A job as `cairn train` makes it: settings the form shows and some it does not.
        JobSpec spec;
        spec.algorithm = QStringLiteral("xgboost");
        spec.task = QStringLiteral("binary");
        spec.target = QStringLiteral("survived");
        spec.hyperparameters = QJsonObject{{QStringLiteral("num_round"), 3}, {QStringLiteral("max_depth"), 2}};
        spec.channels.insert(QStringLiteral("train"), gui::DataPicker::channelFor(titanic()));
        spec.seed = 7;
        spec.validationFraction = 0.3;
        spec.stopping.maxRuntimeSeconds = 600;
        spec.resources.cpus = 1;
        spec.debugger.collections = {QStringLiteral("weights"), QStringLiteral("feature_importance"), QStringLiteral("losses")};
        spec.debugger.interval = 2;
        const QJsonObject rule{{QStringLiteral("name"), QStringLiteral("LossNotDecreasing")},
                               {QStringLiteral("parameters"), QJsonObject{{QStringLiteral("num_steps"), QStringLiteral("5")}}},
                               {QStringLiteral("actions"), QJsonArray{QStringLiteral("notify"), QStringLiteral("stop")}}};
        spec.debugger.rules = QJsonArray{rule};
        spec.experiment = QStringLiteral("cloned");
        const QString id = manager->submit(spec);
        QTRY_VERIFY_WITH_TIMEOUT(panel.selectJob(id), 10000);
        QTest::mouseClick(panel.cloneButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!panel.dataPicker()->isLoading() && !panel.dataPicker()->columns().isEmpty(), 10000);

        // The collections are ticked in the form.
        auto *collections = panel.debuggerConfig()->findChild<QListWidget *>(QStringLiteral("collections"));
        QVERIFY(collections);
        QVERIFY(panel.debuggerConfig()->isChecked());
        QStringList ticked;
        for (int i = 0; i < collections->count(); ++i)
            if (collections->item(i)->checkState() == Qt::Checked)
                ticked << collections->item(i)->text();
        QCOMPARE(ticked, (QStringList{QStringLiteral("weights"), QStringLiteral("feature_importance")}));
        QVERIFY(panel.grab().save(xgboostpanel::screenshotPath(QStringLiteral("training-cloned.png"))));

        const JobSpec again = panel.currentSpec();
        QCOMPARE(again.debugger.collections.size(), 3);
        for (const QString &c : spec.debugger.collections)
            QVERIFY2(again.debugger.collections.contains(c), qPrintable(c));
        QCOMPARE(again.debugger.interval, 2);
        QCOMPARE(again.debugger.rules, spec.debugger.rules);
        QCOMPARE(again.seed, quint64(7));
        QCOMPARE(again.validationFraction, 0.3);
        QCOMPARE(again.stopping.maxRuntimeSeconds, qint64(600));
        QCOMPARE(again.resources.cpus, 1);
        QCOMPARE(again.target, QStringLiteral("survived"));
        QCOMPARE(again.experiment, QStringLiteral("cloned"));
        QCOMPARE(again.hyperparameters.value(QStringLiteral("max_depth")).toInt(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(manager->job(id).state), 60000);
    }

    void tuningStartStaysInViewAndChoicesShowWhole()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        panels::TuningPanel panel(&context);
        panel.resize(1300, 520);
        panel.show();
        panel.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        const int xgb = panel.algorithmCombo()->findData(QStringLiteral("xgboost"));
        QVERIFY(xgb >= 0);
        panel.algorithmCombo()->setCurrentIndex(xgb);
        QVERIFY(loadTitanic(panel.dataPicker()));
        QVERIFY(inView(&panel, panel.startButton()));

        // Every choice summary ("gbtree, gblinear, dart") fits its button with the menu arrow.
        const auto buttons = panel.parameterForm()->findChildren<QToolButton *>(QRegularExpression(QStringLiteral("^choices_")));
        QVERIFY(!buttons.isEmpty());
        for (QToolButton *b : buttons) {
            const int needed = b->fontMetrics().horizontalAdvance(b->text()) + b->style()->pixelMetric(QStyle::PM_MenuButtonIndicator, nullptr, b);
            QVERIFY2(b->width() >= needed, qPrintable(QStringLiteral("%1: %2 < %3").arg(b->objectName()).arg(b->width()).arg(needed)));
        }
        QVERIFY(panel.grab().save(xgboostpanel::screenshotPath(QStringLiteral("tuning-form-pinned.png"))));

        // Ctrl+Enter presses Start tuning once the form is complete.
        panel.parameterForm()->setTuned(QStringLiteral("max_depth"), true);
        panel.maxTrialsSpin()->setValue(1);
        QTRY_VERIFY2(panel.startButton()->isEnabled(), qPrintable(panel.formMessage()->text()));
        QSignalSpy clicked(panel.startButton(), &QPushButton::clicked);
        panel.nameEdit()->setFocus();
        QTest::keyClick(panel.nameEdit(), Qt::Key_Enter, Qt::ControlModifier);
        QCOMPARE(clicked.size(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(panel.job() == nullptr || !panel.stopButton()->isEnabled(), 120000);
    }
};

QTEST_MAIN(TestFormActions)
#include "tst_formactions.moc"
