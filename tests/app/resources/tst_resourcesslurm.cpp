// The Resources panel's Cluster tab against a real Slurm on this machine (localslurm.h): its
// partition and node, and a queue holding a job of Cairn's that waits for CPUs that do not exist
// (highlighted, with its reason) beside a running job of someone else's; the cluster's row in the
// host list counts Cairn's running and pending jobs with the reason they wait.
// The Add host wizard's Slurm way against the same cluster: no sinfo, an unreachable login host,
// then the partitions and node shown before saving.
// Screenshots: <build>/screenshots/resources-slurm.png, resources-add-slurm.png, resources-add-slurm-error.png.
#include "addhostwizard.h"
#include "localslurm.h"
#include "resourcespanel.h"
#include "slurmclusterview.h"
#include "studiocontext.h"

#include "cairn/remote/host.h"

#include <QLabel>
#include <QLineEdit>
#include <QRadioButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace cairn;
using namespace cairn::panels;

class tst_ResourcesSlurm : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    LocalSlurm m_slurm;
    std::unique_ptr<gui::StudioContext> m_context;

private Q_SLOTS:
    void initTestCase()
    {
        const QString why = LocalSlurm::unavailableReason();
        if (!why.isEmpty())
            QSKIP(qPrintable(why));
        QString error;
        QVERIFY2(m_slurm.start(m_dir.filePath(QStringLiteral("slurm")), &error), qPrintable(error));
        qputenv("SLURM_CONF", m_slurm.confPath().toUtf8()); // the panel's sinfo/squeue ask this cluster
        qputenv("CAIRN_HOSTS_FILE", m_dir.filePath(QStringLiteral("hosts.json")).toUtf8());
        qputenv("CAIRN_SSH_CONFIG", m_dir.filePath(QStringLiteral("no-ssh-config")).toUtf8());
        remote::Host h;
        h.name = QStringLiteral("cluster");
        h.kind = remote::Host::Kind::Slurm;
        remote::HostStore().add(h);
        m_context = std::make_unique<gui::StudioContext>();
        m_context->openWorkspace(m_dir.filePath(QStringLiteral("ws")));
    }

    void cleanupTestCase() { m_slurm.stop(); }

    void clusterTabShowsPartitionsNodesAndQueue()
    {
        const QByteArray running = m_slurm.command({QStringLiteral("sbatch"), QStringLiteral("--parsable"), QStringLiteral("--job-name=nightly-sim"),
                                                    QStringLiteral("--output=/dev/null"), QStringLiteral("--wrap"), QStringLiteral("sleep 120")}).trimmed();
        const QByteArray pending = m_slurm.command({QStringLiteral("sbatch"), QStringLiteral("--parsable"), QStringLiteral("--job-name=cairn-cnn"),
                                                    QStringLiteral("--output=/dev/null"), QStringLiteral("--cpus-per-task=64"), QStringLiteral("--wrap"),
                                                    QStringLiteral("sleep 1")}).trimmed();
        // A job of Cairn's that runs (the partition shares cores, so it runs beside the other).
        const QByteArray ourRunning = m_slurm.command({QStringLiteral("sbatch"), QStringLiteral("--parsable"), QStringLiteral("--job-name=cairn-xgboost"),
                                                       QStringLiteral("--output=/dev/null"), QStringLiteral("--wrap"), QStringLiteral("sleep 120")}).trimmed();
        QVERIFY(!running.isEmpty() && !pending.isEmpty() && !ourRunning.isEmpty());
        QVERIFY(LocalSlurm::waitFor([&] {
            const QByteArray r = m_slurm.command({QStringLiteral("squeue"), QStringLiteral("-h"), QStringLiteral("-t"), QStringLiteral("R")});
            return r.contains(running) && r.contains(ourRunning);
        }, 30000));

        ResourcesPanel panel(m_context.get());
        panel.resize(1200, 760);
        panel.show();
        QTRY_VERIFY_WITH_TIMEOUT((panel.selectHost(QStringLiteral("cluster")), panel.selectedHost() == QLatin1String("cluster")), 10000);
        SlurmClusterView *view = panel.clusterView();
        QVERIFY(view);
        QTRY_COMPARE_WITH_TIMEOUT(panel.tabs()->currentWidget(), static_cast<QWidget *>(view), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(view->queue()->topLevelItemCount() >= 2 && view->partitions()->topLevelItemCount() == 1, 30000);

        QTreeWidgetItem *part = view->partitions()->topLevelItem(0);
        QCOMPARE(part->text(0), QStringLiteral("debug (default)"));
        QCOMPARE(part->text(4).section(QLatin1Char('/'), 1).trimmed().toInt(), QThread::idealThreadCount());
        QCOMPARE(view->nodes()->topLevelItem(0)->text(0), m_slurm.nodeName());
        QTreeWidgetItem *ours = nullptr;
        QTreeWidgetItem *theirs = nullptr;
        for (int i = 0; i < view->queue()->topLevelItemCount(); ++i) {
            QTreeWidgetItem *it = view->queue()->topLevelItem(i);
            if (it->text(0) == QString::fromUtf8(pending))
                ours = it;
            if (it->text(0) == QString::fromUtf8(running))
                theirs = it;
        }
        QVERIFY(ours && theirs);
        QCOMPARE(ours->text(3), QStringLiteral("PENDING"));
        QVERIFY2(ours->text(4) == QLatin1String("PartitionConfig") || ours->text(4) == QLatin1String("Resources"), qPrintable(ours->text(4)));
        QVERIFY(ours->font(0).bold());
        QVERIFY(ours->data(0, Qt::UserRole).toBool());
        QVERIFY(!theirs->font(0).bold());
        QCOMPARE(theirs->text(3), QStringLiteral("RUNNING"));
        QCOMPARE(theirs->text(4), m_slurm.nodeName());
        QVERIFY2(view->summary()->text().contains(QStringLiteral("2 from Cairn")), qPrintable(view->summary()->text()));

        // The cluster's row and its header count Cairn's jobs in the queue, with the pending reason,
        // though no job of this workspace runs there.
        QTreeWidgetItem *row = nullptr;
        for (int i = 0; i < panel.hostList()->topLevelItemCount(); ++i)
            if (panel.hostList()->topLevelItem(i)->data(0, Qt::UserRole).toString() == QLatin1String("cluster"))
                row = panel.hostList()->topLevelItem(i);
        QVERIFY(row);
        const QString counts = QStringLiteral("1 running · 1 pending (%1)").arg(ours->text(4));
        QTRY_COMPARE_WITH_TIMEOUT(row->text(1), QStringLiteral("busy: ") + counts, 30000);
        QVERIFY2(row->toolTip(1).contains(QStringLiteral("Slurm job %1 (cairn-cnn): pending, waiting for %2").arg(QString::fromUtf8(pending), ours->text(4))),
                 qPrintable(row->toolTip(1)));
        QVERIFY2(row->toolTip(1).contains(QStringLiteral("Slurm job %1 (cairn-xgboost): running on %2").arg(QString::fromUtf8(ourRunning), m_slurm.nodeName())),
                 qPrintable(row->toolTip(1)));
        QTRY_VERIFY2_WITH_TIMEOUT(panel.headerLabel()->text().contains(QStringLiteral("Cairn's jobs in Slurm's queue: ") + counts),
                                  qPrintable(panel.headerLabel()->text()), 10000);
        QCOMPARE(panel.hostState(QStringLiteral("cluster")), ResourcesPanel::HostState::Busy);

        const QString dir = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots"));
        QDir().mkpath(dir);
        QTest::qWait(200);
        QVERIFY(panel.grab().save(QDir(dir).filePath(QStringLiteral("resources-slurm.png"))));

        // Another kind of host hides the tab.
        panel.selectHost(QStringLiteral("local"));
        QVERIFY(!panel.tabs()->isTabVisible(panel.tabs()->indexOf(view)));

        // Once Cairn's jobs leave the queue, the cluster reads idle again.
        m_slurm.command({QStringLiteral("scancel"), QString::fromUtf8(pending), QString::fromUtf8(ourRunning)});
        panel.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(row->text(1), QStringLiteral("idle"), 30000);
    }

    void addHostWizardForASlurmCluster()
    {
        AddHostWizard wizard;
        remote::Host templ;
        templ.sshConfigFile = QStringLiteral("/dev/null");
        templ.knownHostsFile = m_dir.filePath(QStringLiteral("known_hosts"));
        wizard.setTemplate(templ);
        wizard.show();
        wizard.slurmButton()->setChecked(true);
        QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
        wizard.next();
        QCOMPARE(wizard.currentId(), int(AddHostWizard::SlurmPage));
        QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled()); // no name yet
        wizard.slurmNameEdit()->setText(QStringLiteral("hpc"));
        QVERIFY(wizard.slurmHereButton()->isChecked());
        QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());

        // Slurm's commands are not on this machine: a PATH holding only a shell.
        const QByteArray path = qgetenv("PATH");
        const QString bare = m_dir.filePath(QStringLiteral("bare-bin"));
        QDir().mkpath(bare);
        QVERIFY(QFile::link(QStringLiteral("/bin/sh"), bare + QStringLiteral("/sh")));
        qputenv("PATH", bare.toUtf8());
        wizard.next();
        QCOMPARE(wizard.currentId(), int(AddHostWizard::SlurmTestPage));
        QTRY_VERIFY_WITH_TIMEOUT(!wizard.isSlurmTesting(), 30000);
        qputenv("PATH", path);
        QCOMPARE(wizard.slurmHeadlineLabel()->text(), QStringLiteral("Slurm's commands are not installed on this machine"));
        QVERIFY2(wizard.slurmAdviceLabel()->text().contains(QStringLiteral("apt install slurm-client")), qPrintable(wizard.slurmAdviceLabel()->text()));
        QVERIFY(!wizard.slurmView()->isVisible());
        const QString dir = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots"));
        QDir().mkpath(dir);
        QVERIFY(wizard.grab().save(QDir(dir).filePath(QStringLiteral("resources-add-slurm-error.png"))));

        // A login host that does not listen: refused, in plain words.
        wizard.back();
        wizard.slurmLoginButton()->setChecked(true);
        QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled()); // no login host yet
        wizard.loginEdit()->setText(QStringLiteral("root@127.0.0.1"));
        wizard.loginPortEdit()->setValue(LocalSlurm::freePort());
        wizard.next();
        QTRY_VERIFY_WITH_TIMEOUT(!wizard.isSlurmTesting(), 30000);
        QVERIFY2(wizard.slurmHeadlineLabel()->text() == QStringLiteral("The login host root@127.0.0.1:%1 refused the connection").arg(wizard.loginPortEdit()->value()),
                 qPrintable(wizard.slurmHeadlineLabel()->text()));
        QVERIFY(!wizard.slurmView()->isVisible());

        // Slurm on this machine: partitions, node and queue shown before anything is saved.
        wizard.back();
        wizard.slurmHereButton()->setChecked(true);
        wizard.next();
        QTRY_VERIFY_WITH_TIMEOUT(!wizard.isSlurmTesting(), 30000);
        QVERIFY2(wizard.slurmHeadlineLabel()->text().startsWith(QStringLiteral("Slurm answered: 1 partition(s), 1 node(s), %1 CPUs").arg(QThread::idealThreadCount())),
                 qPrintable(wizard.slurmHeadlineLabel()->text()));
        QVERIFY(wizard.slurmView()->isVisible());
        QCOMPARE(wizard.slurmView()->partitions()->topLevelItemCount(), 1);
        QCOMPARE(wizard.slurmView()->partitions()->topLevelItem(0)->text(0), QStringLiteral("debug (default)"));
        QCOMPARE(wizard.slurmView()->nodes()->topLevelItem(0)->text(0), m_slurm.nodeName());
        QVERIFY(!remote::HostStore().find(QStringLiteral("hpc")));
        QTest::qWait(200);
        QVERIFY(wizard.grab().save(QDir(dir).filePath(QStringLiteral("resources-add-slurm.png"))));

        wizard.next();
        QCOMPARE(wizard.currentId(), int(AddHostWizard::SettingsPage));
        wizard.accept();
        QCOMPARE(wizard.savedName(), QStringLiteral("hpc"));
        const auto saved = remote::HostStore().find(QStringLiteral("hpc"));
        QVERIFY(saved);
        QVERIFY(saved->isSlurm());
        QVERIFY(!saved->usesSsh());
        QCOMPARE(saved->jobLimit, 1000);
    }
};

QTEST_MAIN(tst_ResourcesSlurm)
#include "tst_resourcesslurm.moc"
