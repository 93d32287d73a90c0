#pragma once

#include "cairn/remote/sshconnection.h"

#include <QString>

namespace cairn::remote {

/// Files sent to a host by content: <workDir>/cache/<sha256>/<file name>. A data set is sent
/// once and reused by every later job that names the same bytes, whatever its local path.
class RemoteCache
{
public:
    /// `workDir`: the host's work folder as an absolute path (see resolveWorkDir()).
    RemoteCache(const SshConnection &ssh, QString workDir);

    /// SHA-256 of a file's bytes, or of a folder's files (relative names and bytes, in name
    /// order). Remembered per path, size and modification time in the user's cache folder, so a
    /// large file is read once.
    static QString contentHash(const QString &localPath);

    /// The remote path of `localPath`'s content, sending it first if the host lacks it.
    /// `sent` says whether bytes went over the wire this time.
    QString put(const QString &localPath, bool *sent = nullptr) const;

    /// The work folder of `host` made absolute on the host ("~/" is the remote home), created
    /// with its jobs/ and cache/ folders.
    static QString resolveWorkDir(const SshConnection &ssh);

private:
    const SshConnection &m_ssh;
    QString m_workDir;
};

} // namespace cairn::remote
