#include "hostpicker.h"

#include "cairn/remote/host.h"

namespace cairn::gui {

using remote::Host;

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
    QList<Host> hosts{Host::local()};
    try {
        hosts = remote::HostStore().hosts();
    } catch (const std::exception &) {
        // An unreadable hosts.json: this machine is still a place to run.
    }
    for (const Host &h : hosts) {
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

} // namespace cairn::gui
