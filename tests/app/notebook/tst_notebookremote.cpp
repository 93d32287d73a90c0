// The Notebooks panel with its kernel on an SSH host: a real sshd on loopback and the real python3
// ipykernel. The picker lists "python3 on gpu1", a cell runs there, the notebook keeps the host in
// metadata.cairn.host, and a killed connection is reconnected with the variables kept.
#include "cellwidget.h"
#include "notebookeditor.h"
#include "notebookpanel.h"
#include "outputview.h"
#include "studiocontext.h"

#include "../../e2e/loopbacksshd.h"

#include "cairn/remote/host.h"
#include "cairn/remote/sshconnection.h"

#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <pwd.h>
#include <unistd.h>

using namespace cairn;
using namespace cairn::panels;

class TestNotebookRemote : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    LoopbackSshd m_sshd;
    remote::Host m_host;
    gui::StudioContext *m_context = nullptr;
    NotebookPanel *m_panel = nullptr;

    bool waitIdle(NotebookEditor *editor, int timeoutMs = 60000)
    {
        QElapsedTimer timer;
        timer.start();
        while (editor->isBusy() && timer.elapsed() < timeoutMs)
            QTest::qWait(20);
        return !editor->isBusy();
    }

    CellWidget *run(NotebookEditor *e, const QString &code)
    {
        e->insertCell(e->cellCount(), CellType::Code, code);
        CellWidget *cell = e->cellAt(e->currentIndex());
        e->runCells({e->currentIndex()});
        QTest::qWait(50);
        return waitIdle(e) ? cell : nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!LoopbackSshd::available())
            QSKIP("openssh-server is not installed (scripts/setup installs it)");
        if (!QFile::exists(QStringLiteral("/usr/share/jupyter/kernels/python3/kernel.json")))
            QSKIP("python3-ipykernel is not installed");
        const QString t = m_dir.path();
        QString error;
        QVERIFY2(m_sshd.start(t, QCoreApplication::applicationDirPath(), &error), qPrintable(error));
        QFile pub(m_sshd.hostKeyPub());
        QVERIFY(pub.open(QIODevice::ReadOnly));
        QFile known(t + QStringLiteral("/known_hosts"));
        QVERIFY(known.open(QIODevice::WriteOnly));
        known.write(QStringLiteral("[127.0.0.1]:%1 ").arg(m_sshd.port()).toUtf8() + pub.readAll().trimmed().split(' ').mid(0, 2).join(' ') + "\n");
        known.close();

        qputenv("CAIRN_HOSTS_FILE", (t + QStringLiteral("/hosts.json")).toLocal8Bit());
        qputenv("CAIRN_SSH_CONFIG", (t + QStringLiteral("/no-ssh-config")).toLocal8Bit());
        m_host.name = QStringLiteral("gpu1");
        m_host.hostname = QStringLiteral("127.0.0.1");
        m_host.port = m_sshd.port();
        m_host.user = QString::fromLocal8Bit(::getpwuid(::getuid())->pw_name);
        m_host.identityFile = m_sshd.userKey();
        m_host.knownHostsFile = t + QStringLiteral("/known_hosts");
        m_host.sshConfigFile = QStringLiteral("/dev/null");
        m_host.workDir = t + QStringLiteral("/remote");
        m_host.source = QStringLiteral("manual");
        remote::HostStore().add(m_host);

        m_context = new gui::StudioContext(this);
        m_context->openWorkspace(m_dir.filePath(QStringLiteral("ws")));
        m_panel = new NotebookPanel(m_context);
        m_panel->resize(1100, 700);
        m_panel->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_panel));
    }

    void cleanupTestCase()
    {
        delete m_panel; // shuts the kernel down on the host
        remote::SshConnection(m_host).closeMaster();
        m_sshd.stop();
    }

    void kernelOnHost()
    {
        NotebookEditor *e = m_panel->newNotebook();
        QVERIFY(e);
        QComboBox *picker = m_panel->kernelPicker();
        const int index = picker->findText(QStringLiteral("python3 on gpu1"));
        QVERIFY2(index >= 0, "the picker lists the SSH host's kernel");
        picker->setCurrentIndex(index);
        Q_EMIT picker->activated(index);
        QCOMPARE(e->kernelHost(), QStringLiteral("gpu1"));

        CellWidget *cell = run(e, QStringLiteral("x = 6*7\nx"));
        QVERIFY(cell);
        QCOMPARE(cell->outputView()->plainText(), QStringLiteral("42"));
        QVERIFY2(e->kernelStatusText().startsWith(QStringLiteral("python3 on gpu1")), qPrintable(e->kernelStatusText()));
        QCOMPARE(e->kernel()->connectionInfo().ip, QStringLiteral("127.0.0.1"));

        // A network drop: the shared connection carrying the forwards is killed.
        QProcess check;
        check.start(remote::SshConnection::program(), remote::SshConnection(m_host).controlArguments(QStringLiteral("check")));
        QVERIFY(check.waitForFinished(10000));
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("pid=(\\d+)")).match(QString::fromUtf8(check.readAllStandardError()));
        QVERIFY(m.hasMatch());
        QCOMPARE(::kill(pid_t(m.captured(1).toLongLong()), SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(e->noticeText().contains(QStringLiteral("Reconnected")), 40000);
        QTRY_VERIFY_WITH_TIMEOUT(e->kernel()->isReady(), 30000);
        QDir().mkpath(QStringLiteral(CAIRN_BUILD_DIR "/screenshots"));
        QVERIFY(m_panel->grab().save(QStringLiteral(CAIRN_BUILD_DIR "/screenshots/notebook-remote-kernel.png")));
        cell = run(e, QStringLiteral("x + 1"));
        QVERIFY(cell);
        QCOMPARE(cell->outputView()->plainText(), QStringLiteral("43"));

        QVERIFY(e->save());
        QFile f(e->filePath());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject metadata = QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("metadata")).toObject();
        QCOMPARE(metadata.value(QStringLiteral("cairn")).toObject().value(QStringLiteral("host")).toString(), QStringLiteral("gpu1"));
    }
};

QTEST_MAIN(TestNotebookRemote)
#include "tst_notebookremote.moc"
