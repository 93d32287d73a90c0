#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace cairn {

struct KernelMessage;

/// Turns the iopub messages of one execution into nbformat outputs, as Jupyter front ends do:
/// consecutive stream chunks of the same name are merged (carriage returns applied, so a tqdm bar
/// is one line), clear_output(wait=True) clears on the next output, update_display_data replaces
/// the output that carries the same display_id.
class OutputCollector
{
public:
    explicit OutputCollector(QJsonArray outputs = {}) : m_outputs(std::move(outputs)) {}

    /// Applies one iopub message; returns true if the outputs changed. `changedIndex` gets the
    /// first output index that changed (outputs before it are untouched), or -1 after a clear.
    bool apply(const KernelMessage &message, int *changedIndex = nullptr);
    const QJsonArray &outputs() const { return m_outputs; }
    /// The outputs as nbformat stores them (without the display ids kept for updates).
    QJsonArray nbformatOutputs() const;
    void clear();
    /// The execution_count of an execute_result seen, else 0.
    int executionCount() const { return m_executionCount; }
    /// The last error output seen (ename, evalue, traceback), else empty.
    QJsonObject error() const { return m_error; }

private:
    void clearPending();

    QJsonArray m_outputs;
    QJsonObject m_error;
    bool m_clearOnNext = false;
    int m_executionCount = 0;
};

/// Applies '\r' the way a terminal does (a later segment overwrites the start of the line); a
/// trailing '\r' is kept so that the next chunk overwrites the line.
QString applyCarriageReturns(const QString &text);
/// Removes ANSI escape sequences (colours, cursor moves).
QString stripAnsi(const QString &text);
/// HTML for text with ANSI SGR colours (16, 256 and 24-bit), bold and underline; the text is
/// escaped and white space kept (wrap it in a pre-wrap block).
QString ansiToHtml(const QString &text);

} // namespace cairn
