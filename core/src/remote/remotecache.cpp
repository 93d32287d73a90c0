#include "cairn/remote/remotecache.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QSaveFile>
#include <QStandardPaths>

namespace cairn::remote {

namespace {

QString hashCachePath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation)).filePath(QStringLiteral("cairn/content-hashes.json"));
}

void addFile(QCryptographicHash &h, const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    if (!h.addData(&f))
        throw Error(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
}

/// What identifies a version of a path cheaply: size and modification time (of each file).
QString stamp(const QFileInfo &info)
{
    if (!info.isDir())
        return QStringLiteral("%1:%2").arg(info.size()).arg(info.lastModified().toMSecsSinceEpoch());
    qint64 size = 0, newest = 0, count = 0;
    QDirIterator it(info.absoluteFilePath(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        size += it.fileInfo().size();
        newest = std::max(newest, it.fileInfo().lastModified().toMSecsSinceEpoch());
        ++count;
    }
    return QStringLiteral("dir:%1:%2:%3").arg(count).arg(size).arg(newest);
}

} // namespace

RemoteCache::RemoteCache(const SshConnection &ssh, QString workDir) : m_ssh(ssh), m_workDir(std::move(workDir)) {}

QString RemoteCache::contentHash(const QString &localPath)
{
    const QFileInfo info(localPath);
    if (!info.exists())
        throw Error(QStringLiteral("%1 does not exist").arg(localPath));
    const QString key = info.absoluteFilePath();
    const QString st = stamp(info);
    const QString cachePath = hashCachePath();
    {
        QFile f(cachePath);
        if (f.open(QIODevice::ReadOnly)) {
            const QJsonObject entry = QJsonDocument::fromJson(f.readAll()).object().value(key).toObject();
            if (entry.value(QStringLiteral("stamp")).toString() == st)
                return entry.value(QStringLiteral("sha256")).toString();
        }
    }
    QCryptographicHash h(QCryptographicHash::Sha256);
    if (info.isDir()) {
        QStringList files;
        QDirIterator it(key, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext())
            files << QDir(key).relativeFilePath(it.next());
        files.sort();
        for (const QString &rel : files) {
            h.addData(rel.toUtf8());
            h.addData(QByteArrayView("\0", 1));
            addFile(h, QDir(key).filePath(rel));
        }
    } else {
        addFile(h, key);
    }
    const QString sha = QString::fromLatin1(h.result().toHex());
    // Remembered best-effort: a lost update only costs hashing again.
    QDir().mkpath(QFileInfo(cachePath).absolutePath());
    QLockFile lock(cachePath + QStringLiteral(".lock"));
    if (lock.tryLock(2000)) {
        QJsonObject all;
        QFile in(cachePath);
        if (in.open(QIODevice::ReadOnly))
            all = QJsonDocument::fromJson(in.readAll()).object();
        in.close();
        all.insert(key, QJsonObject{{QStringLiteral("stamp"), st}, {QStringLiteral("sha256"), sha}});
        QSaveFile out(cachePath);
        if (out.open(QIODevice::WriteOnly)) {
            out.write(QJsonDocument(all).toJson(QJsonDocument::Compact));
            out.commit();
        }
    }
    return sha;
}

QString RemoteCache::resolveWorkDir(const SshConnection &ssh)
{
    static const QString script = QStringLiteral(
        "d=$1\n"
        "case $d in \"~\") d=$HOME ;; \"~/\"*) d=$HOME/${d#\"~/\"} ;; esac\n"
        "mkdir -p -- \"$d/jobs\" \"$d/cache\" && cd -- \"$d\" && pwd -P\n");
    const auto r = ssh.runScript(script, {ssh.host().workDir}, 30000);
    const QString dir = QString::fromUtf8(r.out).trimmed();
    if (r.exitCode != 0 || dir.isEmpty())
        throw Error(QStringLiteral("cannot create the work folder %1 on host '%2': %3")
                        .arg(ssh.host().workDir, ssh.host().name, QString::fromUtf8(r.err).trimmed()));
    return dir;
}

QString RemoteCache::put(const QString &localPath, bool *sent) const
{
    const QFileInfo info(localPath);
    const QString sha = contentHash(localPath);
    const QString entry = m_workDir + QStringLiteral("/cache/") + sha;
    const QString remote = entry + QLatin1Char('/') + info.fileName();
    if (sent)
        *sent = false;
    // ".complete" is written after the bytes: a transfer cut short is sent again.
    const auto have = m_ssh.runScript(QStringLiteral("test -e \"$1/.complete\" && test -e \"$2\""), {entry, remote}, 30000);
    if (have.exitCode == 0)
        return remote;
    const auto mk = m_ssh.runScript(QStringLiteral("mkdir -p -- \"$1\""), {entry}, 30000);
    if (mk.exitCode != 0)
        throw Error(QStringLiteral("cannot create %1 on host '%2': %3").arg(entry, m_ssh.host().name, QString::fromUtf8(mk.err).trimmed()));
    // A folder goes over as its contents into <entry>/<name>/.
    m_ssh.upload({info.isDir() ? info.absoluteFilePath() + QLatin1Char('/') : info.absoluteFilePath()},
                 info.isDir() ? remote + QLatin1Char('/') : remote);
    m_ssh.runScript(QStringLiteral(": > \"$1/.complete\""), {entry}, 30000);
    if (sent)
        *sent = true;
    return remote;
}

} // namespace cairn::remote
