#pragma once

#include "cairn/remote/host.h"
#include "cairn/remote/probe.h"

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

/// Adds an SSH host in three steps: where it is (a concrete Host entry of ~/.ssh/config, or user,
/// address, port and identity file by hand), a connection test that says in plain words what
/// went wrong (name not found, refused, no answer, login refused, host key, no worker) and shows
/// an unknown host key's fingerprint for the user's explicit yes, then its settings (work folder,
/// prices, idle shutdown, start and stop commands). Finishing saves it to hosts.json.
class AddHostWizard : public QWizard
{
    Q_OBJECT
public:
    enum PageId { WherePage, TestPage, SettingsPage };
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
    /// Extra options for the host (tests: a private known_hosts file and ssh config).
    void setTemplate(const remote::Host &host);

    void accept() override;

Q_SIGNALS:
    void testFinished();

private:
    QWizardPage *makeWherePage();
    QWizardPage *makeTestPage();
    QWizardPage *makeSettingsPage();
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
};

} // namespace cairn::panels
