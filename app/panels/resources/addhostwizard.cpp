#include "addhostwizard.h"

#include "hostsettingswidget.h"
#include "probeview.h"

#include "cairn/remote/sshconnection.h"
#include "cairn/util/error.h"

#include <QCheckBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <functional>

namespace cairn::panels {

using remote::Host;
using remote::HostProbe;
using remote::HostStore;

namespace {

/// A page whose Next button waits for a condition the wizard decides.
class Page : public QWizardPage
{
public:
    std::function<bool()> complete;
    bool isComplete() const override { return complete ? complete() : true; }
    void changed() { Q_EMIT completeChanged(); }
};

} // namespace

AddHostWizard::AddHostWizard(QWidget *parent) : QWizard(parent)
{
    setWindowTitle(tr("Add host"));
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setPage(WherePage, makeWherePage());
    setPage(TestPage, makeTestPage());
    setPage(SettingsPage, makeSettingsPage());
    setButtonText(QWizard::NextButton, tr("&Next >"));
    setButtonText(QWizard::BackButton, tr("< &Back"));
    setButtonText(QWizard::FinishButton, tr("&Add host"));
    setButtonText(QWizard::CancelButton, tr("Cancel"));
    connect(&m_watcher, &QFutureWatcher<HostProbe>::finished, this, [this] { showResult(m_watcher.result()); });
    connect(this, &QWizard::currentIdChanged, this, [this](int id) {
        if (id == TestPage)
            startTest();
    });
    resize(720, 560);
}

AddHostWizard::~AddHostWizard()
{
    m_watcher.waitForFinished();
}

QWizardPage *AddHostWizard::makeWherePage()
{
    auto *page = new Page;
    page->setTitle(tr("Where is the machine?"));
    page->setSubTitle(tr("Cairn reaches hosts with your own ssh: its config, keys, agent and known_hosts."));
    auto *v = new QVBoxLayout(page);
    m_fromConfig = new QRadioButton(tr("A host of my SSH config (~/.ssh/config)"), page);
    m_byHand = new QRadioButton(tr("Another machine, entered by hand"), page);
    m_configList = new QListWidget(page);
    m_configList->setObjectName(QStringLiteral("sshConfigHosts"));
    v->addWidget(m_fromConfig);
    v->addWidget(m_configList, 1);
    v->addWidget(m_byHand);
    auto *form = new QFormLayout;
    m_name = new QLineEdit(page);
    m_name->setPlaceholderText(tr("what to call it, e.g. gpu1"));
    m_address = new QLineEdit(page);
    m_address->setPlaceholderText(tr("name or address, e.g. gpu1.lab.example.org"));
    m_user = new QLineEdit(page);
    m_user->setPlaceholderText(tr("default: as ssh decides"));
    m_port = new QSpinBox(page);
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("default (22)"));
    m_identity = new QLineEdit(page);
    m_identity->setPlaceholderText(tr("default: your agent and ~/.ssh/id_*"));
    auto *browse = new QPushButton(tr("Browse…"), page);
    auto *idRow = new QHBoxLayout;
    idRow->addWidget(m_identity, 1);
    idRow->addWidget(browse);
    form->addRow(tr("Name:"), m_name);
    form->addRow(tr("Host:"), m_address);
    form->addRow(tr("User:"), m_user);
    form->addRow(tr("Port:"), m_port);
    form->addRow(tr("Identity file:"), idRow);
    v->addLayout(form);
    m_whereError = new QLabel(page);
    m_whereError->setWordWrap(true);
    m_whereError->setStyleSheet(QStringLiteral("color: #c0392b"));
    v->addWidget(m_whereError);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Private key"), QDir::home().filePath(QStringLiteral(".ssh")));
        if (!f.isEmpty())
            m_identity->setText(f);
    });
    auto sync = [this, page] {
        const bool fromConfig = m_fromConfig->isChecked();
        m_configList->setEnabled(fromConfig);
        for (QWidget *w : {static_cast<QWidget *>(m_address), static_cast<QWidget *>(m_user), static_cast<QWidget *>(m_port),
                           static_cast<QWidget *>(m_identity)})
            w->setEnabled(!fromConfig);
        m_whereError->setText(validationError());
        page->changed();
    };
    connect(m_fromConfig, &QRadioButton::toggled, this, sync);
    connect(m_configList, &QListWidget::currentRowChanged, this, [this, sync] {
        onConfigPicked();
        sync();
    });
    for (QLineEdit *e : {m_name, m_address, m_user, m_identity})
        connect(e, &QLineEdit::textChanged, this, sync);
    connect(m_port, &QSpinBox::valueChanged, this, sync);
    page->complete = [this] { return validationError().isEmpty(); };
    fillConfigList();
    (m_configList->count() ? m_fromConfig : m_byHand)->setChecked(true);
    sync();
    return page;
}

void AddHostWizard::setTemplate(const Host &host)
{
    m_template = host;
    m_settings->setHost(host);
}

void AddHostWizard::fillConfigList()
{
    m_configList->clear();
    HostStore store;
    QList<Host> known;
    try {
        known = store.hosts();
    } catch (const Error &) {
    }
    // The ssh config's concrete entries; those already saved in hosts.json are not offered again.
    for (const Host &h : HostStore::readSshConfig(store.sshConfig())) {
        bool saved = false;
        for (const Host &k : known)
            saved = saved || (k.name == h.name && k.source != QLatin1String("ssh-config"));
        if (saved)
            continue;
        auto *item = new QListWidgetItem(h.name, m_configList);
        item->setData(Qt::UserRole, h.name);
        m_entries.insert(h.name, h);
    }
    if (m_configList->count() == 0) {
        auto *item = new QListWidgetItem(tr("(no Host entries in %1)").arg(QDir::toNativeSeparators(store.sshConfig())), m_configList);
        item->setFlags(Qt::NoItemFlags);
    }
}

void AddHostWizard::onConfigPicked()
{
    const QListWidgetItem *item = m_configList->currentItem();
    if (!item || item->data(Qt::UserRole).toString().isEmpty())
        return;
    const QString alias = item->data(Qt::UserRole).toString();
    if (m_name->text().isEmpty() || m_name->text() == m_fromEntry)
        m_name->setText(alias);
    m_fromEntry = alias;
}

QString AddHostWizard::validationError() const
{
    if (m_fromConfig->isChecked() && (!m_configList->currentItem() || m_configList->currentItem()->data(Qt::UserRole).toString().isEmpty()))
        return tr("Pick a host of your SSH config, or enter one by hand.");
    if (m_name->text().trimmed().isEmpty())
        return tr("Give the host a name.");
    if (m_name->text().trimmed() == QLatin1String(Host::kLocalName))
        return tr("The name 'local' is this computer: choose another.");
    if (m_byHand->isChecked() && m_address->text().trimmed().isEmpty())
        return tr("Enter the machine's name or address.");
    try {
        host().validate();
    } catch (const Error &e) {
        return e.message();
    }
    return {};
}

Host AddHostWizard::host() const
{
    Host h = m_template;
    h.kind = Host::Kind::Ssh;
    h.name = m_name->text().trimmed();
    if (m_fromConfig->isChecked()) {
        // The entry's own settings (User, Port, IdentityFile, ProxyJump…) apply through ssh.
        h.hostname = m_configList->currentItem() ? m_configList->currentItem()->data(Qt::UserRole).toString() : QString();
        if (m_entries.contains(h.hostname))
            h.sshConfigFile = m_entries.value(h.hostname).sshConfigFile;
        h.user.clear();
        h.port = 0;
        h.identityFile.clear();
        h.source = h.name == h.hostname ? QStringLiteral("ssh-config") : QStringLiteral("manual");
    } else {
        h.hostname = m_address->text().trimmed();
        h.user = m_user->text().trimmed();
        h.port = m_port->value();
        h.identityFile = m_identity->text().trimmed();
        h.source = QStringLiteral("manual");
    }
    if (m_settings)
        m_settings->apply(h);
    return h;
}

QWizardPage *AddHostWizard::makeTestPage()
{
    auto *page = new Page;
    page->setTitle(tr("Connection test"));
    page->setSubTitle(tr("Cairn connects, looks at the machine and asks its worker for its version."));
    auto *v = new QVBoxLayout(page);
    m_headline = new QLabel(page);
    m_headline->setWordWrap(true);
    QFont f = m_headline->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.15);
    m_headline->setFont(f);
    m_advice = new QLabel(page);
    m_advice->setWordWrap(true);
    m_detail = new QLabel(page);
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail->setEnabled(false);
    v->addWidget(m_headline);
    v->addWidget(m_advice);
    v->addWidget(m_detail);

    m_keyBox = new QWidget(page);
    auto *kv = new QVBoxLayout(m_keyBox);
    kv->setContentsMargins(0, 0, 0, 0);
    auto *keyTitle = new QLabel(tr("The machine presents this key:"), m_keyBox);
    m_fingerprint = new QLabel(m_keyBox);
    m_fingerprint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fingerprint->setStyleSheet(QStringLiteral("font-family: monospace; padding: 4px"));
    m_trust = new QCheckBox(tr("I have compared this fingerprint and trust this machine"), m_keyBox);
    m_acceptKey = new QPushButton(tr("Accept the key and test again"), m_keyBox);
    m_acceptKey->setEnabled(false);
    kv->addWidget(keyTitle);
    kv->addWidget(m_fingerprint);
    kv->addWidget(m_trust);
    auto *kh = new QHBoxLayout;
    kh->addWidget(m_acceptKey);
    kh->addStretch(1);
    kv->addLayout(kh);
    m_keyBox->hide();
    v->addWidget(m_keyBox);
    connect(m_trust, &QCheckBox::toggled, m_acceptKey, &QPushButton::setEnabled);
    connect(m_acceptKey, &QPushButton::clicked, this, &AddHostWizard::acceptKey);

    m_probeView = new ProbeView(page);
    v->addWidget(m_probeView, 10);
    v->addStretch(1); // holds the texts together while there are no details to show
    auto *h = new QHBoxLayout;
    m_retest = new QPushButton(tr("Test again"), page);
    h->addWidget(m_retest);
    auto *note = new QLabel(tr("You can add a host that does not answer yet (a stopped machine) and test it later."), page);
    note->setWordWrap(true);
    note->setEnabled(false);
    h->addWidget(note, 1);
    v->addLayout(h);
    connect(m_retest, &QPushButton::clicked, this, &AddHostWizard::startTest);
    page->complete = [this] { return !m_testing; };
    return page;
}

QWizardPage *AddHostWizard::makeSettingsPage()
{
    auto *page = new QWizardPage;
    page->setTitle(tr("Settings"));
    page->setSubTitle(tr("Where jobs live on the host, what it costs, and when to stop it."));
    auto *v = new QVBoxLayout(page);
    m_settings = new HostSettingsWidget(page);
    m_settings->setHost(m_template);
    v->addWidget(m_settings);
    v->addStretch(1);
    return page;
}

void AddHostWizard::startTest()
{
    if (m_testing)
        return;
    m_testing = true;
    static_cast<Page *>(page(TestPage))->changed();
    m_retest->setEnabled(false);
    m_keyBox->hide();
    m_trust->setChecked(false);
    m_headline->setText(tr("Connecting to %1…").arg(host().address()));
    m_advice->clear();
    m_detail->clear();
    m_probeView->clear();
    const Host h = host();
    m_watcher.setFuture(QtConcurrent::run([h] { return remote::probeHost(h); }));
}

void AddHostWizard::showResult(const HostProbe &p)
{
    m_testing = false;
    m_lastProbe = p;
    m_retest->setEnabled(true);
    const ProbeView::Explanation e = ProbeView::explain(p, host().name);
    m_headline->setText(e.headline);
    m_headline->setStyleSheet(e.ok ? QStringLiteral("color: #1e8449") : QStringLiteral("color: #c0392b"));
    m_advice->setText(e.advice);
    m_detail->setText(p.reachable ? QString() : p.error);
    m_keyBox->setVisible(e.hostKey);
    m_fingerprint->setText(p.fingerprint.isEmpty() ? tr("(ssh did not show a fingerprint)") : p.fingerprint);
    m_probeView->setVisible(p.reachable);
    m_probeView->setProbe(p, false);
    static_cast<Page *>(page(TestPage))->changed();
    Q_EMIT testFinished();
}

void AddHostWizard::acceptKey()
{
    if (!m_trust->isChecked() || m_lastProbe.fingerprint.isEmpty())
        return;
    const Host h = host();
    const QString expected = m_lastProbe.fingerprint;
    m_testing = true;
    m_acceptKey->setEnabled(false);
    m_headline->setText(tr("Recording the key of %1…").arg(h.name));
    // Record the key only if the machine still shows the one the user saw, then test again.
    m_watcher.setFuture(QtConcurrent::run([h, expected] {
        try {
            remote::SshConnection(h).acceptHostKey(expected);
        } catch (const remote::SshError &e) {
            HostProbe p;
            p.host = h.name;
            p.error = e.message();
            p.errorReason = remote::SshError::reasonName(e.reason());
            return p;
        } catch (const Error &e) {
            HostProbe p;
            p.host = h.name;
            p.error = e.message();
            p.errorReason = QStringLiteral("other");
            return p;
        }
        return remote::probeHost(h);
    }));
}

void AddHostWizard::accept()
{
    const Host h = host();
    try {
        HostStore store;
        if (const auto existing = store.find(h.name); existing && existing->source == QLatin1String("ssh-config"))
            store.update(h);
        else
            store.add(h);
    } catch (const Error &e) {
        QMessageBox::warning(this, tr("Add host"), tr("The host could not be saved: %1").arg(e.message()));
        return;
    }
    m_savedName = h.name;
    QWizard::accept();
}

} // namespace cairn::panels
