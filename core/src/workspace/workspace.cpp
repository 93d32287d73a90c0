#include "cairn/workspace/workspace.h"

#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

namespace cairn {

namespace {
const QString kDatabaseName = QStringLiteral("cairn.db");

bool copyRecursively(const QString &from, const QString &to)
{
    const QFileInfo info(from);
    if (info.isDir()) {
        if (!QDir().mkpath(to))
            return false;
        const QDir dir(from);
        for (const QString &entry : dir.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
            if (!copyRecursively(dir.filePath(entry), QDir(to).filePath(entry)))
                return false;
        return true;
    }
    QFile::remove(to);
    return QFile::copy(from, to);
}
} // namespace

QString Workspace::defaultPath()
{
    const QString fromEnv = qEnvironmentVariable("CAIRN_WORKSPACE");
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QDir::home().filePath(QStringLiteral("CairnWorkspace"));
}

QString Workspace::resolvePath(const QString &explicitPath)
{
    return QDir::cleanPath(QFileInfo(explicitPath.isEmpty() ? defaultPath() : explicitPath).absoluteFilePath());
}

bool Workspace::exists(const QString &path)
{
    return QFileInfo::exists(QDir(path).filePath(kDatabaseName));
}

Workspace::Workspace(const QString &path) : m_path(resolvePath(path))
{
    const QFileInfo info(m_path);
    if (info.exists() && !info.isDir())
        throw Error(QStringLiteral("%1 is a file, not a workspace folder").arg(m_path));
    if (!QDir().mkpath(m_path) || !QDir().mkpath(artifactsRoot()))
        throw Error(QStringLiteral("cannot create the workspace folder %1").arg(m_path));
    m_store = std::make_unique<ExperimentStore>(databasePath());
}

Workspace::~Workspace() = default;

QString Workspace::databasePath() const
{
    return QDir(m_path).filePath(kDatabaseName);
}

QString Workspace::artifactsRoot() const
{
    return QDir(m_path).filePath(QStringLiteral("artifacts"));
}

QString Workspace::artifactDir(const QString &runUuid) const
{
    return QDir(artifactsRoot()).filePath(runUuid);
}

ExperimentStore &Workspace::store()
{
    return *m_store;
}

QList<ArtifactInfo> Workspace::artifacts(const QString &runUuid) const
{
    QList<ArtifactInfo> out;
    const QDir root(artifactDir(runUuid));
    if (!root.exists())
        return out;
    QDirIterator it(root.path(), QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo info = it.fileInfo();
        out << ArtifactInfo{root.relativeFilePath(info.filePath()), info.isDir() ? 0 : info.size(), info.isDir()};
    }
    std::sort(out.begin(), out.end(), [](const ArtifactInfo &a, const ArtifactInfo &b) { return a.path < b.path; });
    return out;
}

QString Workspace::logArtifact(const QString &runUuid, const QString &localPath, const QString &subdir)
{
    const QFileInfo source(localPath);
    if (!source.exists())
        throw Error(QStringLiteral("cannot log artifact: %1 does not exist").arg(localPath));
    m_store->run(runUuid); // the run must exist
    const QString cleanSubdir = QDir::cleanPath(subdir);
    if (cleanSubdir.startsWith(QLatin1String("..")) || QDir::isAbsolutePath(cleanSubdir))
        throw Error(QStringLiteral("artifact folder '%1' must be relative and stay inside the run").arg(subdir));
    const QString relative = (subdir.isEmpty() || cleanSubdir == QLatin1String("."))
                                 ? source.fileName()
                                 : cleanSubdir + QLatin1Char('/') + source.fileName();
    const QString target = QDir(artifactDir(runUuid)).filePath(relative);
    QDir().mkpath(QFileInfo(target).absolutePath());
    if (!copyRecursively(source.absoluteFilePath(), target))
        throw Error(QStringLiteral("cannot copy %1 into the run's artifacts at %2").arg(localPath, target));
    return relative;
}

} // namespace cairn
