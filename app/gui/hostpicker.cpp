#include "hostpicker.h"

#include "cairn/remote/host.h"

#include <algorithm>

namespace cairn::gui {

using remote::Host;

namespace {

/// The user's hosts, `local` first; an unreadable hosts.json leaves this machine as the place to run.
QList<Host> knownHosts()
{
    try {
        return remote::HostStore().hosts();
    } catch (const std::exception &) {
        return {Host::local()};
    }
}

} // namespace

HostPicker::HostPicker(QWidget *parent) : QComboBox(parent)
{
    setSizeAdjustPolicy(QComboBox::AdjustToContents);
    setToolTip(tr("Where the job runs: this machine or one of your SSH hosts (add hosts in the Resources panel)"));
    reload();
    setHost(QString::fromLatin1(Host::kLocalName));
    connect(this, &QComboBox::currentIndexChanged, this, [this] { Q_EMIT hostChanged(host()); });
}

QString HostPicker::host() const
{
    const QString name = currentData().toString();
    return name.isEmpty() ? QString::fromLatin1(Host::kLocalName) : name;
}

void HostPicker::setHost(const QString &name)
{
    const QString wanted = name.isEmpty() ? QString::fromLatin1(Host::kLocalName) : name;
    int i = findData(wanted);
    if (i < 0) {
        addItem(tr("%1 (not among your hosts)").arg(wanted), wanted);
        i = count() - 1;
    }
    setCurrentIndex(i);
}

void HostPicker::reload()
{
    const QString keep = count() ? host() : QString();
    const QSignalBlocker block(this);
    clear();
    for (const Host &h : knownHosts()) {
        addItem(h.isLocal() ? tr("local (this machine)") : h.name, h.name);
        setItemData(count() - 1, h.isLocal() ? tr("This machine") : h.address(), Qt::ToolTipRole);
    }
    if (!keep.isEmpty())
        setHost(keep);
}

void HostPicker::showPopup()
{
    const QString before = host();
    reload();
    if (host() != before)
        Q_EMIT hostChanged(host());
    QComboBox::showPopup();
}

HostChecklist::HostChecklist(QWidget *parent) : QListWidget(parent)
{
    setToolTip(tr("Where the work runs: tick this machine and any of your SSH hosts (add hosts in the Resources panel)"));
    setUniformItemSizes(true);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    reload();
    setHosts({QString::fromLatin1(Host::kLocalName)});
    connect(this, &QListWidget::itemChanged, this, [this] { Q_EMIT hostsChanged(hosts()); });
}

QStringList HostChecklist::hosts() const
{
    QStringList out;
    for (int i = 0; i < count(); ++i)
        if (item(i)->checkState() == Qt::Checked)
            out << item(i)->data(Qt::UserRole).toString();
    return out;
}

void HostChecklist::setHosts(const QStringList &names)
{
    {
        const QSignalBlocker block(this);
        for (const QString &name : names) {
            bool known = false;
            for (int i = 0; i < count() && !known; ++i)
                known = item(i)->data(Qt::UserRole).toString() == name;
            if (!known) {
                auto *row = new QListWidgetItem(tr("%1 (not among your hosts)").arg(name), this);
                row->setData(Qt::UserRole, name);
                row->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
            }
        }
        for (int i = 0; i < count(); ++i)
            item(i)->setCheckState(names.contains(item(i)->data(Qt::UserRole).toString()) ? Qt::Checked : Qt::Unchecked);
    }
    Q_EMIT hostsChanged(hosts());
}

void HostChecklist::reload()
{
    const QStringList keep = count() ? hosts() : QStringList();
    {
        const QSignalBlocker block(this);
        clear();
        for (const Host &h : knownHosts()) {
            auto *row = new QListWidgetItem(h.isLocal() ? tr("local (this machine)") : h.name, this);
            row->setData(Qt::UserRole, h.name);
            row->setToolTip(h.isLocal() ? tr("This machine") : h.address());
            row->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
            row->setCheckState(Qt::Unchecked);
        }
    }
    if (!keep.isEmpty()) {
        const QSignalBlocker block(this);
        setHosts(keep);
    }
}

QSize HostChecklist::sizeHint() const
{
    // Up to four rows without scrolling; more scroll.
    const int rows = std::clamp(int(count()), 2, 4);
    return {QListWidget::sizeHint().width(), rows * (fontMetrics().height() + 6) + 2 * frameWidth()};
}

void HostChecklist::showEvent(QShowEvent *event)
{
    const QStringList before = hosts();
    reload();
    if (hosts() != before)
        Q_EMIT hostsChanged(hosts());
    QListWidget::showEvent(event);
}

} // namespace cairn::gui
