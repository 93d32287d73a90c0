// The Tuning form's hosts list: a tuning job started from the panel with two hosts ticked (this
// machine and a real sshd on a loopback port, see tests/e2e/loopbacksshd.h) spreads its real
// XGBoost trials over both, and the trials table says which trial ran where, live and when the run
// is read back from the store. Screenshots: <build>/screenshots/tuning-hosts*.png.
#include "../xgboostpanelsetup.h"
#include "../../e2e/clirunner.h"
#include "../../e2e/loopbacksshd.h"
#include "datapicker.h"
#include "hostpicker.h"
#include "parameterform.h"
#include "studiocontext.h"
#include "tuningpanel.h"

#include "cairn/remote/host.h"
#include "cairn/remote/sshconnection.h"

#include <QLabel>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <pwd.h>
#include <unistd.h>

using namespace cairn;

class tst_TuningHosts : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    LoopbackSshd m_sshd;

    int hostColumn(QStandardItemModel *table) const
    {
        for (int c = 0; c < table->columnCount(); ++c)
            if (table->horizontalHeaderItem(c)->text() == QLatin1String("Host"))
                return c;
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString missing = xgboostpanel::setUp(xgboostpanel::sharedTable(QStringLiteral("titanic.csv"))); !missing.isEmpty())
            QSKIP(qPrintable(missing));
        if (const QString missing = loopbackSshMissing(); !missing.isEmpty())
            QSKIP(qPrintable(missing));
        const QString t = m_dir.path();
        QProcessEnvironment env;
        const QString started = startLoopbackSshd(m_sshd, QStringLiteral(CAIRN_CLI_PATH), t, &env);
        QVERIFY2(started.isEmpty(), qPrintable(started));
        // This process and the CLI below see the same private hosts file, ssh config and cache.
        shareIsolatedEnvironment(env);
        const QString failed = addLoopbackHost(QStringLiteral(CAIRN_CLI_PATH), m_sshd, QStringLiteral("lab box"), t + QStringLiteral("/remote work"), env,
                                               {QStringLiteral("--job-limit"), QStringLiteral("1")});
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void cleanupTestCase()
    {
        for (const remote::Host &h : remote::HostStore().hosts())
            if (!h.isLocal())
                remote::SshConnection(h).closeMaster();
        m_sshd.stop();
    }

    void trialsSpreadOverTickedHosts()
    {
        gui::StudioContext context;
        context.openWorkspace(m_dir.filePath(QStringLiteral("ws")));
        panels::TuningPanel panel(&context);
        panel.resize(1400, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(panel.selectAlgorithm(QStringLiteral("xgboost")));
        QSignalSpy loaded(panel.dataPicker(), &gui::DataPicker::previewLoaded);
        panel.dataPicker()->setTrainPath(xgboostpanel::sharedTable(QStringLiteral("titanic.csv")));
        QVERIFY(loaded.wait(20000));
        gui::ParameterForm *form = panel.parameterForm();
        QVERIFY(form->setText(QStringLiteral("num_round"), QStringLiteral("10")));
        form->setTuned(QStringLiteral("max_depth"), true);
        form->setRange(QStringLiteral("max_depth"), QStringLiteral("2:6"));
        panel.maxTrialsSpin()->setValue(4);
        panel.parallelSpin()->setValue(2);

        // The list holds this machine (ticked) and the SSH host; none ticked is refused.
        gui::HostChecklist *hosts = panel.hostList();
        QCOMPARE(hosts->count(), 2);
        QCOMPARE(hosts->hosts(), QStringList{QStringLiteral("local")});
        hosts->setHosts({});
        QVERIFY(!panel.startButton()->isEnabled());
        QVERIFY2(panel.formMessage()->text().contains(QStringLiteral("host")), qPrintable(panel.formMessage()->text()));
        // Ticking by hand, as a user does.
        for (int i = 0; i < hosts->count(); ++i)
            hosts->item(i)->setCheckState(Qt::Checked);
        QCOMPARE(hosts->hosts(), (QStringList{QStringLiteral("local"), QStringLiteral("lab box")}));
        QVERIFY2(panel.startButton()->isEnabled(), qPrintable(panel.formMessage()->text()));
        const tuning::TuningSpec spec = panel.currentSpec();
        QCOMPARE(spec.hosts, (QStringList{QStringLiteral("local"), QStringLiteral("lab box")}));

        QSignalSpy finished(&panel, &panels::TuningPanel::tuningFinished);
        QTest::mouseClick(panel.startButton(), Qt::LeftButton);
        QVERIFY(panel.job());
        QStandardItemModel *table = panel.trialsModel();
        const int column = hostColumn(table);
        QVERIFY(column > 0);
        // While it runs the table already names the host of each running trial.
        QTRY_VERIFY_WITH_TIMEOUT(table->rowCount() >= 2 && table->item(0, column) && !table->item(0, column)->text().isEmpty(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 150000);

        QCOMPARE(table->rowCount(), 4);
        QSet<QString> shownHosts;
        for (int row = 0; row < 4; ++row) {
            QCOMPARE(table->item(row, 1)->text(), QStringLiteral("Finished"));
            QCOMPARE(table->item(row, column)->text(), panel.job()->trials().at(row).host);
            shownHosts.insert(table->item(row, column)->text());
        }
        QCOMPARE(shownHosts, (QSet<QString>{QStringLiteral("local"), QStringLiteral("lab box")}));
        QVERIFY2(panel.statusLabel()->text().contains(QStringLiteral("lab box")), qPrintable(panel.statusLabel()->text()));
        QVERIFY(QImage(panel.grab().toImage()).save(xgboostpanel::screenshotPath(QStringLiteral("tuning-hosts.png"))));
        QVERIFY(QImage(hosts->parentWidget()->grab().toImage()).save(xgboostpanel::screenshotPath(QStringLiteral("tuning-hosts-form.png"))));

        // A fresh panel reads the run back from the store: the same host per trial.
        const QString runUuid = panel.job()->runUuid();
        QList<QString> live;
        for (const tuning::Trial &t : panel.job()->trials())
            live << t.host;
        panels::TuningPanel reread(&context);
        QVERIFY(reread.selectRun(runUuid));
        QStandardItemModel *stored = reread.trialsModel();
        const int storedColumn = hostColumn(stored);
        QVERIFY(storedColumn > 0);
        QCOMPARE(stored->rowCount(), 4);
        for (int row = 0; row < 4; ++row)
            QCOMPARE(stored->item(row, storedColumn)->text(), live.at(row));
    }
};

QTEST_MAIN(tst_TuningHosts)
#include "tst_tuninghosts.moc"
