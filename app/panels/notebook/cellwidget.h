#pragma once

#include "cairn/notebook/notebook.h"

#include <QFrame>

class QLabel;
class QStackedWidget;
class QVBoxLayout;

namespace cairn::panels {

class AutoHeightBrowser;
class CodeEditor;
class OutputView;

/// One cell: its prompt ("[3]:", "[*]:"), the source editor, and for code cells the outputs; a
/// markdown cell shows its rendering unless it is being edited. The cell's JSON object is kept,
/// so fields Cairn does not know survive.
class CellWidget : public QFrame
{
    Q_OBJECT
public:
    enum class RunState { Idle, Queued, Running };

    CellWidget(const NotebookCell &cell, const QString &notebookDir, QWidget *parent = nullptr);

    /// The cell as it is now (source taken from the editor).
    NotebookCell cell() const;
    CellType type() const { return m_cell.type(); }
    void setType(CellType type);

    CodeEditor *editor() const { return m_editor; }
    OutputView *outputView() const { return m_outputs; }
    /// The rendering of a markdown cell (made on first use).
    AutoHeightBrowser *markdownView();
    QString source() const;
    void setSource(const QString &source);

    void setOutputs(const QJsonArray &outputs);
    void updateOutputs(const QJsonArray &outputs, int fromIndex);
    void clearOutputs();
    void setExecutionCount(int count);
    int executionCount() const { return m_cell.executionCount(); }
    void setRunState(RunState state);
    RunState runState() const { return m_runState; }

    /// Selection and mode (command: blue bar, edit: green bar), as in Jupyter.
    void setSelected(bool selected, bool editMode);
    bool isSelected() const { return m_selected; }
    /// Markdown: show the editor (true) or the rendering (false).
    void setEditing(bool editing);
    bool isEditing() const { return m_editing; }
    /// Renders outputs and markdown if not done yet (called when the cell scrolls into view).
    void renderContent();
    bool isRendered() const { return m_rendered; }

Q_SIGNALS:
    void changed();
    void clicked(cairn::panels::CellWidget *cell);
    void doubleClicked(cairn::panels::CellWidget *cell);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updatePrompt();
    void renderMarkdown();
    void applyLanguage();

    NotebookCell m_cell;
    QString m_notebookDir;
    QLabel *m_prompt;
    QFrame *m_bar;
    CodeEditor *m_editor;
    AutoHeightBrowser *m_markdown = nullptr;
    QVBoxLayout *m_column = nullptr;
    OutputView *m_outputs;
    RunState m_runState = RunState::Idle;
    bool m_selected = false;
    bool m_editing = false;
    bool m_rendered = false;
    bool m_markdownStale = true;
};

} // namespace cairn::panels
