#include "notebookeditor.h"

#include "cellwidget.h"
#include "codeeditor.h"
#include "outputview.h"
#include "studiocontext.h"

#include "cairn/notebook/notebookrunner.h"
#include "cairn/remote/host.h"
#include "cairn/remote/remotekernel.h"
#include "cairn/util/error.h"

#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>

namespace cairn::panels {

Q_LOGGING_CATEGORY(lcNotebookUi, "cairn.notebook.ui", QtWarningMsg)

namespace {

// Pixels above and below the viewport whose cells are rendered ahead of scrolling.
constexpr int kRenderMargin = 600;
// Two-key commands (DD, II, 00) must come within this time.
constexpr int kDoubleKeyMs = 800;

} // namespace

NotebookEditor::NotebookEditor(gui::StudioContext *context, QWidget *parent)
    : QWidget(parent), m_context(context), m_notebook()
{
    setFocusPolicy(Qt::StrongFocus);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    m_notice = new QFrame(this);
    m_notice->setObjectName(QStringLiteral("kernelNotice"));
    m_notice->setStyleSheet(QStringLiteral("#kernelNotice { background: #fff3cd; border-bottom: 1px solid #e0c97f; }"));
    auto *noticeLayout = new QHBoxLayout(m_notice);
    noticeLayout->setContentsMargins(8, 4, 8, 4);
    m_noticeLabel = new QLabel(m_notice);
    m_noticeLabel->setWordWrap(true);
    m_noticeRestart = new QPushButton(tr("Restart Kernel"), m_notice);
    m_noticeRestart->setObjectName(QStringLiteral("noticeRestart"));
    auto *dismiss = new QPushButton(tr("Dismiss"), m_notice);
    noticeLayout->addWidget(m_noticeLabel, 1);
    noticeLayout->addWidget(m_noticeRestart);
    noticeLayout->addWidget(dismiss);
    connect(m_noticeRestart, &QPushButton::clicked, this, [this] { restartKernel(false); });
    connect(dismiss, &QPushButton::clicked, this, &NotebookEditor::hideNotice);
    m_notice->hide();
    layout->addWidget(m_notice);

    m_scroll = new QScrollArea(this);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFocusPolicy(Qt::NoFocus);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_container = new QWidget(m_scroll);
    m_container->setObjectName(QStringLiteral("notebookCells"));
    m_container->setAutoFillBackground(true);
    QPalette palette = m_container->palette();
    palette.setColor(QPalette::Window, Qt::white);
    m_container->setPalette(palette);
    m_cellLayout = new QVBoxLayout(m_container);
    m_cellLayout->setContentsMargins(8, 8, 8, 200);
    m_cellLayout->setSpacing(4);
    m_cellLayout->addStretch(1);
    m_scroll->setWidget(m_container);
    layout->addWidget(m_scroll, 1);

    m_renderTimer = new QTimer(this);
    m_renderTimer->setSingleShot(true);
    m_renderTimer->setInterval(0);
    connect(m_renderTimer, &QTimer::timeout, this, &NotebookEditor::renderVisibleCells);
    connect(m_scroll->verticalScrollBar(), &QScrollBar::valueChanged, this, &NotebookEditor::scheduleRender);
    connect(m_scroll->verticalScrollBar(), &QScrollBar::rangeChanged, this, &NotebookEditor::scheduleRender);

    m_autosave = new QTimer(this);
    m_autosave->setInterval(60000);
    connect(m_autosave, &QTimer::timeout, this, &NotebookEditor::autosave);
    m_autosave->start();
}

NotebookEditor::~NotebookEditor()
{
    // The kernel's last state changes must not reach a half-destroyed panel.
    if (m_kernel)
        m_kernel->disconnect(this);
    if (m_remote)
        m_remote->disconnect(this);
    if (m_remote)
        m_remote->shutdown();
    else if (m_kernel)
        m_kernel->shutdown(1000);
}

QString NotebookEditor::displayName() const
{
    return m_path.isEmpty() ? tr("Untitled.ipynb") : QFileInfo(m_path).fileName();
}

void NotebookEditor::setNotebook(const Notebook &notebook, const QString &path)
{
    m_loading = true;
    m_notebook = notebook;
    m_path = path;
    for (CellWidget *cell : std::as_const(m_cells))
        delete cell;
    m_cells.clear();
    m_container->setUpdatesEnabled(false);
    for (const NotebookCell &cell : notebook.cells()) {
        CellWidget *widget = createCellWidget(cell);
        m_cellLayout->insertWidget(int(m_cells.size()), widget);
        m_cells.append(widget);
    }
    if (m_cells.isEmpty())
        insertCell(0, CellType::Code);
    m_container->setUpdatesEnabled(true);
    m_current = 0;
    m_editMode = false;
    updateCellSelection();
    resolveKernelSpec();
    m_host = notebook.metadata().value(QLatin1String("cairn")).toObject().value(QLatin1String("host")).toString();
    m_loading = false;
    setDirty(notebook.wasConverted());
    if (notebook.wasConverted())
        showNotice(tr("This notebook was nbformat %1 and has been converted to nbformat 4; saving writes nbformat 4.")
                       .arg(notebook.convertedFrom()),
                   false);
    scheduleRender();
}

void NotebookEditor::resolveKernelSpec()
{
    const QString wanted = m_notebook.kernelName();
    m_spec = KernelSpec::find(wanted.isEmpty() ? QStringLiteral("python3") : wanted);
    if (!m_spec.isValid() && !wanted.isEmpty()) {
        m_spec = KernelSpec::find(QStringLiteral("python3"));
        if (m_spec.isValid())
            showNotice(tr("The kernel \"%1\" of this notebook is not installed; %2 will be used. Pick another in the toolbar.")
                           .arg(m_notebook.kernelDisplayName().isEmpty() ? wanted : m_notebook.kernelDisplayName(), m_spec.displayName),
                       false);
    }
    if (!m_spec.isValid()) {
        const QList<KernelSpec> all = KernelSpec::findAll();
        if (!all.isEmpty())
            m_spec = all.first();
        else
            showNotice(tr("No Jupyter kernel is installed. Install one (for Python: the python3-ipykernel package) to run cells."), false);
    }
    // A notebook without a kernelspec gets one when its kernel starts, not on opening: a notebook
    // opened and saved without running is written back unchanged.
    Q_EMIT kernelStatusChanged();
}

Notebook NotebookEditor::notebook() const
{
    Notebook notebook = m_notebook;
    notebook.cells().clear();
    for (CellWidget *cell : m_cells)
        notebook.cells().append(cell->cell());
    return notebook;
}

bool NotebookEditor::save(QString *error)
{
    if (m_path.isEmpty()) {
        if (error)
            *error = tr("The notebook has no file yet: use Save As.");
        return false;
    }
    return saveAs(m_path, error);
}

bool NotebookEditor::saveAs(const QString &path, QString *error)
{
    try {
        const Notebook current = notebook();
        current.save(path);
        m_notebook = current;
    } catch (const Error &e) {
        if (error)
            *error = e.message();
        if (m_context)
            Q_EMIT m_context->statusMessage(e.message(), 8000);
        return false;
    }
    const bool renamed = path != m_path;
    m_path = path;
    setDirty(false);
    if (renamed)
        Q_EMIT dirtyChanged(false); // the tab title changes with the name
    return true;
}

void NotebookEditor::setFilePath(const QString &path)
{
    if (path == m_path)
        return;
    m_path = path;
    Q_EMIT dirtyChanged(m_dirty); // the tab title changes with the name
}

void NotebookEditor::setAutosaveInterval(int ms)
{
    if (ms <= 0) {
        m_autosave->stop();
        return;
    }
    m_autosave->start(ms);
}

void NotebookEditor::autosave()
{
    if (!m_dirty || m_path.isEmpty())
        return;
    if (!save())
        return;
    qCInfo(lcNotebookUi, "autosaved %s", qPrintable(m_path));
    if (m_context)
        Q_EMIT m_context->statusMessage(tr("Autosaved %1").arg(displayName()), 2000);
}

void NotebookEditor::setDirty(bool dirty)
{
    if (m_loading || dirty == m_dirty)
        return;
    m_dirty = dirty;
    Q_EMIT dirtyChanged(dirty);
}

// ---- cells

CellWidget *NotebookEditor::createCellWidget(const NotebookCell &cell)
{
    auto *widget = new CellWidget(cell, m_path.isEmpty() ? QString() : QFileInfo(m_path).absolutePath(), m_container);
    connectCell(widget);
    return widget;
}

void NotebookEditor::connectCell(CellWidget *cell)
{
    connect(cell, &CellWidget::changed, this, [this] { setDirty(true); });
    connect(cell, &CellWidget::clicked, this, [this](CellWidget *c) {
        const int index = indexOf(c);
        if (index >= 0 && (index != m_current || m_editMode) && !c->editor()->hasFocus())
            selectCell(index, false);
    });
    connect(cell, &CellWidget::doubleClicked, this, [this](CellWidget *c) {
        const int index = indexOf(c);
        if (index >= 0)
            selectCell(index, true);
    });
    CodeEditor *editor = cell->editor();
    connect(editor, &CodeEditor::focusGained, this, [this, cell] {
        const int index = indexOf(cell);
        if (index >= 0 && (index != m_current || !m_editMode)) {
            m_current = index;
            m_editMode = true;
            cell->setEditing(true);
            updateCellSelection();
        }
    });
    connect(editor, &CodeEditor::runRequested, this, [this, cell](bool advance, bool insertBelow) {
        m_current = qMax(0, indexOf(cell));
        runCurrent(advance, insertBelow);
    });
    connect(editor, &CodeEditor::escapePressed, this, &NotebookEditor::enterCommandMode);
    connect(editor, &CodeEditor::saveRequested, this, [this] { save(); });
    connect(editor, &CodeEditor::completionRequested, this, [this, cell] { requestCompletion(cell); });
    connect(editor, &CodeEditor::inspectRequested, this, [this, cell] { requestInspection(cell); });
    connect(editor, &CodeEditor::leaveRequested, this, [this, cell](int direction) {
        const int index = indexOf(cell) + direction;
        if (index < 0 || index >= m_cells.size())
            return;
        selectCell(index, true);
        CodeEditor *next = m_cells.at(index)->editor();
        if (direction < 0)
            next->setCursorPosition(next->lines() - 1, 0);
        else
            next->setCursorPosition(0, 0);
    });
    connect(cell->outputView(), &OutputView::inputSubmitted, this, [this, cell](const QString &value) {
        if (!m_kernel || cell != m_running)
            return;
        m_kernel->sendInputReply(value);
        // Echo prompt and answer into the output, as Jupyter front ends do.
        KernelMessage echo;
        echo.header[QStringLiteral("msg_type")] = QStringLiteral("stream");
        const bool password = cell->outputView()->property("passwordPrompt").toBool();
        echo.content = QJsonObject{{QStringLiteral("name"), QStringLiteral("stdout")},
                                   {QStringLiteral("text"), cell->outputView()->property("inputPrompt").toString()
                                                                + (password ? QStringLiteral("········") : value) + QLatin1Char('\n')}};
        int changed = 0;
        if (m_collector.apply(echo, &changed))
            cell->updateOutputs(m_collector.nbformatOutputs(), changed);
        setFocus();
    });
}

int NotebookEditor::indexOf(CellWidget *cell) const
{
    return int(m_cells.indexOf(cell));
}

CellWidget *NotebookEditor::cellAt(int index) const
{
    return index >= 0 && index < m_cells.size() ? m_cells.at(index) : nullptr;
}

void NotebookEditor::updateCellSelection()
{
    for (int i = 0; i < m_cells.size(); ++i)
        m_cells.at(i)->setSelected(i == m_current, m_editMode);
}

void NotebookEditor::selectCell(int index, bool editMode)
{
    if (m_cells.isEmpty())
        return;
    index = qBound(0, index, int(m_cells.size()) - 1);
    if (m_current != index && m_current >= 0 && m_current < m_cells.size()) {
        CellWidget *previous = m_cells.at(m_current);
        if (previous->type() == CellType::Markdown && previous->isEditing()) {
            previous->setEditing(false);
            previous->renderContent();
        }
    }
    m_current = index;
    m_editMode = editMode;
    CellWidget *cell = m_cells.at(index);
    cell->setEditing(editMode);
    updateCellSelection();
    if (editMode)
        cell->editor()->setFocus();
    else
        setFocus();
    m_scroll->ensureWidgetVisible(cell, 0, 40);
    scheduleRender();
}

void NotebookEditor::enterCommandMode()
{
    m_editMode = false;
    if (CellWidget *cell = cellAt(m_current)) {
        if (cell->type() == CellType::Markdown) {
            cell->setEditing(false);
            cell->renderContent();
        }
    }
    updateCellSelection();
    setFocus();
}

void NotebookEditor::enterEditMode()
{
    selectCell(m_current, true);
}

void NotebookEditor::insertCell(int index, CellType type, const QString &source, bool edit)
{
    placeCell(index, m_notebook.makeCell(type, source), edit);
}

void NotebookEditor::placeCell(int index, const NotebookCell &cell, bool edit)
{
    index = qBound(0, index, int(m_cells.size()));
    CellWidget *widget = createCellWidget(cell);
    m_cellLayout->insertWidget(index, widget);
    m_cells.insert(index, widget);
    widget->renderContent();
    setDirty(true);
    selectCell(index, edit);
}

void NotebookEditor::deleteCell(int index)
{
    CellWidget *cell = cellAt(index);
    if (!cell || cell == m_running)
        return;
    m_queue.removeAll(cell);
    m_deleted.append({index, cell->cell()});
    m_cells.removeAt(index);
    cell->hide();
    cell->deleteLater();
    setDirty(true);
    if (m_cells.isEmpty())
        insertCell(0, CellType::Code);
    selectCell(qMin(index, int(m_cells.size()) - 1), false);
}

void NotebookEditor::undoDelete()
{
    if (m_deleted.isEmpty())
        return;
    const auto [index, cell] = m_deleted.takeLast();
    placeCell(index, cell, false);
}

void NotebookEditor::setCurrentCellType(CellType type)
{
    if (CellWidget *cell = cellAt(m_current)) {
        if (cell == m_running)
            return;
        cell->setType(type);
        if (type == CellType::Markdown && !m_editMode)
            cell->renderContent();
        updateCellSelection();
    }
}

void NotebookEditor::copyCell()
{
    if (CellWidget *cell = cellAt(m_current)) {
        m_clipboard = cell->cell();
        m_hasClipboard = true;
    }
}

void NotebookEditor::cutCell()
{
    copyCell();
    deleteCell(m_current);
}

void NotebookEditor::pasteBelow()
{
    if (!m_hasClipboard)
        return;
    NotebookCell cell = m_clipboard;
    if (!cell.id().isEmpty())
        cell.setId(newCellId());
    placeCell(m_current + 1, cell, false);
}

void NotebookEditor::moveCell(int direction)
{
    const int to = m_current + direction;
    if (to < 0 || to >= m_cells.size())
        return;
    CellWidget *cell = m_cells.takeAt(m_current);
    m_cells.insert(to, cell);
    m_cellLayout->removeWidget(cell);
    m_cellLayout->insertWidget(to, cell);
    setDirty(true);
    selectCell(to, false);
}

// ---- keys (command mode)

void NotebookEditor::keyPressEvent(QKeyEvent *event)
{
    const Qt::KeyboardModifiers mods = event->modifiers() & (Qt::ShiftModifier | Qt::ControlModifier | Qt::AltModifier);
    const int key = event->key();
    const bool repeated = key == m_lastKey && m_lastKeyTime.isValid() && m_lastKeyTime.elapsed() < kDoubleKeyMs;
    auto remember = [&] {
        m_lastKey = repeated ? 0 : key; // a third press starts over
        m_lastKeyTime.start();
    };
    if (key == Qt::Key_Return || key == Qt::Key_Enter) {
        if (mods == Qt::ShiftModifier)
            runCurrent(true, false);
        else if (mods == Qt::ControlModifier)
            runCurrent(false, false);
        else if (mods == Qt::AltModifier)
            runCurrent(true, true);
        else
            enterEditMode();
        return;
    }
    if (mods == Qt::ControlModifier && key == Qt::Key_S) {
        save();
        return;
    }
    if (mods == Qt::ShiftModifier && key == Qt::Key_Up) {
        moveCell(-1);
        return;
    }
    if (mods == Qt::ShiftModifier && key == Qt::Key_Down) {
        moveCell(1);
        return;
    }
    if (mods != Qt::NoModifier) {
        QWidget::keyPressEvent(event);
        return;
    }
    switch (key) {
    case Qt::Key_Up:
    case Qt::Key_K: selectCell(m_current - 1, false); break;
    case Qt::Key_Down:
    case Qt::Key_J: selectCell(m_current + 1, false); break;
    case Qt::Key_A: insertCell(m_current, CellType::Code); break;
    case Qt::Key_B: insertCell(m_current + 1, CellType::Code); break;
    case Qt::Key_M: setCurrentCellType(CellType::Markdown); break;
    case Qt::Key_Y: setCurrentCellType(CellType::Code); break;
    case Qt::Key_R: setCurrentCellType(CellType::Raw); break;
    case Qt::Key_Z: undoDelete(); break;
    case Qt::Key_C: copyCell(); break;
    case Qt::Key_X: cutCell(); break;
    case Qt::Key_V: pasteBelow(); break;
    case Qt::Key_D:
        if (repeated)
            deleteCell(m_current);
        remember();
        return;
    case Qt::Key_I:
        if (repeated)
            interruptKernel();
        remember();
        return;
    case Qt::Key_0:
        if (repeated)
            restartKernel(false);
        remember();
        return;
    case Qt::Key_Escape: enterCommandMode(); break;
    default: QWidget::keyPressEvent(event); return;
    }
    m_lastKey = 0;
}

// ---- lazy rendering

void NotebookEditor::scheduleRender()
{
    if (!m_renderTimer->isActive())
        m_renderTimer->start();
}

void NotebookEditor::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    scheduleRender();
}

void NotebookEditor::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    scheduleRender();
}

void NotebookEditor::renderVisibleCells()
{
    const int top = m_scroll->verticalScrollBar()->value() - kRenderMargin;
    const int bottom = m_scroll->verticalScrollBar()->value() + m_scroll->viewport()->height() + kRenderMargin;
    bool renderedAny = false;
    for (CellWidget *cell : std::as_const(m_cells)) {
        const QRect geometry = cell->geometry();
        if (geometry.bottom() < top)
            continue;
        if (geometry.top() > bottom)
            break;
        if (!cell->isRendered()) {
            cell->renderContent();
            renderedAny = true;
        }
    }
    // Rendered cells change height; check again once the layout has settled.
    if (renderedAny)
        QTimer::singleShot(0, this, &NotebookEditor::renderVisibleCells);
}

// ---- kernel and execution

void NotebookEditor::ensureKernel()
{
    if (m_kernel && m_kernel->state() != KernelClient::State::NotStarted && m_kernel->state() != KernelClient::State::Dead)
        return;
    if (!m_spec.isValid()) {
        showNotice(tr("No kernel to run this notebook: install a Jupyter kernel (python3-ipykernel)."), false);
        return;
    }
    if (!m_host.isEmpty()) {
        startRemoteKernel();
        return;
    }
    if (!m_kernel) {
        m_kernel = new KernelClient(this);
        connectKernel();
    }
    if (m_notebook.kernelName().isEmpty())
        m_notebook.setKernelSpec(m_spec.name, m_spec.displayName, m_spec.language);
    const QString workspace = m_context && m_context->hasWorkspace() ? m_context->workspacePath() : QString();
    try {
        m_kernel->start(m_spec, notebookLaunchOptions(workspace, m_path));
    } catch (const Error &e) {
        showNotice(e.message(), true);
    }
    Q_EMIT kernelStatusChanged();
}

void NotebookEditor::connectKernel()
{
    connect(m_kernel, &KernelClient::iopubMessage, this, &NotebookEditor::onIopub);
    connect(m_kernel, &KernelClient::shellReply, this, &NotebookEditor::onShellReply);
    connect(m_kernel, &KernelClient::inputRequested, this,
            [this](const QString &prompt, bool password, const KernelMessage &) { onInputRequested(prompt, password); });
    connect(m_kernel, &KernelClient::died, this, &NotebookEditor::onKernelDied);
    connect(m_kernel, &KernelClient::ready, this, &NotebookEditor::onKernelReady);
    connect(m_kernel, &KernelClient::stateChanged, this, &NotebookEditor::kernelStatusChanged);
}

void NotebookEditor::startRemoteKernel()
{
    const std::optional<remote::Host> host = remote::HostStore().find(m_host);
    if (!host || host->isLocal()) {
        showNotice(tr("This notebook's kernel runs on host '%1', which is not among your hosts: add it in the Resources panel or pick "
                      "another kernel.")
                       .arg(m_host),
                   true);
        return;
    }
    if (!m_remote) {
        m_remote = new remote::RemoteKernel(*host, this);
        m_kernel = m_remote->client();
        connectKernel();
        connect(m_remote, &remote::RemoteKernel::reconnecting, this, [this] {
            showNotice(tr("The connection to %1 was lost: reconnecting to the same kernel…").arg(m_host), false);
        });
        connect(m_remote, &remote::RemoteKernel::reconnected, this, [this] {
            m_reconnected = true; // said once the kernel answers (see onKernelReady)
            Q_EMIT kernelStatusChanged();
        });
        connect(m_remote, &remote::RemoteKernel::gone, this, [this](const QString &reason) {
            showNotice(reason, true);
            Q_EMIT kernelStatusChanged();
        });
    }
    // Starting on a host takes a round trip or two over SSH.
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    try {
        m_remote->start(QStringLiteral("python3"));
    } catch (const Error &e) {
        showNotice(tr("Cannot start the kernel on %1: %2").arg(m_host, e.message()), true);
    }
    QGuiApplication::restoreOverrideCursor();
    Q_EMIT kernelStatusChanged();
}

void NotebookEditor::dropKernel()
{
    abortQueue();
    if (m_remote) {
        m_remote->shutdown();
        delete m_remote;
    } else if (m_kernel) {
        m_kernel->shutdown();
        delete m_kernel;
    }
    m_remote = nullptr;
    m_kernel = nullptr;
}

void NotebookEditor::setKernelHost(const QString &host)
{
    if (host == m_host)
        return;
    const bool running = m_kernel && m_kernel->state() != KernelClient::State::NotStarted && m_kernel->state() != KernelClient::State::Dead;
    dropKernel();
    m_host = host;
    QJsonObject metadata = m_notebook.metadata();
    QJsonObject cairnMetadata = metadata.value(QLatin1String("cairn")).toObject();
    if (host.isEmpty())
        cairnMetadata.remove(QStringLiteral("host"));
    else
        cairnMetadata[QStringLiteral("host")] = host;
    if (cairnMetadata.isEmpty())
        metadata.remove(QStringLiteral("cairn"));
    else
        metadata[QStringLiteral("cairn")] = cairnMetadata;
    m_notebook.setMetadata(metadata);
    setDirty(true);
    hideNotice();
    if (running)
        ensureKernel();
    Q_EMIT kernelStatusChanged();
}

void NotebookEditor::onKernelReady()
{
    if (m_reconnected) {
        m_reconnected = false;
        showNotice(tr("Reconnected to the kernel on %1; its variables are kept. Output sent while the connection was down is lost.").arg(m_host),
                   false);
    } else {
        hideNotice();
    }
    // Record what the kernel says about its language (JupyterLab does the same).
    const QJsonObject languageInfo = m_kernel->kernelInfo().value(QLatin1String("language_info")).toObject();
    if (!languageInfo.isEmpty()) {
        QJsonObject metadata = m_notebook.metadata();
        if (metadata.value(QLatin1String("language_info")).toObject().value(QLatin1String("name")) != languageInfo.value(QLatin1String("name"))) {
            metadata[QStringLiteral("language_info")] = languageInfo;
            m_notebook.setMetadata(metadata);
        }
    }
    if (m_runAllAfterRestart) {
        m_runAllAfterRestart = false;
        runAll();
        return;
    }
    executeNext();
    Q_EMIT kernelStatusChanged();
}

void NotebookEditor::runCurrent(bool advance, bool insertBelow)
{
    CellWidget *cell = cellAt(m_current);
    if (!cell)
        return;
    const bool wasEditing = m_editMode;
    runCells({m_current});
    if (insertBelow) {
        insertCell(m_current + 1, CellType::Code, {}, true);
    } else if (advance) {
        if (m_current + 1 >= m_cells.size())
            insertCell(m_current + 1, CellType::Code, {}, true);
        else
            selectCell(m_current + 1, false);
    } else {
        if (cell->type() == CellType::Markdown || !wasEditing)
            enterCommandMode();
    }
}

void NotebookEditor::runCells(const QList<int> &indices)
{
    bool anyCode = false;
    for (int index : indices) {
        CellWidget *cell = cellAt(index);
        if (!cell)
            continue;
        if (cell->type() == CellType::Markdown) {
            cell->setEditing(false);
            cell->renderContent();
            continue;
        }
        if (cell->type() != CellType::Code || cell == m_running || m_queue.contains(cell))
            continue;
        cell->setRunState(CellWidget::RunState::Queued);
        m_queue.append(cell);
        anyCode = true;
    }
    if (!anyCode)
        return;
    ensureKernel();
    executeNext();
    Q_EMIT kernelStatusChanged();
}

void NotebookEditor::runAll()
{
    QList<int> all;
    for (int i = 0; i < m_cells.size(); ++i)
        all << i;
    runCells(all);
}

void NotebookEditor::runAbove()
{
    QList<int> above;
    for (int i = 0; i < m_current; ++i)
        above << i;
    runCells(above);
}

void NotebookEditor::runBelow()
{
    QList<int> below;
    for (int i = m_current; i < m_cells.size(); ++i)
        below << i;
    runCells(below);
}

void NotebookEditor::clearAllOutputs()
{
    for (CellWidget *cell : std::as_const(m_cells)) {
        if (cell->type() == CellType::Code && cell != m_running) {
            cell->clearOutputs();
            cell->setExecutionCount(0);
        }
    }
    setDirty(true);
}

void NotebookEditor::executeNext()
{
    if (m_running || !m_kernel || !m_kernel->isReady())
        return;
    while (!m_queue.isEmpty() && !m_queue.first())
        m_queue.removeFirst();
    if (m_queue.isEmpty()) {
        Q_EMIT executionFinished();
        Q_EMIT kernelStatusChanged();
        return;
    }
    CellWidget *cell = m_queue.takeFirst();
    m_running = cell;
    m_gotReply = false;
    m_gotIdle = false;
    m_collector = OutputCollector();
    cell->setRunState(CellWidget::RunState::Running);
    cell->clearOutputs();
    cell->renderContent();
    setDirty(true);
    m_runningMsgId = m_kernel->execute(cell->source(), false, true, true, true);
}

void NotebookEditor::onIopub(const KernelMessage &message)
{
    if (message.parentId() == m_runningMsgId && m_running) {
        const QString type = message.type();
        if (type == QLatin1String("status")) {
            if (message.content.value(QLatin1String("execution_state")).toString() == QLatin1String("idle")) {
                m_gotIdle = true;
                if (m_gotReply)
                    finishCurrent(false);
            }
            return;
        }
        if (type == QLatin1String("update_display_data") && updateDisplayElsewhere(message))
            return;
        int changed = 0;
        if (m_collector.apply(message, &changed))
            m_running->updateOutputs(m_collector.nbformatOutputs(), changed);
        const QString displayId = message.content.value(QLatin1String("transient")).toObject().value(QLatin1String("display_id")).toString();
        if (!displayId.isEmpty() && type != QLatin1String("update_display_data"))
            m_displays.insert(displayId, {m_running, int(m_collector.outputs().size()) - 1});
        return;
    }
    // A display shown by an earlier cell, updated from a later one (or from a background thread).
    if (message.type() == QLatin1String("update_display_data"))
        updateDisplayElsewhere(message);
}

bool NotebookEditor::updateDisplayElsewhere(const KernelMessage &message)
{
    const QString displayId = message.content.value(QLatin1String("transient")).toObject().value(QLatin1String("display_id")).toString();
    const auto it = m_displays.constFind(displayId);
    if (it == m_displays.constEnd() || !it->first || it->first == m_running)
        return false;
    CellWidget *cell = it->first;
    QJsonArray outputs = cell->cell().outputs();
    if (it->second < 0 || it->second >= outputs.size())
        return false;
    QJsonObject output = outputs.at(it->second).toObject();
    QJsonObject data;
    const QJsonObject incoming = message.content.value(QLatin1String("data")).toObject();
    for (auto d = incoming.begin(); d != incoming.end(); ++d) {
        const bool split = d.value().isString() && d.key().startsWith(QLatin1String("text/"));
        data[d.key()] = split ? QJsonValue(splitMultiline(d.value().toString())) : d.value();
    }
    output[QStringLiteral("data")] = data;
    output[QStringLiteral("metadata")] = message.content.value(QLatin1String("metadata")).toObject();
    outputs[it->second] = output;
    cell->updateOutputs(outputs, it->second);
    setDirty(true);
    return true;
}

void NotebookEditor::onShellReply(const KernelMessage &message)
{
    const QString type = message.type();
    if (type == QLatin1String("execute_reply") && message.parentId() == m_runningMsgId && m_running) {
        m_running->setExecutionCount(message.content.value(QLatin1String("execution_count")).toInt());
        m_gotReply = true;
        const QString status = message.content.value(QLatin1String("status")).toString();
        const bool failed = status != QLatin1String("ok");
        // ipykernel skips requests that arrive right after an error (stop_on_error).
        if (status == QLatin1String("aborted") && m_context)
            Q_EMIT m_context->statusMessage(tr("The kernel skipped the cell because the one before it failed."), 5000);
        if (failed)
            abortQueue(); // as Jupyter does: the cells after a failed one do not run
        if (m_gotIdle)
            finishCurrent(failed);
        return;
    }
    if (type == QLatin1String("complete_reply") && message.parentId() == m_completionMsgId && m_completionCell) {
        QStringList matches;
        for (const QJsonValue &match : message.content.value(QLatin1String("matches")).toArray())
            matches << match.toString();
        m_completionCell->editor()->showCompletions(matches, message.content.value(QLatin1String("cursor_start")).toInt(),
                                                    message.content.value(QLatin1String("cursor_end")).toInt());
        return;
    }
    if (type == QLatin1String("inspect_reply") && message.parentId() == m_inspectMsgId && m_inspectCell) {
        if (!message.content.value(QLatin1String("found")).toBool())
            return;
        QString text = stripAnsi(message.content.value(QLatin1String("data")).toObject().value(QLatin1String("text/plain")).toString());
        QStringList lines = text.split(QLatin1Char('\n'));
        if (lines.size() > 30) {
            lines = lines.mid(0, 30);
            lines << QStringLiteral("…");
        }
        CodeEditor *editor = m_inspectCell->editor();
        const QPoint at = editor->mapToGlobal(QPoint(40, editor->height()));
        QToolTip::showText(at, QStringLiteral("<pre>%1</pre>").arg(lines.join(QLatin1Char('\n')).toHtmlEscaped()), editor);
        editor->setProperty("lastInspection", text);
    }
}

void NotebookEditor::finishCurrent(bool failed)
{
    Q_UNUSED(failed);
    if (m_running) {
        m_running->setRunState(CellWidget::RunState::Idle);
        m_running->outputView()->hideInputRequest();
    }
    m_running = nullptr;
    m_runningMsgId.clear();
    executeNext();
}

void NotebookEditor::abortQueue()
{
    for (const QPointer<CellWidget> &cell : std::as_const(m_queue)) {
        if (cell)
            cell->setRunState(CellWidget::RunState::Idle);
    }
    m_queue.clear();
}

void NotebookEditor::onInputRequested(const QString &prompt, bool password)
{
    if (!m_running)
        return;
    OutputView *view = m_running->outputView();
    view->setProperty("inputPrompt", prompt);
    view->setProperty("passwordPrompt", password);
    view->render();
    view->showInputRequest(prompt, password);
    m_scroll->ensureWidgetVisible(view, 0, 40);
}

void NotebookEditor::onKernelDied(const QString &reason)
{
    if (m_running) {
        m_running->setRunState(CellWidget::RunState::Idle);
        m_running->outputView()->hideInputRequest();
    }
    m_running = nullptr;
    m_runningMsgId.clear();
    abortQueue();
    if (m_remote && m_remote->isReconnecting()) {
        Q_EMIT executionFinished();
        Q_EMIT kernelStatusChanged();
        return;
    }
    showNotice(tr("%1 You can restart the kernel; variables are lost.").arg(reason), true);
    Q_EMIT executionFinished();
    Q_EMIT kernelStatusChanged();
}

void NotebookEditor::interruptKernel()
{
    if (m_kernel && m_kernel->isReady())
        m_kernel->interrupt();
}

void NotebookEditor::restartKernel(bool runAllAfter)
{
    abortQueue();
    if (m_running) {
        m_running->setRunState(CellWidget::RunState::Idle);
        m_running->outputView()->hideInputRequest();
    }
    m_running = nullptr;
    m_runningMsgId.clear();
    hideNotice();
    if (runAllAfter) {
        for (CellWidget *cell : std::as_const(m_cells)) {
            if (cell->type() == CellType::Code) {
                cell->clearOutputs();
                cell->setExecutionCount(0);
            }
        }
    }
    if (!m_kernel || m_kernel->state() == KernelClient::State::NotStarted) {
        if (runAllAfter)
            runAll();
        return;
    }
    m_runAllAfterRestart = runAllAfter;
    if (m_remote) {
        QGuiApplication::setOverrideCursor(Qt::WaitCursor);
        try {
            m_remote->restart();
        } catch (const Error &e) {
            m_runAllAfterRestart = false;
            showNotice(tr("Cannot start the kernel on %1: %2").arg(m_host, e.message()), true);
        }
        QGuiApplication::restoreOverrideCursor();
    } else {
        m_kernel->restart();
    }
    Q_EMIT kernelStatusChanged();
}

void NotebookEditor::shutdownKernel()
{
    abortQueue();
    if (m_remote)
        m_remote->shutdown();
    else if (m_kernel)
        m_kernel->shutdown();
    Q_EMIT kernelStatusChanged();
}

void NotebookEditor::setKernelSpec(const KernelSpec &spec)
{
    if (!spec.isValid())
        return;
    const bool changed = spec.name != m_notebook.kernelName();
    m_notebook.setKernelSpec(spec.name, spec.displayName, spec.language);
    const bool specChanged = spec.name != m_spec.name;
    m_spec = spec;
    if (changed)
        setDirty(true);
    hideNotice();
    if (specChanged && m_kernel && m_kernel->state() != KernelClient::State::NotStarted && m_kernel->state() != KernelClient::State::Dead) {
        abortQueue();
        m_kernel->shutdown();
        ensureKernel();
    }
    Q_EMIT kernelStatusChanged();
}

QString NotebookEditor::kernelStatusText() const
{
    const QString name = !m_host.isEmpty() ? tr("python3 on %1").arg(m_host) : m_spec.isValid() ? m_spec.displayName : tr("No kernel");
    if (!m_kernel)
        return tr("%1 · not started").arg(name);
    switch (m_kernel->state()) {
    case KernelClient::State::NotStarted: return tr("%1 · not started").arg(name);
    case KernelClient::State::Starting: return tr("%1 · starting").arg(name);
    case KernelClient::State::Idle: return isBusy() ? tr("%1 · busy").arg(name) : tr("%1 · idle").arg(name);
    case KernelClient::State::Busy: return tr("%1 · busy").arg(name);
    case KernelClient::State::Restarting: return tr("%1 · restarting").arg(name);
    case KernelClient::State::Dead: return tr("%1 · dead").arg(name);
    }
    return name;
}

void NotebookEditor::showNotice(const QString &text, bool offerRestart)
{
    m_noticeLabel->setText(text);
    m_noticeRestart->setVisible(offerRestart);
    m_notice->show();
}

void NotebookEditor::hideNotice()
{
    m_notice->hide();
    m_noticeLabel->clear();
}

QString NotebookEditor::noticeText() const
{
    return m_notice->isVisible() || !m_notice->isHidden() ? m_noticeLabel->text() : QString();
}

void NotebookEditor::requestCompletion(CellWidget *cell)
{
    ensureKernel();
    if (!m_kernel || !m_kernel->isReady()) {
        if (m_context)
            Q_EMIT m_context->statusMessage(tr("Completion needs a running kernel: it is starting."), 3000);
        return;
    }
    m_completionCell = cell;
    m_completionMsgId = m_kernel->complete(cell->source(), cell->editor()->cursorOffset());
}

void NotebookEditor::requestInspection(CellWidget *cell)
{
    ensureKernel();
    if (!m_kernel || !m_kernel->isReady())
        return;
    m_inspectCell = cell;
    m_inspectMsgId = m_kernel->inspect(cell->source(), cell->editor()->cursorOffset(), 0);
}

} // namespace cairn::panels
