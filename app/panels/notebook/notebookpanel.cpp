#include "notebookpanel.h"

#include "cellwidget.h"
#include "notebookbrowser.h"
#include "notebookeditor.h"
#include "studiocontext.h"

#include "cairn/notebook/kernelspec.h"
#include "cairn/notebook/notebook.h"
#include "cairn/remote/host.h"
#include "cairn/util/error.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTabBar>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <QTimer>
#include <QtConcurrent>

namespace cairn::panels {

namespace {

struct LoadResult
{
    Notebook notebook;
    QString error;
};

LoadResult loadNotebook(const QString &path)
{
    LoadResult result;
    try {
        result.notebook = Notebook::load(path);
    } catch (const Error &e) {
        result.error = e.message();
    }
    return result;
}

QString notebooksFolder(gui::StudioContext *context)
{
    if (!context || !context->hasWorkspace())
        return QDir::homePath();
    const QString folder = context->workspacePath() + QStringLiteral("/notebooks");
    QDir().mkpath(folder);
    return folder;
}

} // namespace

NotebookPanel::NotebookPanel(gui::StudioContext *context, QWidget *parent) : gui::Panel(context, parent)
{
    setObjectName(QStringLiteral("NotebookPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(buildToolbar());

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("notebookSplitter"));
    m_browser = new NotebookBrowser(context, split);
    connect(m_browser, &NotebookBrowser::openRequested, this, &NotebookPanel::openNotebook);
    connect(m_browser, &NotebookBrowser::newRequested, this, [this](const QString &folder) { newNotebook(folder); });
    connect(m_browser, &NotebookBrowser::renamed, this, &NotebookPanel::onRenamed);
    connect(m_browser, &NotebookBrowser::aboutToDelete, this, [this](const QString &path) {
        // The user confirmed the delete: the open tab goes without a save prompt.
        for (NotebookEditor *editor : editors()) {
            if (editor->filePath() == path)
                closeNotebook(m_tabs->indexOf(editor), false);
        }
    });
    connect(this, &NotebookPanel::notebookOpened, this, [this](NotebookEditor *editor) { m_browser->addRecent(editor->filePath()); });

    m_stack = new QStackedWidget(split);
    m_tabs = new QTabWidget(m_stack);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->setDocumentMode(true);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int index) { closeNotebook(index, true); });
    connect(m_tabs, &QTabWidget::currentChanged, this, &NotebookPanel::updateToolbar);
    m_stack->addWidget(buildStartPage());
    m_stack->addWidget(m_tabs);
    split->addWidget(m_browser);
    split->addWidget(m_stack);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({240, 1000});
    layout->addWidget(split, 1);

    refreshKernels();
    updateToolbar();
    if (context) {
        connect(context, &gui::StudioContext::workspaceChanged, this, &NotebookPanel::restoreOpenNotebooks);
        connect(context, &gui::StudioContext::openNotebookRequested, this, &NotebookPanel::openNotebook);
        if (context->hasWorkspace())
            QTimer::singleShot(0, this, &NotebookPanel::restoreOpenNotebooks);
    }
}

NotebookPanel::~NotebookPanel() = default;

QIcon NotebookPanel::icon() const
{
    return style()->standardIcon(QStyle::SP_FileDialogDetailedView);
}

QAction *NotebookPanel::action(const QString &name) const
{
    for (QAction *a : m_actions) {
        if (a->objectName() == name)
            return a;
    }
    return nullptr;
}

QToolBar *NotebookPanel::buildToolbar()
{
    auto *toolbar = new QToolBar(this);
    toolbar->setObjectName(QStringLiteral("notebookToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setIconSize(QSize(16, 16));
    auto add = [&](const QString &name, const QString &text, QStyle::StandardPixmap icon, const QString &tip, auto slot,
                   bool needsEditor = true) {
        QAction *a = toolbar->addAction(style()->standardIcon(icon), text);
        a->setObjectName(name);
        a->setToolTip(tip);
        a->setProperty("needsEditor", needsEditor);
        connect(a, &QAction::triggered, this, slot);
        m_actions << a;
        return a;
    };
    add(QStringLiteral("new"), tr("New"), QStyle::SP_FileIcon, tr("New notebook in the workspace"), [this] { newNotebook(); }, false);
    add(QStringLiteral("open"), tr("Open…"), QStyle::SP_DialogOpenButton, tr("Open an .ipynb file"), [this] { chooseAndOpen(); }, false);
    add(QStringLiteral("save"), tr("Save"), QStyle::SP_DialogSaveButton, tr("Save (Ctrl+S)"), [this] { saveCurrent(false); });
    toolbar->addSeparator();
    add(QStringLiteral("run"), tr("Run"), QStyle::SP_MediaPlay, tr("Run the cell and select the next (Shift+Enter)"), [this] {
        if (NotebookEditor *e = currentEditor())
            e->runCurrent(true, false);
    });
    add(QStringLiteral("runAll"), tr("Run All"), QStyle::SP_MediaSeekForward, tr("Run every cell"), [this] {
        if (NotebookEditor *e = currentEditor())
            e->runAll();
    });
    add(QStringLiteral("runAbove"), tr("Above"), QStyle::SP_ArrowUp, tr("Run the cells above the selected one"), [this] {
        if (NotebookEditor *e = currentEditor())
            e->runAbove();
    });
    add(QStringLiteral("runBelow"), tr("Below"), QStyle::SP_ArrowDown, tr("Run the selected cell and all below"), [this] {
        if (NotebookEditor *e = currentEditor())
            e->runBelow();
    });
    add(QStringLiteral("interrupt"), tr("Interrupt"), QStyle::SP_MediaStop, tr("Interrupt the kernel (I, I)"), [this] {
        if (NotebookEditor *e = currentEditor())
            e->interruptKernel();
    });
    add(QStringLiteral("restart"), tr("Restart"), QStyle::SP_BrowserReload, tr("Restart the kernel (0, 0)"), [this] {
        if (NotebookEditor *e = currentEditor())
            e->restartKernel(false);
    });
    add(QStringLiteral("restartRunAll"), tr("Restart && Run All"), QStyle::SP_MediaSkipForward, tr("Restart the kernel and run every cell"), [this] {
        if (NotebookEditor *e = currentEditor())
            e->restartKernel(true);
    });
    add(QStringLiteral("clearOutputs"), tr("Clear"), QStyle::SP_DialogResetButton, tr("Clear all outputs"), [this] {
        if (NotebookEditor *e = currentEditor())
            e->clearAllOutputs();
    });
    toolbar->addSeparator();
    auto *kernelLabel = new QLabel(tr("Kernel:"), toolbar);
    kernelLabel->setContentsMargins(4, 0, 4, 0);
    toolbar->addWidget(kernelLabel);
    m_kernelPicker = new QComboBox(toolbar);
    m_kernelPicker->setObjectName(QStringLiteral("kernelPicker"));
    m_kernelPicker->setToolTip(tr("The kernel this notebook runs on (saved in the notebook)"));
    m_kernelPicker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    toolbar->addWidget(m_kernelPicker);
    connect(m_kernelPicker, &QComboBox::activated, this, [this](int index) {
        NotebookEditor *editor = currentEditor();
        if (!editor)
            return;
        // Kernels on an SSH host carry the host's name; local ones none.
        const QString host = m_kernelPicker->itemData(index, kHostRole).toString();
        editor->setKernelHost(host);
        if (!host.isEmpty())
            return;
        const KernelSpec spec = KernelSpec::find(m_kernelPicker->itemData(index).toString());
        if (spec.isValid())
            editor->setKernelSpec(spec);
    });
    // Secondary actions show their icon only, so that the kernel picker stays in view.
    for (const char *name : {"new", "open", "save", "runAbove", "runBelow", "clearOutputs"}) {
        if (auto *button = qobject_cast<QToolButton *>(toolbar->widgetForAction(action(QLatin1String(name)))))
            button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    }
    m_kernelStatus = new QLabel(toolbar);
    m_kernelStatus->setObjectName(QStringLiteral("kernelStatus"));
    m_kernelStatus->setContentsMargins(8, 0, 4, 0);
    toolbar->addWidget(m_kernelStatus);
    return toolbar;
}

QStringList NotebookPanel::sampleNames()
{
    return QDir(QStringLiteral(":/notebooks")).entryList({QStringLiteral("*.ipynb")}, QDir::Files, QDir::Name);
}

QWidget *NotebookPanel::buildStartPage()
{
    auto *page = new QWidget(this);
    page->setObjectName(QStringLiteral("notebookStartPage"));
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(40, 40, 40, 40);
    auto *heading = new QLabel(tr("<h2>Notebooks</h2><p>Jupyter notebooks on local kernels. Runs you log with "
                                  "<code>import cairn</code> appear in Experiments with the notebook as their source.</p>"),
                               page);
    heading->setWordWrap(true);
    layout->addWidget(heading);
    auto *newButton = new QPushButton(tr("New Notebook"), page);
    auto *openButton = new QPushButton(tr("Open Notebook…"), page);
    connect(newButton, &QPushButton::clicked, this, [this] { newNotebook(); });
    connect(openButton, &QPushButton::clicked, this, &NotebookPanel::chooseAndOpen);
    layout->addWidget(newButton, 0, Qt::AlignLeft);
    layout->addWidget(openButton, 0, Qt::AlignLeft);
    auto *samples = new QLabel(tr("<h3>Sample notebooks</h3>"), page);
    layout->addWidget(samples);
    for (const QString &name : sampleNames()) {
        // The title is the notebook's first heading.
        QString title = name;
        try {
            QFile file(QStringLiteral(":/notebooks/") + name);
            if (file.open(QIODevice::ReadOnly)) {
                const Notebook sample = Notebook::fromJson(file.readAll(), name);
                for (const NotebookCell &cell : sample.cells()) {
                    const QString first = cell.source().section(QLatin1Char('\n'), 0, 0);
                    if (cell.type() == CellType::Markdown && first.startsWith(QLatin1Char('#'))) {
                        title = tr("%1 (%2)").arg(first.mid(first.lastIndexOf(QLatin1Char('#')) + 1).trimmed(), name);
                        break;
                    }
                }
            }
        } catch (const Error &) {
            // A sample that does not parse keeps its file name; opening it reports the error.
        }
        auto *button = new QPushButton(title, page);
        button->setObjectName(QStringLiteral("sample-") + name);
        button->setFlat(true);
        button->setStyleSheet(QStringLiteral("text-align: left; color: #1565c0;"));
        connect(button, &QPushButton::clicked, this, [this, name] { openSample(name); });
        layout->addWidget(button, 0, Qt::AlignLeft);
    }
    layout->addStretch(1);
    return page;
}

void NotebookPanel::refreshKernels()
{
    const QString current = m_kernelPicker->currentData().toString();
    const QString currentHost = m_kernelPicker->currentData(kHostRole).toString();
    m_kernelPicker->clear();
    for (const KernelSpec &spec : KernelSpec::findAll())
        m_kernelPicker->addItem(spec.displayName, spec.name);
    // ipykernel on each SSH host (what a host really has is checked when the kernel starts there).
    try {
        for (const remote::Host &host : remote::HostStore().hosts()) {
            if (host.isLocal())
                continue;
            m_kernelPicker->addItem(tr("python3 on %1").arg(host.name), QStringLiteral("python3"));
            m_kernelPicker->setItemData(m_kernelPicker->count() - 1, host.name, kHostRole);
        }
    } catch (const Error &e) {
        qCWarning(lcNotebookUi).noquote() << e.message();
    }
    const int index = kernelIndex(current, currentHost);
    if (index >= 0)
        m_kernelPicker->setCurrentIndex(index);
}

void NotebookPanel::showEvent(QShowEvent *event)
{
    gui::Panel::showEvent(event);
    refreshKernels();
    updateToolbar();
}

int NotebookPanel::kernelIndex(const QString &name, const QString &host) const
{
    for (int i = 0; i < m_kernelPicker->count(); ++i)
        if (m_kernelPicker->itemData(i).toString() == name && m_kernelPicker->itemData(i, kHostRole).toString() == host)
            return i;
    return -1;
}

NotebookEditor *NotebookPanel::currentEditor() const
{
    return qobject_cast<NotebookEditor *>(m_tabs->currentWidget());
}

QList<NotebookEditor *> NotebookPanel::editors() const
{
    QList<NotebookEditor *> list;
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (auto *editor = qobject_cast<NotebookEditor *>(m_tabs->widget(i)))
            list << editor;
    }
    return list;
}

void NotebookPanel::openNotebook(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    for (NotebookEditor *editor : editors()) {
        if (editor->filePath() == absolute) {
            m_tabs->setCurrentWidget(editor);
            Q_EMIT notebookOpened(editor);
            return;
        }
    }
    // Asked again while it loads (the last session's list and the command line name the same
    // file): two editors of one file would autosave over each other's edits.
    if (m_loading.contains(absolute))
        return;
    m_loading.insert(absolute);
    if (context())
        Q_EMIT context()->statusMessage(tr("Opening %1…").arg(QFileInfo(absolute).fileName()), 2000);
    // Parsing a large notebook takes a while: never on the GUI thread.
    auto *watcher = new QFutureWatcher<LoadResult>(this);
    connect(watcher, &QFutureWatcher<LoadResult>::finished, this, [this, watcher, absolute] {
        watcher->deleteLater();
        m_loading.remove(absolute);
        const LoadResult result = watcher->result();
        if (!result.error.isEmpty()) {
            if (context())
                Q_EMIT context()->statusMessage(result.error, 10000);
            // A notebook reopened from the last session that went bad is reported in the status bar only.
            if (!m_restoring.remove(absolute))
                QMessageBox::warning(this, tr("Cannot open the notebook"), result.error);
            Q_EMIT openFailed(absolute, result.error);
            return;
        }
        m_restoring.remove(absolute);
        auto *editor = new NotebookEditor(context(), m_tabs);
        editor->setNotebook(result.notebook, absolute);
        addEditor(editor);
        // Keys go to the notebook at once (Enter edits the cell, as in Jupyter's command mode).
        editor->selectCell(editor->currentIndex());
        qCInfo(lcNotebookUi, "opened %s", qPrintable(absolute));
        Q_EMIT notebookOpened(editor);
    });
    watcher->setFuture(QtConcurrent::run(loadNotebook, absolute));
}

NotebookEditor *NotebookPanel::newNotebook(const QString &where)
{
    auto *editor = new NotebookEditor(context(), m_tabs);
    QString path;
    if (!where.isEmpty() || (context() && context()->hasWorkspace())) {
        const QDir folder(where.isEmpty() ? notebooksFolder(context()) : where);
        for (int n = 1;; ++n) {
            const QString name = n == 1 ? QStringLiteral("Untitled.ipynb") : QStringLiteral("Untitled%1.ipynb").arg(n);
            if (!folder.exists(name)) {
                path = folder.filePath(name);
                break;
            }
        }
    }
    Notebook notebook;
    const KernelSpec spec = KernelSpec::find(QStringLiteral("python3"));
    if (spec.isValid())
        notebook.setKernelSpec(spec.name, spec.displayName, spec.language);
    editor->setNotebook(notebook, path);
    if (!path.isEmpty())
        editor->save();
    addEditor(editor);
    editor->selectCell(0, true);
    Q_EMIT notebookOpened(editor);
    return editor;
}

void NotebookPanel::openSample(const QString &name)
{
    QString target = notebooksFolder(context()) + QLatin1Char('/') + name;
    if (!QFileInfo::exists(target)) {
        QFile::copy(QStringLiteral(":/notebooks/") + name, target);
        QFile::setPermissions(target, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    }
    openNotebook(target);
}

NotebookEditor *NotebookPanel::addEditor(NotebookEditor *editor)
{
    editor->setAutosaveInterval(autosaveSeconds() * 1000);
    const int index = m_tabs->addTab(editor, editor->displayName());
    m_tabs->setCurrentIndex(index);
    m_stack->setCurrentWidget(m_tabs);
    connect(editor, &NotebookEditor::dirtyChanged, this, [this, editor] { updateTab(editor); });
    connect(editor, &NotebookEditor::kernelStatusChanged, this, [this, editor] {
        if (editor == currentEditor())
            updateToolbar();
    });
    connect(editor, &NotebookEditor::executionFinished, this, [this] {
        if (context())
            context()->notifyStoreChanged();
    });
    updateTab(editor);
    updateToolbar();
    rememberOpenNotebooks();
    return editor;
}

void NotebookPanel::updateTab(NotebookEditor *editor)
{
    const int index = m_tabs->indexOf(editor);
    if (index < 0)
        return;
    // The dirty marker, as editors show it.
    m_tabs->setTabText(index, editor->isDirty() ? editor->displayName() + QStringLiteral(" ●") : editor->displayName());
    m_tabs->setTabToolTip(index, editor->filePath().isEmpty() ? tr("Not saved yet") : editor->filePath());
    if (editor == currentEditor())
        updateToolbar();
}

void NotebookPanel::updateToolbar()
{
    NotebookEditor *editor = currentEditor();
    for (QAction *a : std::as_const(m_actions)) {
        if (a->property("needsEditor").toBool())
            a->setEnabled(editor != nullptr);
    }
    m_kernelPicker->setEnabled(editor != nullptr);
    if (!editor) {
        m_kernelStatus->clear();
        m_stack->setCurrentIndex(m_tabs->count() == 0 ? 0 : 1);
        return;
    }
    const KernelSpec spec = editor->kernelSpec();
    const QString host = editor->kernelHost();
    int index = kernelIndex(host.isEmpty() ? spec.name : QStringLiteral("python3"), host);
    if (index < 0 && !host.isEmpty()) {
        m_kernelPicker->addItem(tr("python3 on %1").arg(host), QStringLiteral("python3"));
        m_kernelPicker->setItemData(m_kernelPicker->count() - 1, host, kHostRole);
        index = m_kernelPicker->count() - 1;
    } else if (index < 0 && spec.isValid()) {
        m_kernelPicker->addItem(spec.displayName, spec.name);
        index = m_kernelPicker->count() - 1;
    }
    m_kernelPicker->setCurrentIndex(index);
    m_kernelStatus->setText(editor->kernelStatusText());
    if (QAction *save = action(QStringLiteral("save")))
        save->setEnabled(editor->isDirty() || editor->filePath().isEmpty());
}

bool NotebookPanel::askToSave(NotebookEditor *editor)
{
    if (!editor->isDirty())
        return true;
    m_stack->setCurrentWidget(m_tabs);
    m_tabs->setCurrentWidget(editor);
    QMessageBox box(QMessageBox::Warning, tr("Save changes?"),
                    tr("%1 has changes that are not saved.").arg(editor->displayName()),
                    QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("saveChangesBox"));
    box.setInformativeText(tr("Discard drops the changes made since the last save or autosave."));
    box.setDefaultButton(QMessageBox::Save);
    const int answer = box.exec();
    if (answer == QMessageBox::Discard)
        return true;
    if (answer != QMessageBox::Save)
        return false;
    QString path = editor->filePath();
    if (path.isEmpty()) {
        path = QFileDialog::getSaveFileName(this, tr("Save Notebook"), notebooksFolder(context()), tr("Notebooks (*.ipynb)"));
        if (path.isEmpty())
            return false;
        if (!path.endsWith(QLatin1String(".ipynb")))
            path += QStringLiteral(".ipynb");
    }
    QString error;
    if (!editor->saveAs(path, &error)) {
        QMessageBox::warning(this, tr("Cannot save the notebook"), error);
        return false;
    }
    return true;
}

bool NotebookPanel::hasUnsavedChanges() const
{
    for (NotebookEditor *editor : editors()) {
        if (editor->isDirty())
            return true;
    }
    return false;
}

bool NotebookPanel::confirmClose()
{
    for (NotebookEditor *editor : editors()) {
        if (!askToSave(editor))
            return false;
    }
    rememberOpenNotebooks();
    return true;
}

int NotebookPanel::autosaveSeconds()
{
    // JupyterLab saves a dirty notebook every 120 s; a minute loses less after a crash.
    return qMax(0, QSettings().value(QStringLiteral("notebooks/autosaveSeconds"), 60).toInt());
}

void NotebookPanel::onRenamed(const QString &oldPath, const QString &newPath)
{
    for (NotebookEditor *editor : editors()) {
        if (editor->filePath() == oldPath)
            editor->setFilePath(newPath);
    }
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("notebooks/recent")).toStringList();
    for (QString &path : recent) {
        if (path == oldPath)
            path = newPath;
    }
    settings.setValue(QStringLiteral("notebooks/recent"), recent);
    rememberOpenNotebooks();
}

bool NotebookPanel::closeNotebook(int index, bool ask)
{
    auto *editor = qobject_cast<NotebookEditor *>(m_tabs->widget(index));
    if (!editor)
        return false;
    if (ask && !askToSave(editor))
        return false;
    m_tabs->removeTab(index);
    editor->shutdownKernel();
    editor->deleteLater();
    rememberOpenNotebooks();
    updateToolbar();
    return true;
}

void NotebookPanel::chooseAndOpen()
{
    const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Open Notebook"), m_browser->folder(), tr("Notebooks (*.ipynb)"));
    for (const QString &path : paths)
        openNotebook(path);
}

void NotebookPanel::saveCurrent(bool as)
{
    NotebookEditor *editor = currentEditor();
    if (!editor)
        return;
    QString path = editor->filePath();
    if (as || path.isEmpty()) {
        path = QFileDialog::getSaveFileName(this, tr("Save Notebook"), m_browser->folder(), tr("Notebooks (*.ipynb)"));
        if (path.isEmpty())
            return;
        if (!path.endsWith(QLatin1String(".ipynb")))
            path += QStringLiteral(".ipynb");
    }
    QString error;
    if (!editor->saveAs(path, &error))
        QMessageBox::warning(this, tr("Cannot save the notebook"), error);
    else if (context())
        Q_EMIT context()->statusMessage(tr("Saved %1").arg(path), 3000);
    rememberOpenNotebooks();
}

// Open notebooks are remembered per workspace.
void NotebookPanel::rememberOpenNotebooks()
{
    if (!context() || !context()->hasWorkspace())
        return;
    QStringList paths;
    for (NotebookEditor *editor : editors()) {
        if (!editor->filePath().isEmpty())
            paths << editor->filePath();
    }
    paths.removeDuplicates();
    QSettings settings;
    settings.setValue(QStringLiteral("notebooks/open/") + QString::fromLatin1(context()->workspacePath().toUtf8().toBase64()), paths);
}

void NotebookPanel::restoreOpenNotebooks()
{
    if (!context() || !context()->hasWorkspace())
        return;
    QSettings settings;
    const QStringList paths =
        settings.value(QStringLiteral("notebooks/open/") + QString::fromLatin1(context()->workspacePath().toUtf8().toBase64())).toStringList();
    for (const QString &path : paths) {
        if (QFileInfo::exists(path)) {
            m_restoring.insert(QFileInfo(path).absoluteFilePath());
            openNotebook(path);
        }
    }
}

} // namespace cairn::panels
