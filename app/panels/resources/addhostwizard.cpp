#include "addhostwizard.h"

#include "hostsettingswidget.h"
#include "probeview.h"
#include "slurmclusterview.h"

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
    std::function<int()> next;
    bool isComplete() const override { return complete ? complete() : true; }
    int nextId() const override { return next ? next() : QWizardPage::nextId(); }
    void changed() { Q_EMIT completeChanged(); }
};

} // namespace

/// Lays out a test's report on `page`: a bold headline, what to do, details; the host key to
/// compare and trust (hidden until asked for); `view`, what the test found; and Test again beside
/// `note`.
AddHostWizard::TestReport AddHostWizard::addTestReport(QWizardPage *page, QVBoxLayout *v, const QString &keyTitle, QWidget *view, const QString &note)
{
    TestReport r{};
    r.headline = new QLabel(page);
    r.headline->setWordWrap(true);
    QFont f = r.headline->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.15);
    r.headline->setFont(f);
    r.advice = new QLabel(page);
    r.advice->setWordWrap(true);
    r.detail = new QLabel(page);
    r.detail->setWordWrap(true);
    r.detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    r.detail->setEnabled(false);
    v->addWidget(r.headline);
    v->addWidget(r.advice);
    v->addWidget(r.detail);

    r.keyBox = new QWidget(page);
    auto *kv = new QVBoxLayout(r.keyBox);
    kv->setContentsMargins(0, 0, 0, 0);
    kv->addWidget(new QLabel(keyTitle, r.keyBox));
    r.fingerprint = new QLabel(r.keyBox);
    r.fingerprint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    r.fingerprint->setStyleSheet(QStringLiteral("font-family: monospace; padding: 4px"));
    r.trust = new QCheckBox(AddHostWizard::tr("I have compared this fingerprint and trust this machine"), r.keyBox);
    r.acceptKey = new QPushButton(AddHostWizard::tr("Accept the key and test again"), r.keyBox);
    r.acceptKey->setEnabled(false);
    kv->addWidget(r.fingerprint);
    kv->addWidget(r.trust);
    auto *kh = new QHBoxLayout;
    kh->addWidget(r.acceptKey);
    kh->addStretch(1);
    kv->addLayout(kh);
    r.keyBox->hide();
    v->addWidget(r.keyBox);
    QObject::connect(r.trust, &QCheckBox::toggled, r.acceptKey, &QPushButton::setEnabled);

    v->addWidget(view, 10);
    v->addStretch(1); // holds the texts together while there is nothing found to show
    auto *h = new QHBoxLayout;
    r.retest = new QPushButton(AddHostWizard::tr("Test again"), page);
    h->addWidget(r.retest);
    auto *noteLabel = new QLabel(note, page);
    noteLabel->setWordWrap(true);
    noteLabel->setEnabled(false);
    h->addWidget(noteLabel, 1);
    v->addLayout(h);
    return r;
}

AddHostWizard::AddHostWizard(QWidget *parent) : QWizard(parent)
{
    setWindowTitle(tr("Add host"));
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setPage(WherePage, makeWherePage());
    setPage(TestPage, makeTestPage());
    setPage(SettingsPage, makeSettingsPage());
    setPage(SlurmPage, makeSlurmPage());
    setPage(SlurmTestPage, makeSlurmTestPage());
    setButtonText(QWizard::NextButton, tr("&Next >"));
    setButtonText(QWizard::BackButton, tr("< &Back"));
    setButtonText(QWizard::FinishButton, tr("&Add host"));
    setButtonText(QWizard::CancelButton, tr("Cancel"));
    connect(&m_watcher, &QFutureWatcher<HostProbe>::finished, this, [this] { showResult(m_watcher.result()); });
    connect(&m_slurmWatcher, &QFutureWatcher<remote::SlurmOverview>::finished, this, [this] { showSlurmResult(m_slurmWatcher.result()); });
    connect(this, &QWizard::currentIdChanged, this, [this](int id) {
        if (id == TestPage)
            startTest();
        if (id == SlurmTestPage)
            startSlurmTest();
    });
    resize(720, 560);
}

AddHostWizard::~AddHostWizard()
{
    m_watcher.waitForFinished();
    m_slurmWatcher.waitForFinished();
}

QWizardPage *AddHostWizard::makeWherePage()
{
    auto *page = new Page;
    page->setTitle(tr("Where is the machine?"));
    page->setSubTitle(tr("Cairn reaches hosts with your own ssh: its config, keys, agent and known_hosts."));
    auto *v = new QVBoxLayout(page);
    m_fromConfig = new QRadioButton(tr("A host of my SSH config (~/.ssh/config)"), page);
    m_byHand = new QRadioButton(tr("Another machine, entered by hand"), page);
    m_slurm = new QRadioButton(tr("A Slurm cluster: its login host, or Slurm's commands on this machine"), page);
    m_slurm->setObjectName(QStringLiteral("slurmCluster"));
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
    v->addWidget(m_slurm);
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
        const bool slurm = m_slurm->isChecked();
        m_configList->setEnabled(fromConfig);
        m_name->setEnabled(!slurm);
        for (QWidget *w : {static_cast<QWidget *>(m_address), static_cast<QWidget *>(m_user), static_cast<QWidget *>(m_port),
                           static_cast<QWidget *>(m_identity)})
            w->setEnabled(!fromConfig && !slurm);
        m_whereError->setText(validationError());
        page->changed();
    };
    connect(m_fromConfig, &QRadioButton::toggled, this, sync);
    connect(m_slurm, &QRadioButton::toggled, this, sync);
    connect(m_configList, &QListWidget::currentRowChanged, this, [this, sync] {
        onConfigPicked();
        sync();
    });
    for (QLineEdit *e : {m_name, m_address, m_user, m_identity})
        connect(e, &QLineEdit::textChanged, this, sync);
    connect(m_port, &QSpinBox::valueChanged, this, sync);
    page->complete = [this] { return validationError().isEmpty(); };
    page->next = [this] { return m_slurm->isChecked() ? int(SlurmPage) : int(TestPage); };
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
    if (m_slurm->isChecked())
        return {}; // the cluster's own page asks for the rest
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
    if (m_slurm && m_slurm->isChecked()) {
        h.kind = Host::Kind::Slurm;
        h.name = m_slurmName->text().trimmed();
        h.source = QStringLiteral("manual");
        h.hostname.clear();
        h.user.clear();
        h.port = 0;
        h.identityFile.clear();
        if (m_slurmLogin->isChecked()) {
            const QString login = m_login->text().trimmed();
            const qsizetype at = login.lastIndexOf(QLatin1Char('@'));
            h.user = at >= 0 ? login.left(at) : QString();
            h.hostname = at >= 0 ? login.mid(at + 1) : login;
            h.port = m_loginPort->value();
            h.identityFile = m_loginIdentity->text().trimmed();
        }
        if (m_settings)
            m_settings->apply(h);
        h.jobLimit = 1000; // Slurm keeps the queue, as `cairn hosts add --slurm` does
        return h;
    }
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
    m_probeView = new ProbeView(page);
    m_report = addTestReport(page, v, tr("The machine presents this key:"), m_probeView,
                             tr("You can add a host that does not answer yet (a stopped machine) and test it later."));
    connect(m_report.acceptKey, &QPushButton::clicked, this, &AddHostWizard::acceptKey);
    connect(m_report.retest, &QPushButton::clicked, this, &AddHostWizard::startTest);
    page->complete = [this] { return !m_testing; };
    return page;
}

QWizardPage *AddHostWizard::makeSettingsPage()
{
    auto *page = new Page;
    page->next = [] { return -1; };
    page->setTitle(tr("Settings"));
    page->setSubTitle(tr("Where jobs live on the host, what it costs, and when to stop it."));
    auto *v = new QVBoxLayout(page);
    m_settings = new HostSettingsWidget(page);
    m_settings->setHost(m_template);
    v->addWidget(m_settings);
    v->addStretch(1);
    return page;
}

QWizardPage *AddHostWizard::makeSlurmPage()
{
    auto *page = new Page;
    page->setTitle(tr("Where is the Slurm cluster?"));
    page->setSubTitle(tr("Cairn submits each job with sbatch and follows it with squeue and scontrol, on this machine or on the "
                         "cluster's login host over SSH."));
    auto *v = new QVBoxLayout(page);
    auto *form = new QFormLayout;
    m_slurmName = new QLineEdit(page);
    m_slurmName->setObjectName(QStringLiteral("slurmName"));
    m_slurmName->setPlaceholderText(tr("what to call it, e.g. hpc"));
    form->addRow(tr("Name:"), m_slurmName);
    v->addLayout(form);
    m_slurmHere = new QRadioButton(tr("Slurm's commands run on this machine (it is a login node of the cluster)"), page);
    m_slurmLogin = new QRadioButton(tr("Through the cluster's login host over SSH"), page);
    v->addWidget(m_slurmHere);
    v->addWidget(m_slurmLogin);
    auto *loginForm = new QFormLayout;
    m_login = new QLineEdit(page);
    m_login->setObjectName(QStringLiteral("slurmLogin"));
    m_login->setPlaceholderText(tr("user@login.cluster.example.org"));
    m_loginPort = new QSpinBox(page);
    m_loginPort->setRange(0, 65535);
    m_loginPort->setSpecialValueText(tr("default (22)"));
    m_loginIdentity = new QLineEdit(page);
    m_loginIdentity->setPlaceholderText(tr("default: your agent and ~/.ssh/id_*"));
    loginForm->addRow(tr("Login host:"), m_login);
    loginForm->addRow(tr("Port:"), m_loginPort);
    loginForm->addRow(tr("Identity file:"), m_loginIdentity);
    v->addLayout(loginForm);
    auto *note = new QLabel(tr("Jobs and their data live in the work folder (next page's settings): it must be on the cluster's shared "
                               "filesystem, and the cairn command must be on the compute nodes' PATH."), page);
    note->setWordWrap(true);
    note->setEnabled(false);
    v->addWidget(note);
    m_slurmError = new QLabel(page);
    m_slurmError->setWordWrap(true);
    m_slurmError->setStyleSheet(QStringLiteral("color: #c0392b"));
    v->addWidget(m_slurmError);
    v->addStretch(1);
    auto sync = [this, page] {
        for (QWidget *w : {static_cast<QWidget *>(m_login), static_cast<QWidget *>(m_loginPort), static_cast<QWidget *>(m_loginIdentity)})
            w->setEnabled(m_slurmLogin->isChecked());
        m_slurmError->setText(slurmValidationError());
        page->changed();
    };
    connect(m_slurmLogin, &QRadioButton::toggled, this, sync);
    for (QLineEdit *e : {m_slurmName, m_login, m_loginIdentity})
        connect(e, &QLineEdit::textChanged, this, sync);
    connect(m_loginPort, &QSpinBox::valueChanged, this, sync);
    page->complete = [this] { return slurmValidationError().isEmpty(); };
    page->next = [] { return int(SlurmTestPage); };
    m_slurmHere->setChecked(true);
    sync();
    return page;
}

QString AddHostWizard::slurmValidationError() const
{
    if (m_slurmName->text().trimmed().isEmpty())
        return tr("Give the cluster a name.");
    if (m_slurmName->text().trimmed() == QLatin1String(Host::kLocalName))
        return tr("The name 'local' is this computer: choose another.");
    if (m_slurmLogin->isChecked()) {
        const QString login = m_login->text().trimmed();
        if (login.isEmpty() || login.endsWith(QLatin1Char('@')))
            return tr("Enter the login host, as user@host or host.");
    }
    try {
        host().validate();
    } catch (const Error &e) {
        return e.message();
    }
    return {};
}

QWizardPage *AddHostWizard::makeSlurmTestPage()
{
    auto *page = new Page;
    page->setTitle(tr("Cluster test"));
    page->setSubTitle(tr("Cairn asks Slurm for its partitions, nodes and queue (sinfo, scontrol, squeue)."));
    auto *v = new QVBoxLayout(page);
    m_slurmView = new SlurmClusterView(page);
    m_slurmReport = addTestReport(page, v, tr("The login host presents this key:"), m_slurmView,
                                  tr("You can add a cluster that does not answer yet and test it later."));
    m_slurmReport.headline->setObjectName(QStringLiteral("slurmHeadline"));
    connect(m_slurmReport.acceptKey, &QPushButton::clicked, this, [this] {
        if (m_slurmReport.trust->isChecked())
            startSlurmTest(true);
    });
    connect(m_slurmReport.retest, &QPushButton::clicked, this, [this] { startSlurmTest(); });
    page->complete = [this] { return !m_slurmTesting; };
    page->next = [] { return int(SettingsPage); };
    return page;
}

void AddHostWizard::startSlurmTest(bool acceptKey)
{
    if (m_slurmTesting)
        return;
    m_slurmTesting = true;
    static_cast<Page *>(page(SlurmTestPage))->changed();
    m_slurmReport.retest->setEnabled(false);
    m_slurmReport.keyBox->hide();
    m_slurmReport.trust->setChecked(false);
    const Host h = host();
    m_slurmReport.headline->setStyleSheet({});
    m_slurmReport.headline->setText(h.usesSsh() ? tr("Asking Slurm through %1…").arg(h.address()) : tr("Asking Slurm on this machine…"));
    m_slurmReport.advice->clear();
    m_slurmReport.detail->clear();
    m_slurmView->hide();
    // A key is recorded only if the login host still shows the one the user saw.
    const QString expected = acceptKey ? m_lastSlurm.fingerprint : QString();
    m_slurmWatcher.setFuture(QtConcurrent::run([h, expected] {
        if (!expected.isEmpty()) {
            try {
                remote::SshConnection(h).acceptHostKey(expected);
            } catch (const Error &e) {
                remote::SlurmOverview o;
                o.error = e.message();
                o.errorKind = QStringLiteral("other");
                return o;
            }
        }
        return remote::SlurmCluster(h).overview();
    }));
}

void AddHostWizard::showSlurmResult(const remote::SlurmOverview &o)
{
    m_slurmTesting = false;
    m_lastSlurm = o;
    m_slurmReport.retest->setEnabled(true);
    const Host h = host();
    const bool ok = o.error.isEmpty();
    m_slurmReport.headline->setStyleSheet(ok ? QStringLiteral("color: #1e8449") : QStringLiteral("color: #c0392b"));
    m_slurmReport.detail->setText(ok || o.errorKind == QLatin1String("no-slurm") ? QString() : o.error);
    if (ok) {
        int nodes = 0, gpus = 0, cpus = 0;
        for (const remote::SlurmNode &n : o.nodes) {
            ++nodes;
            gpus += n.gpus;
            cpus += n.cpus;
        }
        m_slurmReport.headline->setText(tr("Slurm answered: %1 partition(s), %2 node(s), %3 CPUs, %4 GPUs").arg(o.partitions.size()).arg(nodes).arg(cpus).arg(gpus));
        m_slurmReport.advice->setText(o.partitions.isEmpty() ? tr("The cluster has no partition yet: jobs cannot run until its administrator adds one.")
                                                      : tr("Jobs on %1 become batch jobs; pick a partition in the Training form or with --partition.").arg(h.name));
        m_slurmView->setOverview(o);
        m_slurmView->setVisible(true);
    } else if (o.errorKind == QLatin1String("ssh")) {
        remote::HostProbe p;
        p.errorReason = o.sshReason;
        p.fingerprint = o.fingerprint;
        const ProbeView::Explanation e = ProbeView::explain(p, tr("the login host %1").arg(h.address()));
        QString headline = e.headline;
        if (!headline.isEmpty())
            headline[0] = headline.at(0).toUpper(); // "the login host … refused the connection"
        m_slurmReport.headline->setText(headline);
        m_slurmReport.advice->setText(e.advice);
        m_slurmReport.keyBox->setVisible(e.hostKey && !o.fingerprint.isEmpty());
        m_slurmReport.fingerprint->setText(o.fingerprint);
    } else if (o.errorKind == QLatin1String("no-slurm")) {
        m_slurmReport.headline->setText(h.usesSsh() ? tr("Slurm's commands are not on the login host %1").arg(h.address())
                                             : tr("Slurm's commands are not installed on this machine"));
        m_slurmReport.advice->setText(h.usesSsh() ? tr("sinfo was not found there: give the cluster's login node, where sbatch and squeue work.")
                                           : tr("sinfo was not found: install slurm-client (apt install slurm-client) and the cluster's "
                                                "slurm.conf, or choose to reach the cluster through its login host."));
    } else if (o.errorKind == QLatin1String("controller")) {
        m_slurmReport.headline->setText(tr("Slurm's controller does not answer"));
        m_slurmReport.advice->setText(tr("slurmctld may be down or restarting, or slurm.conf points elsewhere: try again later, or ask the "
                                  "cluster's administrator."));
    } else {
        m_slurmReport.headline->setText(tr("Slurm did not answer"));
        m_slurmReport.advice->clear();
    }
    static_cast<Page *>(page(SlurmTestPage))->changed();
    Q_EMIT slurmTestFinished();
}

void AddHostWizard::startTest()
{
    if (m_testing)
        return;
    m_testing = true;
    static_cast<Page *>(page(TestPage))->changed();
    m_report.retest->setEnabled(false);
    m_report.keyBox->hide();
    m_report.trust->setChecked(false);
    m_report.headline->setText(tr("Connecting to %1…").arg(host().address()));
    m_report.advice->clear();
    m_report.detail->clear();
    m_probeView->clear();
    const Host h = host();
    m_watcher.setFuture(QtConcurrent::run([h] { return remote::probeHost(h); }));
}

void AddHostWizard::showResult(const HostProbe &p)
{
    m_testing = false;
    m_lastProbe = p;
    m_report.retest->setEnabled(true);
    const ProbeView::Explanation e = ProbeView::explain(p, host().name);
    m_report.headline->setText(e.headline);
    m_report.headline->setStyleSheet(e.ok ? QStringLiteral("color: #1e8449") : QStringLiteral("color: #c0392b"));
    m_report.advice->setText(e.advice);
    m_report.detail->setText(p.reachable ? QString() : p.error);
    m_report.keyBox->setVisible(e.hostKey);
    m_report.fingerprint->setText(p.fingerprint.isEmpty() ? tr("(ssh did not show a fingerprint)") : p.fingerprint);
    m_probeView->setVisible(p.reachable);
    m_probeView->setProbe(p, false);
    static_cast<Page *>(page(TestPage))->changed();
    Q_EMIT testFinished();
}

void AddHostWizard::acceptKey()
{
    if (!m_report.trust->isChecked() || m_lastProbe.fingerprint.isEmpty())
        return;
    const Host h = host();
    const QString expected = m_lastProbe.fingerprint;
    m_testing = true;
    m_report.acceptKey->setEnabled(false);
    m_report.headline->setText(tr("Recording the key of %1…").arg(h.name));
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
