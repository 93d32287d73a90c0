#pragma once

#include "cairn/remote/probe.h"

#include <QString>
#include <QStringList>

namespace cairn::remote {

/// The project's own Debian package (packaging/, `cpack -G DEB`) as read from its file.
struct DebPackage
{
    QString file;          ///< absolute local path
    QString package;       ///< "cairn-studio"
    QString version;
    QString architecture;  ///< "amd64", "all"…
};

/// Reads a .deb's control fields with `dpkg-deb --field`. Throws cairn::Error when the file is
/// missing, is not a Debian package, or is another package than cairn-studio.
DebPackage readDebPackage(const QString &file);

/// How the worker gets installed on a host: the .deb copied into the host's work folder, then
/// `sudo -n apt-get install -y ./FILE` run there (without sudo when the login is root).
struct WorkerInstallPlan
{
    DebPackage deb;
    QString remoteDir;     ///< <work folder>/packages on the host, absolute
    QString remoteFile;    ///< remoteDir/<file name>
    QStringList command;   ///< argv run in remoteDir; every argument quoted on the way
    /// The command as the host's shell receives it: `cd -- DIR && sudo -n apt-get install -y ./FILE`.
    QString commandLine() const;
};

/// Checks that the probed host can take the package (reachable, Debian or a derivative, sudo
/// without a password or a root login, a matching architecture) and plans the install. Throws
/// cairn::Error saying what is missing and what to do instead.
WorkerInstallPlan planWorkerInstall(const HostProbe &probe, const DebPackage &deb);

/// Copies the package to the host over its shared connection and, unless `dryRun`, runs the
/// install command there. Throws cairn::Error (SshError for connection problems) with apt's own
/// last lines when the install fails. Blocking: call it off the GUI thread.
void installWorker(const Host &host, const WorkerInstallPlan &plan, bool dryRun = false);

} // namespace cairn::remote
