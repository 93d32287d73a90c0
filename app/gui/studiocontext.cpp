#include "studiocontext.h"

#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

namespace cairn::gui {

namespace {
// The workspace opened last in this process: where dialogs start before one was used.
QString &currentWorkspace()
{
    static QString path;
    return path;
}

QString dialogFolderKey()
{
    return QStringLiteral("dialogs/lastFolder/") + QString::fromLatin1(currentWorkspace().toUtf8().toBase64());
}
} // namespace

StudioContext::StudioContext(QObject *parent) : QObject(parent), m_pollTimer(new QTimer(this))
{
    // PRAGMA data_version is a cheap read that changes whenever another connection commits.
    m_pollTimer->setInterval(500);
    connect(m_pollTimer, &QTimer::timeout, this, &StudioContext::poll);
}

StudioContext::~StudioContext() = default;

void StudioContext::openWorkspace(const QString &path)
{
    auto next = std::make_unique<Workspace>(path);
    m_workspace = std::move(next);
    currentWorkspace() = m_workspace->path();
    m_dataVersion = m_workspace->store().dataVersion();
    m_pollTimer->start();
    Q_EMIT workspaceChanged();
}


QString StudioContext::dialogFolder()
{
    const QString last = QSettings().value(dialogFolderKey()).toString();
    if (!last.isEmpty() && QFileInfo(last).isDir())
        return last;
    return !currentWorkspace().isEmpty() && QFileInfo(currentWorkspace()).isDir() ? currentWorkspace() : QDir::homePath();
}

void StudioContext::rememberDialogPath(const QString &path)
{
    if (path.isEmpty())
        return;
    const QFileInfo info(path);
    QSettings().setValue(dialogFolderKey(), info.isDir() ? info.absoluteFilePath() : info.absolutePath());
}

Workspace &StudioContext::workspace()
{
    if (!m_workspace)
        throw Error(tr("No workspace is open."));
    return *m_workspace;
}

ExperimentStore &StudioContext::store()
{
    return workspace().store();
}

QString StudioContext::workspacePath() const
{
    return m_workspace ? m_workspace->path() : QString();
}

void StudioContext::setPollInterval(int ms)
{
    m_pollTimer->setInterval(ms);
}

void StudioContext::notifyStoreChanged()
{
    Q_EMIT storeChanged();
}

void StudioContext::poll()
{
    if (!m_workspace)
        return;
    try {
        const qint64 version = m_workspace->store().dataVersion();
        if (version != m_dataVersion) {
            m_dataVersion = version;
            Q_EMIT storeChanged();
        }
    } catch (const Error &e) {
        Q_EMIT statusMessage(e.message());
    }
}

} // namespace cairn::gui
