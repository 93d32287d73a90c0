#include "codeeditor.h"


#include <QFontDatabase>
#include <QKeyEvent>
#include <QListWidget>
#include <QScreen>

namespace cairn::panels {

CodeEditor::CodeEditor(Language language, QWidget *parent) : QsciScintilla(parent), m_language(language)
{
    setUtf8(true);
    setFrameShape(QFrame::NoFrame);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    SendScintilla(SCI_SETHSCROLLBAR, 0L);
    SendScintilla(SCI_SETVSCROLLBAR, 0L);
    // Keep the last line at the bottom instead of scrolling past it.
    SendScintilla(SCI_SETENDATLASTLINE, 1L);
    setWrapMode(QsciScintilla::WrapWord);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setBraceMatching(QsciScintilla::SloppyBraceMatch);
    setAutoIndent(true);
    setIndentationsUseTabs(false);
    setIndentationWidth(4);
    setTabWidth(4);
    setTabIndents(true);
    setBackspaceUnindents(true);
    setMarginWidth(1, 0);
    setCaretLineVisible(false);
    setAutoCompletionSource(QsciScintilla::AcsNone);
    setLanguage(language);
    connect(this, &QsciScintilla::linesChanged, this, &CodeEditor::updateHeight);
    connect(this, &QsciScintilla::textChanged, this, &CodeEditor::updateHeight);
    updateHeight();
}

void CodeEditor::setLanguage(Language language)
{
    m_language = language;
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    QsciLexer *old = lexer();
    if (language == Language::Python) {
        auto *python = new QsciLexerPython(this);
        python->setDefaultFont(mono);
        python->setFont(mono);
        python->setIndentationWarning(QsciLexerPython::Inconsistent);
        setLexer(python);
    } else if (language == Language::Markdown) {
        auto *markdown = new QsciLexerMarkdown(this);
        markdown->setDefaultFont(mono);
        markdown->setFont(mono);
        setLexer(markdown);
    } else {
        setLexer(nullptr);
        setFont(mono);
    }
    delete old;
    setMarginsFont(mono);
    setMarginLineNumbers(0, language == Language::Python);
    setMarginWidth(0, language == Language::Python ? QStringLiteral("0000") : QString());
    if (language != Language::Python)
        setMarginWidth(0, 4);
    setMarginsBackgroundColor(QColor(0xf4, 0xf4, 0xf4));
    setMarginsForegroundColor(QColor(0x99, 0x99, 0x99));
    setMatchedBraceBackgroundColor(QColor(0xc8, 0xe6, 0xc9));
    setUnmatchedBraceForegroundColor(QColor(0xd3, 0x2f, 0x2f));
    updateHeight();
}

QSize CodeEditor::sizeHint() const
{
    return QSize(QsciScintilla::sizeHint().width(), height());
}

void CodeEditor::updateHeight()
{
    // Wrapped lines count as several display lines.
    const long last = qMax(0, lines() - 1);
    const int displayLines = qMax(1, int(SendScintilla(SCI_VISIBLEFROMDOCLINE, last) + SendScintilla(SCI_WRAPCOUNT, last)));
    const int lineHeight = qMax(10, textHeight(0));
    const int h = displayLines * lineHeight + 8;
    if (h != height())
        setFixedHeight(h);
}

int CodeEditor::cursorOffset() const
{
    const long position = SendScintilla(SCI_GETCURRENTPOS);
    return int(SendScintilla(SCI_COUNTCHARACTERS, 0L, position));
}

void CodeEditor::replaceRange(int start, int end, const QString &replacement)
{
    const long from = SendScintilla(SCI_POSITIONRELATIVE, 0L, long(start));
    const long to = SendScintilla(SCI_POSITIONRELATIVE, 0L, long(end));
    SendScintilla(SCI_SETSELECTION, to, from);
    replaceSelectedText(replacement);
}

void CodeEditor::showCompletions(const QStringList &matches, int start, int end)
{
    if (matches.isEmpty())
        return;
    m_completionStart = start;
    m_completionEnd = end;
    if (matches.size() == 1) {
        replaceRange(start, end, matches.first());
        return;
    }
    // Our own popup rather than QScintilla's user list, which crashes where the caret is off every screen.
    if (!m_popup) {
        m_popup = new QListWidget(this);
        m_popup->setObjectName(QStringLiteral("completionPopup"));
        m_popup->setWindowFlags(Qt::Popup);
        m_popup->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        m_popup->installEventFilter(this);
        connect(m_popup, &QListWidget::itemActivated, this, [this] { acceptCompletion(); });
    }
    m_popup->clear();
    m_popup->addItems(matches);
    m_popup->setCurrentRow(0);
    const int rows = qMin(12, int(matches.size()));
    m_popup->resize(qMax(200, m_popup->sizeHintForColumn(0) + 30), rows * m_popup->sizeHintForRow(0) + 6);
    m_popup->move(mapToGlobal(caretPoint()));
    m_popup->show();
    m_popup->setFocus();
}

QListWidget *CodeEditor::completionPopup() const
{
    return m_popup && m_popup->isVisible() ? m_popup : nullptr;
}

void CodeEditor::acceptCompletion()
{
    if (!m_popup)
        return;
    QListWidgetItem *item = m_popup->currentItem();
    m_popup->hide();
    setFocus();
    if (item)
        replaceRange(m_completionStart, m_completionEnd, item->text());
}

QPoint CodeEditor::caretPoint() const
{
    const long position = SendScintilla(SCI_GETCURRENTPOS);
    const int x = int(SendScintilla(SCI_POINTXFROMPOSITION, 0UL, position));
    const int y = int(SendScintilla(SCI_POINTYFROMPOSITION, 0UL, position));
    return QPoint(x, y + textHeight(0));
}

void CodeEditor::keyPressEvent(QKeyEvent *event)
{
    const bool listActive = isListActive();
    const Qt::KeyboardModifiers mods = event->modifiers() & (Qt::ShiftModifier | Qt::ControlModifier | Qt::AltModifier);
    const int key = event->key();
    if (!listActive && (key == Qt::Key_Return || key == Qt::Key_Enter)) {
        if (mods == Qt::ShiftModifier) {
            Q_EMIT runRequested(true, false);
            return;
        }
        if (mods == Qt::ControlModifier) {
            Q_EMIT runRequested(false, false);
            return;
        }
        if (mods == Qt::AltModifier) {
            Q_EMIT runRequested(true, true);
            return;
        }
    }
    if (key == Qt::Key_Escape && !listActive && !isCallTipActive()) {
        Q_EMIT escapePressed();
        return;
    }
    if (key == Qt::Key_S && mods == Qt::ControlModifier) {
        Q_EMIT saveRequested();
        return;
    }
    if (key == Qt::Key_Backtab || (key == Qt::Key_Tab && mods == Qt::ShiftModifier)) {
        Q_EMIT inspectRequested();
        return;
    }
    if (key == Qt::Key_Tab && mods == Qt::NoModifier && !listActive && !hasSelectedText() && m_language == Language::Python) {
        int line = 0, index = 0;
        getCursorPosition(&line, &index);
        const QString before = text(line).left(index);
        if (!before.trimmed().isEmpty()) {
            Q_EMIT completionRequested();
            return;
        }
    }
    if (!listActive && mods == Qt::NoModifier && (key == Qt::Key_Up || key == Qt::Key_Down)) {
        int line = 0, index = 0;
        getCursorPosition(&line, &index);
        if (key == Qt::Key_Up && line == 0) {
            Q_EMIT leaveRequested(-1);
            return;
        }
        if (key == Qt::Key_Down && line >= lines() - 1) {
            Q_EMIT leaveRequested(1);
            return;
        }
    }
    QsciScintilla::keyPressEvent(event);
}

bool CodeEditor::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_popup && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter || key->key() == Qt::Key_Tab) {
            acceptCompletion();
            return true;
        }
        if (key->key() == Qt::Key_Escape) {
            m_popup->hide();
            setFocus();
            return true;
        }
    }
    return QsciScintilla::eventFilter(watched, event);
}

void CodeEditor::focusInEvent(QFocusEvent *event)
{
    QsciScintilla::focusInEvent(event);
    Q_EMIT focusGained();
}

void CodeEditor::resizeEvent(QResizeEvent *event)
{
    QsciScintilla::resizeEvent(event);
    // Wrapping depends on the width; Scintilla re-wraps after this event.
    QMetaObject::invokeMethod(this, &CodeEditor::updateHeight, Qt::QueuedConnection);
}

void CodeEditor::wheelEvent(QWheelEvent *event)
{
    // The notebook scrolls, not the cell.
    event->ignore();
}

} // namespace cairn::panels
