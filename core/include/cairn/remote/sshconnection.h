#pragma once

#include "cairn/remote/host.h"
#include "cairn/util/error.h"

#include <QByteArray>
#include <QStringList>

namespace cairn::remote {

/// Quotes one argument for a POSIX shell ('it'\''s'): whatever it holds reaches the program as
/// one argument, never as shell syntax.
QString shellQuote(const QString &argument);
/// Quotes each argument and joins them with spaces: the only way a remote command line is made.
QString shellJoin(const QStringList &argv);

/// Why ssh could not run a command, in words a user can act on.
class SshError : public Error
{
public:
    enum class Reason { Dns, Refused, Timeout, Unreachable, Auth, UnknownHostKey, ChangedHostKey, Other };
    SshError(Reason reason, const QString &message, QString fingerprint = {})
        : Error(message), m_reason(reason), m_fingerprint(std::move(fingerprint)) {}
    Reason reason() const { return m_reason; }
    /// For UnknownHostKey: the key's SHA256 fingerprint(s), to show before the user accepts it.
    QString fingerprint() const { return m_fingerprint; }
    static QString reasonName(Reason reason);

private:
    Reason m_reason;
    QString m_fingerprint;
};

/// One SSH host reached through the system `ssh` client: BatchMode (never a prompt), one
/// multiplexed connection (ControlMaster=auto, ControlPersist, the socket in a private folder),
/// the agent and known_hosts as the user has them, StrictHostKeyChecking=yes, ConnectTimeout 8 s.
/// Remote commands are argument lists; each argument is shell-quoted (see shellJoin).
/// Methods that run ssh block: call them off the GUI thread.
class SshConnection
{
public:
    explicit SshConnection(Host host);
    const Host &host() const { return m_host; }

    struct Result
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    /// `ssh` (the program) for QProcess.
    static QString program();
    /// Options and destination, ending with "--": what goes before the remote command.
    QStringList sshArguments() const;
    /// sshArguments() + the quoted remote command line for `remoteArgv`.
    QStringList commandArguments(const QStringList &remoteArgv) const;
    /// `sh -c SCRIPT sh ARGS...`: a fixed script that reads its inputs as "$1", "$2"...
    QStringList scriptArguments(const QString &script, const QStringList &args = {}) const;
    /// The `rsync -e` command (rsync's own quoting) and the remote side of an rsync path.
    QString rsyncShell() const;
    QString rsyncPath(const QString &remotePath) const;

    /// Runs argv on the host. Throws SshError when ssh itself failed (exit 255): DNS, refused,
    /// timeout, authentication, host keys. A remote command's own failure is in exitCode.
    Result run(const QStringList &remoteArgv, int timeoutMs = 120000) const;
    Result runScript(const QString &script, const QStringList &args = {}, int timeoutMs = 120000) const;
    /// Copies local files or folders (trailing '/' as rsync means it) to a remote path, or back.
    void upload(const QStringList &localSources, const QString &remoteTarget) const;
    void download(const QString &remoteSource, const QString &localTarget) const;

    /// Ends the shared connection (ssh -O exit); harmless when there is none.
    void closeMaster() const;
    /// `ssh ... -O OPERATION [options] -- host` for QProcess: a request to the shared connection
    /// (check, forward, cancel), e.g. options {"-L", "5000:127.0.0.1:6000"}.
    QStringList controlArguments(const QString &operation, const QStringList &options = {}) const;

    /// The host key as the host presents it now (ssh-keyscan), with its fingerprints.
    struct HostKey
    {
        QStringList knownHostsLines;
        QStringList fingerprints; ///< "SHA256:… (ED25519)"
    };
    HostKey scanHostKey() const;
    /// Adds the host's current key to known_hosts after the user said yes. When
    /// `expectedFingerprint` is given, refuses a key whose fingerprint differs from it.
    /// Never replaces a key already there (a changed key stays refused).
    HostKey acceptHostKey(const QString &expectedFingerprint = {}) const;
    /// The known_hosts file ssh uses for this host.
    QString knownHostsFile() const;

    /// The private folder that holds the control sockets (mode 0700).
    static QString controlDir();
    /// Turns ssh's stderr (exit 255) into an SshError.
    SshError explain(const QByteArray &stderrText) const;

private:
    QStringList commonOptions() const;
    QString resolvedValue(const QString &key) const; ///< from `ssh -G`
    Host m_host;
};

} // namespace cairn::remote
