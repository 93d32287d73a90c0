#include "notebookbrowser.h"

#include "studiocontext.h"

#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemModel>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QStyle>
#include <QTabWidget>
#include <QToolBar>
#include <QTreeView>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

namespace cairn::panels {

namespace {

constexpr int kMaxRecent = 12;
const QString kRecentKey = QStringLiteral("notebooks/recent");
const QString kSuffix = QStringLiteral(".ipynb");

} // namespace

NotebookBrowser::NotebookBrowser(gui::StudioContext *context, QWidget *parent)
    : QWidget(parent), m_context(context), m_model(new QFileSystemModel(this))
{
    setObjectName(QStringLiteral("notebookBrowser"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    auto *bar = new QToolBar(this);
    bar->setObjectName(QStringLiteral("browserToolbar"));
    bar->setIconSize(QSize(16, 16));
    QAction *newAction = bar->addAction(style()->standardIcon(QStyle::SP_FileIcon), tr("New notebook"),
                                        this, [this] { Q_EMIT newRequested(folder()); });
    newAction->setObjectName(QStringLiteral("browserNew"));
    bar->addAction(style()->standardIcon(QStyle::SP_DirOpenIcon), tr("Open a folder…"), this, &NotebookBrowser::chooseFolder)
        ->setObjectName(QStringLiteral("browserOpenFolder"));
    bar->addAction(style()->standardIcon(QStyle::SP_FileDialogToParent), tr("Up one folder"), this, [this] {
        QDir dir(folder());
        if (dir.cdUp())
            setFolder(dir.absolutePath());
    });
    bar->addAction(style()->standardIcon(QStyle::SP_DirHomeIcon), tr("The workspace's notebooks"), this,
                   [this] { setFolder(workspaceFolder()); })
        ->setObjectName(QStringLiteral("browserHome"));
    layout->addWidget(bar);

    m_location = new QLabel(this);
    m_location->setObjectName(QStringLiteral("browserLocation"));
    m_location->setContentsMargins(6, 0, 6, 0);
    m_location->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long path is clipped so that the panel can stay narrow; the tooltip holds all of it.
    m_location->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    layout->addWidget(m_location);

    m_model->setNameFilters({QStringLiteral("*.ipynb")});
    m_model->setNameFilterDisables(false);
    m_model->setFilter(QDir::AllDirs | QDir::Files | QDir::NoDotAndDotDot);
    m_model->setReadOnly(true);

    m_sections = new QTabWidget(this);
    m_sections->setObjectName(QStringLiteral("browserSections"));
    m_sections->setDocumentMode(true);

    m_files = new QTreeView(m_sections);
    m_files->setObjectName(QStringLiteral("browserFiles"));
    m_files->setModel(m_model);
    m_files->setRootIsDecorated(false);
    m_files->setItemsExpandable(false);
    m_files->setSortingEnabled(true);
    m_files->sortByColumn(0, Qt::AscendingOrder);
    m_files->setColumnHidden(1, true); // size
    m_files->setColumnHidden(2, true); // type
    m_files->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_files->header()->setStretchLastSection(false);
    m_files->setContextMenuPolicy(Qt::CustomContextMenu);
    m_files->setEditTriggers(QAbstractItemView::NoEditTriggers);
    connect(m_files, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const QString path = pathAt(index);
        if (QFileInfo(path).isDir())
            setFolder(path);
        else if (!path.isEmpty())
            Q_EMIT openRequested(path);
    });
    connect(m_files, &QTreeView::customContextMenuRequested, this, &NotebookBrowser::showMenu);
    m_sections->addTab(m_files, tr("Files"));

    m_recent = new QListWidget(m_sections);
    m_recent->setObjectName(QStringLiteral("browserRecent"));
    connect(m_recent, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { Q_EMIT openRequested(item->data(Qt::UserRole).toString()); });
    m_sections->addTab(m_recent, tr("Recent"));

    m_automl = new QTreeWidget(m_sections);
    m_automl->setObjectName(QStringLiteral("browserAutoML"));
    m_automl->setHeaderHidden(true);
    m_automl->setRootIsDecorated(true);
    connect(m_automl, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        const QString path = item->data(0, Qt::UserRole).toString();
        if (!path.isEmpty())
            Q_EMIT openRequested(path);
    });
    m_sections->addTab(m_automl, tr("AutoML"));
    m_sections->setTabToolTip(2, tr("The data exploration and candidate notebooks that each AutoML run generated"));
    connect(m_sections, &QTabWidget::currentChanged, this, [this](int index) {
        if (index == 1)
            refreshRecent();
        else if (index == 2)
            refreshAutoML();
    });
    layout->addWidget(m_sections, 1);

    if (m_context) {
        connect(m_context, &gui::StudioContext::workspaceChanged, this, [this] {
            setFolder(workspaceFolder());
            refreshAutoML();
        });
        connect(m_context, &gui::StudioContext::storeChanged, this, [this] {
            if (m_sections->currentIndex() == 2)
                refreshAutoML();
        });
    }
    setFolder(workspaceFolder());
    refreshRecent();
    refreshAutoML();
}

QString NotebookBrowser::workspaceFolder() const
{
    if (!m_context || !m_context->hasWorkspace())
        return QDir::homePath();
    const QString path = QDir(m_context->workspacePath()).filePath(QStringLiteral("notebooks"));
    QDir().mkpath(path);
    return path;
}

QString NotebookBrowser::folder() const
{
    return m_model->rootPath();
}

void NotebookBrowser::setFolder(const QString &path)
{
    const QString absolute = QDir(path).absolutePath();
    m_files->setRootIndex(m_model->setRootPath(absolute));
    m_location->setToolTip(QDir::toNativeSeparators(absolute));
    updateLocation();
    m_sections->setCurrentIndex(0);
}

void NotebookBrowser::updateLocation()
{
    // Inside the workspace the path starts at it ("notebooks/sub"), elsewhere at "~" where it can;
    // what does not fit loses its start, so that the folder's own name stays in view.
    const QString absolute = folder();
    QString shown = absolute;
    if (m_context && m_context->hasWorkspace()) {
        const QString relative = QDir(m_context->workspacePath()).relativeFilePath(absolute);
        if (!relative.startsWith(QLatin1String("..")))
            shown = relative;
    }
    if (shown == absolute && absolute.startsWith(QDir::homePath() + QLatin1Char('/')))
        shown = QStringLiteral("~") + absolute.mid(QDir::homePath().size());
    shown = QDir::toNativeSeparators(shown);
    const int width = std::max(40, m_location->width() - m_location->contentsMargins().left() - m_location->contentsMargins().right());
    m_location->setText(m_location->fontMetrics().elidedText(shown, Qt::ElideLeft, width));
}

void NotebookBrowser::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateLocation();
}

QString NotebookBrowser::pathAt(const QModelIndex &index) const
{
    return index.isValid() ? m_model->filePath(index) : QString();
}

void NotebookBrowser::chooseFolder()
{
    const QString chosen = QFileDialog::getExistingDirectory(this, tr("Open a folder of notebooks"), gui::StudioContext::dialogFolder());
    if (chosen.isEmpty())
        return;
    gui::StudioContext::rememberDialogPath(chosen);
    setFolder(chosen);
}

void NotebookBrowser::showMenu(const QPoint &pos)
{
    const QString path = pathAt(m_files->indexAt(pos));
    QMenu menu(this);
    if (!path.isEmpty() && QFileInfo(path).isFile()) {
        menu.addAction(tr("Open"), this, [this, path] { Q_EMIT openRequested(path); });
        menu.addSeparator();
        menu.addAction(tr("Rename…"), this, [this, path] { askRename(path); });
        menu.addAction(tr("Duplicate"), this, [this, path] {
            QString error;
            if (duplicateNotebook(path, &error).isEmpty())
                QMessageBox::warning(this, tr("Cannot duplicate the notebook"), error);
        });
        menu.addAction(tr("Delete…"), this, [this, path] { askDelete(path); });
        menu.addSeparator();
        menu.addAction(tr("Copy Path"), this, [path] { QApplication::clipboard()->setText(QDir::toNativeSeparators(path)); });
    } else if (!path.isEmpty()) {
        menu.addAction(tr("Open Folder"), this, [this, path] { setFolder(path); });
    }
    menu.addAction(tr("New Notebook"), this, [this] { Q_EMIT newRequested(folder()); });
    menu.addAction(tr("Show in File Manager"), this,
                   [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(folder())); });
    menu.exec(m_files->viewport()->mapToGlobal(pos));
}

void NotebookBrowser::askRename(const QString &path)
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename Notebook"), tr("New name:"), QLineEdit::Normal,
                                               QFileInfo(path).fileName(), &ok);
    if (!ok || name.trimmed().isEmpty() || name == QFileInfo(path).fileName())
        return;
    QString error;
    if (!renameNotebook(path, name.trimmed(), &error))
        QMessageBox::warning(this, tr("Cannot rename the notebook"), error);
}

void NotebookBrowser::askDelete(const QString &path)
{
    if (QMessageBox::question(this, tr("Delete Notebook"),
                              tr("Delete %1? It goes to the desktop's trash where there is one.").arg(QFileInfo(path).fileName()),
                              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
        != QMessageBox::Yes)
        return;
    QString error;
    if (!deleteNotebook(path, &error))
        QMessageBox::warning(this, tr("Cannot delete the notebook"), error);
}

bool NotebookBrowser::renameNotebook(const QString &path, const QString &newName, QString *error)
{
    QString name = newName;
    if (!name.endsWith(kSuffix))
        name += kSuffix;
    if (name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\'))) {
        if (error)
            *error = tr("A name cannot hold a folder separator: %1").arg(name);
        return false;
    }
    const QString target = QFileInfo(path).dir().filePath(name);
    if (QFileInfo::exists(target)) {
        if (error)
            *error = tr("%1 already exists.").arg(QDir::toNativeSeparators(target));
        return false;
    }
    QFile file(path);
    if (!file.rename(target)) {
        if (error)
            *error = tr("%1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    Q_EMIT renamed(QFileInfo(path).absoluteFilePath(), QFileInfo(target).absoluteFilePath());
    return true;
}

QString NotebookBrowser::duplicateNotebook(const QString &path, QString *error)
{
    const QFileInfo info(path);
    QString target;
    for (int n = 1;; ++n) {
        target = info.dir().filePath(QStringLiteral("%1-Copy%2%3").arg(info.completeBaseName()).arg(n).arg(kSuffix));
        if (!QFileInfo::exists(target))
            break;
    }
    QFile file(path);
    if (!file.copy(target)) {
        if (error)
            *error = tr("%1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return {};
    }
    return target;
}

bool NotebookBrowser::deleteNotebook(const QString &path, QString *error)
{
    Q_EMIT aboutToDelete(QFileInfo(path).absoluteFilePath());
    QFile file(path);
    // The trash keeps a way back; where the desktop has none, the file is removed.
    if (file.moveToTrash() || file.remove())
        return true;
    if (error)
        *error = tr("%1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
    return false;
}

QStringList NotebookBrowser::recentNotebooks()
{
    QStringList existing;
    for (const QString &path : QSettings().value(kRecentKey).toStringList()) {
        if (QFileInfo::exists(path))
            existing << path;
    }
    return existing;
}

void NotebookBrowser::addRecent(const QString &path)
{
    if (path.isEmpty())
        return;
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(kRecentKey, recent);
    refreshRecent();
}

void NotebookBrowser::refreshRecent()
{
    m_recent->clear();
    for (const QString &path : recentNotebooks()) {
        auto *item = new QListWidgetItem(QFileInfo(path).fileName(), m_recent);
        item->setData(Qt::UserRole, path);
        item->setToolTip(QDir::toNativeSeparators(path));
    }
}

QList<QPair<QString, QString>> NotebookBrowser::automlNotebooks() const
{
    QList<QPair<QString, QString>> found;
    if (!m_context || !m_context->hasWorkspace())
        return found;
    Workspace &workspace = m_context->workspace();
    const QDir root(workspace.artifactsRoot());
    const QFileInfoList runs = root.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Time);
    for (const QFileInfo &run : runs) {
        const QDir dir(run.absoluteFilePath());
        if (!dir.exists(QStringLiteral("automl")))
            continue;
        const QStringList notebooks = QDir(dir.filePath(QStringLiteral("notebooks"))).entryList({QStringLiteral("*.ipynb")}, QDir::Files, QDir::Name);
        if (notebooks.isEmpty())
            continue;
        QString name = run.fileName();
        try {
            name = workspace.store().run(run.fileName()).name;
        } catch (const Error &) {
            // A folder whose run was deleted keeps its id as the name.
        }
        for (const QString &notebook : notebooks)
            found.append({name, dir.filePath(QStringLiteral("notebooks/") + notebook)});
    }
    return found;
}

void NotebookBrowser::refreshAutoML()
{
    m_automl->clear();
    QHash<QString, QTreeWidgetItem *> runs;
    for (const auto &[run, path] : automlNotebooks()) {
        QTreeWidgetItem *&parent = runs[run];
        if (!parent) {
            parent = new QTreeWidgetItem(m_automl, {run});
            parent->setExpanded(true);
        }
        auto *item = new QTreeWidgetItem(parent, {QFileInfo(path).fileName()});
        item->setData(0, Qt::UserRole, path);
        item->setToolTip(0, QDir::toNativeSeparators(path));
    }
    m_automl->expandAll();
    if (runs.isEmpty()) {
        auto *none = new QTreeWidgetItem(m_automl, {tr("No AutoML run in this workspace yet")});
        none->setFlags(Qt::NoItemFlags);
    }
}

} // namespace cairn::panels
