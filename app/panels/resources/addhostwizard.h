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
    QLabel *headlineLabel() const { return m_headline; }
    QLabel *adviceLabel() const { return m_advice; }
    QLabel *fingerprintLabel() const { return m_fingerprint; }
    QCheckBox *trustCheck() const { return m_trust; }
    QPushButton *acceptKeyButton() const { return m_acceptKey; }
    QPushButton *retestButton() const { return m_retest; }
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
    QLabel *slurmHeadlineLabel() const { return m_slurmHeadline; }
    QLabel *slurmAdviceLabel() const { return m_slurmAdvice; }
    SlurmClusterView *slurmView() const { return m_slurmView; }
    QPushButton *slurmAcceptKeyButton() const { return m_slurmAcceptKey; }
    QCheckBox *slurmTrustCheck() const { return m_slurmTrust; }
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

    QRadioButton *m_fromConfig = nullptr;
    QRadioButton *m_byHand = nullptr;
    QListWidget *m_configList = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_address = nullptr;
    QLineEdit *m_user = nullptr;
    QSpinBox *m_port = nullptr;
    QLineEdit *m_identity = nullptr;
    QLabel *m_whereError = nullptr;
    QLabel *m_headline = nullptr;
    QLabel *m_advice = nullptr;
    QLabel *m_detail = nullptr;
    QWidget *m_keyBox = nullptr;
    QLabel *m_fingerprint = nullptr;
    QCheckBox *m_trust = nullptr;
    QPushButton *m_acceptKey = nullptr;
    QPushButton *m_retest = nullptr;
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
    QLabel *m_slurmHeadline = nullptr;
    QLabel *m_slurmAdvice = nullptr;
    QLabel *m_slurmDetail = nullptr;
    QWidget *m_slurmKeyBox = nullptr;
    QLabel *m_slurmFingerprint = nullptr;
    QCheckBox *m_slurmTrust = nullptr;
    QPushButton *m_slurmAcceptKey = nullptr;
    QPushButton *m_slurmRetest = nullptr;
    SlurmClusterView *m_slurmView = nullptr;
    bool m_slurmTesting = false;
    remote::SlurmOverview m_lastSlurm;
    QFutureWatcher<remote::SlurmOverview> m_slurmWatcher;
};

} // namespace cairn::panels
