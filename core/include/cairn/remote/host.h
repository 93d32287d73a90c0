#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace cairn::remote {

/// A place to run jobs and kernels: this machine (`local`, always present) or a machine reached
/// with the system OpenSSH client. Hosts are user-level (every workspace sees the same ones) and
/// live in hosts.json (see HostStore).
struct Host
{
    enum class Kind { Local, Ssh, Slurm };
    static constexpr const char *kLocalName = "local";

    QString name;              ///< what the user calls it: any text ("gpu1", "lab box")
    Kind kind = Kind::Ssh;
    QString user;              ///< empty: ssh's (or ~/.ssh/config's) default
    QString hostname;          ///< address, DNS name or a Host alias of the ssh config
    int port = 0;              ///< 0: ssh's default (or the config's)
    QString identityFile;      ///< empty: the agent and ssh's defaults
    QString sshConfigFile;     ///< `ssh -F FILE`; empty: ~/.ssh/config
    QString knownHostsFile;    ///< empty: ssh's default (~/.ssh/known_hosts)
    /// Where jobs, the data cache and kernels live on the host; "~/" is the remote home.
    QString workDir = QStringLiteral("~/.cairn-remote");
    QString cairnCommand = QStringLiteral("cairn"); ///< the remote worker program
    QString startCommand;      ///< a local shell line that starts the machine (e.g. a cloud CLI)
    QString stopCommand;       ///< a local shell line that stops it
    double pricePerHour = 0;   ///< what the machine costs while up
    double pricePerGpuHour = 0;///< on-prem: a price per GPU in use and hour
    int idleTimeoutMinutes = 0;///< 0: never stopped for being idle
    int jobLimit = 1;          ///< jobs at once on this host
    QString source;            ///< "manual", "ssh-config" or "builtin"

    bool isLocal() const { return kind == Kind::Local; }
    /// A Slurm cluster: its commands (sbatch, squeue...) run on this machine when `hostname` is
    /// empty, else on that login host over SSH (user, port, identity as for an SSH host).
    /// `workDir` must be on the cluster's shared filesystem: jobs' folders and events live there.
    bool isSlurm() const { return kind == Kind::Slurm; }
    /// Whether commands for this host go through ssh (an SSH host, or a cluster's login host).
    bool usesSsh() const { return kind == Kind::Ssh || (kind == Kind::Slurm && !hostname.isEmpty()); }
    /// "user@hostname:port" as a person would write it (for lists and messages).
    QString address() const;

    /// Throws cairn::Error naming the field when a value could not be passed to ssh safely
    /// (a hostname or user starting with '-', holding spaces or shell characters; a bad port).
    void validate() const;

    QJsonObject toJson() const;
    static Host fromJson(const QJsonObject &json);
    static Host local();
};

/// The user's hosts: `local` first, then those of hosts.json, then the concrete `Host` entries of
/// the ssh config that hosts.json does not name (source "ssh-config": usable at once, saved when
/// changed). The file is $CAIRN_HOSTS_FILE if set, else <config>/cairn/hosts.json
/// (XDG_CONFIG_HOME, ~/.config); the ssh config is $CAIRN_SSH_CONFIG if set, else ~/.ssh/config.
/// Every change is written at once (atomically), so several processes see the same list.
class HostStore
{
public:
    static QString defaultPath();
    explicit HostStore(QString path = defaultPath());

    QString path() const { return m_path; }
    /// The ssh config whose entries are offered (empty: none).
    void setSshConfig(const QString &file) { m_sshConfig = file; }
    QString sshConfig() const { return m_sshConfig; }
    QList<Host> hosts() const;
    std::optional<Host> find(const QString &name) const;
    /// Throws cairn::Error listing the known names when there is no such host.
    Host host(const QString &name) const;
    /// Adds a new host (throws if the name is taken or a field is invalid).
    void add(const Host &host);
    /// Replaces the host of the same name, saving an ssh-config entry on its first change
    /// (throws if there is none).
    void update(const Host &host);
    /// Throws for `local` and for unknown names.
    void remove(const QString &name);

    /// The concrete `Host` entries of an ssh config file (patterns with * ? ! are skipped),
    /// each as a Host whose hostname is the alias, so ssh applies the entry's own settings.
    /// `file` empty: ~/.ssh/config. Include lines are followed.
    static QList<Host> readSshConfig(const QString &file = {});

private:
    QList<Host> load() const;
    void save(const QList<Host> &hosts) const;
    QString m_path;
    QString m_sshConfig;
};

} // namespace cairn::remote
