#pragma once

#include "cairn/remote/host.h"
#include "cairn/remote/probe.h"
#include "cairn/remote/slurm.h"

#include <QFutureWatcher>
#include <QHash>
#include <QWizard>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QVBoxLayout;
class QWizardPage;

namespace cairn::panels {

class HostSettingsWidget;
class ProbeView;
class SlurmClusterView;

/// Adds an SSH host in three steps: where it is (a concrete Host entry of ~/.ssh/config, or user,
/// address, port and identity file by hand), a connection test that says in plain words what
/// went wrong (name not found, refused, no answer, login refused, host key, no worker) and shows
/// an unknown host key's fingerprint for the user's explicit yes, then its settings (work folder,
/// prices, idle shutdown, start and stop commands). Finishing saves it to hosts.json.
/// A Slurm cluster takes another way: its login host (or Slurm's commands on this machine), then
/// a test that asks sinfo/scontrol/squeue and shows its partitions, nodes and GPUs, then settings.
class AddHostWizard : public QWizard
{
    Q_OBJECT
public:
    enum PageId { WherePage, TestPage, SettingsPage, SlurmPage, SlurmTestPage };
    explicit AddHostWizard(QWidget *parent = nullptr);
    ~AddHostWizard() override;

    /// The host as the pages describe it now.
    remote::Host host() const;
    /// The name it was saved under, after accept().
    QString savedName() const { return m_savedName; }

    // For tests and the Resources panel.
    QListWidget *configList() const { return m_configList; }
    QRadioButton *byHandButton() const { return m_byHand; }
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *addressEdit() const { return m_address; }
    QLineEdit *userEdit() const { return m_user; }
    QSpinBox *portEdit() const { return m_port; }
    QLineEdit *identityEdit() const { return m_identity; }
    QLabel *headlineLabel() const { return m_report.headline; }
    QLabel *adviceLabel() const { return m_report.advice; }
    QLabel *fingerprintLabel() const { return m_report.fingerprint; }
    QCheckBox *trustCheck() const { return m_report.trust; }
    QPushButton *acceptKeyButton() const { return m_report.acceptKey; }
    QPushButton *retestButton() const { return m_report.retest; }
    ProbeView *probeView() const { return m_probeView; }
    HostSettingsWidget *settings() const { return m_settings; }
    bool isTesting() const { return m_testing; }
    QRadioButton *slurmButton() const { return m_slurm; }
    QLineEdit *slurmNameEdit() const { return m_slurmName; }
    QRadioButton *slurmHereButton() const { return m_slurmHere; }
    QRadioButton *slurmLoginButton() const { return m_slurmLogin; }
    QLineEdit *loginEdit() const { return m_login; }
    QSpinBox *loginPortEdit() const { return m_loginPort; }
    QLineEdit *loginIdentityEdit() const { return m_loginIdentity; }
    QLabel *slurmHeadlineLabel() const { return m_slurmReport.headline; }
    QLabel *slurmAdviceLabel() const { return m_slurmReport.advice; }
    SlurmClusterView *slurmView() const { return m_slurmView; }
    QPushButton *slurmAcceptKeyButton() const { return m_slurmReport.acceptKey; }
    QCheckBox *slurmTrustCheck() const { return m_slurmReport.trust; }
    bool isSlurmTesting() const { return m_slurmTesting; }
    /// Extra options for the host (tests: a private known_hosts file and ssh config).
    void setTemplate(const remote::Host &host);

    void accept() override;

Q_SIGNALS:
    void testFinished();
    void slurmTestFinished();

private:
    QWizardPage *makeWherePage();
    QWizardPage *makeTestPage();
    QWizardPage *makeSettingsPage();
    QWizardPage *makeSlurmPage();
    QWizardPage *makeSlurmTestPage();
    void startSlurmTest(bool acceptKey = false);
    void showSlurmResult(const remote::SlurmOverview &o);
    QString slurmValidationError() const;
    void fillConfigList();
    void onConfigPicked();
    void startTest();
    void showResult(const remote::HostProbe &probe);
    void acceptKey();
    QString validationError() const;

    /// A test page's report: a bold headline, what to do, details; the host key to compare and
    /// trust (hidden until asked for); Test again.
    struct TestReport
    {
        QLabel *headline = nullptr, *advice = nullptr, *detail = nullptr, *fingerprint = nullptr;
        QWidget *keyBox = nullptr;
        QCheckBox *trust = nullptr;
        QPushButton *acceptKey = nullptr, *retest = nullptr;
    };
    static TestReport addTestReport(QWizardPage *page, QVBoxLayout *v, const QString &keyTitle, QWidget *view, const QString &note);

    QRadioButton *m_fromConfig = nullptr;
    QRadioButton *m_byHand = nullptr;
    QListWidget *m_configList = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_address = nullptr;
    QLineEdit *m_user = nullptr;
    QSpinBox *m_port = nullptr;
    QLineEdit *m_identity = nullptr;
    QLabel *m_whereError = nullptr;
    TestReport m_report;      ///< the SSH host test page
    ProbeView *m_probeView = nullptr;
    HostSettingsWidget *m_settings = nullptr;
    remote::Host m_template;
    QHash<QString, remote::Host> m_entries; ///< the ssh config's entries by alias
    QString m_fromEntry;   ///< the ssh config alias picked, if any
    QString m_savedName;
    bool m_testing = false;
    remote::HostProbe m_lastProbe;
    QFutureWatcher<remote::HostProbe> m_watcher;
    QRadioButton *m_slurm = nullptr;
    QLineEdit *m_slurmName = nullptr;
    QRadioButton *m_slurmHere = nullptr;
    QRadioButton *m_slurmLogin = nullptr;
    QLineEdit *m_login = nullptr;
    QSpinBox *m_loginPort = nullptr;
    QLineEdit *m_loginIdentity = nullptr;
    QLabel *m_slurmError = nullptr;
    TestReport m_slurmReport; ///< the Slurm cluster test page
    SlurmClusterView *m_slurmView = nullptr;
    bool m_slurmTesting = false;
    remote::SlurmOverview m_lastSlurm;
    QFutureWatcher<remote::SlurmOverview> m_slurmWatcher;
};

} // namespace cairn::panels
