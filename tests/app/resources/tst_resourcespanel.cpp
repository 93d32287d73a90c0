// The Resources panel and the Add host wizard on the offscreen platform, against real components:
// this machine's /proc for the live charts, the system ssh client against closed loopback ports and
// names that do not resolve for the connection test's plain-words explanations, real start and stop
// shell lines, and a workspace's job records and runs for the jobs and cost per host.
// Screenshots go to <build>/screenshots/resources-*.png.
#include "addhostwizard.h"
#include "hostsettingswidget.h"
#include "probeview.h"
#include "resourcespanel.h"
#include "studiocontext.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/notebook/kernelclient.h"
#include "cairn/notebook/kernelspec.h"
#include "cairn/remote/host.h"
#include "cairn/remote/idlemonitor.h"
#include "cairn/store/experimentstore.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/workspace/workspace.h"

#include "qcustomplotinclude.h"

#include <QAction>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace cairn;
using namespace cairn::panels;
using remote::Host;
using remote::HostStore;

namespace {

/// A loopback port nothing listens on (ssh gets "connection refused" at once).
int closedPort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort(); // closed again when s goes
}

QTreeWidgetItem *row(QTreeWidget *tree, const QString &name)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (tree->topLevelItem(i)->data(0, Qt::UserRole).toString() == name)
            return tree->topLevelItem(i);
    return nullptr;
}

} // namespace

class tst_ResourcesPanel : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_port = 0;
    std::unique_ptr<gui::StudioContext> m_context;

    void shot(QWidget *w, const QString &name)
    {
        const QString dir = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots"));
        QDir().mkpath(dir);
        QTest::qWait(100);
        QVERIFY(w->grab().save(QDir(dir).filePath(QStringLiteral("resources-%1.png").arg(name))));
    }

    Host sshHost(const QString &name) const
    {
        Host h;
        h.name = name;
        h.hostname = QStringLiteral("127.0.0.1");
        h.port = m_port;
        h.sshConfigFile = QStringLiteral("/dev/null");
        h.knownHostsFile = m_dir.filePath(QStringLiteral("known_hosts"));
        return h;
    }

    /// A finished job run on `host` from start to end.
    void jobRun(const QString &host, qint64 start, qint64 end)
    {
        ExperimentStore &store = m_context->store();
        ExperimentStore::NewRun nr;
        nr.sourceType = QStringLiteral("JOB");
        const Run run = store.createRun(nr);
        store.setTag(run.uuid, QStringLiteral("cairn.host"), host);
        auto q = store.database().query(QStringLiteral("UPDATE runs SET start_time = ?, end_time = ?, status = 'FINISHED' WHERE uuid = ?"));
        q.bind(1, start).bind(2, end).bind(3, run.uuid);
        q.exec();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_port = closedPort();
        // hosts.json and the ssh config of this test alone.
        qputenv("CAIRN_HOSTS_FILE", m_dir.filePath(QStringLiteral("hosts.json")).toUtf8());
        const QString sshConfig = m_dir.filePath(QStringLiteral("ssh_config"));
        QFile cfg(sshConfig);
        QVERIFY(cfg.open(QIODevice::WriteOnly));
        cfg.write(QStringLiteral("Host gpu-a\n  HostName 127.0.0.1\n  Port %1\n  UserKnownHostsFile %2\n\nHost *.lab\n  User me\n")
                      .arg(m_port)
                      .arg(m_dir.filePath(QStringLiteral("known_hosts")))
                      .toUtf8());
        cfg.close();
        qputenv("CAIRN_SSH_CONFIG", sshConfig.toUtf8());
        m_context = std::make_unique<gui::StudioContext>();
        m_context->openWorkspace(m_dir.filePath(QStringLiteral("ws")));
    }

    void localLoadIsCharted()
    {
        ResourcesPanel panel(m_context.get());
        panel.setSampleInterval(250);
        panel.resize(1100, 700);
        panel.show();
        QTRY_VERIFY_WITH_TIMEOUT(panel.sampleCount(QStringLiteral("local")) >= 3, 20000);
        QTreeWidgetItem *local = row(panel.hostList(), QStringLiteral("local"));
        QVERIFY(local);
        QVERIFY2(local->text(3).endsWith(QLatin1Char('%')), qPrintable(local->text(3))); // CPU share from /proc/stat
        QVERIFY(local->text(5).endsWith(QLatin1Char('%')));
        const auto state = panel.hostState(QStringLiteral("local"));
        QVERIFY(state == ResourcesPanel::HostState::Idle || state == ResourcesPanel::HostState::Busy);
        QCOMPARE(local->text(1), ResourcesPanel::stateText(state));
        QVERIFY(panel.chart()->graph(0)->dataCount() >= 2);
        QVERIFY(panel.chart()->graph(2)->dataCount() >= 3);
        QVERIFY(panel.headerLabel()->text().contains(QStringLiteral("free of")));
        // An ssh config entry is listed but not contacted until it is picked.
        QVERIFY(row(panel.hostList(), QStringLiteral("gpu-a")));
        QVERIFY(!row(panel.hostList(), QStringLiteral("*.lab")));
        QCOMPARE(panel.sampleCount(QStringLiteral("gpu-a")), 0);
        QCOMPARE(panel.hostState(QStringLiteral("gpu-a")), ResourcesPanel::HostState::NotChecked);

        // Probe details of this machine.
        panel.selectHost(QStringLiteral("local"));
        panel.testAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.probeView()->value(QStringLiteral("CPU")).isEmpty(), 30000);
        QVERIFY(panel.probeView()->value(QStringLiteral("Memory")).contains(QStringLiteral("free of")));
        QVERIFY(!panel.probeView()->value(QStringLiteral("GPUs")).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(panel.sampleCount(QStringLiteral("local")) >= 6, 20000);
        panel.tabs()->setCurrentIndex(0);
        shot(&panel, QStringLiteral("local"));
        panel.tabs()->setCurrentWidget(panel.probeView());
        shot(&panel, QStringLiteral("details"));
    }

    void jobsAndCostPerHost()
    {
        // A priced host, its runs today and a job queued to it.
        Host lab = sshHost(QStringLiteral("lab box"));
        lab.pricePerHour = 1.2;
        lab.startCommand = QStringLiteral("true");
        HostStore().add(lab);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const qint64 midnight = QDateTime(QDate::currentDate(), QTime(0, 0)).toMSecsSinceEpoch();
        const qint64 t0 = std::max(midnight, now - 3 * 3600000LL);
        // Two jobs sharing it for half an hour: 0.30 each, 0.60 for the host.
        jobRun(QStringLiteral("lab box"), t0, t0 + 3600000 / 2);
        jobRun(QStringLiteral("lab box"), t0, t0 + 3600000 / 2);
        JobSpec spec;
        spec.id = QStringLiteral("job-on-lab-box");
        spec.algorithm = QStringLiteral("xgboost");
        spec.resources.host = QStringLiteral("lab box");
        spec.channels.insert(QStringLiteral("train"), data::ChannelSpec{});
        spec.channels[QStringLiteral("train")].path = m_dir.filePath(QStringLiteral("train.csv"));
        JobRecord record;
        record.id = spec.id;
        record.algorithm = spec.algorithm;
        record.state = JobState::Queued;
        record.submitted = now;
        const QString jobDir = JobRecord::dirOf(m_context->workspacePath(), spec.id);
        record.save(jobDir);
        spec.save(QDir(jobDir).filePath(QStringLiteral("spec.json")));

        ResourcesPanel panel(m_context.get());
        panel.setSampleInterval(300);
        panel.resize(1100, 700);
        panel.show();
        QSignalSpy usage(&panel, &ResourcesPanel::usageUpdated);
        QTRY_VERIFY_WITH_TIMEOUT(row(panel.hostList(), QStringLiteral("lab box")), 10000);
        panel.selectHost(QStringLiteral("lab box"));
        // Nothing listens on its port: a stopped machine with a start command.
        QTRY_VERIFY_WITH_TIMEOUT(panel.sampleCount(QStringLiteral("lab box")) >= 1, 30000);
        QCOMPARE(panel.hostState(QStringLiteral("lab box")), ResourcesPanel::HostState::Stopped);
        QTRY_VERIFY_WITH_TIMEOUT(usage.size() >= 1, 20000);
        QTreeWidgetItem *item = row(panel.hostList(), QStringLiteral("lab box"));
        QCOMPARE(item->text(1), ResourcesPanel::stateText(ResourcesPanel::HostState::Stopped));
        QCOMPARE(item->text(6), QStringLiteral("0.60"));
        QVERIFY(panel.headerLabel()->text().contains(QStringLiteral("Cost today 0.60")));
        // The queued job is on it.
        QTRY_VERIFY_WITH_TIMEOUT(panel.workList()->topLevelItemCount() == 1 && panel.workList()->topLevelItem(0)->text(1).contains(QStringLiteral("xgboost")), 10000);
        QCOMPARE(panel.workList()->topLevelItem(0)->text(2), QStringLiteral("queued"));
        // Its cost per day.
        panel.tabs()->setCurrentWidget(panel.costList());
        QCOMPARE(panel.costList()->topLevelItem(0)->text(0), QDate::currentDate().toString(Qt::ISODate));
        QCOMPARE(panel.costList()->topLevelItem(0)->text(1), QStringLiteral("2"));
        QCOMPARE(panel.costList()->topLevelItem(0)->text(3), QStringLiteral("0.60"));
        shot(&panel, QStringLiteral("cost"));
        // The overview of the guide: this machine's charts beside the priced host's cost.
        panel.selectHost(QStringLiteral("local"));
        const int before = panel.sampleCount(QStringLiteral("local"));
        QTRY_VERIFY_WITH_TIMEOUT(panel.sampleCount(QStringLiteral("local")) >= before + 8, 30000);
        panel.tabs()->setCurrentIndex(0);
        shot(&panel, QStringLiteral("overview"));
        QDir(jobDir).removeRecursively();
        HostStore().remove(QStringLiteral("lab box"));
    }

    void kernelsShowOnTheirHostAndABusyOneKeepsItBusy()
    {
        const KernelSpec spec = KernelSpec::find(QStringLiteral("python3"));
        if (!spec.isValid())
            QSKIP("the python3 kernelspec (python3-ipykernel) is not installed");
        // A notebook's kernel lives in its editor's tab, as in the Notebooks panel.
        QTabWidget notebooks;
        auto *editor = new QWidget;
        notebooks.addTab(editor, QStringLiteral("analysis.ipynb"));
        notebooks.show();
        auto *kernel = new KernelClient(editor);
        kernel->start(spec);
        QVERIFY(kernel->waitForReady(60000));
        ResourcesPanel panel(m_context.get());
        panel.setSampleInterval(300);
        panel.show();
        panel.selectHost(QStringLiteral("local"));
        auto work = [&panel](int column) {
            const QTreeWidgetItem *item = panel.workList()->topLevelItem(0);
            return item ? item->text(column) : QString();
        };
        // An idle kernel is listed but does not make the machine busy.
        QTRY_COMPARE_WITH_TIMEOUT(work(0), QStringLiteral("Kernel"), 20000);
        QVERIFY(work(1).contains(QStringLiteral("analysis.ipynb")));
        QTRY_COMPARE_WITH_TIMEOUT(panel.hostState(QStringLiteral("local")), ResourcesPanel::HostState::Idle, 20000);
        // Executing a cell does.
        kernel->execute(QStringLiteral("import time; time.sleep(8)"));
        QTRY_COMPARE_WITH_TIMEOUT(panel.hostState(QStringLiteral("local")), ResourcesPanel::HostState::Busy, 20000);
        QCOMPARE(work(2), QStringLiteral("busy"));
        shot(&panel, QStringLiteral("kernel"));
        kernel->interrupt();
        QTRY_COMPARE_WITH_TIMEOUT(panel.hostState(QStringLiteral("local")), ResourcesPanel::HostState::Idle, 30000);
        kernel->shutdown();
    }

    void startAndStopRunTheHostsCommands()
    {
        const QString marker = m_dir.filePath(QStringLiteral("power log"));
        Host cloud = sshHost(QStringLiteral("cloud"));
        cloud.startCommand = QStringLiteral("echo start >> '%1'").arg(marker);
        cloud.stopCommand = QStringLiteral("echo stop >> '%1'").arg(marker);
        HostStore().add(cloud);
        ResourcesPanel panel(m_context.get());
        panel.idleMonitor()->setLogFile(m_dir.filePath(QStringLiteral("idle.log")));
        panel.show();
        QTRY_VERIFY_WITH_TIMEOUT(row(panel.hostList(), QStringLiteral("cloud")), 10000);
        panel.selectHost(QStringLiteral("cloud"));
        QVERIFY(panel.stopAction()->isEnabled());
        QSignalSpy done(panel.idleMonitor(), &remote::IdleMonitor::commandFinished);
        panel.stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 10000);
        QCOMPARE(panel.hostState(QStringLiteral("cloud")), ResourcesPanel::HostState::Stopped);
        QCOMPARE(row(panel.hostList(), QStringLiteral("cloud"))->text(1), ResourcesPanel::stateText(ResourcesPanel::HostState::Stopped));
        panel.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 2, 10000);
        QFile f(marker);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("stop\nstart\n"));
        QFile log(panel.idleMonitor()->logFile());
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray text = log.readAll();
        QVERIFY2(text.contains("cloud: stopped by the user: running its stop command") && text.contains("cloud: start command done"), text.constData());
        HostStore().remove(QStringLiteral("cloud"));
    }

    void wizardExplainsFailuresInPlainWords()
    {
        AddHostWizard wizard;
        wizard.show();
        // The ssh config's concrete entry is offered; the pattern is not.
        QCOMPARE(wizard.configList()->count(), 1);
        QCOMPARE(wizard.configList()->item(0)->text(), QStringLiteral("gpu-a"));
        wizard.configList()->setCurrentRow(0);
        QCOMPARE(wizard.nameEdit()->text(), QStringLiteral("gpu-a"));
        QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
        shot(&wizard, QStringLiteral("wizard-where"));
        wizard.next();
        QCOMPARE(wizard.currentId(), int(AddHostWizard::TestPage));
        QTRY_VERIFY_WITH_TIMEOUT(!wizard.isTesting(), 30000);
        QVERIFY2(wizard.headlineLabel()->text().contains(QStringLiteral("refused the connection")), qPrintable(wizard.headlineLabel()->text()));
        QVERIFY(wizard.adviceLabel()->text().contains(QStringLiteral("SSH server")));
        QVERIFY(!wizard.fingerprintLabel()->isVisible());
        shot(&wizard, QStringLiteral("wizard-refused"));

        // By hand: a name that does not resolve.
        wizard.back();
        wizard.byHandButton()->setChecked(true);
        wizard.nameEdit()->setText(QStringLiteral("typo box"));
        wizard.addressEdit()->setText(QStringLiteral("no-such-machine.invalid"));
        wizard.userEdit()->setText(QStringLiteral("me"));
        wizard.next();
        QTRY_VERIFY_WITH_TIMEOUT(!wizard.isTesting(), 30000);
        QVERIFY2(wizard.headlineLabel()->text().contains(QStringLiteral("could not be found")), qPrintable(wizard.headlineLabel()->text()));

        // A bad field is refused before any connection: a host name that would be an ssh option.
        wizard.back();
        wizard.addressEdit()->setText(QStringLiteral("-oProxyCommand=touch x"));
        QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
        wizard.addressEdit()->setText(QStringLiteral("127.0.0.1"));
        wizard.portEdit()->setValue(m_port);
        QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
        wizard.next();
        QTRY_VERIFY_WITH_TIMEOUT(!wizard.isTesting(), 30000);
        wizard.next();
        QCOMPARE(wizard.currentId(), int(AddHostWizard::SettingsPage));
        wizard.settings()->priceEdit()->setValue(2.5);
        wizard.settings()->idleTimeoutEdit()->setValue(30);
        wizard.settings()->stopCommandEdit()->setText(QStringLiteral("echo stop"));
        shot(&wizard, QStringLiteral("wizard-settings"));
        wizard.accept();
        QCOMPARE(wizard.savedName(), QStringLiteral("typo box"));
        const Host saved = HostStore().host(QStringLiteral("typo box"));
        QCOMPARE(saved.hostname, QStringLiteral("127.0.0.1"));
        QCOMPARE(saved.user, QStringLiteral("me"));
        QCOMPARE(saved.port, m_port);
        QCOMPARE(saved.pricePerHour, 2.5);
        QCOMPARE(saved.idleTimeoutMinutes, 30);
        QCOMPARE(saved.stopCommand, QStringLiteral("echo stop"));
        HostStore().remove(QStringLiteral("typo box"));
    }
};

QTEST_MAIN(tst_ResourcesPanel)
#include "tst_resourcespanel.moc"
