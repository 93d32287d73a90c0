// The Resources panel and the Add host wizard against a real sshd on a loopback port (started by
// the test with its own keys, see tests/e2e/loopbacksshd.h): the wizard shows a new host's key
// fingerprint and records it only after the user's explicit yes, then finds the built worker; the
// panel samples the host's load over its shared SSH connection; idle shutdown runs the host's
// real stop command once the sampled host has had nothing to do for its timeout.
// Screenshots go to <build>/screenshots/resources-ssh-*.png.
#include "addhostwizard.h"
#include "hostsettingswidget.h"
#include "probeview.h"
#include "resourcespanel.h"
#include "studiocontext.h"
#include "../../e2e/loopbacksshd.h"

#include "cairn/jobs/jobmanager.h"
#include "cairn/remote/host.h"
#include "cairn/remote/hostusage.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"
#include "cairn/remote/idlemonitor.h"
#include "cairn/remote/sshconnection.h"

#include "qcustomplotinclude.h"

#include <QCheckBox>
#include <QApplication>
#include <QLabel>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTimer>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <pwd.h>
#include <unistd.h>

using namespace cairn;
using namespace cairn::panels;
using remote::Host;
using remote::HostStore;

class tst_ResourcesSsh : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    LoopbackSshd m_sshd;
    std::unique_ptr<gui::StudioContext> m_context;

    void shot(QWidget *w, const QString &name)
    {
        const QString dir = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots"));
        QDir().mkpath(dir);
        QTest::qWait(100);
        QVERIFY(w->grab().save(QDir(dir).filePath(QStringLiteral("resources-ssh-%1.png").arg(name))));
    }

    QString knownHosts() const { return m_dir.filePath(QStringLiteral("known_hosts")); }

    /// What the wizard and hosts.json need beyond the address: this test's files only.
    Host privateFiles() const
    {
        Host h;
        h.sshConfigFile = QStringLiteral("/dev/null");
        h.knownHostsFile = knownHosts();
        h.workDir = m_dir.filePath(QStringLiteral("remote work"));
        return h;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!LoopbackSshd::available())
            QSKIP("openssh-server and rsync are not installed (scripts/setup installs them)");
        QString error;
        QVERIFY2(m_sshd.start(m_dir.path(), QFileInfo(QStringLiteral(CAIRN_CLI_PATH)).absolutePath(), &error), qPrintable(error));
        QFile known(knownHosts());
        QVERIFY(known.open(QIODevice::WriteOnly)); // empty: the host's key is new
        qputenv("CAIRN_HOSTS_FILE", m_dir.filePath(QStringLiteral("hosts.json")).toUtf8());
        qputenv("CAIRN_SSH_CONFIG", m_dir.filePath(QStringLiteral("no-ssh-config")).toUtf8());
        m_context = std::make_unique<gui::StudioContext>();
        m_context->openWorkspace(m_dir.filePath(QStringLiteral("ws")));
    }

    void cleanupTestCase()
    {
        for (const Host &h : HostStore().hosts())
            remote::SshConnection(h).closeMaster();
        m_sshd.stop();
    }

    void wizardAsksBeforeRecordingANewHostKey()
    {
        AddHostWizard wizard;
        wizard.setTemplate(privateFiles());
        wizard.show();
        wizard.byHandButton()->setChecked(true);
        wizard.nameEdit()->setText(QStringLiteral("lab"));
        wizard.addressEdit()->setText(QStringLiteral("127.0.0.1"));
        wizard.portEdit()->setValue(m_sshd.port());
        wizard.userEdit()->setText(QString::fromLocal8Bit(::getpwuid(::getuid())->pw_name));
        wizard.identityEdit()->setText(m_sshd.userKey());
        wizard.next();
        QTRY_VERIFY_WITH_TIMEOUT(!wizard.isTesting(), 30000);
        QVERIFY2(wizard.headlineLabel()->text().contains(QStringLiteral("First connection")), qPrintable(wizard.headlineLabel()->text()));
        // The fingerprint shown is the host key's own.
        QProcess keygen;
        keygen.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-lf"), m_sshd.hostKeyPub()});
        QVERIFY(keygen.waitForFinished());
        const QString fingerprint = QString::fromUtf8(keygen.readAllStandardOutput()).section(QLatin1Char(' '), 1, 1);
        QVERIFY(fingerprint.startsWith(QStringLiteral("SHA256:")));
        QVERIFY(wizard.fingerprintLabel()->isVisible());
        QVERIFY2(wizard.fingerprintLabel()->text().contains(fingerprint), qPrintable(wizard.fingerprintLabel()->text()));
        // Nothing is recorded without the explicit yes.
        QVERIFY(!wizard.acceptKeyButton()->isEnabled());
        QCOMPARE(QFile(knownHosts()).size(), 0);
        shot(&wizard, QStringLiteral("host-key"));
        wizard.trustCheck()->setChecked(true);
        QVERIFY(wizard.acceptKeyButton()->isEnabled());
        QSignalSpy tested(&wizard, &AddHostWizard::testFinished);
        wizard.acceptKeyButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!tested.isEmpty() && !wizard.isTesting(), 60000);
        QVERIFY2(wizard.headlineLabel()->text().contains(QStringLiteral("jobs can run there")), qPrintable(wizard.headlineLabel()->text() + wizard.adviceLabel()->text()));
        QVERIFY(QFile(knownHosts()).size() > 0);
        QVERIFY(wizard.probeView()->value(QStringLiteral("Cairn worker")).contains(QStringLiteral("protocol")));
        QVERIFY(!wizard.probeView()->value(QStringLiteral("Memory")).isEmpty());
        QVERIFY2(wizard.probeView()->value(QStringLiteral("Work folder")).startsWith(privateFiles().workDir), qPrintable(wizard.probeView()->value(QStringLiteral("Work folder"))));
        shot(&wizard, QStringLiteral("connected"));
        wizard.next();
        wizard.settings()->idleTimeoutEdit()->setValue(1);
        wizard.settings()->stopCommandEdit()->setText(QStringLiteral("echo stopped >> '%1'").arg(m_dir.filePath(QStringLiteral("stop log"))));
        wizard.accept();
        const Host saved = HostStore().host(QStringLiteral("lab"));
        QCOMPARE(saved.port, m_sshd.port());
        QCOMPARE(saved.knownHostsFile, knownHosts());
        QCOMPARE(saved.idleTimeoutMinutes, 1);
    }

    void panelSamplesTheHostAndStopsItWhenIdle()
    {
        ResourcesPanel panel(m_context.get());
        panel.setSampleInterval(400);
        panel.idleMonitor()->setLogFile(m_dir.filePath(QStringLiteral("idle.log")));
        panel.idleMonitor()->setCheckInterval(200);
        panel.idleMonitor()->setMinuteMs(15000); // the 1-minute timeout lasts 15 s here
        QSignalSpy done(panel.idleMonitor(), &remote::IdleMonitor::commandFinished);
        panel.resize(1100, 700);
        panel.show();
        QTRY_VERIFY_WITH_TIMEOUT(panel.hostList()->topLevelItemCount() == 2, 10000);
        panel.selectHost(QStringLiteral("lab"));
        // Load over the shared connection: CPU share between two samples, memory.
        QTRY_VERIFY_WITH_TIMEOUT(panel.sampleCount(QStringLiteral("lab")) >= 2, 60000);
        QVERIFY(done.isEmpty());
        QCOMPARE(panel.hostState(QStringLiteral("lab")), ResourcesPanel::HostState::Idle);
        QTreeWidgetItem *row = panel.hostList()->topLevelItem(1);
        QVERIFY2(row->text(3).endsWith(QLatin1Char('%')), qPrintable(row->text(3)));
        QVERIFY(row->text(5).endsWith(QLatin1Char('%')));
        QVERIFY(panel.chart()->graph(2)->dataCount() >= 2);
        QTRY_VERIFY2_WITH_TIMEOUT(panel.headerLabel()->text().contains(QStringLiteral("stops in")), qPrintable(panel.headerLabel()->text()), 10000);
        shot(&panel, QStringLiteral("panel"));
        // Idle for its timeout: the stop command runs, once, and the host reads as stopped.
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 60000);
        QVERIFY(done.first().at(2).toBool());
        QCOMPARE(panel.hostState(QStringLiteral("lab")), ResourcesPanel::HostState::Stopped);
        QFile log(m_dir.filePath(QStringLiteral("stop log")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QCOMPARE(log.readAll(), QByteArray("stopped\n"));
        QFile idleLog(panel.idleMonitor()->logFile());
        QVERIFY(idleLog.open(QIODevice::ReadOnly));
        QVERIFY(idleLog.readAll().contains("lab: idle for"));
        shot(&panel, QStringLiteral("stopped"));
    }

    // A host whose worker is missing: Details offers Install worker… (enabled on this Debian host
    // for a root login or sudo without a password) and, given the package, shows the exact command
    // before anything runs. The test says no: it never installs a package into this machine.
    void installWorkerIsOfferedForAHostWithoutWorker()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("dpkg-deb")).isEmpty())
            QSKIP("dpkg-deb is not here: not a Debian machine");
        Host bare = HostStore().host(QStringLiteral("lab"));
        bare.name = QStringLiteral("bare");
        bare.cairnCommand = QStringLiteral("cairn-not-installed-here");
        bare.stopCommand.clear();
        bare.idleTimeoutMinutes = 0;
        HostStore().add(bare);
        const QString deb = m_dir.filePath(QStringLiteral("cairn-studio_0.1.0.deb"));
        QVERIFY(makeTestDeb(m_dir.path(), QStringLiteral("cairn-studio"), deb));

        // Shown only after the probe: a visible panel explains a failed test in a message box.
        ResourcesPanel panel(m_context.get());
        panel.resize(1100, 700);
        QTRY_VERIFY_WITH_TIMEOUT(panel.hostList()->topLevelItemCount() >= 3, 10000);
        panel.selectHost(QStringLiteral("bare"));
        QVERIFY(panel.installWorkerButton()->isHidden()); // not probed yet
        QSignalSpy probed(&panel, &ResourcesPanel::probed);
        panel.testAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!probed.isEmpty(), 60000);
        QVERIFY2(panel.probeView()->value(QStringLiteral("Cairn worker")).contains(QStringLiteral("no cairn worker")),
                 qPrintable(panel.probeView()->value(QStringLiteral("Cairn worker"))));
        QVERIFY(!panel.installWorkerButton()->isHidden());
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const bool root = ::getuid() == 0;
        const bool sudo = panel.probeView()->value(QStringLiteral("sudo")).contains(QStringLiteral("available without"));
        QCOMPARE(panel.installWorkerButton()->isEnabled(), root || sudo);
        if (!root && !sudo) {
            QVERIFY(panel.installWorkerButton()->toolTip().contains(QStringLiteral("administrator")));
            return;
        }
        QVERIFY2(panel.probeView()->value(QStringLiteral("Cairn worker")).contains(QStringLiteral("cairn hosts install-worker bare --deb")),
                 qPrintable(panel.probeView()->value(QStringLiteral("Cairn worker"))));
        shot(&panel, QStringLiteral("install-worker"));

        // The confirmation names the copy and the exact command; No leaves everything as it was.
        QString asked;
        QTimer::singleShot(0, this, [&] {
            for (QWidget *w : QApplication::topLevelWidgets())
                if (auto *box = qobject_cast<QMessageBox *>(w); box && box->objectName() == QLatin1String("installWorkerConfirm")) {
                    asked = box->informativeText();
                    box->button(QMessageBox::Cancel)->click();
                }
        });
        QVERIFY(!panel.installWorker(deb));
        const QString packages = QFileInfo(bare.workDir).canonicalFilePath() + QStringLiteral("/packages");
        const QString command = QStringLiteral("cd -- %1 && %2apt-get install -y ./cairn-studio_0.1.0.deb")
                                    .arg(remote::shellQuote(packages), root ? QString() : QStringLiteral("sudo -n "));
        QVERIFY2(asked.contains(command), qPrintable(asked + QStringLiteral("\nexpected: ") + command));
        QVERIFY(!QFile::exists(packages + QStringLiteral("/cairn-studio_0.1.0.deb")));

        // Another package is refused before anything is asked or copied.
        const QString other = m_dir.filePath(QStringLiteral("other.deb"));
        QVERIFY(makeTestDeb(m_dir.path(), QStringLiteral("other"), other));
        QSignalSpy installed(&panel, &ResourcesPanel::workerInstalled);
        QTimer::singleShot(0, this, [] {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget()))
                box->accept();
        });
        QVERIFY(!panel.installWorker(other));
        QCOMPARE(installed.size(), 1);
        QVERIFY2(installed.first().at(2).toString().contains(QStringLiteral("not cairn-studio")), qPrintable(installed.first().at(2).toString()));
        HostStore().remove(QStringLiteral("bare"));
    }

    void aRealJobOnThePricedHostGetsItsCost()
    {
        const QString titanic = QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/titanic.csv");
        QVERIFY2(QFileInfo::exists(titanic), "../shared/data/tabular/titanic.csv is missing");
        if (!QFileInfo::exists(QFileInfo(QStringLiteral(CAIRN_CLI_PATH)).absolutePath() + QStringLiteral("/../../plugins/cairn/libcairn-xgboost.so")))
            QSKIP("the xgboost plugin is not built");
        Host lab = HostStore().host(QStringLiteral("lab"));
        lab.pricePerHour = 3.6; // 0.001 a second
        lab.idleTimeoutMinutes = 0;
        HostStore().update(lab);
        qputenv("CAIRN_CLI", CAIRN_CLI_PATH);
        Workspace ws(m_context->workspacePath());
        JobManager manager(ws);
        JobSpec spec;
        spec.algorithm = QStringLiteral("xgboost");
        data::ChannelSpec train;
        train.path = titanic;
        spec.channels.insert(QStringLiteral("train"), train);
        spec.target = QStringLiteral("survived");
        spec.hyperparameters = QJsonObject{{QStringLiteral("num_round"), 5}};
        spec.resources.host = QStringLiteral("lab");
        QSignalSpy finished(&manager, &JobManager::jobFinished);
        const QString id = manager.submit(spec);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 180000);
        QCOMPARE(finished.first().at(1).value<JobState>(), JobState::Finished);
        const Run run = ws.store().run(manager.job(id).runUuid);
        QString cost, host;
        for (const Tag &t : ws.store().tags(run.id)) {
            if (t.key == QLatin1String(remote::HostUsage::kCostTag))
                cost = t.value;
            if (t.key == QLatin1String("cairn.host"))
                host = t.value;
        }
        QCOMPARE(host, QStringLiteral("lab"));
        // Alone on the host: its whole duration at the host's price.
        const double expected = double(run.endTime - run.startTime) / 3600000.0 * 3.6;
        QVERIFY2(!cost.isEmpty() && qAbs(cost.toDouble() - expected) < 1e-6, qPrintable(QStringLiteral("%1 vs %2").arg(cost).arg(expected)));
        QVERIFY(cost.toDouble() > 0);
    }
};

QTEST_MAIN(tst_ResourcesSsh)
#include "tst_resourcesssh.moc"
