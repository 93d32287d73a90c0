// The Resources panel's Cluster tab against a real Slurm on this machine (localslurm.h): its
// partition and node, and a queue holding a job of Cairn's that waits for CPUs that do not exist
// (highlighted, with its reason) beside a running job of someone else's.
// Screenshot: <build>/screenshots/resources-slurm.png.
#include "localslurm.h"
#include "resourcespanel.h"
#include "slurmclusterview.h"
#include "studiocontext.h"

#include "cairn/remote/host.h"

#include <QLabel>
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
        QVERIFY(!running.isEmpty() && !pending.isEmpty());
        QVERIFY(LocalSlurm::waitFor([&] { return m_slurm.command({QStringLiteral("squeue"), QStringLiteral("-h"), QStringLiteral("-t"), QStringLiteral("R")}).contains(running); }, 30000));

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
        QVERIFY2(view->summary()->text().contains(QStringLiteral("1 from Cairn")), qPrintable(view->summary()->text()));

        const QString dir = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots"));
        QDir().mkpath(dir);
        QTest::qWait(200);
        QVERIFY(panel.grab().save(QDir(dir).filePath(QStringLiteral("resources-slurm.png"))));

        // Another kind of host hides the tab.
        panel.selectHost(QStringLiteral("local"));
        QVERIFY(!panel.tabs()->isTabVisible(panel.tabs()->indexOf(view)));
    }
};

QTEST_MAIN(tst_ResourcesSlurm)
#include "tst_resourcesslurm.moc"
