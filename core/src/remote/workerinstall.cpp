#include "cairn/remote/workerinstall.h"

#include "cairn/remote/sshconnection.h"

#include <QFileInfo>
#include <QProcess>

namespace cairn::remote {

namespace {

/// uname -m → Debian's architecture name, for hosts whose probe did not report dpkg's.
QString debianArchOf(const QString &machine)
{
    if (machine == QLatin1String("x86_64"))
        return QStringLiteral("amd64");
    if (machine == QLatin1String("aarch64"))
        return QStringLiteral("arm64");
    return machine;
}

} // namespace

DebPackage readDebPackage(const QString &file)
{
    const QFileInfo info(file);
    if (!info.isFile())
        throw Error(QStringLiteral("%1: no such file (make the package with `cpack -G DEB` in a build folder)").arg(file));
    QProcess p;
    p.start(QStringLiteral("dpkg-deb"), {QStringLiteral("--field"), info.absoluteFilePath(), QStringLiteral("Package"),
                                          QStringLiteral("Version"), QStringLiteral("Architecture")});
    if (!p.waitForStarted(10000))
        throw Error(QStringLiteral("cannot read %1: dpkg-deb is not installed here (%2)").arg(file, p.errorString()));
    p.waitForFinished(30000);
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        throw Error(QStringLiteral("%1 is not a Debian package: %2").arg(file, QString::fromLocal8Bit(p.readAllStandardError()).trimmed()));
    DebPackage deb;
    deb.file = info.absoluteFilePath();
    for (const QString &line : QString::fromUtf8(p.readAllStandardOutput()).split(QLatin1Char('\n'))) {
        const QString value = line.section(QLatin1Char(':'), 1).trimmed();
        if (line.startsWith(QLatin1String("Package:")))
            deb.package = value;
        else if (line.startsWith(QLatin1String("Version:")))
            deb.version = value;
        else if (line.startsWith(QLatin1String("Architecture:")))
            deb.architecture = value;
    }
    if (deb.package != QLatin1String("cairn-studio"))
        throw Error(QStringLiteral("%1 is the package '%2', not cairn-studio: give the package that `cpack -G DEB` makes from this project")
                        .arg(file, deb.package));
    return deb;
}

QString WorkerInstallPlan::commandLine() const
{
    return QStringLiteral("cd -- %1 && %2").arg(shellQuote(remoteDir), shellJoin(command));
}

WorkerInstallPlan planWorkerInstall(const HostProbe &probe, const DebPackage &deb)
{
    if (!probe.reachable)
        throw Error(QStringLiteral("host '%1' cannot be reached: %2").arg(probe.host, probe.error));
    if (probe.workDir.isEmpty())
        throw Error(QStringLiteral("host '%1' has no usable work folder (see cairn hosts probe)").arg(probe.host));
    if (!isDebianLike(probe))
        throw Error(QStringLiteral("host '%1' runs %2, not Debian or Ubuntu: the .deb cannot be installed there; build Cairn from source "
                                   "on it (scripts/setup, then scripts/build) and set the host's cairn command")
                        .arg(probe.host, probe.os.isEmpty() ? QStringLiteral("an unknown system") : probe.os));
    if (!probe.canSudo && !probe.isRoot)
        throw Error(QStringLiteral("your user on host '%1' cannot sudo without a password, so Cairn cannot install the package: copy %2 "
                                   "there and have its administrator run `sudo apt-get install ./%2`")
                        .arg(probe.host, QFileInfo(deb.file).fileName()));
    const QString hostArch = probe.debArch.isEmpty() ? debianArchOf(probe.arch) : probe.debArch;
    if (deb.architecture != QLatin1String("all") && !hostArch.isEmpty() && deb.architecture != hostArch)
        throw Error(QStringLiteral("%1 is built for %2, host '%3' is %4: build the package on (or for) a %4 machine")
                        .arg(QFileInfo(deb.file).fileName(), deb.architecture, probe.host, hostArch));
    WorkerInstallPlan plan;
    plan.deb = deb;
    plan.remoteDir = probe.workDir + QStringLiteral("/packages");
    const QString name = QFileInfo(deb.file).fileName();
    plan.remoteFile = plan.remoteDir + QLatin1Char('/') + name;
    // apt-get takes a local file only as a path ("./x.deb"); -n: never wait for a password prompt.
    if (!probe.isRoot)
        plan.command << QStringLiteral("sudo") << QStringLiteral("-n");
    plan.command << QStringLiteral("apt-get") << QStringLiteral("install") << QStringLiteral("-y") << QStringLiteral("./") + name;
    return plan;
}

void installWorker(const Host &host, const WorkerInstallPlan &plan, bool dryRun)
{
    const SshConnection ssh(host);
    const SshConnection::Result made = ssh.run({QStringLiteral("mkdir"), QStringLiteral("-p"), QStringLiteral("--"), plan.remoteDir});
    if (made.exitCode != 0)
        throw Error(QStringLiteral("cannot make %1 on host '%2': %3").arg(plan.remoteDir, host.name, QString::fromUtf8(made.err).trimmed()));
    ssh.upload({plan.deb.file}, plan.remoteFile);
    if (dryRun)
        return;
    // A fixed script: the folder and the command arrive as arguments, each quoted.
    const SshConnection::Result r = ssh.runScript(QStringLiteral("cd -- \"$1\" && shift && exec \"$@\""), QStringList{plan.remoteDir} + plan.command,
                                                  15 * 60 * 1000);
    if (r.exitCode != 0) {
        QStringList last = QString::fromUtf8(r.err + r.out).trimmed().split(QLatin1Char('\n'));
        last = last.mid(std::max<qsizetype>(0, last.size() - 4));
        throw Error(QStringLiteral("installing %1 on host '%2' failed (exit %3): %4")
                        .arg(QFileInfo(plan.deb.file).fileName(), host.name)
                        .arg(r.exitCode)
                        .arg(last.join(QStringLiteral(" / "))));
    }
}

} // namespace cairn::remote
