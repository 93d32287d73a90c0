#include "cellwidget.h"

#include "codeeditor.h"
#include "outputview.h"

#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QMouseEvent>
#include <QTextDocument>
#include <QUrl>
#include <QVBoxLayout>

namespace cairn::panels {

namespace {

CodeEditor::Language languageFor(CellType type)
{
    switch (type) {
    case CellType::Code: return CodeEditor::Language::Python;
    case CellType::Markdown: return CodeEditor::Language::Markdown;
    case CellType::Raw: return CodeEditor::Language::Plain;
    }
    return CodeEditor::Language::Plain;
}

} // namespace

CellWidget::CellWidget(const NotebookCell &cell, const QString &notebookDir, QWidget *parent)
    : QFrame(parent), m_cell(cell), m_notebookDir(notebookDir)
{
    setObjectName(QStringLiteral("notebookCell"));
    setFocusPolicy(Qt::NoFocus);
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 2, 6, 2);
    row->setSpacing(4);
    m_bar = new QFrame(this);
    m_bar->setObjectName(QStringLiteral("cellBar"));
    m_bar->setFixedWidth(4);
    row->addWidget(m_bar);

    m_prompt = new QLabel(this);
    m_prompt->setObjectName(QStringLiteral("cellPrompt"));
    m_prompt->setFixedWidth(QFontMetrics(QFontDatabase::systemFont(QFontDatabase::FixedFont)).horizontalAdvance(QStringLiteral("[999]:")) + 8);
    m_prompt->setAlignment(Qt::AlignRight | Qt::AlignTop);
    m_prompt->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_prompt->setContentsMargins(0, 4, 0, 0);
    row->addWidget(m_prompt, 0, Qt::AlignTop);

    auto *column = new QVBoxLayout;
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    m_editor = new CodeEditor(languageFor(cell.type()), this);
    m_editor->setText(cell.source());
    m_editor->setModified(false);
    column->addWidget(m_editor);
    m_column = column;
    m_outputs = new OutputView(this);
    column->addWidget(m_outputs);
    row->addLayout(column, 1);

    connect(m_editor, &QsciScintilla::textChanged, this, [this] {
        m_markdownStale = true;
        Q_EMIT changed();
    });
    if (cell.type() == CellType::Code)
        m_outputs->setOutputs(cell.outputs());
    else
        m_outputs->hide();
    applyLanguage();
    updatePrompt();
    setSelected(false, false);
}

NotebookCell CellWidget::cell() const
{
    NotebookCell cell = m_cell;
    cell.setSource(source());
    return cell;
}

QString CellWidget::source() const
{
    return m_editor->text();
}

void CellWidget::setSource(const QString &source)
{
    m_editor->setText(source);
}

AutoHeightBrowser *CellWidget::markdownView()
{
    // Only markdown cells need a rich-text view: code cells (most of a big notebook) skip it.
    if (!m_markdown) {
        m_markdown = new AutoHeightBrowser(this);
        m_markdown->setObjectName(QStringLiteral("markdownView"));
        m_markdown->setSearchPaths({m_notebookDir});
        m_markdown->viewport()->installEventFilter(this);
        m_column->insertWidget(1, m_markdown);
    }
    return m_markdown;
}

void CellWidget::applyLanguage()
{
    const bool markdown = m_cell.type() == CellType::Markdown;
    m_editor->setLanguage(languageFor(m_cell.type()));
    m_outputs->setVisible(m_cell.type() == CellType::Code && !m_outputs->outputs().isEmpty());
    m_editor->setVisible(!markdown || m_editing);
    if (markdown || m_markdown)
        markdownView()->setVisible(markdown && !m_editing);
    if (markdown && !m_editing && m_rendered)
        renderMarkdown();
    updatePrompt();
}

void CellWidget::setType(CellType type)
{
    if (type == m_cell.type())
        return;
    m_cell.setSource(source());
    m_cell.setType(type);
    if (type != CellType::Code)
        m_outputs->setOutputs({});
    m_editing = false;
    m_markdownStale = true;
    applyLanguage();
    Q_EMIT changed();
}

void CellWidget::setOutputs(const QJsonArray &outputs)
{
    m_cell.setOutputs(outputs);
    m_outputs->setOutputs(outputs);
}

void CellWidget::updateOutputs(const QJsonArray &outputs, int fromIndex)
{
    m_cell.setOutputs(outputs);
    m_outputs->render();
    m_outputs->updateOutputs(outputs, fromIndex);
}

void CellWidget::clearOutputs()
{
    setOutputs({});
}

void CellWidget::setExecutionCount(int count)
{
    m_cell.setExecutionCount(count);
    updatePrompt();
}

void CellWidget::setRunState(RunState state)
{
    m_runState = state;
    updatePrompt();
}

void CellWidget::updatePrompt()
{
    if (m_cell.type() != CellType::Code) {
        m_prompt->clear();
        return;
    }
    QString inside;
    switch (m_runState) {
    case RunState::Running:
    case RunState::Queued: inside = QStringLiteral("*"); break;
    case RunState::Idle:
        inside = m_cell.executionCount() > 0 ? QString::number(m_cell.executionCount()) : QStringLiteral(" ");
        break;
    }
    m_prompt->setText(QStringLiteral("[%1]:").arg(inside));
    m_prompt->setStyleSheet(m_runState == RunState::Running ? QStringLiteral("color:#c47a00; font-weight:bold;")
                                                            : QStringLiteral("color:#303f9f;"));
    m_prompt->setToolTip(m_runState == RunState::Running  ? tr("Running")
                         : m_runState == RunState::Queued ? tr("Waiting to run")
                                                          : QString());
}

void CellWidget::setSelected(bool selected, bool editMode)
{
    m_selected = selected;
    // Jupyter's colours: blue in command mode, green in edit mode.
    if (!selected)
        setStyleSheet(QStringLiteral("#cellBar { background: transparent; }"));
    else if (editMode)
        setStyleSheet(QStringLiteral("#notebookCell { background: #fbfffb; } #cellBar { background: #66bb6a; }"));
    else
        setStyleSheet(QStringLiteral("#notebookCell { background: #f5faff; } #cellBar { background: #42a5f5; }"));
}

void CellWidget::setEditing(bool editing)
{
    if (m_cell.type() != CellType::Markdown) {
        m_editing = editing;
        return;
    }
    if (editing == m_editing)
        return;
    m_editing = editing;
    applyLanguage();
}

void CellWidget::renderContent()
{
    if (m_rendered)
        return;
    m_rendered = true;
    if (m_cell.type() == CellType::Code)
        m_outputs->render();
    if (m_cell.type() == CellType::Markdown && !m_editing)
        renderMarkdown();
}

void CellWidget::renderMarkdown()
{
    if (!m_markdownStale)
        return;
    m_markdownStale = false;
    // Attachments are referenced as attachment:NAME in the markdown.
    const QJsonObject attachments = m_cell.attachments();
    for (auto it = attachments.begin(); it != attachments.end(); ++it) {
        const QJsonObject bundle = it.value().toObject();
        for (auto mime = bundle.begin(); mime != bundle.end(); ++mime) {
            if (!mime.key().startsWith(QLatin1String("image/")))
                continue;
            QImage image;
            if (image.loadFromData(QByteArray::fromBase64(joinMultiline(mime.value()).toLatin1()))) {
                markdownView()->setResource(QUrl(QStringLiteral("attachment:") + it.key()), image);
                break;
            }
        }
    }
    const QString text = source();
    markdownView()->setMarkdown(text.trimmed().isEmpty() ? tr("*Empty markdown cell: double-click to edit*") : text);
    m_markdown->updateHeight();
}

void CellWidget::mousePressEvent(QMouseEvent *event)
{
    Q_EMIT clicked(this);
    QFrame::mousePressEvent(event);
}

void CellWidget::mouseDoubleClickEvent(QMouseEvent *event)
{
    Q_EMIT doubleClicked(this);
    QFrame::mouseDoubleClickEvent(event);
}

bool CellWidget::eventFilter(QObject *watched, QEvent *event)
{
    if (m_markdown && watched == m_markdown->viewport()) {
        if (event->type() == QEvent::MouseButtonPress)
            Q_EMIT clicked(this);
        else if (event->type() == QEvent::MouseButtonDblClick) {
            Q_EMIT doubleClicked(this);
            return true;
        }
    }
    return QFrame::eventFilter(watched, event);
}

} // namespace cairn::panels
