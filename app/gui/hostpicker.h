#pragma once

#include <QComboBox>
#include <QListWidget>

namespace cairn::gui {

/// Where a job runs: `local` or one of the user's hosts (hosts.json and ~/.ssh/config), as
/// `--host NAME` picks it on the command line. The list is read again each time it opens, so a
/// host added in the Resources panel is there at once.
class HostPicker : public QComboBox
{
    Q_OBJECT
public:
    explicit HostPicker(QWidget *parent = nullptr);

    /// The chosen host's name ("local" for this machine).
    QString host() const;
    /// Selects a host by name; a name not known (any more) is kept and shown as missing, so a
    /// cloned job's host is not silently replaced.
    void setHost(const QString &name);
    /// Reads the hosts again, keeping the selection.
    void reload();

    void showPopup() override;

Q_SIGNALS:
    void hostChanged(const QString &name);
};

/// Several hosts at once, for work spread over them (a tuning job's trials, as `--hosts
/// local,gpu1` picks them): one checkable row per host, `local` ticked at first. The list is read
/// again each time it is shown, keeping the ticks.
class HostChecklist : public QListWidget
{
    Q_OBJECT
public:
    explicit HostChecklist(QWidget *parent = nullptr);

    /// The ticked hosts' names, in the list's order.
    QStringList hosts() const;
    /// Ticks exactly these hosts; a name not known (any more) is kept, ticked and shown as missing.
    void setHosts(const QStringList &names);
    /// Reads the hosts again, keeping the ticks.
    void reload();

    QSize sizeHint() const override;

Q_SIGNALS:
    void hostsChanged(const QStringList &names);

protected:
    void showEvent(QShowEvent *event) override;
};

} // namespace cairn::gui
