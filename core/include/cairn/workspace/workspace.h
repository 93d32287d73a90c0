#pragma once

#include "cairn/store/types.h"

#include <QString>

#include <memory>

namespace cairn {

class ExperimentStore;

/// A folder that holds everything a user makes: cairn.db and artifacts/<run>/.
/// Copying the folder copies the work.
class Workspace
{
public:
    /// $CAIRN_WORKSPACE if set, else ~/CairnWorkspace.
    static QString defaultPath();
    /// The explicit path if given, else defaultPath(); made absolute.
    static QString resolvePath(const QString &explicitPath = {});
    /// True if the folder holds a workspace database.
    static bool exists(const QString &path);

    /// Opens the workspace at path, creating the folder and database if needed.
    explicit Workspace(const QString &path);
    ~Workspace();

    QString path() const { return m_path; }
    QString databasePath() const;
    QString artifactsRoot() const;
    QString artifactDir(const QString &runUuid) const;
    /// The store for the thread that created this workspace.
    ExperimentStore &store();

    /// Files under the run's artifact folder, recursively, sorted by path.
    QList<ArtifactInfo> artifacts(const QString &runUuid) const;
    /// Copies a file or folder into the run's artifacts (under subdir if given); returns the
    /// stored path relative to the run's artifact folder.
    QString logArtifact(const QString &runUuid, const QString &localPath, const QString &subdir = {});

private:
    QString m_path;
    std::unique_ptr<ExperimentStore> m_store;
};

} // namespace cairn
