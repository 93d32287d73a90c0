#pragma once

#include "qsciinclude.h"

class QListWidget;

namespace cairn::panels {

/// The source editor of one cell: QScintilla with the Python lexer (code cells), line numbers,
/// bracket matching and auto-indent, as tall as its text. Jupyter's edit-mode keys are turned
/// into signals for the notebook to act on.
class CodeEditor : public QsciScintilla
{
    Q_OBJECT
public:
    enum class Language { Python, Markdown, Plain };
    explicit CodeEditor(Language language, QWidget *parent = nullptr);

    void setLanguage(Language language);
    /// The cursor as a character offset into text() (what the kernel protocol counts).
    int cursorOffset() const;
    /// Replaces characters [start, end) of text() with `replacement` and puts the cursor after it.
    void replaceRange(int start, int end, const QString &replacement);
    /// Shows completion candidates that replace [start, end) when one is picked.
    void showCompletions(const QStringList &matches, int start, int end);
    void updateHeight();
    QSize sizeHint() const override;
    /// The completion list while it is shown (else null).
    QListWidget *completionPopup() const;

Q_SIGNALS:
    /// Shift+Enter (advance), Ctrl+Enter (stay) and Alt+Enter (insert below).
    void runRequested(bool advance, bool insertBelow);
    void escapePressed();
    void completionRequested();
    void inspectRequested();
    /// Up on the first line / Down on the last: move to the neighbouring cell.
    void leaveRequested(int direction);
    void focusGained();
    void saveRequested();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void acceptCompletion();
    QPoint caretPoint() const;

    Language m_language;
    QListWidget *m_popup = nullptr;
    int m_completionStart = 0;
    int m_completionEnd = 0;
};

} // namespace cairn::panels
